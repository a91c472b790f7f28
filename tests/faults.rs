//! Faults against the real servers, as a user meets them: a data connection cut twenty times
//! during one 50 MiB transfer, a disk that fills up, Ferry killed in the middle of a queue.
//!
//! `#[ignore]`d in a plain `cargo test`: they need the interop servers and root (`ss -K` to cut
//! connections, `mount` for a small tmpfs). `.ci/run` runs them with `--test-threads=1` (the
//! cutter cuts every data connection of `vsftpd_slow`).

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::interop::Env;
use support::partials;
use support::transfer::random_bytes;

fn config_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferry-faults-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn ferry_command(env: &Env, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("--ca-file")
        .arg(env.ca())
        .args(args)
        .env("FERRY_CONFIG_DIR", config_dir())
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null());
    command
}

fn ferry(env: &Env, args: &[&str]) -> Output {
    ferry_command(env, args).output().expect("run ferry")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn home(env: &Env) -> PathBuf {
    PathBuf::from(env.get("FERRY_INTEROP_HOME"))
}

/// A folder in the server's home owned by the FTP user (the tests run as root).
fn server_dir(env: &Env, name: &str) -> PathBuf {
    let home = home(env);
    let owner = std::fs::metadata(&home).unwrap();
    let dir = home.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(owner.uid()), Some(owner.gid())).unwrap();
    dir
}

fn server_file(env: &Env, path: &Path, body: &[u8]) {
    let owner = std::fs::metadata(home(env)).unwrap();
    std::fs::write(path, body).unwrap();
    std::os::unix::fs::chown(path, Some(owner.uid()), Some(owner.gid())).unwrap();
}

/// Cuts (TCP reset, `ss -K`) every established connection on the given server-side ports,
/// every `every`, until stopped or `limit` connections have been cut.
struct Cutter {
    stop: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Cutter {
    fn start(ports: (u16, u16), every: Duration, limit: usize) -> Cutter {
        let stop = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, cuts) = (stop.clone(), cuts.clone());
            std::thread::spawn(move || {
                let filter = format!("( sport >= :{} and sport <= :{} )", ports.0, ports.1);
                while !stop.load(Ordering::SeqCst) && cuts.load(Ordering::SeqCst) < limit {
                    std::thread::sleep(every);
                    let out = Command::new("ss")
                        .args(["-K", "-Htn", "state", "established", &filter])
                        .output()
                        .expect("ss (iproute2) to cut connections");
                    assert!(out.status.success(), "ss -K: {:?}", out);
                    let killed = String::from_utf8_lossy(&out.stdout).lines().count();
                    cuts.fetch_add(killed, Ordering::SeqCst);
                }
            })
        };
        Cutter {
            stop,
            cuts,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("cutter thread");
        }
        self.cuts.load(Ordering::SeqCst)
    }
}

fn slow_ports(env: &Env) -> (u16, u16) {
    (
        env.get("FERRY_INTEROP_VSFTPD_SLOW_PASV_MIN")
            .parse()
            .unwrap(),
        env.get("FERRY_INTEROP_VSFTPD_SLOW_PASV_MAX")
            .parse()
            .unwrap(),
    )
}

