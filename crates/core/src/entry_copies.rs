//! Copies of keychain entries this process has read or written, and the
//! change stamps that say when a copy is still what the keychain holds.
//!
//! A keychain read costs a D-Bus round trip and a decryption (about half a
//! millisecond with GNOME Keyring); a refresh used to read the authorization
//! and the client secret it had itself written or read a moment before. Each
//! entry of a credential has a change stamp: a small file beside the refresh
//! locks. Every write of the entry through [`CredentialStore`]
//! rewrites it — `writing` before the keychain call, a new random value after
//! it. A stamp is always 32 bytes, written in place: truncating and
//! rewriting a file makes ext4 flush it at once (about 0.3 ms here, twice a
//! refresh), writing over the same bytes stays in the page cache. A copy taken while the stamp held a value is still good while the
//! stamp holds that same value: nobody has written the entry since, in this
//! process or another. A writer killed between the two leaves `writing`, and
//! no copy is trusted until the next write completes. A stamp that cannot be
//! read or written means no copy is trusted: the keychain is asked, as
//! before.
//!
//! Only a writer that goes around the store (a person editing the keychain
//! by hand, an older version of Callout Lab) is not seen this way; the
//! paths that show a credential's state (status, lists, the keeper) read
//! the keychain itself, and what they read replaces the copy.
//!
//! CI mode keeps secrets in process memory already: no stamps, no copies.
//!
//! [`CredentialStore`]: crate::credential_store::CredentialStore

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::vault::Vault;
use crate::{Result, Secret, locked};

/// What a stamp says while its entry is being written (as long as a stamp).
const WRITING: &str = "writing-------------------------";

/// The copies of one home's credential entries. Cheap to clone: clones share
/// the copies.
#[derive(Debug, Clone)]
pub(crate) struct EntryCopies {
    dir: PathBuf,
    copies: Arc<Mutex<HashMap<String, KnownEntry>>>,
}

#[derive(Debug)]
struct KnownEntry {
    stamp: String,
    secret: Option<Secret>,
}

impl EntryCopies {
    /// Copies whose stamps live in `dir` (the home's locks directory).
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            copies: Arc::default(),
        }
    }

    /// The entry `account` as this process last saw it, when its stamp says
    /// nobody has written it since; otherwise read from the keychain (and
    /// kept).
    pub(crate) fn read(&self, vault: &Vault, account: &str) -> Result<Option<Secret>> {
        if Vault::in_process_memory() {
            return vault.read(account);
        }
        let stamp = self.stamp(account);
        if let Some(stamp) = &stamp
            && let Some(copy) = locked(&self.copies).get(account)
            && copy.stamp == *stamp
        {
            return Ok(copy.secret.clone());
        }
        self.read_through(vault, account, stamp)
    }

    /// Reads `account` from the keychain itself, and keeps what it holds.
    pub(crate) fn read_fresh(&self, vault: &Vault, account: &str) -> Result<Option<Secret>> {
        if Vault::in_process_memory() {
            return vault.read(account);
        }
        let stamp = self.stamp(account);
        self.read_through(vault, account, stamp)
    }

    fn read_through(
        &self,
        vault: &Vault,
        account: &str,
        stamp: Option<String>,
    ) -> Result<Option<Secret>> {
        // The stamp was read before the keychain: a write that lands in
        // between changes it, and the copy is not trusted again.
        let read = vault.read(account);
        let mut copies = locked(&self.copies);
        match (&read, stamp) {
            (Ok(secret), Some(stamp)) => {
                copies.insert(
                    account.to_string(),
                    KnownEntry {
                        stamp,
                        secret: secret.clone(),
                    },
                );
            }
            _ => {
                copies.remove(account);
            }
        }
        read
    }

    /// Stores `secret` under `account` (deletes every item there with
    /// `None`), stamping the change.
    pub(crate) fn write(
        &self,
        vault: &Vault,
        account: &str,
        secret: Option<&Secret>,
    ) -> Result<()> {
        let write = |vault: &Vault| match secret {
            Some(secret) => vault.store(account, secret),
            None => vault.delete_all(account).map(|_| ()),
        };
        if Vault::in_process_memory() {
            return write(vault);
        }
        let path = self.stamp_path(account);
        let began = write_stamp(&path, WRITING);
        locked(&self.copies).remove(account);
        let written = write(vault);
        let stamp = new_stamp();
        let ended = began && write_stamp(&path, &stamp);
        if written.is_ok() && ended {
            locked(&self.copies).insert(
                account.to_string(),
                KnownEntry {
                    stamp,
                    secret: secret.cloned(),
                },
            );
        }
        written
    }

    /// The entry's stamp when a copy may be trusted against it: `None` when
    /// it is being written, or cannot be read. A missing stamp (an entry no
    /// writer of this version has touched) is created.
    fn stamp(&self, account: &str) -> Option<String> {
        let path = self.stamp_path(account);
        match std::fs::read_to_string(&path) {
            Ok(stamp) if stamp.len() == WRITING.len() && stamp != WRITING => Some(stamp),
            Ok(_) => None,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => create_stamp(&path),
            Err(_) => None,
        }
    }

    /// `NAME-KIND.stamp` for account `NAME/KIND` (names hold only letters,
    /// digits and underscores, so no two accounts share a stamp).
    fn stamp_path(&self, account: &str) -> PathBuf {
        let key: String = account
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        self.dir.join(format!("{key}.stamp"))
    }
}

