//! Named credentials: what a credential is (its definition, without any
//! secret), how it is checked, and how a set of them is looked up by name.
//!
//! A definition is what a user writes in the human-readable credentials file.
//! Secrets (client secret, tokens, password, external-credential parameters)
//! are never part of it: they arrive separately as [`CredentialSecrets`].
//!
//! # Names
//! Names follow Salesforce's `DeveloperName` rules: they begin with a letter,
//! contain only ASCII letters, digits and underscores, do not end with an
//! underscore, contain no two consecutive underscores, and are at most 80
//! characters long. As in Salesforce, where two developer names that differ
//! only in case cannot coexist, names are matched **case-insensitively**
//! (ASCII): `callout:my_api` finds the credential named `My_API`, and a set may
//! not hold two names that differ only in case.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Result, Secret};

/// The longest name Salesforce accepts for a developer name.
pub(crate) const MAX_NAME_LEN: usize = 80;

/// One named credential, as defined in the credentials file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Credential {
    /// The name used in `callout:NAME/...` URLs.
    pub name: String,
    /// Base URL every `callout:NAME/path` is resolved against.
    pub endpoint: String,
    #[serde(default)]
    pub protocol: AuthProtocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// How the client secret goes to the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuth,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    /// An issuer to discover the token and authorization URLs from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The exact callback the browser sign-in uses, for providers that accept
    /// only the redirect URI registered for the app (Salesforce:
    /// `http://localhost:1717/OauthRedirect`). A loopback host, a fixed port
    /// and a path. `None`: `http://127.0.0.1:<any free port>/callback`
    /// (RFC 8252).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The username Basic authentication sends (its password is in the
    /// keychain), as a Salesforce Named Credential with password
    /// authentication has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default)]
    pub identity_type: IdentityType,
    /// The external credential whose parameters `{!$Credential.Ext.Param}` reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_credential: Option<String>,
    /// Extra, service-specific ways this credential's API says "token expired".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expiry_rules: Vec<ExpiryRule>,
    /// Refresh this often, even when nothing is sent, to keep an idle-expiring
    /// refresh token alive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive_seconds: Option<u32>,
    /// How long the provider lets a refresh token go unused before it dies
    /// (WSO2: 24 h), when known; the keeper warns before it lapses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_idle_seconds: Option<u32>,
    /// Whether the keeper refreshes the access token shortly before it
    /// expires. Off, the token is renewed only when a response says it
    /// expired (the first-run Sandbox, so its expiry can be watched).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    #[ts(optional, as = "Option<bool>")]
    pub proactive_refresh: bool,
    #[serde(default)]
    pub salesforce: SalesforceOptions,
    /// The Salesforce org this credential signs in to: `production`,
    /// `sandbox` or its My Domain login URL. Calls then go to the org's
    /// instance, as the token response's `instance_url` names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_org: Option<String>,
    /// The client certificate (PEM, its chain after it) this credential
    /// presents for mutual TLS, to its API and to its token endpoint
    /// (RFC 8705). Its private key is in the keychain only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_yes(value: &bool) -> bool {
    *value
}

/// How the credential obtains its tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AuthProtocol {
    /// OAuth 2.0 authorization code with PKCE, in the system browser.
    #[default]
    AuthorizationCode,
    ClientCredentials,
    JwtBearer,
    DeviceCode,
    /// The OAuth password grant (RFC 6749 §4.3): a username and password
    /// traded for tokens at the token endpoint; calls carry the Bearer token.
    Password,
    /// Salesforce's "Password Authentication": the username and password
    /// themselves on every call, as HTTP Basic. No token endpoint, no token.
    Basic,
    NoAuthentication,
}

