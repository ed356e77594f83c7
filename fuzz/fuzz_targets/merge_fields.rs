//! The merge-field parser and renderer: any text, in any part of a request,
//! formulas (functions, `&`, quoted texts, `$User`) included.
#![no_main]

use std::collections::BTreeMap;

use callout_core::Secret;
use callout_core::credential::{Credential, CredentialSecrets, CredentialSet};
use callout_core::endpoint;
use callout_core::merge::{self, Location};
use callout_core::send::Draft;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for location in [
        Location::url(),
        Location::header("X-Fuzz"),
        Location::body(),
    ] {
        if let Ok(segments) = merge::parse(text, &location) {
            // What parses must print back to the same text.
            assert_eq!(merge::to_source(&segments), text);
        }
    }
    let mut credential = Credential::new("Fuzz", "https://api.example.com");
    credential.salesforce.allow_merge_fields_in_header = true;
    credential.external_credential = Some("Ext".into());
    let Ok(credentials) = CredentialSet::new(vec![credential]) else {
        return;
    };
    let secrets = CredentialSecrets {
        access_token: Some(Secret::new("fuzz-token")),
        username: Some("fuzz-user".into()),
        password: Some(Secret::new("fuzz-password")),
        parameters: BTreeMap::from([
            ("Key".to_string(), Secret::new("a2V5")),
            ("Text".to_string(), Secret::new("not base64!")),
        ]),
        ..CredentialSecrets::default()
    };
    let draft = Draft::new("POST", "callout:Fuzz/path")
        .header("X-Fuzz", text)
        .body(text);
    let Ok(call) =
        endpoint::split(&draft.url).and_then(|target| target.resolve(&draft, &credentials))
    else {
        return;
    };
    let _ = merge::render(&call, &secrets);
});
