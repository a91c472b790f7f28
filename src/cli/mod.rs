//! The `ferry` command line: the same engine as the window, without one.
//!
//! Exit codes tell scripts what kind of failure happened (see [`ExitCode`]).

mod argv;
mod batch;
mod commands;
mod connect;
mod docs;
mod prompt;
mod sites;
mod sync;
mod target;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::ftp::text::{escape, escape_keeping_newlines};
use crate::ftp::{ErrorClass, FtpError};

/// Process exit codes. Stable: scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ExitCode {
    /// Everything worked.
    Ok = 0,
    /// Something not covered below.
    Other = 1,
    /// Bad arguments or URL (clap uses 2 as well).
    Usage = 2,
    /// The server could not be reached, or the connection broke or timed out.
    Connection = 3,
    /// TLS failed for a reason other than trust (no common version, refused AUTH TLS, ...).
    Tls = 4,
    /// The server's certificate is not trusted. Distinct so scripts can tell "decide about this
    /// certificate" from any other failure.
    UntrustedCertificate = 5,
    /// The login was refused.
    Auth = 6,
    /// The server refused a command (no such file, permission denied, ...).
    Server = 7,
    /// A local file could not be read or written.
    Local = 8,
    /// A folder transfer finished, but some files failed (the summary lists them).
    SomeFailed = 9,
    /// The data did not verify: the server sent more than it announced, or a checksum or size
    /// did not match after the retries. Nothing was kept under the file's name.
    Integrity = 10,
    /// Ctrl-C ended it (on Unix the shell reports the same 130 for SIGINT). A partly
    /// transferred file is kept, and the same command continues it.
    Interrupted = 130,
}

impl ExitCode {
    /// The exit code for an engine error.
    pub fn for_error(err: &FtpError) -> ExitCode {
        match err {
            FtpError::Reply { reply, .. } if !reply.is_connection_limit() => ExitCode::Server,
            _ => ExitCode::for_class(err.class()),
        }
    }

    /// The exit code for a kind of failure (a transfer item's).
    pub fn for_class(class: ErrorClass) -> ExitCode {
        match class {
            ErrorClass::Transient => ExitCode::Connection,
            ErrorClass::Trust => ExitCode::UntrustedCertificate,
            ErrorClass::TlsPolicy => ExitCode::Tls,
            ErrorClass::Auth => ExitCode::Auth,
            ErrorClass::Refused => ExitCode::Server,
            ErrorClass::Local => ExitCode::Local,
            ErrorClass::Integrity => ExitCode::Integrity,
            ErrorClass::Invalid => ExitCode::Usage,
            ErrorClass::Cancelled => ExitCode::Other,
        }
    }
}

