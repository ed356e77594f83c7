//! Token endpoint answers: any body, as a success and as an error, with and
//! without a JSON content type.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use callout_core::oauth::parse_token_response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    for status in [200, 400, 401, 500] {
        for content_type in [
            Some("application/json;charset=UTF-8"),
            Some("text/html"),
            None,
        ] {
            if let Ok(tokens) = parse_token_response(status, content_type, body, now) {
                assert!(!tokens.access_token.expose().is_empty());
            }
        }
    }
});
