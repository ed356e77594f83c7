//! Merge fields: `{!$Credential.OAuthToken}` and friends, parsed with their
//! positions, rendered into the request that is sent and into one for display
//! with every secret masked, and checked against what Salesforce would do.
//!
//! # Matching
//! As in Salesforce formulas, `$Credential`, the field names and the function
//! names are matched ignoring ASCII case: `{!$credential.oauthtoken}` is the
//! token. Spaces (and line breaks) between the parts are allowed. There is no
//! escape for a literal `{!`: every `{!` starts a merge field, which ends at
//! the first `}` outside a quoted text.
//!
//! # Fields and formulas
//! A merge field is a single field, `{!$Credential.Password}`, or HTMLENCODE
//! around one, `{!HTMLENCODE($Credential.Username)}`: a [`Segment::Field`].
//! Anything else is a Named Credential formula ([`Segment::Formula`], parsed
//! in [`formula`]): quoted texts (`'...'` or `"..."`, with `\'`, `\"`, `\\`),
//! `&` to join texts, the fields `$Credential.*`, `$User.Username`, `$User.Id`
//! and `$Organization.Id`, and the functions BASE64ENCODE, BASE64DECODE,
//! BLOB, HEX, HASH(algorithm, blob), HMAC(algorithm, message, key) and
//! HTMLENCODE. For example
//! `{!'Basic ' & BASE64ENCODE(BLOB($Credential.Username & ':' & $Credential.Password))}`.
//! Values are text or blobs, and a blob where text belongs (or the reverse)
//! is an error at its line and column ([`Error::InvalidMergeFormula`], like
//! every syntax error), before anything is sent. A field the credential has
//! no value for, or a credential value BASE64DECODE cannot decode, is
//! [`Error::MissingCredentialValue`] when rendered. A value computed from a
//! secret is a secret, masked in the display form; a formula of only quoted
//! texts and plain values is plain, and needs no credential.
//!
//! # Limits
//! As in Salesforce, a formula has at most 3,900 characters
//! ([`formula::MAX_LENGTH`]); it nests at most [`formula::MAX_DEPTH`] levels.
//! Salesforce evaluates formula functions only in headers, and only
//! HTMLENCODE in the body: any other function in the URL or the body is an
//! error ([`Error::DisallowedMergeFunction`]).
//!
//! # Where fields are replaced
//! Callout Lab replaces merge fields and formulas in the URL, the headers and
//! the body, and HTMLENCODE works anywhere. Where Salesforce would not do the
//! same (a field in the URL, HTMLENCODE in a header, a formula in the body,
//! a HASH or HMAC algorithm other than `SHA-256`), the rendered request
//! carries a [`Lint`] that says so.

use std::fmt;

use base64::Engine as _;
use serde::Serialize;
use ts_rs::TS;

use crate::credential::{AuthProtocol, Credential, CredentialSecrets};
use crate::endpoint::Call;
use crate::http::Header;
pub use crate::source::{Location, Part, Position};
use crate::{Error, Result, Secret, endpoint};

pub mod formula;

pub use formula::{Formula, Operand, OrganizationField, UserField};

/// A field a merge expression can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeField {
    OAuthToken,
    Username,
    Password,
    AuthorizationMethod,
    AuthorizationHeaderValue,
    OAuthConsumerKey,
    /// `{!$Credential.ExternalCredential.Parameter}`.
    External {
        credential: String,
        parameter: String,
    },
}

impl MergeField {
    const LEGACY: [(&'static str, MergeField); 6] = [
        ("OAuthToken", MergeField::OAuthToken),
        ("Username", MergeField::Username),
        ("Password", MergeField::Password),
        ("AuthorizationMethod", MergeField::AuthorizationMethod),
        (
            "AuthorizationHeaderValue",
            MergeField::AuthorizationHeaderValue,
        ),
        ("OAuthConsumerKey", MergeField::OAuthConsumerKey),
    ];

    /// The canonical spelling, e.g. `$Credential.OAuthToken`.
    pub fn canonical(&self) -> String {
        match self {
            MergeField::External {
                credential,
                parameter,
            } => format!("$Credential.{credential}.{parameter}"),
            legacy => {
                let name = Self::LEGACY
                    .iter()
                    .find(|(_, field)| field == legacy)
                    .map_or("?", |(name, _)| *name);
                format!("$Credential.{name}")
            }
        }
    }

    /// Parses `$Credential.Field` or `$Credential.Ext.Param` (ASCII case-insensitive).
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let head = parts.next()?;
        if !head.eq_ignore_ascii_case("$Credential") {
            return None;
        }
        let parts: Vec<&str> = parts.collect();
        match parts.as_slice() {
            [name] => Self::LEGACY
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(name))
                .map(|(_, field)| field.clone()),
            [credential, parameter] if is_identifier(credential) && is_identifier(parameter) => {
                Some(MergeField::External {
                    credential: (*credential).to_string(),
                    parameter: (*parameter).to_string(),
                })
            }
            _ => None,
        }
    }
}

