//! The keeper: refreshes each credential shortly before its access token
//! expires, uses idle-expiring refresh tokens often enough that they never
//! lapse (keep-alive), and says so in the timeline — including the
//! "nothing to do" decisions worth knowing.
//!
//! Two halves: [`plan`] is a pure function of the credentials, their stored
//! tokens and `now`; [`Keeper`] runs the plan through the same
//! [`TokenService`] (and so the same cross-process refresh lock) as every
//! other refresh, and records each decision. A refresh it decided on is
//! decided again under that lock on what is stored then: when another
//! process (the app, `callout keep`, `callout token`) renewed meanwhile,
//! the keeper takes that token and asks the provider for nothing.

use std::borrow::Borrow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use ts_rs::TS;

use crate::credential::Credential;
use crate::credential_store::{Authorization, Identity};
use crate::oauth::TokenService;
use crate::oauth::refresh::can_mint;
use crate::oauth::status::margin_for;
use crate::timeline::{
    EventDetail, EventKind, KeeperAction, RefreshTrigger, Retention, fingerprint, human_duration,
};
use crate::{Error, ErrorKind, Result};

/// How the keeper behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeeperConfig {
    /// Refresh this long before the access token expires (or a tenth of
    /// its lifetime before, when that is shorter).
    pub margin: Duration,
    /// For a token whose expiry nobody knows (Salesforce) and whose
    /// credential sets no keep-alive interval: refresh this often.
    pub unknown_expiry_keep_alive: Duration,
    /// Warn this long before an unused refresh token reaches its idle
    /// lifetime (at most half that lifetime).
    pub lapse_warning: Duration,
    /// What each run prunes from the timeline.
    pub retention: Retention,
}

impl Default for KeeperConfig {
    fn default() -> Self {
        Self {
            margin: Duration::from_secs(60),
            unknown_expiry_keep_alive: Duration::from_secs(6 * 3_600),
            lapse_warning: Duration::from_secs(3_600),
            retention: Retention::STANDARD,
        }
    }
}

/// A credential and what is stored for it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub credential: Credential,
    pub authorization: Authorization,
}

/// What the keeper decided for one credential, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "KeeperDecision")]
pub struct Decision {
    pub credential: String,
    pub action: KeeperAction,
    /// Why a refresh is due (for [`KeeperAction::Refresh`]).
    pub trigger: Option<RefreshTrigger>,
    /// One sentence for a person.
    pub reason: String,
    /// What running it did, once run.
    pub result: Option<String>,
    /// Seconds until the refresh token dies of idleness, when that is known
    /// and near (for a [`KeeperAction::Warn`]); not part of the reason, so
    /// the timeline hears one warning, not one per tick.
    #[ts(type = "number | null")]
    pub lapses_in_seconds: Option<u64>,
    /// Whether the timeline should hear of it (a "wait, valid for 40 min"
    /// every minute is noise; "no expiry known" is worth knowing).
    pub noteworthy: bool,
}

impl Decision {
    fn new(credential: &Credential, action: KeeperAction, reason: String) -> Decision {
        Decision {
            credential: credential.name.clone(),
            action,
            trigger: None,
            reason,
            result: None,
            lapses_in_seconds: None,
            noteworthy: action != KeeperAction::Wait,
        }
    }

    fn lapsing(credential: &Credential, left: Duration, reason: String) -> Decision {
        Decision {
            lapses_in_seconds: Some(left.as_secs()),
            ..Decision::new(credential, KeeperAction::Warn, reason)
        }
    }

    fn refresh(credential: &Credential, trigger: RefreshTrigger, reason: String) -> Decision {
        Decision {
            trigger: Some(trigger),
            ..Decision::new(credential, KeeperAction::Refresh, reason)
        }
    }

    fn noteworthy(mut self, noteworthy: bool) -> Decision {
        self.noteworthy = noteworthy;
        self
    }

