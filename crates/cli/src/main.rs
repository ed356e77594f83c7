//! `callout`: the Callout Lab engine, headless. Parses arguments, calls
//! `callout-core`, prints the result.

mod explain;
mod sandbox;
mod send;

use std::process::ExitCode;

use callout_core::about;
use callout_core::vault::Vault;
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List, add, edit and remove named credentials
    Credential {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Authorize (or re-authorize) a credential in the system browser or by another flow
    Authorize {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Print a live access token for a credential, refreshing it first if needed
    Token {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Send a request (URL may be `callout:NAME/path`), detect expiry, refresh and retry
    Send(send::SendArgs),
    /// Classify a response (status, headers, body) as token expiry or not, and say why
    Explain(explain::ExplainArgs),
    /// Show a credential's refresh timeline
    Timeline {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Keep credentials fresh: refresh ahead of expiry and run keep-alive refreshes
    Keep {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Run the embedded sandbox OAuth provider and APIs that fail like real ones
    Sandbox(sandbox::SandboxArgs),
    /// Walk through an expiry, refresh and retry against the sandbox
    Demo {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Import a curl command or a Postman collection
    Import {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Export a request as curl or as an Apex snippet
    Export {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Check this machine: the OS keychain the secrets live in
    Doctor,
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Command::Credential { .. } => "credential",
            Command::Authorize { .. } => "authorize",
            Command::Token { .. } => "token",
            Command::Send { .. } => "send",
            Command::Explain { .. } => "explain",
            Command::Timeline { .. } => "timeline",
            Command::Keep { .. } => "keep",
            Command::Sandbox { .. } => "sandbox",
            Command::Demo { .. } => "demo",
            Command::Import { .. } => "import",
            Command::Export { .. } => "export",
            Command::Doctor => "doctor",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Doctor => doctor(),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Send(args) => send::run(args),
        Command::Explain(args) => explain::run(args),
        planned => {
            eprintln!(
                "callout {}: not built yet in this version ({}).",
                planned.name(),
                about::VERSION
            );
            ExitCode::from(2)
        }
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
