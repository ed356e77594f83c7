//! A run's reports: a JSON line per request and one for the run
//! (`callout run --json`), the table a terminal prints at the end, JUnit
//! XML for CI ([`junit`]) and a page to open in a browser ([`html`]).
//!
//! Guarantees:
//! - Pure: each function reads a [`RunSummary`] (or one [`StepResult`])
//!   and returns text. Nothing is written, and nothing is read from the
//!   clock, the machine or the network.
//! - No secret: a report shows what results hold (names, statuses,
//!   assertion messages, verdict sentences, error messages), and results
//!   hold no token and no extracted value.
//! - Every text from a user or a server is made safe for where it goes:
//!   control characters never reach the terminal table, the JUnit XML is
//!   well-formed XML 1.0 whatever the names hold (markup escaped, the
//!   characters XML forbids removed) and valid against
//!   `crates/core/tests/fixtures/junit.xsd`, and the HTML page escapes every text and
//!   loads nothing from anywhere.
//! - Times are UTC. Timestamps are `YYYY-MM-DDTHH:MM:SS` without a zone,
//!   the form the JUnit schema takes.

use serde_json::{Value, json};

use super::{CredentialRun, RunState, RunSummary, StepResult};
use crate::detect::Verdict;

mod html;
mod junit;
pub use html::html;
pub use junit::junit;

/// One compact JSON object for one request's run (one line of
/// `callout run --json`), with camelCase keys.
pub fn json_line(result: &StepResult) -> String {
    let assertions: Vec<Value> = result
        .assertions
        .iter()
        .map(|checked| {
            json!({
                "description": checked.assertion.describe(),
                "passed": checked.passed,
                "actual": checked.actual,
                "message": checked.message,
            })
        })
        .collect();
    let verdicts: Vec<Value> = result
        .verdicts
        .iter()
        .map(|verdict| {
            json!({
                "expired": verdict.expired,
                "rule": verdict.rule,
                "reason": verdict.reason,
                "salesforceWouldRefresh": verdict.salesforce.would_refresh,
            })
        })
        .collect();
    let extracted: Vec<Value> = result
        .extracted
        .iter()
        .map(|extracted| json!({"variable": extracted.variable, "problem": extracted.problem}))
        .collect();
    json!({
        "name": result.step.name,
        "path": result.step.path,
        "iteration": result.step.iteration,
        "state": state_key(result.state),
        "status": result.status,
        "assertions": assertions,
        "extracted": extracted,
        "verdicts": verdicts,
        "attempts": result.attempts,
        "refreshes": result.refreshes,
        "durationMs": result.duration_ms,
        "error": result.error.as_ref().map(|error| error.message.as_str()),
        "errorKind": result.error.as_ref().map(|error| kind_key(error.kind)),
        "credential": result.credential,
    })
    .to_string()
}

/// The JSON line that ends `callout run --json`: the totals, the exit
/// status, each credential's expiries and refreshes, and the duration.
pub fn json_summary(summary: &RunSummary) -> String {
    let totals = summary.totals();
    let credentials: Vec<Value> = summary
        .credentials
        .iter()
        .map(|credential| {
            json!({
                "credential": credential.credential,
                "requests": credential.requests,
                "expiries": credential.expiries,
                "refreshes": credential.refreshes,
                "refreshFailures": credential.refresh_failures,
            })
        })
        .collect();
    json!({
        "collection": summary.collection,
        "target": summary.target,
        "environment": summary.environment,
        "startedAt": timestamp(summary.started_at_ms),
        "durationMs": summary.duration_ms,
        "totals": {
            "requests": summary.results.len(),
            "passed": totals.passed,
            "failed": totals.failed,
            "errored": totals.errored,
            "needsReauthorization": totals.needs_reauthorization,
            "skipped": totals.skipped,
            "assertions": totals.assertions,
            "assertionsFailed": totals.assertions_failed,
        },
        "exitStatus": summary.exit_status(),
        "stopped": summary.stopped,
        "credentials": credentials,
    })
    .to_string()
}

