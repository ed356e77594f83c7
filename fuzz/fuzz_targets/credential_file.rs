//! The credentials file parser, and validation of whatever it accepts.
#![no_main]

use std::path::Path;

use callout_core::credential_store::parse_definitions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(credentials) = parse_definitions(Path::new("credentials.toml"), text) {
        for credential in credentials {
            let _ = credential.validate();
        }
    }
});
