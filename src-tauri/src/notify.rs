//! Desktop notifications: what the keeper found that needs a person
//! (a failed refresh, a credential that needs re-authorization, a warning),
//! once per change rather than every run; a click on one opens the window
//! on its credential (`navigate`), where the notification server reports
//! clicks (tauri-plugin-notification reports them as the `tap` action on
//! Linux as well).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::views::View;
use callout_core::keeper::Decision;
use callout_core::timeline::KeeperAction;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::commands::session;
use crate::events;

/// Which credential each shown notification is about, and what was last
/// said about each credential.
#[derive(Default)]
pub struct Notices {
    next_id: AtomicI32,
    about: Mutex<HashMap<i32, String>>,
    last_said: Mutex<HashMap<String, String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers the notices and the click handler.
pub fn install<R: Runtime>(app: &AppHandle<R>) {
    app.manage(Notices::default());
    let clicked = app.clone();
    let registered = app.notification().on_action(move |action| {
        if action.action_id() != "tap" {
            return;
        }
        let Some(id) = action.notification().map(|notification| notification.id()) else {
            return;
        };
        let name = lock(&clicked.state::<Notices>().about).get(&id).cloned();
        session::navigate_to(&clicked, View::Credentials, name.as_deref());
        events::navigate(&clicked, View::Credentials, name.as_deref());
    });
    if let Err(error) = registered {
        eprintln!("callout-lab: notification clicks will not be reported: {error}");
    }
}

/// Shows a notification; a click on it opens the window on `credential`.
pub fn tell<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str, credential: Option<&str>) {
    let Some(notices) = app.try_state::<Notices>() else {
        return;
    };
    let id = notices.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    if let Some(name) = credential {
        lock(&notices.about).insert(id, name.to_string());
    }
    let shown = app
        .notification()
        .builder()
        .id(id)
        .title(title)
        .body(body)
        .show();
    if let Err(error) = shown {
        eprintln!("callout-lab: could not show a notification: {error}");
    }
}

/// What a keeper decision needs a person to hear, if anything.
pub fn alert(decision: &Decision) -> Option<(String, String)> {
    let name = &decision.credential;
    let result = decision.result.as_deref().unwrap_or_default();
    if result.starts_with("failed") {
        return Some((format!("{name}: refresh failed"), result.to_string()));
    }
    if result.starts_with("needs re-authorization")
        || decision.reason.starts_with("needs re-authorization")
    {
        let why = if result.is_empty() {
            &decision.reason
        } else {
            result
        };
        return Some((format!("{name} needs re-authorization"), why.to_string()));
    }
    if decision.action == KeeperAction::Warn {
        return Some((format!("{name}: warning"), decision.reason.clone()));
    }
    None
}

/// Notifies what the keeper's decisions need a person to hear, when it
/// differs from what was last said about that credential.
pub fn after_keeper<R: Runtime>(app: &AppHandle<R>, decisions: &[Decision]) {
    let Some(notices) = app.try_state::<Notices>() else {
        return;
    };
    for decision in decisions {
        let name = &decision.credential;
        match alert(decision) {
            Some((title, body)) => {
                let said = format!("{title}\n{body}");
                let changed =
                    lock(&notices.last_said).insert(name.clone(), said.clone()) != Some(said);
                if changed {
                    tell(app, &title, &body, Some(name));
                }
            }
            None => {
                lock(&notices.last_said).remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(action: KeeperAction, reason: &str, result: Option<&str>) -> Decision {
        Decision {
            credential: "Sandbox".into(),
            action,
            trigger: None,
            reason: reason.into(),
            result: result.map(str::to_string),
            lapses_in_seconds: None,
            noteworthy: true,
        }
    }

    #[test]
    fn only_what_needs_a_person_is_an_alert() {
        let failed = decision(
            KeeperAction::Refresh,
            "expires in 5 s",
            Some("failed: HTTP 500"),
        );
        assert_eq!(
            alert(&failed),
            Some(("Sandbox: refresh failed".into(), "failed: HTTP 500".into()))
        );
        let dead = decision(
            KeeperAction::Skip,
            "needs re-authorization (invalid_grant); nothing can be refreshed",
            None,
        );
        assert_eq!(alert(&dead).unwrap().0, "Sandbox needs re-authorization");
        let warn = decision(
            KeeperAction::Warn,
            "the refresh token lapses in 2 min",
            None,
        );
        assert_eq!(alert(&warn).unwrap().0, "Sandbox: warning");
        let fine = decision(
            KeeperAction::Refresh,
            "expires in 5 s",
            Some("refreshed: token ab12"),
        );
        assert_eq!(alert(&fine), None);
        assert_eq!(
            alert(&decision(KeeperAction::Wait, "valid for 4 min", None)),
            None
        );
    }
}
