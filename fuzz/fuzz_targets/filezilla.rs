#![no_main]
//! A FileZilla `sitemanager.xml` chosen by the user for import.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Not UTF-8: the caller only ever has a `&str`, so there is nothing to test.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    ferry::fuzzing::filezilla(text);
});
