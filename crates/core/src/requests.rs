//! Saved requests: what a person keeps in the request editor, in a
//! human-readable `requests.json` in the config directory (no secrets: merge
//! fields stay unreplaced), and the sample requests a first run starts with.
//!
//! Writes are atomic (see [`write_atomically`]); a file someone broke by hand
//! is reported with its line and column and never overwritten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::assertion::{Assertion, Extraction};
use crate::credential::CredentialSecrets;
use crate::credential_store::{CredentialStore, Identity, write_atomically};
use crate::endpoint;
use crate::home::Home;
use crate::http::{Draft, Header};
use crate::lock::FileLock;
use crate::merge::{self, DisplayRequest, Lint};
use crate::{Error, ErrorKind, ErrorReport, Result, Secret};

/// The saved requests' file name inside the config directory.
pub(crate) const REQUESTS_FILE: &str = "requests.json";

/// The Salesforce API version of the sample requests' URLs (`/services/Soap/u/59.0`,
/// `/services/data/v59.0/...`); the sandbox serves it and the app shows it.
pub const SALESFORCE_API_VERSION: &str = "59.0";

/// One saved request. `id` is empty for a request not saved yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedRequest {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub body_kind: BodyKind,
    /// One of the seed requests of a first run.
    #[serde(default)]
    pub sample: bool,
    /// What its response is checked for each time it runs.
    #[serde(default)]
    pub assertions: Vec<Assertion>,
    /// Values its response gives to the requests run after it.
    #[serde(default)]
    pub extract: Vec<Extraction>,
}

/// How the editor highlights the body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum BodyKind {
    #[default]
    None,
    Xml,
    Json,
    Text,
}

impl SavedRequest {
    /// A saved request holding `draft`.
    pub fn from_draft(id: &str, name: &str, draft: Draft) -> Self {
        let body_kind = match &draft.body {
            None => BodyKind::None,
            Some(body) if body.trim_start().starts_with('<') => BodyKind::Xml,
            Some(body) if body.trim_start().starts_with(['{', '[']) => BodyKind::Json,
            Some(_) => BodyKind::Text,
        };
        Self {
            id: id.to_string(),
            name: name.to_string(),
            method: draft.method,
            url: draft.url,
            headers: draft.headers,
            body: draft.body,
            body_kind,
            sample: false,
            assertions: Vec::new(),
            extract: Vec::new(),
        }
    }

    /// The request as the sending pipeline takes it.
    pub fn draft(&self) -> Draft {
        Draft {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
        }
    }

    /// Names the first thing that keeps this request from being saved.
    pub fn validate(&self) -> Result<()> {
        let request = self;
        let invalid = |reason: &str| Error::InvalidUrl {
            url: request.url.clone(),
            reason: format!("request \"{}\" {reason}", self.name),
        };
        if self.name.trim().is_empty() {
            return Err(invalid("needs a name"));
        }
        let method = request.method.trim();
        if method.is_empty() || !method.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(Error::InvalidMethod {
                method: request.method.clone(),
            });
        }
        if request.url.trim().is_empty() {
            return Err(invalid("needs a URL"));
        }
        if let Some(header) = request.headers.iter().find(|h| h.name.trim().is_empty()) {
            return Err(Error::InvalidHeader {
                name: header.name.clone(),
                reason: format!("request \"{}\" has a header without a name", self.name),
            });
        }
        Ok(())
    }
}

/// The file's shape: `{"requests": [...]}`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RequestFile {
    #[serde(default)]
    requests: Vec<SavedRequest>,
}

/// The seed requests of a first run, all against credential `credential`
/// (the embedded sandbox's): the Salesforce SOAP `query` with the token in
/// the `SessionHeader`, the Salesforce REST query, a WSO2-style API and an
/// RFC 6750 API.
pub fn samples(credential: &str) -> Vec<SavedRequest> {
    let sample = |id: &str, name: &str, draft: Draft| SavedRequest {
        sample: true,
        ..SavedRequest::from_draft(id, name, draft)
    };
    let json_get = |path: &str| {
        Draft::new("GET", format!("callout:{credential}{path}"))
            .header("Accept", "application/json")
    };
    vec![
        sample(
            "sample-soap-query",
            "Salesforce SOAP query",
            Draft::new(
                "POST",
                format!("callout:{credential}/services/Soap/u/{SALESFORCE_API_VERSION}"),
            )
            .header("Content-Type", "text/xml; charset=UTF-8")
            .header("SOAPAction", "\"\"")
            .body(soap_query_envelope("SELECT Id, Name FROM Account")),
        ),
        sample(
            "sample-rest-query",
            "Salesforce REST query",
            json_get(&format!(
                "/services/data/v{SALESFORCE_API_VERSION}/query?q=SELECT+Id,Name+FROM+Account"
            )),
        ),
        sample(
            "sample-wso2",
            "WSO2-style API call",
            json_get("/wso2/accounts"),
        ),
        sample(
            "sample-rfc6750",
            "RFC 6750 API call",
            json_get("/rfc6750/accounts"),
        ),
    ]
}

