#![no_main]
//! A data-connection MLSD body sent by the server (RFC 3659 facts lines).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::mlsd(data);
});
