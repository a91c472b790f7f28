//! The real interop servers started by `.ci/interop/start.sh`: where they are and how to reach
//! them, from the `servers.env` that `FERRY_INTEROP_ENV` names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ferry::ftp::{ConnectOptions, Credentials, MemoryLog, Security, Session};
use ferry::tls::{self, TlsOptions};

/// The servers' addresses, user, password and CA.
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn load() -> Env {
        let path = std::env::var("FERRY_INTEROP_ENV")
            .expect("FERRY_INTEROP_ENV must name servers.env written by .ci/interop/start.sh");
        let text = std::fs::read_to_string(&path).expect("read servers.env");
        let vars = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
            .collect();
        Env { vars }
    }

    pub fn get(&self, key: &str) -> String {
        self.vars
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} missing from servers.env"))
    }

    pub fn port(&self, server: &str) -> u16 {
        self.get(&format!("FERRY_INTEROP_{server}_PORT"))
            .parse()
            .expect("port")
    }

    pub fn ca(&self) -> PathBuf {
        PathBuf::from(self.get("FERRY_INTEROP_CA"))
    }

    pub fn host(&self) -> String {
        self.get("FERRY_INTEROP_HOST")
    }

    pub fn creds(&self) -> Credentials {
        Credentials::new(
            self.get("FERRY_INTEROP_USER"),
            self.get("FERRY_INTEROP_PASS"),
        )
    }

    pub fn options(&self, server: &str, security: Security) -> (ConnectOptions, Arc<MemoryLog>) {
        let tls = match security {
            Security::Plain => None,
            _ => Some(
                tls::client_configs(&TlsOptions {
                    extra_ca_file: Some(self.ca()),
                    ..TlsOptions::default()
                })
                .expect("tls config"),
            ),
        };
        let mut options = ConnectOptions::new(
            self.host(),
            self.port(server),
            security,
            tls.as_ref().map(|t| t.preferred.clone()),
        );
        options.tls12_fallback = tls.and_then(|t| t.tls12_fallback);
        let log = Arc::new(MemoryLog::default());
        options.log = log.clone();
        (options, log)
    }

    pub fn session(&self, server: &str, security: Security) -> (Session, Arc<MemoryLog>) {
        let (options, log) = self.options(server, security);
        let mut session =
            Session::connect(options).unwrap_or_else(|e| panic!("{server}: connect failed: {e}"));
        session
            .login(&self.creds())
            .unwrap_or_else(|e| panic!("{server}: login failed: {e}"));
        (session, log)
    }

    pub fn url(&self, scheme: &str, server: &str, path: &str) -> String {
        format!(
            "{scheme}://{}:{}@{}:{}/{path}",
            self.get("FERRY_INTEROP_USER"),
            self.get("FERRY_INTEROP_PASS"),
            self.host(),
            self.port(server)
        )
    }
}

/// A folder in the server's home for one test (its name gets the process id), owned by the FTP
/// user, as the tests run as root. Dropped, it gives every folder made unreadable in it its
/// permissions back and is removed, so a failed run leaves nothing the next one trips over.
pub struct ServerDir {
    path: PathBuf,
    rel: String,
    owner: (u32, u32),
    unreadable: std::cell::RefCell<Vec<PathBuf>>,
}

impl ServerDir {
    pub fn new(env: &Env, name: &str) -> ServerDir {
        use std::os::unix::fs::MetadataExt;
        let home = PathBuf::from(env.get("FERRY_INTEROP_HOME"));
        let meta = std::fs::metadata(&home).expect("the server's home");
        let rel = format!("{name}-{}", std::process::id());
        let path = home.join(&rel);
        let _ = std::fs::remove_dir_all(&path);
        let dir = ServerDir {
            path,
            rel,
            owner: (meta.uid(), meta.gid()),
            unreadable: Default::default(),
        };
        dir.dir("");
        dir
    }

