//! Salesforce metadata in and out: the Named Credentials of an SFDX project
//! (what `sf project retrieve start` writes) as credential definitions, and
//! a credential as the metadata files that describe it in an org.
//!
//! # In
//! [`import`] reads `namedCredentials/*.namedCredential-meta.xml`,
//! `externalCredentials/*.externalCredential-meta.xml` and
//! `authproviders/*.authprovider-meta.xml` (or the Metadata API's
//! `.namedCredential`, ... files) under the package directories
//! `sfdx-project.json` lists (`force-app` when it lists none), or under the
//! directory itself when it has no `sfdx-project.json` (a retrieved
//! `force-app/main/default`). Each Named Credential becomes a definition of
//! the same name — renamed, with a note, when Salesforce accepts its name and
//! Callout Lab does not (a namespace prefix `ns__` has two underscores in a
//! row) — with what its Auth Provider or External Credential says:
//!
//! - the legacy `endpoint`, or the `Url` parameter: the endpoint;
//! - legacy `protocol` `Oauth`, or an External Credential `Oauth`, with an
//!   Auth Provider: the authorization code flow (with PKCE);
//! - `Oauth` with the variant `ClientCredentialsClientSecret` /
//!   `ClientCredentialsClientSecretBasic`: client credentials, the secret in
//!   the body / as Basic;
//! - `Oauth` with `JwtBearer`, and `JwtExchange` (legacy and current): the
//!   JWT bearer flow, the `iss` claim (legacy: `jwtIssuer`) the client id;
//! - legacy `Password`, External Credential `Basic`: Basic, with `username`;
//! - `NoAuthentication`, `Custom`: no authentication;
//! - `principalType` `NamedUser` / `PerUser` / `Anonymous`, or the
//!   `NamedPrincipal` / `PerUserPrincipal` parameters (none: anonymous): the
//!   identity;
//! - the Auth Provider's `consumerKey`, `authorizeUrl`, `tokenUrl`,
//!   `idTokenIssuer`, `sendClientCredentialsInHeader`: the client id, the
//!   authorization and token URLs, the issuer, how the client authenticates;
//! - `oauthScope` or the `Scope` parameter, else the Auth Provider's
//!   `defaultScopes`: the scopes;
//! - `generateAuthorizationHeader`, `allowMergeFieldsInHeader`,
//!   `allowMergeFieldsInBody`: the Salesforce options;
//! - `AdditionalRefreshStatusCode` parameters (a code, or codes separated by
//!   commas or spaces): the additional refresh status codes;
//! - the `Authentication` parameter's External Credential: the external
//!   credential (what `{!$Credential.Ext.Param}` reads).
//!
//! What has no counterpart is named in a note and left out: the
//! `HttpHeader` parameters of a Named Credential and the `AuthHeader`
//! parameters of an External Credential (a definition carries no headers;
//! the note gives the header and its formula — a literal value is not
//! repeated, it may be a secret), AWS Signature V4, JWTs Salesforce signs
//! and sends itself, custom Auth Provider plugins, disabled callouts,
//! private endpoints; labels and principal names are not kept. A reference
//! to an Auth Provider or External Credential that is not in the project is
//! a note too.
//!
//! No secret is ever read: `consumerSecret`, `password`, `oauthToken`,
//! `oauthRefreshToken` and `awsSecret` are skipped when the files are
//! parsed, whatever they hold (a retrieve shows `Placeholder_Value`, or an
//! encrypted value for some packaged Auth Providers). What a definition
//! needs of them is listed in [`SfdxImport::to_supply`], each with the
//! command that puts it in the keychain.
//!
//! A file that is not well-formed XML, not UTF-8, larger than 1 MiB, or
//! whose root element or a `true`/`false` field is wrong stops the import
//! with [`Error::Import`] naming the file, the line and the column.
//!
//! # Out
//! [`export`] writes the files that describe a credential, in SFDX source
//! layout (`force-app/main/default/...`), as a retrieve writes them: the
//! `<?xml ...?>` declaration, the metadata namespace, four-space
//! indentation, fields in alphabetical order, every text escaped. Which
//! form follows from what [`import`] reads, so that exporting an imported
//! credential gives back the files it came from, field for field:
//! - a credential without an external credential and without additional
//!   refresh status codes whose flow is the authorization code, Basic or
//!   none becomes a **legacy** Named Credential (`protocol` `Oauth`,
//!   `Password` or `NoAuthentication`), with an Auth Provider for the
//!   authorization code flow;
//! - any other becomes a `SecuredEndpoint` Named Credential and its External
//!   Credential (named by `externalCredential`, else after the credential),
//!   with an Auth Provider for the authorization code flow.
//!
//! An Auth Provider is named after the credential. Its `consumerSecret` is
//! `Placeholder_Value`, what a retrieve shows in place of the secret; no
//! other secret is written (the client secret, password or key is entered
//! in Setup after the deploy). The device code flow and the OAuth password
//! grant have no Salesforce counterpart and are refused. What the files
//! cannot carry (expiry rules, keep-alive, a fixed callback, a client
//! certificate, ...) is what [`export_notes`] says. No `sfdx-project.json`
//! is written: the files go into an existing project.
//!
//! The value of an `AdditionalRefreshStatusCode` parameter is not
//! documented; Setup's "Additional Status Codes for Token Refresh" takes a
//! list, so one parameter with the codes separated by commas is written and
//! both that and one parameter per code are read.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::credential::{
    AuthProtocol, ClientAuth, Credential, IdentityType, MAX_NAME_LEN, SalesforceOrg, check_name,
    is_allowed_refresh_code,
};
use crate::{Error, Result};

/// What an import reads, in errors: "cannot import the Salesforce metadata: ...".
const WHAT: &str = "Salesforce metadata";

/// The namespace of every metadata file.
const METADATA_NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// What a retrieve shows in place of an Auth Provider's consumer secret,
/// and what an export writes there.
const PLACEHOLDER_SECRET: &str = "Placeholder_Value";

/// Where an export puts its files, as `sf project generate` lays a project out.
const SOURCE_ROOT: &str = "force-app/main/default";

/// The largest metadata file read (these are a few hundred bytes).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// How deep below a package directory metadata is looked for.
const MAX_DEPTH: usize = 16;

/// The most metadata files one import reads.
const MAX_FILES: usize = 10_000;

/// Fields that hold a secret: never read, whatever they hold.
const SECRET_FIELDS: [&str; 6] = [
    "consumerSecret",
    "password",
    "oauthToken",
    "oauthRefreshToken",
    "awsSecret",
    "awsAccessSecret",
];

/// What importing an SFDX project found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SfdxImport {
    /// One definition per Named Credential, without secrets, in file order.
    pub credentials: Vec<Credential>,
    /// Each secret a definition needs that the metadata does not hold, and
    /// the command that supplies it: "consumer secret of Auth Provider X:
    /// `callout credential edit NAME --client-secret-stdin`".
    pub to_supply: Vec<String>,
    /// What has no counterpart or was changed, one sentence each.
    pub notes: Vec<String>,
    /// The files read, relative to the directory given, `/`-separated.
    pub files_read: Vec<String>,
}

/// Reads the Named Credentials (with their External Credentials and Auth
/// Providers) of the SFDX project or metadata folder `dir`.
pub fn import(dir: &Path) -> Result<SfdxImport> {
    let mut importer = Importer::default();
    let roots = package_directories(dir, &mut importer)?;
    let mut found = Vec::new();
    for root in &roots {
        walk(dir, root, 0, &mut found)?;
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    if found.is_empty() {
        return Err(refuse(format!(
            "{} holds no Named Credential, External Credential or Auth Provider \
             (namedCredentials/*.namedCredential-meta.xml, ...): give an SFDX project or its \
             force-app/main/default folder",
            dir.display()
        )));
    }
    for file in found {
        let shown = shown(dir, &file.path);
        let text = read_text(&file.path, &shown)?;
        let meta = parse(&text, file.kind, &file.name, &shown)?;
        importer.files_read.push(shown);
        importer.add(meta);
    }
    importer.run()
}

/// A credential as the metadata files that describe it: `(path, XML)`
/// pairs, the path relative to a project's root in SFDX source layout.
pub fn export(credential: &Credential) -> Result<Vec<(String, String)>> {
    credential.validate()?;
    if let Some(reason) = unexportable(credential.protocol) {
        return Err(Error::Export {
            format: WHAT,
            detail: format!("credential {} uses {reason}", credential.name),
        });
    }
    if is_legacy(credential) {
        export_legacy(credential)
    } else {
        export_secured(credential)
    }
}

/// What [`export`]'s files leave out of `credential`, one sentence each.
pub fn export_notes(credential: &Credential) -> Vec<String> {
    let mut notes = Vec::new();
    let name = &credential.name;
    let protocol = credential.protocol;
    let legacy = is_legacy(credential);
    let secret = match protocol {
        AuthProtocol::AuthorizationCode => Some("the Auth Provider's consumer secret"),
        AuthProtocol::ClientCredentials => Some("the principal's client id and client secret"),
        AuthProtocol::JwtBearer => Some("the certificate that signs the JWT"),
        AuthProtocol::Basic if legacy => Some("the password"),
        AuthProtocol::Basic => Some("the principal's username and password"),
        _ => None,
    };
    if let Some(secret) = secret {
        notes.push(format!(
            "{name}: no secret is written; enter {secret} in Setup after deploying"
        ));
    }
    if !legacy && protocol == AuthProtocol::ClientCredentials && credential.client_id.is_some() {
        notes.push(format!(
            "{name}: the client id is a principal's parameter in Salesforce, not metadata; enter \
             it in Setup"
        ));
    }
    if protocol.uses_tokens()
        && credential.token_url.is_none()
        && credential.salesforce_org.is_none()
    {
        notes.push(format!(
            "{name}: its token URL is discovered from its issuer, which Salesforce does not do; \
             fill in the token URL (and the authorization URL) before deploying"
        ));
    }
    if protocol == AuthProtocol::AuthorizationCode
        && credential.auth_url.is_none()
        && credential.salesforce_org.is_none()
    {
        notes.push(format!(
            "{name}: it has no authorization URL of its own (it is discovered); fill in the Auth \
             Provider's authorizeUrl before deploying"
        ));
    }
    if credential.redirect_uri.is_some() && protocol == AuthProtocol::AuthorizationCode {
        notes.push(format!(
            "{name}: Salesforce signs in with its own callback \
             (https://<My Domain>/services/authcallback/{name}), not {}; register it with the \
             provider's app",
            credential.redirect_uri.as_deref().unwrap_or_default()
        ));
    }
    if credential.salesforce_org.is_some() {
        notes.push(format!(
            "{name}: in Salesforce its callouts go to its endpoint, not to the instance a token \
             names"
        ));
    }
    if !credential.expiry_rules.is_empty() {
        notes.push(format!(
            "{name}: its expiry rules have no counterpart in Salesforce, which refreshes on 401 \
             and the additional refresh status codes only"
        ));
    }
    if credential.keep_alive_seconds.is_some() || credential.refresh_idle_seconds.is_some() {
        notes.push(format!(
            "{name}: keep-alive and the refresh token's idle lifetime have no counterpart in \
             Salesforce"
        ));
    }
    if credential.client_certificate.is_some() {
        notes.push(format!(
            "{name}: its client certificate is not written; upload it to Certificate and Key \
             Management and name it in the Named Credential"
        ));
    }
    if credential.issuer.is_some() && !uses_auth_provider(credential) {
        notes.push(format!(
            "{name}: its issuer has no place outside an Auth Provider and is left out"
        ));
    }
    notes
}

// ---------------------------------------------------------------------------
// Reading files.

/// The three kinds of metadata read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    NamedCredential,
    ExternalCredential,
    AuthProvider,
}

impl Kind {
    const ALL: [Kind; 3] = [
        Kind::NamedCredential,
        Kind::ExternalCredential,
        Kind::AuthProvider,
    ];