impl AuthProtocol {
    /// `Basic`, `Bearer`, or none: the scheme of the Authorization header a
    /// Named Credential generates, as `{!$Credential.AuthorizationMethod}` gives.
    pub fn authorization_method(self) -> Option<&'static str> {
        match self {
            AuthProtocol::NoAuthentication => None,
            AuthProtocol::Basic => Some("Basic"),
            _ => Some("Bearer"),
        }
    }

    /// Every protocol, in the order forms and help list them.
    pub const ALL: [AuthProtocol; 7] = [
        AuthProtocol::AuthorizationCode,
        AuthProtocol::ClientCredentials,
        AuthProtocol::JwtBearer,
        AuthProtocol::DeviceCode,
        AuthProtocol::Password,
        AuthProtocol::Basic,
        AuthProtocol::NoAuthentication,
    ];

    /// The name the CLI's `--flow` takes and prints (`auth-code`).
    pub fn cli_name(self) -> &'static str {
        match self {
            AuthProtocol::AuthorizationCode => "auth-code",
            AuthProtocol::ClientCredentials => "client-credentials",
            AuthProtocol::JwtBearer => "jwt-bearer",
            AuthProtocol::DeviceCode => "device-code",
            AuthProtocol::Password => "password",
            AuthProtocol::Basic => "basic",
            AuthProtocol::NoAuthentication => "none",
        }
    }

    /// The protocol in words, inside a sentence ("the authorization code flow").
    pub fn words(self) -> &'static str {
        match self {
            AuthProtocol::AuthorizationCode => "authorization code",
            AuthProtocol::ClientCredentials => "client credentials",
            AuthProtocol::JwtBearer => "JWT bearer",
            AuthProtocol::DeviceCode => "device code",
            AuthProtocol::Password => "password grant",
            AuthProtocol::Basic => "password authentication (Basic)",
            AuthProtocol::NoAuthentication => "no-authentication",
        }
    }

    /// The protocol as a short label, in a list or a form ("Auth code + PKCE").
    pub fn label(self) -> &'static str {
        match self {
            AuthProtocol::AuthorizationCode => "Auth code + PKCE",
            AuthProtocol::ClientCredentials => "Client credentials",
            AuthProtocol::JwtBearer => "JWT bearer",
            AuthProtocol::DeviceCode => "Device code",
            AuthProtocol::Password => "Password grant",
            AuthProtocol::Basic => "Basic",
            AuthProtocol::NoAuthentication => "No auth",
        }
    }

    /// The protocol as a form offers it, saying what it is
    /// ("Authorization code + PKCE (browser)").
    pub fn choice(self) -> &'static str {
        match self {
            AuthProtocol::AuthorizationCode => "Authorization code + PKCE (browser)",
            AuthProtocol::ClientCredentials => "Client credentials",
            AuthProtocol::JwtBearer => "JWT bearer (RFC 7523)",
            AuthProtocol::DeviceCode => "Device authorization (RFC 8628)",
            AuthProtocol::Password => "Password grant (OAuth, Bearer token)",
            AuthProtocol::Basic => "Password authentication (Basic)",
            AuthProtocol::NoAuthentication => "No authentication",
        }
    }

    /// The fields a form asks for with this protocol, camelCase as
    /// [`FieldProblem::field`] names them: [`COMMON_FIELDS`], the identity
    /// and the Salesforce options when there is a token or login, the
    /// client's (id, secret, how it is sent, scopes, where to find the
    /// provider, how its tokens are kept alive), then the authorization URL
    /// when the flow has one. `clientSecret` is the password of Basic
    /// authentication.
    pub fn fields(self) -> Vec<&'static str> {
        let mut fields = COMMON_FIELDS.to_vec();
        if self != AuthProtocol::NoAuthentication {
            // Whose token or login a callout carries, and what a Named
            // Credential does with it; nothing of it without authentication.
            fields.extend([
                "identityType",
                "generateAuthorizationHeader",
                "allowMergeFieldsInHeader",
                "allowMergeFieldsInBody",
                "additionalRefreshStatusCodes",
            ]);
        }
        if self.uses_client_id() {
            fields.extend([
                "issuer",
                "tokenUrl",
                "clientId",
                "clientSecret",
                "clientAuth",
                "scopes",
                "keepAliveSeconds",
                "refreshIdleSeconds",
                "proactiveRefresh",
            ]);
        } else if self == AuthProtocol::Basic {
            fields.extend(["username", "clientSecret"]);
        }
        if self.auth_url_names().is_some() {
            fields.push("authUrl");
        }
        if self == AuthProtocol::AuthorizationCode {
            fields.extend(["redirectUri", "salesforceOrg"]);
        }
        fields
    }

    /// What the client proves itself with at the token endpoint, when the
    /// flow cannot start without it: the client credentials flow needs the
    /// client secret; the JWT bearer flow signs its assertion with a
    /// private key or, lacking one, the client secret.
    pub fn needs_client_secret(self) -> bool {
        matches!(
            self,
            AuthProtocol::ClientCredentials | AuthProtocol::JwtBearer
        )
    }

    /// Whether the flow identifies the client with a client id.
    pub fn uses_client_id(self) -> bool {
        self.uses_tokens()
    }

    /// Whether the flow must name a token endpoint.
    pub fn uses_token_url(self) -> bool {
        self.uses_tokens()
    }

    /// Whether calls carry an OAuth token, which expires and is renewed:
    /// every protocol but Basic (the login itself) and no authentication.
    pub fn uses_tokens(self) -> bool {
        !matches!(self, AuthProtocol::NoAuthentication | AuthProtocol::Basic)
    }

    /// What the flow's authorization URL is, when it needs one: the browser
    /// page of the authorization code flow, the device authorization
    /// endpoint of the device code flow.
    pub fn auth_url_names(self) -> Option<&'static str> {
        match self {
            AuthProtocol::AuthorizationCode => Some("an authorization URL"),
            AuthProtocol::DeviceCode => Some("the device authorization URL"),
            _ => None,
        }
    }
}

/// The fields every credential has, whatever its protocol.
pub const COMMON_FIELDS: [&str; 3] = ["name", "endpoint", "protocol"];