/// A Salesforce partner API `query` envelope (SOAP 1.1) carrying
/// `{!$Credential.OAuthToken}` in `SessionHeader/sessionId`.
pub fn soap_query_envelope(soql: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header>
    <urn:SessionHeader>
      <urn:sessionId>{{!$Credential.OAuthToken}}</urn:sessionId>
    </urn:SessionHeader>
  </soapenv:Header>
  <soapenv:Body>
    <urn:query>
      <urn:queryString>{}</urn:queryString>
    </urn:query>
  </soapenv:Body>
</soapenv:Envelope>
"#,
        escape_xml(soql)
    )
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The saved requests of one home.
#[derive(Debug, Clone)]
pub struct RequestStore {
    path: PathBuf,
    lock: PathBuf,
    /// The credential the samples of a first run point at.
    samples_for: String,
}

impl RequestStore {
    /// The store of `home`; a first run is seeded with [`samples`] for
    /// credential `samples_for`.
    pub fn new(home: &Home, samples_for: impl Into<String>) -> Self {
        Self {
            path: home.config_dir().join(REQUESTS_FILE),
            lock: home.locks_dir().join("requests-file.lock"),
            samples_for: samples_for.into(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every saved request, in the file's order. When there is no file yet,
    /// the samples are written to it first.
    pub fn list(&self) -> Result<Vec<SavedRequest>> {
        self.edit(|_| Ok(()))
    }

    /// Adds (`id` empty: a new id is given) or replaces (same `id`) a request.
    pub fn save(&self, mut request: SavedRequest) -> Result<SavedRequest> {
        request.validate()?;
        if request.id.trim().is_empty() {
            request.id = uuid::Uuid::new_v4().simple().to_string();
        }
        let saved = request.clone();
        self.edit(move |requests| {
            match requests.iter_mut().find(|r| r.id == request.id) {
                Some(slot) => *slot = request,
                None => requests.push(request),
            }
            Ok(())
        })?;
        Ok(saved)
    }

    /// Deletes the request with `id`.
    pub fn delete(&self, id: &str) -> Result<()> {
        let path = self.path.display().to_string();
        self.edit(|requests| {
            let before = requests.len();
            requests.retain(|request| request.id != id);
            if requests.len() == before {
                return Err(Error::Storage {
                    action: "find the saved request",
                    path: format!("\"{id}\" in {path}"),
                    detail: "there is no request with that id".into(),
                });
            }
            Ok(())
        })
        .map(|_| ())
    }

    /// Reads (seeding a first run), changes and writes back under the
    /// file's lock; returns the requests as written.
    fn edit(
        &self,
        change: impl FnOnce(&mut Vec<SavedRequest>) -> Result<()>,
    ) -> Result<Vec<SavedRequest>> {
        let _lock = FileLock::exclusive(&self.lock)?;
        let (mut requests, existed) = match read_requests(&self.path)? {
            Some(requests) => (requests, true),
            None => (samples(&self.samples_for), false),
        };
        let before = requests.clone();
        change(&mut requests)?;
        if !existed || requests != before {
            write_requests(&self.path, &requests)?;
        }
        Ok(requests)
    }
}

/// The requests in `path`; `None` when there is no file.
pub(crate) fn read_requests(path: &Path) -> Result<Option<Vec<SavedRequest>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(Error::Storage {
                action: "read",
                path: path.display().to_string(),
                detail: error.to_string(),
            });
        }
    };
    parse_requests(path, &text).map(Some)
}

/// Parses the file's text; a broken file is named with line and column.
pub(crate) fn parse_requests(path: &Path, text: &str) -> Result<Vec<SavedRequest>> {
    let file: RequestFile = serde_json::from_str(text).map_err(|error| Error::Storage {
        action: "read the saved requests in",
        path: path.display().to_string(),
        detail: format!(
            "the file is broken at line {}, column {}: {error}. Fix the file by hand (or move it \
             away to start over); Callout Lab does not overwrite a file it cannot read",
            error.line(),
            error.column()
        ),
    })?;
    Ok(file.requests)
}

fn write_requests(path: &Path, requests: &[SavedRequest]) -> Result<()> {
    let file = RequestFile {
        requests: requests.to_vec(),
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|error| Error::Storage {
        action: "encode the saved requests for",
        path: path.display().to_string(),
        detail: error.to_string(),
    })?;
    text.push('\n');
    write_atomically(path, text.as_bytes())
}

