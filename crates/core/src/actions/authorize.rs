//! Authorize a credential: run its flow from scratch (also the way to
//! re-authorize) and keep the tokens in the keychain. The one place that
//! picks the flow for a protocol; the host is told every stage.

use std::sync::Arc;
use std::time::Duration;

use crate::credential::{AuthProtocol, Credential};
use crate::oauth::browser::{self, BrowserOptions, Cancel};
use crate::oauth::device::{self, DevicePrompt};
use crate::oauth::{LiveToken, TokenService};
use crate::{Error, Result, Secret};

use super::{AuthorizeProgress, AuthorizeStage, Host, SecretRequest};

/// What an authorization may be given besides the credential.
#[derive(Debug, Clone)]
pub struct AuthorizeOptions {
    /// The user label of a per-user credential (`None`: the OS user).
    pub user: Option<String>,
    /// The password flow's username, the JWT bearer flow's subject. Without
    /// one, a login kept from an earlier authorization is used.
    pub username: Option<String>,
    /// The password flow's password; without one the host is asked.
    pub password: Option<Secret>,
    /// How long the browser sign-in may take.
    pub timeout: Duration,
    /// Stops a sign-in that waits for the browser or the device page.
    pub cancel: Cancel,
}

impl Default for AuthorizeOptions {
    fn default() -> Self {
        Self {
            user: None,
            username: None,
            password: None,
            timeout: browser::DEFAULT_TIMEOUT,
            cancel: Cancel::new(),
        }
    }
}

/// Runs the flow of credential `name` and stores the tokens it gets. The
/// host sees the stages (opening, waiting for the browser with its URL,
/// exchanging, and how it ended) and is asked to open the sign-in page.
pub async fn authorize(
    service: &TokenService,
    host: &Arc<dyn Host>,
    name: &str,
    options: &AuthorizeOptions,
) -> Result<LiveToken> {
    let credential = service.store().get(name)?;
    let name = credential.name.clone();
    let progress = |stage, message: String| {
        host.progress(&AuthorizeProgress::new(&name, stage, message));
    };
    progress(
        AuthorizeStage::Opening,
        format!(
            "Starting the {} flow for {name}",
            credential.protocol.words()
        ),
    );
    let result = run_flow(service, host, &credential, options).await;
    match &result {
        Ok(_) => progress(AuthorizeStage::Authorized, format!("{name} is authorized")),
        Err(error) if options.cancel.is_cancelled() => {
            progress(AuthorizeStage::Cancelled, error.to_string());
        }
        Err(error) => progress(AuthorizeStage::Failed, error.to_string()),
    }
    result
}

async fn run_flow(
    service: &TokenService,
    host: &Arc<dyn Host>,
    credential: &Credential,
    options: &AuthorizeOptions,
) -> Result<LiveToken> {
    let name = credential.name.clone();
    let user = options.user.as_deref();
    let failed = |detail: String| Error::Authorization {
        credential: name.clone(),
        detail,
    };
    match credential.protocol {
        AuthProtocol::AuthorizationCode => {
            let opening = Arc::clone(host);
            let noticing = Arc::clone(host);
            let waiting_for = name.clone();
            let wait = options.timeout.as_secs();
            let browser_options = BrowserOptions {
                timeout: options.timeout,
                cancel: options.cancel.clone(),
                open: Arc::new(move |url: &str| {
                    let mut waiting = AuthorizeProgress::new(
                        &waiting_for,
                        AuthorizeStage::WaitingForBrowser,
                        format!(
                            "Sign in in the browser; waiting up to {wait} s for it to come back"
                        ),
                    );
                    waiting.url = Some(url.to_string());
                    opening.progress(&waiting);
                    opening.open_url(url)
                }),
                on_ignored: Some(Arc::new(move |notice: &str| noticing.notice(notice))),
            };
            browser::authorize_in_browser(service, credential, user, browser_options).await
        }
        AuthProtocol::DeviceCode => {
            let show = |prompt: &DevicePrompt| {
                let mut waiting = AuthorizeProgress::new(
                    &name,
                    AuthorizeStage::WaitingForBrowser,
                    format!(
                        "On any device, open {} and enter the code {}; waiting up to {} s for \
                         approval",
                        prompt.verification_uri,
                        prompt.user_code,
                        prompt.expires_in.as_secs()
                    ),
                );
                waiting.url = Some(
                    prompt
                        .verification_uri_complete
                        .clone()
                        .unwrap_or_else(|| prompt.verification_uri.clone()),
                );
                host.progress(&waiting);
            };
            device::authorize_device(service, credential, user, show, &options.cancel).await
        }
        AuthProtocol::ClientCredentials => {
            host.progress(&AuthorizeProgress::new(
                &name,
                AuthorizeStage::Exchanging,
                "Asking the token endpoint with the client secret",
            ));
            service.authorize_client_credentials(credential, user).await
        }
        AuthProtocol::Password => match &options.username {
            Some(username) => {
                let password = match &options.password {
                    Some(password) => password.clone(),
                    None => host
                        .read_secret(&SecretRequest::Password {
                            credential: name.clone(),
                            username: username.clone(),
                        })?
                        .ok_or_else(|| {
                            failed(format!(
                                "the password flow needs the password of {username}"
                            ))
                        })?,
                };
                service
                    .authorize_password(credential, user, username, &password)
                    .await
            }
            None => {
                with_kept_login(service, host, credential, user, "a username and password").await
            }
        },
        AuthProtocol::JwtBearer => match &options.username {
            Some(subject) => {
                service
                    .authorize_jwt_bearer(credential, user, subject)
                    .await
            }
            None => {
                with_kept_login(service, host, credential, user, "the subject to sign in as").await
            }
        },
        AuthProtocol::NoAuthentication => Err(failed(
            "it uses no authentication: there is nothing to authorize".into(),
        )),
        AuthProtocol::Basic => Err(failed(
            "Basic authentication has nothing to authorize: every call sends the username and \
             the password kept with the credential; change them by editing it \
             (`callout credential edit NAME --username USER --password-stdin`)"
                .into(),
        )),
    }
}

/// A login (or JWT subject) kept from an earlier authorization mints new
/// tokens; without one, the flow needs `what` the first time.
async fn with_kept_login(
    service: &TokenService,
    host: &Arc<dyn Host>,
    credential: &Credential,
    user: Option<&str>,
    what: &str,
) -> Result<LiveToken> {
    service
        .refresh_after(credential, user, None)
        .await
        .map_err(|error| match error {
            Error::NeedsReauthorization { .. } => Error::Authorization {
                credential: credential.name.clone(),
                detail: format!(
                    "the {} flow needs {what} the first time{}",
                    credential.protocol.words(),
                    host.login_hint(credential.protocol)
                        .map(|hint| format!(": {hint}"))
                        .unwrap_or_default()
                ),
            },
            other => other,
        })
}