fn is_identifier(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One use of a merge field in a text, exactly as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUse {
    pub field: MergeField,
    /// Wrapped in `HTMLENCODE(...)`.
    pub html_encode: bool,
    /// Where the `{!` starts.
    pub at: Position,
    /// The expression as written, braces included.
    pub source: String,
}

/// One use of a formula in a text, exactly as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaUse {
    pub formula: Formula,
    /// Where the `{!` starts.
    pub at: Position,
    /// The expression as written, braces included.
    pub source: String,
}

/// A piece of a parsed text: literal text, a merge field, or a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Field(FieldUse),
    Formula(FormulaUse),
}

/// Splits `text` into literal text and merge fields. `location` is named in errors.
pub fn parse(text: &str, location: &Location) -> Result<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut counter = PositionCounter::default();
    let mut pos = 0;
    let opening = memchr::memmem::Finder::new(b"{!");
    while let Some(found) = opening.find(&text.as_bytes()[pos..]) {
        let start = pos + found;
        if start > pos {
            segments.push(Segment::Text(text[pos..start].to_string()));
        }
        let at = counter.advance_to(text, start);
        let inner_start = start + 2;
        let Some(end) = closing_brace(&text[inner_start..]) else {
            return Err(Error::UnclosedMergeField {
                location: location.clone(),
                line: at.line,
                column: at.column,
            });
        };
        let inner = &text[inner_start..inner_start + end];
        let close_at = inner_start + end + 1;
        let source = text[start..close_at].to_string();
        let functions = location.part == Part::Header;
        let formula = formula::parse(inner, at, location, functions)?;
        segments.push(match formula.as_field() {
            Some((field, html_encode)) => Segment::Field(FieldUse {
                field: field.clone(),
                html_encode,
                at,
                source,
            }),
            None => Segment::Formula(FormulaUse {
                formula,
                at,
                source,
            }),
        });
        pos = close_at;
    }
    if pos < text.len() {
        segments.push(Segment::Text(text[pos..].to_string()));
    }
    Ok(segments)
}

/// The text a list of segments was parsed from.
pub fn to_source(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.as_str(),
            Segment::Field(field) => field.source.as_str(),
            Segment::Formula(formula) => formula.source.as_str(),
        })
        .collect()
}

/// Where the merge field whose text (after `{!`) is `rest` ends: the first
/// `}` outside a quoted text. `None` when a `{!` comes first, or nothing
/// closes it. When a quote is never closed, the first `}` (the formula's
/// parser then names the open quote).
fn closing_brace(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'}' => return Some(i),
            b'{' if bytes.get(i + 1) == Some(&b'!') => return None,
            b'\'' | b'"' => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => {
                            return rest
                                .find('}')
                                .filter(|&close| !rest[..close].contains("{!"));
                        }
                        Some(b'\\') => j += 2,
                        Some(&other) if other == byte => break,
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Turns byte offsets into line/column positions, moving forward only.
#[derive(Default)]
struct PositionCounter {
    offset: usize,
    line: usize,
    column: usize,
}

impl PositionCounter {
    fn advance_to(&mut self, text: &str, offset: usize) -> Position {
        if self.line == 0 {
            self.line = 1;
            self.column = 1;
        }
        let passed = &text[self.offset..offset];
        match passed.rfind('\n') {
            Some(last) => {
                self.line += passed.bytes().filter(|&byte| byte == b'\n').count();
                self.column = 1 + passed[last + 1..].chars().count();
            }
            None => self.column += passed.chars().count(),
        }
        self.offset = offset;
        Position {
            line: self.line,
            column: self.column,
        }
    }
}

/// Escapes text the way Salesforce's HTMLENCODE does.
pub fn html_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A rendered text: literal pieces and secret pieces. The form that is sent
/// and the form for display (secrets masked) come from the same pieces.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Text {
    pieces: Vec<Piece>,
}

#[derive(Clone, PartialEq, Eq)]
enum Piece {
    Plain(String),
    Secret(Secret),
}