/// How the client proves itself at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ClientAuth {
    /// `Authorization: Basic` with the client id and secret (`client_secret_basic`).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Body,
}

/// Whose identity the callout carries, as in Salesforce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum IdentityType {
    #[default]
    NamedPrincipal,
    PerUser,
    Anonymous,
}

/// A custom expiry rule: a response whose status is in `statuses` (any status
/// when empty) and whose body matches `bodyPattern` (a regular expression)
/// means the token expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExpiryRule {
    pub name: String,
    #[serde(default)]
    pub statuses: Vec<u16>,
    pub body_pattern: String,
}

impl ExpiryRule {
    /// The stable rule id a verdict reports: `custom:<name>`.
    pub fn id(&self) -> String {
        format!("custom:{}", self.name)
    }

    /// The compiled body pattern, or an error naming the rule.
    pub fn pattern(&self, credential: &str) -> Result<Regex> {
        Regex::new(&self.body_pattern).map_err(|error| Error::InvalidCredential {
            name: credential.to_string(),
            reason: format!(
                "expiry rule \"{}\" has an invalid body pattern: {error}",
                self.name
            ),
        })
    }
}

/// Salesforce Named Credential switches, emulated so a request tested here
/// behaves the same once it moves into an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SalesforceOptions {
    /// Add `Authorization: Bearer <token>` (or Basic) to every request that
    /// does not set its own. On by default, as in Salesforce.
    pub generate_authorization_header: bool,
    pub allow_merge_fields_in_header: bool,
    pub allow_merge_fields_in_body: bool,
    /// Statuses besides 401 that make Salesforce refresh and retry. Salesforce
    /// accepts 4xx and 600–999, never 5xx.
    pub additional_refresh_status_codes: Vec<u16>,
}

impl Default for SalesforceOptions {
    fn default() -> Self {
        Self {
            generate_authorization_header: true,
            allow_merge_fields_in_header: false,
            allow_merge_fields_in_body: false,
            additional_refresh_status_codes: Vec::new(),
        }
    }
}

/// The contents of a credentials file: `{"credentials": [...]}` in JSON, or
/// `[[credentials]]` tables in TOML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub(crate) struct CredentialFile {
    #[serde(default)]
    pub credentials: Vec<Credential>,
}