/// Ferry: an FTPS client that connects where others fail.
///
/// Without arguments `ferry` opens its window; with a subcommand it is this command line.
///
/// URLs: ftp://[user[:password]@]host[:port]/path means explicit TLS (AUTH TLS), required;
/// ftpes:// is the same; ftps:// means implicit TLS (port 990). Paths are relative to the login
/// directory; write ftp://host//abs for an absolute path. site:Folder/Name/path names a saved
/// site (ferry sites).
///
/// Exit codes: 0 ok, 2 usage, 3 connection, 4 TLS, 5 untrusted certificate, 6 login refused,
/// 7 server refused a command, 8 local file error, 9 some files of a folder failed, 10 the data
/// did not verify, 130 interrupted (Ctrl-C).
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalOptions {
    /// Allow plain, unencrypted FTP for ftp:// URLs. The password and files travel in clear.
    #[arg(long, global = true)]
    pub plain: bool,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "PEM", global = true)]
    pub ca_file: Option<PathBuf>,
    /// Present this client certificate to servers that require one (mutual TLS): a PEM chain,
    /// or a PKCS#12 file (.p12/.pfx) whose password comes from FERRY_CERT_PASSWORD, the
    /// keychain (ferry sites add --site-cert) or a prompt.
    #[arg(long, value_name = "FILE", global = true)]
    pub cert: Option<PathBuf>,
    /// The private key of --cert (PEM); not needed when it is in the --cert file.
    #[arg(long, value_name = "PEM", global = true)]
    pub key: Option<PathBuf>,
    /// Print the protocol dialogue (passwords masked) to standard error.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Active mode: the server connects back to Ferry (EPRT/PORT) instead of passive mode.
    #[arg(long, global = true)]
    pub active: bool,
    /// Local port range for active mode, e.g. 50000-50100.
    #[arg(long, value_name = "FROM-TO", global = true)]
    pub active_ports: Option<String>,
    /// Passive mode with PASV only (for servers or firewalls that mishandle EPSV).
    #[arg(long, global = true)]
    pub no_epsv: bool,
    /// Read the password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Connect and idle timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, global = true)]
    pub timeout: u64,
    /// Offer TLS 1.2 at most (for servers with broken TLS 1.3).
    #[arg(long, global = true, conflicts_with = "tls13")]
    pub tls12: bool,
    /// After login, clear the control connection (CCC) for firewalls that must read it; data
    /// connections stay encrypted.
    #[arg(long, global = true)]
    pub ccc: bool,
    /// Connect through a proxy: socks5://[user@]host[:port] or http://[user@]host[:port]
    /// (HTTP CONNECT), for the control and every data connection (passive mode). Its password
    /// comes from FERRY_PROXY_PASSWORD or the keychain (ferry sites add --site-proxy);
    /// "none" ignores a saved site's proxy.
    #[arg(long, value_name = "URL", global = true)]
    pub proxy: Option<String>,
    /// Accept TLS 1.3 only (no TLS 1.2, no fallback to it).
    #[arg(long, global = true)]
    pub tls13: bool,
    /// Trust the certificate (or public key) with this SHA-256 fingerprint, as printed by an
    /// earlier attempt: SHA256:AB:CD:... Repeatable. For scripts; nothing is remembered.
    #[arg(long, value_name = "SHA256:…", global = true)]
    pub trust: Vec<String>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List a remote directory.
    Ls {
        /// ftp://, ftpes:// or ftps:// URL of the directory.
        url: String,
        /// Long format: type, permissions, size, modification time, name.
        #[arg(short, long)]
        long: bool,
    },
    /// Download a file.
    Get {
        /// URL of the remote file (or folder, with -r).
        url: String,
        /// Local file or directory (default: the current directory).
        local: Option<PathBuf>,
        /// Continue a file that exists under the target name (written by another program). An
        /// interrupted Ferry download continues from its partial file without this.
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        #[command(flatten)]
        batch: BatchOptions,
    },
    /// Upload a file.
    Put {
        /// The local file.
        local: PathBuf,
        /// URL of the remote file, or of a directory (ending in /).
        url: String,
        /// Continue a partial upload from the remote file's current size.
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        #[command(flatten)]
        batch: BatchOptions,
    },
    /// Make a local folder and a remote folder agree: upload (the server becomes like the
    /// local folder), download (the other way) or both (what is new or newer goes each way).
    /// Files are compared by size and modification time; the changes are listed, and with
    /// --dry-run nothing else happens.
    Sync {
        /// The local folder.
        local: PathBuf,
        /// URL of the remote folder (created when uploading).
        url: String,
        /// upload, download or both.
        #[arg(long, value_enum, default_value = "upload")]
        direction: SyncDirectionArg,
        /// Delete what exists only on the side being changed (not with --direction both).
        #[arg(long)]
        delete: bool,
        /// List the changes and make none.
        #[arg(short = 'n', long)]
        dry_run: bool,
        /// Compare sizes only (for servers whose times cannot be trusted).
        #[arg(long)]
        size_only: bool,
        /// Compare the contents of same-size files by the server's checksum (HASH, XCRC, ...)
        /// where it offers one: equal checksums are equal files whatever their times.
        #[arg(long)]
        checksum: bool,
        /// Seconds to add to the server's LIST times to get UTC (a server that lists in its
        /// own time zone and has no MLSD); e.g. -3600. Default: the site's offset (set or
        /// detected in the window's compare mode), else 0.
        #[arg(long, allow_hyphen_values = true, value_name = "SECONDS")]
        time_offset: Option<i64>,
        /// Parallel connections for the transfers (at most the site's own limit).
        #[arg(long, default_value_t = 2, value_name = "N")]
        parallel: usize,
        /// Attempts after the first, per file, when a connection drops.
        #[arg(long, default_value_t = 3, value_name = "N")]
        retries: u32,
        /// Follow symbolic links.
        #[arg(long)]
        follow_symlinks: bool,
    },
    /// Create a remote directory.
    Mkdir {
        /// URL of the directory to create.
        url: String,
    },
    /// Delete a remote file.
    Rm {
        /// URL of the file.
        url: String,
    },
    /// Remove an empty remote directory.
    Rmdir {
        /// URL of the directory.
        url: String,
    },
    /// Certificates you chose to trust ("accept always"), like SSH's known_hosts.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Saved sites (bookmarks); their passwords live in the OS keychain.
    #[command(subcommand)]
    Sites(Box<sites::SitesCommand>),
    /// Rename or move a remote file or directory.
    Mv {
        /// URL of what to rename.
        url: String,
        /// The new path (relative to the login directory, or absolute).
        new_path: String,
    },
    /// Diagnose a server: explicit or implicit TLS, TLS versions, the certificate, PROT P,
    /// EPSV, PASV (a private address?), active mode, session reuse, how many connections it
    /// allows, round-trip time. Prints a verdict and the arguments that work.
    Doctor {
        /// URL of the server (a site: works too).
        url: String,
        /// Print the findings as JSON (with `recommended_args` and `recommended_url`).
        #[arg(long)]
        json: bool,
    },
    /// Print the shell completion script (e.g. `ferry completions bash >
    /// ~/.local/share/bash-completion/completions/ferry`).
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Write the manual pages (ferry.1 and one per subcommand) into a folder, or print ferry.1.
    Manpage {
        /// The folder to write them to; without it, ferry.1 goes to standard output.
        dir: Option<PathBuf>,
    },
}