    /// The root element.
    fn root(self) -> &'static str {
        match self {
            Kind::NamedCredential => "NamedCredential",
            Kind::ExternalCredential => "ExternalCredential",
            Kind::AuthProvider => "AuthProvider",
        }
    }

    /// The folder of its files.
    fn folder(self) -> &'static str {
        match self {
            Kind::NamedCredential => "namedCredentials",
            Kind::ExternalCredential => "externalCredentials",
            Kind::AuthProvider => "authproviders",
        }
    }

    /// The suffix of its files (before `-meta.xml` in source format).
    fn suffix(self) -> &'static str {
        match self {
            Kind::NamedCredential => "namedCredential",
            Kind::ExternalCredential => "externalCredential",
            Kind::AuthProvider => "authprovider",
        }
    }

    /// Its name in a sentence.
    fn words(self) -> &'static str {
        match self {
            Kind::NamedCredential => "Named Credential",
            Kind::ExternalCredential => "External Credential",
            Kind::AuthProvider => "Auth Provider",
        }
    }

    /// The element of its parameter blocks, when it has them.
    fn parameters(self) -> Option<&'static str> {
        match self {
            Kind::NamedCredential => Some("namedCredentialParameters"),
            Kind::ExternalCredential => Some("externalCredentialParameters"),
            Kind::AuthProvider => None,
        }
    }

    /// The kind and developer name of the file called `file_name`, if it
    /// is metadata read here.
    fn of_file(file_name: &str) -> Option<(Kind, &str)> {
        Kind::ALL.into_iter().find_map(|kind| {
            let stem = file_name
                .strip_suffix("-meta.xml")
                .unwrap_or(file_name)
                .strip_suffix(kind.suffix())?
                .strip_suffix('.')?;
            (!stem.is_empty()).then_some((kind, stem))
        })
    }

    /// `force-app/main/default/namedCredentials/NAME.namedCredential-meta.xml`.
    fn source_path(self, name: &str) -> String {
        format!(
            "{SOURCE_ROOT}/{}/{name}.{}-meta.xml",
            self.folder(),
            self.suffix()
        )
    }
}

/// A field's text and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    text: String,
    line: u32,
    column: u32,
}

/// One metadata file, read: its simple fields, its parameter blocks, the
/// names of the secret fields it has (never their values) and of the
/// nested elements not read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Meta {
    kind: Kind,
    /// The developer name, from the file's name.
    name: String,
    /// As `files_read` names it.
    path: String,
    fields: BTreeMap<String, Field>,
    parameters: Vec<BTreeMap<String, Field>>,
    secrets: BTreeSet<String>,
    other_blocks: BTreeSet<String>,
}

impl Meta {
    /// A field's text, when it has some.
    fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|field| field.text.as_str())
            .filter(|text| !text.is_empty())
    }

    /// A `true`/`false` field, an error where it is neither.
    fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.fields
            .get(name)
            .filter(|field| !field.text.is_empty())
            .map(|field| flag(&self.path, name, field))
            .transpose()
    }

    /// "Named Credential Acme_ERP".
    fn who(&self) -> String {
        format!("{} {}", self.kind.words(), self.name)
    }
}

/// A parameter block's field text, when it has some.
fn param<'a>(block: &'a BTreeMap<String, Field>, name: &str) -> Option<&'a str> {
    block
        .get(name)
        .map(|field| field.text.as_str())
        .filter(|text| !text.is_empty())
}

fn flag(path: &str, name: &str, field: &Field) -> Result<bool> {
    match field.text.as_str() {
        text if text.eq_ignore_ascii_case("true") => Ok(true),
        text if text.eq_ignore_ascii_case("false") => Ok(false),
        text => Err(located(
            path,
            field.line,
            field.column,
            format!("{name} is \"{}\", not true or false", plain(text)),
        )),
    }
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: WHAT,
        detail: detail.into(),
    }
}

fn located(path: &str, line: u32, column: u32, what: String) -> Error {
    refuse(format!("{path}, line {line}, column {column}: {what}"))
}

/// Parses one metadata file of `kind`.
fn parse(text: &str, kind: Kind, name: &str, path: &str) -> Result<Meta> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options).map_err(|error| {
        let at = error.pos();
        let message = error.to_string().replace(&format!(" at {at}"), "");
        located(
            path,
            at.row,
            at.col,
            format!("it is not well-formed XML ({message})"),
        )
    })?;
    let position = |node: roxmltree::Node| {
        let at = document.text_pos_at(node.range().start);
        (at.row, at.col)
    };
    let root = document.root_element();
    if root.tag_name().name() != kind.root() {
        let (line, column) = position(root);
        return Err(located(
            path,
            line,
            column,
            format!(
                "its root element is <{}>, not <{}> as a {} file has",
                root.tag_name().name(),
                kind.root(),
                kind.words()
            ),
        ));
    }
    let mut meta = Meta {
        kind,
        name: name.to_string(),
        path: path.to_string(),
        fields: BTreeMap::new(),
        parameters: Vec::new(),
        secrets: BTreeSet::new(),
        other_blocks: BTreeSet::new(),
    };
    let field = |node: roxmltree::Node| {
        let (line, column) = position(node);
        Field {
            text: text_of(node),
            line,
            column,
        }
    };
    for child in root.children().filter(roxmltree::Node::is_element) {
        let tag = child.tag_name().name();
        if kind.parameters() == Some(tag) {
            let mut block = BTreeMap::new();
            for part in child.children().filter(roxmltree::Node::is_element) {
                let part_tag = part.tag_name().name();
                if SECRET_FIELDS.contains(&part_tag) || has_elements(part) {
                    continue;
                }
                block
                    .entry(part_tag.to_string())
                    .or_insert_with(|| field(part));
            }
            meta.parameters.push(block);
        } else if SECRET_FIELDS.contains(&tag) {
            if !text_of(child).is_empty() {
                meta.secrets.insert(tag.to_string());
            }
        } else if has_elements(child) {
            meta.other_blocks.insert(tag.to_string());
        } else {
            meta.fields
                .entry(tag.to_string())
                .or_insert_with(|| field(child));
        }
    }
    Ok(meta)
}

fn has_elements(node: roxmltree::Node) -> bool {
    node.children().any(|child| child.is_element())
}

/// The text of an element, trimmed.
fn text_of(node: roxmltree::Node) -> String {
    let text: String = node
        .descendants()
        .filter(roxmltree::Node::is_text)
        .filter_map(|text| text.text())
        .collect();
    text.trim().to_string()
}

/// A metadata file found on disk.
struct Found {
    path: PathBuf,
    kind: Kind,
    name: String,
}

/// The directories to look in: the package directories `sfdx-project.json`
/// lists, or `dir` itself without one.
fn package_directories(dir: &Path, importer: &mut Importer) -> Result<Vec<PathBuf>> {
    let project = dir.join("sfdx-project.json");
    if !project.is_file() {
        if !dir.is_dir() {
            return Err(refuse(format!("{} is not a directory", dir.display())));
        }
        return Ok(vec![dir.to_path_buf()]);
    }
    let text = read_text(&project, "sfdx-project.json")?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        refuse(format!(
            "sfdx-project.json, line {}, column {}: it is not valid JSON ({error})",
            error.line(),
            error.column()
        ))
    })?;
    importer.files_read.push("sfdx-project.json".into());
    let mut listed: Vec<String> = json
        .get("packageDirectories")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("path")?.as_str())
        .map(str::to_string)
        .collect();
    if listed.is_empty() {
        listed.push("force-app".into());
    }
    let mut roots = Vec::new();
    for path in listed {
        let relative = Path::new(&path);
        let inside = relative
            .components()
            .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
        if !inside {
            importer.notes.push(format!(
                "the package directory \"{}\" of sfdx-project.json was not read: it is not a \
                 folder inside the project",
                plain(&path)
            ));
        } else if dir.join(relative).is_dir() {
            roots.push(dir.join(relative));
        } else {
            importer.notes.push(format!(
                "the package directory \"{}\" of sfdx-project.json does not exist",
                plain(&path)
            ));
        }
    }
    Ok(roots)
}

/// Collects the metadata files below `dir` (hidden folders, `node_modules`
/// and symbolic links left aside).
fn walk(base: &Path, dir: &Path, depth: usize, found: &mut Vec<Found>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| refuse(format!("cannot read {}: {error}", shown(base, dir))))?;
    let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(|entry| entry.ok()).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        if file_type.is_dir() {
            if depth < MAX_DEPTH && !file_name.starts_with('.') && file_name != "node_modules" {
                walk(base, &entry.path(), depth + 1, found)?;
            }
        } else if file_type.is_file()
            && let Some((kind, name)) = Kind::of_file(file_name)
        {
            if found.len() >= MAX_FILES {
                return Err(refuse(format!(
                    "{} holds more than {MAX_FILES} metadata files; give the folder of the \
                     project that has the Named Credentials",
                    base.display()
                )));
            }
            found.push(Found {
                path: entry.path(),
                kind,
                name: name.to_string(),
            });
        }
    }
    Ok(())
}

