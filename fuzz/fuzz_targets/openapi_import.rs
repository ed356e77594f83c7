//! OpenAPI and Swagger documents: any text, read as JSON or YAML. What comes
//! in holds no line break or control in a URL, a method or a header name,
//! and every request saves.
#![no_main]

use callout_core::interop::{check_request, openapi};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(incoming) = openapi::import(text, "fuzz.yaml") else {
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
    }
    for credential in &incoming.credentials {
        assert!(credential.validate().is_ok(), "{}", credential.name);
    }
});
