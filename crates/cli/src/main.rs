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
    Send(send::SendArgs),
    /// Classify a response (status, headers, body) as token expiry or not, and say why
    Explain(explain::ExplainArgs),
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
    /// Import a curl command or a Postman collection into a collection the app shows
    Import(interop::ImportArgs),
    /// Export a saved request ("Collection/Folder/Request", or a built-in
    /// sample) or a curl command as curl or as an Apex snippet
    Export(interop::ExportArgs),
    /// Check this machine: the OS keychain the secrets live in
    Doctor,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    network::set_ca_file(cli.ca_file);
    match cli.command {
        Command::Doctor => doctor(),
        Command::Credential(args) => credential::run(cli.home.as_deref(), args),
        Command::Authorize(args) => authorize::run(cli.home.as_deref(), args),
        Command::Token(args) => token::run(cli.home.as_deref(), args),
        Command::Timeline(args) => timeline::run(cli.home.as_deref(), args),
        Command::Keep(args) => keep::run(cli.home.as_deref(), args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Send(args) => send::run(cli.home.as_deref(), args),
        Command::Explain(args) => explain::run(cli.home.as_deref(), args),
        Command::Collection(args) => collection::run(cli.home.as_deref(), args),
        Command::Env(args) => env::run(cli.home.as_deref(), args),
        Command::History(args) => history::run(cli.home.as_deref(), args),
        Command::Import(args) => interop::import(cli.home.as_deref(), args),
        Command::Export(args) => interop::export(cli.home.as_deref(), args),
    }
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
