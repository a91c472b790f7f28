//! Transfer helpers shared by the engine and interop tests: deterministic data, and one-call
//! uploads and downloads through a real `Session`.

use std::io::Cursor;
use std::sync::atomic::AtomicBool;

use ferry::ftp::{FtpError, Session, TransferControl, UploadMode};

/// `len` pseudo-random bytes from `seed` (xorshift): incompressible, reproducible.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// Uploads `data` to `remote`; returns the bytes sent.
pub fn upload(
    session: &mut Session,
    remote: &str,
    data: &[u8],
    mode: UploadMode,
) -> Result<u64, FtpError> {
    let cancel = AtomicBool::new(false);
    let mut progress = |_| {};
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    session.upload(remote, mode, &mut Cursor::new(data), &mut ctl)
}

/// Downloads `remote` from byte `offset` into memory.
pub fn download(session: &mut Session, remote: &str, offset: u64) -> Result<Vec<u8>, FtpError> {
    let cancel = AtomicBool::new(false);
    let mut progress = |_| {};
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let mut out = Vec::new();
    session.download(remote, offset, &mut out, &mut ctl)?;
    Ok(out)
}
