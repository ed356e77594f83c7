//! `callout send`: parse curl-like arguments, run the engine's send pipeline,
//! print the response, the verdicts and every attempt.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use callout_core::actions;
use callout_core::detect::{self, Verdict};
use callout_core::history::{History, Label};
use callout_core::home::Home;
use callout_core::interop::curl;
use callout_core::oauth::TokenService;
use callout_core::send::{Attempt, Draft, Header, Outcome, ResponseBody, Sender, Timeouts};
use callout_core::variables::SecretValues;
use callout_core::{Error, ErrorKind};
use clap::Args;
use serde::Serialize;

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The URL: http(s)://... or callout:NAME/path?query, where NAME is a credential
    /// (`callout credential list`) whose live token the request carries
    #[arg(required_unless_present_any = ["curl", "saved", "again"])]
    pub url: Option<String>,
    /// Send again the request of a send the history kept (`callout
    /// history`), as it was written: merge fields filled in afresh
    #[arg(long, value_name = "ID", conflicts_with_all = ["url", "curl", "saved", "method", "headers", "data"])]
    pub again: Option<i64>,
    /// Send a saved request: "Collection/Folder/Request" of a collection
    /// open in the app (`callout collection list`), or with --collection (or
    /// in a directory with a collection.toml) "Folder/Request" of that one;
    /// a request's file path ("Accounts/query.toml") works too
    #[arg(long, value_name = "PATH", conflicts_with_all = ["url", "curl", "method", "headers", "data"])]
    pub saved: Option<String>,
    /// The collection --saved reads: a directory with a collection.toml
    /// [default: the current directory when it has one, else the
    /// collections open in the app]
    #[arg(long, value_name = "DIR", requires = "saved")]
    pub collection: Option<std::path::PathBuf>,
    /// The environment whose {{variables}} the saved request uses
    /// (environments/NAME.toml in the collection) [default: through the
    /// app's open collections, the one chosen for the collection (`callout
    /// env use`); else none]
    #[arg(long = "env", value_name = "NAME", requires = "saved")]
    pub environment: Option<String>,
    /// A variable for the saved request, before every other scope; repeat for more
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "saved")]
    pub variables: Vec<String>,
    /// Send this curl command instead ('curl -X POST https://... -H ... -d ...');
    /// its URL may be callout:NAME/... and its text may hold merge fields
    #[arg(long, value_name = "COMMAND", conflicts_with_all = ["url", "method", "headers", "data"])]
    pub curl: Option<String>,
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
    /// The user label of a per-user credential [default: the OS user name]
    #[arg(long, value_name = "LABEL")]
    pub user: Option<String>,
    /// Give up when no complete response arrived within this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}

