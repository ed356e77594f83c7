//! Insomnia exports: any text, read as JSON or YAML (v4 or v5). What comes
//! in holds no line break or control in a URL, a method or a header name,
//! every request saves, and every credential draft is valid.
#![no_main]

use callout_core::interop::insomnia;
use libfuzzer_sys::fuzz_target;

#[path = "common/incoming.rs"]
mod incoming_checks;

fuzz_target!(|text: &str| {
    let Ok(incoming) = insomnia::import(text, "fuzz.yaml") else {
        return;
    };
    incoming_checks::assert_sound(&incoming);
});
