//! The terminal as the actions' host: sign-in URLs printed (and opened in
//! `$BROWSER` or the system browser unless `--no-browser`), progress and
//! notices on standard error, secrets read from standard input when the
//! command was told to (`--password-stdin`).

use callout_core::actions::{AuthorizeProgress, AuthorizeStage, Host, SecretRequest};
use callout_core::credential::AuthProtocol;
use callout_core::oauth;
use callout_core::{Result, Secret};

use crate::token::read_stdin_secret;

/// How this command may reach the person running it.
#[derive(Debug, Clone, Default)]
pub struct Terminal {
    /// Print sign-in URLs only; never open a browser.
    pub no_browser: bool,
    /// A password asked for is read from standard input.
    pub password_stdin: bool,
}

impl Host for Terminal {
    fn open_url(&self, url: &str) -> Result<()> {
        if self.no_browser {
            return Ok(());
        }
        oauth::open_in_browser(url)
    }

    fn progress(&self, progress: &AuthorizeProgress) {
        match progress.stage {
            AuthorizeStage::WaitingForBrowser => {
                if let Some(url) = &progress.url
                    && !progress.message.contains(url.as_str())
                {
                    eprintln!("sign in at: {url}");
                }
                eprintln!("{} (Ctrl-C cancels)...", progress.message);
            }
            AuthorizeStage::Exchanging => eprintln!("{}...", progress.message),
            // The command prints how it ended, with the token.
            AuthorizeStage::Opening
            | AuthorizeStage::Authorized
            | AuthorizeStage::Failed
            | AuthorizeStage::Cancelled => {}
        }
    }

    fn notice(&self, message: &str) {
        eprintln!("callout: {message}");
    }

    fn login_hint(&self, flow: AuthProtocol) -> Option<String> {
        match flow {
            AuthProtocol::Password => Some("give --username NAME and --password-stdin".into()),
            AuthProtocol::JwtBearer => Some("give the subject as --username NAME".into()),
            _ => None,
        }
    }

    fn read_secret(&self, request: &SecretRequest) -> Result<Option<Secret>> {
        match request {
            SecretRequest::Password {
                credential,
                username,
            } => {
                if !self.password_stdin {
                    return Err(callout_core::Error::Authorization {
                        credential: credential.clone(),
                        detail: format!(
                            "the password flow reads the password of {username} from standard \
                             input: add --password-stdin"
                        ),
                    });
                }
                read_stdin_secret("--password-stdin")
                    .map(Some)
                    .map_err(|detail| callout_core::Error::Authorization {
                        credential: credential.clone(),
                        detail,
                    })
            }
        }
    }
}