pub fn run(home: Option<&Path>, args: SendArgs) -> ExitCode {
    match send(home, &args) {
        Ok(outcome) => {
            print_outcome(&outcome, args.json);
            // The provider refused the refresh (the token was killed early,
            // the refresh token revoked): the answer printed is the refused
            // one, and a script must not take it for success.
            if callout_core::run::needs_reauthorization(&outcome.attempts) {
                let credential = outcome.attempts.iter().find_map(|attempt| match attempt {
                    Attempt::RefreshFailed { credential, .. } => Some(credential.as_str()),
                    _ => None,
                });
                eprintln!(
                    "callout send: credential \"{0}\" needs re-authorization: the provider \
                     refused its refresh (`callout authorize {0}`)",
                    credential.unwrap_or("NAME")
                );
                return ExitCode::from(crate::token::EXIT_NEEDS_REAUTHORIZATION);
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Input(message)) => {
            eprintln!("callout send: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Engine(error)) => {
            eprintln!("callout send: {error}");
            match error.kind() {
                ErrorKind::Transport
                | ErrorKind::Keychain
                | ErrorKind::KeychainUnavailable
                | ErrorKind::Refresh => ExitCode::FAILURE,
                ErrorKind::NeedsReauthorization => {
                    ExitCode::from(crate::token::EXIT_NEEDS_REAUTHORIZATION)
                }
                _ => ExitCode::from(2),
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

/// The saved request at `path`, its variables filled in (secret ones from
/// the keychain), the label its send is kept under ("Collection/Folder/
/// Request", the environment used) and the secrets' values.
fn saved_draft(
    home: &Home,
    path: &str,
    args: &SendArgs,
) -> Result<(Draft, Label, SecretValues), Failure> {
    let mut overrides = BTreeMap::new();
    for pair in &args.variables {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(Failure::Input(format!("--var {pair}: give NAME=VALUE")));
        };
        overrides.insert(name.trim().to_string(), value.to_string());
    }
    let found = crate::saved::find(
        home,
        path,
        args.collection.as_deref(),
        args.environment.as_deref(),
    )?;
    let filled = found.fill_to_send(home, overrides)?;
    Ok((filled.draft, found.label(), filled.secrets))
}

fn send(home: Option<&Path>, args: &SendArgs) -> Result<Outcome, Failure> {
    let home = Home::resolve(home)?;
    let mut label = Label::default();
    let mut secrets = SecretValues::default();
    let draft = match (&args.curl, &args.url) {
        (Some(command), _) => {
            let imported = curl::import(command, &|path| std::fs::read_to_string(path))?;
            for note in &imported.notes {
                eprintln!("note: {note}");
            }
            imported.draft
        }
        (None, Some(url)) => draft_from_arguments(url, args)?,
        (None, None) => match (&args.saved, args.again) {
            (Some(path), _) => {
                let (draft, saved, used) = saved_draft(&home, path, args)?;
                label = saved;
                secrets = used;
                draft
            }
            (None, Some(id)) => {
                let (draft, kept) = History::open(&home)?.draft(id)?;
                label = kept;
                draft
            }
            (None, None) => {
                return Err(Failure::Input(
                    "give a URL, --curl, --saved or --again".into(),
                ));
            }
        },
    };
    let network = crate::network::for_home(&home)?;
    let sender = Sender::with_network(
        Timeouts {
            connect: Duration::from_secs(args.timeout.clamp(1, 30)),
            total: Duration::from_secs(args.timeout.max(1)),
        },
        network.clone(),
    )?;
    crate::rules::load_into(&home, &sender)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Input(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(async {
        let service = Arc::new(
            TokenService::new(&home, sender.client().clone())
                .with_network(network)
                .with_home_timeline()?,
        );
        crate::timeline::warn_if_troubled(service.timeline());
        let outcome = actions::send::send_with_secrets(
            &sender,
            &service,
            &draft,
            args.user.as_deref(),
            &label,
            &secrets,
        )
        .await;
        // The file may have been found damaged only while in use.
        crate::timeline::warn_if_troubled(service.timeline());
        Ok(outcome?)
    })
}

/// The request the curl-like arguments describe.
fn draft_from_arguments(url: &str, args: &SendArgs) -> Result<Draft, Failure> {
    let body = match &args.data {
        None => None,
        Some(data) => Some(read_data(data).map_err(Failure::Input)?),
    };
    let method = args
        .method
        .clone()
        .unwrap_or_else(|| if body.is_some() { "POST" } else { "GET" }.to_string());
    let mut draft = Draft::new(method, url);
    draft.body = body;
    for line in &args.headers {
        draft.headers.push(Header::parse(line)?);
    }
    Ok(draft)
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
        .then(|| detect::pretty(&response.headers, response.body.bytes()))
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
            ..
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
            already_refreshed: false,
            not_stored,
        } => format!(
            "refreshed {credential} (trigger: {}){}",
            trigger.as_deref().unwrap_or("none"),
            not_stored
                .as_deref()
                .map(|problem| format!(
                    "; the keychain did not take the new tokens ({problem}): they are kept in \
                     memory until it does"
                ))
                .unwrap_or_default()
        ),
        Attempt::Refreshed {
            credential,
            already_refreshed: true,
            ..
        } => format!("took {credential}'s token another call had just refreshed"),
        Attempt::RefreshFailed {
            credential, error, ..
        } => format!("refreshing {credential} failed: {}", error.message),
        Attempt::RefreshSkipped { reason } => format!("not refreshed: {reason}"),
    }
}
