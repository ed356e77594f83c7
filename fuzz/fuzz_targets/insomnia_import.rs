//! Insomnia exports: any text, read as JSON or YAML (v4 or v5). What comes
//! in holds no line break or control in a URL, a method or a header name,
//! every request saves, and every credential draft is valid.
#![no_main]

use callout_core::interop::{check_request, insomnia};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(incoming) = insomnia::import(text, "fuzz.yaml") else {
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
