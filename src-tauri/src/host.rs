//! The app as the actions' host: sign-in pages open through the app's
//! opener (the system browser, or `$BROWSER`), progress goes to the window
//! as `authorize-progress` events, notices to the log. The window cannot
//! be asked for a secret in the middle of an action: what a flow needs
//! comes from the form, so `read_secret` answers that it cannot ask.

use callout_core::actions::{AuthorizeProgress, Host, SecretRequest};
use callout_core::credential::AuthProtocol;
use callout_core::{Result, Secret};
use tauri::{AppHandle, Manager, Runtime};

use crate::events;
use crate::state::AppState;

/// The app, for one action.
pub struct Window<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> Window<R> {
    pub fn new(app: &AppHandle<R>) -> Self {
        Self { app: app.clone() }
    }
}

impl<R: Runtime> Host for Window<R> {
    fn open_url(&self, url: &str) -> Result<()> {
        let opener = self.app.state::<AppState>().opener();
        opener(url)
    }

    fn progress(&self, progress: &AuthorizeProgress) {
        events::authorize_progress(&self.app, progress);
    }

    fn notice(&self, message: &str) {
        eprintln!("callout-lab: {message}");
    }

    fn read_secret(&self, _request: &SecretRequest) -> Result<Option<Secret>> {
        Ok(None)
    }

    fn login_hint(&self, _flow: AuthProtocol) -> Option<String> {
        None
    }
}
