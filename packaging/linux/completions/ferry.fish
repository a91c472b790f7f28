# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ferry_global_optspecs
    string join \n plain ca-file= cert= key= v/verbose active active-ports= no-epsv password-stdin timeout= tls12 ccc proxy= tls13 trust= h/help V/version
end

function __fish_ferry_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ferry_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ferry_using_subcommand
    set -l cmd (__fish_ferry_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ferry -n "__fish_ferry_needs_command" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_needs_command" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_needs_command" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_needs_command" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_needs_command" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_needs_command" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_needs_command" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_needs_command" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_needs_command" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_needs_command" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_needs_command" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_needs_command" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_needs_command" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_needs_command" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_needs_command" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ferry -n "__fish_ferry_needs_command" -s V -l version -d 'Print version'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "ls" -d 'List a remote directory'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "get" -d 'Download a file'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "put" -d 'Upload a file'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "sync" -d 'Make a local folder and a remote folder agree: upload (the server becomes like the local folder), download (the other way) or both (what is new or newer goes each way). Files are compared by size and modification time; the changes are listed, and with --dry-run nothing else happens'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "mkdir" -d 'Create a remote directory'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "rm" -d 'Delete a remote file'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "rmdir" -d 'Remove an empty remote directory'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "trust" -d 'Certificates you chose to trust ("accept always"), like SSH\'s known_hosts'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "sites" -d 'Saved sites (bookmarks); their passwords live in the OS keychain'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "mv" -d 'Rename or move a remote file or directory'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "doctor" -d 'Diagnose a server: explicit or implicit TLS, TLS versions, the certificate, PROT P, EPSV, PASV (a private address?), active mode, session reuse, how many connections it allows, round-trip time. Prints a verdict and the arguments that work'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "completions" -d 'Print the shell completion script (e.g. `ferry completions bash > ~/.local/share/bash-completion/completions/ferry`)'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "manpage" -d 'Write the manual pages (ferry.1 and one per subcommand) into a folder, or print ferry.1'
complete -c ferry -n "__fish_ferry_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand ls" -s l -l long -d 'Long format: type, permissions, size, modification time, name'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand ls" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l parallel -d 'Parallel connections for a folder transfer (at most the site\'s own limit)' -r
complete -c ferry -n "__fish_ferry_using_subcommand get" -l on-exists -d 'When a target exists: overwrite, newer, size (overwrite if the size differs: re-running an interrupted transfer finishes it), resume, rename, skip. Default: size for folders (-r), overwrite for one file' -r -f -a "overwrite\t'Replace it'
newer\t'Replace it if the source is newer'
size\t'Replace it if the sizes differ'
resume\t'Continue it from its current size'
rename\t'Keep both (name (1).ext)'
skip\t'Leave it'"
complete -c ferry -n "__fish_ferry_using_subcommand get" -l retries -d 'Attempts after the first, per file, when a connection drops' -r
complete -c ferry -n "__fish_ferry_using_subcommand get" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand get" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand get" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand get" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand get" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand get" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand get" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand get" -s c -l continue -d 'Continue a file that exists under the target name (written by another program). An interrupted Ferry download continues from its partial file without this'
complete -c ferry -n "__fish_ferry_using_subcommand get" -s r -l recursive -d 'Transfer a whole folder, recursively'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l follow-symlinks -d 'Follow symbolic links (by default they are listed as skipped, so a link cannot pull a transfer into a loop or out of the chosen folder)'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand get" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand get" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l parallel -d 'Parallel connections for a folder transfer (at most the site\'s own limit)' -r
complete -c ferry -n "__fish_ferry_using_subcommand put" -l on-exists -d 'When a target exists: overwrite, newer, size (overwrite if the size differs: re-running an interrupted transfer finishes it), resume, rename, skip. Default: size for folders (-r), overwrite for one file' -r -f -a "overwrite\t'Replace it'
newer\t'Replace it if the source is newer'
size\t'Replace it if the sizes differ'
resume\t'Continue it from its current size'
rename\t'Keep both (name (1).ext)'
skip\t'Leave it'"
complete -c ferry -n "__fish_ferry_using_subcommand put" -l retries -d 'Attempts after the first, per file, when a connection drops' -r
complete -c ferry -n "__fish_ferry_using_subcommand put" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand put" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand put" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand put" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand put" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand put" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand put" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand put" -s c -l continue -d 'Continue a partial upload from the remote file\'s current size'
complete -c ferry -n "__fish_ferry_using_subcommand put" -s r -l recursive -d 'Transfer a whole folder, recursively'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l follow-symlinks -d 'Follow symbolic links (by default they are listed as skipped, so a link cannot pull a transfer into a loop or out of the chosen folder)'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand put" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand put" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l direction -d 'upload, download or both' -r -f -a "upload\t'Make the server like the local folder'
download\t'Make the local folder like the server'
both\t'Copy what is new or newer each way; nothing is deleted'"
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l time-offset -d 'Seconds to add to the server\'s LIST times to get UTC (a server that lists in its own time zone and has no MLSD); e.g. -3600. Default: the site\'s offset (set or detected in the window\'s compare mode), else 0' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l parallel -d 'Parallel connections for the transfers (at most the site\'s own limit)' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l retries -d 'Attempts after the first, per file, when a connection drops' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l delete -d 'Delete what exists only on the side being changed (not with --direction both)'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -s n -l dry-run -d 'List the changes and make none'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l size-only -d 'Compare sizes only (for servers whose times cannot be trusted)'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l checksum -d 'Compare the contents of same-size files by the server\'s checksum (HASH, XCRC, ...) where it offers one: equal checksums are equal files whatever their times'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l follow-symlinks -d 'Follow symbolic links'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand mkdir" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand rm" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand rmdir" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -f -a "list" -d 'List the remembered certificates'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -f -a "rm" -d 'Forget the certificate remembered for HOST:PORT (e.g. ftp.example.com:21, [::1]:990)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and not __fish_seen_subcommand_from list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the remembered certificates'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Forget the certificate remembered for HOST:PORT (e.g. ftp.example.com:21, [::1]:990)'
complete -c ferry -n "__fish_ferry_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -f -a "list" -d 'List the saved sites, folder by folder'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -f -a "add" -d 'Save a site: ferry sites add NAME ftp://user@host[:port][/dir]'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -f -a "edit" -d 'Change a saved site (rename with --name, move with --folder)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -f -a "rm" -d 'Delete a saved site and its saved password'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -f -a "import" -d 'Import the sites of FileZilla\'s sitemanager.xml (passwords go to the keychain)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and not __fish_seen_subcommand_from list add edit rm import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l folder -d 'Folder, e.g. Work/Clients ("" for the top level)' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l logon -d 'normal (password in the keychain), ask (every time), anonymous' -r -f -a "normal\t''
ask\t''
anonymous\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l mode -d 'passive (default) or active data connections' -r -f -a "passive\t''
active\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l max-connections -d 'Parallel connections to this server (1-10)' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l max-tls -d 'Highest TLS version offered to this server' -r -f -a "1.3\t''
1.2\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l ccc -d 'Clear the control connection after login (CCC) for this site' -r -f -a "true\t''
false\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l min-tls -d 'Lowest TLS version accepted from this server' -r -f -a "1.3\t''
1.2\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l site-ca-file -d 'An extra CA certificate (PEM) trusted for this site' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l site-cert -d 'A client certificate for this site, for servers that require one: a PEM chain, or a PKCS#12 file (.p12/.pfx), whose password is asked for (or read from FERRY_CERT_PASSWORD) and saved in the keychain' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l site-key -d 'The private key of --site-cert (PEM), when it is in a file of its own' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l site-proxy -d 'A proxy for this site: socks5://[user[:password]@]host[:port] or http://… ("" for none). A password in it goes to the keychain, never into the sites file' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l local-dir -d 'Local folder to start in' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l remote-dir -d 'Remote folder to start in' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l notes -d 'Notes' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l name -d 'New name' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l url -d 'New address (host, port, security, user; a password goes to the keychain)' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l folder -d 'Folder, e.g. Work/Clients ("" for the top level)' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l logon -d 'normal (password in the keychain), ask (every time), anonymous' -r -f -a "normal\t''
ask\t''
anonymous\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l mode -d 'passive (default) or active data connections' -r -f -a "passive\t''
active\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l max-connections -d 'Parallel connections to this server (1-10)' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l max-tls -d 'Highest TLS version offered to this server' -r -f -a "1.3\t''
1.2\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l ccc -d 'Clear the control connection after login (CCC) for this site' -r -f -a "true\t''
false\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l min-tls -d 'Lowest TLS version accepted from this server' -r -f -a "1.3\t''
1.2\t''"
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l site-ca-file -d 'An extra CA certificate (PEM) trusted for this site' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l site-cert -d 'A client certificate for this site, for servers that require one: a PEM chain, or a PKCS#12 file (.p12/.pfx), whose password is asked for (or read from FERRY_CERT_PASSWORD) and saved in the keychain' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l site-key -d 'The private key of --site-cert (PEM), when it is in a file of its own' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l site-proxy -d 'A proxy for this site: socks5://[user[:password]@]host[:port] or http://… ("" for none). A password in it goes to the keychain, never into the sites file' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l local-dir -d 'Local folder to start in' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l remote-dir -d 'Remote folder to start in' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l notes -d 'Notes' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the saved sites, folder by folder'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from help" -f -a "add" -d 'Save a site: ferry sites add NAME ftp://user@host[:port][/dir]'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change a saved site (rename with --name, move with --folder)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a saved site and its saved password'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import the sites of FileZilla\'s sitemanager.xml (passwords go to the keychain)'
complete -c ferry -n "__fish_ferry_using_subcommand sites; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand mv" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l json -d 'Print the findings as JSON (with `recommended_args` and `recommended_url`)'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand completions" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l ca-file -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l cert -d 'Present this client certificate to servers that require one (mutual TLS): a PEM chain, or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the keychain (ferry sites add --site-cert) or a prompt' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l key -d 'The private key of --cert (PEM); not needed when it is in the --cert file' -r -F
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l active-ports -d 'Local port range for active mode, e.g. 50000-50100' -r
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l timeout -d 'Connect and idle timeout in seconds' -r
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l proxy -d 'Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port] (HTTP CONNECT), for the control and every data connection (passive mode). Its password comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy); "none" ignores a saved site\'s proxy' -r
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l trust -d 'Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered' -r
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l plain -d 'Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -s v -l verbose -d 'Print the protocol dialogue (passwords masked) to standard error'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l active -d 'Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l no-epsv -d 'Passive mode with PASV only (for servers or firewalls that mishandle EPSV)'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l tls12 -d 'Offer TLS 1.2 at most (for servers with broken TLS 1.3)'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l ccc -d 'After login, clear the control connection (CCC) for firewalls that must read it; data connections stay encrypted'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -l tls13 -d 'Accept TLS 1.3 only (no TLS 1.2, no fallback to it)'
complete -c ferry -n "__fish_ferry_using_subcommand manpage" -s h -l help -d 'Print help'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "ls" -d 'List a remote directory'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "get" -d 'Download a file'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "put" -d 'Upload a file'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "sync" -d 'Make a local folder and a remote folder agree: upload (the server becomes like the local folder), download (the other way) or both (what is new or newer goes each way). Files are compared by size and modification time; the changes are listed, and with --dry-run nothing else happens'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "mkdir" -d 'Create a remote directory'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "rm" -d 'Delete a remote file'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "rmdir" -d 'Remove an empty remote directory'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "trust" -d 'Certificates you chose to trust ("accept always"), like SSH\'s known_hosts'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "sites" -d 'Saved sites (bookmarks); their passwords live in the OS keychain'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "mv" -d 'Rename or move a remote file or directory'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "doctor" -d 'Diagnose a server: explicit or implicit TLS, TLS versions, the certificate, PROT P, EPSV, PASV (a private address?), active mode, session reuse, how many connections it allows, round-trip time. Prints a verdict and the arguments that work'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "completions" -d 'Print the shell completion script (e.g. `ferry completions bash > ~/.local/share/bash-completion/completions/ferry`)'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "manpage" -d 'Write the manual pages (ferry.1 and one per subcommand) into a folder, or print ferry.1'
complete -c ferry -n "__fish_ferry_using_subcommand help; and not __fish_seen_subcommand_from ls get put sync mkdir rm rmdir trust sites mv doctor completions manpage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from trust" -f -a "list" -d 'List the remembered certificates'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from trust" -f -a "rm" -d 'Forget the certificate remembered for HOST:PORT (e.g. ftp.example.com:21, [::1]:990)'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from sites" -f -a "list" -d 'List the saved sites, folder by folder'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from sites" -f -a "add" -d 'Save a site: ferry sites add NAME ftp://user@host[:port][/dir]'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from sites" -f -a "edit" -d 'Change a saved site (rename with --name, move with --folder)'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from sites" -f -a "rm" -d 'Delete a saved site and its saved password'
complete -c ferry -n "__fish_ferry_using_subcommand help; and __fish_seen_subcommand_from sites" -f -a "import" -d 'Import the sites of FileZilla\'s sitemanager.xml (passwords go to the keychain)'
