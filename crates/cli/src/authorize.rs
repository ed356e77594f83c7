//! `callout authorize NAME`: run the credential's flow from scratch and keep
//! the tokens in the OS keychain (also the way to re-authorize).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use std::time::SystemTime;

use callout_core::actions::Host;
use callout_core::actions::authorize::{AuthorizeOptions, authorize};
use callout_core::oauth::LiveToken;
use clap::Args;

use crate::host::Terminal;
use crate::token::{fail, unstored_exit, with_service};

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The credential's name (ignoring case)
    pub name: String,
    /// Password flow: the username to sign in with; JWT bearer flow: the subject
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Password flow: read the password from standard input (it goes to the
    /// OS keychain, to mint new tokens when the refresh token dies)
    #[arg(long)]
    pub password_stdin: bool,
    /// The user label of a per-user credential [default: the OS user name]
    #[arg(long, value_name = "LABEL")]
    pub user: Option<String>,
    /// Auth-code flow: print the sign-in URL instead of opening a browser
    /// (without this, $BROWSER is used when set, else the system browser)
    #[arg(long)]
    pub no_browser: bool,
    /// Auth-code flow: give up when the browser has not come back after this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
}

pub fn run(home: Option<&Path>, args: AuthorizeArgs) -> ExitCode {
    let result = with_service(home, |service, runtime| {
        let host: Arc<dyn Host> = Arc::new(Terminal {
            no_browser: args.no_browser,
            password_stdin: args.password_stdin,
        });
        let options = AuthorizeOptions {
            user: args.user.clone(),
            username: args.username.clone(),
            timeout: Duration::from_secs(args.timeout),
            ..AuthorizeOptions::default()
        };
        let live = runtime.block_on(authorize(service, &host, &args.name, &options))?;
        let unstored = service.unstored(&live.credential, &live.identity);
        Ok((live, unstored))
    });
    match result {
        Ok((live, unstored)) => {
            print_authorized(&live);
            unstored_exit("authorize", &live, unstored)
        }
        Err(error) => fail("authorize", &error),
    }
}

fn print_authorized(live: &LiveToken) {
    let tokens = &live.tokens;
    let status = callout_core::oauth::status(
        &callout_core::credential_store::Authorization {
            tokens: Some(tokens.clone()),
            ..Default::default()
        },
        SystemTime::now(),
    );
    println!(
        "authorized {}: access token {} ({}){}",
        live.credential,
        tokens.access_token.masked(),
        status.describe(),
        if tokens.refresh_token.is_some() {
            ", refresh token stored in the keychain"
        } else {
            ""
        }
    );
}
