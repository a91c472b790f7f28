#![no_main]
//! A quick-connect URL typed or pasted by the user (or passed on the command line).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Not UTF-8: the caller only ever has a `&str`, so there is nothing to test.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    ferry::fuzzing::url(text);
});
