#![no_main]
//! A server's LIST body with format auto-detection, as a session parses it.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::list(data);
});