impl Credential {
    /// A credential with the defaults for everything but its name and endpoint.
    pub fn new(name: impl Into<String>, endpoint: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            endpoint: endpoint.into(),
            protocol: AuthProtocol::default(),
            client_id: None,
            client_auth: ClientAuth::default(),
            scopes: Vec::new(),
            token_url: None,
            auth_url: None,
            issuer: None,
            redirect_uri: None,
            username: None,
            identity_type: IdentityType::default(),
            external_credential: None,
            expiry_rules: Vec::new(),
            keep_alive_seconds: None,
            refresh_idle_seconds: None,
            proactive_refresh: true,
            salesforce: SalesforceOptions::default(),
            client_certificate: None,
            salesforce_org: None,
        }
    }

    /// A credential for the Salesforce org `org`, as an External Client App
    /// or Connected App with the client id (consumer key) `client_id` signs
    /// in: the authorization code flow with PKCE in the browser, the org's
    /// OAuth endpoints (its issuer names the revocation and introspection
    /// endpoints), the scopes `api refresh_token`, and the callback the
    /// Salesforce CLI registers ([`SALESFORCE_CALLBACK`]). Until a token
    /// names the org's instance, its endpoint is the login host.
    pub fn salesforce(name: impl Into<String>, org: &SalesforceOrg, client_id: &str) -> Self {
        let login = org.login_url();
        let mut credential = Self::new(name, login.clone());
        credential.protocol = AuthProtocol::AuthorizationCode;
        credential.client_id = Some(client_id.to_string());
        credential.client_auth = ClientAuth::Body;
        credential.issuer = Some(login.clone());
        credential.auth_url = Some(format!("{login}/services/oauth2/authorize"));
        credential.token_url = Some(format!("{login}/services/oauth2/token"));
        credential.scopes = vec!["api".into(), "refresh_token".into()];
        credential.redirect_uri = Some(SALESFORCE_CALLBACK.into());
        credential.salesforce_org = Some(org.to_string());
        credential
    }

    /// What `callout:NAME/...` is joined to: a Salesforce org's instance
    /// once a token names it (`instance_url`), else the endpoint.
    pub fn api_base<'a>(&'a self, secrets: &'a CredentialSecrets) -> &'a str {
        match &secrets.instance_url {
            Some(instance) if self.salesforce_org.is_some() => instance,
            _ => &self.endpoint,
        }
    }

    /// Whether `name` refers to this credential (ASCII case-insensitive).
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Checks that the definition can be stored and used (every field well
    /// formed), and names every problem found. What a flow needs on top
    /// (a client id, a token URL, ...) is [`Credential::problems`]'s.
    pub fn validate(&self) -> Result<()> {
        self.refuse(&self.definition_problems())
    }

    /// Every problem of the credential, field by field: the definition's
    /// ([`Credential::validate`]) and what its flow needs to be authorized.
    /// Empty: it can be saved. The app's form and the CLI's `add` and
    /// `edit` both check this.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = self.definition_problems();
        problems.extend(self.flow_problems());
        problems
    }

    /// [`Credential::problems`] as one error, or nothing when there are none.
    pub fn check(&self) -> Result<()> {
        self.refuse(&self.problems())
    }

    /// `problems` of this credential as one error naming them all, or
    /// nothing when there are none.
    pub(crate) fn refuse(&self, problems: &[FieldProblem]) -> Result<()> {
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::InvalidCredential {
            name: self.name.clone(),
            reason: problems
                .iter()
                .map(|problem| problem.reason.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        })
    }

    fn definition_problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut problem = |field: &str, reason: String| {
            problems.push(FieldProblem::new(field, reason));
        };
        if let Err(reason) = check_name(&self.name) {
            problem("name", format!("its name {reason}"));
        }
        if let Err(reason) = check_http_url(&self.endpoint) {
            problem(
                "endpoint",
                format!("endpoint \"{}\" {reason}", self.endpoint),
            );
        }
        for (field, value) in [
            ("tokenUrl", &self.token_url),
            ("authUrl", &self.auth_url),
            ("issuer", &self.issuer),
        ] {
            if let Some(url) = value
                && let Err(reason) = check_http_url(url)
            {
                problem(field, format!("{field} \"{url}\" {reason}"));
            }
        }
        if let Some(uri) = &self.redirect_uri
            && let Err(reason) = RedirectUri::parse(uri)
        {
            problem("redirectUri", format!("redirect URI \"{uri}\" {reason}"));
        }
        if let Some(org) = &self.salesforce_org
            && let Err(reason) = SalesforceOrg::parse(org)
        {
            problem(
                "salesforceOrg",
                format!("Salesforce org \"{org}\" {reason}"),
            );
        }
        if let Some(external) = &self.external_credential
            && let Err(reason) = check_name(external)
        {
            problem(
                "externalCredential",
                format!("external credential name {reason}"),
            );
        }
        if self.keep_alive_seconds == Some(0) {
            problem(
                "keepAliveSeconds",
                "keepAliveSeconds must be at least 1 (leave it out for no keep-alive)".into(),
            );
        }
        if self.refresh_idle_seconds == Some(0) {
            problem(
                "refreshIdleSeconds",
                "refreshIdleSeconds must be at least 1 (leave it out when the refresh token \
                 never dies of idleness)"
                    .into(),
            );
        }
        for rule in &self.expiry_rules {
            if rule.name.trim().is_empty() {
                problem("expiryRules", "an expiry rule has an empty name".into());
            } else if let Some(status) = rule.statuses.iter().find(|s| !(100..=599).contains(*s)) {
                problem(
                    "expiryRules",
                    format!(
                        "expiry rule \"{}\" lists status {status}, which is not an HTTP status",
                        rule.name
                    ),
                );
            } else if let Err(error) = rule.pattern(&self.name) {
                let reason = match error {
                    Error::InvalidCredential { reason, .. } => reason,
                    other => other.to_string(),
                };
                problem("expiryRules", reason);
            }
        }
        for &code in &self.salesforce.additional_refresh_status_codes {
            if !is_allowed_refresh_code(code) {
                problem(
                    "salesforce",
                    format!(
                        "additional refresh status code {code} is not allowed: Salesforce \
                         accepts 400-499 and 600-999, never 5xx"
                    ),
                );
            }
        }
        problems
    }

    /// What the credential's flow needs besides well-formed fields.
    fn flow_problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        let flow = self.protocol;
        if flow.uses_client_id() && blank(&self.client_id) {
            problems.push(FieldProblem::new(
                "clientId",
                format!(
                    "the {} flow needs the client id the provider registered for Callout Lab",
                    flow.words()
                ),
            ));
        }
        if flow.uses_token_url() && self.token_url.is_none() && self.issuer.is_none() {
            problems.push(FieldProblem::new(
                "tokenUrl",
                format!(
                    "the {} flow needs a token URL, or an issuer to discover it from",
                    flow.words()
                ),
            ));
        }
        if flow == AuthProtocol::Basic && blank(&self.username) {
            problems.push(FieldProblem::new(
                "username",
                "Basic authentication needs the username it sends (--username)".into(),
            ));
        }
        if flow == AuthProtocol::Basic && self.identity_type == IdentityType::PerUser {
            problems.push(FieldProblem::new(
                "identityType",
                "Basic authentication sends one login for everyone: use the named principal \
                 identity (--identity named)"
                    .into(),
            ));
        }
        if let Some(what) = flow.auth_url_names()
            && self.auth_url.is_none()
            && self.issuer.is_none()
        {
            problems.push(FieldProblem::new(
                "authUrl",
                format!(
                    "the {} flow needs {what}, or an issuer to discover it from",
                    flow.words()
                ),
            ));
        }
        problems
    }
}

