//! OpenAPI and Swagger documents: any text, read as JSON or YAML. What comes
//! in holds no line break or control in a URL, a method or a header name,
//! and every request saves.
#![no_main]

use callout_core::interop::openapi;
use libfuzzer_sys::fuzz_target;

#[path = "common/incoming.rs"]
mod incoming_checks;

fuzz_target!(|text: &str| {
    let Ok(incoming) = openapi::import(text, "fuzz.yaml") else {
        return;
    };
    incoming_checks::assert_sound(&incoming);
});