impl Text {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            pieces: vec![Piece::Plain(text.into())],
        }
    }

    fn push_plain(&mut self, text: &str) {
        if let Some(Piece::Plain(last)) = self.pieces.last_mut() {
            last.push_str(text);
        } else {
            self.pieces.push(Piece::Plain(text.to_string()));
        }
    }

    /// The text as it goes on the wire, secrets included.
    pub fn expose(&self) -> String {
        let mut text = String::with_capacity(self.len());
        for piece in &self.pieces {
            text.push_str(match piece {
                Piece::Plain(plain) => plain,
                Piece::Secret(secret) => secret.expose(),
            });
        }
        text
    }

    /// The text for display: every secret replaced by its masked form.
    pub fn shown(&self) -> String {
        let mut text = String::with_capacity(self.len());
        for piece in &self.pieces {
            match piece {
                Piece::Plain(plain) => text.push_str(plain),
                Piece::Secret(secret) => text.push_str(&secret.masked()),
            }
        }
        text
    }

    /// Bytes on the wire (a masked secret is about as long).
    fn len(&self) -> usize {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Plain(plain) => plain.len(),
                Piece::Secret(secret) => secret.expose().len(),
            })
            .sum()
    }

    pub fn has_secrets(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Secret(_)))
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.shown())
    }
}

/// A merge field's value: shown as is, or a secret shown masked.
enum Value {
    Plain(String),
    Secret(Secret),
}

/// The credential (and its secrets) that merge fields are read from.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub credential: &'a Credential,
    pub secrets: &'a CredentialSecrets,
}

impl Source<'_> {
    fn value(&self, field: &MergeField) -> Result<Value> {
        let secrets = self.secrets;
        let missing = |needs: &str| Error::MissingCredentialValue {
            field: format!("{{!{}}}", field.canonical()),
            needs: needs.to_string(),
            credential: self.credential.name.clone(),
        };
        Ok(match field {
            MergeField::OAuthToken => Value::Secret(
                secrets
                    .access_token
                    .clone()
                    .ok_or_else(|| missing("an access token"))?,
            ),
            MergeField::Username => Value::Plain(
                secrets
                    .username
                    .clone()
                    .ok_or_else(|| missing("a username"))?,
            ),
            MergeField::Password => Value::Secret(
                secrets
                    .password
                    .clone()
                    .ok_or_else(|| missing("a password"))?,
            ),
            MergeField::OAuthConsumerKey => Value::Plain(
                self.credential
                    .client_id
                    .clone()
                    .ok_or_else(|| missing("a client id"))?,
            ),
            MergeField::AuthorizationMethod => {
                Value::Plain(self.authorization_method().unwrap_or_default().to_string())
            }
            MergeField::AuthorizationHeaderValue => match self.authorization_method() {
                None => Value::Plain(String::new()),
                Some(_) => Value::Secret(self.authorization_value().map_err(missing)?),
            },
            MergeField::External {
                credential,
                parameter,
            } => {
                let matches = self
                    .credential
                    .external_credential
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(credential));
                if !matches {
                    let needs = match &self.credential.external_credential {
                        Some(name) => {
                            format!("external credential \"{credential}\" (it uses \"{name}\")")
                        }
                        None => format!("external credential \"{credential}\" (it uses none)"),
                    };
                    return Err(missing(&needs));
                }
                Value::Secret(
                    secrets
                        .parameter(parameter)
                        .cloned()
                        .ok_or_else(|| missing(&format!("parameter \"{parameter}\"")))?,
                )
            }
        })
    }

    /// A `$User` field's value.
    fn user(&self, field: UserField) -> Result<Value> {
        let missing = |needs: &str| Error::MissingCredentialValue {
            field: format!("{{!{}}}", Operand::User(field).canonical()),
            needs: needs.to_string(),
            credential: self.credential.name.clone(),
        };
        match field {
            UserField::Username => self
                .secrets
                .username
                .clone()
                .or_else(|| self.credential.username.clone())
                .map(Value::Plain)
                .ok_or_else(|| {
                    missing(
                        "the username it signs in with (a Basic, password or JWT bearer \
                         credential has one)",
                    )
                }),
            UserField::Id => Err(missing(
                "the Salesforce user id, which Callout Lab does not store (the token \
                 response's id URL names it)",
            )),
        }
    }

    /// An `$Organization` field's value.
    fn organization(&self, field: OrganizationField) -> Result<Value> {
        match field {
            OrganizationField::Id => Err(Error::MissingCredentialValue {
                field: format!("{{!{}}}", Operand::Organization(field).canonical()),
                needs: "the org id, which Callout Lab does not store (the token response's id \
                        URL names it)"
                    .into(),
                credential: self.credential.name.clone(),
            }),
        }
    }

    /// `Basic`, `Bearer`, or none, as `{!$Credential.AuthorizationMethod}` gives.
    fn authorization_method(&self) -> Option<&'static str> {
        self.credential.protocol.authorization_method()
    }

    /// The token, or base64 `user:password`, or what is missing for it.
    fn authorization_value(&self) -> std::result::Result<Secret, &'static str> {
        let secrets = self.secrets;
        if self.credential.protocol == AuthProtocol::Basic {
            let user = secrets.username.as_deref().ok_or("a username")?;
            let password = secrets.password.as_ref().ok_or("a password")?;
            let encoded = base64::engine::general_purpose::STANDARD
                .encode(format!("{user}:{}", password.expose()));
            Ok(Secret::new(encoded))
        } else {
            secrets.access_token.clone().ok_or("an access token")
        }
    }
}