    /// "Sandbox: refresh — keep-alive every 30 s ... → refreshed ...".
    pub fn line(&self) -> String {
        let action = match self.action {
            KeeperAction::Refresh => "refresh",
            KeeperAction::Wait => "wait",
            KeeperAction::Skip => "skip",
            KeeperAction::Warn => "WARNING",
        };
        let lapse = match self.lapses_in_seconds {
            Some(0) => String::new(),
            Some(seconds) => format!(
                " (lapses in {})",
                human_duration(Duration::from_secs(seconds))
            ),
            None => String::new(),
        };
        match &self.result {
            Some(result) => format!(
                "{}: {action} — {}{lapse} → {result}",
                self.credential, self.reason
            ),
            None => format!("{}: {action} — {}{lapse}", self.credential, self.reason),
        }
    }
}

/// What the keeper should do for each candidate at `now`.
pub fn plan(candidates: &[Candidate], config: &KeeperConfig, now: SystemTime) -> Vec<Decision> {
    candidates
        .iter()
        .map(|candidate| decide(candidate, config, now))
        .collect()
}

/// The decision for one credential at `now`.
pub fn decide(candidate: &Candidate, config: &KeeperConfig, now: SystemTime) -> Decision {
    let Candidate {
        credential,
        authorization,
    } = candidate;
    if !credential.protocol.uses_tokens() {
        return Decision::new(
            credential,
            KeeperAction::Skip,
            format!("{}: there is no token to keep", credential.protocol.words()),
        )
        .noteworthy(false);
    }
    if let Some(reason) = &authorization.needs_reauthorization {
        return Decision::new(
            credential,
            KeeperAction::Skip,
            format!(
                "needs re-authorization ({reason}); nothing can be refreshed until someone \
                 authorizes again"
            ),
        );
    }
    let Some(tokens) = &authorization.tokens else {
        return Decision::new(credential, KeeperAction::Skip, "not authorized yet".into())
            .noteworthy(false);
    };
    let renewable = tokens.refresh_token.is_some() || can_mint(credential, authorization);
    let margin = margin_for(tokens, config.margin);
    let expires_in = tokens
        .expires_at
        .map(|expires_at| expires_at.duration_since(now).unwrap_or(Duration::ZERO));
    if !renewable {
        return match expires_in {
            Some(Duration::ZERO) => Decision::new(
                credential,
                KeeperAction::Warn,
                "the access token expired and there is no refresh token to renew it; \
                 authorize again"
                    .into(),
            ),
            _ => Decision::new(
                credential,
                KeeperAction::Wait,
                "no refresh token: nothing to keep alive, the token lives as long as the \
                 provider says"
                    .into(),
            ),
        };
    }
    let idle = now
        .duration_since(tokens.issued_at)
        .unwrap_or(Duration::ZERO);
    // Only a refresh token dies of idleness; a credential that mints new
    // tokens without one (client credentials, JWT bearer) has nothing to lapse.
    let idle_lifetime = credential
        .refresh_idle_seconds
        .filter(|_| tokens.refresh_token.is_some())
        .map(|seconds| Duration::from_secs(u64::from(seconds)));
    if let Some(left) = expires_in
        && left <= margin
        && credential.proactive_refresh
    {
        let when = if left.is_zero() {
            "has expired".to_string()
        } else {
            format!("expires in {}", human_duration(left))
        };
        return Decision::refresh(
            credential,
            RefreshTrigger::Proactive,
            format!(
                "the access token {when}; refreshing ahead of expiry (margin {})",
                human_duration(margin)
            ),
        );
    }
    if let Some(seconds) = credential.keep_alive_seconds {
        let every = Duration::from_secs(u64::from(seconds));
        if idle >= every {
            return Decision::refresh(
                credential,
                RefreshTrigger::KeepAlive,
                format!(
                    "keep-alive every {}: the refresh token was last used {} ago",
                    human_duration(every),
                    human_duration(idle)
                ),
            );
        }
        if let Some(lifetime) = idle_lifetime
            && every >= lifetime
        {
            return Decision::lapsing(
                credential,
                lifetime.saturating_sub(idle),
                format!(
                    "keep-alive every {} is too slow for a refresh token that dies after {} \
                     unused; set the keep-alive interval below {}",
                    human_duration(every),
                    human_duration(lifetime),
                    human_duration(lifetime)
                ),
            );
        }
        return Decision::new(
            credential,
            KeeperAction::Wait,
            format!(
                "keep-alive every {}; next in {}",
                human_duration(every),
                human_duration(every.saturating_sub(idle))
            ),
        );
    }
    // With a known expiry the keeper's next refresh is due at expiry − margin;
    // only when that comes after the idle lifetime does nothing keep the
    // refresh token alive. (With an unknown expiry, the fallback keep-alive
    // below fits inside the idle lifetime.)
    if let (Some(lifetime), Some(access_left)) = (idle_lifetime, expires_in) {
        let left = lifetime.saturating_sub(idle);
        let kept_by_refresh =
            credential.proactive_refresh && access_left.saturating_sub(margin) < left;
        if kept_by_refresh {
            // The proactive refresh comes first and renews the refresh token too.
        } else if left.is_zero() {
            return Decision::lapsing(
                credential,
                left,
                format!(
                    "the refresh token has gone unused for longer than its idle lifetime ({}) \
                     and has probably lapsed; the next refresh will tell — authorize again if \
                     it fails",
                    human_duration(lifetime)
                ),
            );
        } else if left <= config.lapse_warning.min(lifetime / 2) {
            return Decision::lapsing(
                credential,
                left,
                format!(
                    "the refresh token dies after {} unused and nothing keeps it alive; send a \
                     request through this credential or set a keep-alive interval below {}",
                    human_duration(lifetime),
                    human_duration(lifetime)
                ),
            );
        }
    }
    match expires_in {
        Some(left) if !credential.proactive_refresh => Decision::new(
            credential,
            KeeperAction::Wait,
            format!(
                "proactive refresh is off for this credential; the token (valid for {}) is \
                 renewed when a response says it expired",
                human_duration(left)
            ),
        ),
        Some(left) => Decision::new(
            credential,
            KeeperAction::Wait,
            format!(
                "valid for {}; refresh in {}",
                human_duration(left),
                human_duration(left.saturating_sub(margin))
            ),
        ),
        None => {
            let every = match idle_lifetime {
                Some(lifetime) => config.unknown_expiry_keep_alive.min(lifetime / 2),
                None => config.unknown_expiry_keep_alive,
            };
            let reason = format!(
                "no expiry known for this token; keep-alive every {} instead",
                human_duration(every)
            );
            if idle >= every {
                Decision::refresh(credential, RefreshTrigger::KeepAlive, reason)
            } else {
                // Worth knowing once; the timeline drops repeats.
                Decision::new(credential, KeeperAction::Wait, reason).noteworthy(true)
            }
        }
    }
}