/// Options of folder transfers (`get -r`, `put -r`).
#[derive(Debug, Clone, clap::Args)]
pub struct BatchOptions {
    /// Transfer a whole folder, recursively.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Parallel connections for a folder transfer (at most the site's own limit).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub parallel: usize,
    /// When a target exists: overwrite, newer, size (overwrite if the size differs: re-running
    /// an interrupted transfer finishes it), resume, rename, skip. Default: size for folders
    /// (-r), overwrite for one file.
    #[arg(long, value_enum)]
    pub on_exists: Option<OnExists>,
    /// Attempts after the first, per file, when a connection drops.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
    /// Follow symbolic links (by default they are listed as skipped, so a link cannot pull a
    /// transfer into a loop or out of the chosen folder).
    #[arg(long)]
    pub follow_symlinks: bool,
}

/// `ferry sync --direction` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncDirectionArg {
    /// Make the server like the local folder.
    Upload,
    /// Make the local folder like the server.
    Download,
    /// Copy what is new or newer each way; nothing is deleted.
    Both,
}

/// `--on-exists` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnExists {
    /// Replace it.
    Overwrite,
    /// Replace it if the source is newer.
    Newer,
    /// Replace it if the sizes differ.
    Size,
    /// Continue it from its current size.
    Resume,
    /// Keep both (name (1).ext).
    Rename,
    /// Leave it.
    Skip,
}

/// `ferry trust ...`
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// List the remembered certificates.
    List,
    /// Forget the certificate remembered for HOST:PORT (e.g. ftp.example.com:21, [::1]:990).
    Rm {
        /// HOST:PORT as shown by `ferry trust list`.
        target: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    #[cfg(windows)]
    exit_130_on_ctrl_c();
    argv::hide_passwords();
    crate::paths::make_own_folders_private();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Usage as i32
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
    };
    let Some(command) = cli.command else {
        // Options without a command (`ferry -v`): `ferry` alone opens the window (main.rs).
        use clap::CommandFactory;
        let _ = Cli::command().print_help();
        return ExitCode::Ok as i32;
    };
    match commands::run(&cli.global, command) {
        Ok(()) => ExitCode::Ok as i32,
        Err(failure) => {
            // Messages quote the server; whatever slipped through, nothing drives the terminal.
            eprintln!("ferry: {}", escape_keeping_newlines(&failure.message));
            failure.code as i32
        }
    }
}

/// A failed command: what to print and which exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub message: String,
    pub code: ExitCode,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: ExitCode::Usage,
        }
    }

    pub(crate) fn local(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: ExitCode::Local,
        }
    }
}

impl From<FtpError> for Failure {
    fn from(err: FtpError) -> Self {
        if let Some(problem) = crate::tls::TrustProblem::from_error(&err) {
            return Failure {
                message: problem.to_string(),
                code: ExitCode::UntrustedCertificate,
            };
        }
        let mut message = err.to_string();
        if let FtpError::Tls(failure) = &err
            && let Some(cert) = failure.certificates.first()
        {
            message.push_str(&format!(
                "\n  The server's certificate SHA-256 fingerprint: SHA256:{}",
                crate::tls::sha256_fingerprint(cert)
            ));
        }
        Failure {
            code: ExitCode::for_error(&err),
            message,
        }
    }
}

/// Ctrl-C in a Windows console. Without a handler Windows ends the process with
/// STATUS_CONTROL_C_EXIT (0xC000013A; Wine even with 0, which a script reads as success). Say
/// what is kept and exit 130, as a Unix shell reports a program ended by SIGINT. Nothing needs
/// tidying first: a download's partial file holds what was written, and the same command
/// continues it after checking it is still the same version.
#[cfg(windows)]
fn exit_130_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        eprintln!(
            "\nferry: interrupted; a partly transferred file is kept, and the same command \
             continues it"
        );
        std::process::exit(ExitCode::Interrupted as i32);
    });
}

/// Escapes control characters: text from servers, certificates and site files must not drive
/// the terminal (see [`crate::ftp::text`]).
pub(crate) fn printable(text: &str) -> String {
    escape(text).into_owned()
}
