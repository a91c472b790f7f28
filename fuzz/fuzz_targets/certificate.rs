#![no_main]
//! A server's TLS certificate chain (DER) as summarised for the trust prompt; first byte picks the chain length.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::certificate(data);
});
