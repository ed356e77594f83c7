//! Postman collections: any JSON text. What comes in holds no line break or
//! control in a URL, a method or a header name.
#![no_main]

use callout_core::interop::{check_request, postman};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(collection) = postman::import(text) else {
        return;
    };
    for request in &collection.requests {
        assert_eq!(
            check_request(&request.method, &request.url, &request.headers),
            Ok(()),
            "{request:?}"
        );
    }
});
