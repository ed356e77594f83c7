//! `callout send`: parse curl-like arguments, run the engine's send pipeline,
//! print the response, the verdicts and every attempt.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use callout_core::credential::{CredentialFile, CredentialSecrets, CredentialSet};
use callout_core::detect::Verdict;
use callout_core::detect::body;
use callout_core::send::{Attempt, Draft, Header, Outcome, ResponseBody, Sender, Timeouts};
use callout_core::{Error, ErrorKind, Secret};
use clap::Args;
use serde::Serialize;

/// Where credentials and secrets come from, for now: a definitions file and
/// environment variables. The keychain-backed credential store replaces this.
#[derive(Debug, Args)]
pub struct CredentialSource {
    /// Credential definitions (JSON `{"credentials": [...]}` or TOML
    /// `[[credentials]]`), used to resolve callout:NAME URLs. Interim: the
    /// credential store will replace this option.
    #[arg(long, value_name = "FILE", env = "CALLOUT_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
}

impl CredentialSource {
    /// The credentials in the file, or an empty set without one.
    pub fn load(&self) -> Result<CredentialSet, String> {
        match &self.credentials {
            None => Ok(CredentialSet::default()),
            Some(path) => load_credentials(path),
        }
    }
}

/// Reads and validates a credentials file (JSON or TOML).
fn load_credentials(path: &Path) -> Result<CredentialSet, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read credentials file {shown}: {error}"))?;
    let is_json =
        path.extension().is_some_and(|ext| ext == "json") || text.trim_start().starts_with('{');
    let file: CredentialFile = if is_json {
        serde_json::from_str(&text)
            .map_err(|error| format!("credentials file {shown} is not valid JSON: {error}"))?
    } else {
        toml::from_str(&text)
            .map_err(|error| format!("credentials file {shown} is not valid TOML: {error}"))?
    };
    CredentialSet::try_from(file).map_err(|error| format!("credentials file {shown}: {error}"))
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The URL: http(s)://... or callout:NAME/path?query (NAME from --credentials)
    pub url: String,
    /// HTTP method [default: GET, or POST with -d]
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// A request header; repeat for more. Values may hold merge fields such as
    /// {!$Credential.OAuthToken}
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The body, or @FILE to read it from FILE
    #[arg(short = 'd', long = "data", value_name = "DATA|@FILE")]
    pub data: Option<String>,
    /// Print one JSON object: {"status","headers","body","verdict","attempts"}
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub source: CredentialSource,
    /// Environment variable holding the credential's access token (interim,
    /// until tokens come from the keychain). Without a refresher, an expired
    /// token is reported, not refreshed
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Username for {!$Credential.Username} and Basic authentication
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Environment variable holding the password for {!$Credential.Password}
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Give up when no complete response arrived within this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}

