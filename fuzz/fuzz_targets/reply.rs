#![no_main]
//! Control-connection bytes from an FTP server: replies read one after another by the bounded reply reader.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferry::fuzzing::replies(data);
});
