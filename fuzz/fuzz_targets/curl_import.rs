//! Pasted curl commands; what imports must export again without failing, and
//! neither what comes in nor what goes out holds a line break or control
//! where it would change the request or the snippet.
#![no_main]

use callout_core::credential::CredentialSet;
use callout_core::interop::{apex, check_request, curl, is_unsafe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let no_files = |_: &std::path::Path| -> std::io::Result<String> { Ok(String::new()) };
    let Ok(imported) = curl::import(text, &no_files) else {
        return;
    };
    let draft = &imported.draft;
    assert_eq!(
        check_request(&draft.method, &draft.url, &draft.headers),
        Ok(())
    );
    if let Ok(command) = curl::export(draft, &CredentialSet::default()) {
        // Only a body's own line feeds and tabs stay as they are.
        assert!(
            !command
                .chars()
                .any(|c| is_unsafe(c) && c != '\n' && c != '\t'),
            "{command:?}"
        );
    }
    if let Ok(snippet) = apex::export(draft, &CredentialSet::default()) {
        assert!(
            !snippet.chars().any(|c| is_unsafe(c) && c != '\n'),
            "{snippet:?}"
        );
    }
});