/// Runs the plan: refreshes what is due through the token service, records
/// each noteworthy decision in its timeline. Holds the service as an
/// `Arc` (to run on a task of its own) or a plain reference.
#[derive(Debug, Clone)]
pub struct Keeper<S = Arc<TokenService>> {
    service: S,
    config: KeeperConfig,
    user: Option<String>,
}

impl<S: Borrow<TokenService>> Keeper<S> {
    pub fn new(service: S, config: KeeperConfig) -> Keeper<S> {
        Keeper {
            service,
            config,
            user: None,
        }
    }

    fn service(&self) -> &TokenService {
        self.service.borrow()
    }

    /// Keeps the tokens of this user label for per-user credentials
    /// [default: the OS user].
    pub fn for_user(mut self, user: Option<String>) -> Keeper<S> {
        self.user = user;
        self
    }

    pub fn config(&self) -> &KeeperConfig {
        &self.config
    }

    /// Every credential with what is stored for it. A credential whose
    /// keychain entry cannot be read comes back as an error decision.
    pub fn candidates(&self) -> Result<(Vec<Candidate>, Vec<Decision>)> {
        let store = self.service().store();
        let mut candidates = Vec::new();
        let mut failures = Vec::new();
        for credential in store.load()?.iter() {
            let identity = Identity::for_credential(credential, self.user.as_deref());
            match self.service().authorization(&credential.name, &identity) {
                Ok(authorization) => candidates.push(Candidate {
                    credential: credential.clone(),
                    authorization,
                }),
                Err(error) => {
                    let detail = EventDetail::KeychainError {
                        message: error.to_string(),
                    };
                    // Once, not on every run, while the entry stays as it is.
                    let known = self.service().timeline().is_some_and(|timeline| {
                        timeline
                            .last(&credential.name, EventKind::KeychainError)
                            .is_ok_and(|last| last.is_some_and(|last| last.event == detail))
                    });
                    if !known {
                        self.service().record(&credential.name, detail);
                    }
                    failures.push(Decision::new(
                        credential,
                        KeeperAction::Warn,
                        format!("the stored tokens could not be read: {error}"),
                    ));
                }
            }
        }
        Ok((candidates, failures))
    }

