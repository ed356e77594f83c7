//! Round trips through the real OS keychain (Secret Service under
//! `dbus-run-session` + gnome-keyring in `make test`). No mock store.

use callout_core::Vault;
use callout_core::about::check_keychain;
use callout_core::{Error, Secret};

use crate::common::test_name;

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
    assert_eq!(
        a.read("shared-account")
            .unwrap()
            .as_ref()
            .map(Secret::expose),
        Some("only-in-a"),
        "the entry was not stored"
    );
    assert_eq!(b.read("shared-account").unwrap(), None);
    assert!(!b.delete("shared-account").unwrap());
    assert!(
        a.read("shared-account").unwrap().is_some(),
        "another service's delete removed the entry"
    );
    assert!(a.delete("shared-account").unwrap());
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

/// Set in the run of [`keychain_errors_name_the_account_and_what_to_do`]
/// that has no keychain.
const NO_KEYCHAIN: &str = "CALLOUT_TEST_NO_KEYCHAIN";

#[test]
fn keychain_errors_name_the_account_and_what_to_do() {
    if std::env::var_os(NO_KEYCHAIN).is_some() {
        return without_a_keychain();
    }
    // A process talks to the session bus it was started with, so the test
    // runs itself again with a bus address where nothing listens.
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            test_name!(keychain_errors_name_the_account_and_what_to_do),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(NO_KEYCHAIN, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.path().join("no-bus").display()),
        )
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let said = format!(
        "{}\n{}",
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&err).unwrap()
    );
    assert!(
        status.is_some_and(|status| status.success()),
        "the run without a keychain failed (or hung for 60 s):\n{said}"
    );
    assert!(said.contains("1 passed"), "the test did not run:\n{said}");
}

/// What the vault returns when there is no keychain to talk to.
fn without_a_keychain() {
    const ACCOUNT: &str = "sandbox/refresh-token";
    let vault = test_vault();
    for (action, result) in [
        ("store", vault.store(ACCOUNT, &Secret::new("kept-nowhere"))),
        ("read", vault.read(ACCOUNT).map(drop)),
        ("delete", vault.delete(ACCOUNT).map(drop)),
    ] {
        let error = result.expect_err(action);
        assert!(
            matches!(error, Error::KeychainUnavailable { .. }),
            "{action}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(&format!("trying to {action} \"{ACCOUNT}\"")),
            "{message}"
        );
        assert!(
            message.contains("Start and unlock your desktop keyring"),
            "{message}"
        );
        assert!(!message.contains("kept-nowhere"), "{message}");
    }
}

// ---- Credentials in the keychain: rename, remove, add over leftovers ----

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use callout_core::credential::{AuthProtocol, Credential, IdentityType};
use callout_core::credential_store::{Authorization, CredentialStore, Identity, NewSecrets};
use callout_core::home::Home;
use callout_core::oauth::{ExpirySource, TokenSet};
use callout_core::{FileLock, RefreshLocks};

/// A store in a temp home (a keychain service of its own); forgets the
/// entries of `names` on drop.
struct Keyed {
    _dir: tempfile::TempDir,
    home: Home,
    store: CredentialStore,
    names: Vec<&'static str>,
}

impl Keyed {
    fn new(names: &[&'static str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        Self {
            store: CredentialStore::new(home.clone()),
            home,
            _dir: dir,
            names: names.to_vec(),
        }
    }

    fn refresh_lock_path(&self, name: &str) -> std::path::PathBuf {
        RefreshLocks::new(self.home.locks_dir()).path(name)
    }
}

impl Drop for Keyed {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = self.store.forget_secrets(name);
        }
    }
}

fn definition(name: &str, identity: IdentityType) -> Credential {
    let mut credential = Credential::new(name, "https://api.example");
    credential.protocol = AuthProtocol::AuthorizationCode;
    credential.client_id = Some("client".into());
    credential.token_url = Some("https://login.example/token".into());
    credential.auth_url = Some("https://login.example/authorize".into());
    credential.identity_type = identity;
    credential
}

