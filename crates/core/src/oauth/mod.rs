//! OAuth 2.0 as a client: reading token endpoint answers (and, with the
//! credentials, the flows and the refresh that never loses a token).

pub mod assertion;
pub mod browser;
pub mod device;
pub mod flows;
mod loopback;
pub mod refresh;
pub mod retained;
pub mod service;
pub mod status;

pub use crate::token::{
    ExpirySource, TokenResponseError, TokenSet, jwt_claims, parse_token_response,
};
pub use refresh::KeychainRefresher;
pub use service::{LiveToken, TokenService};
pub use status::CredentialStatus;
