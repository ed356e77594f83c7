//! What the core integration tests over the sandbox share: a home in a temp
//! dir with its token service (recording in the home's timeline), credentials
//! for the sandbox's client, tokens seeded as if authorized, cleanup of the
//! keychain entries when the test ends, a session that died at the sandbox
//! ([`DeadSession`]), and the name a test that runs itself again in a child
//! process gives that child.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use callout_core::Secret;
use callout_core::credential::{AuthProtocol, Credential};
use callout_core::credential_store::{Authorization, Identity, NewSecrets};
use callout_core::home::Home;
use callout_core::oauth;
use callout_core::oauth::{ExpirySource, LiveToken, TokenService, TokenSet};
use callout_core::timeline::{Event, Query};
use callout_sandbox::Sandbox;

mod dead_session;
pub use dead_session::DeadSession;

/// A home in a temp dir with its token service; forgets its keychain
/// entries on drop.
pub struct TestHome {
    pub dir: tempfile::TempDir,
    pub home: Home,
    pub service: Arc<TokenService>,
    names: Vec<String>,
}

impl TestHome {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        let service = Arc::new(TokenService::for_home(&home).unwrap());
        Self {
            dir,
            home,
            service,
            names: Vec::new(),
        }
    }

    /// Defines a credential for the sandbox's client (secret in the keychain).
    pub fn add(&mut self, sandbox: &Sandbox, name: &str, protocol: AuthProtocol) -> Credential {
        self.add_with(sandbox, name, protocol, |_| {})
    }

    /// The same, with `adjust` applied to the definition before it is stored.
    pub fn add_with(
        &mut self,
        sandbox: &Sandbox,
        name: &str,
        protocol: AuthProtocol,
        adjust: impl FnOnce(&mut Credential),
    ) -> Credential {
        let mut credential = Credential::new(name, sandbox.base_url());
        credential.protocol = protocol;
        credential.client_id = Some(sandbox.client_id().to_string());
        credential.token_url = Some(sandbox.token_url());
        credential.auth_url = Some(sandbox.authorize_url());
        credential.scopes = vec!["api".into(), "refresh_token".into()];
        adjust(&mut credential);
        self.names.push(name.to_string());
        let secrets = NewSecrets {
            client_secret: Some(Secret::new(sandbox.client_secret())),
            private_key: None,
            client_key: None,
        };
        self.service
            .store()
            .add_with_secrets(credential.clone(), &secrets)
            .unwrap();
        credential
    }

    pub fn authorization(&self, name: &str) -> Authorization {
        self.service
            .store()
            .authorization(name, &Identity::NamedPrincipal)
            .unwrap()
    }

    /// Stores tokens minted by the sandbox as if authorized an hour ago,
    /// expiring at `expires_at`.
    pub fn seed(&self, sandbox: &Sandbox, name: &str, expires_at: SystemTime) -> TokenSet {
        let issued_at = SystemTime::now() - Duration::from_secs(3_600);
        self.seed_at(sandbox, name, issued_at, expires_at)
    }

    /// Stores tokens minted by the sandbox as if issued at `issued_at`,
    /// expiring at `expires_at`.
    pub fn seed_at(
        &self,
        sandbox: &Sandbox,
        name: &str,
        issued_at: SystemTime,
        expires_at: SystemTime,
    ) -> TokenSet {
        let issued = sandbox.issue_tokens("api refresh_token");
        let tokens = TokenSet {
            access_token: issued.access_token,
            token_type: "Bearer".into(),
            refresh_token: issued.refresh_token,
            id_token: None,
            scopes: vec!["api".into(), "refresh_token".into()],
            issued_at,
            expires_at: Some(expires_at),
            expiry_source: ExpirySource::ExpiresIn,
            is_jwt: false,
            instance_url: None,
        };
        let authorization = Authorization {
            tokens: Some(tokens.clone()),
            ..Authorization::default()
        };
        self.service
            .store()
            .set_authorization(name, &Identity::NamedPrincipal, &authorization)
            .unwrap();
        tokens
    }

    /// The credential's timeline, oldest first.
    pub fn events(&self, name: &str) -> Vec<Event> {
        self.service
            .timeline()
            .unwrap()
            .query(&Query::credential(name))
            .unwrap()
    }
}

impl Drop for TestHome {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = self.service.store().forget_secrets(name);
        }
    }
}

/// How long a stand-in waits for any one answer before it gives up.
pub const STAND_IN_WAIT: Duration = Duration::from_secs(10);