/// Renders parsed segments with the values from `source`.
pub(crate) fn render_segments(
    segments: &[Segment],
    source: Option<Source<'_>>,
    location: &Location,
) -> Result<Text> {
    render_measured(segments, source, location, &mut Vec::new())
}

/// [`render_segments`], noting each formula's place and the characters
/// its value has.
fn render_measured(
    segments: &[Segment],
    source: Option<Source<'_>>,
    location: &Location,
    lengths: &mut Vec<(Position, usize)>,
) -> Result<Text> {
    let mut text = Text::default();
    for segment in segments {
        match segment {
            Segment::Text(literal) => text.push_plain(literal),
            Segment::Field(usage) => {
                let source = source.ok_or_else(|| Error::MergeFieldWithoutCredential {
                    field: usage.field.canonical(),
                    location: location.clone(),
                })?;
                match source.value(&usage.field)? {
                    Value::Plain(value) if usage.html_encode => {
                        text.push_plain(&html_encode(&value))
                    }
                    Value::Plain(value) => text.push_plain(&value),
                    Value::Secret(value) if usage.html_encode => text
                        .pieces
                        .push(Piece::Secret(Secret::new(html_encode(value.expose())))),
                    Value::Secret(value) => text.pieces.push(Piece::Secret(value)),
                }
            }
            Segment::Formula(usage) => {
                let pieces = usage.formula.evaluate(source, usage, location)?;
                let length = pieces
                    .iter()
                    .map(|piece| match piece {
                        Piece::Plain(plain) => plain.chars().count(),
                        Piece::Secret(secret) => secret.expose().chars().count(),
                    })
                    .sum();
                lengths.push((usage.at, length));
                for piece in pieces {
                    match piece {
                        Piece::Plain(plain) => text.push_plain(&plain),
                        secret => text.pieces.push(secret),
                    }
                }
            }
        }
    }
    Ok(text)
}

/// A place where Salesforce would treat the request differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Lint {
    /// Stable id, e.g. `salesforce.header_merge_disabled`.
    pub id: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub at: Option<Position>,
    /// One sentence: what Salesforce would do instead.
    pub message: String,
}

/// A request ready to send: merge fields replaced, `callout:` resolved. Its
/// `Debug` shows only the masked form.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub method: String,
    /// The credential `callout:NAME` named, by its defined name.
    pub credential: Option<String>,
    url: Text,
    headers: Vec<(String, Text)>,
    body: Option<Text>,
    /// Where Salesforce would behave differently.
    pub lint: Vec<Lint>,
}

/// A rendered request for display, with every secret masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DisplayRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: Option<String>,
}

impl Rendered {
    /// The URL as sent (secrets included).
    pub fn expose_url(&self) -> String {
        self.url.expose()
    }

    /// The headers as sent (secrets included).
    pub fn expose_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.clone(), value.expose()))
            .collect()
    }

    /// The body as sent (secrets included).
    pub fn expose_body(&self) -> Option<String> {
        self.body.as_ref().map(Text::expose)
    }

    /// The URL as a person may see it: every secret masked.
    pub fn display_url(&self) -> String {
        self.url.shown()
    }

    /// The request as a person may see it: every secret masked.
    pub fn display(&self) -> DisplayRequest {
        DisplayRequest {
            method: self.method.clone(),
            url: self.display_url(),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| Header::new(name.clone(), value.shown()))
                .collect(),
            body: self.body.as_ref().map(Text::shown),
        }
    }
}

/// Renders a call: `callout:NAME` resolved, merge fields replaced with the
/// credential's values, the generated Authorization header added, and a
/// list of where Salesforce would differ. `secrets` belong to the credential
/// the URL names; they are not used for plain URLs.
pub fn render(call: &Call<'_>, secrets: &CredentialSecrets) -> Result<Rendered> {
    let draft = call.draft;
    let source = call.credential.map(|credential| Source {
        credential,
        secrets,
    });
    let mut lint = Vec::new();
    let url = render_url(call, source, &mut lint)?;
    let headers = render_headers(&draft.headers, source, &mut lint)?;
    let body = match &draft.body {
        None => None,
        Some(text) => Some(render_body(text, source, &mut lint)?),
    };
    Ok(Rendered {
        method: draft.method.trim().to_ascii_uppercase(),
        credential: call.credential.map(|c| c.name.clone()),
        url,
        headers,
        body,
        lint,
    })
}

