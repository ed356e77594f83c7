//! `callout credential add | edit | list | show | rename | remove | repair`:
//! named credentials, definitions in the home's `credentials.toml`, secrets
//! in the keychain. Each change is core's credential action; this module
//! parses the options and prints what happened.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use callout_core::actions::credential::{self as action, CredentialInput, Saved};
use callout_core::actions::export;
use callout_core::credential::{AuthProtocol, ClientAuth, Credential, IdentityType, SalesforceOrg};
use callout_core::credential_store::Identity;
use callout_core::network;
use callout_core::oauth::{CredentialStatus, TokenService};
use callout_core::{Error, Secret};
use clap::builder::PossibleValue;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::host::Terminal;
use crate::token::{fail, read_stdin_secret, unix, with_service};

#[derive(Debug, Args)]
pub struct CredentialArgs {
    #[command(subcommand)]
    pub command: CredentialCommand,
}

#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Define a credential (the client secret goes to the OS keychain)
    Add(AddArgs),
    /// Change a credential: any option of `add`, the rest kept as it is;
    /// --client-secret-stdin / --private-key-stdin replace the stored one
    Edit(EditArgs),
    /// List credentials with their status (valid for N min / expired / needs re-authorization)
    List {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// Show a credential's definition and its secrets, masked
    Show {
        name: String,
        /// The user label of a per-user credential [default: the OS user name]
        #[arg(long, value_name = "LABEL")]
        user: Option<String>,
    },
    /// Rename a credential; its client secret and the tokens of every
    /// identity move to the new name
    Rename { old: String, new: String },
    /// Remove a credential's definition and every keychain entry of it (its
    /// tokens are revoked first when the issuer's metadata names a revocation endpoint)
    Remove { name: String },
    /// Remove the keychain entries of a credential that cannot be read
    /// (duplicated, edited by hand, or written by a newer version), so it
    /// can be authorized again
    Repair { name: String },
    /// Write a credential as Salesforce metadata (SFDX source layout: its
    /// Named Credential, and its External Credential or Auth Provider) into
    /// a project, to deploy what was tried here; no secret is written
    Export {
        name: String,
        /// The SFDX project's directory (made if missing); files of the
        /// same name are replaced
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// A flow as `--flow` names it ([`AuthProtocol::cli_name`]), every
/// protocol but "none".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow(AuthProtocol);

impl ValueEnum for Flow {
    fn value_variants<'a>() -> &'a [Self] {
        const FLOWS: [Flow; 6] = [
            Flow(AuthProtocol::AuthorizationCode),
            Flow(AuthProtocol::ClientCredentials),
            Flow(AuthProtocol::JwtBearer),
            Flow(AuthProtocol::DeviceCode),
            Flow(AuthProtocol::Password),
            Flow(AuthProtocol::Basic),
        ];
        &FLOWS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.cli_name()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IdentityArg {
    Named,
    PerUser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientAuthArg {
    /// Authorization: Basic header (client_secret_basic)
    Basic,
    /// client_id and client_secret in the form body (client_secret_post)
    Body,
}

/// The login a Basic credential sends, on `add` and `edit`.
#[derive(Debug, Args)]
pub struct BasicLoginArgs {
    /// Basic flow: the username every call sends
    #[arg(long, value_name = "USER")]
    pub username: Option<String>,
    /// Basic flow: read the password every call sends from standard input
    /// (it goes to the OS keychain only; on edit it replaces the stored one)
    #[arg(long, conflicts_with_all = ["client_secret_stdin", "private_key_stdin"])]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The name used in callout:NAME/... (letters, digits, underscores)
    pub name: String,
    /// How tokens are obtained (with --salesforce: auth-code)
    #[arg(long, value_enum, required_unless_present = "salesforce")]
    pub flow: Option<Flow>,
    /// A Salesforce org: production, sandbox or its My Domain login URL
    /// (https://acme.my.salesforce.com). Fills in its OAuth endpoints, the
    /// scopes api and refresh_token, and the callback
    /// http://localhost:1717/OauthRedirect; calls go to the org's instance
    /// (the token's instance_url). Any other option given overrides
    #[arg(long, value_name = "ORG")]
    pub salesforce: Option<String>,
    /// Base URL every callout:NAME/path resolves against (with --salesforce:
    /// the org's instance, once authorized)
    #[arg(long, value_name = "URL", required_unless_present = "salesforce")]
    pub endpoint: Option<String>,
    /// Discover the token and authorization URLs from this issuer
    #[arg(long, value_name = "URL", conflicts_with_all = ["auth_url", "token_url"])]
    pub issuer: Option<String>,
    /// The authorization endpoint (device-code flow: the device authorization endpoint)
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// The exact callback registered with the provider, for providers that
    /// accept no other (http://localhost:1717/OauthRedirect); default:
    /// http://127.0.0.1:<any free port>/callback
    #[arg(long, value_name = "URL")]
    pub redirect_uri: Option<String>,
    /// The client id the provider registered (every flow but basic)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read the client secret from standard input (it goes to the OS keychain only)
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// JWT bearer flow: read the RSA private key (PEM) that signs the
    /// assertions from standard input (it goes to the OS keychain only)
    #[arg(long, conflicts_with = "client_secret_stdin")]
    pub private_key_stdin: bool,
    #[command(flatten)]
    pub login: BasicLoginArgs,
    /// How the client secret is sent to the token endpoint [default: basic;
    /// with --salesforce: body]
    #[arg(long, value_enum)]
    pub client_auth: Option<ClientAuthArg>,
    /// A scope to ask for; repeat for more
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// One token set for everyone (named), or one per user label (per-user)
    #[arg(long, value_enum, default_value = "named")]
    pub identity: IdentityArg,
    #[arg(long)]
    pub allow_merge_fields_in_header: bool,
    #[arg(long)]
    pub allow_merge_fields_in_body: bool,
    /// Do not add an Authorization header to requests that set none
    #[arg(long)]
    pub no_generate_auth_header: bool,
    /// Another status (4xx, 600-999) that makes Salesforce refresh; repeat for more
    #[arg(long = "refresh-status", value_name = "CODE")]
    pub refresh_statuses: Vec<u16>,
    /// Refresh this often even when idle, to keep an idle-expiring refresh token alive
    #[arg(long, value_name = "SECONDS")]
    pub keep_alive: Option<u32>,
    /// The provider kills a refresh token unused this long (WSO2: 86400); the
    /// keeper warns before that happens
    #[arg(long, value_name = "SECONDS")]
    pub refresh_idle: Option<u32>,
    #[command(flatten)]
    pub client_certificate: ClientCertificateArgs,
}

/// Mutual TLS: the certificate a credential presents to its API and its
/// token endpoint.
#[derive(Debug, Args)]
pub struct ClientCertificateArgs {
    /// Present this client certificate (PEM, its chain after it; or a
    /// PKCS#12 bundle with its key) to the API and the token endpoint (mutual TLS)
    #[arg(long, value_name = "FILE")]
    pub client_certificate: Option<std::path::PathBuf>,
    /// The client certificate's private key (PEM); it goes to the OS keychain only
    #[arg(long, value_name = "FILE")]
    pub client_key: Option<std::path::PathBuf>,
    /// The --client-certificate file is a PKCS#12 bundle (.p12, .pfx): read its
    /// password from standard input (its key goes to the OS keychain only)
    #[arg(
        long,
        requires = "client_certificate",
        conflicts_with_all = ["client_key", "client_secret_stdin", "private_key_stdin"]
    )]
    pub client_certificate_password_stdin: bool,
}

impl ClientCertificateArgs {
    /// Puts the certificate into `input.credential` and the key into `input`.
    fn apply(&self, input: &mut CredentialInput) -> Result<(), Error> {
        let name = input.credential.name.clone();
        let read = |path: &Path, what: &str| {
            std::fs::read_to_string(path).map_err(|error| Error::InvalidCredential {
                name: name.clone(),
                reason: format!("cannot read the {what} {}: {error}", path.display()),
            })
        };
        if let Some(path) = &self.client_certificate {
            let bytes = std::fs::read(path).map_err(|error| Error::InvalidCredential {
                name: name.clone(),
                reason: format!(
                    "cannot read the client certificate {}: {error}",
                    path.display()
                ),
            })?;
            let is_pem = bytes.windows(11).any(|window| window == b"-----BEGIN ");
            if self.client_certificate_password_stdin {
                let password =
                    read_stdin_secret("--client-certificate-password-stdin").map_err(|reason| {
                        Error::InvalidCredential {
                            name: name.clone(),
                            reason,
                        }
                    })?;
                let (certificate, key) = network::read_pkcs12(&name, &bytes, &password)?;
                input.credential.client_certificate = Some(certificate);
                input.client_key = Some(key);
            } else if is_pem {
                input.credential.client_certificate =
                    Some(String::from_utf8_lossy(&bytes).into_owned());
            } else {
                return Err(Error::InvalidCredential {
                    name,
                    reason: format!(
                        "{} is not a PEM certificate; a PKCS#12 bundle (.p12, .pfx) is read \
                         with its password (--client-certificate-password-stdin)",
                        path.display()
                    ),
                });
            }
        }
        if let Some(path) = &self.client_key {
            if input.credential.client_certificate.is_none() {
                return Err(Error::InvalidCredential {
                    name,
                    reason: "a client key needs its client certificate (--client-certificate)"
                        .into(),
                });
            }
            input.client_key = Some(Secret::new(read(path, "client key")?));
        }
        Ok(())
    }
}

/// `credential edit`: every option of `add`, each one optional.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The credential to change (ignoring case)
    pub name: String,
    #[arg(long, value_enum)]
    pub flow: Option<Flow>,
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Discover the token and authorization URLs from this issuer (they are
    /// read again from it)
    #[arg(long, value_name = "URL", conflicts_with_all = ["auth_url", "token_url"])]
    pub issuer: Option<String>,
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// The exact callback registered with the provider; "" goes back to
    /// http://127.0.0.1:<any free port>/callback
    #[arg(long, value_name = "URL")]
    pub redirect_uri: Option<String>,
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Replace the stored client secret with the one on standard input
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// Replace the stored private key with the PEM on standard input
    #[arg(long, conflicts_with = "client_secret_stdin")]
    pub private_key_stdin: bool,
    #[command(flatten)]
    pub login: BasicLoginArgs,
    #[arg(long, value_enum)]
    pub client_auth: Option<ClientAuthArg>,
    /// The scopes to ask for (replace the stored ones); repeat for more
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    #[arg(long, value_enum)]
    pub identity: Option<IdentityArg>,
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub allow_merge_fields_in_header: Option<bool>,
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub allow_merge_fields_in_body: Option<bool>,
    /// Whether to add an Authorization header to requests that set none
    #[arg(long, value_name = "BOOL")]
    pub generate_auth_header: Option<bool>,
    /// The statuses that also make Salesforce refresh (replace the stored ones)
    #[arg(long = "refresh-status", value_name = "CODE")]
    pub refresh_statuses: Vec<u16>,
    /// Keep-alive refresh interval; 0 turns it off
    #[arg(long, value_name = "SECONDS")]
    pub keep_alive: Option<u32>,
    /// Refresh token idle lifetime; 0: it never dies of idleness
    #[arg(long, value_name = "SECONDS")]
    pub refresh_idle: Option<u32>,
    #[command(flatten)]
    pub client_certificate: ClientCertificateArgs,
    /// Stop presenting a client certificate (its key leaves the keychain)
    #[arg(long, conflicts_with_all = ["client_certificate", "client_key"])]
    pub no_client_certificate: bool,
}

pub fn run(home: Option<&Path>, args: CredentialArgs) -> ExitCode {
    let result = with_service(home, |service, runtime| match args.command {
        CredentialCommand::Add(add_args) => runtime.block_on(add(service, add_args)),
        CredentialCommand::Edit(edit_args) => runtime.block_on(edit(service, edit_args)),
        CredentialCommand::List { json } => list(service, json),
        CredentialCommand::Show { name, user } => show(service, &name, user.as_deref()),
        CredentialCommand::Rename { old, new } => rename(service, &old, &new),
        CredentialCommand::Remove { name } => runtime.block_on(remove(service, &name)),
        CredentialCommand::Repair { name } => repair(service, &name),
        CredentialCommand::Export { name, out } => export(service, &name, &out),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail("credential", &error),
    }
}

/// `credential export NAME --out DIR`: the files written, and what they
/// leave out.
fn export(service: &TokenService, name: &str, out: &Path) -> Result<(), Error> {
    let exported = export::export_credential(service.store(), name, out)?;
    println!("{name} as Salesforce metadata in {}:", exported.root);
    for file in &exported.files {
        let replaced = if exported.replaced.contains(file) {
            " (replaced)"
        } else {
            ""
        };
        println!("  {file}{replaced}");
    }
    for note in &exported.notes {
        println!("note: {note}");
    }
    let sources: Vec<String> = exported
        .files
        .iter()
        .map(|file| format!("--source-dir {file}"))
        .collect();
    println!(
        "deploy them from the project's directory (it needs an sfdx-project.json): \
         sf project deploy start {}",
        sources.join(" ")
    );
    Ok(())
}

async fn add(service: &TokenService, args: AddArgs) -> Result<(), Error> {
    let credential = definition(&args)?;
    let name = credential.name.clone();
    let mut input = CredentialInput::new(credential);
    input.client_secret = stdin_secret(&name, args.client_secret_stdin, "--client-secret-stdin")?
        .or(stdin_secret(
            &name,
            args.login.password_stdin,
            "--password-stdin",
        )?);
    input.private_key = stdin_secret(&name, args.private_key_stdin, "--private-key-stdin")?;
    args.client_certificate.apply(&mut input)?;
    let has_secret = input.client_secret.is_some() || input.private_key.is_some();
    let what = if args.login.password_stdin {
        "password"
    } else if input.client_secret.is_some() {
        "client secret"
    } else {
        "private key"
    };
    let saved = action::add(service, input).await?;
    print_notice(&saved);
    let store = service.store();
    println!(
        "added credential {} ({}); definition in {}{}",
        saved.credential.name,
        saved.credential.protocol.cli_name(),
        store.home().credentials_file().display(),
        if has_secret && callout_core::Vault::in_process_memory() {
            format!(
                ", {what} kept by this process only (CI mode): give it to each command as {}{}",
                callout_core::ci::variable_prefix(&saved.credential.name),
                if what == "client secret" || what == "password" {
                    "CLIENT_SECRET"
                } else {
                    "PRIVATE_KEY"
                }
            )
        } else if has_secret {
            format!(
                ", {what} in the keychain (service {})",
                store.home().keychain_service()
            )
        } else {
            String::new()
        }
    );
    if saved.credential.protocol.uses_tokens() {
        println!("next: callout authorize {}", saved.credential.name);
    }
    Ok(())
}

async fn edit(service: &TokenService, args: EditArgs) -> Result<(), Error> {
    let existing = service.store().get(&args.name)?;
    let mut input = CredentialInput::new(edited(existing.clone(), &args));
    input.client_secret = stdin_secret(
        &existing.name,
        args.client_secret_stdin,
        "--client-secret-stdin",
    )?
    .or(stdin_secret(
        &existing.name,
        args.login.password_stdin,
        "--password-stdin",
    )?);
    input.private_key = stdin_secret(
        &existing.name,
        args.private_key_stdin,
        "--private-key-stdin",
    )?;
    if args.no_client_certificate {
        input.credential.client_certificate = None;
    }
    args.client_certificate.apply(&mut input)?;
    let replaced = if args.login.password_stdin {
        "; password replaced in the keychain"
    } else if input.client_secret.is_some() {
        "; client secret replaced in the keychain"
    } else if input.private_key.is_some() {
        "; private key replaced in the keychain"
    } else {
        ""
    };
    let saved = action::edit(service, &existing.name, input).await?;
    print_notice(&saved);
    println!("updated credential {}{replaced}", saved.credential.name);
    Ok(())
}

/// `credential`, changed by what `args` gives.
fn edited(mut credential: Credential, args: &EditArgs) -> Credential {
    if let Some(flow) = args.flow {
        credential.protocol = flow.0;
    }
    if let Some(endpoint) = &args.endpoint {
        credential.endpoint.clone_from(endpoint);
    }
    if let Some(issuer) = &args.issuer {
        // Read again from the new issuer.
        credential.issuer = Some(issuer.clone());
        credential.token_url = None;
        credential.auth_url = None;
    }
    if let Some(url) = &args.auth_url {
        credential.auth_url = Some(url.clone());
    }
    if let Some(url) = &args.token_url {
        credential.token_url = Some(url.clone());
    }
    if let Some(uri) = &args.redirect_uri {
        credential.redirect_uri = Some(uri.clone()).filter(|uri| !uri.trim().is_empty());
    }
    if let Some(id) = &args.client_id {
        credential.client_id = Some(id.clone());
    }
    if let Some(username) = &args.login.username {
        credential.username = Some(username.clone());
    }
    if let Some(auth) = args.client_auth {
        credential.client_auth = auth.into();
    }
    if !args.scopes.is_empty() {
        credential.scopes.clone_from(&args.scopes);
    }
    if let Some(identity) = args.identity {
        credential.identity_type = identity.into();
    }
    let options = &mut credential.salesforce;
    if let Some(allow) = args.allow_merge_fields_in_header {
        options.allow_merge_fields_in_header = allow;
    }
    if let Some(allow) = args.allow_merge_fields_in_body {
        options.allow_merge_fields_in_body = allow;
    }
    if let Some(generate) = args.generate_auth_header {
        options.generate_authorization_header = generate;
    }
    if !args.refresh_statuses.is_empty() {
        options
            .additional_refresh_status_codes
            .clone_from(&args.refresh_statuses);
    }
    if let Some(seconds) = args.keep_alive {
        credential.keep_alive_seconds = (seconds > 0).then_some(seconds);
    }
    if let Some(seconds) = args.refresh_idle {
        credential.refresh_idle_seconds = (seconds > 0).then_some(seconds);
    }
    credential
}

/// A client certificate's subject and expiry, as `credential show` prints them.
fn certificate_line(pem: &str) -> String {
    let Some(facts) = network::certificate_facts(pem) else {
        return "set (its subject cannot be read)".into();
    };
    let until = chrono::DateTime::from_timestamp(facts.not_after, 0).map_or_else(
        || "an unknown date".into(),
        |at| at.format("%Y-%m-%d").to_string(),
    );
    if facts.not_after < i64::try_from(unix(SystemTime::now())).unwrap_or(i64::MAX) {
        format!("{}, EXPIRED on {until}", facts.subject)
    } else {
        format!("{}, valid until {until}", facts.subject)
    }
}

/// The secret on standard input when `given`.
fn stdin_secret(name: &str, given: bool, option: &str) -> Result<Option<Secret>, Error> {
    if !given {
        return Ok(None);
    }
    read_stdin_secret(option)
        .map(Some)
        .map_err(|reason| Error::InvalidCredential {
            name: name.to_string(),
            reason,
        })
}

fn print_notice(saved: &Saved) {
    if let Some(notice) = &saved.notice {
        println!("{notice}");
    }
}

/// The credential `args` describe: a Salesforce org's preset with what
/// else is given on top, or what is given alone.
fn definition(args: &AddArgs) -> Result<Credential, Error> {
    let mut credential = match &args.salesforce {
        Some(org) => {
            let org = SalesforceOrg::parse(org).map_err(|reason| Error::InvalidCredential {
                name: args.name.clone(),
                reason: format!("Salesforce org \"{org}\" {reason} (--salesforce)"),
            })?;
            let client_id = args.client_id.as_deref().unwrap_or_default();
            let mut preset = Credential::salesforce(args.name.clone(), &org, client_id);
            if let Some(endpoint) = &args.endpoint {
                preset.endpoint.clone_from(endpoint);
            }
            preset
        }
        None => Credential::new(args.name.clone(), args.endpoint.clone().unwrap_or_default()),
    };
    if let Some(flow) = args.flow {
        credential.protocol = flow.0;
    }
    if args.client_id.is_some() || args.salesforce.is_none() {
        credential.client_id = args.client_id.clone();
    }
    credential.username = args.login.username.clone();
    if let Some(auth) = args.client_auth {
        credential.client_auth = auth.into();
    }
    if !args.scopes.is_empty() || args.salesforce.is_none() {
        credential.scopes = args.scopes.clone();
    }
    if args.issuer.is_some() {
        // Read again from this issuer.
        credential.issuer = args.issuer.clone();
        credential.auth_url = None;
        credential.token_url = None;
    }
    if let Some(url) = &args.auth_url {
        credential.auth_url = Some(url.clone());
    }
    if let Some(url) = &args.token_url {
        credential.token_url = Some(url.clone());
    }
    if args.redirect_uri.is_some() || args.salesforce.is_none() {
        credential.redirect_uri = args.redirect_uri.clone();
    }
    credential.identity_type = args.identity.into();
    credential.keep_alive_seconds = args.keep_alive;
    credential.refresh_idle_seconds = args.refresh_idle;
    credential.salesforce.allow_merge_fields_in_header = args.allow_merge_fields_in_header;
    credential.salesforce.allow_merge_fields_in_body = args.allow_merge_fields_in_body;
    credential.salesforce.generate_authorization_header = !args.no_generate_auth_header;
    credential.salesforce.additional_refresh_status_codes = args.refresh_statuses.clone();
    Ok(credential)
}

impl From<ClientAuthArg> for ClientAuth {
    fn from(auth: ClientAuthArg) -> Self {
        match auth {
            ClientAuthArg::Basic => ClientAuth::Basic,
            ClientAuthArg::Body => ClientAuth::Body,
        }
    }
}

impl From<IdentityArg> for IdentityType {
    fn from(identity: IdentityArg) -> Self {
        match identity {
            IdentityArg::Named => IdentityType::NamedPrincipal,
            IdentityArg::PerUser => IdentityType::PerUser,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListEntry {
    name: String,
    flow: &'static str,
    endpoint: String,
    status: ListStatus,
    summary: String,
}

/// A credential's status, or why it cannot be known (`{"state": "broken", "reason": ...}`).
#[derive(Serialize)]
#[serde(untagged)]
enum ListStatus {
    Known(CredentialStatus),
    Broken { state: &'static str, reason: String },
}

fn list(service: &TokenService, json: bool) -> Result<(), Error> {
    let credentials = service.store().load()?;
    let mut entries = Vec::new();
    for credential in credentials.iter() {
        // One unreadable keychain entry must not hide the other credentials.
        let (summary, status) = match service.status(credential, None) {
            Ok(status) => (status.describe(), ListStatus::Known(status)),
            Err(error @ Error::Keychain { .. }) => (
                format!("broken: {error}"),
                ListStatus::Broken {
                    state: "broken",
                    reason: error.to_string(),
                },
            ),
            Err(other) => return Err(other),
        };
        entries.push(ListEntry {
            name: credential.name.clone(),
            flow: credential.protocol.cli_name(),
            endpoint: credential.endpoint.clone(),
            summary,
            status,
        });
    }
    if json {
        let text = serde_json::to_string_pretty(&entries).map_err(|error| Error::Storage {
            action: "print",
            path: "the credential list".into(),
            detail: error.to_string(),
        })?;
        println!("{text}");
        return Ok(());
    }
    if entries.is_empty() {
        println!("no credentials yet: add one with `callout credential add NAME ...`");
        return Ok(());
    }
    let width = entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!("{:width$}  {:18}  STATUS", "NAME", "FLOW");
    for entry in &entries {
        println!(
            "{:width$}  {:18}  {}",
            entry.name, entry.flow, entry.summary
        );
    }
    Ok(())
}

fn show(service: &TokenService, name: &str, user: Option<&str>) -> Result<(), Error> {
    let store = service.store();
    let credential = store.get(name)?;
    let identity = Identity::for_credential(&credential, user);
    let authorization = store.authorization(&credential.name, &identity)?;
    let masked = |secret: Option<&Secret>| secret.map_or("none".to_string(), Secret::masked);
    let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    println!("name:            {}", credential.name);
    println!("flow:            {}", credential.protocol.cli_name());
    println!("endpoint:        {}", credential.endpoint);
    if let Some(org) = &credential.salesforce_org {
        let instance = authorization
            .tokens
            .as_ref()
            .and_then(|tokens| tokens.instance_url.as_deref());
        println!(
            "salesforce org:  {org}; calls go to {}",
            instance.map_or_else(
                || "the org's instance once authorized (instance_url)".to_string(),
                |url| format!("its instance {url}")
            )
        );
    }
    if credential.protocol == AuthProtocol::Basic {
        println!("username:        {}", optional(&credential.username));
        println!(
            "password:        {}",
            masked(store.client_secret(&credential.name)?.as_ref())
        );
    } else {
        println!("client id:       {}", optional(&credential.client_id));
        println!(
            "client secret:   {} (sent as {})",
            masked(store.client_secret(&credential.name)?.as_ref()),
            match credential.client_auth {
                ClientAuth::Basic => "Basic header",
                ClientAuth::Body => "form body",
            }
        );
        if credential.protocol == AuthProtocol::JwtBearer {
            println!(
                "private key:     {}",
                if store.private_key(&credential.name)?.is_some() {
                    "in the keychain (RS256)"
                } else {
                    "none (assertions signed with the client secret, HS256)"
                }
            );
        }
        println!("token url:       {}", optional(&credential.token_url));
        println!("auth url:        {}", optional(&credential.auth_url));
        if let Some(issuer) = &credential.issuer {
            println!("issuer:          {issuer}");
        }
        if let Some(uri) = &credential.redirect_uri {
            println!("redirect uri:    {uri} (register it with the provider)");
        }
        println!("scopes:          {}", credential.scopes.join(" "));
    }
    if let Some(pem) = &credential.client_certificate {
        println!(
            "client cert:     {} (mutual TLS; its key in the keychain)",
            certificate_line(pem)
        );
    }
    match &identity {
        Identity::NamedPrincipal => println!("identity:        named principal"),
        Identity::User(label) => println!("identity:        per user (showing \"{label}\")"),
    }
    let options = &credential.salesforce;
    println!(
        "salesforce:      generate auth header {}, merge fields in header {}, in body {}, \
         refresh also on {}",
        yes_no(options.generate_authorization_header),
        yes_no(options.allow_merge_fields_in_header),
        yes_no(options.allow_merge_fields_in_body),
        if options.additional_refresh_status_codes.is_empty() {
            "nothing else".to_string()
        } else {
            format!("{:?}", options.additional_refresh_status_codes)
        }
    );
    let status = callout_core::oauth::status(&authorization, SystemTime::now());
    println!("status:          {}", status.describe());
    if let Some(tokens) = &authorization.tokens {
        println!("access token:    {}", tokens.access_token.masked());
        println!("refresh token:   {}", masked(tokens.refresh_token.as_ref()));
        println!("granted scopes:  {}", tokens.scopes.join(" "));
        println!("issued at:       {} (unix)", unix(tokens.issued_at));
        println!(
            "expires at:      {} (from {:?})",
            tokens
                .expires_at
                .map_or("unknown".to_string(), |at| format!("{} (unix)", unix(at))),
            tokens.expiry_source
        );
    }
    if let Some(username) = &authorization.username {
        println!(
            "login:           {username} / {}",
            masked(authorization.password.as_ref())
        );
    }
    Ok(())
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

async fn remove(service: &TokenService, name: &str) -> Result<(), Error> {
    let removed = action::remove(service, &Terminal::default(), name).await?;
    for whose in &removed.revoked {
        println!("revoked {whose}'s tokens at the provider");
    }
    println!(
        "removed credential {} and its keychain entries",
        removed.credential.name
    );
    Ok(())
}

fn rename(service: &TokenService, old: &str, new: &str) -> Result<(), Error> {
    let previous = service.store().get(old)?.name;
    let saved = action::rename(service, old, new)?;
    print_notice(&saved);
    println!("renamed credential {previous} to {new}; its keychain entries moved along");
    Ok(())
}

fn repair(service: &TokenService, name: &str) -> Result<(), Error> {
    let removed = action::repair(service, name)?;
    if removed.is_empty() {
        println!("every keychain entry of {name} is readable; nothing to repair");
    } else {
        println!(
            "removed the unreadable keychain entries {} of {name}",
            removed.join(", ")
        );
        println!("next: callout authorize {name}");
    }
    Ok(())
}
