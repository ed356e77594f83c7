//! Pasted curl commands; what imports must export again without failing.
#![no_main]

use callout_core::credential::CredentialSet;
use callout_core::interop::curl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let no_files = |_: &std::path::Path| -> std::io::Result<String> { Ok(String::new()) };
    if let Ok(imported) = curl::import(text, &no_files) {
        let _ = curl::export(&imported.draft, &CredentialSet::default());
    }
});
