#![no_main]
//! A server's LIST body, each line through the Unix `ls -l` parser alone.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::list_unix(data);
});
