//! `callout authorize NAME`: run the credential's flow from scratch and keep
//! the tokens in the OS keychain (also the way to re-authorize).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use std::time::SystemTime;

use callout_core::Error;
use callout_core::credential::AuthProtocol;
use callout_core::oauth::browser::{self, BrowserOptions, Cancel};
use callout_core::oauth::device::{self, DevicePrompt};
use callout_core::oauth::{LiveToken, TokenService};
use clap::Args;

use crate::credential::flow_name;
use crate::token::{fail, read_stdin_secret, unstored_exit, with_service};

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
        let live = runtime.block_on(authorize(service, &args))?;
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

async fn authorize(service: &TokenService, args: &AuthorizeArgs) -> Result<LiveToken, Error> {
    let credential = service.store().get(&args.name)?;
    let user = args.user.as_deref();
    match credential.protocol {
        AuthProtocol::ClientCredentials => {
            service
                .authorize_client_credentials(&credential, user)
                .await
        }
        AuthProtocol::Password => {
            let username = args
                .username
                .as_deref()
                .ok_or_else(|| Error::Authorization {
                    credential: credential.name.clone(),
                    detail: "the password flow needs --username NAME and --password-stdin".into(),
                })?;
            if !args.password_stdin {
                return Err(Error::Authorization {
                    credential: credential.name.clone(),
                    detail: "the password flow reads the password from standard input: \
                             add --password-stdin"
                        .into(),
                });
            }
            let password =
                read_stdin_secret("--password-stdin").map_err(|detail| Error::Authorization {
                    credential: credential.name.clone(),
                    detail,
                })?;
            service
                .authorize_password(&credential, user, username, &password)
                .await
        }
        AuthProtocol::AuthorizationCode => {
            let no_browser = args.no_browser;
            let options = BrowserOptions {
                timeout: Duration::from_secs(args.timeout),
                open: Arc::new(move |url: &str| {
                    eprintln!("sign in at: {url}");
                    if no_browser {
                        Ok(())
                    } else {
                        browser::open_in_browser(url)
                    }
                }),
                on_ignored: Some(Arc::new(|notice: &str| eprintln!("{notice}"))),
                ..BrowserOptions::default()
            };
            eprintln!(
                "waiting for the browser (up to {} s; Ctrl-C cancels)...",
                args.timeout
            );
            browser::authorize_in_browser(service, &credential, user, options).await
        }
        AuthProtocol::DeviceCode => {
            let show = |prompt: &DevicePrompt| {
                eprintln!(
                    "on any device, open {} and enter the code {}",
                    prompt.verification_uri, prompt.user_code
                );
                if let Some(complete) = &prompt.verification_uri_complete {
                    eprintln!("(or open {complete})");
                }
                eprintln!(
                    "waiting for approval (up to {} s; Ctrl-C cancels)...",
                    prompt.expires_in.as_secs()
                );
            };
            device::authorize_device(service, &credential, user, show, &Cancel::new()).await
        }
        AuthProtocol::JwtBearer => {
            let subject = args
                .username
                .as_deref()
                .ok_or_else(|| Error::Authorization {
                    credential: credential.name.clone(),
                    detail: "the JWT bearer flow needs the subject to sign in as: --username NAME"
                        .into(),
                })?;
            service
                .authorize_jwt_bearer(&credential, user, subject)
                .await
        }
        other => Err(Error::Authorization {
            credential: credential.name.clone(),
            detail: format!(
                "the {} flow cannot be run from this command in this version; \
                 auth-code, client-credentials, device-code, jwt-bearer and password can",
                flow_name(other)
            ),
        }),
    }
}

fn print_authorized(live: &LiveToken) {
    let tokens = &live.tokens;
    let status = callout_core::oauth::refresh::status(
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