/// `path` relative to `base`, `/`-separated.
fn shown(base: &Path, path: &Path) -> String {
    match path.strip_prefix(base) {
        Ok(relative) if relative.as_os_str().is_empty() => ".".into(),
        Ok(relative) => relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// A file's text: at most [`MAX_FILE_BYTES`], UTF-8, without a byte-order mark.
fn read_text(path: &Path, shown: &str) -> Result<String> {
    let failed = |error: std::io::Error| refuse(format!("cannot read {shown}: {error}"));
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "{shown} is larger than {} KiB, which no metadata file is",
            MAX_FILE_BYTES / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..at];
        let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
        let column = before
            .iter()
            .rev()
            .take_while(|byte| **byte != b'\n')
            .count()
            + 1;
        refuse(format!(
            "{shown}, line {line}, column {column}: it is not UTF-8 text"
        ))
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

// ---------------------------------------------------------------------------
// From metadata to credentials.

#[derive(Default)]
struct Importer {
    named: Vec<Meta>,
    /// External Credentials and Auth Providers by lower-case name.
    external: BTreeMap<String, Meta>,
    providers: BTreeMap<String, Meta>,
    credentials: Vec<Credential>,
    to_supply: Vec<String>,
    notes: Vec<String>,
    files_read: Vec<String>,
}

/// What an External Credential's parameters say.
#[derive(Default)]
struct Parameters {
    variant: Option<String>,
    auth_provider: Option<String>,
    token_url: Option<String>,
    scopes: Option<Vec<String>>,
    codes: Vec<u16>,
    named_principals: Vec<(i64, String)>,
    per_user_principals: Vec<String>,
    issuer_claim: Option<String>,
    signing_certificate: Option<String>,
    left_out: Vec<String>,
}

impl Importer {
    fn add(&mut self, meta: Meta) {
        let key = meta.name.to_ascii_lowercase();
        let earlier = match meta.kind {
            Kind::NamedCredential => self
                .named
                .iter()
                .find(|other| other.name.eq_ignore_ascii_case(&meta.name)),
            Kind::ExternalCredential => self.external.get(&key),
            Kind::AuthProvider => self.providers.get(&key),
        }
        .map(|earlier| earlier.path.clone());
        if let Some(earlier) = earlier {
            self.notes.push(format!(
                "{} is in {earlier} and again in {}; the first is read",
                meta.who(),
                meta.path
            ));
            return;
        }
        match meta.kind {
            Kind::NamedCredential => self.named.push(meta),
            Kind::ExternalCredential => {
                self.external.insert(key, meta);
            }
            Kind::AuthProvider => {
                self.providers.insert(key, meta);
            }
        }
    }

    fn run(mut self) -> Result<SfdxImport> {
        if self.named.is_empty() {
            self.notes.push(
                "there is no Named Credential: External Credentials and Auth Providers are used \
                 through one, so nothing was imported"
                    .into(),
            );
        }
        for named in std::mem::take(&mut self.named) {
            if let Some(credential) = self.named_credential(&named)? {
                self.credentials.push(credential);
            }
        }
        Ok(SfdxImport {
            credentials: self.credentials,
            to_supply: self.to_supply,
            notes: self.notes,
            files_read: self.files_read,
        })
    }

    /// A name no credential imported so far has (ignoring case).
    fn is_taken(&self, name: &str) -> bool {
        self.credentials
            .iter()
            .any(|credential| credential.is_named(name))
    }

    /// The credential name for Salesforce's `developer_name`.
    fn credential_name(&mut self, developer_name: &str) -> String {
        let reason = match check_name(developer_name) {
            Err(reason) => format!("its name {reason} in Callout Lab"),
            Ok(()) if self.is_taken(developer_name) => {
                "another credential has that name (names are matched ignoring case)".into()
            }
            Ok(()) => return developer_name.to_string(),
        };
        let base =
            crate::interop::postman::developer_name(developer_name, "Imported", MAX_NAME_LEN);
        let mut name = base.clone();
        let mut number = 2;
        while self.is_taken(&name) {
            let suffix = format!("_{number}");
            let room = MAX_NAME_LEN - suffix.len();
            name = format!(
                "{}{suffix}",
                base.chars()
                    .take(room)
                    .collect::<String>()
                    .trim_end_matches('_')
            );
            number += 1;
        }
        self.notes.push(format!(
            "Named Credential {developer_name} is imported as {name}: {reason}"
        ));
        name
    }

    fn named_credential(&mut self, named: &Meta) -> Result<Option<Credential>> {
        let who = named.who();
        let name = self.credential_name(&named.name);
        let mut credential = Credential::new(name, String::new());
        credential.protocol = AuthProtocol::NoAuthentication;
        let options = &mut credential.salesforce;
        options.generate_authorization_header =
            named.flag("generateAuthorizationHeader")?.unwrap_or(true);
        options.allow_merge_fields_in_header =
            named.flag("allowMergeFieldsInHeader")?.unwrap_or(false);
        options.allow_merge_fields_in_body = named.flag("allowMergeFieldsInBody")?.unwrap_or(false);
        let form = named.text("namedCredentialType").unwrap_or("Legacy");
        let endpoint = if form.eq_ignore_ascii_case("Legacy") {
            self.legacy(named, &mut credential)?
        } else if form.eq_ignore_ascii_case("SecuredEndpoint")
            || form.eq_ignore_ascii_case("PrivateEndpoint")
        {
            if form.eq_ignore_ascii_case("PrivateEndpoint") {
                self.notes.push(format!(
                    "{who} reaches its endpoint over a private connection, which Callout Lab \
                     does not: its calls go over the network as they are"
                ));
            }
            self.secured(named, &mut credential)?
        } else {
            self.notes.push(format!(
                "{who} was not imported: its type \"{}\" is none of Legacy, SecuredEndpoint \
                 and PrivateEndpoint",
                plain(form)
            ));
            return Ok(None);
        };
        let Some(endpoint) = endpoint else {
            self.notes
                .push(format!("{who} was not imported: it has no URL"));
            return Ok(None);
        };
        credential.endpoint = endpoint;
        if !named.other_blocks.is_empty() {
            self.left_out(&who, named.other_blocks.iter().cloned().collect());
        }
        if credential.protocol == AuthProtocol::AuthorizationCode {
            self.notes.push(format!(
                "{}: Callout Lab signs in in the browser with its own callback \
                 (http://127.0.0.1:<any port>/callback, or the one --redirect-uri gives), not \
                 Salesforce's; register it with the provider's app",
                credential.name
            ));
        }
        Ok(self.usable(credential, &who))
    }

    /// The credential with the fields its definition cannot hold left out
    /// (each named), or none when its endpoint is unusable.
    fn usable(&mut self, mut credential: Credential, who: &str) -> Option<Credential> {
        let codes = std::mem::take(&mut credential.salesforce.additional_refresh_status_codes);
        for code in codes {
            if !is_allowed_refresh_code(code) {
                self.notes.push(format!(
                    "{who}: the additional refresh status code {code} was left out: Salesforce \
                     accepts 400-499 and 600-999, never 5xx"
                ));
            } else if !credential
                .salesforce
                .additional_refresh_status_codes
                .contains(&code)
            {
                credential
                    .salesforce
                    .additional_refresh_status_codes
                    .push(code);
            }
        }
        for problem in credential.problems() {
            let field = problem.field.as_str();
            let cleared = match field {
                "tokenUrl" => credential.token_url.take().is_some(),
                "authUrl" => credential.auth_url.take().is_some(),
                "issuer" => credential.issuer.take().is_some(),
                "endpoint" => {
                    self.notes
                        .push(format!("{who} was not imported: {}", problem.reason));
                    return None;
                }
                _ => false,
            };
            if cleared {
                self.notes
                    .push(format!("{who}: {}; it was left out", problem.reason));
            }
        }
        match credential.validate() {
            Ok(()) => Some(credential),
            Err(error) => {
                self.notes.push(format!("{who} was not imported: {error}"));
                None
            }
        }
    }

    /// A legacy Named Credential: its endpoint, identity and protocol.
    fn legacy(&mut self, named: &Meta, credential: &mut Credential) -> Result<Option<String>> {
        let who = named.who();
        let name = credential.name.clone();
        credential.identity_type = match named.text("principalType") {
            None => IdentityType::default(),
            Some(kind) if kind.eq_ignore_ascii_case("NamedUser") => IdentityType::NamedPrincipal,
            Some(kind) if kind.eq_ignore_ascii_case("PerUser") => IdentityType::PerUser,
            Some(kind) if kind.eq_ignore_ascii_case("Anonymous") => IdentityType::Anonymous,
            Some(other) => {
                self.notes.push(format!(
                    "{who}: its identity type \"{}\" is unknown; it is imported as a named \
                     principal",
                    plain(other)
                ));
                IdentityType::NamedPrincipal
            }
        };
        let scope = named.text("oauthScope").map(scopes_of);
        let protocol = named.text("protocol").unwrap_or("NoAuthentication");
        let mut read = vec![
            "allowMergeFieldsInBody",
            "allowMergeFieldsInHeader",
            "endpoint",
            "generateAuthorizationHeader",
            "namedCredentialType",
            "principalType",
            "protocol",
        ];
        match protocol.to_ascii_lowercase().as_str() {
            "noauthentication" => {}
            "password" => {
                read.push("username");
                credential.protocol = AuthProtocol::Basic;
                credential.username = named.text("username").map(str::to_string);
                let user = credential.username.as_deref().unwrap_or("its user");
                self.to_supply.push(format!(
                    "password of {user} ({who}): `callout credential edit {name} --password-stdin`"
                ));
                if credential.username.is_none() {
                    self.to_supply.push(format!(
                        "username of {who}: `callout credential edit {name} --username USER`"
                    ));
                }
            }
            "oauth" => {
                read.extend(["authProvider", "oauthScope"]);
                credential.protocol = AuthProtocol::AuthorizationCode;
                match named.text("authProvider") {
                    Some(provider) => {
                        self.auth_provider(provider, credential, &who, scope.as_deref())?;
                    }
                    None => self.notes.push(format!(
                        "{who} names no Auth Provider: add the token and authorization URLs and \
                         the client id (`callout credential edit {name} --token-url URL \
                         --auth-url URL --client-id ID`)"
                    )),
                }
                if let Some(scope) = scope {
                    credential.scopes = scope;
                }
            }
            "jwtexchange" => {
                read.extend([
                    "authTokenEndpointUrl",
                    "jwtIssuer",
                    "jwtAudience",
                    "jwtFormulaSubject",
                    "jwtTextSubject",
                    "jwtSigningCertificate",
                    "jwtValidityPeriodSeconds",
                    "oauthScope",
                ]);
                credential.protocol = AuthProtocol::JwtBearer;
                credential.token_url = named.text("authTokenEndpointUrl").map(str::to_string);
                credential.client_id = named.text("jwtIssuer").map(str::to_string);
                credential.scopes = scope.unwrap_or_default();
                self.signing_key(named.text("jwtSigningCertificate"), &who, &name);
                self.jwt_subject(
                    named
                        .text("jwtTextSubject")
                        .or(named.text("jwtFormulaSubject")),
                    &who,
                    &name,
                );
                if named.text("jwtAudience").is_some() {
                    self.notes.push(format!(
                        "{who}: its JWT audience is left out; Callout Lab addresses the JWT to \
                         the issuer, else the token URL"
                    ));
                }
            }
            _ => {
                let why = if protocol.eq_ignore_ascii_case("Jwt") {
                    "a JWT Salesforce signs and sends itself, which Callout Lab does not make"
                        .to_string()
                } else if protocol.eq_ignore_ascii_case("AwsSv4") {
                    "AWS Signature Version 4, which Callout Lab does not sign with".to_string()
                } else {
                    format!("the protocol \"{}\", unknown here", plain(protocol))
                };
                self.notes.push(format!(
                    "{who} authenticates with {why}: it is imported without authentication"
                ));
            }
        }
        if let Some(certificate) = named.text("certificate") {
            read.push("certificate");
            self.client_certificate(certificate, &who, &name);
        }
        let left_out: Vec<String> = named
            .fields
            .keys()
            .filter(|field| !read.contains(&field.as_str()) && !is_cosmetic(field))
            .cloned()
            .collect();
        self.left_out(&who, left_out);
        Ok(named.text("endpoint").map(str::to_string))
    }

    /// A `SecuredEndpoint` Named Credential: its URL, headers and External
    /// Credential.
    fn secured(&mut self, named: &Meta, credential: &mut Credential) -> Result<Option<String>> {
        let who = named.who();
        let name = credential.name.clone();
        let mut endpoint = None;
        let mut external = None;
        let mut headers = Vec::new();
        for block in &named.parameters {
            let kind = param(block, "parameterType").unwrap_or("");
            let value = param(block, "parameterValue");
            if kind.eq_ignore_ascii_case("Url") {
                endpoint = endpoint.or(value.map(str::to_string));
            } else if kind.eq_ignore_ascii_case("Authentication") {
                external = external.or(param(block, "externalCredential")
                    .or(value)
                    .map(str::to_string));
            } else if kind.eq_ignore_ascii_case("HttpHeader") {
                let order = sequence(&named.path, block)?;
                headers.push((
                    order,
                    param(block, "parameterName").unwrap_or("").to_string(),
                    value.unwrap_or("").to_string(),
                ));
            } else if kind.eq_ignore_ascii_case("ClientCertificate") {
                let certificate = param(block, "certificate").or(value).unwrap_or("");
                self.client_certificate(certificate, &who, &name);
            } else if kind.eq_ignore_ascii_case("AllowedManagedPackageNamespaces") {
                self.notes.push(format!(
                    "{who}: the managed packages it allows have no counterpart; every request may \
                     use it"
                ));
            } else {
                let kind = if kind.is_empty() { "(none)" } else { kind };
                self.notes.push(format!(
                    "{who}: its parameter of type {} has no counterpart and was left out",
                    plain(kind)
                ));
            }
        }
        headers.sort_by_key(|(order, _, _)| *order);
        for (_, header, value) in headers {
            self.notes
                .push(header_note(&who, &header, &value, &credential.name));
        }
        if endpoint.is_none()
            && let Some(legacy) = named.text("endpoint")
        {
            endpoint = Some(legacy.to_string());
        }
        if named
            .text("calloutStatus")
            .is_some_and(|status| status.eq_ignore_ascii_case("Disabled"))
        {
            self.notes.push(format!(
                "{who} has callouts disabled in Salesforce; Callout Lab sends with it"
            ));
        }
        let read = [
            "allowMergeFieldsInBody",
            "allowMergeFieldsInHeader",
            "calloutStatus",
            "endpoint",
            "generateAuthorizationHeader",
            "namedCredentialType",
        ];
        let left_out: Vec<String> = named
            .fields
            .keys()
            .filter(|field| !read.contains(&field.as_str()) && !is_cosmetic(field))
            .cloned()
            .collect();
        self.left_out(&who, left_out);
        match external {
            Some(external) => self.external_credential(&external, credential, &who)?,
            None => {
                credential.identity_type = IdentityType::Anonymous;
                self.notes.push(format!(
                    "{who} names no External Credential: it is imported without authentication"
                ));
            }
        }
        Ok(endpoint)
    }

    fn external_credential(
        &mut self,
        external: &str,
        credential: &mut Credential,
        who: &str,
    ) -> Result<()> {
        let name = credential.name.clone();
        let kept = match check_name(external) {
            Ok(()) => external.to_string(),
            Err(reason) => {
                let usable =
                    crate::interop::postman::developer_name(external, "Imported", MAX_NAME_LEN);
                self.notes.push(format!(
                    "{who}: its External Credential {external} is named {usable} in Callout Lab \
                     (its name {reason}); write {{!$Credential.{usable}.PARAMETER}} in merge \
                     fields"
                ));
                usable
            }
        };
        credential.external_credential = Some(kept.clone());
        let Some(meta) = self.external.get(&external.to_ascii_lowercase()).cloned() else {
            credential.identity_type = IdentityType::Anonymous;
            self.notes.push(format!(
                "{who} uses External Credential {external}, which is not in the project: it is \
                 imported without authentication"
            ));
            return Ok(());
        };
        let ec = meta.who();
        let parameters = self.parameters(&meta);
        credential.identity_type = if !parameters.named_principals.is_empty() {
            IdentityType::NamedPrincipal
        } else if !parameters.per_user_principals.is_empty() {
            IdentityType::PerUser
        } else {
            IdentityType::Anonymous
        };
        if !parameters.named_principals.is_empty() && !parameters.per_user_principals.is_empty() {
            self.notes.push(format!(
                "{ec} has named and per-user principals; Callout Lab keeps one identity per \
                 credential and imports it as a named principal"
            ));
        }
        let principal = parameters
            .named_principals
            .iter()
            .min()
            .map(|(_, principal)| principal.clone())
            .or_else(|| parameters.per_user_principals.first().cloned())
            .map_or_else(String::new, |principal| format!("'s principal {principal}"));
        let protocol = meta.text("authenticationProtocol").unwrap_or("");
        let variant = parameters.variant.as_deref().unwrap_or("");
        let is = |value: &str, expected: &str| value.eq_ignore_ascii_case(expected);
        let client_secret = format!(
            "client id and client secret of {ec}{principal}: `callout credential edit {name} \
             --client-id ID --client-secret-stdin`"
        );
        if is(protocol, "Oauth") && (variant.is_empty() || is(variant, "AuthorizationCode")) {
            credential.protocol = AuthProtocol::AuthorizationCode;
            match &parameters.auth_provider {
                Some(provider) => {
                    let scope = parameters.scopes.as_deref();
                    self.auth_provider(provider, credential, &ec, scope)?;
                }
                None => self.notes.push(format!(
                    "{ec} names no Auth Provider: add the token and authorization URLs and the \
                     client id (`callout credential edit {name} --token-url URL --auth-url URL \
                     --client-id ID`)"
                )),
            }
        } else if is(protocol, "Oauth") && is(variant, "ClientCredentialsClientSecret") {
            credential.protocol = AuthProtocol::ClientCredentials;
            credential.client_auth = ClientAuth::Body;
            credential.token_url = parameters.token_url.clone();
            self.to_supply.push(client_secret.clone());
        } else if is(protocol, "Oauth") && is(variant, "ClientCredentialsClientSecretBasic") {
            credential.protocol = AuthProtocol::ClientCredentials;
            credential.client_auth = ClientAuth::Basic;
            credential.token_url = parameters.token_url.clone();
            self.to_supply.push(client_secret.clone());
        } else if is(protocol, "Oauth") && is(variant, "ClientCredentialsJwtAssertion") {
            credential.protocol = AuthProtocol::ClientCredentials;
            credential.token_url = parameters.token_url.clone();
            self.notes.push(format!(
                "{ec}: its client proves itself with a signed JWT, which Callout Lab does not \
                 make; the credential sends a client secret instead"
            ));
            self.to_supply.push(client_secret.clone());
        } else if (is(protocol, "Oauth") && is(variant, "JwtBearer")) || is(protocol, "JwtExchange")
        {
            credential.protocol = AuthProtocol::JwtBearer;
            credential.token_url = parameters.token_url.clone();
            credential.client_id = parameters.issuer_claim.clone();
            self.signing_key(parameters.signing_certificate.as_deref(), &ec, &name);
            self.jwt_subject(None, &ec, &name);
        } else if is(protocol, "Basic") || is(protocol, "Password") {
            credential.protocol = AuthProtocol::Basic;
            self.to_supply.push(format!(
                "username and password of {ec}{principal}: `callout credential edit {name} \
                 --username USER --password-stdin`"
            ));
        } else if is(protocol, "Custom") || is(protocol, "NoAuthentication") {
            credential.protocol = AuthProtocol::NoAuthentication;
            if is(protocol, "Custom") && !is(variant, "NoAuthentication") {
                self.notes.push(format!(
                    "{ec} authenticates with its principal's own parameters, set in Setup; \
                     Callout Lab's {{!$Credential.{kept}.PARAMETER}} merge fields read them, \
                     and the definition has no place for their values"
                ));
            }
        } else {
            credential.protocol = AuthProtocol::NoAuthentication;
            let why = if is(protocol, "AwsSv4") {
                "AWS Signature Version 4, which Callout Lab does not sign with".to_string()
            } else if is(protocol, "Jwt") {
                "a JWT Salesforce signs and sends itself, which Callout Lab does not make"
                    .to_string()
            } else if is(protocol, "Oauth") {
                format!("the OAuth variant \"{}\", unknown here", plain(variant))
            } else {
                format!("the protocol \"{}\", unknown here", plain(protocol))
            };
            self.notes.push(format!(
                "{ec} authenticates with {why}: {who} is imported without authentication"
            ));
        }
        if let Some(scopes) = parameters.scopes {
            credential.scopes = scopes;
        }
        credential.salesforce.additional_refresh_status_codes = parameters.codes;
        if !parameters.left_out.is_empty() {
            self.notes.push(format!(
                "{ec}: {} had no counterpart and were left out",
                parameters.left_out.join(", ")
            ));
        }
        let left_out: Vec<String> = meta
            .fields
            .keys()
            .filter(|field| field.as_str() != "authenticationProtocol" && !is_cosmetic(field))
            .chain(&meta.other_blocks)
            .cloned()
            .collect();
        self.left_out(&ec, left_out);
        Ok(())
    }

    /// Reads an External Credential's parameters.
    fn parameters(&mut self, meta: &Meta) -> Parameters {
        let ec = meta.who();
        let mut read = Parameters::default();
        for block in &meta.parameters {
            let kind = param(block, "parameterType").unwrap_or("");
            let name = param(block, "parameterName").unwrap_or("");
            let value = param(block, "parameterValue");
            let is = |expected: &str| kind.eq_ignore_ascii_case(expected);
            if is("AuthProtocolVariant") {
                read.variant = value.map(str::to_string);
            } else if is("AuthProvider") {
                read.auth_provider = param(block, "authProvider").or(value).map(str::to_string);
            } else if is("AuthProviderUrl") {
                read.token_url = value.map(str::to_string);
            } else if is("AuthParameter") && name.eq_ignore_ascii_case("Scope") {
                read.scopes = value.map(scopes_of);
            } else if is("AdditionalRefreshStatusCode")
                || (is("AuthParameter")
                    && name.to_ascii_lowercase().starts_with("additionalrefresh"))
            {
                for code in value.unwrap_or("").split([',', ' ', ';', '\n', '\t']) {
                    let code = code.trim();
                    if code.is_empty() {
                        continue;
                    }
                    match code.parse::<u16>() {
                        Ok(code) => read.codes.push(code),
                        Err(_) => self.notes.push(format!(
                            "{ec}: the additional refresh status code \"{}\" is not a number and \
                             was left out",
                            plain(code)
                        )),
                    }
                }
            } else if is("NamedPrincipal") {
                let order = param(block, "sequenceNumber")
                    .and_then(|number| number.parse().ok())
                    .unwrap_or(i64::MAX);
                read.named_principals.push((order, name.to_string()));
            } else if is("PerUserPrincipal") {
                read.per_user_principals.push(name.to_string());
            } else if is("JwtBodyClaim") && name == "iss" {
                read.issuer_claim = value.map(str::to_string);
            } else if is("SigningCertificate") {
                read.signing_certificate =
                    param(block, "certificate").or(value).map(str::to_string);
            } else if is("AuthHeader") {
                let value = value.unwrap_or("");
                let note = header_note(&ec, name, value, "");
                self.notes.push(note);
            } else if is("ExternalAuthIdentityProvider") {
                self.notes.push(format!(
                    "{ec} signs in through an External Auth Identity Provider, which is not read: \
                     add the token and authorization URLs and the client id with `callout \
                     credential edit`"
                ));
            } else {
                let what = match (kind, name) {
                    ("", _) => "a parameter without a type".to_string(),
                    (kind, "") => format!("its {kind} parameter"),
                    (kind, name) => format!("its {kind} parameter {name}"),
                };
                read.left_out.push(plain(&what).to_string());
            }
        }
        read
    }

    /// Fills in what Auth Provider `provider` says of `credential`'s flow.
    fn auth_provider(
        &mut self,
        provider: &str,
        credential: &mut Credential,
        user: &str,
        scope: Option<&[String]>,
    ) -> Result<()> {
        let name = credential.name.clone();
        self.to_supply.push(format!(
            "consumer secret of Auth Provider {provider}: `callout credential edit {name} \
             --client-secret-stdin`"
        ));
        let Some(meta) = self.providers.get(&provider.to_ascii_lowercase()).cloned() else {
            self.notes.push(format!(
                "{user} uses Auth Provider {provider}, which is not in the project: add its token \
                 and authorization URLs and its consumer key (`callout credential edit {name} \
                 --token-url URL --auth-url URL --client-id KEY`)"
            ));
            return Ok(());
        };
        let ap = meta.who();
        credential.client_id = meta.text("consumerKey").map(str::to_string);
        credential.auth_url = meta.text("authorizeUrl").map(str::to_string);
        credential.token_url = meta.text("tokenUrl").map(str::to_string);
        credential.issuer = meta.text("idTokenIssuer").map(str::to_string);
        credential.client_auth = match meta.flag("sendClientCredentialsInHeader")? {
            Some(true) => ClientAuth::Basic,
            _ => ClientAuth::Body,
        };
        let defaults = meta.text("defaultScopes").map(scopes_of);
        match (scope, defaults) {
            (Some(scope), Some(defaults)) if scope != defaults.as_slice() => {
                self.notes.push(format!(
                    "{ap}'s default scopes ({}) give way to {user}'s scope ({}), as in Salesforce",
                    defaults.join(" "),
                    scope.join(" ")
                ));
            }
            (None, Some(defaults)) => credential.scopes = defaults,
            _ => {}
        }
        let kind = meta.text("providerType").unwrap_or("");
        if kind.eq_ignore_ascii_case("Salesforce") {
            for (url, path) in [
                (&mut credential.auth_url, "authorize"),
                (&mut credential.token_url, "token"),
            ] {
                if url.is_none() {
                    *url = Some(format!(
                        "{}/services/oauth2/{path}",
                        SalesforceOrg::Production.login_url()
                    ));
                    self.notes.push(format!(
                        "{ap} leaves its {path} URL to Salesforce: {name} uses production's \
                         (login.salesforce.com); for a sandbox org, `callout credential edit \
                         {name}` with test.salesforce.com"
                    ));
                }
            }
        } else if kind.eq_ignore_ascii_case("Custom") {
            self.notes.push(format!(
                "{ap} is an Apex plugin whose endpoints are in its custom metadata: add the token \
                 and authorization URLs (`callout credential edit {name} --token-url URL \
                 --auth-url URL`)"
            ));
        } else if !kind.eq_ignore_ascii_case("OpenIdConnect")
            && (credential.token_url.is_none() || credential.auth_url.is_none())
        {
            let kind = if kind.is_empty() { "unnamed" } else { kind };
            self.notes.push(format!(
                "{ap} is a {} provider whose endpoints Salesforce knows and the file does not \
                 say: add its token and authorization URLs (`callout credential edit {name} \
                 --token-url URL --auth-url URL`)",
                plain(kind)
            ));
        }
        if credential.client_id.is_none() {
            self.notes.push(format!(
                "{ap} has no consumer key in the file: add the client id (`callout credential \
                 edit {name} --client-id KEY`)"
            ));
        }
        if meta.flag("isPkceEnabled")? == Some(false) {
            self.notes.push(format!(
                "{ap} does not use PKCE; Callout Lab always does (RFC 7636), which providers \
                 that do not check it ignore"
            ));
        }
        let read = [
            "authorizeUrl",
            "consumerKey",
            "defaultScopes",
            "idTokenIssuer",
            "isPkceEnabled",
            "providerType",
            "sendClientCredentialsInHeader",
            "tokenUrl",
        ];
        let left_out: Vec<String> = meta
            .fields
            .iter()
            .filter(|(field, value)| {
                let quiet = AUTH_PROVIDER_DEFAULTS
                    .iter()
                    .any(|(name, default)| name == field && value.text == *default);
                !read.contains(&field.as_str()) && !is_cosmetic(field) && !quiet
            })
            .map(|(field, _)| field.clone())
            .chain(meta.other_blocks.iter().cloned())
            .collect();
        self.left_out(&ap, left_out);
        Ok(())
    }

    /// The private key a JWT is signed with, to supply.
    fn signing_key(&mut self, certificate: Option<&str>, who: &str, name: &str) {
        let key = match certificate {
            Some(certificate) => format!("private key of certificate {certificate}"),
            None => "private key".to_string(),
        };
        self.to_supply.push(format!(
            "{key}, which signs {who}'s JWT: `callout credential edit {name} --private-key-stdin`"
        ));
    }

    fn jwt_subject(&mut self, subject: Option<&str>, who: &str, name: &str) {
        let subject = subject.map_or_else(String::new, |subject| format!(" ({subject})"));
        self.notes.push(format!(
            "{who}: the JWT's subject{subject} is given when authorizing (`callout authorize \
             {name} --username SUBJECT`)"
        ));
    }

    fn client_certificate(&mut self, certificate: &str, who: &str, name: &str) {
        let certificate = if certificate.is_empty() {
            "its client certificate".to_string()
        } else {
            format!("client certificate {certificate}")
        };
        self.to_supply.push(format!(
            "{certificate} and its private key ({who} presents it): `callout credential edit \
             {name} --client-certificate FILE --client-key FILE`"
        ));
    }

    fn left_out(&mut self, who: &str, fields: Vec<String>) {
        if fields.is_empty() {
            return;
        }
        let (verb, noun) = if fields.len() == 1 {
            ("has", "was")
        } else {
            ("have", "were")
        };
        self.notes.push(format!(
            "{who}: {} {verb} no counterpart and {noun} left out",
            fields.join(", ")
        ));
    }
}

/// Auth Provider flags a retrieve writes with these values, which change
/// nothing for a callout: not worth a note.
const AUTH_PROVIDER_DEFAULTS: [(&str, &str); 4] = [
    ("includeOrgIdInIdentifier", "false"),
    ("requireMfa", "false"),
    ("sendAccessTokenInHeader", "true"),
    ("sendSecretInApis", "true"),
];

/// Fields that only name or describe a component.
fn is_cosmetic(field: &str) -> bool {
    matches!(field, "label" | "description" | "fullName" | "friendlyName")
}

/// A note for a header Salesforce adds to every callout. A formula is
/// shown; a literal value is not (it may be a secret).
fn header_note(who: &str, header: &str, value: &str, credential: &str) -> String {
    let value = if value.starts_with("{!") {
        format!(": {}", plain(value))
    } else if value.is_empty() {
        String::new()
    } else {
        " with a literal value (not shown here: it may be a secret)".into()
    };
    let requests = if credential.is_empty() {
        "the requests that use it".to_string()
    } else {
        format!("the requests that use callout:{credential}")
    };
    format!(
        "{who} adds the header {}{value} to every callout; a credential carries no headers of \
         its own: add it to {requests}",
        plain(header)
    )
}

/// `text` for a note or an error: every [unsafe](super::is_unsafe)
/// character written as `\u{...}`, so no value can break a line or
/// change how the sentence around it reads; the rest as it is.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            if super::is_unsafe(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A parameter's sequence number (none: last), an error when it is not a number.
fn sequence(path: &str, block: &BTreeMap<String, Field>) -> Result<i64> {
    match block.get("sequenceNumber") {
        None => Ok(i64::MAX),
        Some(field) if field.text.is_empty() => Ok(i64::MAX),
        Some(field) => field.text.parse().map_err(|_| {
            located(
                path,
                field.line,
                field.column,
                format!("sequenceNumber is \"{}\", not a number", plain(&field.text)),
            )
        }),
    }
}

fn scopes_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|scope| !scope.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// From a credential to metadata.

/// Why `protocol` cannot be written as Salesforce metadata, if it cannot.
fn unexportable(protocol: AuthProtocol) -> Option<&'static str> {
    match protocol {
        AuthProtocol::DeviceCode => Some(
            "the device code flow, which Salesforce's Named Credentials do not have; use the \
             authorization code flow",
        ),
        AuthProtocol::Password => Some(
            "the OAuth password grant, which Salesforce's Named Credentials do not have; use \
             Basic (password authentication) or another flow",
        ),
        _ => None,
    }
}

/// Whether `credential` is written as a legacy Named Credential.
fn is_legacy(credential: &Credential) -> bool {
    credential.external_credential.is_none()
        && credential
            .salesforce
            .additional_refresh_status_codes
            .is_empty()
        && matches!(
            credential.protocol,
            AuthProtocol::AuthorizationCode | AuthProtocol::Basic | AuthProtocol::NoAuthentication
        )
}

fn uses_auth_provider(credential: &Credential) -> bool {
    credential.protocol == AuthProtocol::AuthorizationCode
}

fn export_legacy(credential: &Credential) -> Result<Vec<(String, String)>> {
    let name = &credential.name;
    let options = &credential.salesforce;
    let protocol = match credential.protocol {
        AuthProtocol::AuthorizationCode => "Oauth",
        AuthProtocol::Basic => "Password",
        _ => "NoAuthentication",
    };
    let oauth = credential.protocol == AuthProtocol::AuthorizationCode;
    let scope = (oauth && !credential.scopes.is_empty()).then(|| credential.scopes.join(" "));
    let mut xml = Xml::new(Kind::NamedCredential);
    xml.field(
        "allowMergeFieldsInBody",
        flag_text(options.allow_merge_fields_in_body),
    )?;
    xml.field(
        "allowMergeFieldsInHeader",
        flag_text(options.allow_merge_fields_in_header),
    )?;
    if oauth {
        xml.field("authProvider", name)?;
    }
    xml.field("endpoint", &credential.endpoint)?;
    xml.field(
        "generateAuthorizationHeader",
        flag_text(options.generate_authorization_header),
    )?;
    xml.field("label", name)?;
    xml.optional("oauthScope", scope.as_deref())?;
    xml.field("principalType", principal_type(credential.identity_type))?;
    xml.field("protocol", protocol)?;
    if credential.protocol == AuthProtocol::Basic {
        xml.optional("username", credential.username.as_deref())?;
    }
    let mut files = vec![(Kind::NamedCredential.source_path(name), xml.finish())];
    if oauth {
        files.push(auth_provider_file(credential)?);
    }
    Ok(files)
}

fn principal_type(identity: IdentityType) -> &'static str {
    match identity {
        IdentityType::NamedPrincipal => "NamedUser",
        IdentityType::PerUser => "PerUser",
        IdentityType::Anonymous => "Anonymous",
    }
}