/// A problem with one field of a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldProblem {
    /// The credential field, camelCase (`endpoint`, `tokenUrl`, ...).
    pub field: String,
    /// The problem as a sentence, for a form ("Endpoint \"x\" is not a URL.").
    pub message: String,
    /// The problem as part of an error ("endpoint \"x\" is not a URL").
    #[serde(skip)]
    #[ts(skip)]
    pub reason: String,
}

impl FieldProblem {
    pub(crate) fn new(field: &str, reason: String) -> Self {
        Self {
            field: field.to_string(),
            message: sentence(&crate::error::for_window(&reason)),
            reason,
        }
    }
}

/// "Endpoint \"x\" is not a URL (...)." from "endpoint \"x\" is not a URL (...)".
fn sentence(reason: &str) -> String {
    let reason = reason.strip_prefix("its ").unwrap_or(reason);
    let mut chars = reason.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// Whether Salesforce accepts `code` as an additional refresh status code.
pub(crate) fn is_allowed_refresh_code(code: u16) -> bool {
    (400..=499).contains(&code) || (600..=999).contains(&code)
}

/// Why `name` is not a valid developer name, if it is not.
pub(crate) fn check_name(name: &str) -> std::result::Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err("is empty".into());
    };
    if !first.is_ascii_alphabetic() {
        return Err(format!("\"{name}\" must begin with a letter"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(format!(
            "\"{name}\" may contain only letters, digits and underscores, not {bad:?}"
        ));
    }
    if name.ends_with('_') {
        return Err(format!("\"{name}\" must not end with an underscore"));
    }
    if name.contains("__") {
        return Err(format!(
            "\"{name}\" must not contain two consecutive underscores"
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "\"{name}\" is longer than {MAX_NAME_LEN} characters"
        ));
    }
    Ok(())
}

/// `text` parsed as an http(s) URL with a host; the error completes
/// "endpoint \"...\" ...".
fn check_http_url(text: &str) -> std::result::Result<url::Url, String> {
    if text.trim().is_empty() {
        return Err("is empty".into());
    }
    if let Some((index, _)) = text.char_indices().find(|(_, c)| c.is_whitespace()) {
        let at = text[..index].chars().count() + 1;
        return Err(format!(
            "has a space at character {at}; a URL cannot hold spaces (remove it, or write %20 in a path)"
        ));
    }
    let url = url::Url::parse(text).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => {
            "is not a URL: it needs http:// or https:// in front".to_string()
        }
        other => format!("is not a URL ({other})"),
    })?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err("has no host".into()),
        other => Err(format!("must use http or https, not {other}")),
    }
}

/// A fixed loopback callback for the browser sign-in, as the provider has
/// it registered: `http://HOST:PORT/PATH` with a loopback host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri {
    /// As written, the exact text sent to the provider.
    pub uri: String,
    /// `localhost`, `127.0.0.1` or `[::1]`.
    pub host: String,
    pub port: u16,
    /// The path the callback arrives on (`/OauthRedirect`).
    pub path: String,
}

impl RedirectUri {
    /// Checks `uri`: http, a loopback host, an explicit port and a path, no
    /// query or fragment. The error completes "redirect URI \"...\" ...".
    pub fn parse(uri: &str) -> std::result::Result<Self, String> {
        let url = check_http_url(uri)?;
        if url.scheme() != "http" {
            return Err(
                "must use http: the browser hands the code to a listener on this computer".into(),
            );
        }
        let host = match url.host() {
            Some(url::Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => {
                "localhost".to_string()
            }
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => ip.to_string(),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => format!("[{ip}]"),
            _ => {
                return Err(
                    "must name this computer (localhost, 127.0.0.1 or [::1]): the browser \
                     hands the code to a listener here"
                        .into(),
                );
            }
        };
        // `url` drops a written default port (":80"); a provider matching
        // the text exactly still has it, and so does the listener.
        let authority = uri.split_once("://").map_or("", |(_, rest)| {
            rest.split(['/', '?', '#']).next().unwrap_or("")
        });
        let written_default = authority.ends_with(":80").then_some(80);
        let Some(port) = url.port().or(written_default).filter(|port| *port != 0) else {
            return Err(
                "needs a port (as in http://localhost:1717/OauthRedirect): the provider \
                 matches it exactly"
                    .into(),
            );
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err("must not carry a query or fragment".into());
        }
        Ok(Self {
            uri: uri.to_string(),
            host,
            port,
            path: url.path().to_string(),
        })
    }
}

/// The callback the Salesforce CLI registers for its apps, and the one a
/// Salesforce credential starts with.
pub const SALESFORCE_CALLBACK: &str = "http://localhost:1717/OauthRedirect";

/// Which Salesforce org a credential signs in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SalesforceOrg {
    /// `https://login.salesforce.com`.
    Production,
    /// `https://test.salesforce.com`.
    Sandbox,
    /// The org's own login URL (My Domain, `https://acme.my.salesforce.com`).
    Domain(String),
}