fn authorized(access: &str, refresh: &str) -> Authorization {
    Authorization {
        tokens: Some(TokenSet {
            access_token: Secret::new(access),
            token_type: "Bearer".into(),
            refresh_token: Some(Secret::new(refresh)),
            id_token: None,
            scopes: vec!["api".into()],
            issued_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000),
            expires_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(4_600)),
            expiry_source: ExpirySource::ExpiresIn,
            is_jwt: false,
            instance_url: None,
        }),
        ..Authorization::default()
    }
}

/// Adds a named-principal credential `name` with client secret `secret`.
fn add_with_client_secret(store: &CredentialStore, name: &str, secret: &str) {
    store
        .add_with_secrets(
            definition(name, IdentityType::NamedPrincipal),
            &NewSecrets {
                client_secret: Some(Secret::new(secret)),
                private_key: None,
                client_key: None,
            },
        )
        .unwrap();
}

fn refresh_token(store: &CredentialStore, name: &str, identity: &Identity) -> Option<String> {
    store
        .authorization(name, identity)
        .unwrap()
        .tokens
        .and_then(|tokens| tokens.refresh_token)
        .map(|token| token.expose().to_string())
}

/// Waits until another thread waits for the OS lock on `path` (Linux shows
/// blocked `flock` requests in /proc/locks). False when `worker` finished
/// instead, without ever waiting.
fn wait_for_a_waiter(path: &Path, worker: &std::thread::JoinHandle<impl Sized>) -> bool {
    use std::os::unix::fs::MetadataExt;
    let inode = format!(":{} ", std::fs::metadata(path).unwrap().ino());
    let started = Instant::now();
    loop {
        let locks = std::fs::read_to_string("/proc/locks").unwrap();
        if locks
            .lines()
            .any(|line| line.contains("->") && line.contains(&inode))
        {
            return true;
        }
        if worker.is_finished() {
            return false;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nobody waited for {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn renaming_moves_every_identity_and_secret_and_leaves_nothing_behind() {
    let keyed = Keyed::new(&["Team_API", "Team_API_2"]);
    let store = &keyed.store;
    store
        .add_with_secrets(
            definition("Team_API", IdentityType::PerUser),
            &NewSecrets {
                client_secret: Some(Secret::new("the-client-secret")),
                private_key: Some(Secret::new("-----BEGIN PRIVATE KEY-----")),
                client_key: None,
            },
        )
        .unwrap();
    let (alice, bob) = (Identity::User("alice".into()), Identity::User("bob".into()));
    store
        .set_authorization("Team_API", &alice, &authorized("at-alice", "rt-alice"))
        .unwrap();
    store
        .set_authorization("Team_API", &bob, &authorized("at-bob", "rt-bob"))
        .unwrap();

    store
        .rename("Team_API", definition("Team_API_2", IdentityType::PerUser))
        .unwrap();

    assert_eq!(
        store.load().unwrap().names(),
        ["Team_API_2".to_string()],
        "one definition, renamed"
    );
    assert_eq!(
        refresh_token(store, "Team_API_2", &alice).as_deref(),
        Some("rt-alice")
    );
    assert_eq!(
        refresh_token(store, "Team_API_2", &bob).as_deref(),
        Some("rt-bob")
    );
    assert_eq!(
        store
            .client_secret("Team_API_2")
            .unwrap()
            .map(|s| s.expose().to_string()),
        Some("the-client-secret".to_string())
    );
    assert!(store.private_key("Team_API_2").unwrap().is_some());
    let vault = keyed.home.vault();
    for kind in ["client-secret", "private-key", "authorization"] {
        assert_eq!(
            vault.read(&format!("team_api/{kind}")).unwrap(),
            None,
            "team_api/{kind} was left behind"
        );
    }
}

#[test]
fn renaming_waits_for_a_refresh_in_flight_and_moves_its_rotated_token() {
    let keyed = Keyed::new(&["Rotating", "Rotated"]);
    let store = keyed.store.clone();
    store
        .add(definition("Rotating", IdentityType::NamedPrincipal))
        .unwrap();
    let named = Identity::NamedPrincipal;
    store
        .set_authorization("Rotating", &named, &authorized("at-1", "rt-1"))
        .unwrap();

    // A refresh of "Rotating" holds its lock and is about to store rt-2.
    let lock_path = keyed.refresh_lock_path("Rotating");
    let refresh = FileLock::exclusive(&lock_path).unwrap();
    let rename = {
        let store = store.clone();
        std::thread::spawn(move || {
            store.rename(
                "Rotating",
                definition("Rotated", IdentityType::NamedPrincipal),
            )
        })
    };
    let waited = wait_for_a_waiter(&lock_path, &rename);
    store
        .set_authorization("Rotating", &named, &authorized("at-2", "rt-2"))
        .unwrap();
    drop(refresh);
    rename.join().unwrap().unwrap();

    assert!(waited, "the rename did not wait for the refresh lock");
    assert_eq!(
        refresh_token(&store, "Rotated", &named).as_deref(),
        Some("rt-2"),
        "the new name must get the rotated refresh token"
    );
    assert_eq!(
        keyed.home.vault().read("rotating/authorization").unwrap(),
        None
    );
}

#[test]
fn removing_waits_for_a_refresh_in_flight_so_it_cannot_recreate_the_entry() {
    let keyed = Keyed::new(&["Leaving"]);
    let store = keyed.store.clone();
    store
        .add(definition("Leaving", IdentityType::NamedPrincipal))
        .unwrap();
    let named = Identity::NamedPrincipal;
    store
        .set_authorization("Leaving", &named, &authorized("at-1", "rt-1"))
        .unwrap();

    let lock_path = keyed.refresh_lock_path("Leaving");
    let refresh = FileLock::exclusive(&lock_path).unwrap();
    let remove = {
        let store = store.clone();
        std::thread::spawn(move || store.remove("Leaving").map(|_| ()))
    };
    let waited = wait_for_a_waiter(&lock_path, &remove);
    // The refresh in flight stores what it got, then lets go.
    store
        .set_authorization("Leaving", &named, &authorized("at-2", "rt-2"))
        .unwrap();
    drop(refresh);
    remove.join().unwrap().unwrap();

    assert!(waited, "the removal did not wait for the refresh lock");
    assert_eq!(
        keyed.home.vault().read("leaving/authorization").unwrap(),
        None,
        "the refresh's tokens outlived the removal"
    );
}

#[test]
fn a_failed_add_leaves_the_secret_of_the_credential_that_won_alone() {
    let keyed = Keyed::new(&["Taken"]);
    let store = keyed.store.clone();
    // Another process holds the file while it defines "Taken".
    let file_lock_path = keyed.home.locks_dir().join("credentials-file.lock");
    let other = FileLock::exclusive(&file_lock_path).unwrap();
    let add = {
        let store = store.clone();
        std::thread::spawn(move || {
            store.add_with_secrets(
                definition("Taken", IdentityType::NamedPrincipal),
                &NewSecrets {
                    client_secret: Some(Secret::new("the-loser's-secret")),
                    private_key: None,
                    client_key: None,
                },
            )
        })
    };
    assert!(wait_for_a_waiter(&file_lock_path, &add));
    keyed
        .home
        .vault()
        .store("taken/client-secret", &Secret::new("the-winner's-secret"))
        .unwrap();
    callout_core::credential_store::write_definitions(
        &keyed.home.credentials_file(),
        &[definition("Taken", IdentityType::NamedPrincipal)],
    )
    .unwrap();
    drop(other);

    let error = add.join().unwrap().unwrap_err();
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(
        store
            .client_secret("Taken")
            .unwrap()
            .map(|s| s.expose().to_string()),
        Some("the-winner's-secret".to_string())
    );
}

#[test]
fn adding_over_leftovers_removes_them_and_says_so() {
    let keyed = Keyed::new(&["Again"]);
    let store = &keyed.store;
    // A credential "again" was deleted from credentials.toml by hand.
    store
        .set_client_secret("Again", &Secret::new("old-secret"))
        .unwrap();
    store
        .set_authorization(
            "Again",
            &Identity::NamedPrincipal,
            &authorized("at-old", "rt-old"),
        )
        .unwrap();

    let leftovers = store
        .add(definition("Again", IdentityType::NamedPrincipal))
        .unwrap();

    assert_eq!(
        leftovers.describe().as_deref(),
        Some(
            "keychain entries from an earlier credential named Again (tokens, client secret) \
             were found and removed; the new credential does not use them"
        )
    );
    assert!(store.client_secret("Again").unwrap().is_none());
    assert!(
        store
            .authorization("Again", &Identity::NamedPrincipal)
            .unwrap()
            .tokens
            .is_none()
    );
}

#[test]
fn an_unreadable_authorization_is_repaired_and_the_readable_secret_stays() {
    let keyed = Keyed::new(&["Garbled"]);
    let store = &keyed.store;
    add_with_client_secret(store, "Garbled", "kept");
    keyed
        .home
        .vault()
        .store("garbled/authorization", &Secret::new("{\"identities\": 42"))
        .unwrap();
    let error = store
        .authorization("Garbled", &Identity::NamedPrincipal)
        .unwrap_err();
    assert!(matches!(error, Error::Keychain { .. }), "{error}");

    assert_eq!(store.repair("Garbled").unwrap(), ["garbled/authorization"]);
    assert!(
        store
            .authorization("Garbled", &Identity::NamedPrincipal)
            .unwrap()
            .tokens
            .is_none()
    );
    assert!(store.client_secret("Garbled").unwrap().is_some());
    assert!(
        store.repair("Garbled").unwrap().is_empty(),
        "nothing left to repair"
    );
}

/// The access token a store gives for `name`'s named principal, from its
/// copy when nobody has written the entry since.
fn known_access(store: &CredentialStore, name: &str) -> String {
    store
        .known_authorization(name, &Identity::NamedPrincipal)
        .unwrap()
        .tokens
        .unwrap()
        .access_token
        .expose()
        .to_string()
}

#[test]
fn an_entry_this_process_wrote_is_not_read_again_until_a_store_writes_it() {
    let keyed = Keyed::new(&["Known"]);
    let store = &keyed.store;
    add_with_client_secret(store, "Known", "first-secret");
    store
        .set_authorization(
            "Known",
            &Identity::NamedPrincipal,
            &authorized("access-1", "refresh-1"),
        )
        .unwrap();

    // Written behind every store's back (as in a keychain editor): the
    // copies do not see it — they are used, the keychain is not asked.
    let vault = keyed.home.vault();
    let entry = vault.read("known/authorization").unwrap().unwrap();
    let behind = |access: &str| {
        vault
            .store(
                "known/authorization",
                &Secret::new(entry.expose().replace("access-1", access)),
            )
            .unwrap();
    };
    behind("access-behind");
    vault
        .store("known/client-secret", &Secret::new("behind-secret"))
        .unwrap();
    assert_eq!(known_access(store, "Known"), "access-1");
    assert_eq!(
        store
            .known_client_secret("Known")
            .unwrap()
            .unwrap()
            .expose(),
        "first-secret"
    );
    // A read of the keychain itself sees it, and what it read is the copy now.
    assert_eq!(
        store.client_secret("Known").unwrap().unwrap().expose(),
        "behind-secret"
    );
    assert_eq!(
        store
            .known_client_secret("Known")
            .unwrap()
            .unwrap()
            .expose(),
        "behind-secret"
    );

    // Another store on the same home — another process — writes: seen.
    CredentialStore::new(keyed.home.clone())
        .set_authorization(
            "Known",
            &Identity::NamedPrincipal,
            &authorized("access-2", "refresh-2"),
        )
        .unwrap();
    assert_eq!(known_access(store, "Known"), "access-2");

    // A writer killed between its stamp and its keychain write: no copy is
    // trusted until a write completes.
    let stamp = keyed.home.locks_dir().join("known-authorization.stamp");
    std::fs::write(&stamp, "writing-------------------------").unwrap();
    behind("access-3");
    assert_eq!(known_access(store, "Known"), "access-3");
    behind("access-4");
    assert_eq!(known_access(store, "Known"), "access-4");
}