fn flag_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The token and authorization URLs a credential's Auth Provider names:
/// its own, else its Salesforce org's.
fn provider_urls(credential: &Credential) -> (Option<String>, Option<String>) {
    let org = credential
        .salesforce_org
        .as_deref()
        .and_then(|org| SalesforceOrg::parse(org).ok())
        .map(|org| org.login_url());
    let at = |path: &str| {
        org.as_ref()
            .map(|login| format!("{login}/services/oauth2/{path}"))
    };
    (
        credential.auth_url.clone().or_else(|| at("authorize")),
        credential.token_url.clone().or_else(|| at("token")),
    )
}

/// The Auth Provider of an authorization code credential, named after it.
fn auth_provider_file(credential: &Credential) -> Result<(String, String)> {
    let name = &credential.name;
    let (authorize, token) = provider_urls(credential);
    let salesforce = credential.salesforce_org.is_some()
        || [&authorize, &token].into_iter().flatten().any(|url| {
            url::Url::parse(url)
                .ok()
                .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|host| {
                    host == "salesforce.com"
                        || host.ends_with(".salesforce.com")
                        || host.ends_with(".force.com")
                })
        });
    let scopes = (!credential.scopes.is_empty()).then(|| credential.scopes.join(" "));
    let mut xml = Xml::new(Kind::AuthProvider);
    xml.optional("authorizeUrl", authorize.as_deref())?;
    xml.optional("consumerKey", credential.client_id.as_deref())?;
    xml.field("consumerSecret", PLACEHOLDER_SECRET)?;
    xml.optional("defaultScopes", scopes.as_deref())?;
    xml.field("friendlyName", name)?;
    xml.optional("idTokenIssuer", credential.issuer.as_deref())?;
    xml.field("includeOrgIdInIdentifier", "false")?;
    xml.field("isPkceEnabled", "true")?;
    xml.field(
        "providerType",
        if salesforce {
            "Salesforce"
        } else {
            "OpenIdConnect"
        },
    )?;
    xml.field("requireMfa", "false")?;
    xml.field("sendAccessTokenInHeader", "true")?;
    xml.field(
        "sendClientCredentialsInHeader",
        flag_text(credential.client_auth == ClientAuth::Basic),
    )?;
    xml.field("sendSecretInApis", "true")?;
    xml.optional("tokenUrl", token.as_deref())?;
    Ok((Kind::AuthProvider.source_path(name), xml.finish()))
}