pub fn run(args: SendArgs) -> ExitCode {
    match send(&args) {
        Ok(outcome) => {
            print_outcome(&outcome, args.json);
            ExitCode::SUCCESS
        }
        Err(Failure::Input(message)) => {
            eprintln!("callout send: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Engine(error)) => {
            eprintln!("callout send: {error}");
            if error.kind() == ErrorKind::Transport {
                ExitCode::FAILURE
            } else {
                ExitCode::from(2)
            }
        }
    }
}

enum Failure {
    Input(String),
    Engine(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Engine(error)
    }
}

fn send(args: &SendArgs) -> Result<Outcome, Failure> {
    let credentials = args.source.load().map_err(Failure::Input)?;
    let secrets = secrets(args).map_err(Failure::Input)?;
    let body = match &args.data {
        None => None,
        Some(data) => Some(read_data(data).map_err(Failure::Input)?),
    };
    let method = args
        .method
        .clone()
        .unwrap_or_else(|| if body.is_some() { "POST" } else { "GET" }.to_string());
    let mut draft = Draft::new(method, args.url.clone());
    draft.body = body;
    for line in &args.headers {
        draft.headers.push(Header::parse(line)?);
    }
    let sender = Sender::new(Timeouts {
        connect: Duration::from_secs(args.timeout.clamp(1, 30)),
        total: Duration::from_secs(args.timeout.max(1)),
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Input(format!("cannot start the async runtime: {error}")))?;
    // No refresher yet: the OAuth refresher arrives with the credential store.
    Ok(runtime.block_on(sender.send(&draft, &credentials, &secrets, None))?)
}

fn secrets(args: &SendArgs) -> Result<CredentialSecrets, String> {
    let from_env = |var: &Option<String>| -> Result<Option<Secret>, String> {
        match var {
            None => Ok(None),
            Some(name) => std::env::var(name)
                .map(|value| Some(Secret::new(value)))
                .map_err(|_| format!("environment variable {name} is not set (or not UTF-8)")),
        }
    };
    Ok(CredentialSecrets {
        access_token: from_env(&args.token_env)?,
        username: args.username.clone(),
        password: from_env(&args.password_env)?,
        ..CredentialSecrets::default()
    })
}

/// `-d DATA` or `-d @FILE`.
fn read_data(data: &str) -> Result<String, String> {
    match data.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read the body from {path}: {error}")),
        None => Ok(data.to_string()),
    }
}

/// What `--json` prints, in this order.
#[derive(Serialize)]
struct JsonOutput<'a> {
    status: u16,
    headers: &'a [Header],
    body: &'a ResponseBody,
    verdict: &'a Verdict,
    attempts: &'a [Attempt],
}

fn print_outcome(outcome: &Outcome, json: bool) {
    let response = &outcome.response;
    if json {
        let value = JsonOutput {
            status: response.status,
            headers: &response.headers,
            body: &response.body,
            verdict: &outcome.verdict,
            attempts: &outcome.attempts,
        };
        match serde_json::to_string_pretty(&value) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("callout send: cannot print JSON: {error}"),
        }
        return;
    }
    println!("HTTP {}", response.status);
    for header in &response.headers {
        println!("{}: {}", header.name, header.value);
    }
    println!();
    let pretty = std::io::stdout()
        .is_terminal()
        .then(|| body::pretty(&response.headers, response.body.bytes()))
        .flatten();
    let text = pretty.unwrap_or_else(|| response.body.text());
    if !text.is_empty() {
        println!("{}", text.trim_end());
    }
    if response.truncated {
        println!("[body cut at {} bytes]", response.body.bytes().len());
    }
    println!();
    crate::explain::print_human(&outcome.verdict);
    if !outcome.lint.is_empty() {
        println!("salesforce compatibility:");
        for lint in &outcome.lint {
            println!("  - {} ({})", lint.message, lint.id);
        }
    }
    println!("attempts:");
    for attempt in &outcome.attempts {
        println!("  - {}", describe(attempt));
    }
}

fn describe(attempt: &Attempt) -> String {
    match attempt {
        Attempt::Sent {
            number,
            request,
            status,
            verdict,
        } => {
            let judged = match &verdict.rule {
                Some(rule) if verdict.expired => format!("expired ({rule})"),
                _ => "not expired".to_string(),
            };
            format!(
                "#{number} {} {} -> HTTP {status}, {judged}",
                request.method, request.url
            )
        }
        Attempt::Failed {
            number,
            request,
            error,
        } => format!(
            "#{number} {} {} -> no response: {}",
            request.method, request.url, error.message
        ),
        Attempt::Refreshed {
            credential,
            trigger,
        } => format!(
            "refreshed {credential} (trigger: {})",
            trigger.as_deref().unwrap_or("none")
        ),
        Attempt::RefreshFailed {
            credential, error, ..
        } => format!("refreshing {credential} failed: {}", error.message),
        Attempt::RefreshSkipped { reason } => format!("not refreshed: {reason}"),
    }
}
