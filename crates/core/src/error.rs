//! The one error type of `callout-core`.

use serde::Serialize;
use ts_rs::TS;

use crate::source::{Location, Position};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OS keychain could not be used at all (no Secret Service, locked,
    /// access denied). Nothing is written anywhere else as a fallback.
    #[error(
        "the OS keychain is unavailable while trying to {action} \"{account}\": {detail}. \
         {hint}"
    )]
    KeychainUnavailable {
        action: &'static str,
        account: String,
        detail: String,
        hint: &'static str,
    },

    /// The keychain answered, but refused or failed the operation.
    #[error("the OS keychain could not {action} \"{account}\": {detail}")]
    Keychain {
        action: &'static str,
        account: String,
        detail: String,
    },

    /// A `{!...}` names a field Callout Lab (and Salesforce) does not know.
    #[error(
        "unknown merge field {{!{name}}} in the {location} at line {line}, column {column}; \
         known fields: $Credential.OAuthToken, .Username, .Password, .AuthorizationMethod, \
         .AuthorizationHeaderValue, .OAuthConsumerKey, $Credential.<ExternalCredential>.<Parameter>"
    )]
    UnknownMergeField {
        name: String,
        location: Location,
        line: usize,
        column: usize,
    },

    /// A `{{name}}` no scope (request, folder, environment, collection) has.
    #[error(
        "unknown variable {{{{{name}}}}} in the {location} at line {line}, column {column}; {}",
        known_variables(.known)
    )]
    UnknownVariable {
        name: String,
        location: Location,
        line: usize,
        column: usize,
        known: Vec<String>,
    },

    /// A secret variable a request uses has no value in the keychain (a
    /// collection cloned from git, another machine, a keychain reset).
    #[error(
        "secret variable {{{{{name}}}}} of {} has no value in the keychain (a secret is never in \
         the collection's files: each machine sets it once); set it (`callout env set {name} \
         --secret{}`)",
        secret_owner(.collection, .environment.as_deref()),
        env_flag(.environment.as_deref())
    )]
    MissingSecret {
        name: String,
        collection: String,
        environment: Option<String>,
    },

    /// Variables whose values refer to each other in a circle.
    #[error("the variables in the {location} refer to each other in a circle: {chain}")]
    VariableLoop { chain: String, location: Location },

    /// A `{!` without its closing `}`.
    #[error(
        "unclosed merge field: the {{! in the {location} at line {line}, column {column} has no closing }}"
    )]
    UnclosedMergeField {
        location: Location,
        line: usize,
        column: usize,
    },

    /// A function other than HTMLENCODE wraps a merge field.
    #[error(
        "function {name} is not allowed around a merge field (in the {location} at line {line}, \
         column {column}); only HTMLENCODE may wrap a merge field"
    )]
    DisallowedMergeFunction {
        name: String,
        location: Location,
        line: usize,
        column: usize,
    },

    /// A merge-field formula that cannot be read as written: a syntax error,
    /// a text where a blob belongs (or the reverse), a formula too long.
    #[error("{problem} in the {location} at line {line}, column {column}")]
    InvalidMergeFormula {
        problem: String,
        location: Location,
        line: usize,
        column: usize,
    },

    /// A merge field needs a value the credential does not have (no token yet,
    /// no password, no such external-credential parameter).
    #[error("{field} needs {needs}, and credential \"{credential}\" has none")]
    MissingCredentialValue {
        field: String,
        needs: String,
        credential: String,
    },

    /// Merge fields were used in a request that names no credential.
    #[error(
        "the {location} uses merge field {{!{field}}}, but the URL names no credential: \
         use a callout:NAME/... URL"
    )]
    MergeFieldWithoutCredential { field: String, location: Location },

    /// `callout:NAME` names no known credential.
    #[error("unknown credential \"{name}\" in callout:{name}; known credentials: {}", known_list(.known))]
    UnknownCredential { name: String, known: Vec<String> },

    /// A credential definition is not usable as written.
    #[error("credential \"{name}\" is invalid: {reason}")]
    InvalidCredential { name: String, reason: String },

    /// A URL that cannot be sent to.
    #[error("invalid URL \"{url}\": {reason}")]
    InvalidUrl { url: String, reason: String },

    /// An HTTP method that is not a valid token.
    #[error(
        "invalid HTTP method \"{method}\": use a method such as GET, POST, PUT, PATCH or DELETE"
    )]
    InvalidMethod { method: String },

    /// A curl command or a collection that cannot be imported as written.
    #[error("cannot import the {what}: {detail}")]
    Import { what: &'static str, detail: String },

    /// A request that cannot be exported in the asked form.
    #[error("cannot export the request as {format}: {detail}")]
    Export {
        format: &'static str,
        detail: String,
    },

    /// A header name or value that cannot go on the wire.
    #[error("invalid header \"{name}\": {reason}")]
    InvalidHeader { name: String, reason: String },

    /// The request could not be sent or no response came back.
    #[error("could not reach {url}: {detail}")]
    Transport { url: String, detail: String },

    /// Refreshing a credential's token failed.
    #[error("refreshing credential \"{credential}\" failed: {detail}")]
    Refresh { credential: String, detail: String },

    /// The credential's refresh token is dead (expired, revoked, rotated away)
    /// or it was never authorized: only a new authorization helps.
    #[error(
        "credential \"{credential}\" needs re-authorization: {reason}. \
         Authorize it again (`callout authorize {credential}`)"
    )]
    NeedsReauthorization { credential: String, reason: String },

    /// Authorizing a credential (any flow) did not produce tokens.
    #[error("authorizing credential \"{credential}\" failed: {detail}")]
    Authorization { credential: String, detail: String },

    /// The credentials file is not valid; it is left as it is.
    #[error(
        "credentials file {path} is broken at line {line}, column {column}: {message}. \
         Fix the file by hand; Callout Lab does not overwrite a file it cannot read"
    )]
    CredentialsFile {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A file of a collection (a request, the collection's own file) is not
    /// valid; it is left as it is.
    #[error(
        "{path} is broken at line {line}, column {column}: {message}. Fix the file by hand; \
         Callout Lab does not overwrite a file it cannot read"
    )]
    CollectionFile {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A collection's file changed on disk (another editor, a `git pull`)
    /// after it was read: saving over it would lose that change.
    #[error(
        "{path} changed on disk since it was opened (another editor, a git pull); nothing was \
         overwritten: open it again, then make the change again"
    )]
    ChangedOnDisk { path: String },

    /// A file or directory of Callout Lab's home could not be used.
    #[error("could not {action} {path}: {detail}")]
    Storage {
        action: &'static str,
        path: String,
        detail: String,
    },

    /// The sandbox could not bind its port or start its server thread.
    #[error("the sandbox could not start on 127.0.0.1:{port}: {detail}")]
    SandboxStart { port: u16, detail: String },
}