/// The URL: `callout:NAME` replaced by the credential's endpoint, merge
/// fields replaced, the result checked.
fn render_url(call: &Call<'_>, source: Option<Source<'_>>, lint: &mut Vec<Lint>) -> Result<Text> {
    let location = Location::url();
    // Parse the whole URL so positions count from its start, then drop the
    // `callout:NAME` part, which the credential's endpoint replaces.
    let written = call.draft.url.trim();
    let mut segments = parse(written, &location)?;
    strip_text_prefix(&mut segments, written.len() - call.rest.len());
    let rest = render_segments(&segments, source, &location)?;
    let url = match source {
        Some(source) => {
            let base = source.credential.api_base(source.secrets);
            let mut url = Text::plain(endpoint::prefix(base, call.rest));
            url.pieces.extend(rest.pieces);
            lint.extend(salesforce_url_lint(&segments));
            url
        }
        None => rest,
    };
    let checked = endpoint::check(&url.expose(), &url.shown())?;
    Ok(if url.has_secrets() {
        url
    } else {
        Text::plain(checked.to_string())
    })
}

/// The most characters of a formula's result Salesforce keeps ("The maximum
/// number of displayed characters after an evaluation of a formula
/// expression is 1,300").
const FORMULA_RESULT_SHOWN: usize = 1_300;

/// The request's headers with merge fields replaced, plus the generated
/// Authorization header.
fn render_headers(
    written: &[Header],
    source: Option<Source<'_>>,
    lint: &mut Vec<Lint>,
) -> Result<Vec<(String, Text)>> {
    let mut headers = Vec::with_capacity(written.len() + 1);
    for header in written {
        let location = Location::header(&header.name);
        let segments = parse(&header.value, &location)?;
        let mut lengths = Vec::new();
        let value = render_measured(&segments, source, &location, &mut lengths)?;
        if let Some(source) = source {
            lint.extend(salesforce_header_lint(
                &segments,
                source.credential,
                &location,
            ));
        }
        for (at, length) in lengths {
            if length > FORMULA_RESULT_SHOWN {
                lint.push(Lint {
                    id: "salesforce.formula_result_truncated".into(),
                    location: location.clone(),
                    at: Some(at),
                    message: format!(
                        "The formula at line {}, column {} of the {location} gives {length} \
                         characters: Salesforce keeps at most 1,300 characters of a formula's \
                         result, which can cut a token short.",
                        at.line, at.column
                    ),
                });
            }
        }
        headers.push((header.name.clone(), value));
    }
    if let Some(source) = source
        && let Some(generated) = generated_authorization(source, written, lint)?
    {
        headers.push(("Authorization".to_string(), generated));
    }
    Ok(headers)
}

/// The body with merge fields replaced.
fn render_body(text: &str, source: Option<Source<'_>>, lint: &mut Vec<Lint>) -> Result<Text> {
    let location = Location::body();
    let segments = parse(text, &location)?;
    if let Some(source) = source {
        lint.extend(salesforce_body_lint(&segments, source.credential, text));
    }
    render_segments(&segments, source, &location)
}

/// Removes the first `len` bytes of literal text (the `callout:NAME` part,
/// which holds no merge field: no credential name contains `{`).
fn strip_text_prefix(segments: &mut Vec<Segment>, len: usize) {
    if len == 0 {
        return;
    }
    if let Some(Segment::Text(first)) = segments.first_mut() {
        if first.len() > len {
            first.drain(..len);
        } else {
            segments.remove(0);
        }
    }
}

/// The Authorization header "Generate Authorization header" adds, unless the
/// request sets its own (then a lint says so) or the option is off.
fn generated_authorization(
    source: Source<'_>,
    headers: &[Header],
    lint: &mut Vec<Lint>,
) -> Result<Option<Text>> {
    let credential = source.credential;
    let Some(method) = source.authorization_method() else {
        return Ok(None);
    };
    if !credential.salesforce.generate_authorization_header {
        return Ok(None);
    }
    if let Some(own) = headers
        .iter()
        .find(|h| h.name.trim().eq_ignore_ascii_case("Authorization"))
    {
        lint.push(Lint {
            id: "salesforce.authorization_header_conflict".into(),
            location: Location::header(&own.name),
            at: None,
            message: format!(
                "The request sets its own Authorization header while \"Generate Authorization \
                 header\" is on for {}: Callout Lab sends the request's header, but Salesforce \
                 also generates one, so turn the option off in the org.",
                credential.name
            ),
        });
        return Ok(None);
    }
    let value = source
        .authorization_value()
        .map_err(|needs| Error::MissingCredentialValue {
            field: "the generated Authorization header".into(),
            needs: needs.into(),
            credential: credential.name.clone(),
        })?;
    let mut text = Text::plain(format!("{method} "));
    text.pieces.push(Piece::Secret(value));
    Ok(Some(text))
}

/// A merge field or a formula, as the lint looks at it.
struct Use<'a> {
    at: Position,
    source: &'a str,
    field: Option<&'a FieldUse>,
    formula: Option<&'a FormulaUse>,
}

