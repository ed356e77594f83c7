//! Round trips through the real OS keychain (Secret Service under
//! `dbus-run-session` + gnome-keyring in `make test`). No mock store.

use callout_core::about::check_keychain;
use callout_core::vault::Vault;
use callout_core::{Error, Secret};

/// A vault under a service name of its own, so parallel tests and a user's
/// real entries never meet.
fn test_vault() -> Vault {
    Vault::new(format!("callout-lab-test-{}", uuid::Uuid::new_v4()))
}

#[test]
fn store_read_delete_round_trip() {
    let vault = test_vault();
    let token = Secret::new("00D5g000004Xyz!AR8AQHkWzFakeAccessToken");

    vault.store("sandbox/access-token", &token).expect("store");
    let read_back = vault.read("sandbox/access-token").expect("read");
    assert_eq!(read_back.as_ref().map(Secret::expose), Some(token.expose()));

    assert!(vault.delete("sandbox/access-token").expect("delete"));
    assert_eq!(
        vault
            .read("sandbox/access-token")
            .expect("read after delete"),
        None
    );
}

#[test]
fn storing_again_replaces_the_secret() {
    let vault = test_vault();
    vault
        .store("rotating/refresh-token", &Secret::new("first"))
        .unwrap();
    vault
        .store("rotating/refresh-token", &Secret::new("second"))
        .unwrap();
    let read_back = vault.read("rotating/refresh-token").unwrap();
    assert_eq!(read_back.as_ref().map(Secret::expose), Some("second"));
    vault.delete("rotating/refresh-token").unwrap();
}

#[test]
fn a_missing_entry_is_reported_as_missing_not_as_an_error() {
    let vault = test_vault();
    let read = vault.read("never-stored");
    assert!(matches!(read, Ok(None)), "expected Ok(None), got {read:?}");
    let deleted = vault.delete("never-stored");
    assert!(
        matches!(deleted, Ok(false)),
        "expected Ok(false), got {deleted:?}"
    );
}

#[test]
fn entries_of_one_service_are_invisible_to_another() {
    let (a, b) = (test_vault(), test_vault());
    a.store("shared-account", &Secret::new("only-in-a"))
        .unwrap();
    assert_eq!(b.read("shared-account").unwrap(), None);
    a.delete("shared-account").unwrap();
}

#[test]
fn self_check_reports_the_keychain_available() {
    let check = check_keychain(&test_vault());
    assert!(
        check.available,
        "keychain self-check failed: {}",
        check.summary
    );
    assert!(check.error.is_none());
    assert!(
        check.summary.contains("stored, read back and deleted"),
        "{}",
        check.summary
    );
}

#[test]
fn keychain_errors_name_the_account_and_what_to_do() {
    let error = Error::KeychainUnavailable {
        action: "read",
        account: "sandbox/refresh-token".into(),
        detail: "org.freedesktop.DBus.Error.ServiceUnknown".into(),
        hint: "Start and unlock your desktop keyring",
    };
    let message = error.to_string();
    assert!(message.contains("\"sandbox/refresh-token\""), "{message}");
    assert!(message.contains("Start and unlock"), "{message}");
}
