//! HAR recordings: any text. What comes in holds no line break or control
//! in a URL, a method or a header name, every request saves, and no
//! Authorization or Cookie header is kept.
#![no_main]

use callout_core::interop::har;
use libfuzzer_sys::fuzz_target;

#[path = "common/incoming.rs"]
mod incoming_checks;

fuzz_target!(|text: &str| {
    let Ok(incoming) = har::import(text, "fuzz.har") else {
        return;
    };
    incoming_checks::assert_sound(&incoming);
    for imported in &incoming.requests {
        let request = &imported.request;
        for header in &request.headers {
            let name = header.name.to_ascii_lowercase();
            assert!(name != "authorization" && name != "cookie", "{request:?}");
        }
    }
});
