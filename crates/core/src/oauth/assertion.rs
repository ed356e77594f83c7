//! JWT bearer assertions (RFC 7523 §2.1): `iss` the client id, `sub` the
//! user, `aud` the provider (its issuer, else its token endpoint), a short
//! `exp`, a unique `jti`.
//!
//! Signed with the credential's private key from the keychain (RS256, as
//! Salesforce's JWT bearer flow wants), or without one with the client
//! secret (HS256, as the sandbox accepts).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::credential::Credential;
use crate::{Error, Result, Secret};

/// How long an assertion is valid: only long enough to be presented once.
pub(crate) const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// What signs an assertion.
#[derive(Debug, Clone)]
pub(crate) enum SigningKey {
    /// An RSA private key, PEM (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`): RS256.
    PrivateKey(Secret),
    /// The client secret: HS256.
    ClientSecret(Secret),
}

/// A signed assertion for `subject`, addressed to `audience`.
pub(crate) fn jwt_bearer_assertion(
    credential: &Credential,
    subject: &str,
    audience: &str,
    key: Option<&SigningKey>,
    now: SystemTime,
) -> Result<Secret> {
    let invalid = |reason: String| Error::InvalidCredential {
        name: credential.name.clone(),
        reason,
    };
    let key = key.ok_or_else(|| {
        invalid(
            "the JWT bearer flow signs its assertion with a private key or the client secret, and \
             the keychain has neither; edit the credential and give one of them \
             (--private-key-stdin or --client-secret-stdin)"
                .into(),
        )
    })?;
    let issued = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let claims = json!({
        "iss": credential.client_id.clone().unwrap_or_default(),
        "sub": subject,
        "aud": audience,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME.as_secs(),
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let algorithm = match key {
        SigningKey::PrivateKey(_) => "RS256",
        SigningKey::ClientSecret(_) => "HS256",
    };
    let header = json!({"alg": algorithm, "typ": "JWT"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = sign(key, input.as_bytes()).map_err(invalid)?;
    Ok(Secret::new(format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    )))
}

fn sign(key: &SigningKey, input: &[u8]) -> std::result::Result<Vec<u8>, String> {
    match key {
        SigningKey::ClientSecret(secret) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
                .map_err(|_| "the client secret cannot be used as an HMAC key".to_string())?;
            mac.update(input);
            Ok(mac.finalize().into_bytes().to_vec())
        }
        SigningKey::PrivateKey(pem) => {
            let key_pair = rsa_key_pair(pem)?;
            let mut signature = vec![0; key_pair.public().modulus_len()];
            key_pair
                .sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &ring::rand::SystemRandom::new(),
                    input,
                    &mut signature,
                )
                .map_err(|_| "signing the assertion with the private key failed".to_string())?;
            Ok(signature)
        }
    }
}

/// Reads an RSA private key in PEM; says which shape was expected.
pub(crate) fn rsa_key_pair(
    pem: &Secret,
) -> std::result::Result<ring::signature::RsaKeyPair, String> {
    let text = pem.expose();
    let pkcs1 = text.contains("-----BEGIN RSA PRIVATE KEY-----");
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("-----") && !line.is_empty())
        .collect();
    let der = STANDARD.decode(body).map_err(|_| {
        "the private key is not PEM (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA \
         PRIVATE KEY-----)"
            .to_string()
    })?;
    let parsed = if pkcs1 {
        ring::signature::RsaKeyPair::from_der(&der)
    } else {
        ring::signature::RsaKeyPair::from_pkcs8(&der)
    };
    parsed.map_err(|error| format!("the private key is not a usable RSA key ({error})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::jwt_claims;

    /// A throw-away key made for this test only.
    const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDJTCIk+aOHSrT4
i6xmDNaOh1Vb6M62DF5dVd1DndcvHDXsU8Mbzq0JM0Mhqudc3/fQsffTX+iJao76
NkjW+SvKXH03ordjKjtUd3DQGByIAve1+w26Y4hBJDA+0B67PFApcFJFxKKaEhDC
/9OBExKQ0s8YhKAT9zVTK6sJa0KYSrU1deBUK53NLRIB/gcT/0yO+jJpNloRE9Mp
v/8qzPhXPHSCuI8mqhlbo88fEjnaeRc+jBzFw2wAh2VykYe72UWn9rQG3yXazXL8
ISvdvBzW3F9f8MqTrW57r0PIiukq+BtVLBpCEVxsbLE4CSTDA7EPXkWpuoxFdUoe
tLvdxXUXAgMBAAECggEADxCzHNL6zE/TiSckQRj539M8w12s8XlYgKIXUWMD7U3Z
B/W24aMPVo5vGkXI/gLxxZKO39N1kFSYxxzT877UlQG6Cgq+sIhtxfhlyYqHFsjT
aDEWCcU+4n0xB9UZ+l0HtNToBg+y3wFgyW9NvC3EvcZWjdkIhVCtktVu/gv4gR7d
axmQQj/BA082DpGB0nwSoC78QDST89WZ1Tq0wqdKl4OPguwgUOFGfPAk0rPWv8tS
ulIw/A85a9lKBQPBJpif6J6RYyR+36SG/7Jxb8g4Szxo67qwN0bSmqZyGWTJEziE
k06YFw99ZhfRBQxfV3PJP1meprn4eAWHfDkzEGuHAQKBgQD7pcQaFTK1S/p0XVq8
9KBzUgM4Jzfcp7NjiUejh/v/TrgDTks+BwPbY882RyjbMoyV1JBUMuUs+X0qYGfw
KPbjRGQjn4A/fYijC2MWVkyis9OgMteXESO/SEG8+Uxno9J3cFg/nberkpInhcof
PgZAtXNkcFkIoqnxoxi86+kwFwKBgQDMx23jCCADdZKvS8Z0yoSoLiu7LA5C7vi+
vlcTlOU2BdJJkJWvTDETIdtOw0uilCf6kJW0DHEaIbMnJK9+jgiJl0M60CEGEsST
CU+t6dIRBYjE4BlISONgVFDXjWzzdz/RMIIC75mzEJxX8hNeFV4iV1CUHcyNff+A
/3Lwf5QDAQKBgQDX13LAPHZl8mk77eaqM9h7kViZjWnopR7EvTbpGPYYIdjLXRhE
d5fjUVSl5Zsxh8X1rYCt94mCbevhsRb1cu1wOXT66RADZRURY+71dcf9tehKe9FX
DahvpPZdtCbIrkcTkxTeW9TyIKGjrKmU6opKblgvSf3T3lGNpKrPQDmeuQKBgCLk
jG3V8ZaFTyQ9dihqZaY+j8cJ37g5/fqKdk3o3hGRdl6Am3DOO8J1z2ehUV73fcRt
JIUUZaU9PsiZsKmQzBWdx5/a3PWq9wHS4VfR8rBh0Acz5Drz6IJ+e3PvLjRiCma7
rDuR1g+z8d/uaKxsWajiVeGXHkaxxHqXjF88bd0BAoGBAOuHD0nIDygRiwc0lSyt
Z/EsO0PsYYpJaydZITaOdSxLdKZBslmW2Ej//BILgTA88IkED9PALR+s6y9Hv+ML
JH95WaCw1peFl0j1SOpJsLGcMUtu0twDYpZQ/u6QJRlV66n616hhpSbjA0J9bhQs
YpehvcOO6SPqhdiQYcSnL0L+
-----END PRIVATE KEY-----";

    fn credential() -> Credential {
        let mut credential = Credential::new("Jwt", "https://api.example");
        credential.client_id = Some("client-1".into());
        credential
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn the_assertion_names_client_subject_audience_and_a_short_expiry() {
        let key = SigningKey::ClientSecret(Secret::new("key"));
        let assertion = jwt_bearer_assertion(
            &credential(),
            "dev@example.com",
            "https://login.example",
            Some(&key),
            at(1_000),
        )
        .unwrap();
        let claims = jwt_claims(assertion.expose()).unwrap();
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "dev@example.com");
        assert_eq!(claims["aud"], "https://login.example");
        assert_eq!(claims["exp"], 1_300);
        let (input, signature) = assertion.expose().rsplit_once('.').unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(input.as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap())
            .unwrap();
    }

    #[test]
    fn a_private_key_signs_with_rs256_and_the_public_key_verifies_it() {
        let pem = Secret::new(TEST_KEY);
        let assertion = jwt_bearer_assertion(
            &credential(),
            "dev",
            "https://login.salesforce.com",
            Some(&SigningKey::PrivateKey(pem.clone())),
            at(1_000),
        )
        .unwrap();
        let (input, signature) = assertion.expose().rsplit_once('.').unwrap();
        let header = URL_SAFE_NO_PAD
            .decode(input.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&header).unwrap()["alg"],
            "RS256"
        );
        let public = rsa_key_pair(&pem).unwrap().public().as_ref().to_vec();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            public,
        )
        .verify(
            input.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn a_broken_key_or_no_key_says_what_to_do() {
        let broken = SigningKey::PrivateKey(Secret::new("-----BEGIN PRIVATE KEY-----\n!!\n"));
        let error = jwt_bearer_assertion(
            &credential(),
            "s",
            "https://a.example",
            Some(&broken),
            at(0),
        )
        .unwrap_err();
        assert!(error.to_string().contains("is not PEM"), "{error}");
        let error =
            jwt_bearer_assertion(&credential(), "s", "https://a.example", None, at(0)).unwrap_err();
        assert!(error.to_string().contains("--private-key-stdin"), "{error}");
    }
}