/// The plain-text table a terminal prints after a run: a row per request
/// (its iterations together), the failures with why, a line per
/// credential and the totals. No colors; columns as wide as their widest
/// text, counted in characters.
pub fn summary_table(summary: &RunSummary) -> String {
    let rows = request_rows(summary);
    let any_skipped = rows.iter().any(|row| row.skipped > 0);
    let mut header = vec!["Request", "Runs", "Passed", "Failed"];
    if any_skipped {
        header.push("Not run");
    }
    header.push("Avg ms");
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|title| title.to_string()).collect()];
    for row in &rows {
        let mut cells = vec![
            terminal_text(&row.name),
            row.runs.to_string(),
            row.passed.to_string(),
            row.failed.to_string(),
        ];
        if any_skipped {
            cells.push(row.skipped.to_string());
        }
        cells.push(match row.total_ms.checked_div(u64::from(row.runs)) {
            Some(average) => average.to_string(),
            None => "–".to_string(),
        });
        table.push(cells);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|column| {
            table
                .iter()
                .map(|cells| cells[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (line, cells) in table.iter().enumerate() {
        let mut text = String::new();
        for (column, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[column] - cell.chars().count());
            if column == 0 {
                text.push_str(cell);
                text.push_str(&pad);
            } else {
                text.push_str("  ");
                text.push_str(&pad);
                text.push_str(cell);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
        if line == 0 {
            let width = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"─".repeat(width));
            out.push('\n');
        }
    }

    let failures: Vec<&StepResult> = summary
        .results
        .iter()
        .filter(|result| !matches!(result.state, RunState::Passed | RunState::Skipped))
        .collect();
    let not_run = summary
        .results
        .iter()
        .filter(|result| result.state == RunState::Skipped)
        .count();
    if !failures.is_empty() || not_run > 0 {
        out.push_str("\nFailures\n");
        for result in failures {
            out.push_str(&format!(
                "  {} [{}] {}: {}\n",
                terminal_text(&result.step.name),
                result.step.iteration,
                state_words(result.state),
                terminal_text(&result.why().unwrap_or_default()),
            ));
        }
        if not_run > 0 {
            let why = if summary.stopped {
                "the run was stopped first"
            } else {
                "skipped"
            };
            out.push_str(&format!(
                "  {} not run: {why}\n",
                plural(not_run, "request")
            ));
        }
    }

    if !summary.credentials.is_empty() {
        out.push('\n');
        for credential in &summary.credentials {
            out.push_str(&credential_line(credential));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&totals_line(summary));
    out.push('\n');
    out
}

/// A request's runs over every iteration, for the table.
struct RequestRow {
    name: String,
    runs: u32,
    passed: u32,
    failed: u32,
    skipped: u32,
    total_ms: u64,
}

/// One row per request (by file path), in the order they first ran.
fn request_rows(summary: &RunSummary) -> Vec<RequestRow> {
    let mut rows: Vec<(String, RequestRow)> = Vec::new();
    for result in &summary.results {
        let index = match rows.iter().position(|(path, _)| *path == result.step.path) {
            Some(index) => index,
            None => {
                rows.push((
                    result.step.path.clone(),
                    RequestRow {
                        name: result.step.name.clone(),
                        runs: 0,
                        passed: 0,
                        failed: 0,
                        skipped: 0,
                        total_ms: 0,
                    },
                ));
                rows.len() - 1
            }
        };
        let row = &mut rows[index].1;
        match result.state {
            RunState::Skipped => row.skipped += 1,
            state => {
                row.runs += 1;
                row.total_ms += result.duration_ms;
                if state == RunState::Passed {
                    row.passed += 1;
                } else {
                    row.failed += 1;
                }
            }
        }
    }
    rows.into_iter().map(|(_, row)| row).collect()
}

/// "Sandbox: 3 expiries, 3 refreshes, 0 refused".
fn credential_line(credential: &CredentialRun) -> String {
    format!(
        "{}: {}, {}, {} refused",
        terminal_text(&credential.credential),
        plural_words(credential.expiries as usize, "expiry", "expiries"),
        plural(credential.refreshes as usize, "refresh"),
        credential.refresh_failures,
    )
}

/// "60 requests: 58 passed, 2 failed · 180 assertions, 2 failed · 12.3 s".
fn totals_line(summary: &RunSummary) -> String {
    let totals = summary.totals();
    let mut states = vec![
        format!("{} passed", totals.passed),
        format!("{} failed", totals.failed),
    ];
    if totals.errored > 0 {
        states.push(format!("{} errored", totals.errored));
    }
    if totals.needs_reauthorization > 0 {
        states.push(format!(
            "{} needs re-authorization",
            totals.needs_reauthorization
        ));
    }
    if totals.skipped > 0 {
        states.push(format!("{} not run", totals.skipped));
    }
    let mut line = format!(
        "{}: {} · {}, {} failed · {}",
        plural(summary.results.len(), "request"),
        states.join(", "),
        plural(totals.assertions as usize, "assertion"),
        totals.assertions_failed,
        duration_text(summary.duration_ms),
    );
    if summary.stopped {
        line.push_str(" · stopped");
    }
    line
}

/// The key serde gives a state (`needsReauthorization`).
fn state_key(state: RunState) -> &'static str {
    match state {
        RunState::Passed => "passed",
        RunState::Failed => "failed",
        RunState::Errored => "errored",
        RunState::NeedsReauthorization => "needsReauthorization",
        RunState::Skipped => "skipped",
    }
}

/// A state as a person reads it.
fn state_words(state: RunState) -> &'static str {
    match state {
        RunState::Passed => "passed",
        RunState::Failed => "failed",
        RunState::Errored => "could not be sent",
        RunState::NeedsReauthorization => "needs re-authorization",
        RunState::Skipped => "not run",
    }
}

/// The key serde gives an error kind (`needsReauthorization`), as the UI
/// and `--json` know it.
fn kind_key(kind: crate::ErrorKind) -> String {
    match serde_json::to_value(kind) {
        Ok(Value::String(key)) => key,
        _ => format!("{kind:?}"),
    }
}

/// `text` on one line with no control character (a name holding an escape
/// sequence must not drive the terminal).
fn terminal_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

fn plural(count: usize, word: &str) -> String {
    let many = match word {
        "refresh" => "refreshes".to_string(),
        _ => format!("{word}s"),
    };
    plural_words(count, word, &many)
}

fn plural_words(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// "850 ms", "12.3 s", "2 min 5 s".
fn duration_text(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// Milliseconds as seconds with three decimals: `1.234`.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// `2026-12-05T10:00:00` (UTC, no zone) for milliseconds since 1970.
fn timestamp(ms: u64) -> String {
    let seconds = ms / 1000;
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        of_day / 3600,
        (of_day % 3600) / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`: eras of 400 years, years starting in March so the
/// leap day is the last of its year).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The request's own name and the folders it is in: "Accounts/Archive" and
/// "Old query" for the file `Accounts/Archive/old.toml` named "Old query"
/// (a request's name may hold a `/`, so the folders come from the path).
fn folders_and_name(result: &StepResult) -> (Option<&str>, &str) {
    match result.step.path.rsplit_once('/') {
        Some((folders, _)) => {
            let own = result
                .step
                .name
                .strip_prefix(folders)
                .and_then(|rest| rest.strip_prefix('/'))
                .unwrap_or(&result.step.name);
            (Some(folders), own)
        }
        None => (None, &result.step.name),
    }
}

/// What happened to the request's token, in one line, when anything did:
/// "the token expired (rule soap.invalid_session) → refreshed → retry 200".
fn token_story(result: &StepResult) -> Option<String> {
    let first = result.verdicts.first().filter(|verdict| verdict.expired);
    let reauthorize = result.state == RunState::NeedsReauthorization;
    if first.is_none() && result.refreshes == 0 && !reauthorize {
        return None;
    }
    let mut steps = vec![match first {
        Some(verdict) => match &verdict.rule {
            Some(rule) => format!("the token expired (rule {rule})"),
            None => "the token expired".to_string(),
        },
        None if result.refreshes > 0 => "the token was due".to_string(),
        None => "no usable token".to_string(),
    }];
    if result.refreshes > 0 {
        steps.push(if result.refreshes == 1 {
            "refreshed".to_string()
        } else {
            format!("refreshed {} times", result.refreshes)
        });
    }
    if reauthorize {
        steps.push("the refresh was refused: authorize again".to_string());
    } else if result.state == RunState::Errored {
        let message = result
            .error
            .as_ref()
            .map_or("it could not be sent", |error| error.message.as_str());
        steps.push(format!("failed: {message}"));
    } else if result.attempts > 1 {
        let status = result
            .status
            .map_or_else(|| "without a response".to_string(), |code| code.to_string());
        let again = match result.verdicts.get(1) {
            Some(verdict) if verdict.expired => ", still expired",
            _ => "",
        };
        steps.push(format!("retry {status}{again}"));
    } else if first.is_some() && result.refreshes == 0 {
        steps.push("not refreshed".to_string());
    } else if let Some(status) = result.status {
        steps.push(format!("sent {status}"));
    }
    Some(steps.join(" → "))
}

/// "response 1: the token expired (rule soap.invalid_session): <reason>".
fn verdict_line(number: usize, verdict: &Verdict) -> String {
    let rule = verdict
        .rule
        .as_ref()
        .map(|rule| format!(" (rule {rule})"))
        .unwrap_or_default();
    let said = if verdict.expired {
        "the token expired"
    } else {
        "not expired"
    };
    format!("response {number}: {said}{rule}: {}", verdict.reason)
}

/// "Salesforce would refresh: <reason>".
fn salesforce_line(verdict: &Verdict) -> String {
    let would = if verdict.salesforce.would_refresh {
        "would refresh"
    } else {
        "would not refresh"
    };
    format!(
        "a Salesforce Named Credential {would}: {}",
        verdict.salesforce.reason
    )
}

#[cfg(test)]
pub(crate) fn sample_summary() -> RunSummary {
    samples::summary()
}

#[cfg(test)]
mod samples {
    use crate::assertion::{Assertion, AssertionResult, Check, Subject};
    use crate::detect::{SalesforceVerdict, Verdict};
    use crate::run::{CredentialRun, Extracted, RunState, RunSummary, Step, StepResult};
    use crate::{ErrorKind, ErrorReport};

    /// The name with every character XML and HTML treat specially, and a
    /// control character (BEL) XML 1.0 forbids.
    pub(super) const ODD_NAME: &str = "Reports/\"Q4\" <b>&</b> 'draft'\u{7}";
    /// A server's answer that tries to run a script in the HTML page.
    pub(super) const SCRIPT_ACTUAL: &str = "{\"message\":\"<script>alert(1)</script>\"}";

    fn step(index: usize, iteration: u32, path: &str, name: &str) -> Step {
        Step {
            index,
            iteration,
            path: path.to_string(),
            name: name.to_string(),
        }
    }

    fn checked(subject: Subject, path: &str, check: Check, value: &str) -> Assertion {
        Assertion {
            subject,
            path: path.to_string(),
            check,
            value: value.to_string(),
        }
    }

    fn passed(assertion: Assertion, actual: &str) -> AssertionResult {
        AssertionResult {
            message: format!("{} held", assertion.describe()),
            assertion,
            passed: true,
            actual: Some(actual.to_string()),
        }
    }

    fn failed(assertion: Assertion, actual: Option<&str>, message: &str) -> AssertionResult {
        AssertionResult {
            assertion,
            passed: false,
            actual: actual.map(str::to_string),
            message: message.to_string(),
        }
    }

    /// The verdict on a response that says nothing of expiry.
    fn not_expired(status: u16) -> Verdict {
        Verdict {
            expired: false,
            rule: None,
            reason: if (200..300).contains(&status) {
                format!("HTTP {status} is a success: the token was accepted")
            } else {
                format!(
                    "HTTP {status} is not an authentication failure and carries no expiry signal"
                )
            },
            salesforce: SalesforceVerdict {
                would_refresh: false,
                reason: format!(
                    "A Named Credential refreshes only on 401; HTTP {status} needs no refresh."
                ),
            },
        }
    }

    fn status_is(code: &str) -> Assertion {
        checked(Subject::Status, "", Check::Equals, code)
    }

    fn ran(step: Step, state: RunState, status: u16, duration_ms: u64) -> StepResult {
        StepResult {
            state,
            status: Some(status),
            verdicts: vec![not_expired(status)],
            attempts: 1,
            duration_ms,
            credential: Some("Sandbox".to_string()),
            ..StepResult::skipped(step)
        }
    }

    fn health(index: usize, iteration: u32, duration_ms: u64) -> StepResult {
        StepResult {
            assertions: vec![passed(status_is("200"), "200")],
            ..ran(
                step(index, iteration, "health.toml", "Health check"),
                RunState::Passed,
                200,
                duration_ms,
            )
        }
    }

    pub(super) fn summary() -> RunSummary {
        let query = |index, iteration| {
            step(
                index,
                iteration,
                "Accounts/query.toml",
                "Accounts/Query accounts",
            )
        };
        let create = |index, iteration| {
            step(
                index,
                iteration,
                "Accounts/create.toml",
                "Accounts/Create account",
            )
        };
        let describe = |index, iteration| {
            step(
                index,
                iteration,
                "Contacts/Köln/describe.toml",
                "Contacts/Köln/Describe contact",
            )
        };
        let soap_expired = Verdict {
            expired: true,
            rule: Some("soap.invalid_session".to_string()),
            reason: "HTTP 500 carries a SOAP 1.1 fault with fault code sf:INVALID_SESSION_ID: \
                     the session (access token) expired or is invalid"
                .to_string(),
            salesforce: SalesforceVerdict {
                would_refresh: false,
                reason: "A Named Credential refreshes only on 401 and never on 5xx, so it would \
                         not have refreshed on this HTTP 500 and the callout would have failed."
                    .to_string(),
            },
        };
        let rest_expired = Verdict {
            expired: true,
            rule: Some("salesforce.rest.invalid_session".to_string()),
            reason: "HTTP 401 with Salesforce errorCode INVALID_SESSION_ID (\"Session expired \
                     or invalid\"): the session (access token) expired or is invalid"
                .to_string(),
            salesforce: SalesforceVerdict {
                would_refresh: true,
                reason: "A Named Credential refreshes on 401, so it would have refreshed and \
                         retried once."
                    .to_string(),
            },
        };
        let results = vec![
            health(0, 1, 118),
            StepResult {
                assertions: vec![
                    passed(status_is("200"), "200"),
                    passed(
                        checked(Subject::Json, "$.totalSize", Check::Equals, "3"),
                        "3",
                    ),
                    passed(
                        checked(Subject::Expiry, "", Check::Equals, "recovered"),
                        "recovered",
                    ),
                ],
                verdicts: vec![rest_expired.clone(), not_expired(200)],
                attempts: 2,
                refreshes: 1,
                extracted: vec![Extracted {
                    variable: "account_id".to_string(),
                    problem: None,
                }],
                ..ran(query(1, 1), RunState::Passed, 200, 842)
            },
            StepResult {
                assertions: vec![
                    failed(
                        status_is("201"),
                        Some("400"),
                        "expected status 201, got 400",
                    ),
                    failed(
                        checked(Subject::Body, "", Check::Contains, "\"success\":true"),
                        Some(SCRIPT_ACTUAL),
                        "the body does not contain \"success\":true",
                    ),
                    passed(checked(Subject::Time, "", Check::LessThan, "800"), "312"),
                ],
                extracted: vec![Extracted {
                    variable: "new_id".to_string(),
                    problem: Some("$.id matched nothing".to_string()),
                }],
                ..ran(create(2, 1), RunState::Failed, 400, 312)
            },
            StepResult {
                error: Some(ErrorReport {
                    kind: ErrorKind::Transport,
                    message: "could not connect to eu42.example.invalid:443: connection refused"
                        .to_string(),
                    location: None,
                    at: None,
                }),
                duration_ms: 31,
                credential: Some("Sandbox".to_string()),
                state: RunState::Errored,
                ..StepResult::skipped(describe(3, 1))
            },
            StepResult {
                assertions: vec![passed(status_is("200"), "200")],
                verdicts: vec![soap_expired, not_expired(200)],
                attempts: 2,
                refreshes: 1,
                credential: Some("Reports API".to_string()),
                ..ran(
                    step(4, 1, "Reports/q4.toml", ODD_NAME),
                    RunState::Passed,
                    200,
                    1_274,
                )
            },
            health(5, 2, 96),
            StepResult {
                state: RunState::NeedsReauthorization,
                status: Some(401),
                verdicts: vec![rest_expired],
                attempts: 1,
                error: Some(ErrorReport {
                    kind: ErrorKind::NeedsReauthorization,
                    message: "the provider refused the refresh (invalid_grant: expired access/\
                              refresh token): authorize \"Sandbox\" again"
                        .to_string(),
                    location: None,
                    at: None,
                }),
                duration_ms: 405,
                credential: Some("Sandbox".to_string()),
                ..StepResult::skipped(query(6, 2))
            },
            StepResult::skipped(create(7, 2)),
            StepResult::skipped(describe(8, 2)),
            StepResult::skipped(step(9, 2, "Reports/q4.toml", ODD_NAME)),
        ];
        RunSummary {
            collection: "Salesforce smoke".to_string(),
            target: String::new(),
            environment: Some("Sandbox".to_string()),
            // 2026-12-05T10:00:00 UTC
            started_at_ms: 1_796_464_800_000,
            duration_ms: 3_141,
            results,
            credentials: vec![
                CredentialRun {
                    credential: "Sandbox".to_string(),
                    expiries: 2,
                    refreshes: 1,
                    refresh_failures: 1,
                    requests: 6,
                },
                CredentialRun {
                    credential: "Reports API".to_string(),
                    expiries: 1,
                    refreshes: 1,
                    refresh_failures: 0,
                    requests: 1,
                },
            ],
            stopped: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{EXIT_NEEDS_REAUTHORIZATION, Totals};

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(10_957), (2000, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
        assert_eq!(timestamp(1_796_464_800_000), "2026-12-05T10:00:00");
        assert_eq!(timestamp(951_827_696_000), "2000-02-29T12:34:56");
        assert_eq!(timestamp(1_709_251_199_999), "2024-02-29T23:59:59");
        assert_eq!(timestamp(946_684_799_000), "1999-12-31T23:59:59");
        assert_eq!(timestamp(4_107_542_400_000), "2100-03-01T00:00:00");
    }

    #[test]
    fn civil_dates_advance_one_day_at_a_time() {
        let mut previous = civil_from_days(-800_000);
        for days in -799_999..800_000 {
            let date = civil_from_days(days);
            let (year, month, day) = previous;
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let length = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let expected = if day < length {
                (year, month, day + 1)
            } else if month < 12 {
                (year, month + 1, 1)
            } else {
                (year + 1, 1, 1)
            };
            assert_eq!(date, expected, "the day after {previous:?}");
            previous = date;
        }
    }

    #[test]
    fn state_keys_are_the_ones_serde_writes() {
        for state in [
            RunState::Passed,
            RunState::Failed,
            RunState::Errored,
            RunState::NeedsReauthorization,
            RunState::Skipped,
        ] {
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                Value::String(state_key(state).to_string())
            );
        }
    }

    #[test]
    fn json_lines_are_one_compact_object_per_request() {
        let summary = sample_summary();
        let lines: Vec<String> = summary.results.iter().map(json_line).collect();
        for line in &lines {
            assert!(!line.contains('\n'), "{line}");
        }
        let query: Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(query["name"], "Accounts/Query accounts");
        assert_eq!(query["path"], "Accounts/query.toml");
        assert_eq!(query["iteration"], 1);
        assert_eq!(query["state"], "passed");
        assert_eq!(query["status"], 200);
        assert_eq!(query["attempts"], 2);
        assert_eq!(query["refreshes"], 1);
        assert_eq!(query["durationMs"], 842);
        assert_eq!(query["credential"], "Sandbox");
        assert_eq!(query["error"], Value::Null);
        assert_eq!(query["verdicts"][0]["expired"], true);
        assert_eq!(
            query["verdicts"][0]["rule"],
            "salesforce.rest.invalid_session"
        );
        assert_eq!(query["verdicts"][0]["salesforceWouldRefresh"], true);
        assert_eq!(query["verdicts"][1]["expired"], false);
        assert_eq!(
            query["assertions"][1]["description"],
            "json $.totalSize equals 3"
        );

        let create: Value = serde_json::from_str(&lines[2]).unwrap();
        assert_eq!(create["state"], "failed");
        assert_eq!(create["assertions"][0]["passed"], false);
        assert_eq!(create["assertions"][0]["actual"], "400");
        assert_eq!(
            create["assertions"][0]["message"],
            "expected status 201, got 400"
        );
        assert_eq!(create["extracted"][0]["problem"], "$.id matched nothing");

        let reauthorize: Value = serde_json::from_str(&lines[6]).unwrap();
        assert_eq!(reauthorize["state"], "needsReauthorization");
        assert_eq!(reauthorize["errorKind"], "needsReauthorization");
        assert!(
            reauthorize["error"]
                .as_str()
                .unwrap()
                .contains("invalid_grant")
        );

        let odd: Value = serde_json::from_str(&lines[4]).unwrap();
        assert_eq!(odd["name"], samples::ODD_NAME);
    }

    #[test]
    fn the_json_summary_holds_totals_exit_status_and_credentials() {
        let summary: Value = serde_json::from_str(&json_summary(&sample_summary())).unwrap();
        assert_eq!(summary["startedAt"], "2026-12-05T10:00:00");
        assert_eq!(summary["durationMs"], 3141);
        assert_eq!(summary["exitStatus"], EXIT_NEEDS_REAUTHORIZATION);
        assert_eq!(summary["stopped"], true);
        let totals = &summary["totals"];
        let expected = Totals {
            passed: 4,
            failed: 1,
            errored: 1,
            needs_reauthorization: 1,
            skipped: 3,
            assertions: 9,
            assertions_failed: 2,
        };
        assert_eq!(totals["requests"], 10);
        assert_eq!(totals["passed"], expected.passed);
        assert_eq!(totals["failed"], expected.failed);
        assert_eq!(totals["errored"], expected.errored);
        assert_eq!(
            totals["needsReauthorization"],
            expected.needs_reauthorization
        );
        assert_eq!(totals["skipped"], expected.skipped);
        assert_eq!(totals["assertions"], expected.assertions);
        assert_eq!(totals["assertionsFailed"], expected.assertions_failed);
        assert_eq!(summary["credentials"][0]["credential"], "Sandbox");
        assert_eq!(summary["credentials"][0]["expiries"], 2);
        assert_eq!(summary["credentials"][0]["refreshFailures"], 1);
        assert_eq!(summary["credentials"][1]["refreshes"], 1);
    }

    #[test]
    fn the_summary_table_aggregates_iterations_and_aligns_columns() {
        let table = summary_table(&sample_summary());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "Request                         Runs  Passed  Failed  Not run  Avg ms"
        );
        assert_eq!(lines[1].chars().count(), lines[0].chars().count());
        assert!(lines[1].chars().all(|c| c == '─'));
        // Health check ran twice (118 ms and 96 ms); the table says 107 on average.
        assert_eq!(
            lines[2],
            "Health check                       2       2       0        0     107"
        );
        assert_eq!(
            lines[3],
            "Accounts/Query accounts            2       1       1        0     623"
        );
        // "Köln" counts four characters, so its row is as wide as the others.
        assert_eq!(
            lines[5],
            "Contacts/Köln/Describe contact     1       0       1        1      31"
        );
        assert_eq!(lines[5].chars().count(), lines[0].chars().count());
        // The BEL of the odd name never reaches the terminal.
        assert_eq!(
            lines[6],
            "Reports/\"Q4\" <b>&</b> 'draft'      1       1       0        1    1274"
        );
        assert_eq!(lines.len(), 18, "{table}");
    }

    #[test]
    fn the_summary_table_lists_failures_credentials_and_totals() {
        let table = summary_table(&sample_summary());
        let rest: Vec<&str> = table.lines().skip(7).collect();
        assert_eq!(
            rest,
            [
                "",
                "Failures",
                "  Accounts/Create account [1] failed: expected status 201, got 400; the body \
                 does not contain \"success\":true; $.id matched nothing",
                "  Contacts/Köln/Describe contact [1] could not be sent: could not connect to \
                 eu42.example.invalid:443: connection refused",
                "  Accounts/Query accounts [2] needs re-authorization: the provider refused the \
                 refresh (invalid_grant: expired access/refresh token): authorize \"Sandbox\" \
                 again",
                "  3 requests not run: the run was stopped first",
                "",
                "Sandbox: 2 expiries, 1 refresh, 1 refused",
                "Reports API: 1 expiry, 1 refresh, 0 refused",
                "",
                "10 requests: 4 passed, 1 failed, 1 errored, 1 needs re-authorization, 3 not \
                 run · 9 assertions, 2 failed · 3.1 s · stopped",
            ]
        );
    }

    #[test]
    fn a_clean_run_has_no_failures_section_and_no_not_run_column() {
        let mut summary = sample_summary();
        summary
            .results
            .retain(|result| result.state == RunState::Passed);
        summary.stopped = false;
        summary.credentials.clear();
        summary.duration_ms = 12_345;
        let table = summary_table(&summary);
        assert!(!table.contains("Failures"), "{table}");
        assert!(!table.contains("Not run"), "{table}");
        assert!(
            table.ends_with("\n4 requests: 4 passed, 0 failed · 6 assertions, 0 failed · 12.3 s\n"),
            "{table}"
        );
    }

    #[test]
    fn token_stories_tell_expiry_refresh_and_retry() {
        let summary = sample_summary();
        let stories: Vec<Option<String>> = summary.results.iter().map(token_story).collect();
        assert_eq!(stories[0], None);
        assert_eq!(
            stories[1].as_deref(),
            Some(
                "the token expired (rule salesforce.rest.invalid_session) → refreshed → retry 200"
            )
        );
        assert_eq!(
            stories[6].as_deref(),
            Some(
                "the token expired (rule salesforce.rest.invalid_session) → the refresh was \
                 refused: authorize again"
            )
        );
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_text(850), "850 ms");
        assert_eq!(duration_text(12_345), "12.3 s");
        assert_eq!(duration_text(125_000), "2 min 5 s");
        assert_eq!(seconds(1_274), "1.274");
        assert_eq!(seconds(31), "0.031");
    }
}
