#![no_main]
//! Ferry's own TOML files on disk (sites, pins, saved transfer queue, and settings with the
//! `gui` feature), possibly hand-edited, corrupt or garbage, read as Ferry reads a file: bytes
//! through the capped reader, then UTF-8, the token count and the parser.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::stores(data);
});