impl SalesforceOrg {
    /// `production`, `sandbox`, or an http(s) login URL. The error
    /// completes "Salesforce org \"...\" ...".
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.trim() {
            word if word.eq_ignore_ascii_case("production") => Ok(Self::Production),
            word if word.eq_ignore_ascii_case("sandbox") => Ok(Self::Sandbox),
            url => {
                let parsed = check_http_url(url).map_err(|reason| {
                    format!(
                        "is neither production, sandbox nor a login URL: it {}",
                        reason.trim_start_matches("is ")
                    )
                })?;
                if parsed.path() != "/" || parsed.query().is_some() {
                    return Err(
                        "must be the org's login URL alone, as in https://acme.my.salesforce.com"
                            .into(),
                    );
                }
                Ok(Self::Domain(url.trim_end_matches('/').to_string()))
            }
        }
    }

    /// Where its users sign in, without a trailing slash.
    pub fn login_url(&self) -> String {
        match self {
            Self::Production => "https://login.salesforce.com".into(),
            Self::Sandbox => "https://test.salesforce.com".into(),
            Self::Domain(url) => url.clone(),
        }
    }
}

impl std::fmt::Display for SalesforceOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Production => f.write_str("production"),
            Self::Sandbox => f.write_str("sandbox"),
            Self::Domain(url) => f.write_str(url),
        }
    }
}

/// A validated set of credentials, looked up by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialSet {
    credentials: Vec<Credential>,
}

impl CredentialSet {
    /// Validates every credential and rejects names that differ only in case.
    pub fn new(credentials: Vec<Credential>) -> Result<Self> {
        for (index, credential) in credentials.iter().enumerate() {
            credential.validate()?;
            if let Some(earlier) = credentials[..index]
                .iter()
                .find(|other| other.is_named(&credential.name))
            {
                return Err(Error::InvalidCredential {
                    name: credential.name.clone(),
                    reason: format!(
                        "its name is already used by \"{}\" (names are matched ignoring case)",
                        earlier.name
                    ),
                });
            }
        }
        Ok(Self { credentials })
    }

    /// The credential called `name` (ASCII case-insensitive), or an error
    /// listing the names that exist.
    pub fn get(&self, name: &str) -> Result<&Credential> {
        self.credentials
            .iter()
            .find(|credential| credential.is_named(name))
            .ok_or_else(|| Error::UnknownCredential {
                name: name.to_string(),
                known: self.names(),
            })
    }

    /// Every credential's name, in definition order.
    pub fn names(&self) -> Vec<String> {
        self.credentials.iter().map(|c| c.name.clone()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty()
    }
}

impl TryFrom<CredentialFile> for CredentialSet {
    type Error = Error;

    fn try_from(file: CredentialFile) -> Result<Self> {
        Self::new(file.credentials)
    }
}

/// The secret values of one credential, as merge fields need them. They come
/// from the keychain (or, for now, from the caller) and never from the
/// definition. Every value that must not be shown is a [`Secret`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialSecrets {
    pub access_token: Option<Secret>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// External-credential parameters by name (matched ignoring case).
    pub parameters: BTreeMap<String, Secret>,
    /// The org's instance the stored token names (Salesforce's
    /// `instance_url`), where a Salesforce credential's calls go.
    pub instance_url: Option<String>,
    /// The private key (PEM) of the credential's client certificate.
    pub client_key: Option<Secret>,
    /// Secrets a refresh handed back without asking the provider: another
    /// call had renewed the refused token already (one refresh per expiry).
    pub already_refreshed: bool,
    /// The stored token was stale by the clock and was renewed at the
    /// provider before this send (a credential that refreshes proactively).
    pub renewed_before_sending: bool,
}

impl CredentialSecrets {
    /// Secrets holding only an access token.
    pub fn with_token(token: impl Into<String>) -> Self {
        Self {
            access_token: Some(Secret::new(token)),
            ..Self::default()
        }
    }

