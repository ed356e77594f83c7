//! The expiry rules: the user's own (the home's `rules/` folder, tried
//! first) and the built-in catalog, listed; a rule file checked as it is
//! written, added and removed; a rule proposed from a kept send the
//! detector judged wrong, and saved. Every change puts the user's rules in
//! force for the next send ([`AppState::reload_rules`]).

use callout_core::actions::rules::{self as teaching, Teaching};
use callout_core::detect::catalog::{self, Means, Sample};
use callout_core::history::History;
use callout_core::rules::RuleStore;
use tauri::State;

use super::{Reply, report};
use crate::state::AppState;
use crate::views::{
    ProposalView, ResponseCheck, ResponseToCheck, RuleFileAdded, RuleFileCheck, RuleView,
    SampleCheckView,
};

/// Every rule: the user's first (tried first), then the built-in catalog's.
// Off the main thread: it reads the disk.
#[tauri::command(async)]
pub fn list_rules(state: State<'_, AppState>) -> Reply<Vec<RuleView>> {
    let mine = RuleStore::new(&state.home).load().map_err(report)?;
    Ok(mine
        .rules
        .iter()
        .chain(&catalog::built_in().rules)
        .map(RuleView::from)
        .collect())
}

/// Checks the rule file `text` as it is being written: core's message when
/// it does not read, its examples and counter-examples, and — given a
/// `response` (from a URL that may be a `callout:NAME/...` URL) — the rule
/// of the file that matches it and the verdict it gets.
// Off the main thread: it reads the credentials.
#[tauri::command(async)]
pub fn check_rule_file(
    state: State<'_, AppState>,
    text: String,
    response: Option<ResponseToCheck>,
) -> RuleFileCheck {
    let rules = match catalog::parse_file(&text, "the file") {
        Ok(rules) => rules,
        Err(error) => {
            return RuleFileCheck {
                error: Some(error),
                rules: Vec::new(),
                samples: Vec::new(),
                response: None,
            };
        }
    };
    let samples = catalog::check_samples(&rules)
        .into_iter()
        .map(SampleCheckView::from)
        .collect();
    let response = response.map(|response| {
        let sample = Sample {
            status: response.status,
            headers: response.headers,
            body: response.body,
            why: None,
        };
        let checked = teaching::check_response(
            state.service.store(),
            &rules,
            &sample,
            response.url.as_deref(),
        );
        ResponseCheck {
            rule: checked.rule.as_ref().map(|(id, _)| id.clone()),
            means: checked.rule.map(|(_, means)| means.into()),
            verdict: checked.verdict,
            note: checked.note,
        }
    });
    RuleFileCheck {
        error: None,
        rules: rules.iter().map(RuleView::from).collect(),
        samples,
        response,
    }
}

/// Adds the rule file `text` to the user's rules as `name` (a file name):
/// refused when it does not read, an example fails, or an id is taken.
// Off the main thread: it writes the disk.
#[tauri::command(async)]
pub fn add_rule_file(
    state: State<'_, AppState>,
    text: String,
    name: String,
) -> Reply<RuleFileAdded> {
    let added = RuleStore::new(&state.home)
        .add(&text, &name)
        .map_err(report)?;
    state.reload_rules().map_err(report)?;
    Ok(added.into())
}

/// Removes the user's rule file `name`.
// Off the main thread: it writes the disk.
#[tauri::command(async)]
pub fn remove_rule_file(state: State<'_, AppState>, name: String) -> Reply<()> {
    RuleStore::new(&state.home).remove(&name).map_err(report)?;
    state.reload_rules().map_err(report)
}

/// The rule the kept send `send` needed: its first response means the
/// token `expired`, or is no expiry (`fix`: what will fix it); the
/// narrowest rule that tells it from the same host's fine answers.
// Off the main thread: it reads the history.
#[tauri::command(async)]
pub fn propose_rule(
    state: State<'_, AppState>,
    send: u32,
    expired: bool,
    fix: Option<String>,
    service: Option<String>,
) -> Reply<ProposalView> {
    let history = History::open(&state.home).map_err(report)?;
    let teaching = Teaching {
        send: send.into(),
        means: if expired {
            Means::Expired
        } else {
            Means::NotExpiry
        },
        fix,
        rule_id: None,
        service,
    };
    let proposal = teaching::propose(&history, &teaching).map_err(report)?;
    Ok(ProposalView::from(&proposal))
}

/// Saves a proposed rule file `text` (as proposed, or edited) among the
/// user's rules as `name`, with the checks every added file passes.
// Off the main thread: it writes the disk.
#[tauri::command(async)]
pub fn save_proposed_rule(
    state: State<'_, AppState>,
    text: String,
    name: String,
) -> Reply<RuleFileAdded> {
    add_rule_file(state, text, name)
}
