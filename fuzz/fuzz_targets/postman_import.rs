//! Postman collections: any JSON text.
#![no_main]

use callout_core::interop::postman;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = postman::import(text);
});
