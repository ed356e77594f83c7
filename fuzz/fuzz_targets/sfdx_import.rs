//! Salesforce metadata: any bytes as the content of one metadata file of
//! an SFDX project whose other files are the fixture project's. The kind
//! of file is the one whose root element the bytes name (else picked by
//! their length); a fuzzed External Credential or Auth Provider replaces
//! the one the fixture's Named Credentials refer to, so references are
//! followed into it. Never a panic; whatever comes in is a definition that
//! can be stored, and can be exported or refused.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use callout_core::credential::CredentialSet;
use callout_core::interop::sfdx;
use libfuzzer_sys::fuzz_target;

/// The fixture's files, by path below the metadata folder.
const COMPANIONS: [(&str, &str); 8] = [
    (
        "namedCredentials/Acme_ERP.namedCredential-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/namedCredentials/Acme_ERP.namedCredential-meta.xml"
        ),
    ),
    (
        "namedCredentials/Acme_Files.namedCredential-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/namedCredentials/Acme_Files.namedCredential-meta.xml"
        ),
    ),
    (
        "namedCredentials/Billing_API.namedCredential-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/namedCredentials/Billing_API.namedCredential-meta.xml"
        ),
    ),
    (
        "namedCredentials/Metrics_API.namedCredential-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/namedCredentials/Metrics_API.namedCredential-meta.xml"
        ),
    ),
    (
        "externalCredentials/Billing_Auth.externalCredential-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/externalCredentials/Billing_Auth.externalCredential-meta.xml"
        ),
    ),
    (
        "externalCredentials/Metrics_Auth.externalCredential-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/externalCredentials/Metrics_Auth.externalCredential-meta.xml"
        ),
    ),
    (
        "authproviders/Acme_Login.authprovider-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/authproviders/Acme_Login.authprovider-meta.xml"
        ),
    ),
    (
        "authproviders/Billing_Login.authprovider-meta.xml",
        include_str!(
            "../../crates/core/tests/fixtures/sfdx/acme-project/force-app/main/default/authproviders/Billing_Login.authprovider-meta.xml"
        ),
    ),
];

/// Where each kind of fuzzed file goes: a Named Credential of its own, the
/// External Credential and the Auth Provider the fixture refers to.
const TARGETS: [(&str, &str); 3] = [
    (
        "<NamedCredential",
        "namedCredentials/Fuzzed.namedCredential-meta.xml",
    ),
    (
        "<ExternalCredential",
        "externalCredentials/Billing_Auth.externalCredential-meta.xml",
    ),
    (
        "<AuthProvider",
        "authproviders/Acme_Login.authprovider-meta.xml",
    ),
];

/// This process's metadata folder (each fuzzing job is a process).
fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir()
            .join(format!("callout-fuzz-sfdx-{}", std::process::id()))
            .join("force-app/main/default");
        for kind in ["namedCredentials", "externalCredentials", "authproviders"] {
            std::fs::create_dir_all(folder.join(kind)).expect("a temp dir");
        }
        folder
    })
}

fuzz_target!(|bytes: &[u8]| {
    let folder = folder();
    for (path, text) in COMPANIONS {
        std::fs::write(folder.join(path), text).expect("a writable temp dir");
    }
    let _ = std::fs::remove_file(folder.join(TARGETS[0].1));
    let named = TARGETS.iter().find(|(root, _)| {
        bytes
            .windows(root.len())
            .any(|window| window == root.as_bytes())
    });
    let (_, target) = named.unwrap_or(&TARGETS[bytes.len() % TARGETS.len()]);
    std::fs::write(folder.join(target), bytes).expect("a writable temp dir");

    let Ok(imported) = sfdx::import(folder) else {
        return;
    };
    for credential in &imported.credentials {
        assert!(credential.validate().is_ok(), "{credential:?}");
        let _ = sfdx::export(credential);
        let _ = sfdx::export_notes(credential);
    }
    assert!(CredentialSet::new(imported.credentials).is_ok());
});
