//! Where a credential's stored tokens stand: valid for a while, about to
//! expire (the margin a refresh ahead of expiry leaves), expired, or in
//! need of a new authorization.

use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::credential_store::Authorization;
use crate::token::TokenSet;

/// A token counts as "about to expire" this long before its expiry (or a
/// tenth of its lifetime, when that is shorter).
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// Where a credential stands, as the tray and `credential list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum CredentialStatus {
    /// No tokens yet.
    NotAuthorized,
    /// Valid for this many more seconds.
    #[serde(rename_all = "camelCase")]
    Valid { remaining_seconds: u64 },
    /// The provider said nothing about expiry (Salesforce).
    ExpiryUnknown,
    /// Expired; a refresh token (or a client secret) may renew it.
    Expired,
    #[serde(rename_all = "camelCase")]
    NeedsReauthorization { reason: String },
}

impl CredentialStatus {
    /// "valid for 12 min", "expired", "needs re-authorization (...)".
    pub fn describe(&self) -> String {
        match self {
            CredentialStatus::NotAuthorized => "not authorized".into(),
            CredentialStatus::Valid { remaining_seconds } => {
                let minutes = remaining_seconds / 60;
                if minutes == 0 {
                    format!("valid for {remaining_seconds} s")
                } else {
                    format!("valid for {minutes} min")
                }
            }
            CredentialStatus::ExpiryUnknown => {
                "lifetime unknown (the provider sent no expiry)".into()
            }
            CredentialStatus::Expired => "expired".into(),
            CredentialStatus::NeedsReauthorization { reason } => {
                format!("needs re-authorization: {reason}")
            }
        }
    }
}

/// The status of one identity's authorization at `now`.
pub fn status(authorization: &Authorization, now: SystemTime) -> CredentialStatus {
    if let Some(reason) = &authorization.needs_reauthorization {
        return CredentialStatus::NeedsReauthorization {
            reason: reason.clone(),
        };
    }
    let Some(tokens) = &authorization.tokens else {
        return CredentialStatus::NotAuthorized;
    };
    match tokens.expires_at {
        None => CredentialStatus::ExpiryUnknown,
        Some(expires_at) => match expires_at.duration_since(now) {
            Ok(remaining) if !remaining.is_zero() => CredentialStatus::Valid {
                remaining_seconds: remaining.as_secs(),
            },
            _ => CredentialStatus::Expired,
        },
    }
}

/// Whether `tokens` should be renewed before use at `now`: expired, or
/// within [`EXPIRY_MARGIN`] (or a tenth of the lifetime) of expiring.
pub(crate) fn is_stale(tokens: &TokenSet, now: SystemTime) -> bool {
    tokens
        .expires_within(now, margin_for(tokens, EXPIRY_MARGIN))
        .unwrap_or(false)
}

/// How long before its expiry `tokens` count as due for renewal: `margin`,
/// or a tenth of their lifetime when that is shorter (a 60 s token is
/// renewed in its last 6 s, not all the time).
pub(crate) fn margin_for(tokens: &TokenSet, margin: Duration) -> Duration {
    tokens
        .lifetime()
        .map_or(margin, |lifetime| (lifetime / 10).min(margin))
}

/// Whether `tokens` are expired at `now` (no margin). Unknown expiry: no.
pub(crate) fn is_expired(tokens: &TokenSet, now: SystemTime) -> bool {
    tokens.expires_within(now, Duration::ZERO).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn tokens(issued: u64, expires: Option<u64>) -> TokenSet {
        TokenSet::for_test(at(issued), expires.map(at))
    }

    #[test]
    fn status_reads_like_the_tray() {
        let mut authorization = Authorization::default();
        assert_eq!(
            status(&authorization, at(0)),
            CredentialStatus::NotAuthorized
        );
        authorization.tokens = Some(tokens(0, Some(3_600)));
        assert_eq!(
            status(&authorization, at(600)).describe(),
            "valid for 50 min"
        );
        assert_eq!(status(&authorization, at(3_600)), CredentialStatus::Expired);
        authorization.tokens = Some(tokens(0, None));
        assert_eq!(
            status(&authorization, at(99_999)),
            CredentialStatus::ExpiryUnknown
        );
        authorization.needs_reauthorization = Some("refresh token revoked".into());
        assert_eq!(
            status(&authorization, at(0)).describe(),
            "needs re-authorization: refresh token revoked"
        );
    }

    #[test]
    fn stale_means_expired_or_within_the_margin() {
        let hour = tokens(0, Some(3_600));
        assert!(!is_stale(&hour, at(3_500)));
        assert!(is_stale(&hour, at(3_571)));
        // A 60 s token is renewed in its last 6 s, not its last 30.
        let minute = tokens(0, Some(60));
        assert!(!is_stale(&minute, at(50)));
        assert!(is_stale(&minute, at(54)));
        assert!(!is_stale(&tokens(0, None), at(1_000_000)));
        assert!(is_expired(&minute, at(60)));
        assert!(!is_expired(&minute, at(59)));
    }
}