#[test]
#[ignore = "needs the interop servers and root: .ci/run"]
fn a_50_mib_file_cut_twenty_times_arrives_whole_both_ways() {
    let env = Env::load();
    let dir = server_dir(&env, &format!("ferry-cuts-{}", std::process::id()));
    let local = tempfile::tempdir().unwrap();
    let body = random_bytes(50 << 20, 2026);
    let source = local.path().join("big.bin");
    std::fs::write(&source, &body).unwrap();
    let remote = format!("{}/big.bin", dir.file_name().unwrap().to_string_lossy());
    let url = env.url("ftp", "VSFTPD_SLOW", &remote);

    let started = Instant::now();
    let cutter = Cutter::start(slow_ports(&env), Duration::from_millis(250), 20);
    let out = ferry(&env, &["put", source.to_str().unwrap(), &url]);
    let cuts = cutter.finish();
    assert!(out.status.success(), "{}", text(&out));
    assert!(cuts >= 20, "only {cuts} cuts during the upload");
    assert!(
        std::fs::read(dir.join("big.bin")).unwrap() == body,
        "upload differs"
    );
    eprintln!("upload: {cuts} cuts, {:?}", started.elapsed());

    let started = Instant::now();
    let target = local.path().join("back.bin");
    let cutter = Cutter::start(slow_ports(&env), Duration::from_millis(250), 20);
    let out = ferry(&env, &["get", &url, target.to_str().unwrap()]);
    let cuts = cutter.finish();
    assert!(out.status.success(), "{}", text(&out));
    assert!(cuts >= 20, "only {cuts} cuts during the download");
    assert!(std::fs::read(&target).unwrap() == body, "download differs");
    assert!(partials(local.path()).is_empty(), "no partial file left");
    eprintln!("download: {cuts} cuts, {:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small tmpfs, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "ferry-full"])
            .arg(dir.path())
            .output()
            .expect("mount");
        assert!(out.status.success(), "mount tmpfs (root needed): {out:?}");
        SmallDisk { dir }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
#[ignore = "needs the interop servers and root: .ci/run"]
fn a_full_disk_is_a_clear_error_and_nothing_carries_the_final_name() {
    let env = Env::load();
    let dir = server_dir(&env, &format!("ferry-full-{}", std::process::id()));
    server_file(&env, &dir.join("big.bin"), &random_bytes(20 << 20, 5));
    server_file(&env, &dir.join("small.txt"), b"fits");
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let disk = SmallDisk::mount("8m");

    let target = disk.dir.path().join("big.bin");
    let out = ferry(
        &env,
        &[
            "get",
            &env.url("ftp", "VSFTPD_EXPLICIT", &format!("{name}/big.bin")),
            target.to_str().unwrap(),
        ],
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(8), "{shown}");
    assert!(shown.contains("disk is full"), "{shown}");
    assert!(shown.contains("No space left on device"), "{shown}");
    assert!(!target.exists(), "nothing under the final name");
    assert!(
        partials(disk.dir.path()).is_empty(),
        "the space is given back"
    );

    // A folder: what fits arrives, what does not is reported, exit 9. One connection: with two,
    // the small file may be written in the moment the big one's partial fills the disk, and
    // then it fails as truthfully (the disk was full) but the test could not say what arrives.
    let dest = disk.dir.path().join("copy");
    let out = ferry(
        &env,
        &[
            "get",
            "-r",
            "--parallel",
            "1",
            &env.url("ftp", "VSFTPD_EXPLICIT", &name),
            dest.to_str().unwrap(),
        ],
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(9), "{shown}");
    assert!(
        shown.contains("failed: ") && shown.contains("disk is full"),
        "{shown}"
    );
    assert_eq!(std::fs::read(dest.join("small.txt")).unwrap(), b"fits");
    assert!(!dest.join("big.bin").exists());
    drop(disk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs the interop servers and root: .ci/run"]
fn killed_mid_queue_then_run_again_finishes_the_rest() {
    let env = Env::load();
    let dir = server_dir(&env, &format!("ferry-kill-{}", std::process::id()));
    let mut expected = Vec::new();
    for i in 0..40 {
        let body = random_bytes(1 << 20, 300 + i);
        server_file(&env, &dir.join(format!("f{i:02}.bin")), &body);
        expected.push((format!("f{i:02}.bin"), body));
    }
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let url = env.url("ftp", "VSFTPD_SLOW", &name);
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("copy");
    // 40 MiB at 8 MB/s per connection, two connections: about 2.5 s. Kill it after one.
    let mut child = ferry_command(&env, &["get", "-r", &url, dest.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    child.kill().unwrap(); // SIGKILL: no cleanup of any kind
    let _ = child.wait();
    let done_before: Vec<_> = expected
        .iter()
        .filter(|(n, _)| dest.join(n).exists())
        .collect();
    assert!(
        !done_before.is_empty() && done_before.len() < expected.len(),
        "killed in the middle: {} of {} done",
        done_before.len(),
        expected.len()
    );
    for (n, body) in &done_before {
        assert!(
            std::fs::read(dest.join(n)).unwrap() == *body,
            "{n} is whole"
        );
    }
    assert!(
        !partials(&dest).is_empty(),
        "a partial file was left by the kill"
    );

    let out = ferry(&env, &["get", "-r", &url, dest.to_str().unwrap()]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains(&format!("{} skipped", done_before.len())),
        "only the rest is transferred: {shown}"
    );
    for (n, body) in &expected {
        assert!(std::fs::read(dest.join(n)).unwrap() == *body, "{n} differs");
    }
    assert!(partials(&dest).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
