//! Passwords on the command line, kept out of the process list.
//!
//! A password in a URL (`ftp://user:secret@host/`, `--proxy socks5://user:secret@proxy`) is
//! readable by every user of the computer for as long as Ferry runs: `ps` and
//! `/proc/PID/cmdline` show the arguments to all. On Unix, Ferry therefore starts itself again
//! at once, before it connects anywhere, with the passwords taken out of its arguments and
//! handed over in an environment variable, which only the same user (and root) can read
//! (`/proc/PID/environ` is mode 0400). Daemons that rewrite their argv do the same thing; a
//! safe Rust program cannot write its argv memory, but it can replace itself. The
//! warning that the password also stays in the shell's history is still printed.
//!
//! Elsewhere (Windows), the arguments are left as they are.

use std::borrow::Cow;

/// The environment variable that carries the passwords to the re-started process: one
/// `stripped-argument <TAB> password` pair per line, each hex-encoded. Its presence also says
/// that the re-start has happened (it is never done twice).
const SECRETS_VAR: &str = "FERRY_ARGV_SECRETS";

// The splitting below serves the Unix re-start, and is tested on every platform.

/// The URL schemes whose user info may hold a password.
#[cfg(any(unix, test))]
const SCHEMES: [&str; 7] = ["ftp", "ftps", "ftpes", "socks5", "socks5h", "socks", "http"];

/// Where the password sits in `arg`, a URL with user info: the byte range of `:password`
/// (colon included), so that removing it leaves `scheme://user@host/…`.
#[cfg(any(unix, test))]
fn password_span(arg: &str) -> Option<std::ops::Range<usize>> {
    let (scheme, rest) = arg.split_once("://")?;
    if !SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return None;
    }
    let start = scheme.len() + 3;
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    Some(start + colon..start + at)
}

/// One argument with its password taken out.
#[cfg(any(unix, test))]
#[derive(Debug, PartialEq)]
struct Hidden {
    /// The argument as the re-started process gets it.
    argument: String,
    /// The URL in it without the password: what the command line parser hands to
    /// [`restore`] (the value alone, for `--proxy=URL`).
    value: String,
    /// The password as written in the URL (still percent-encoded).
    password: String,
}

/// Splits one argument into what may be shown and the password it held, if any. `--proxy=URL`
/// counts as well as a bare URL.
#[cfg(any(unix, test))]
fn split_argument(arg: &str) -> Option<Hidden> {
    let (prefix, value) = match arg.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (&arg[..flag.len() + 1], value),
        _ => ("", arg),
    };
    let span = password_span(value)?;
    let password = value[span.start + 1..span.end].to_owned();
    let value = format!("{}{}", &value[..span.start], &value[span.end..]);
    Some(Hidden {
        argument: format!("{prefix}{value}"),
        value,
        password,
    })
}

#[cfg(any(unix, test))]
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Starts Ferry again without the passwords in its arguments, if any argument holds one
/// (Unix; see the module documentation). Returns only when nothing needed hiding, the re-start
/// already happened, or it failed (then Ferry goes on as it is).
pub(crate) fn hide_passwords() {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os(SECRETS_VAR).is_some() {
            return;
        }
        let mut secrets = Vec::new();
        let mut args = Vec::new();
        for arg in std::env::args_os().skip(1) {
            match arg.to_str().and_then(split_argument) {
                Some(hidden) => {
                    secrets.push(format!("{}\t{}", hex(&hidden.value), hex(&hidden.password)));
                    args.push(std::ffi::OsString::from(hidden.argument));
                }
                None => args.push(arg),
            }
        }
        if secrets.is_empty() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        // Only returns on failure: the process goes on with its arguments as they were.
        let _ = std::process::Command::new(exe)
            .args(args)
            .env(SECRETS_VAR, secrets.join("\n"))
            .exec();
    }
}

/// `arg` with the password that [`hide_passwords`] took out of it put back (the same text
/// when there was none).
pub(crate) fn restore(arg: &str) -> Cow<'_, str> {
    let Some(secrets) = std::env::var_os(SECRETS_VAR) else {
        return Cow::Borrowed(arg);
    };
    let secrets = secrets.to_string_lossy();
    let password = secrets.lines().find_map(|line| {
        let (shown, password) = line.split_once('\t')?;
        (unhex(shown)? == arg).then(|| unhex(password))?
    });
    let Some(password) = password else {
        return Cow::Borrowed(arg);
    };
    // `scheme://user@host` → `scheme://user:password@host`.
    let Some(scheme_end) = arg.find("://") else {
        return Cow::Borrowed(arg);
    };
    let rest = &arg[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return Cow::Borrowed(arg);
    };
    let at = scheme_end + 3 + at;
    Cow::Owned(format!("{}:{password}{}", &arg[..at], &arg[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_found_in_urls_and_proxy_flags_only() {
        let cases = [
            (
                "ftp://bob:s%40cret@host:21/dir/a:b@c",
                Some(("ftp://bob@host:21/dir/a:b@c", "s%40cret")),
            ),
            ("ftps://bob:pw@[::1]/", Some(("ftps://bob@[::1]/", "pw"))),
            (
                "--proxy=socks5://u:p@proxy:1080",
                Some(("--proxy=socks5://u@proxy:1080", "p")),
            ),
            ("ftp://bob@host/", None),
            ("ftp://host/with:colon@in/path", None),
            ("https://u:p@example.org/", None),
            ("local:file@x", None),
            ("--on-exists=size", None),
        ];
        for (arg, expected) in cases {
            let got = split_argument(arg);
            assert_eq!(
                got.as_ref()
                    .map(|h| (h.argument.as_str(), h.password.as_str())),
                expected,
                "{arg}"
            );
        }
        // What the parser hands back for `--proxy=URL` is the value alone.
        let proxy = split_argument("--proxy=socks5://u:p@proxy:1080").unwrap();
        assert_eq!(proxy.value, "socks5://u@proxy:1080");
    }

    #[test]
    fn hex_round_trips() {
        for text in ["", "pässwörd\twith\nodd bytes", "ftp://u@h/"] {
            assert_eq!(unhex(&hex(text)).as_deref(), Some(text));
        }
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