    /// One run at `now`: plan, refresh what is due, record, prune.
    pub async fn run_once(&self, now: SystemTime) -> Result<Vec<Decision>> {
        let (candidates, mut decisions) = self.candidates()?;
        for candidate in &candidates {
            let mut decision = decide(candidate, &self.config, now);
            if let Some(trigger) = decision.trigger.clone() {
                self.refresh(&candidate.credential, &trigger, now, &mut decision)
                    .await;
            }
            self.warn_if_unstored(&candidate.credential, &mut decision);
            decisions.push(decision);
        }
        for decision in &decisions {
            self.note(decision);
        }
        if let Some(timeline) = self.service().timeline() {
            let _ = timeline.prune(self.config.retention, now);
        }
        Ok(decisions)
    }

    /// Runs every `interval` until the task is dropped, handing each run's
    /// decisions (or why the run failed) to `report`.
    pub async fn run(&self, interval: Duration, mut report: impl FnMut(Result<Vec<Decision>>)) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            report(self.run_once(SystemTime::now()).await);
        }
    }

    /// Refreshes `credential` if, under its lock, what is stored then still
    /// makes the refresh due at `now`.
    async fn refresh(
        &self,
        credential: &Credential,
        trigger: &RefreshTrigger,
        now: SystemTime,
        decision: &mut Decision,
    ) {
        let config = self.config;
        let due = |authorization: &Authorization| {
            let candidate = Candidate {
                credential: credential.clone(),
                authorization: authorization.clone(),
            };
            decide(&candidate, &config, now).trigger.is_some()
        };
        let result = self
            .service()
            .refresh_if_due(credential, self.user.as_deref(), trigger, &due)
            .await;
        match result {
            Ok(live) => {
                let lifetime = match live.tokens.expires_at {
                    Some(at) => format!(
                        "valid for {}",
                        human_duration(at.duration_since(SystemTime::now()).unwrap_or_default())
                    ),
                    None => "expiry unknown".to_string(),
                };
                let done = if live.refreshed {
                    "refreshed"
                } else {
                    "already refreshed elsewhere"
                };
                decision.result = Some(format!(
                    "{done}: token {} {lifetime}",
                    fingerprint(&live.tokens.access_token)
                ));
            }
            Err(error) if error.kind() == ErrorKind::NeedsReauthorization => {
                decision.result = Some(reauthorization_sentence(&error));
            }
            Err(error) => {
                if *trigger == RefreshTrigger::KeepAlive {
                    decision.action = KeeperAction::Warn;
                    decision.reason = format!(
                        "{}; the keep-alive refresh failed, and the refresh token lapses if it \
                         stays unused",
                        decision.reason
                    );
                }
                decision.result = Some(format!("failed: {error}"));
            }
        }
    }

    /// A credential whose new tokens the keychain would not take is a
    /// warning for a person, for as long as they are only in memory.
    fn warn_if_unstored(&self, credential: &Credential, decision: &mut Decision) {
        let identity = Identity::for_credential(credential, self.user.as_deref());
        if let Some(problem) = self.service().unstored(&credential.name, &identity) {
            decision.action = KeeperAction::Warn;
            decision.noteworthy = true;
            decision.reason = format!(
                "the new tokens could not be stored in the keychain ({problem}); they are kept \
                 in memory, used from there and stored as soon as the keychain takes them — \
                 quitting before then loses them"
            );
        }
    }

    /// Records a noteworthy decision, unless it repeats the credential's last.
    fn note(&self, decision: &Decision) {
        let Some(timeline) = self.service().timeline() else {
            return;
        };
        if !decision.noteworthy {
            return;
        }
        let detail = EventDetail::KeeperDecision {
            action: decision.action,
            reason: decision.reason.clone(),
            result: decision.result.clone(),
        };
        if decision.action != KeeperAction::Refresh
            && let Ok(Some(last)) = timeline.last(&decision.credential, EventKind::KeeperDecision)
            && last.event == detail
        {
            return;
        }
        self.service().record(&decision.credential, detail);
    }
}

