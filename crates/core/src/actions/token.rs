//! Get a live token: the one stored, refreshed first when it has expired
//! or is about to; or refreshed now whatever its expiry says. What
//! `callout token`, the app's Copy and Refresh now, and the tray do.

use crate::Result;
use crate::oauth::{LiveToken, TokenService};

/// When to refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Freshness {
    /// Only when the stored token has expired or is about to.
    #[default]
    WhenStale,
    /// Now, whatever its expiry says (a rotated refresh token is stored
    /// before the new access token is answered).
    Now,
}

/// The live token of credential `name` for `user` (a per-user
/// credential's label; `None`: the OS user).
pub async fn live_token(
    service: &TokenService,
    name: &str,
    user: Option<&str>,
    freshness: Freshness,
) -> Result<LiveToken> {
    match freshness {
        Freshness::WhenStale => service.live_token(name, user).await,
        Freshness::Now => {
            let credential = service.store().get(name)?;
            service.refresh_after(&credential, user, None).await
        }
    }
}
