//! Everything the provider has handed out: authorization codes, device codes,
//! access tokens and refresh tokens, with the rules that decide whether each is
//! still alive. Pure data and time arithmetic; no I/O, no clock of its own.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Who a token speaks for and what it may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    pub client_id: String,
    /// The signed-in user; `None` for a client acting as itself.
    pub subject: Option<String>,
    pub scope: String,
}

impl Grant {
    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split_whitespace().any(|scope| scope == wanted)
    }
}

pub(crate) struct AccessRecord {
    pub grant: Grant,
    pub issued_at: SystemTime,
    pub expires_at: SystemTime,
    pub revoked: bool,
}

/// What a presented access token turned out to be.
pub(crate) enum AccessState<'a> {
    Live(&'a AccessRecord),
    Expired,
    Revoked,
    Unknown,
}

impl AccessState<'_> {
    /// Why a dead token is dead, for `error_description`s.
    pub fn describe(&self) -> &'static str {
        match self {
            AccessState::Live(_) => "The access token is valid",
            AccessState::Expired => "The access token expired",
            AccessState::Revoked => "The access token was revoked",
            AccessState::Unknown => "The access token is unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefreshStatus {
    Active,
    /// Exchanged for a newer one while rotation was on.
    RotatedAway,
    Revoked,
    /// Expired on purpose through the fault controls.
    Expired,
}

pub(crate) struct RefreshRecord {
    pub grant: Grant,
    /// When the user originally authorized: the absolute lifetime counts from here.
    pub family_started: SystemTime,
    pub last_used: SystemTime,
    pub status: RefreshStatus,
}

/// The lifetimes a refresh token is judged by.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RefreshPolicy {
    pub idle: Option<Duration>,
    pub absolute: Option<Duration>,
}

impl RefreshRecord {
    /// `Err(reason)` when the token can no longer be used at `now`.
    pub fn usable_at(&self, now: SystemTime, policy: RefreshPolicy) -> Result<(), &'static str> {
        match self.status {
            RefreshStatus::Active => {}
            RefreshStatus::RotatedAway => {
                return Err("refresh token was already used and rotated away");
            }
            RefreshStatus::Revoked => return Err("refresh token was revoked"),
            RefreshStatus::Expired => return Err("refresh token expired"),
        }
        if policy.idle.is_some_and(|idle| now >= self.last_used + idle) {
            return Err("refresh token expired: unused for longer than its idle lifetime");
        }
        if policy
            .absolute
            .is_some_and(|absolute| now >= self.family_started + absolute)
        {
            return Err("refresh token expired: past its absolute lifetime");
        }
        Ok(())
    }
}

pub(crate) struct CodeRecord {
    pub grant: Grant,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub expires_at: SystemTime,
    pub used: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved,
    Denied,
    Redeemed,
}

pub(crate) struct DeviceRecord {
    pub client_id: String,
    pub user_code: String,
    pub scope: String,
    pub subject: Option<String>,
    pub expires_at: SystemTime,
    pub next_poll_at: SystemTime,
    pub status: DeviceStatus,
}

/// Something issued to one client, which only that client may redeem.
pub(crate) trait IssuedTo {
    fn client_id(&self) -> &str;
}

impl IssuedTo for CodeRecord {
    fn client_id(&self) -> &str {
        &self.grant.client_id
    }
}

impl IssuedTo for RefreshRecord {
    fn client_id(&self) -> &str {
        &self.grant.client_id
    }
}

impl IssuedTo for DeviceRecord {
    fn client_id(&self) -> &str {
        &self.client_id
    }
}

/// All issued artefacts, keyed by their (secret) value.
#[derive(Default)]
pub(crate) struct Store {
    pub access: HashMap<String, AccessRecord>,
    pub refresh: HashMap<String, RefreshRecord>,
    pub codes: HashMap<String, CodeRecord>,
    pub devices: HashMap<String, DeviceRecord>,
}

