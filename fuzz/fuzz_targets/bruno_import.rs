//! Bru files: any text, read by the Bru parser, then as a request file, a
//! folder's, the collection's and an environment of a one-file collection.
//! What comes in holds no line break or control in a URL, a method or a
//! header name, every request saves, and every credential draft is valid.
#![no_main]

use callout_core::interop::bruno;
use libfuzzer_sys::fuzz_target;

#[path = "common/incoming.rs"]
mod incoming_checks;

fuzz_target!(|text: &str| {
    if bruno::parse_bru(text).is_err() {
        return;
    }
    let files = [
        ("bruno.json", "{\"name\": \"Fuzz\"}"),
        ("collection.bru", text),
        ("folder/folder.bru", text),
        ("folder/request.bru", text),
        ("environments/fuzz.bru", text),
    ]
    .map(|(path, text)| (path.to_string(), text.to_string()));
    let Ok(incoming) = bruno::import_files(&files) else {
        return;
    };
    incoming_checks::assert_sound(&incoming);
});
