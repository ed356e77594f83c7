//! OAuth 2.0 as a client: reading token endpoint answers (and, with the
//! credentials, the flows and the refresh that never loses a token).

pub(crate) mod assertion;
pub(crate) mod browser;
pub(crate) mod device;
pub(crate) mod flows;
mod loopback;
pub(crate) mod refresh;
pub(crate) mod retained;
pub(crate) mod service;
pub(crate) mod status;

pub use crate::token::{
    ExpirySource, TokenResponseError, TokenSet, jwt_claims, parse_token_response,
};
pub use browser::{
    BrowserOptions, Cancel, IGNORED_CALLBACK, Opener, authorize_in_browser, open_in_browser,
};
pub use device::authorize_device;
pub use flows::{ProviderMetadata, discover, token_client, token_client_for};
pub use refresh::{KeychainRefresher, PendingStore};
pub use service::{LiveToken, TokenService};
pub use status::{CredentialStatus, status};
