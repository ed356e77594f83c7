//! Moving requests in and out: curl commands, Apex snippets for Salesforce,
//! Postman collections.
//!
//! What comes in from elsewhere (a pasted command, a shared collection) is
//! checked by [`check_request`]: a URL, a method or a header name never holds
//! a line break or another [unsafe](is_unsafe) character, nor a header value
//! one other than a tab. What goes out escapes every unsafe character
//! wherever request text lands — Apex comments and string literals, shell
//! words — so no request, however it was saved, can end a comment or a quote
//! early, and no snippet reads differently from what it does.

pub mod apex;
pub mod apex_mock;
pub mod bruno;
pub mod curl;
pub mod har;
pub mod incoming;
pub mod insomnia;
pub mod openapi;
pub mod postman;
pub mod postman_folder;
pub mod sfdx;
pub(crate) mod shell;
pub mod wsdl;

use serde::Serialize;
use ts_rs::TS;

use crate::Result;
use crate::credential_store::CredentialStore;
use crate::http::{Draft, Header};
use crate::requests::{RequestStore, SavedRequest};

/// A request read from a curl command, named and ready to save, and what of
/// the command was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedRequest {
    pub request: SavedRequest,
    pub notes: Vec<String>,
}

/// Reads a curl command into an unsaved request named `name` (default: the
/// method and the URL's path).
pub fn request_from_curl(
    command: &str,
    name: Option<&str>,
    read_file: &dyn Fn(&std::path::Path) -> std::io::Result<String>,
) -> Result<ImportedRequest> {
    let imported = curl::import(command, read_file)?;
    let name = match name {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ => default_name(&imported.draft),
    };
    Ok(ImportedRequest {
        request: SavedRequest::from_draft("", &name, imported.draft),
        notes: imported.notes,
    })
}

/// "POST /services/Soap/u/59.0": the method and the URL's path.
fn default_name(draft: &Draft) -> String {
    let path = url::Url::parse(&draft.url)
        .ok()
        .filter(|url| url.has_host())
        .map_or_else(|| draft.url.clone(), |url| url.path().to_string());
    format!("{} {path}", draft.method)
}

/// Whether `c` is a character no exported snippet writes as it is, and no
/// imported URL, method or header name may hold: every control character
/// (C0 — line feed, carriage return, tab, escape... —, DEL, and C1 with
/// U+0085 next line), the Unicode line and paragraph separators (U+2028,
/// U+2029), and the invisible characters that change how the text around them
/// is shown (bidirectional marks, embeddings, overrides and isolates;
/// zero-width spaces and joiners; the byte-order mark), with which a snippet
/// can read differently from what it does.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// "a line feed (U+000A) at character 12": the first unsafe character of
/// `text` (a tab too unless `tab_allowed`), for an error that never repeats
/// the text itself.
fn first_unsafe(text: &str, tab_allowed: bool) -> Option<String> {
    let (at, c) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| is_unsafe(c) && !(tab_allowed && c == '\t'))?;
    let what = match c {
        '\n' => "a line feed",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{85}' => "a next-line character",
        '\u{2028}' => "a line separator",
        '\u{2029}' => "a paragraph separator",
        c if c.is_control() => "a control character",
        _ => "an invisible formatting character",
    };
    Some(format!(
        "{what} (U+{:04X}) at character {}",
        u32::from(c),
        at + 1
    ))
}

/// Checks a request read from elsewhere: its URL, method and header names
/// hold no [unsafe](is_unsafe) character, its header values none but tabs.
/// The error names the field (a header by its name, escaped) and the
/// character; it never repeats a header value, which may be a secret.
pub fn check_request(
    method: &str,
    url: &str,
    headers: &[Header],
) -> std::result::Result<(), String> {
    let fields = [("URL", url), ("method", method)];
    for (field, text) in fields {
        if let Some(found) = first_unsafe(text, false) {
            return Err(format!("its {field} holds {found}"));
        }
    }
    for (index, header) in headers.iter().enumerate() {
        if let Some(found) = first_unsafe(&header.name, false) {
            return Err(format!(
                "the name of its header {} (\"{}\") holds {found}",
                index + 1,
                header.name.escape_debug()
            ));
        }
        if let Some(found) = first_unsafe(&header.value, true) {
            return Err(format!(
                "the value of its header {} holds {found}",
                header.name
            ));
        }
    }
    Ok(())
}