impl Store {
    pub fn access_state(&self, token: &str, now: SystemTime) -> AccessState<'_> {
        match self.access.get(token) {
            None => AccessState::Unknown,
            Some(record) if record.revoked => AccessState::Revoked,
            Some(record) if now >= record.expires_at => AccessState::Expired,
            Some(record) => AccessState::Live(record),
        }
    }

    /// Makes a token (access or refresh) dead from `now` on. False if unknown.
    pub fn expire_now(&mut self, token: &str, now: SystemTime) -> bool {
        if let Some(record) = self.access.get_mut(token) {
            record.expires_at = record.expires_at.min(now);
            return true;
        }
        if let Some(record) = self.refresh.get_mut(token) {
            if record.status == RefreshStatus::Active {
                record.status = RefreshStatus::Expired;
            }
            return true;
        }
        false
    }

    /// Makes every live access token issued at least `age` before `now`
    /// dead from `now` on; how many there were.
    pub fn expire_access_tokens_older_than(&mut self, age: Duration, now: SystemTime) -> usize {
        let mut expired = 0;
        for record in self.access.values_mut() {
            let old_enough = now
                .duration_since(record.issued_at)
                .is_ok_and(|held| held >= age);
            if old_enough && now < record.expires_at {
                record.expires_at = now;
                expired += 1;
            }
        }
        expired
    }

    /// Revokes one token (RFC 7009). False if unknown.
    pub fn revoke(&mut self, token: &str) -> bool {
        if let Some(record) = self.access.get_mut(token) {
            record.revoked = true;
            return true;
        }
        if let Some(record) = self.refresh.get_mut(token) {
            record.status = RefreshStatus::Revoked;
            return true;
        }
        false
    }

    pub fn revoke_all_refresh_tokens(&mut self) {
        for record in self.refresh.values_mut() {
            record.status = RefreshStatus::Revoked;
        }
    }

    pub fn device_by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceRecord> {
        let wanted = normalize_user_code(user_code);
        self.devices
            .values_mut()
            .find(|device| normalize_user_code(&device.user_code) == wanted)
    }
}

/// User codes are typed by people: ignore case, dashes and spaces.
fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|character| character.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: Duration = Duration::from_secs(1_700_000_000);

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + START + Duration::from_secs(seconds)
    }

    fn grant() -> Grant {
        Grant {
            client_id: "client".into(),
            subject: None,
            scope: "api read".into(),
        }
    }

    fn refresh(last_used: u64) -> RefreshRecord {
        RefreshRecord {
            grant: grant(),
            family_started: at(0),
            last_used: at(last_used),
            status: RefreshStatus::Active,
        }
    }

    #[test]
    fn idle_lifetime_counts_from_last_use() {
        let policy = RefreshPolicy {
            idle: Some(Duration::from_secs(100)),
            absolute: None,
        };
        let record = refresh(50);
        assert_eq!(record.usable_at(at(149), policy), Ok(()));
        assert!(
            record
                .usable_at(at(150), policy)
                .unwrap_err()
                .contains("idle")
        );
    }

    #[test]
    fn absolute_lifetime_counts_from_the_original_authorization() {
        let policy = RefreshPolicy {
            idle: None,
            absolute: Some(Duration::from_secs(1_000)),
        };
        let record = refresh(990);
        assert_eq!(record.usable_at(at(999), policy), Ok(()));
        assert!(
            record
                .usable_at(at(1_000), policy)
                .unwrap_err()
                .contains("absolute")
        );
    }

    #[test]
    fn access_tokens_die_at_expiry_on_revocation_and_on_demand() {
        let mut store = Store::default();
        store.access.insert(
            "a".into(),
            AccessRecord {
                grant: grant(),
                issued_at: at(0),
                expires_at: at(60),
                revoked: false,
            },
        );
        assert!(matches!(
            store.access_state("a", at(59)),
            AccessState::Live(_)
        ));
        assert!(matches!(
            store.access_state("a", at(60)),
            AccessState::Expired
        ));
        assert!(matches!(
            store.access_state("b", at(0)),
            AccessState::Unknown
        ));
        assert!(store.expire_now("a", at(10)));
        assert!(matches!(
            store.access_state("a", at(10)),
            AccessState::Expired
        ));
        assert!(store.revoke("a"));
        assert!(matches!(
            store.access_state("a", at(0)),
            AccessState::Revoked
        ));
        assert!(!store.expire_now("nope", at(0)));
    }

    #[test]
    fn user_codes_match_however_they_are_typed() {
        assert_eq!(
            normalize_user_code("wdjb-mjht"),
            normalize_user_code("WDJB MJHT")
        );
    }
}