fn reauthorization_sentence(error: &Error) -> String {
    match error {
        Error::NeedsReauthorization { reason, .. } => {
            format!("needs re-authorization: {reason}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::oauth::TokenSet;
    use std::time::UNIX_EPOCH;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_000_000 + seconds)
    }

    fn candidate(
        keep_alive: Option<u32>,
        issued: u64,
        expires: Option<u64>,
        refresh: bool,
    ) -> Candidate {
        let mut credential = Credential::new("Sandbox", "https://example.invalid");
        credential.keep_alive_seconds = keep_alive;
        let tokens = TokenSet {
            refresh_token: refresh.then(|| Secret::new("rt")),
            ..TokenSet::for_test(at(issued), expires.map(at))
        };
        Candidate {
            credential,
            authorization: Authorization {
                tokens: Some(tokens),
                ..Authorization::default()
            },
        }
    }

    fn decide_at(candidate: &Candidate, now: u64) -> Decision {
        decide(candidate, &KeeperConfig::default(), at(now))
    }

    #[test]
    fn refreshes_within_the_margin_before_expiry() {
        let hour = candidate(None, 0, Some(3_600), true);
        let early = decide_at(&hour, 600);
        assert_eq!(early.action, KeeperAction::Wait);
        assert_eq!(early.reason, "valid for 50 min; refresh in 49 min");
        assert!(!early.noteworthy);
        let due = decide_at(&hour, 3_550);
        assert_eq!(due.action, KeeperAction::Refresh);
        assert_eq!(due.trigger, Some(RefreshTrigger::Proactive));
        assert_eq!(
            due.reason,
            "the access token expires in 50 s; refreshing ahead of expiry (margin 1 min)"
        );
        let late = decide_at(&hour, 4_000);
        assert_eq!(
            late.reason,
            "the access token has expired; refreshing ahead of expiry (margin 1 min)"
        );
    }

    #[test]
    fn the_margin_is_capped_by_the_tokens_lifetime() {
        // A 20 s token (the embedded sandbox's) under the 60 s margin is
        // renewed in its last 2 s, not on every run.
        let short = candidate(None, 0, Some(20), true);
        let early = decide_at(&short, 5);
        assert_eq!(early.action, KeeperAction::Wait);
        assert_eq!(early.reason, "valid for 15 s; refresh in 13 s");
        let due = decide_at(&short, 18);
        assert_eq!(due.action, KeeperAction::Refresh);
        assert_eq!(
            due.reason,
            "the access token expires in 2 s; refreshing ahead of expiry (margin 2 s)"
        );
    }

    #[test]
    fn keeps_idle_refresh_tokens_alive_on_schedule() {
        let kept = candidate(Some(600), 0, Some(86_400), true);
        let waiting = decide_at(&kept, 300);
        assert_eq!(waiting.action, KeeperAction::Wait);
        assert_eq!(waiting.reason, "keep-alive every 10 min; next in 5 min");
        let due = decide_at(&kept, 600);
        assert_eq!(due.action, KeeperAction::Refresh);
        assert_eq!(due.trigger, Some(RefreshTrigger::KeepAlive));
        assert_eq!(
            due.reason,
            "keep-alive every 10 min: the refresh token was last used 10 min ago"
        );
        assert!(due.noteworthy);
    }

    #[test]
    fn unknown_expiry_falls_back_to_a_six_hour_keep_alive_and_says_so() {
        let salesforce = candidate(None, 0, None, true);
        let waiting = decide_at(&salesforce, 3_600);
        assert_eq!(waiting.action, KeeperAction::Wait);
        assert_eq!(
            waiting.reason,
            "no expiry known for this token; keep-alive every 6 h instead"
        );
        assert!(waiting.noteworthy);
        let due = decide_at(&salesforce, 6 * 3_600);
        assert_eq!(due.action, KeeperAction::Refresh);
        assert_eq!(due.trigger, Some(RefreshTrigger::KeepAlive));
    }

    #[test]
    fn says_why_it_cannot_help() {
        let mut dead = candidate(Some(60), 0, Some(60), true);
        dead.authorization.needs_reauthorization = Some("refresh token expired".into());
        let decision = decide_at(&dead, 120);
        assert_eq!(decision.action, KeeperAction::Skip);
        assert!(
            decision
                .reason
                .starts_with("needs re-authorization (refresh token expired)"),
            "{}",
            decision.reason
        );

        let no_refresh = candidate(None, 0, Some(60), false);
        let expired = decide_at(&no_refresh, 120);
        assert_eq!(expired.action, KeeperAction::Warn);
        assert_eq!(decide_at(&no_refresh, 10).action, KeeperAction::Wait);

        let mut never = candidate(None, 0, None, true);
        never.authorization.tokens = None;
        let decision = decide_at(&never, 0);
        assert_eq!(
            (
                decision.action,
                decision.reason.as_str(),
                decision.noteworthy
            ),
            (KeeperAction::Skip, "not authorized yet", false)
        );
    }

    fn with_idle_lifetime(mut candidate: Candidate, seconds: u32) -> Candidate {
        candidate.credential.refresh_idle_seconds = Some(seconds);
        candidate
    }

    #[test]
    fn warns_once_the_unused_refresh_token_nears_its_idle_lifetime() {
        // WSO2: refresh tokens die after 24 h unused; the access token lives 2 days here so
        // nothing else would refresh it.
        let wso2 = with_idle_lifetime(candidate(None, 0, Some(2 * 86_400), true), 86_400);
        let early = decide_at(&wso2, 3_600);
        assert_eq!(early.action, KeeperAction::Wait);
        assert_eq!(early.lapses_in_seconds, None);

        let near = decide_at(&wso2, 86_400 - 1_800);
        assert_eq!(near.action, KeeperAction::Warn);
        assert_eq!(near.lapses_in_seconds, Some(1_800));
        assert_eq!(
            near.reason,
            "the refresh token dies after 24 h unused and nothing keeps it alive; send a request \
             through this credential or set a keep-alive interval below 24 h"
        );
        assert!(
            near.line().ends_with("(lapses in 30 min)"),
            "{}",
            near.line()
        );
        // The reason does not tick, so the timeline records one warning, not one per run.
        assert_eq!(decide_at(&wso2, 86_400 - 60).reason, near.reason);

        let gone = decide_at(&wso2, 86_400 + 1);
        assert_eq!(gone.action, KeeperAction::Warn);
        assert_eq!(gone.lapses_in_seconds, Some(0));
        assert!(
            gone.reason.contains("has probably lapsed"),
            "{}",
            gone.reason
        );
    }

    #[test]
    fn the_warning_window_is_at_most_half_the_idle_lifetime() {
        let short = with_idle_lifetime(candidate(None, 0, Some(86_400), true), 600);
        assert_eq!(decide_at(&short, 299).action, KeeperAction::Wait);
        assert_eq!(decide_at(&short, 300).action, KeeperAction::Warn);
    }

    #[test]
    fn a_keep_alive_slower_than_the_idle_lifetime_is_called_out() {
        let slow = with_idle_lifetime(candidate(Some(7_200), 0, Some(86_400), true), 3_600);
        let decision = decide_at(&slow, 60);
        assert_eq!(decision.action, KeeperAction::Warn);
        assert_eq!(
            decision.reason,
            "keep-alive every 2 h is too slow for a refresh token that dies after 1 h unused; \
             set the keep-alive interval below 1 h"
        );
        let fine = with_idle_lifetime(candidate(Some(600), 0, Some(86_400), true), 3_600);
        assert_eq!(decide_at(&fine, 60).action, KeeperAction::Wait);
    }

    #[test]
    fn no_warning_when_the_proactive_refresh_comes_before_the_lapse() {
        let hourly = with_idle_lifetime(candidate(None, 0, Some(3_600), true), 5_400);
        let decision = decide_at(&hourly, 3_000);
        assert_eq!(decision.action, KeeperAction::Wait);
        assert_eq!(decision.reason, "valid for 10 min; refresh in 9 min");
    }

    #[test]
    fn with_proactive_refresh_off_the_token_is_left_to_expire() {
        let mut watched = candidate(None, 0, Some(20), true);
        watched.credential.proactive_refresh = false;
        let decision = decide_at(&watched, 5);
        assert_eq!(decision.action, KeeperAction::Wait);
        assert_eq!(
            decision.reason,
            "proactive refresh is off for this credential; the token (valid for 15 s) is \
             renewed when a response says it expired"
        );
        assert_eq!(decide_at(&watched, 30).action, KeeperAction::Wait);
        // A keep-alive still runs: it is asked for explicitly.
        watched.credential.keep_alive_seconds = Some(10);
        assert_eq!(decide_at(&watched, 10).action, KeeperAction::Refresh);
        // And nothing renews the refresh token ahead of its idle lifetime.
        watched.credential.keep_alive_seconds = None;
        watched.credential.refresh_idle_seconds = Some(60);
        assert_eq!(decide_at(&watched, 40).action, KeeperAction::Warn);
    }

    #[test]
    fn an_idle_lifetime_means_nothing_without_a_refresh_token() {
        let minted = with_idle_lifetime(candidate(None, 0, Some(86_400), false), 600);
        assert_eq!(decide_at(&minted, 3_000).action, KeeperAction::Wait);
    }

    #[test]
    fn unknown_expiry_keep_alive_fits_inside_a_known_idle_lifetime() {
        let salesforce = with_idle_lifetime(candidate(None, 0, None, true), 3_600);
        let due = decide_at(&salesforce, 1_800);
        assert_eq!(due.action, KeeperAction::Refresh);
        assert_eq!(
            due.reason,
            "no expiry known for this token; keep-alive every 30 min instead"
        );
    }

    #[test]
    fn a_plan_has_one_decision_per_credential_in_order() {
        let decisions = plan(
            &[
                candidate(None, 0, Some(3_600), true),
                candidate(Some(60), 0, Some(3_600), true),
            ],
            &KeeperConfig::default(),
            at(120),
        );
        assert_eq!(
            decisions.iter().map(|d| d.action).collect::<Vec<_>>(),
            [KeeperAction::Wait, KeeperAction::Refresh]
        );
        assert_eq!(
            decisions[1].line(),
            "Sandbox: refresh — keep-alive every 1 min: the refresh token was last used 2 min ago"
        );
    }
}