impl Use<'_> {
    /// Whether it reads the token (directly or through the Authorization value).
    fn reads_token(&self) -> bool {
        let token = |field: &MergeField| {
            matches!(
                field,
                MergeField::OAuthToken | MergeField::AuthorizationHeaderValue
            )
        };
        self.field.is_some_and(|usage| token(&usage.field))
            || self
                .formula
                .is_some_and(|usage| usage.formula.fields().into_iter().any(token))
    }

    /// The line and column of byte `offset` after the `{!`.
    fn position(&self, offset: usize) -> Position {
        let inner = self
            .source
            .get(2..self.source.len().saturating_sub(1))
            .unwrap_or_default();
        formula::position_in(self.at, inner, offset)
    }
}

fn uses(segments: &[Segment]) -> impl Iterator<Item = Use<'_>> {
    segments.iter().filter_map(|segment| match segment {
        Segment::Field(usage) => Some(Use {
            at: usage.at,
            source: &usage.source,
            field: Some(usage),
            formula: None,
        }),
        Segment::Formula(usage) => Some(Use {
            at: usage.at,
            source: &usage.source,
            field: None,
            formula: Some(usage),
        }),
        Segment::Text(_) => None,
    })
}

fn salesforce_url_lint(segments: &[Segment]) -> Vec<Lint> {
    uses(segments)
        .map(|usage| Lint {
            id: "salesforce.merge_in_url".into(),
            location: Location::url(),
            at: Some(usage.at),
            message: format!(
                "The URL uses {} at column {}: Salesforce does not replace merge fields in the \
                 URL and would send the text as written.",
                usage.source, usage.at.column
            ),
        })
        .collect()
}

fn salesforce_header_lint(
    segments: &[Segment],
    credential: &Credential,
    location: &Location,
) -> Vec<Lint> {
    let mut lint = Vec::new();
    for usage in uses(segments) {
        if !credential.salesforce.allow_merge_fields_in_header {
            lint.push(Lint {
                id: "salesforce.header_merge_disabled".into(),
                location: location.clone(),
                at: Some(usage.at),
                message: format!(
                    "The {location} uses {} at line {}, column {}, but \"Allow Merge Fields in \
                     HTTP Header\" is off for {}: Salesforce would send the text as written.",
                    usage.source, usage.at.line, usage.at.column, credential.name
                ),
            });
        }
        if usage.field.is_some_and(|field| field.html_encode) {
            lint.push(Lint {
                id: "salesforce.htmlencode_in_header".into(),
                location: location.clone(),
                at: Some(usage.at),
                message: format!(
                    "The {location} wraps a merge field in HTMLENCODE at line {}, column {}: \
                     Salesforce allows HTMLENCODE only in the body.",
                    usage.at.line, usage.at.column
                ),
            });
        }
        let Some(formula) = usage.formula.map(|usage| &usage.formula) else {
            continue;
        };
        for offset in formula.html_encodes() {
            let at = usage.position(offset);
            lint.push(Lint {
                id: "salesforce.htmlencode_in_header".into(),
                location: location.clone(),
                at: Some(at),
                message: format!(
                    "The {location} uses HTMLENCODE in a formula at line {}, column {}: \
                     Salesforce allows HTMLENCODE only in the body.",
                    at.line, at.column
                ),
            });
        }
        for note in formula.algorithm_notes() {
            let at = usage.position(note.at);
            lint.push(Lint {
                id: "salesforce.formula_algorithm".into(),
                location: location.clone(),
                at: Some(at),
                message: format!(
                    "The {location} gives {} the algorithm '{}' at line {}, column {}: \
                     Salesforce supports only 'SHA-256' there.",
                    note.function, note.written, at.line, at.column
                ),
            });
        }
    }
    lint
}

fn salesforce_body_lint(segments: &[Segment], credential: &Credential, body: &str) -> Vec<Lint> {
    let mut lint = Vec::new();
    for usage in uses(segments) {
        if !credential.salesforce.allow_merge_fields_in_body {
            lint.push(Lint {
                id: "salesforce.body_merge_disabled".into(),
                location: Location::body(),
                at: Some(usage.at),
                message: format!(
                    "The body uses {} at line {}, column {}, but \"Allow Merge Fields in HTTP \
                     Body\" is off for {}: Salesforce would send the text as written.",
                    usage.source, usage.at.line, usage.at.column, credential.name
                ),
            });
        }
        if usage.formula.is_some() {
            lint.push(Lint {
                id: "salesforce.formula_in_body".into(),
                location: Location::body(),
                at: Some(usage.at),
                message: format!(
                    "The body uses the formula {} at line {}, column {}: Salesforce evaluates \
                     formulas only in headers, and in the body replaces just a field or \
                     HTMLENCODE of one.",
                    usage.source, usage.at.line, usage.at.column
                ),
            });
        }
    }
    if looks_like_soap(body)
        && let Some(usage) = uses(segments).find(Use::reads_token)
    {
        lint.push(Lint {
            id: "salesforce.soap_token_not_refreshed".into(),
            location: Location::body(),
            at: Some(usage.at),
            message: format!(
                "The SOAP body carries the token through {} at line {}, column {}: Salesforce \
                 does not refresh OAuth tokens used this way, and an expired session answers \
                 HTTP 500, which it never refreshes on.",
                usage.source, usage.at.line, usage.at.column
            ),
        });
    }
    lint
}