    /// The folder's path relative to the login folder, as URLs take it.
    pub fn rel(&self) -> &str {
        &self.rel
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn own(&self, path: &Path) {
        std::os::unix::fs::lchown(path, Some(self.owner.0), Some(self.owner.1))
            .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    }

    /// Makes the folder `rel` (and its parents), owned by the FTP user.
    pub fn dir(&self, rel: &str) -> PathBuf {
        let mut dir = self.path.clone();
        std::fs::create_dir_all(&self.path).expect("the test's server folder");
        self.own(&dir);
        for part in Path::new(rel).components() {
            dir.push(part);
            let _ = std::fs::create_dir(&dir);
            self.own(&dir);
        }
        dir
    }

    /// Writes the file `rel` (folders made as needed), with the given modification time.
    pub fn file(&self, rel: &str, body: &[u8], mtime: Option<u64>) -> PathBuf {
        if let Some(parent) = Path::new(rel).parent() {
            self.dir(&parent.to_string_lossy());
        }
        let path = self.path.join(rel);
        std::fs::write(&path, body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.own(&path);
        if let Some(secs) = mtime {
            super::set_mtime(&path, secs);
        }
        path
    }

    /// A symbolic link `rel` to `target` (taken as it is: relative to the link, or absolute).
    pub fn symlink(&self, rel: &str, target: &Path) -> PathBuf {
        let path = self.path.join(rel);
        std::os::unix::fs::symlink(target, &path)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", path.display()));
        self.own(&path);
        path
    }

    /// Gives `rel` mode 000: the servers, which run as the FTP user, can neither list nor enter it.
    pub fn make_unreadable(&self, rel: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path.join(rel);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        self.unreadable.borrow_mut().push(path);
    }

    /// Hands the file `path` (made by the test itself, in this folder) to the FTP user.
    pub fn adopt(&self, path: &Path) {
        assert!(
            path.starts_with(&self.path),
            "{} is not in the test folder",
            path.display()
        );
        self.own(path);
    }
}

impl Drop for ServerDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for path in self.unreadable.borrow().iter() {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Writes `len` pseudo-random bytes from `seed` to `path`, fast enough for a GiB (about 2 s):
/// AES-128-CTR of zeros by `openssl enc` (the interop servers' certificates need it anyway),
/// keyed by the seed. Incompressible, not periodic, reproducible.
pub fn random_file(path: &Path, len: u64, seed: u64) {
    use std::io::Read as _;
    let key = format!("{seed:016x}{:016x}", seed.rotate_left(32) ^ 0x5eed);
    let mut child = std::process::Command::new("openssl")
        .args([
            "enc",
            "-aes-128-ctr",
            "-nosalt",
            "-in",
            "/dev/zero",
            "-K",
            &key,
        ])
        .args(["-iv", "00000000000000000000000000000000"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl, to make random test data");
    let mut out = std::fs::File::create(path).unwrap();
    let copied = std::io::copy(
        &mut child.stdout.take().unwrap().take(len),
        &mut std::io::BufWriter::with_capacity(1 << 20, &mut out),
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(copied, len, "openssl gave {copied} of {len} bytes");
}

/// The sha256 of a file, read in blocks (a GiB is fine), as hex.
pub fn sha256_file(path: &Path) -> String {
    sha256_file_prefix(path, u64::MAX)
}

/// The sha256 of the first `len` bytes of a file (all of it if shorter), as hex.
pub fn sha256_file_prefix(path: &Path, len: u64) -> String {
    use sha2::Digest as _;
    use std::io::Read as _;
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut file = file.take(len);
    let mut hasher = sha2::Sha256::new();
    let mut block = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut block).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The sha256 of some bytes, as hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One run of the `ferry` binary: exit code, output, how long it took.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: std::time::Duration,
}

impl Ran {
    /// Exit code and output for a failure message: the `-v` protocol log left out (counted),
    /// long lines cut, at most the last 40 lines (a walk into a link loop prints paths
    /// hundreds of characters long).
    pub fn shown(&self) -> String {
        let is_log = |l: &str| ["> ", "< ", "* "].iter().any(|p| l.starts_with(p));
        let all: Vec<&str> = self.stdout.lines().chain(self.stderr.lines()).collect();
        let logged = all.iter().filter(|l| is_log(l)).count();
        let lines: Vec<String> = all
            .iter()
            .filter(|l| !is_log(l))
            .map(|l| {
                if l.len() > 300 {
                    format!("{}…", &l[..l.floor_char_boundary(300)])
                } else {
                    (*l).to_owned()
                }
            })
            .collect();
        let from = lines.len().saturating_sub(40);
        format!(
            "exit {:?} after {:.1} s{}{}:\n{}",
            self.code,
            self.took.as_secs_f64(),
            if logged > 0 {
                format!(", {logged} protocol log lines left out")
            } else {
                String::new()
            },
            if from > 0 { ", the last 40 lines" } else { "" },
            lines[from..].join("\n")
        )
    }

    /// Both streams.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `ferry --ca-file CA ARGS…` with a private configuration folder and no keychain.
pub fn run_ferry(env: &Env, args: &[&str]) -> Ran {
    let config = std::env::temp_dir().join(format!("ferry-interop-run-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&config);
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--ca-file")
        .arg(env.ca())
        .args(args)
        .env("FERRY_CONFIG_DIR", config)
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ferry");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// What the rows of a table-driven test found wrong, collected so that one run reports every
/// row and every check instead of stopping at the first; each failing row is shown once with
/// the output of the runs it made.
#[derive(Default)]
pub struct Checks {
    /// Rows in the order they first failed, with what failed.
    failures: Vec<(String, Vec<String>)>,
    /// What each row's runs printed.
    output: HashMap<String, Vec<String>>,
}

impl Checks {
    /// Keeps what `ran` printed, to show with the row's failures.
    pub fn ran(&mut self, row: &str, ran: &Ran) {
        self.output
            .entry(row.to_owned())
            .or_default()
            .push(ran.shown());
    }

    /// Notes `why` (for the row `row`) unless `ok`.
    pub fn that(&mut self, row: &str, ok: bool, why: impl FnOnce() -> String) {
        if ok {
            return;
        }
        match self.failures.iter_mut().find(|(r, _)| r == row) {
            Some((_, whys)) => whys.push(why()),
            None => self.failures.push((row.to_owned(), vec![why()])),
        }
    }

    /// Notes the error, if any.
    pub fn ok(&mut self, row: &str, result: Result<(), String>) {
        if let Err(why) = result {
            self.that(row, false, || why);
        }
    }

    /// The run ended with one of the `allowed` exit codes (and its output is kept).
    pub fn exit(&mut self, row: &str, ran: &Ran, allowed: &[i32]) {
        self.ran(row, ran);
        self.that(row, ran.code.is_some_and(|c| allowed.contains(&c)), || {
            format!("exit {:?}, expected {allowed:?}", ran.code)
        });
    }

    /// The file at `path` exists and has the sha256 `want`.
    pub fn same_content(&mut self, row: &str, path: &Path, want: &str) {
        if !path.is_file() {
            self.that(row, false, || format!("{} is missing", path.display()));
            return;
        }
        let got = sha256_file(path);
        self.that(row, got == want, || {
            format!(
                "{} has sha256 {got}, the server's file {want} ({} bytes here)",
                path.display(),
                std::fs::metadata(path).map_or(0, |m| m.len())
            )
        });
    }

    /// Panics with everything found, if anything.
    pub fn done(self) {
        if self.failures.is_empty() {
            return;
        }
        let mut report = String::new();
        for (row, whys) in &self.failures {
            report.push_str(&format!("[{row}]\n"));
            for why in whys {
                report.push_str(&format!("  - {why}\n"));
            }
            for shown in self.output.get(row).into_iter().flatten() {
                report.push_str(&format!("  ferry printed, {shown}\n"));
            }
            report.push('\n');
        }
        panic!("{} of the rows failed:\n\n{report}", self.failures.len());
    }
}