/// A stable, machine-readable category for an [`Error`], so a UI can offer the
/// right next step (retry, re-authorize, fix input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorKind {
    KeychainUnavailable,
    Keychain,
    MergeField,
    Variable,
    MissingCredentialValue,
    UnknownCredential,
    InvalidCredential,
    InvalidRequest,
    Import,
    Transport,
    Refresh,
    SandboxStart,
    NeedsReauthorization,
    Authorization,
    CredentialsFile,
    CollectionFile,
    ChangedOnDisk,
    Storage,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::KeychainUnavailable { .. } => ErrorKind::KeychainUnavailable,
            Error::Keychain { .. } => ErrorKind::Keychain,
            Error::UnknownMergeField { .. }
            | Error::UnclosedMergeField { .. }
            | Error::DisallowedMergeFunction { .. }
            | Error::InvalidMergeFormula { .. }
            | Error::MergeFieldWithoutCredential { .. } => ErrorKind::MergeField,
            Error::UnknownVariable { .. }
            | Error::VariableLoop { .. }
            | Error::MissingSecret { .. } => ErrorKind::Variable,
            Error::MissingCredentialValue { .. } => ErrorKind::MissingCredentialValue,
            Error::UnknownCredential { .. } => ErrorKind::UnknownCredential,
            Error::InvalidCredential { .. } => ErrorKind::InvalidCredential,
            Error::InvalidUrl { .. }
            | Error::InvalidHeader { .. }
            | Error::InvalidMethod { .. } => ErrorKind::InvalidRequest,
            Error::Import { .. } | Error::Export { .. } => ErrorKind::Import,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Refresh { .. } => ErrorKind::Refresh,
            Error::SandboxStart { .. } => ErrorKind::SandboxStart,
            Error::NeedsReauthorization { .. } => ErrorKind::NeedsReauthorization,
            Error::Authorization { .. } => ErrorKind::Authorization,
            Error::CredentialsFile { .. } => ErrorKind::CredentialsFile,
            Error::CollectionFile { .. } => ErrorKind::CollectionFile,
            Error::ChangedOnDisk { .. } => ErrorKind::ChangedOnDisk,
            Error::Storage { .. } => ErrorKind::Storage,
        }
    }
}

