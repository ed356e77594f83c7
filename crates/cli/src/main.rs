//! `callout`: the Callout Lab engine, headless. Parses arguments, calls
//! `callout-core`, prints the result.

mod authorize;
mod collection;
mod credential;
mod env;
mod explain;
mod history;
mod host;
mod interop;
mod keep;
mod network;
mod rules;
mod run;
mod sandbox;
mod saved;
mod send;
mod timeline;
mod token;

use std::process::ExitCode;

use callout_core::Vault;
use callout_core::about;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "callout",
    version = about::VERSION,
    about = "Test OAuth-protected API callouts: tokens from the OS keychain, merge fields, \
             expiry detection that explains itself, refresh and retry.",
    propagate_version = true
)]
struct Cli {
    /// Keep config, data and keychain entries for this home directory only
    /// [default: the platform's config and data directories]
    #[arg(long, global = true, value_name = "DIR", env = "CALLOUT_HOME")]
    home: Option<std::path::PathBuf>,
    /// Also trust the CA certificates in this PEM file (a company's own root
    /// CA), in place of the settings' extra CA file
    #[arg(long, global = true, value_name = "FILE", env = "CALLOUT_CA_FILE")]
    ca_file: Option<std::path::PathBuf>,
    /// CI mode, for a machine without a keychain: secrets are kept in this
    /// process's memory only, taken from the environment variables
    /// CALLOUT_<CREDENTIAL>_CLIENT_SECRET, _REFRESH_TOKEN, _ACCESS_TOKEN,
    /// _USERNAME, _PASSWORD, _PRIVATE_KEY, _CLIENT_KEY (the credential's name
    /// in capitals, other characters as _), never from a file
    #[arg(long, global = true, env = "CALLOUT_CI", value_parser = clap::builder::FalseyValueParser::new())]
    ci: bool,
    /// In CI mode, read those NAME=VALUE lines from stdin as well
    #[arg(long, global = true, requires = "ci")]
    secrets_stdin: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add, edit, list, show, rename, remove and repair named credentials
    Credential(credential::CredentialArgs),
    /// Authorize (or re-authorize) a credential in the system browser or by another flow
    Authorize(authorize::AuthorizeArgs),
    /// Print a live access token for a credential, refreshing it first if needed
    /// (exit status 3: the credential needs re-authorization)
    Token(token::TokenArgs),
    /// Send a request (URL may be `callout:NAME/path`), detect expiry, refresh and retry
    /// (exit status 3: the credential needs re-authorization)
    Send(send::SendArgs),
    /// Run a collection, a folder or a request: assertions, data files,
    /// iterations, parallel sends; JSON, JUnit and HTML reports (exit status
    /// 0 passed, 1 an assertion failed, 2 a request could not be sent, 3 a
    /// credential needs re-authorization)
    Run(run::RunArgs),
    /// Classify a response (status, headers, body) as token expiry or not, and say why
    Explain(explain::ExplainArgs),
    /// The expiry catalog (how real APIs say "token expired", and the 401s
    /// a refresh cannot cure) and your own rules in the same format: list,
    /// show, test a rule file, add a shared one, remove
    Rules(rules::RulesArgs),
    /// Show a credential's refresh timeline
    Timeline(timeline::TimelineArgs),
    /// Keep credentials fresh: refresh ahead of expiry and run keep-alive refreshes
    Keep(keep::KeepArgs),
    /// Run the embedded sandbox OAuth provider and APIs that fail like real ones
    Sandbox(sandbox::SandboxArgs),
    /// Collections (request files to keep in git): make one, open or close
    /// one in the app, list one or every one the app has open
    Collection(collection::CollectionArgs),
    /// The sends this home kept, newest first; `history show ID` for one whole
    History(history::HistoryArgs),
    /// A collection's environments and variables: list, show, set, unset;
    /// `env use` chooses the one an open collection sends with
    Env(env::EnvArgs),
    /// Import a curl command, a Postman, Insomnia or Bruno collection, an
    /// OpenAPI document, a WSDL or a HAR recording into a collection the app
    /// shows, or Salesforce metadata as credentials
    Import(interop::ImportArgs),
    /// Export a saved request ("Collection/Folder/Request", or a built-in
    /// sample) or a curl command as curl or as an Apex snippet
    Export(interop::ExportArgs),
    /// Check this machine: the OS keychain the secrets live in
    Doctor,
}

fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    network::set_ca_file(cli.ca_file);
    if cli.ci
        && let Err(error) = ci_mode(cli.home.as_deref(), cli.secrets_stdin)
    {
        eprintln!("callout: CI mode: {error}");
        return ExitCode::from(2);
    }
    match cli.command {
        Command::Doctor => doctor(),
        Command::Credential(args) => credential::run(cli.home.as_deref(), args),
        Command::Authorize(args) => authorize::run(cli.home.as_deref(), args),
        Command::Token(args) => token::run(cli.home.as_deref(), args),
        Command::Timeline(args) => timeline::run(cli.home.as_deref(), args),
        Command::Keep(args) => keep::run(cli.home.as_deref(), args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Send(args) => send::run(cli.home.as_deref(), args),
        Command::Run(args) => run::run(cli.home.as_deref(), args),
        Command::Explain(args) => explain::run(cli.home.as_deref(), args),
        Command::Rules(args) => rules::run(cli.home.as_deref(), args),
        Command::Collection(args) => collection::run(cli.home.as_deref(), args),
        Command::Env(args) => env::run(cli.home.as_deref(), args),
        Command::History(args) => history::run(cli.home.as_deref(), args),
        Command::Import(args) => interop::import(cli.home.as_deref(), args),
        Command::Export(args) => interop::export(cli.home.as_deref(), args),
    }
}

/// `callout ... | head` closes the pipe while the output is still being
/// written: end as a shell tool does (status 141, 128 + SIGPIPE), without a
/// panic message. Every other panic is reported as usual.
fn end_quietly_on_a_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        report(info);
    }));
}

/// CI mode: the vault in this process's memory, filled from the
/// environment (and stdin); says which variables it took, never a value.
fn ci_mode(home: Option<&std::path::Path>, secrets_stdin: bool) -> callout_core::Result<()> {
    use std::io::Read;
    Vault::keep_in_process_memory();
    let mut given: std::collections::BTreeMap<String, String> = std::env::vars()
        .filter(|(name, _)| name.starts_with("CALLOUT_"))
        .collect();
    if secrets_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| callout_core::Error::Storage {
                action: "read the secrets on stdin",
                path: "stdin".into(),
                detail: error.to_string(),
            })?;
        given.extend(callout_core::ci::parse_lines(&text)?);
    }
    let home = callout_core::home::Home::resolve(home)?;
    let store = callout_core::credential_store::CredentialStore::new(home);
    let seeded = callout_core::ci::seed(&store, None, &|name| given.get(name).cloned())?;
    for found in seeded {
        if found.variables.is_empty() {
            eprintln!(
                "ci: {}: no secrets given ({}CLIENT_SECRET, ...REFRESH_TOKEN, ...)",
                found.credential,
                callout_core::ci::variable_prefix(&found.credential)
            );
        } else {
            eprintln!("ci: {}: {}", found.credential, found.variables.join(", "));
        }
    }
    Ok(())
}

fn doctor() -> ExitCode {
    let check = about::check_keychain(&Vault::default());
    let mark = if check.available { "ok" } else { "FAILED" };
    println!("keychain ({}): {mark}", check.backend);
    println!("  {}", check.summary);
    if check.available {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