/// A draft rendered without sending it: the request as it would go out
/// (secrets masked) and where Salesforce would differ, or why it cannot be
/// rendered (with the place, for errors in its text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preview {
    pub request: Option<DisplayRequest>,
    pub lint: Vec<Lint>,
    pub error: Option<ErrorReport>,
}

/// Renders `draft` with what the keychain holds now, never refreshing and
/// never sending. A credential not authorized yet renders with a stand-in
/// token (shown masked like any other), so the request can still be read.
pub fn preview(store: &CredentialStore, draft: &Draft) -> Preview {
    match render_preview(store, draft) {
        Ok(rendered) => Preview {
            request: Some(rendered.display()),
            lint: rendered.lint,
            error: None,
        },
        Err(error) => Preview {
            request: None,
            lint: Vec::new(),
            error: Some(ErrorReport::from(&error)),
        },
    }
}

fn render_preview(store: &CredentialStore, draft: &Draft) -> Result<merge::Rendered> {
    let target = endpoint::split(&draft.url)?;
    let credentials = store.load_for(&target)?;
    let call = target.resolve(draft, &credentials)?;
    let Some(credential) = call.credential else {
        return merge::render(&call, &CredentialSecrets::default());
    };
    let identity = Identity::for_credential(credential, None);
    let authorization = store.authorization(&credential.name, &identity)?;
    let secrets = CredentialSecrets {
        access_token: Some(authorization.tokens.map_or_else(
            || Secret::new("not-authorized"),
            |tokens| tokens.access_token,
        )),
        username: authorization.username,
        password: authorization.password,
        ..CredentialSecrets::default()
    };
    merge::render(&call, &secrets)
}

/// Whether a preview's error means the draft itself is wrong (so sending
/// it must not even start), rather than a value missing until it is sent.
pub fn blocks_sending(error: &ErrorReport) -> bool {
    !matches!(error.kind, ErrorKind::MissingCredentialValue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, RequestStore) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        let store = RequestStore::new(&home, "Sandbox");
        (dir, store)
    }

    #[test]
    fn a_first_run_writes_the_samples_to_a_readable_file() {
        let (_dir, store) = store();
        let requests = store.list().unwrap();
        let names: Vec<&str> = requests.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Salesforce SOAP query",
                "Salesforce REST query",
                "WSO2-style API call",
                "RFC 6750 API call"
            ]
        );
        assert!(requests.iter().all(|r| r.sample));
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("\"bodyKind\": \"xml\""), "{text}");
        assert!(
            text.contains("callout:Sandbox/services/Soap/u/59.0"),
            "{text}"
        );
        // Deleted samples stay deleted: the file now exists.
        store.delete("sample-wso2").unwrap();
        assert_eq!(store.list().unwrap().len(), 3);
    }

    #[test]
    fn save_adds_with_a_new_id_and_replaces_by_id() {
        let (_dir, store) = store();
        let mut request = SavedRequest {
            id: String::new(),
            name: "Mine".into(),
            method: "GET".into(),
            url: "callout:Sandbox/wso2/x".into(),
            headers: vec![],
            body: None,
            body_kind: BodyKind::None,
            sample: false,
            assertions: Vec::new(),
            extract: Vec::new(),
        };
        let saved = store.save(request.clone()).unwrap();
        assert!(!saved.id.is_empty());
        request.id = saved.id.clone();
        request.name = "Renamed".into();
        store.save(request).unwrap();
        let all = store.list().unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(all[4].name, "Renamed");
        let error = store.delete("nope").unwrap_err();
        assert!(
            error.to_string().contains("no request with that id"),
            "{error}"
        );
    }

    #[test]
    fn a_request_without_a_name_or_with_a_bad_method_is_refused() {
        let (_dir, store) = store();
        let mut request = samples("Sandbox")[1].clone();
        request.name = " ".into();
        assert!(
            store
                .save(request.clone())
                .unwrap_err()
                .to_string()
                .contains("needs a name")
        );
        request.name = "x".into();
        request.method = "GE T".into();
        assert!(matches!(
            store.save(request).unwrap_err(),
            Error::InvalidMethod { .. }
        ));
    }

    #[test]
    fn a_broken_file_is_named_with_its_position_and_left_alone() {
        let (_dir, store) = store();
        let broken = "{\"requests\": [\n  {\"name\": }\n]}\n";
        std::fs::write(store.path(), broken).unwrap();
        let error = store.list().unwrap_err();
        let message = error.to_string();
        assert!(message.contains("requests.json"), "{message}");
        assert!(message.contains("line 2, column"), "{message}");
        assert!(message.contains("does not overwrite"), "{message}");
        assert!(store.save(samples("Sandbox")[0].clone()).is_err());
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), broken);
    }
}
