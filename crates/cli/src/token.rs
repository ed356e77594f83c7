//! `callout token NAME`: print a live access token, refreshing it first when
//! it is expired or about to be. Also the pieces the credential and
//! authorize commands share: the home, the async runtime, exit codes.

use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use callout_core::actions::token::{Freshness, live_token};
use callout_core::home::Home;
use callout_core::oauth::{self, LiveToken, TokenService};
use callout_core::{Error, ErrorKind};
use clap::Args;
use serde::Serialize;

/// Exit code when the credential needs re-authorization.
pub const EXIT_NEEDS_REAUTHORIZATION: u8 = 3;

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 token printed; 1 the provider or the keychain failed; \
    2 bad input (unknown credential, broken credentials file); \
    3 the credential needs re-authorization (run `callout authorize NAME`)."
)]
pub struct TokenArgs {
    /// The credential's name (ignoring case)
    pub name: String,
    /// Print one JSON object: {"credential","accessToken","tokenType","expiresAt",
    /// "expiresInSeconds","expirySource","scopes","refreshed"}
    #[arg(long)]
    pub json: bool,
    /// Refresh now, even if the token is still valid (a rotated refresh token
    /// is stored before the new access token is printed)
    #[arg(long)]
    pub refresh: bool,
    /// The user label of a per-user credential [default: the OS user name]
    #[arg(long, value_name = "LABEL")]
    pub user: Option<String>,
}

pub fn run(home: Option<&Path>, args: TokenArgs) -> ExitCode {
    let result = with_service(home, |service, runtime| {
        let user = args.user.as_deref();
        let freshness = if args.refresh {
            Freshness::Now
        } else {
            Freshness::WhenStale
        };
        let live = runtime.block_on(live_token(service, &args.name, user, freshness))?;
        let unstored = service.unstored(&live.credential, &live.identity);
        Ok((live, unstored))
    });
    match result {
        Ok((live, unstored)) => {
            print_token(&live, args.json);
            unstored_exit("token", &live, unstored)
        }
        Err(error) => fail("token", &error),
    }
}

fn print_token(live: &LiveToken, json: bool) {
    let tokens = &live.tokens;
    if !json {
        println!("{}", tokens.access_token.expose());
        return;
    }
    let expires_at = tokens.expires_at.map(unix);
    let output = TokenJson {
        credential: &live.credential,
        access_token: tokens.access_token.expose(),
        token_type: &tokens.token_type,
        expires_at,
        expires_in_seconds: expires_at.map(|at| at.saturating_sub(unix(SystemTime::now()))),
        expiry_source: tokens.expiry_source,
        scopes: &tokens.scopes,
        refreshed: live.refreshed,
    };
    match serde_json::to_string_pretty(&output) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("callout token: cannot print JSON: {error}"),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenJson<'a> {
    credential: &'a str,
    access_token: &'a str,
    token_type: &'a str,
    /// Seconds since the Unix epoch; null when the provider did not say.
    expires_at: Option<u64>,
    expires_in_seconds: Option<u64>,
    expiry_source: callout_core::oauth::ExpirySource,
    scopes: &'a [String],
    refreshed: bool,
}

pub(crate) fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Resolves the home, builds the token service and a runtime, runs `work`.
pub(crate) fn with_service<T>(
    home: Option<&Path>,
    work: impl FnOnce(&TokenService, &tokio::runtime::Runtime) -> Result<T, Error>,
) -> Result<T, Error> {
    let home = Home::resolve(home)?;
    let network = crate::network::for_home(&home)?;
    let service = TokenService::new(&home, oauth::token_client_for(&network)?)
        .with_network(network)
        .with_home_timeline()?;
    crate::timeline::warn_if_troubled(service.timeline());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Storage {
            action: "start the async runtime for",
            path: home.config_dir().display().to_string(),
            detail: error.to_string(),
        })?;
    let result = work(&service, &runtime);
    // The file may have been found damaged only while in use.
    crate::timeline::warn_if_troubled(service.timeline());
    result
}

/// Success — unless the new tokens are only in this process's memory (the
/// keychain would not take them): then says so, and that they are lost when
/// the command ends, and fails.
pub(crate) fn unstored_exit(command: &str, live: &LiveToken, unstored: Option<String>) -> ExitCode {
    let Some(problem) = unstored else {
        return ExitCode::SUCCESS;
    };
    let name = &live.credential;
    eprintln!(
        "callout {command}: the new tokens could not be stored in the keychain ({problem}); \
         the access token works until it expires, but the rest is lost when this command ends: \
         if the provider rotates refresh tokens, run `callout authorize {name}` once the keychain \
         works"
    );
    ExitCode::FAILURE
}

/// Prints `callout COMMAND: error` and picks the exit status.
pub(crate) fn fail(command: &str, error: &Error) -> ExitCode {
    eprintln!("callout {command}: {error}");
    exit_code(error)
}

pub(crate) fn exit_code(error: &Error) -> ExitCode {
    match error.kind() {
        ErrorKind::NeedsReauthorization => ExitCode::from(EXIT_NEEDS_REAUTHORIZATION),
        ErrorKind::UnknownCredential
        | ErrorKind::InvalidCredential
        | ErrorKind::CredentialsFile
        | ErrorKind::InvalidRequest => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}

/// A secret given on standard input (`--client-secret-stdin`,
/// `--password-stdin`): everything read, without the final line break.
pub(crate) fn read_stdin_secret(option: &str) -> Result<callout_core::Secret, String> {
    use std::io::Read as _;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| format!("{option}: standard input could not be read: {error}"))?;
    let secret = text.trim_end_matches(['\r', '\n']);
    if secret.is_empty() {
        return Err(format!("{option} was given, but standard input was empty"));
    }
    Ok(callout_core::Secret::new(secret))
}
