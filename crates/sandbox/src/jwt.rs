//! Compact JWS with HS256 (RFC 7515, RFC 7518 §3.2): enough to sign the
//! sandbox's JWT access tokens and to check RFC 7523 client assertions, which
//! the sandbox accepts when signed with the client secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs `claims` with HS256 under `key` and returns the compact JWT.
pub fn sign_hs256(claims: &Value, key: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature =
        URL_SAFE_NO_PAD.encode(mac(key, signing_input.as_bytes()).finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Why a JWT was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JwtError {
    Malformed(&'static str),
    UnsupportedAlgorithm(String),
    BadSignature,
}

impl std::fmt::Display for JwtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwtError::Malformed(what) => write!(f, "assertion is not a JWT: {what}"),
            JwtError::UnsupportedAlgorithm(alg) => {
                write!(
                    f,
                    "assertion is signed with {alg}; the sandbox accepts HS256"
                )
            }
            JwtError::BadSignature => f.write_str("assertion signature does not verify"),
        }
    }
}

/// The claims of a JWT, read *before* its signature is checked, so the caller
/// can find the key (by `iss`). Use only with [`verify_hs256`] afterwards.
pub(crate) fn unverified_claims(token: &str) -> Result<Value, JwtError> {
    let [_, payload, _] = parts(token)?;
    decode_json(payload, "payload")
}

/// Checks the HS256 signature of `token` under `key` and returns its claims.
pub(crate) fn verify_hs256(token: &str, key: &[u8]) -> Result<Value, JwtError> {
    let [header, payload, signature] = parts(token)?;
    let header_json = decode_json(header, "header")?;
    let alg = header_json
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("none");
    if alg != "HS256" {
        return Err(JwtError::UnsupportedAlgorithm(alg.to_string()));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtError::Malformed("signature is not base64url"))?;
    let signing_input = &token[..header.len() + 1 + payload.len()];
    mac(key, signing_input.as_bytes())
        .verify_slice(&signature)
        .map_err(|_| JwtError::BadSignature)?;
    decode_json(payload, "payload")
}

fn parts(token: &str) -> Result<[&str; 3], JwtError> {
    let mut pieces = token.split('.');
    match (pieces.next(), pieces.next(), pieces.next(), pieces.next()) {
        (Some(header), Some(payload), Some(signature), None) => Ok([header, payload, signature]),
        _ => Err(JwtError::Malformed("expected three dot-separated parts")),
    }
}

fn decode_json(part: &str, what: &'static str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed(what))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed(what))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(JwtError::Malformed(what))
    }
}

fn mac(key: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this never fails.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify_and_tampered_ones_do_not() {
        let token = sign_hs256(&json!({"iss": "client", "exp": 10}), b"secret");
        assert_eq!(verify_hs256(&token, b"secret").unwrap()["iss"], "client");
        assert_eq!(verify_hs256(&token, b"other"), Err(JwtError::BadSignature));
        let forged = format!("{}x", &token[..token.len() - 1]);
        assert!(verify_hs256(&forged, b"secret").is_err());
    }

    #[test]
    fn rfc_7515_appendix_a1_signature() {
        // The HS256 example of RFC 7515 A.1, checked with our verifier.
        let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let key = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        assert_eq!(verify_hs256(token, &key).unwrap()["iss"], "joe");
    }

    #[test]
    fn other_algorithms_and_garbage_are_refused() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"iss":"x"}"#);
        assert_eq!(
            verify_hs256(&format!("{header}.{payload}."), b"k"),
            Err(JwtError::UnsupportedAlgorithm("none".into()))
        );
        assert!(matches!(
            verify_hs256("a.b", b"k"),
            Err(JwtError::Malformed(_))
        ));
        assert!(matches!(
            unverified_claims("!!.@@.##"),
            Err(JwtError::Malformed(_))
        ));
    }
}