/// Stand-ins for the people and programs at the browser: each acts on a
/// thread of its own (the sign-in waits for them meanwhile). A stand-in that
/// fails cancels the sign-in, so a broken one ends the wait at once instead
/// of leaving it to time out, and [`finish`](Self::finish) joins them all
/// and re-raises the first failure with its own message.
#[derive(Clone, Default)]
pub struct StandIns {
    cancel: oauth::Cancel,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl StandIns {
    pub fn new() -> Self {
        Self::default()
    }

    /// The sign-in's cancel: a failing stand-in pulls it.
    pub fn cancel(&self) -> oauth::Cancel {
        self.cancel.clone()
    }

    /// Runs `act` on a thread of its own.
    pub fn spawn(&self, act: impl FnOnce() + Send + 'static) {
        let cancel = self.cancel.clone();
        let thread = std::thread::spawn(move || {
            if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(act)) {
                cancel.cancel();
                std::panic::resume_unwind(panic);
            }
        });
        self.threads.lock().unwrap().push(thread);
    }

    /// An opener that runs `act` with the sign-in URL on a thread of its own.
    pub fn opener(&self, act: impl Fn(&str) + Send + Sync + 'static) -> oauth::Opener {
        let (stand_ins, act) = (self.clone(), Arc::new(act));
        Arc::new(move |url: &str| {
            let (act, url) = (Arc::clone(&act), url.to_string());
            stand_ins.spawn(move || act(&url));
            Ok(())
        })
    }

    /// Options of a sign-in opened by `open`, cancelled by a failing stand-in.
    pub fn options(&self, open: oauth::Opener) -> oauth::BrowserOptions {
        oauth::BrowserOptions {
            cancel: self.cancel(),
            open,
            ..oauth::BrowserOptions::default()
        }
    }

    /// Joins every stand-in started so far; re-raises the first failure.
    /// Each one's waits are bounded ([`STAND_IN_WAIT`]), so this ends.
    pub fn finish(&self) {
        let threads = std::mem::take(&mut *self.threads.lock().unwrap());
        let mut failure = None;
        for thread in threads {
            if let Err(panic) = thread.join() {
                failure.get_or_insert(panic);
            }
        }
        if let Some(panic) = failure {
            std::panic::resume_unwind(panic);
        }
    }
}

/// A browser sign-in of `credential` in which the person answers `decision`
/// (`allow` or `deny`); a failure of the stand-in is raised first.
pub async fn sign_in_in_browser(
    home: &TestHome,
    credential: &Credential,
    decision: &'static str,
) -> callout_core::Result<LiveToken> {
    let stand_ins = StandIns::new();
    let open = stand_ins.opener(move |url: &str| person_at_the_browser(url, decision));
    let signed_in =
        oauth::authorize_in_browser(&home.service, credential, None, stand_ins.options(open)).await;
    stand_ins.finish();
    signed_in
}

/// Stands in for the person (through [`StandIns::opener`]): loads the
/// sign-in page the URL shows, fills nothing (the sandbox pre-fills its
/// user), presses Allow or Deny, and lets the browser follow the redirect to
/// the loopback listener, whose answer it checks.
pub fn person_at_the_browser(url: &str, decision: &str) {
    let client = reqwest::blocking::Client::builder()
        .timeout(STAND_IN_WAIT)
        .build()
        .unwrap();
    let page = client.get(url).send().unwrap().text().unwrap();
    let mut form = form_fields(&page);
    form.push(("decision".into(), decision.into()));
    let action = url.split('?').next().unwrap().to_string();
    let landing = client
        .post(action)
        .form(&form)
        .send()
        .unwrap_or_else(|error| panic!("the sign-in did not land: {error:?}"));
    assert!(
        landing.url().as_str().starts_with("http://127.0.0.1:"),
        "the sign-in page sent the browser to {}",
        landing.url()
    );
    // The listener's page: "Signed in", or the refusal it passed on.
    let expected = if decision == "allow" { 200 } else { 400 };
    assert_eq!(
        landing.status().as_u16(),
        expected,
        "the loopback listener's answer to the real callback"
    );
}

/// The named inputs of a sign-in form, values unescaped.
fn form_fields(page: &str) -> Vec<(String, String)> {
    let input =
        regex::Regex::new(r#"<input type="[a-z]+" name="([^"]+)" value="([^"]*)">"#).unwrap();
    input
        .captures_iter(page)
        .map(|captures| {
            let value = captures[2]
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            (captures[1].to_string(), value)
        })
        .collect()
}

/// The name libtest knows the test function `$test` of the calling module
/// by — `module::test`, the module path without this binary's name — for
/// running that test alone again in a child process (`NAME --exact`).
/// Naming the function, not a string, makes a rename or a move a compile
/// error instead of a child that silently runs no test.
macro_rules! test_name {
    ($test:ident) => {{
        let _exists: fn() = $test;
        $crate::common::without_binary_name(concat!(module_path!(), "::", stringify!($test)))
    }};
}
pub(crate) use test_name;

/// `path` without its first segment, the test binary's crate name.
pub fn without_binary_name(path: &'static str) -> &'static str {
    path.split_once("::").map_or(path, |(_, rest)| rest)
}