fn export_secured(credential: &Credential) -> Result<Vec<(String, String)>> {
    let name = &credential.name;
    let external = credential.external_credential.as_deref().unwrap_or(name);
    let options = &credential.salesforce;
    let mut xml = Xml::new(Kind::NamedCredential);
    xml.field(
        "allowMergeFieldsInBody",
        flag_text(options.allow_merge_fields_in_body),
    )?;
    xml.field(
        "allowMergeFieldsInHeader",
        flag_text(options.allow_merge_fields_in_header),
    )?;
    xml.field("calloutStatus", "Enabled")?;
    xml.field(
        "generateAuthorizationHeader",
        flag_text(options.generate_authorization_header),
    )?;
    xml.field("label", name)?;
    xml.block(
        "namedCredentialParameters",
        &[
            ("parameterName", "Url"),
            ("parameterType", "Url"),
            ("parameterValue", &credential.endpoint),
        ],
    )?;
    xml.block(
        "namedCredentialParameters",
        &[
            ("externalCredential", external),
            ("parameterName", "ExternalCredential"),
            ("parameterType", "Authentication"),
        ],
    )?;
    xml.field("namedCredentialType", "SecuredEndpoint")?;
    let mut files = vec![
        (Kind::NamedCredential.source_path(name), xml.finish()),
        external_credential_file(credential, external)?,
    ];
    if uses_auth_provider(credential) {
        files.push(auth_provider_file(credential)?);
    }
    Ok(files)
}