/// An error as it crosses to the UI: `{kind, message}`, and for an error in
/// the text of a request, where it is (so an editor can point at it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub at: Option<Position>,
}

impl Error {
    /// Where in a request the error is, for errors in a request's text.
    pub fn place(&self) -> (Option<&Location>, Option<Position>) {
        match self {
            Error::UnknownMergeField {
                location,
                line,
                column,
                ..
            }
            | Error::UnclosedMergeField {
                location,
                line,
                column,
            }
            | Error::DisallowedMergeFunction {
                location,
                line,
                column,
                ..
            }
            | Error::InvalidMergeFormula {
                location,
                line,
                column,
                ..
            }
            | Error::UnknownVariable {
                location,
                line,
                column,
                ..
            } => (
                Some(location),
                Some(Position {
                    line: *line,
                    column: *column,
                }),
            ),
            Error::MergeFieldWithoutCredential { location, .. }
            | Error::VariableLoop { location, .. } => (Some(location), None),
            _ => (None, None),
        }
    }
}

impl From<&Error> for ErrorReport {
    fn from(error: &Error) -> Self {
        let (location, at) = error.place();
        Self {
            kind: error.kind(),
            message: for_window(&error.to_string()),
            location: location.cloned(),
            at,
        }
    }
}

/// `text` as the window shows it: without the parts that say how to do
/// something in a terminal. Core's messages say what to do in words a
/// window and a terminal share ("authorize it again"), then the `callout`
/// command or flag in parentheses: `` (`callout authorize X`) `` or
/// `(--client-secret-stdin)`. The CLI prints them whole; the app drops the
/// parentheses, since its buttons and fields are named by the words.
pub(crate) fn for_window(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(" (") {
        let inside = &rest[start + 2..];
        let is_hint = inside.starts_with("`callout ")
            || inside
                .strip_prefix("--")
                .is_some_and(|flag| flag.starts_with(|c: char| c.is_ascii_lowercase()));
        match inside.find(')').filter(|_| is_hint) {
            Some(end) => {
                out.push_str(&rest[..start]);
                rest = &inside[end + 1..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = inside;
            }
        }
    }
    out.push_str(rest);
    out
}

/// "A, B, C", or "none" when there are no names to list.
fn known_variables(names: &[String]) -> String {
    if names.is_empty() {
        "no scope defines any (add it to the request, its folder, the environment or the \
         collection)"
            .to_string()
    } else {
        format!("known variables: {}", names.join(", "))
    }
}

/// "environment Dev of collection "Acme"", or "collection "Acme"".
fn secret_owner(collection: &str, environment: Option<&str>) -> String {
    match environment {
        Some(environment) => format!("environment {environment} of collection \"{collection}\""),
        None => format!("collection \"{collection}\""),
    }
}

/// ` --env NAME` (quoted when it holds a space), or nothing.
fn env_flag(environment: Option<&str>) -> String {
    match environment {
        Some(name) if name.contains(char::is_whitespace) => format!(" --env \"{name}\""),
        Some(name) => format!(" --env {name}"),
        None => String::new(),
    }
}

fn known_list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_reads_no_terminal_commands_or_flags() {
        assert_eq!(
            for_window(
                "the keychain has none for it; edit the credential and give its client secret \
                 (`callout credential edit Api --client-secret-stdin`)"
            ),
            "the keychain has none for it; edit the credential and give its client secret"
        );
        assert_eq!(
            for_window("it has no authorization URL (--auth-url) and no issuer"),
            "it has no authorization URL and no issuer"
        );
        // Parentheses that are not a terminal's how stay.
        assert_eq!(
            for_window("HTTP 500 (a SOAP fault) at (see below)"),
            "HTTP 500 (a SOAP fault) at (see below)"
        );
    }

    #[test]
    fn other_errors_carry_no_place() {
        let error = Error::UnknownCredential {
            name: "Nope".into(),
            known: vec![],
        };
        let json = serde_json::to_value(ErrorReport::from(&error)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "unknownCredential",
                "message": "unknown credential \"Nope\" in callout:Nope; known credentials: none"
            })
        );
    }
}