fn new_stamp() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Writes `stamp` over the file's bytes in place (every stamp has the same
/// length, so nothing is left of the one before); whether it was written.
fn write_stamp(path: &Path, stamp: &str) -> bool {
    use std::io::{Seek, SeekFrom};
    if let Some(parent) = path.parent()
        && crate::home::create_dir(parent).is_err()
    {
        return false;
    }
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .and_then(|mut file| {
            file.seek(SeekFrom::Start(0))?;
            file.write_all(stamp.as_bytes())?;
            file.set_len(stamp.len() as u64)
        });
    written.is_ok()
}

/// A first stamp for an entry that has none, unless someone else made one
/// meanwhile (then that one is read next time).
fn create_stamp(path: &Path) -> Option<String> {
    let parent = path.parent()?;
    crate::home::create_dir(parent).ok()?;
    let stamp = new_stamp();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .ok()?;
    file.write_all(stamp.as_bytes()).ok()?;
    Some(stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_one_file_per_entry_and_cannot_escape_the_directory() {
        let copies = EntryCopies::new(PathBuf::from("/locks"));
        assert_eq!(
            copies.stamp_path("sales_api/authorization"),
            PathBuf::from("/locks/sales_api-authorization.stamp")
        );
        assert_eq!(
            copies.stamp_path("../x/client-secret"),
            PathBuf::from("/locks/---x-client-secret.stamp")
        );
    }

    #[test]
    fn a_stamp_being_written_or_missing_its_file_is_handled() {
        let dir = tempfile::tempdir().unwrap();
        let copies = EntryCopies::new(dir.path().join("locks"));
        let first = copies
            .stamp("a/authorization")
            .expect("a first stamp is made");
        assert_eq!(copies.stamp("a/authorization").as_deref(), Some(&*first));
        assert_eq!(first.len(), WRITING.len(), "every stamp has one length");
        assert!(write_stamp(&copies.stamp_path("a/authorization"), WRITING));
        assert_eq!(copies.stamp("a/authorization"), None);
        // Written in place over a longer file (none of this version's),
        // nothing of it is left.
        let path = copies.stamp_path("b/authorization");
        std::fs::write(&path, "x".repeat(40)).unwrap();
        assert!(write_stamp(&path, &first));
        assert_eq!(copies.stamp("b/authorization").as_deref(), Some(&*first));
    }
}
