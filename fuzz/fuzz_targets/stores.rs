#![no_main]
//! Ferry's own TOML stores on disk (sites, pins, saved transfer queue), possibly hand-edited or corrupt.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Not UTF-8: the caller only ever has a `&str`, so there is nothing to test.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    ferry::fuzzing::stores(text);
});
