//! OAuth 2.0 as a client: reading token endpoint answers (and, with the
//! credentials, the flows and the refresh that never loses a token).

pub mod token;

pub use token::{ExpirySource, TokenResponseError, TokenSet, jwt_claims, parse_token_response};
