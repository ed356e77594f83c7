//! `callout credential add | list | show | rename | remove | repair`: named credentials,
//! definitions in the home's `credentials.toml`, secrets in the keychain.

use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use callout_core::credential::{AuthProtocol, ClientAuth, Credential, IdentityType};
use callout_core::credential_store::{Identity, NewSecrets};
use callout_core::oauth::flows;
use callout_core::oauth::{CredentialStatus, TokenService};
use callout_core::{Error, Secret};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

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
}

/// OAuth flows, as `--flow` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    AuthCode,
    ClientCredentials,
    JwtBearer,
    DeviceCode,
    Password,
}

impl From<Flow> for AuthProtocol {
    fn from(flow: Flow) -> Self {
        match flow {
            Flow::AuthCode => AuthProtocol::AuthorizationCode,
            Flow::ClientCredentials => AuthProtocol::ClientCredentials,
            Flow::JwtBearer => AuthProtocol::JwtBearer,
            Flow::DeviceCode => AuthProtocol::DeviceCode,
            Flow::Password => AuthProtocol::Password,
        }
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

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The name used in callout:NAME/... (letters, digits, underscores)
    pub name: String,
    /// How tokens are obtained
    #[arg(long, value_enum)]
    pub flow: Flow,
    /// Base URL every callout:NAME/path resolves against
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// Discover the token and authorization URLs from this issuer
    #[arg(long, value_name = "URL", conflicts_with_all = ["auth_url", "token_url"])]
    pub issuer: Option<String>,
    /// The authorization endpoint (device-code flow: the device authorization endpoint)
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Read the client secret from standard input (it goes to the OS keychain only)
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// JWT bearer flow: read the RSA private key (PEM) that signs the
    /// assertions from standard input (it goes to the OS keychain only)
    #[arg(long, conflicts_with = "client_secret_stdin")]
    pub private_key_stdin: bool,
    /// How the client secret is sent to the token endpoint
    #[arg(long, value_enum, default_value = "basic")]
    pub client_auth: ClientAuthArg,
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
}

pub fn run(home: Option<&Path>, args: CredentialArgs) -> ExitCode {
    let result = with_service(home, |service, runtime| match args.command {
        CredentialCommand::Add(add_args) => runtime.block_on(add(service, add_args)),
        CredentialCommand::List { json } => list(service, json),
        CredentialCommand::Show { name, user } => show(service, &name, user.as_deref()),
        CredentialCommand::Rename { old, new } => rename(service, &old, &new),
        CredentialCommand::Remove { name } => runtime.block_on(remove(service, &name)),
        CredentialCommand::Repair { name } => repair(service, &name),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail("credential", &error),
    }
}

async fn add(service: &TokenService, args: AddArgs) -> Result<(), Error> {
    let store = service.store();
    let mut credential = definition(&args);
    if let Some(issuer) = &args.issuer {
        let metadata = flows::discover(service.http(), issuer).await?;
        credential.token_url = Some(metadata.token_endpoint);
        credential.auth_url = if credential.protocol == AuthProtocol::DeviceCode {
            metadata.device_authorization_endpoint
        } else {
            metadata.authorization_endpoint
        };
    }
    check_endpoints(&credential)?;
    credential.validate()?;
    if let Ok(existing) = store.load()?.get(&credential.name) {
        return Err(Error::InvalidCredential {
            name: credential.name.clone(),
            reason: format!(
                "a credential named \"{}\" already exists; remove it first",
                existing.name
            ),
        });
    }
    let secret = if args.client_secret_stdin {
        Some(
            read_stdin_secret("--client-secret-stdin").map_err(|reason| {
                Error::InvalidCredential {
                    name: credential.name.clone(),
                    reason,
                }
            })?,
        )
    } else {
        None
    };
    let private_key = if args.private_key_stdin {
        let pem = read_stdin_secret("--private-key-stdin").map_err(|reason| {
            Error::InvalidCredential {
                name: credential.name.clone(),
                reason,
            }
        })?;
        callout_core::oauth::assertion::rsa_key_pair(&pem).map_err(|reason| {
            Error::InvalidCredential {
                name: credential.name.clone(),
                reason,
            }
        })?;
        Some(pem)
    } else {
        None
    };
    let has_secret = secret.is_some() || private_key.is_some();
    let secrets = NewSecrets {
        client_secret: secret,
        private_key,
    };
    let leftovers = store.add_with_secrets(credential.clone(), &secrets)?;
    if let Some(notice) = leftovers.describe() {
        println!("{notice}");
    }
    println!(
        "added credential {} ({}); definition in {}{}",
        credential.name,
        flow_name(credential.protocol),
        store.home().credentials_file().display(),
        if has_secret {
            format!(
                ", {} in the keychain (service {})",
                if secrets.client_secret.is_some() {
                    "client secret"
                } else {
                    "private key"
                },
                store.home().keychain_service()
            )
        } else {
            String::new()
        }
    );
    println!("next: callout authorize {}", credential.name);
    Ok(())
}

fn definition(args: &AddArgs) -> Credential {
    let mut credential = Credential::new(args.name.clone(), args.endpoint.clone());
    credential.protocol = args.flow.into();
    credential.client_id = Some(args.client_id.clone());
    credential.client_auth = match args.client_auth {
        ClientAuthArg::Basic => ClientAuth::Basic,
        ClientAuthArg::Body => ClientAuth::Body,
    };
    credential.scopes = args.scopes.clone();
    credential.issuer = args.issuer.clone();
    credential.auth_url = args.auth_url.clone();
    credential.token_url = args.token_url.clone();
    credential.identity_type = match args.identity {
        IdentityArg::Named => IdentityType::NamedPrincipal,
        IdentityArg::PerUser => IdentityType::PerUser,
    };
    credential.keep_alive_seconds = args.keep_alive;
    credential.refresh_idle_seconds = args.refresh_idle;
    credential.salesforce.allow_merge_fields_in_header = args.allow_merge_fields_in_header;
    credential.salesforce.allow_merge_fields_in_body = args.allow_merge_fields_in_body;
    credential.salesforce.generate_authorization_header = !args.no_generate_auth_header;
    credential.salesforce.additional_refresh_status_codes = args.refresh_statuses.clone();
    credential
}

/// Every flow needs a token URL; the browser flow also an authorization URL.
fn check_endpoints(credential: &Credential) -> Result<(), Error> {
    let missing = |what: &str| Error::InvalidCredential {
        name: credential.name.clone(),
        reason: format!("{what}: give --issuer URL, or --auth-url URL and --token-url URL"),
    };
    if credential.token_url.is_none() {
        return Err(missing("it needs a token URL"));
    }
    if credential.auth_url.is_none() {
        match credential.protocol {
            AuthProtocol::AuthorizationCode => {
                return Err(missing("the auth-code flow needs an authorization URL"));
            }
            AuthProtocol::DeviceCode => {
                return Err(missing(
                    "the device-code flow needs the device authorization URL (as --auth-url)",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn flow_name(protocol: AuthProtocol) -> &'static str {
    match protocol {
        AuthProtocol::AuthorizationCode => "auth-code",
        AuthProtocol::ClientCredentials => "client-credentials",
        AuthProtocol::JwtBearer => "jwt-bearer",
        AuthProtocol::DeviceCode => "device-code",
        AuthProtocol::Password => "password",
        AuthProtocol::NoAuthentication => "none",
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
            flow: flow_name(credential.protocol),
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
    println!("flow:            {}", flow_name(credential.protocol));
    println!("endpoint:        {}", credential.endpoint);
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
    println!("scopes:          {}", credential.scopes.join(" "));
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
    let status = callout_core::oauth::refresh::status(&authorization, SystemTime::now());
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
    let credential = service.store().get(name)?;
    // Revoke at the provider first (best effort): a removed credential
    // should leave no live refresh token behind, of any identity.
    let identities = match service.store().identities(&credential.name) {
        Ok(identities) => identities,
        Err(error) => {
            eprintln!("callout credential: warning: {error}; removing it anyway");
            Vec::new()
        }
    };
    for identity in identities {
        let (user, whose) = match &identity {
            Identity::NamedPrincipal => (None, credential.name.clone()),
            Identity::User(label) => (
                Some(label.as_str()),
                format!("{} ({label})", credential.name),
            ),
        };
        match service.revoke(&credential, user).await {
            Ok(true) => println!("revoked {whose}'s tokens at the provider"),
            Ok(false) => {}
            Err(error) => eprintln!("callout credential: warning: {error}; removing it anyway"),
        }
    }
    let removed = service.store().remove(&credential.name)?;
    println!(
        "removed credential {} and its keychain entries",
        removed.name
    );
    Ok(())
}

fn rename(service: &TokenService, old: &str, new: &str) -> Result<(), Error> {
    let store = service.store();
    let mut credential = store.get(old)?;
    let previous = std::mem::replace(&mut credential.name, new.to_string());
    let leftovers = store.rename(&previous, credential)?;
    if let Some(notice) = leftovers.describe() {
        println!("{notice}");
    }
    println!("renamed credential {previous} to {new}; its keychain entries moved along");
    Ok(())
}

fn repair(service: &TokenService, name: &str) -> Result<(), Error> {
    let removed = service.repair(name)?;
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