    /// The external-credential parameter called `name`, ignoring ASCII case.
    pub fn parameter(&self, name: &str) -> Option<&Secret> {
        self.parameters
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_salesforce_org_is_production_sandbox_or_a_login_url() {
        assert_eq!(
            SalesforceOrg::parse("Production").unwrap().login_url(),
            "https://login.salesforce.com"
        );
        assert_eq!(
            SalesforceOrg::parse("sandbox").unwrap().login_url(),
            "https://test.salesforce.com"
        );
        let domain = SalesforceOrg::parse("https://acme.my.salesforce.com/").unwrap();
        assert_eq!(domain.login_url(), "https://acme.my.salesforce.com");
        assert_eq!(domain.to_string(), "https://acme.my.salesforce.com");
        assert!(
            SalesforceOrg::parse("https://acme.my.salesforce.com/services/oauth2/token")
                .unwrap_err()
                .contains("the org's login URL alone")
        );
        let credential = Credential::salesforce("Acme", &domain, "key");
        assert_eq!(
            credential.token_url.as_deref(),
            Some("https://acme.my.salesforce.com/services/oauth2/token")
        );
        assert!(
            credential.problems().is_empty(),
            "{:?}",
            credential.problems()
        );
        let mut broken = credential.clone();
        broken.salesforce_org = Some("staging".into());
        assert_eq!(broken.problems()[0].field, "salesforceOrg");
    }

    #[test]
    fn a_salesforce_credential_calls_the_instance_its_token_names() {
        let credential = Credential::salesforce("Acme", &SalesforceOrg::Production, "key");
        let mut secrets = CredentialSecrets::default();
        assert_eq!(
            credential.api_base(&secrets),
            "https://login.salesforce.com"
        );
        secrets.instance_url = Some("https://acme.my.salesforce.com".into());
        assert_eq!(
            credential.api_base(&secrets),
            "https://acme.my.salesforce.com"
        );
        let other = Credential::new("Api", "https://api.example.com");
        assert_eq!(other.api_base(&secrets), "https://api.example.com");
    }

    #[test]
    fn a_redirect_uri_is_a_loopback_callback_with_a_port_and_a_path() {
        let fixed = RedirectUri::parse("http://localhost:1717/OauthRedirect").unwrap();
        assert_eq!(
            (fixed.host.as_str(), fixed.port, fixed.path.as_str()),
            ("localhost", 1717, "/OauthRedirect")
        );
        assert_eq!(
            RedirectUri::parse("http://[::1]:8080/cb").unwrap().host,
            "[::1]"
        );
        assert_eq!(
            RedirectUri::parse("http://127.0.0.1:8080/cb").unwrap().host,
            "127.0.0.1"
        );
        assert_eq!(
            RedirectUri::parse("http://localhost:80/cb").unwrap().port,
            80
        );
        for (uri, says) in [
            ("https://localhost:1717/cb", "must use http"),
            (
                "http://login.example.com:1717/cb",
                "must name this computer",
            ),
            ("http://localhost/OauthRedirect", "needs a port"),
            ("http://localhost:0/cb", "needs a port"),
            ("http://localhost:1717/cb?x=1", "must not carry a query"),
            ("http://localhost:17 17/cb", "has a space"),
        ] {
            let reason = RedirectUri::parse(uri).unwrap_err();
            assert!(reason.contains(says), "{uri}: {reason}");
        }
        let mut credential = Credential::new("Org", "https://org.example");
        credential.redirect_uri = Some("http://example.com:80/cb".into());
        let problems = credential.problems();
        assert_eq!(problems[0].field, "redirectUri", "{problems:?}");
    }

    #[test]
    fn a_url_with_a_space_or_without_a_scheme_says_so() {
        let mut credential = Credential::new("Spaced", "https://api.example.com:443 /v1");
        credential.token_url = Some("login.example.com/token".into());
        let messages: Vec<String> = credential
            .problems()
            .into_iter()
            .map(|problem| problem.message)
            .collect();
        assert!(
            messages[0].starts_with(
                "Endpoint \"https://api.example.com:443 /v1\" has a space at character 28;"
            ),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("it needs http:// or https:// in front"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_form_asks_for_every_field_a_flow_needs() {
        for protocol in AuthProtocol::ALL {
            let mut bare = Credential::new("Bare", "https://api.example.com");
            bare.protocol = protocol;
            bare.client_id = None;
            let fields = protocol.fields();
            for problem in bare.problems() {
                assert!(
                    fields.contains(&problem.field.as_str()),
                    "{protocol:?} needs {} but a form would not ask for it",
                    problem.field
                );
            }
        }
        assert!(
            !AuthProtocol::ClientCredentials
                .fields()
                .contains(&"authUrl")
        );
        assert_eq!(AuthProtocol::NoAuthentication.fields(), COMMON_FIELDS);
    }

    #[test]
    fn every_bad_field_is_named_with_what_the_flow_needs() {
        let mut bad = Credential::new("9lives", "ftp://x");
        bad.keep_alive_seconds = Some(0);
        bad.protocol = AuthProtocol::DeviceCode;
        let problems = bad.problems();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "endpoint",
                "keepAliveSeconds",
                "clientId",
                "tokenUrl",
                "authUrl"
            ]
        );
        assert!(
            problems[1].message.starts_with("Endpoint \"ftp://x\""),
            "{problems:?}"
        );
        assert_eq!(
            problems[5].message,
            "The device code flow needs the device authorization URL, or an issuer to discover \
             it from."
        );
        let error = bad.check().unwrap_err().to_string();
        assert!(
            error.contains("its name \"9lives\" must begin with a letter; endpoint"),
            "{error}"
        );

        let mut good = Credential::new("Good", "https://api.example.com");
        good.protocol = AuthProtocol::ClientCredentials;
        good.client_id = Some("id".into());
        good.issuer = Some("https://login.example.com".into());
        assert_eq!(good.problems(), []);
        // No flow needs: what can be stored.
        assert!(
            Credential::new("Bare", "https://api.example.com")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn every_protocol_has_one_name_of_each_kind() {
        let names: std::collections::BTreeSet<_> =
            AuthProtocol::ALL.iter().map(|p| p.cli_name()).collect();
        assert_eq!(names.len(), AuthProtocol::ALL.len());
        for protocol in AuthProtocol::ALL {
            let json = serde_json::to_value(protocol).unwrap();
            assert!(json.is_string(), "{json}");
            assert!(!protocol.label().is_empty() && !protocol.words().is_empty());
        }
    }

    fn valid() -> Credential {
        Credential::new("Sales_API", "https://example.my.salesforce.com")
    }

    #[test]
    fn defaults_follow_salesforce() {
        let credential: Credential =
            serde_json::from_str(r#"{"name":"A","endpoint":"https://a.example"}"#).unwrap();
        assert!(credential.salesforce.generate_authorization_header);
        assert!(!credential.salesforce.allow_merge_fields_in_header);
        assert!(!credential.salesforce.allow_merge_fields_in_body);
        assert_eq!(credential.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(credential.identity_type, IdentityType::NamedPrincipal);
    }

    #[test]
    fn serde_uses_camel_case() {
        let mut credential = valid();
        credential.salesforce.additional_refresh_status_codes = vec![403];
        credential.keep_alive_seconds = Some(3600);
        let json = serde_json::to_value(&credential).unwrap();
        assert_eq!(json["keepAliveSeconds"], 3600);
        assert_eq!(json["identityType"], "namedPrincipal");
        assert_eq!(
            json["salesforce"]["additionalRefreshStatusCodes"],
            serde_json::json!([403])
        );
        assert_eq!(json["salesforce"]["generateAuthorizationHeader"], true);
    }

    #[test]
    fn names_follow_developer_name_rules() {
        for (name, reason) in [
            ("", "its name is empty"),
            ("1api", "its name \"1api\" must begin with a letter"),
            (
                "my api",
                "its name \"my api\" may contain only letters, digits and underscores, not ' '",
            ),
            ("api_", "its name \"api_\" must not end with an underscore"),
            (
                "my__api",
                "its name \"my__api\" must not contain two consecutive underscores",
            ),
        ] {
            let mut credential = valid();
            credential.name = name.to_string();
            let error = credential.validate().unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("credential \"{name}\" is invalid: {reason}")
            );
        }
    }

    #[test]
    fn five_hundreds_cannot_trigger_a_refresh() {
        let mut credential = valid();
        credential.salesforce.additional_refresh_status_codes = vec![403, 500];
        let error = credential.validate().unwrap_err();
        assert!(
            error.to_string().contains("code 500 is not allowed"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_rule_pattern_is_named() {
        let mut credential = valid();
        credential.expiry_rules.push(ExpiryRule {
            name: "legacy".into(),
            statuses: vec![400],
            body_pattern: "(unclosed".into(),
        });
        let error = credential.validate().unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("credential \"Sales_API\" is invalid: expiry rule \"legacy\" has an invalid body pattern"),
            "{error}"
        );
    }

    #[test]
    fn endpoints_must_be_http() {
        let mut credential = valid();
        credential.endpoint = "ftp://files.example".into();
        assert_eq!(
            credential.validate().unwrap_err().to_string(),
            "credential \"Sales_API\" is invalid: endpoint \"ftp://files.example\" must use http or https, not ftp"
        );
    }

    #[test]
    fn lookup_ignores_case_and_lists_known_names() {
        let set = CredentialSet::new(vec![
            valid(),
            Credential::new("Graph", "https://graph.microsoft.com"),
        ])
        .unwrap();
        assert_eq!(set.get("sales_api").unwrap().name, "Sales_API");
        let error = set.get("Nope").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown credential \"Nope\" in callout:Nope; known credentials: Sales_API, Graph"
        );
    }

    #[test]
    fn names_differing_only_in_case_collide() {
        let error = CredentialSet::new(vec![
            valid(),
            Credential::new("SALES_API", "https://b.example"),
        ])
        .unwrap_err();
        assert!(
            error.to_string().contains("already used by \"Sales_API\""),
            "{error}"
        );
    }

    #[test]
    fn secrets_never_print() {
        let secrets = CredentialSecrets {
            password: Some(Secret::new("hunter2-hunter2")),
            ..CredentialSecrets::with_token("00D-live-token-value")
        };
        let debug = format!("{secrets:?}");
        assert!(!debug.contains("live-token"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