/// Whether a body looks like a SOAP envelope.
pub(crate) fn looks_like_soap(body: &str) -> bool {
    body.trim_start().starts_with('<') && body.contains("Envelope")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorReport;
    use crate::error::ErrorKind;

    #[test]
    fn a_merge_field_error_tells_the_ui_where_it_is() {
        let body = "<a>\n  <b>{!$Credential.OAuthTokn}</b>\n</a>";
        let error = parse(body, &Location::body()).unwrap_err();
        let report = ErrorReport::from(&error);
        assert_eq!(report.kind, ErrorKind::MergeField);
        assert_eq!(report.location.map(|l| l.part), Some(Part::Body));
        assert_eq!(report.at, Some(Position { line: 2, column: 6 }));
        assert!(report.message.contains("in the body at line 2, column 6"));

        let header =
            parse("Bearer {!$Credential.OAuthToken", &Location::header("X-A")).unwrap_err();
        let json = serde_json::to_value(ErrorReport::from(&header)).unwrap();
        assert_eq!(json["location"]["header"], "X-A");
        assert_eq!(json["at"]["column"], 8);
    }

    fn body() -> Location {
        Location::body()
    }

    #[test]
    fn parses_every_legacy_field() {
        for (text, field) in MergeField::LEGACY {
            let source = format!("x{{!$Credential.{text}}}y");
            let segments = parse(&source, &body()).unwrap();
            assert_eq!(segments.len(), 3);
            let Segment::Field(usage) = &segments[1] else {
                panic!("not a field: {segments:?}")
            };
            assert_eq!(usage.field, field);
            assert_eq!(usage.at, Position { line: 1, column: 2 });
        }
    }

    #[test]
    fn names_are_matched_ignoring_case() {
        let segments = parse("{! $credential.oauthtoken }", &body()).unwrap();
        assert!(matches!(
            &segments[0],
            Segment::Field(FieldUse {
                field: MergeField::OAuthToken,
                html_encode: false,
                ..
            })
        ));
        let segments = parse("{!htmlencode($Credential.Username)}", &body()).unwrap();
        assert!(matches!(
            &segments[0],
            Segment::Field(FieldUse {
                field: MergeField::Username,
                html_encode: true,
                ..
            })
        ));
    }

    #[test]
    fn html_encode_escapes_markup() {
        assert_eq!(html_encode(r#"a&b<c>"d'"#), "a&amp;b&lt;c&gt;&quot;d&#39;");
    }

    fn basic_call(draft: crate::http::Draft, allow_header: bool) -> (Rendered, String) {
        let mut credential = Credential::new("Legacy", "https://erp.example/api");
        credential.protocol = AuthProtocol::NoAuthentication;
        credential.salesforce.allow_merge_fields_in_header = allow_header;
        let secrets = CredentialSecrets {
            username: Some("ann".into()),
            password: Some(Secret::new("p<a&ss-word")),
            ..CredentialSecrets::default()
        };
        let credentials = crate::credential::CredentialSet::new(vec![credential]).unwrap();
        let call = Call::resolve(&draft, &credentials).unwrap();
        let rendered = render(&call, &secrets).unwrap();
        let shown = serde_json::to_string(&rendered.display()).unwrap();
        (rendered, shown)
    }

    #[test]
    fn a_basic_header_built_by_a_formula_is_sent_and_masked() {
        let value = "{!'Basic ' & BASE64ENCODE(BLOB($Credential.Username & ':' & \
                     $Credential.Password))}";
        let draft =
            crate::http::Draft::new("GET", "callout:Legacy/x").header("Authorization", value);
        let (rendered, shown) = basic_call(draft, true);
        assert_eq!(
            rendered.expose_headers(),
            vec![(
                "Authorization".to_string(),
                "Basic YW5uOnA8YSZzcy13b3Jk".to_string()
            )]
        );
        assert_eq!(rendered.display().headers[0].value, "Basic ••••b3Jk");
        assert!(!shown.contains("YW5uOnA8YSZzcy13b3Jk"), "{shown}");
        assert!(!shown.contains("p<a&ss"), "{shown}");
        assert_eq!(rendered.lint, vec![]);
    }

    #[test]
    fn formulas_print_back_exactly() {
        for text in [
            "a {!'x}y' & \"{!z\"} b {! $User.Username } c",
            "{!HEX(HASH('SHA-256', BLOB('a\\'b')))}\n{!$Credential.OAuthToken}",
            "x{!HTMLENCODE( $Credential.Username & '<' )}y",
        ] {
            let segments = parse(text, &Location::header("X")).unwrap();
            assert_eq!(to_source(&segments), text);
        }
        let segments = parse("a {!'}' & '{!'} b", &Location::header("X")).unwrap();
        assert!(matches!(&segments[1], Segment::Formula(usage) if usage.source == "{!'}' & '{!'}"));
    }

    #[test]
    fn an_open_quote_is_named_where_it_opens() {
        let error = parse("a {!'x & $Credential.Username} b", &Location::header("X")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the text that starts with ' has no closing ' in the header \"X\" at line 1, column 5"
        );
    }

    #[test]
    fn functions_are_errors_outside_headers_but_htmlencode_is_not() {
        for location in [Location::body(), Location::url()] {
            let error = parse("x {!HEX(BLOB('a'))}", &location).unwrap_err();
            assert!(
                matches!(&error, Error::DisallowedMergeFunction { name, column: 3, .. } if name == "HEX"),
                "{error:?}"
            );
        }
        let segments = parse("{!HTMLENCODE('<' & $Credential.Username)}", &body()).unwrap();
        assert!(matches!(segments[0], Segment::Formula(_)));
    }

    #[test]
    fn formulas_are_linted_where_salesforce_differs() {
        let draft = crate::http::Draft::new("POST", "callout:Legacy/x")
            .header(
                "X-Sig",
                "{!HEX(HMAC('hmacSHA512', BLOB('m'), BLOB($Credential.Password)))}",
            )
            .header("X-Name", "{!HTMLENCODE('a' & $Credential.Username)}")
            .body("user={!'u:' & $Credential.Username}");
        let (rendered, shown) = basic_call(draft, false);
        let ids: Vec<&str> = rendered.lint.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "salesforce.header_merge_disabled",
                "salesforce.formula_algorithm",
                "salesforce.header_merge_disabled",
                "salesforce.htmlencode_in_header",
                "salesforce.body_merge_disabled",
                "salesforce.formula_in_body",
            ]
        );
        assert_eq!(
            rendered.lint[1].at,
            Some(Position {
                line: 1,
                column: 12
            })
        );
        assert_eq!(
            rendered.lint[1].message,
            "The header \"X-Sig\" gives HMAC the algorithm 'hmacSHA512' at line 1, column 12: \
             Salesforce supports only 'SHA-256' there."
        );
        assert_eq!(rendered.lint[3].at, Some(Position { line: 1, column: 3 }));
        assert_eq!(rendered.expose_body().as_deref(), Some("user=u:ann"));
        assert!(!shown.contains("p<a&ss"), "{shown}");
    }

    #[test]
    fn a_formula_result_longer_than_salesforce_keeps_is_linted() {
        // Each formula's own result counts, not the header's.
        let half = format!("{{!HEX(BLOB('{}'))}}", "a".repeat(350));
        let draft = crate::http::Draft::new("GET", "callout:Legacy/x")
            .header("X-Two", &format!("{half} & {half}"));
        let (rendered, _) = basic_call(draft, true);
        assert_eq!(rendered.expose_headers()[0].1.len(), 1403);
        assert_eq!(rendered.lint, vec![]);
        let padded = format!("{{!HEX(BLOB('{}'))}}", "ab".repeat(326));
        let draft = crate::http::Draft::new("GET", "callout:Legacy/x").header("X-Long", &padded);
        let (rendered, _) = basic_call(draft, true);
        let ids: Vec<&str> = rendered.lint.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["salesforce.formula_result_truncated"]);
        assert!(rendered.lint[0].message.contains("gives 1304 characters"));
    }

    #[test]
    fn a_formula_longer_than_salesforce_allows_is_an_error() {
        let long = format!("x\n  {{!'{}'}}", "a".repeat(formula::MAX_LENGTH - 1));
        let error = parse(&long, &Location::header("X")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the formula is 3901 characters long; Salesforce allows at most 3,900, spaces and \
             line breaks included in the header \"X\" at line 2, column 3"
        );
        let report = ErrorReport::from(&error);
        assert_eq!(report.kind, ErrorKind::MergeField);
        assert_eq!(report.at, Some(Position { line: 2, column: 3 }));
    }

    #[test]
    fn text_debug_is_masked() {
        let mut text = Text::plain("Bearer ");
        text.pieces
            .push(Piece::Secret(Secret::new("00Dabcdefghijklmnop")));
        assert_eq!(format!("{text:?}"), "\"Bearer ••••mnop\"");
        assert_eq!(text.expose(), "Bearer 00Dabcdefghijklmnop");
    }
}
