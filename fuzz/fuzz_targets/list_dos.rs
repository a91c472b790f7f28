#![no_main]
//! A server's LIST body, each line through the MS-DOS / IIS parser alone.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::list_dos(data);
});
