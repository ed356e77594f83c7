//! HAR recordings: any text. What comes in holds no line break or control
//! in a URL, a method or a header name, every request saves, and no
//! Authorization or Cookie header is kept.
#![no_main]

use callout_core::interop::{check_request, har};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(incoming) = har::import(text, "fuzz.har") else {
        return;
    };
    for imported in &incoming.requests {
        let request = &imported.request;
        assert_eq!(
            check_request(&request.method, &request.url, &request.headers),
            Ok(()),
            "{request:?}"
        );
        assert!(request.validate().is_ok(), "{request:?}");
        for header in &request.headers {
            let name = header.name.to_ascii_lowercase();
            assert!(name != "authorization" && name != "cookie", "{request:?}");
        }
    }
});
