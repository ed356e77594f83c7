//! `callout:NAME/path?query` endpoints: which credential a URL names, and the
//! real URL it stands for once joined to that credential's endpoint.

use crate::credential::{Credential, CredentialSet};
use crate::http::Draft;
use crate::{Error, Result};

/// The scheme Salesforce uses for Named Credential endpoints.
pub(crate) const CALLOUT_SCHEME: &str = "callout:";

/// A URL as written, split into the credential it names (if any) and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// `NAME` of `callout:NAME/...`; `None` for a plain `http(s)://` URL.
    pub credential: Option<&'a str>,
    /// For `callout:` URLs the part after the name (`/path?query`, possibly
    /// empty); otherwise the whole URL.
    pub rest: &'a str,
}

/// Splits `url` into the credential it names and the rest. `callout:` is
/// recognised in any case; the name ends at the first `/`, `?` or `#`.
pub fn split(url: &str) -> Result<Target<'_>> {
    let trimmed = url.trim();
    let is_callout = trimmed
        .get(..CALLOUT_SCHEME.len())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(CALLOUT_SCHEME));
    if !is_callout {
        return Ok(Target {
            credential: None,
            rest: trimmed,
        });
    }
    let after = &trimmed[CALLOUT_SCHEME.len()..];
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (name, rest) = after.split_at(end);
    if name.is_empty() {
        return Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "callout: needs a credential name, as in callout:My_Credential/path".into(),
        });
    }
    Ok(Target {
        credential: Some(name),
        rest,
    })
}

impl<'a> Target<'a> {
    /// Looks up the credential this target names in `credentials` (an
    /// unknown name is an error), for a whole send to use.
    pub fn resolve(self, draft: &'a Draft, credentials: &'a CredentialSet) -> Result<Call<'a>> {
        let credential = self
            .credential
            .map(|name| credentials.get(name))
            .transpose()?;
        Ok(Call {
            draft,
            credential,
            rest: self.rest,
        })
    }
}

/// A draft with its URL split and the credential it names looked up, once:
/// checking, rendering, sending, the retry and the exports all read this
/// instead of splitting the URL again.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub draft: &'a Draft,
    /// The credential `callout:NAME` names; `None` for a plain URL.
    pub credential: Option<&'a Credential>,
    /// For a `callout:` URL the part after the name; otherwise the whole URL.
    pub rest: &'a str,
}

impl<'a> Call<'a> {
    /// Splits `draft`'s URL and looks up its credential in `credentials`.
    pub fn resolve(draft: &'a Draft, credentials: &'a CredentialSet) -> Result<Self> {
        split(&draft.url)?.resolve(draft, credentials)
    }

    /// The URL before merge fields are filled: a `callout:` URL joined to
    /// its credential's endpoint, a plain one as written.
    pub fn joined_url(&self) -> String {
        match self.credential {
            Some(credential) => join(&credential.endpoint, self.rest),
            None => self.rest.to_string(),
        }
    }

    /// Where the call's requests go, for the gate that limits how many are
    /// in flight to one place: the credential's endpoint, or the plain URL.
    pub fn destination(&self) -> &'a str {
        self.credential
            .map_or(self.rest, |credential| credential.endpoint.as_str())
    }
}

/// Joins a credential's endpoint and the rest of a `callout:` URL the way
/// Salesforce does: the path is appended to the endpoint's own path.
pub fn join(endpoint: &str, rest: &str) -> String {
    format!("{}{rest}", prefix(endpoint, rest))
}

/// What goes before `rest` when it is joined to `endpoint`.
pub fn prefix(endpoint: &str, rest: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if rest.is_empty() {
        endpoint.to_string()
    } else if rest.starts_with('/') {
        base.to_string()
    } else {
        // `?query` or `#fragment` directly after the name.
        format!("{base}/")
    }
}

/// Parses the final URL and checks that it can be sent: absolute, `http` or
/// `https`, with a host. `shown` is the form named in errors (secrets masked).
pub fn check(url: &str, shown: &str) -> Result<url::Url> {
    let invalid = |reason: String| Error::InvalidUrl {
        url: shown.to_string(),
        reason,
    };
    let parsed = url::Url::parse(url).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => invalid(
            "a URL must be absolute (http://... or https://...) or name a credential \
             (callout:NAME/path)"
                .into(),
        ),
        other => invalid(other.to_string()),
    })?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(parsed),
        "http" | "https" => Err(invalid("the URL has no host".into())),
        other => Err(invalid(format!(
            "only http and https URLs (or callout:NAME/path) can be sent, not {other}:"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_callout_urls() {
        let target = split("callout:Sales_API/services/data?q=1").unwrap();
        assert_eq!(target.credential, Some("Sales_API"));
        assert_eq!(target.rest, "/services/data?q=1");
        assert_eq!(split("CALLOUT:x?a=b").unwrap().credential, Some("x"));
        assert_eq!(split("callout:x").unwrap().rest, "");
    }

    #[test]
    fn plain_urls_name_no_credential() {
        let target = split(" https://example.com/x ").unwrap();
        assert_eq!(target.credential, None);
        assert_eq!(target.rest, "https://example.com/x");
    }

    #[test]
    fn an_empty_name_is_an_error() {
        assert_eq!(
            split("callout:/path").unwrap_err().to_string(),
            "invalid URL \"callout:/path\": callout: needs a credential name, as in \
             callout:My_Credential/path"
        );
    }

    #[test]
    fn joins_like_salesforce() {
        assert_eq!(join("https://h/api/", "/v1?x=1"), "https://h/api/v1?x=1");
        assert_eq!(join("https://h", "?x=1"), "https://h/?x=1");
        assert_eq!(join("https://h/base", ""), "https://h/base");
    }

    #[test]
    fn malformed_urls_say_why() {
        assert_eq!(
            check("example.com/x", "example.com/x")
                .unwrap_err()
                .to_string(),
            "invalid URL \"example.com/x\": a URL must be absolute (http://... or https://...) \
             or name a credential (callout:NAME/path)"
        );
        assert_eq!(
            check("ftp://h/x", "ftp://h/x").unwrap_err().to_string(),
            "invalid URL \"ftp://h/x\": only http and https URLs (or callout:NAME/path) can be \
             sent, not ftp:"
        );
        assert!(check("http://[::1/x", "http://[::1/x").is_err());
    }
}