fn external_credential_file(credential: &Credential, external: &str) -> Result<(String, String)> {
    let name = &credential.name;
    let (_, token_url) = provider_urls(credential);
    let protocol = match credential.protocol {
        AuthProtocol::Basic => "Basic",
        AuthProtocol::NoAuthentication => "Custom",
        _ => "Oauth",
    };
    let mut xml = Xml::new(Kind::ExternalCredential);
    xml.field("authenticationProtocol", protocol)?;
    let block =
        |xml: &mut Xml, fields: &[(&str, &str)]| xml.block("externalCredentialParameters", fields);
    let variant = match (credential.protocol, credential.client_auth) {
        (AuthProtocol::ClientCredentials, ClientAuth::Body) => {
            Some("ClientCredentialsClientSecret")
        }
        (AuthProtocol::ClientCredentials, ClientAuth::Basic) => {
            Some("ClientCredentialsClientSecretBasic")
        }
        (AuthProtocol::JwtBearer, _) => Some("JwtBearer"),
        _ => None,
    };
    if let Some(variant) = variant {
        block(
            &mut xml,
            &[
                ("parameterName", "Oauth"),
                ("parameterType", "AuthProtocolVariant"),
                ("parameterValue", variant),
            ],
        )?;
        if let Some(token_url) = &token_url {
            block(
                &mut xml,
                &[
                    ("parameterName", "AuthProviderUrl"),
                    ("parameterType", "AuthProviderUrl"),
                    ("parameterValue", token_url),
                ],
            )?;
        }
    }
    if uses_auth_provider(credential) {
        block(
            &mut xml,
            &[
                ("authProvider", name),
                ("parameterName", name),
                ("parameterType", "AuthProvider"),
            ],
        )?;
    }
    if credential.protocol == AuthProtocol::JwtBearer
        && let Some(client_id) = &credential.client_id
    {
        block(
            &mut xml,
            &[
                ("parameterName", "iss"),
                ("parameterType", "JwtBodyClaim"),
                ("parameterValue", client_id),
            ],
        )?;
    }
    if credential.protocol.uses_tokens() && !credential.scopes.is_empty() {
        block(
            &mut xml,
            &[
                ("parameterName", "Scope"),
                ("parameterType", "AuthParameter"),
                ("parameterValue", &credential.scopes.join(" ")),
            ],
        )?;
    }
    let codes = &credential.salesforce.additional_refresh_status_codes;
    if !codes.is_empty() {
        let codes: Vec<String> = codes.iter().map(u16::to_string).collect();
        block(
            &mut xml,
            &[
                ("parameterName", "AdditionalRefreshStatusCode"),
                ("parameterType", "AdditionalRefreshStatusCode"),
                ("parameterValue", &codes.join(",")),
            ],
        )?;
    }
    match credential.identity_type {
        IdentityType::NamedPrincipal => block(
            &mut xml,
            &[
                ("parameterGroup", "NamedPrincipal"),
                ("parameterName", "NamedPrincipal"),
                ("parameterType", "NamedPrincipal"),
                ("sequenceNumber", "1"),
            ],
        )?,
        IdentityType::PerUser => block(
            &mut xml,
            &[
                ("parameterGroup", "PerUserPrincipal"),
                ("parameterName", "PerUserPrincipal"),
                ("parameterType", "PerUserPrincipal"),
            ],
        )?,
        IdentityType::Anonymous => {}
    }
    xml.field("label", external)?;
    Ok((Kind::ExternalCredential.source_path(external), xml.finish()))
}

/// A metadata file as a retrieve writes it.
struct Xml {
    kind: Kind,
    out: String,
}

impl Xml {
    fn new(kind: Kind) -> Self {
        let out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{} xmlns=\"{METADATA_NAMESPACE}\">\n",
            kind.root()
        );
        Self { kind, out }
    }

    fn field(&mut self, name: &str, value: &str) -> Result<()> {
        let value = escape(self.kind, name, value)?;
        self.out
            .push_str(&format!("    <{name}>{value}</{name}>\n"));
        Ok(())
    }

    fn optional(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) if !value.is_empty() => self.field(name, value),
            _ => Ok(()),
        }
    }

    fn block(&mut self, name: &str, fields: &[(&str, &str)]) -> Result<()> {
        self.out.push_str(&format!("    <{name}>\n"));
        for (field, value) in fields {
            let value = escape(self.kind, field, value)?;
            self.out
                .push_str(&format!("        <{field}>{value}</{field}>\n"));
        }
        self.out.push_str(&format!("    </{name}>\n"));
        Ok(())
    }

    fn finish(mut self) -> String {
        self.out.push_str(&format!("</{}>\n", self.kind.root()));
        self.out
    }
}