/// What saving a Postman collection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CollectionImport {
    pub name: String,
    pub requests: Vec<SavedRequest>,
    /// Credential definitions added (without secrets).
    pub credentials_added: Vec<String>,
    /// Credentials the collection describes that exist already, left as they are.
    pub credentials_kept: Vec<String>,
    pub notes: Vec<String>,
}

/// Saves a collection's requests and adds its credential drafts that do not
/// exist yet; `dry_run` saves nothing and says what would happen.
pub fn save_collection(
    collection: postman::Collection,
    credentials: &CredentialStore,
    requests: &RequestStore,
    dry_run: bool,
) -> Result<CollectionImport> {
    let known = credentials.load()?;
    let (kept, added): (Vec<_>, Vec<_>) = collection
        .credentials
        .into_iter()
        .partition(|credential| known.get(&credential.name).is_ok());
    let mut saved = Vec::new();
    if dry_run {
        saved = collection.requests;
    } else {
        for credential in &added {
            credentials.add(credential.clone())?;
        }
        for request in collection.requests {
            saved.push(requests.save(request)?);
        }
    }
    Ok(CollectionImport {
        name: collection.name,
        requests: saved,
        credentials_added: added.into_iter().map(|c| c.name).collect(),
        credentials_kept: kept.into_iter().map(|c| c.name).collect(),
        notes: collection.notes,
    })
}

/// The forms a request can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExportFormat {
    Curl,
    Apex,
}

/// `draft` as a curl command or an Apex snippet.
pub fn export(
    draft: &Draft,
    credentials: &crate::credential::CredentialSet,
    format: ExportFormat,
) -> Result<String> {
    match format {
        ExportFormat::Curl => curl::export(draft, credentials),
        ExportFormat::Apex => apex::export(draft, credentials),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A proptest strategy: short texts of ASCII (controls included), C1
    /// controls, line and paragraph separators, bidirectional overrides, the
    /// byte-order mark and a letter beyond ASCII.
    pub(crate) const MIXED_TEXT: &str =
        "[\\x00-\\x7f\\u{80}-\\u{9f}\\u{2028}\\u{2029}\\u{202a}-\\u{202e}\\u{feff}é]{0,40}";

    #[test]
    fn line_breaks_controls_and_invisible_marks_are_unsafe() {
        for c in [
            '\n', '\r', '\t', '\0', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}',
            '\u{2028}', '\u{2029}', '\u{202e}', '\u{2066}', '\u{200b}', '\u{200f}', '\u{feff}',
            '\u{61c}',
        ] {
            assert!(is_unsafe(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            ' ', 'a', 'é', 'ü', '{', '\'', '"', '\\', '$', '`', '€', '中', '😀',
        ] {
            assert!(!is_unsafe(c), "{c}");
        }
    }

    #[test]
    fn a_request_check_names_the_field_and_the_character_but_never_a_value() {
        let ok = [Header::new("X-Cols", "a\tb")];
        assert_eq!(check_request("GET", "https://x.test/a b", &ok), Ok(()));
        let cases: [(&str, &str, Vec<Header>, &str); 5] = [
            (
                "GET",
                "https://x.test/\n}",
                vec![],
                "its URL holds a line feed (U+000A) at character 16",
            ),
            (
                "GET\u{85}",
                "https://x.test",
                vec![],
                "its method holds a next-line character (U+0085) at character 4",
            ),
            (
                "GET",
                "https://x.test/\u{202e}gpj.exe",
                vec![],
                "its URL holds an invisible formatting character (U+202E) at character 16",
            ),
            (
                "GET",
                "https://x.test",
                vec![Header::new("A", "1"), Header::new("X-B\u{2028}c", "1")],
                "the name of its header 2 (\"X-B\\u{2028}c\") holds a line separator (U+2028) at \
                 character 4",
            ),
            (
                "GET",
                "https://x.test",
                vec![Header::new("Authorization", "Bearer s3cret\r\nX-Admin: 1")],
                "the value of its header Authorization holds a carriage return (U+000D) at \
                 character 14",
            ),
        ];
        for (method, url, headers, expected) in cases {
            assert_eq!(
                check_request(method, url, &headers),
                Err(expected.to_string())
            );
        }
    }
}