/// `value` as XML text: the markup characters as entities, every other
/// [unsafe](super::is_unsafe) character as a character reference (so the
/// file reads as what it holds); an error for a character XML 1.0 cannot
/// hold at all.
fn escape(kind: Kind, field: &str, value: &str) -> Result<String> {
    let mut out = String::with_capacity(value.len());
    for (index, c) in value.chars().enumerate() {
        if let Some(entity) = crate::markup::xml_entity(c) {
            out.push_str(entity);
            continue;
        }
        match c {
            '\t' | '\n' | '\r' => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {
                return Err(Error::Export {
                    format: WHAT,
                    detail: format!(
                        "the {} field {field} holds a control character (U+{:04X}) at character \
                         {}, which XML cannot hold",
                        kind.words(),
                        u32::from(c),
                        index + 1
                    ),
                });
            }
            c if super::is_unsafe(c) => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_project() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sfdx/acme-project")
    }

    /// The secrets the fixture's files hold: none may come in or go out.
    const FIXTURE_SECRETS: [&str; 2] = [
        "kQ3xv9Tn2LmW8pZr4YcB7uEo1HsJ6dFa0gNi5tRw",
        "files-password-never-imported",
    ];

    fn by_name<'a>(imported: &'a SfdxImport, name: &str) -> &'a Credential {
        imported
            .credentials
            .iter()
            .find(|credential| credential.name == name)
            .unwrap_or_else(|| panic!("no credential {name} in {:?}", imported.credentials))
    }

    fn contains(list: &[String], expected: &str) -> bool {
        list.iter().any(|line| line.contains(expected))
    }

    #[test]
    fn the_fixture_project_comes_in_field_by_field() {
        let imported = import(&fixture_project()).unwrap();
        assert_eq!(
            imported.files_read,
            [
                "sfdx-project.json",
                "force-app/main/default/authproviders/Acme_Login.authprovider-meta.xml",
                "force-app/main/default/authproviders/Billing_Login.authprovider-meta.xml",
                "force-app/main/default/externalCredentials/Billing_Auth.externalCredential-meta.xml",
                "force-app/main/default/externalCredentials/Metrics_Auth.externalCredential-meta.xml",
                "force-app/main/default/namedCredentials/Acme_ERP.namedCredential-meta.xml",
                "force-app/main/default/namedCredentials/Acme_Files.namedCredential-meta.xml",
                "force-app/main/default/namedCredentials/Billing_API.namedCredential-meta.xml",
                "force-app/main/default/namedCredentials/Metrics_API.namedCredential-meta.xml",
            ]
        );
        let names: Vec<&str> = imported
            .credentials
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Acme_ERP", "Acme_Files", "Billing_API", "Metrics_API"]
        );

        // Legacy OAuth through an Auth Provider.
        let mut erp = Credential::new("Acme_ERP", "https://erp.acme.example/api");
        erp.protocol = AuthProtocol::AuthorizationCode;
        erp.client_id = Some("acme-erp-connected-app".into());
        erp.client_auth = ClientAuth::Body;
        erp.scopes = vec!["api".into(), "refresh_token".into()];
        erp.auth_url = Some("https://login.acme.example/oauth2/authorize".into());
        erp.token_url = Some("https://login.acme.example/oauth2/token".into());
        erp.identity_type = IdentityType::NamedPrincipal;
        erp.salesforce.generate_authorization_header = true;
        erp.salesforce.allow_merge_fields_in_header = true;
        erp.salesforce.allow_merge_fields_in_body = false;
        assert_eq!(by_name(&imported, "Acme_ERP"), &erp);

        // Legacy password authentication.
        let mut files = Credential::new("Acme_Files", "https://files.acme.example");
        files.protocol = AuthProtocol::Basic;
        files.username = Some("integration@acme.example".into());
        files.salesforce.generate_authorization_header = true;
        files.salesforce.allow_merge_fields_in_body = true;
        assert_eq!(by_name(&imported, "Acme_Files"), &files);

        // SecuredEndpoint + External Credential + Auth Provider, per user,
        // with an additional refresh status code.
        let mut billing = Credential::new("Billing_API", "https://billing.acme.example/v2");
        billing.protocol = AuthProtocol::AuthorizationCode;
        billing.external_credential = Some("Billing_Auth".into());
        billing.client_id = Some("billing-app-key".into());
        billing.client_auth = ClientAuth::Basic;
        billing.scopes = vec!["billing.read".into(), "offline_access".into()];
        billing.auth_url = Some("https://id.billing.example/authorize".into());
        billing.token_url = Some("https://id.billing.example/token".into());
        billing.issuer = Some("https://id.billing.example".into());
        billing.identity_type = IdentityType::PerUser;
        billing.salesforce.allow_merge_fields_in_header = true;
        billing.salesforce.additional_refresh_status_codes = vec![403];
        assert_eq!(by_name(&imported, "Billing_API"), &billing);

        // SecuredEndpoint + External Credential, client credentials.
        let mut metrics = Credential::new("Metrics_API", "https://metrics.acme.example");
        metrics.protocol = AuthProtocol::ClientCredentials;
        metrics.external_credential = Some("Metrics_Auth".into());
        metrics.client_auth = ClientAuth::Body;
        metrics.token_url = Some("https://login.acme.example/oauth2/token".into());
        metrics.scopes = vec!["metrics.read".into()];
        metrics.salesforce.generate_authorization_header = true;
        metrics.salesforce.additional_refresh_status_codes = vec![403, 409];
        assert_eq!(by_name(&imported, "Metrics_API"), &metrics);

        for credential in &imported.credentials {
            credential.validate().unwrap();
            assert!(credential.problems().iter().all(|p| p.field != "name"));
        }

        assert_eq!(
            imported.to_supply,
            [
                "consumer secret of Auth Provider Acme_Login: `callout credential edit Acme_ERP \
                 --client-secret-stdin`",
                "password of integration@acme.example (Named Credential Acme_Files): `callout \
                 credential edit Acme_Files --password-stdin`",
                "consumer secret of Auth Provider Billing_Login: `callout credential edit \
                 Billing_API --client-secret-stdin`",
                "client id and client secret of External Credential Metrics_Auth's principal \
                 Metrics_Service: `callout credential edit Metrics_API --client-id ID \
                 --client-secret-stdin`",
            ]
        );
        let notes = &imported.notes;
        for expected in [
            "Named Credential Billing_API adds the header X-Tenant-Id: {!'tenant-' & \
             $Credential.Billing_Auth.TenantId} to every callout; a credential carries no \
             headers of its own: add it to the requests that use callout:Billing_API",
            "Named Credential Billing_API adds the header X-Api-Version with a literal value \
             (not shown here: it may be a secret)",
            "Auth Provider Acme_Login: userInfoUrl has no counterpart and was left out",
            "Acme_ERP: Callout Lab signs in in the browser with its own callback",
            "Billing_API: Callout Lab signs in in the browser with its own callback",
        ] {
            assert!(
                contains(notes, expected),
                "no note {expected:?} in {notes:#?}"
            );
        }
        // The literal header value is a secret as far as anyone knows.
        assert!(!format!("{imported:?}").contains("2024-06-01-private"));
    }

    #[test]
    fn no_secret_of_the_files_comes_in_or_goes_out() {
        let imported = import(&fixture_project()).unwrap();
        let mut everything = format!("{imported:?}");
        everything.push_str(&serde_json::to_string(&imported).unwrap());
        for credential in &imported.credentials {
            for (path, xml) in export(credential).unwrap() {
                everything.push_str(&path);
                everything.push_str(&xml);
                if path.ends_with(".authprovider-meta.xml") {
                    assert!(
                        xml.contains("    <consumerSecret>Placeholder_Value</consumerSecret>\n"),
                        "{xml}"
                    );
                }
            }
        }
        for secret in FIXTURE_SECRETS {
            assert!(!everything.contains(secret), "{secret} leaked");
        }
        // The files did hold them: the test can fail.
        let raw = std::fs::read_to_string(
            fixture_project()
                .join("force-app/main/default/authproviders/Acme_Login.authprovider-meta.xml"),
        )
        .unwrap();
        assert!(raw.contains(FIXTURE_SECRETS[0]));
    }

    /// Every field of a parsed file, as `name=value` lines, with the
    /// components it names (Auth Provider, External Credential) inlined as
    /// they read; the parameter blocks as `param:TYPE{...}`. The names of a
    /// principal, an Auth Provider reference or a protocol variant's
    /// parameter are labels Salesforce does not read and are left out, as
    /// are fields whose names start with one of `skip`.
    fn view(meta: &Meta, all: &[Meta], skip: &[&str]) -> BTreeSet<String> {
        let resolve = |kind: Kind, name: &str| -> String {
            let found = all
                .iter()
                .find(|other| other.kind == kind && other.name.eq_ignore_ascii_case(name))
                .unwrap_or_else(|| panic!("{name} is not among the files"));
            let inner: Vec<String> = view(found, all, skip).into_iter().collect();
            format!("{{{}}}", inner.join("; "))
        };
        let kept = |line: &str| !skip.iter().any(|prefix| line.starts_with(prefix));
        let mut lines = BTreeSet::new();
        for (name, field) in &meta.fields {
            let line = if name == "authProvider" {
                format!("authProvider={}", resolve(Kind::AuthProvider, &field.text))
            } else {
                format!("{name}={}", field.text)
            };
            if kept(&line) {
                lines.insert(line);
            }
        }
        for block in &meta.parameters {
            let kind = param(block, "parameterType").unwrap_or("");
            let mut parts = Vec::new();
            for (name, field) in block {
                let label = name == "parameterGroup"
                    || (name == "parameterName"
                        && !matches!(kind, "AuthParameter" | "HttpHeader" | "JwtBodyClaim"));
                if label || name == "parameterType" {
                    continue;
                }
                parts.push(match name.as_str() {
                    "authProvider" => {
                        format!("authProvider={}", resolve(Kind::AuthProvider, &field.text))
                    }
                    "externalCredential" => format!(
                        "externalCredential={}",
                        resolve(Kind::ExternalCredential, &field.text)
                    ),
                    _ => format!("{name}={}", field.text),
                });
            }
            let line = format!("param:{kind}{{{}}}", parts.join(", "));
            if kept(&line) {
                lines.insert(line);
            }
        }
        lines
    }

    /// The metadata files under `dir`, parsed.
    fn parsed(dir: &Path) -> Vec<Meta> {
        let mut found = Vec::new();
        walk(dir, dir, 0, &mut found).unwrap();
        found
            .iter()
            .map(|file| {
                let text = std::fs::read_to_string(&file.path).unwrap();
                parse(&text, file.kind, &file.name, &shown(dir, &file.path)).unwrap()
            })
            .collect()
    }

    fn write(dir: &Path, files: &[(String, String)]) {
        for (path, xml) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, xml).unwrap();
        }
    }

    #[test]
    fn exports_give_back_the_files_they_came_from_field_for_field() {
        let project = fixture_project();
        let imported = import(&project).unwrap();
        let inputs = parsed(&project);
        // What a definition does not carry: names and labels, the user info
        // URL of Salesforce's own sign-in, the Named Credential's headers
        // (each a note, see above).
        let skip = [
            "label=",
            "friendlyName=",
            "userInfoUrl=",
            "param:HttpHeader",
        ];
        for credential in &imported.credentials {
            let files = export(credential).unwrap();
            let out = tempfile::tempdir().unwrap();
            write(out.path(), &files);
            let outputs = parsed(out.path());
            let named = |all: &[Meta], name: &str| {
                all.iter()
                    .find(|meta| meta.kind == Kind::NamedCredential && meta.name == name)
                    .cloned()
                    .unwrap()
            };
            let before = view(&named(&inputs, &credential.name), &inputs, &skip);
            let after = view(&named(&outputs, &credential.name), &outputs, &skip);
            assert_eq!(before, after, "{}", credential.name);
            // And read again, the same definition.
            let again = import(out.path()).unwrap();
            assert_eq!(again.credentials, std::slice::from_ref(credential));
            // Shaped as a retrieve writes it.
            for (path, xml) in &files {
                assert!(path.starts_with("force-app/main/default/"), "{path}");
                let root = outputs
                    .iter()
                    .find(|meta| path.ends_with(&meta.path))
                    .unwrap()
                    .kind
                    .root();
                assert!(
                    xml.starts_with(&format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} \
                         xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <"
                    )),
                    "{xml}"
                );
                assert!(xml.ends_with(&format!("</{root}>\n")), "{xml}");
                let tags: Vec<&str> = xml
                    .lines()
                    .filter(|line| line.starts_with("    <") && !line.starts_with("     "))
                    .filter(|line| !line.starts_with("    </"))
                    .map(|line| line.trim_start_matches("    <").split('>').next().unwrap())
                    .collect();
                let mut sorted = tags.clone();
                sorted.sort_unstable();
                assert_eq!(tags, sorted, "fields in alphabetical order in {path}");
            }
        }
        let legacy: Vec<String> = export(by_name(&imported, "Acme_ERP"))
            .unwrap()
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            legacy,
            [
                "force-app/main/default/namedCredentials/Acme_ERP.namedCredential-meta.xml",
                "force-app/main/default/authproviders/Acme_ERP.authprovider-meta.xml",
            ]
        );
        let secured: Vec<String> = export(by_name(&imported, "Billing_API"))
            .unwrap()
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            secured,
            [
                "force-app/main/default/namedCredentials/Billing_API.namedCredential-meta.xml",
                "force-app/main/default/externalCredentials/Billing_Auth.externalCredential-meta.xml",
                "force-app/main/default/authproviders/Billing_API.authprovider-meta.xml",
            ]
        );
    }

    #[test]
    fn the_written_xml_reads_as_salesforce_writes_it() {
        let imported = import(&fixture_project()).unwrap();
        let files = export(by_name(&imported, "Acme_ERP")).unwrap();
        assert_eq!(
            files[0].1,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <allowMergeFieldsInBody>false</allowMergeFieldsInBody>
    <allowMergeFieldsInHeader>true</allowMergeFieldsInHeader>
    <authProvider>Acme_ERP</authProvider>
    <endpoint>https://erp.acme.example/api</endpoint>
    <generateAuthorizationHeader>true</generateAuthorizationHeader>
    <label>Acme_ERP</label>
    <oauthScope>api refresh_token</oauthScope>
    <principalType>NamedUser</principalType>
    <protocol>Oauth</protocol>
</NamedCredential>
"
        );
        let billing = export(by_name(&imported, "Billing_API")).unwrap();
        assert_eq!(
            billing[1].1,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<ExternalCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <authenticationProtocol>Oauth</authenticationProtocol>
    <externalCredentialParameters>
        <authProvider>Billing_API</authProvider>
        <parameterName>Billing_API</parameterName>
        <parameterType>AuthProvider</parameterType>
    </externalCredentialParameters>
    <externalCredentialParameters>
        <parameterName>Scope</parameterName>
        <parameterType>AuthParameter</parameterType>
        <parameterValue>billing.read offline_access</parameterValue>
    </externalCredentialParameters>
    <externalCredentialParameters>
        <parameterName>AdditionalRefreshStatusCode</parameterName>
        <parameterType>AdditionalRefreshStatusCode</parameterType>
        <parameterValue>403</parameterValue>
    </externalCredentialParameters>
    <externalCredentialParameters>
        <parameterGroup>PerUserPrincipal</parameterGroup>
        <parameterName>PerUserPrincipal</parameterName>
        <parameterType>PerUserPrincipal</parameterType>
    </externalCredentialParameters>
    <label>Billing_Auth</label>
</ExternalCredential>
"
        );
    }

    #[test]
    fn text_is_escaped_on_the_way_out_and_read_back_as_it_was() {
        let mut credential = Credential::new("Odd", "https://api.example.com/a?x=1&y=<2>");
        credential.protocol = AuthProtocol::ClientCredentials;
        credential.external_credential = Some("Odd_Auth".into());
        credential.token_url = Some("https://login.example.com/token?a=1&b='2'".into());
        credential.scopes = vec![
            "read\"all\"".into(),
            "write&more".into(),
            "\u{202e}fdp".into(),
        ];
        let files = export(&credential).unwrap();
        let ec = &files[1].1;
        assert!(
            ec.contains(
                "<parameterValue>read&quot;all&quot; write&amp;more &#x202E;fdp</parameterValue>"
            ),
            "{ec}"
        );
        assert!(
            files[0].1.contains("a?x=1&amp;y=&lt;2&gt;"),
            "{}",
            files[0].1
        );
        let out = tempfile::tempdir().unwrap();
        write(out.path(), &files);
        let again = import(out.path()).unwrap();
        assert_eq!(again.credentials[0].endpoint, credential.endpoint);
        assert_eq!(again.credentials[0].token_url, credential.token_url);
        assert_eq!(again.credentials[0].scopes, credential.scopes);

        credential.scopes = vec!["bell\u{7}".into()];
        let error = export(&credential).unwrap_err().to_string();
        assert_eq!(
            error,
            "cannot export the request as Salesforce metadata: the External Credential field \
             parameterValue holds a control character (U+0007) at character 5, which XML cannot \
             hold"
        );
    }

    #[test]
    fn flows_salesforce_lacks_are_refused_and_the_rest_say_what_they_leave_out() {
        let mut device = Credential::new("Device", "https://api.example.com");
        device.protocol = AuthProtocol::DeviceCode;
        let error = export(&device).unwrap_err().to_string();
        assert!(error.contains("the device code flow"), "{error}");

        let mut org = Credential::salesforce("Org", &SalesforceOrg::Sandbox, "key");
        org.keep_alive_seconds = Some(3600);
        let files = export(&org).unwrap();
        assert!(
            files[1]
                .1
                .contains("<providerType>Salesforce</providerType>")
        );
        assert!(
            files[1]
                .1
                .contains("<tokenUrl>https://test.salesforce.com/services/oauth2/token</tokenUrl>")
        );
        let notes = export_notes(&org);
        assert!(contains(&notes, "Org: no secret is written"), "{notes:?}");
        assert!(contains(&notes, "keep-alive"), "{notes:?}");
        assert!(contains(&notes, "localhost:1717"), "{notes:?}");
    }

    /// A project with one Named Credential file holding `xml`.
    fn project_with(file: &str, xml: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("force-app/main/default").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, xml).unwrap();
        std::fs::write(
            dir.path().join("sfdx-project.json"),
            r#"{"packageDirectories":[{"path":"force-app","default":true}]}"#,
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_broken_file_is_named_with_its_line_and_column() {
        let broken = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    \
            <endpoint>https://a.example</endpont>\n</NamedCredential>\n";
        let dir = project_with("namedCredentials/A.namedCredential-meta.xml", broken);
        assert_eq!(
            import(dir.path()).unwrap_err().to_string(),
            "cannot import the Salesforce metadata: \
             force-app/main/default/namedCredentials/A.namedCredential-meta.xml, line 3, column \
             32: it is not well-formed XML (expected 'endpoint' tag, not 'endpont')"
        );

        let not_a_flag = "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
            <endpoint>https://a.example</endpoint>\n\
            <allowMergeFieldsInBody>yes</allowMergeFieldsInBody>\n</NamedCredential>";
        let dir = project_with("namedCredentials/A.namedCredential-meta.xml", not_a_flag);
        assert_eq!(
            import(dir.path()).unwrap_err().to_string(),
            "cannot import the Salesforce metadata: \
             force-app/main/default/namedCredentials/A.namedCredential-meta.xml, line 3, column \
             1: allowMergeFieldsInBody is \"yes\", not true or false"
        );

        let wrong_root = "<?xml version=\"1.0\"?>\n<AuthProvider/>";
        let dir = project_with("namedCredentials/A.namedCredential-meta.xml", wrong_root);
        let error = import(dir.path()).unwrap_err().to_string();
        assert!(
            error.ends_with(
                "A.namedCredential-meta.xml, line 2, column 1: its root element is \
                 <AuthProvider>, not <NamedCredential> as a Named Credential file has"
            ),
            "{error}"
        );

        let entity = "<!DOCTYPE x [<!ENTITY a \"b\">]><NamedCredential>&a;</NamedCredential>";
        let dir = project_with("namedCredentials/A.namedCredential-meta.xml", entity);
        let error = import(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("line 1, column 1: it is not well-formed XML"),
            "{error}"
        );

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sfdx-project.json"),
            "{\n  \"packageDirectories\": [,\n",
        )
        .unwrap();
        let error = import(dir.path()).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "cannot import the Salesforce metadata: sfdx-project.json, line 2, column 26: it \
                 is not valid JSON"
            ),
            "{error}"
        );
    }

    #[test]
    fn missing_references_and_foreign_names_are_notes() {
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("namedCredentials");
        std::fs::create_dir_all(&named).unwrap();
        std::fs::write(
            named.join("acme__Orders.namedCredential-meta.xml"),
            "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
             <endpoint>https://orders.example</endpoint><authProvider>Gone</authProvider>\
             <principalType>PerUser</principalType><protocol>Oauth</protocol>\
             <awsRegion>eu-west-1</awsRegion></NamedCredential>",
        )
        .unwrap();
        std::fs::write(
            named.join("Stock.namedCredential-meta.xml"),
            "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
             <namedCredentialType>SecuredEndpoint</namedCredentialType>\
             <namedCredentialParameters><parameterType>Url</parameterType>\
             <parameterValue>https://stock.example</parameterValue></namedCredentialParameters>\
             <namedCredentialParameters><parameterType>Authentication</parameterType>\
             <externalCredential>acme__Stock_Auth</externalCredential></namedCredentialParameters>\
             </NamedCredential>",
        )
        .unwrap();
        std::fs::write(
            named.join("Nowhere.namedCredential-meta.xml"),
            "<NamedCredential><endpoint>ftp://files.example</endpoint></NamedCredential>",
        )
        .unwrap();
        let imported = import(dir.path()).unwrap();
        assert_eq!(imported.files_read.len(), 3);
        let names: Vec<&str> = imported
            .credentials
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        // In file order: upper case sorts first.
        assert_eq!(names, ["Stock", "acme_Orders"]);
        let orders = &imported.credentials[1];
        assert_eq!(orders.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(orders.identity_type, IdentityType::PerUser);
        let stock = &imported.credentials[0];
        assert_eq!(
            stock.external_credential.as_deref(),
            Some("acme_Stock_Auth")
        );
        assert_eq!(stock.protocol, AuthProtocol::NoAuthentication);
        for expected in [
            "Named Credential acme__Orders is imported as acme_Orders: its name \"acme__Orders\" \
             must not contain two consecutive underscores in Callout Lab",
            "Named Credential acme__Orders uses Auth Provider Gone, which is not in the project",
            "Named Credential acme__Orders: awsRegion has no counterpart and was left out",
            "Named Credential Stock uses External Credential acme__Stock_Auth, which is not in \
             the project: it is imported without authentication",
            "Named Credential Nowhere was not imported: endpoint \"ftp://files.example\" must \
             use http or https, not ftp",
        ] {
            assert!(
                contains(&imported.notes, expected),
                "no note {expected:?} in {:#?}",
                imported.notes
            );
        }
        assert!(contains(
            &imported.to_supply,
            "consumer secret of Auth Provider Gone"
        ));
        // An empty folder is no project.
        let empty = tempfile::tempdir().unwrap();
        let error = import(empty.path()).unwrap_err().to_string();
        assert!(error.contains("holds no Named Credential"), "{error}");
    }

    #[test]
    fn a_retrieved_folder_and_other_package_directories_are_read() {
        let project = fixture_project();
        let default = project.join("force-app/main/default");
        let direct = import(&default).unwrap();
        let whole = import(&project).unwrap();
        assert_eq!(direct.credentials, whole.credentials);
        assert_eq!(
            direct.files_read[0],
            "authproviders/Acme_Login.authprovider-meta.xml"
        );

        let dir = project_with("namedCredentials/A.namedCredential-meta.xml", "");
        std::fs::rename(dir.path().join("force-app"), dir.path().join("src")).unwrap();
        let elsewhere = dir.path().join("src/main/default/namedCredentials");
        std::fs::write(
            elsewhere.join("A.namedCredential-meta.xml"),
            "<NamedCredential><endpoint>https://a.example</endpoint></NamedCredential>",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sfdx-project.json"),
            r#"{"packageDirectories":[{"path":"src"},{"path":"../outside"},{"path":"gone"}]}"#,
        )
        .unwrap();
        let imported = import(dir.path()).unwrap();
        assert_eq!(imported.credentials[0].endpoint, "https://a.example");
        assert_eq!(
            imported.credentials[0].identity_type,
            IdentityType::NamedPrincipal
        );
        assert!(contains(
            &imported.notes,
            "\"../outside\" of sfdx-project.json was not read"
        ));
        assert!(contains(
            &imported.notes,
            "\"gone\" of sfdx-project.json does not exist"
        ));
    }

    #[test]
    fn jwt_bearer_refresh_codes_auth_headers_and_salesforce_providers_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, xml: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, xml).unwrap();
        };
        let secured = |external: &str| {
            format!(
                "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
                 <namedCredentialParameters><parameterType>Url</parameterType>\
                 <parameterValue>https://api.example.com</parameterValue>\
                 </namedCredentialParameters><namedCredentialParameters>\
                 <externalCredential>{external}</externalCredential>\
                 <parameterType>Authentication</parameterType></namedCredentialParameters>\
                 <namedCredentialType>SecuredEndpoint</namedCredentialType></NamedCredential>"
            )
        };
        write(
            "namedCredentials/Jwt_API.namedCredential-meta.xml",
            &secured("Jwt_Auth"),
        );
        write(
            "externalCredentials/Jwt_Auth.externalCredential-meta.xml",
            "<ExternalCredential><authenticationProtocol>Oauth</authenticationProtocol>\
             <externalCredentialParameters><parameterName>Oauth</parameterName>\
             <parameterType>AuthProtocolVariant</parameterType>\
             <parameterValue>JwtBearer</parameterValue></externalCredentialParameters>\
             <externalCredentialParameters><parameterName>AuthProviderUrl</parameterName>\
             <parameterType>AuthProviderUrl</parameterType>\
             <parameterValue>https://login.example.com/token</parameterValue>\
             </externalCredentialParameters>\
             <externalCredentialParameters><parameterName>iss</parameterName>\
             <parameterType>JwtBodyClaim</parameterType>\
             <parameterValue>jwt-client</parameterValue></externalCredentialParameters>\
             <externalCredentialParameters><certificate>Signer</certificate>\
             <parameterName>Signer</parameterName>\
             <parameterType>SigningCertificate</parameterType></externalCredentialParameters>\
             <externalCredentialParameters><parameterName>A</parameterName>\
             <parameterType>AdditionalRefreshStatusCode</parameterType>\
             <parameterValue>400</parameterValue></externalCredentialParameters>\
             <externalCredentialParameters><parameterName>B</parameterName>\
             <parameterType>AdditionalRefreshStatusCode</parameterType>\
             <parameterValue>409 , 500;400</parameterValue></externalCredentialParameters>\
             <externalCredentialParameters><parameterName>X-Signature</parameterName>\
             <parameterType>AuthHeader</parameterType>\
             <parameterValue>{!HMAC(&apos;SHA256&apos;, $Credential.Jwt_Auth.Key)}</parameterValue>\
             </externalCredentialParameters></ExternalCredential>",
        );
        write(
            "namedCredentials/Org.namedCredential-meta.xml",
            &secured("Org_Auth"),
        );
        write(
            "externalCredentials/Org_Auth.externalCredential-meta.xml",
            "<ExternalCredential><authenticationProtocol>Oauth</authenticationProtocol>\
             <externalCredentialParameters><authProvider>Org_Login</authProvider>\
             <parameterType>AuthProvider</parameterType></externalCredentialParameters>\
             <externalCredentialParameters><parameterName>Scope</parameterName>\
             <parameterType>AuthParameter</parameterType>\
             <parameterValue>api refresh_token</parameterValue></externalCredentialParameters>\
             </ExternalCredential>",
        );
        write(
            "authproviders/Org_Login.authprovider-meta.xml",
            "<AuthProvider><consumerKey>org-key</consumerKey>\
             <consumerSecret>Placeholder_Value</consumerSecret><defaultScopes>api</defaultScopes>\
             <isPkceEnabled>false</isPkceEnabled><providerType>Salesforce</providerType>\
             <registrationHandler>OrgHandler</registrationHandler></AuthProvider>",
        );
        let imported = import(dir.path()).unwrap();

        let jwt = by_name(&imported, "Jwt_API");
        assert_eq!(jwt.protocol, AuthProtocol::JwtBearer);
        assert_eq!(jwt.client_id.as_deref(), Some("jwt-client"));
        assert_eq!(
            jwt.token_url.as_deref(),
            Some("https://login.example.com/token")
        );
        assert_eq!(jwt.identity_type, IdentityType::Anonymous);
        assert_eq!(jwt.salesforce.additional_refresh_status_codes, [400, 409]);
        let org = by_name(&imported, "Org");
        assert_eq!(org.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(org.client_id.as_deref(), Some("org-key"));
        assert_eq!(org.client_auth, ClientAuth::Body);
        assert_eq!(org.scopes, ["api", "refresh_token"]);
        assert_eq!(
            org.token_url.as_deref(),
            Some("https://login.salesforce.com/services/oauth2/token")
        );
        assert_eq!(
            org.auth_url.as_deref(),
            Some("https://login.salesforce.com/services/oauth2/authorize")
        );
        assert!(contains(
            &imported.to_supply,
            "private key of certificate Signer, which signs External Credential Jwt_Auth's JWT: \
             `callout credential edit Jwt_API --private-key-stdin`"
        ));
        for expected in [
            "Named Credential Jwt_API: the additional refresh status code 500 was left out: \
             Salesforce accepts 400-499 and 600-999, never 5xx",
            "External Credential Jwt_Auth adds the header X-Signature: {!HMAC('SHA256', \
             $Credential.Jwt_Auth.Key)} to every callout",
            "External Credential Jwt_Auth: the JWT's subject is given when authorizing",
            "Auth Provider Org_Login leaves its token URL to Salesforce",
            "Auth Provider Org_Login's default scopes (api) give way to External Credential \
             Org_Auth's scope (api refresh_token), as in Salesforce",
            "Auth Provider Org_Login does not use PKCE",
            "Auth Provider Org_Login: registrationHandler has no counterpart and was left out",
        ] {
            assert!(
                contains(&imported.notes, expected),
                "no note {expected:?} in {:#?}",
                imported.notes
            );
        }

        // Out again: the current form, the variant, the claim and the codes.
        let files = export(jwt).unwrap();
        let ec = &files[1].1;
        for expected in [
            "<parameterValue>JwtBearer</parameterValue>",
            "<parameterValue>https://login.example.com/token</parameterValue>",
            "<parameterName>iss</parameterName>",
            "<parameterValue>jwt-client</parameterValue>",
            "<parameterValue>400,409</parameterValue>",
        ] {
            assert!(ec.contains(expected), "{expected} in {ec}");
        }
    }

    #[test]
    fn file_names_say_the_kind_and_the_developer_name() {
        assert_eq!(
            Kind::of_file("Acme.namedCredential-meta.xml"),
            Some((Kind::NamedCredential, "Acme"))
        );
        assert_eq!(
            Kind::of_file("Acme.authprovider"),
            Some((Kind::AuthProvider, "Acme"))
        );
        assert_eq!(Kind::of_file(".externalCredential-meta.xml"), None);
        assert_eq!(Kind::of_file("Acme.namedCredential.xml"), None);
        assert_eq!(
            crate::interop::postman::developer_name("ns__Billing API", "Imported", MAX_NAME_LEN),
            "ns_Billing_API"
        );
        assert_eq!(
            crate::interop::postman::developer_name("9lives", "Imported", MAX_NAME_LEN),
            "Imported_9lives"
        );
    }
}
