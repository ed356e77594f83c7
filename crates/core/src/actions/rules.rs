//! Teaching the detector from a kept send it judged wrong: the app's "this
//! means the token expired" / "this is not an expiry" and `callout rules
//! teach` end here. The proposal is a rule file for the send's host (and
//! credential) that tells the send's response from the same host's fine
//! answers in the history; saving it adds it to the user's rules.

use std::sync::Arc;

use crate::credential_store::CredentialStore;
use crate::detect::catalog::{Catalog, Means, Rule, Sample};
use crate::detect::teach::{self, Lesson, Proposal};
use crate::detect::{Detector, Verdict};
use crate::history::History;
use crate::interop::apex_mock;
use crate::rules::{Added, RuleStore};
use crate::{Error, Result, endpoint};

/// How many of the newest sends are looked through for fine answers.
const SENDS_LOOKED_AT: u32 = 300;
/// How many fine answers a proposal is checked against.
const MAX_SUCCESSES: usize = 20;

/// What the user says of a kept send's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teaching {
    /// The send, by its history id.
    pub send: i64,
    pub means: Means,
    /// For "not an expiry": what will fix it (blank counts as none).
    pub fix: Option<String>,
    /// The rule's id [default: `taught.HOST.SEND`].
    pub rule_id: Option<String>,
    /// The service's name [default, or blank: the host].
    pub service: Option<String>,
}

/// The rule that tells send `teaching.send`'s first response (the one that
/// was judged) from the fine answers of the same host in the history.
pub fn propose(history: &History, teaching: &Teaching) -> Result<Proposal> {
    let refuse = |detail: String| Error::Import {
        what: "rule",
        detail,
    };
    let kept = history.get(teaching.send)?;
    let host = url::Url::parse(&kept.sent.url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .ok_or_else(|| {
            refuse(format!(
                "send {} went to {}, which has no host a rule can name",
                teaching.send, kept.sent.url
            ))
        })?;
    let judged = apex_mock::recorded_from_history(&kept, true)
        .map_err(|error| refuse(error.to_string()))?
        .into_iter()
        .next()
        .ok_or_else(|| refuse(format!("send {} kept no response", teaching.send)))?;
    let response = teach::sample_of(judged.status, &judged.headers, &judged.body);
    let successes = successes(history, teaching.send, &host, &response)?;
    let credential = history.draft(teaching.send).ok().and_then(|(draft, _)| {
        endpoint::split(&draft.url)
            .ok()
            .and_then(|target| target.credential.map(str::to_string))
    });
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
    };
    let lesson = Lesson {
        means: teaching.means,
        id: teaching.rule_id.clone().unwrap_or_else(|| {
            format!("taught.{}.{}", host.replace(['.', ':'], "_"), teaching.send)
        }),
        service: given(&teaching.service).unwrap_or_else(|| host.clone()),
        host,
        credential,
        source: format!("history #{}", teaching.send),
        fix: given(&teaching.fix),
    };
    teach::propose(&response, &successes, &lesson).map_err(refuse)
}

/// Saves a proposal's file among the user's rules, named after its rule.
pub fn save(store: &RuleStore, proposal: &Proposal) -> Result<Added> {
    store.add(&proposal.text, &proposal.rule.id)
}

/// The newest fine answers (below 400) of `host` in the history, other
/// than send `except` and other than the same answer again (the same body
/// but for its digits: an earlier send the detector was fooled by too).
fn successes(history: &History, except: i64, host: &str, response: &Sample) -> Result<Vec<Sample>> {
    let shape = |body: &str| -> String { body.chars().filter(|c| !c.is_ascii_digit()).collect() };
    let same_shape = shape(&response.body);
    let mut found = Vec::new();
    for sent in history.list(None, SENDS_LOOKED_AT)? {
        if found.len() >= MAX_SUCCESSES {
            break;
        }
        let same_host = url::Url::parse(&sent.url)
            .ok()
            .and_then(|url| url.host_str().map(|other| other.eq_ignore_ascii_case(host)))
            .unwrap_or(false);
        if sent.id == except || !same_host || sent.status >= 400 {
            continue;
        }
        let Ok(kept) = history.get(sent.id) else {
            continue;
        };
        let Ok(recorded) = apex_mock::recorded_from_history(&kept, false) else {
            continue;
        };
        for answer in recorded {
            if answer.status < 400 && shape(&answer.body) != same_shape {
                found.push(teach::sample_of(
                    answer.status,
                    &answer.headers,
                    &answer.body,
                ));
            }
        }
    }
    Ok(found)
}

/// What a rule file's rules make of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCheck {
    /// The URL the response was judged as coming from.
    pub url: String,
    /// The rule of the file that decided, if one did, and what it means.
    pub rule: Option<(String, Means)>,
    /// The whole verdict, the file's rules tried before the built-in
    /// catalog.
    pub verdict: Verdict,
    /// Why a rule of the file that fits the response does not decide (it is
    /// for other credentials), when that is so.
    pub note: Option<String>,
}

/// What `rules` (a rule file being written or tested) make of `response`,
/// from `url`: a `callout:NAME/...` URL is joined to that credential's
/// endpoint, and its own rules and Salesforce options apply; without a
/// URL, the response comes from a host of the first rule.
pub fn check_response(
    store: &CredentialStore,
    rules: &[Rule],
    response: &Sample,
    url: Option<&str>,
) -> ResponseCheck {
    let credential = url
        .and_then(|url| endpoint::split(url).ok())
        .and_then(|target| {
            let credential = store.get(target.credential?).ok()?;
            Some((
                endpoint::join(&credential.endpoint, target.rest),
                credential,
            ))
        });
    let url = match (&credential, url) {
        (Some((joined, _)), _) => joined.clone(),
        (None, Some(url)) if !url.trim().is_empty() => url.trim().to_string(),
        _ => format!(
            "https://{}/",
            rules
                .first()
                .map_or_else(|| "api.example.com".into(), Rule::sample_host)
        ),
    };
    let verdict = credential
        .as_ref()
        .and_then(|(_, credential)| Detector::for_credential(credential).ok())
        .unwrap_or_default()
        .for_url(&url)
        .with_rules(Arc::new(Catalog {
            rules: rules.to_vec(),
        }))
        .verdict(response.status, &response.headers, response.body.as_bytes());
    let decided = verdict
        .rule
        .as_deref()
        .and_then(|id| rules.iter().find(|rule| rule.id == id));
    let host = url::Url::parse(&url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase));
    let note = match decided {
        Some(_) => None,
        None => rules
            .iter()
            .find(|rule| rule.matches(host.as_deref(), response))
            .map(|rule| {
                format!(
                    "rule {} fits this response but is only for sends through {}",
                    rule.id,
                    rule.credentials.join(", ")
                )
            }),
    };
    ResponseCheck {
        rule: decided.map(|rule| (rule.id.clone(), rule.means)),
        verdict,
        note,
        url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::Credential;
    use crate::detect::catalog;
    use crate::home::Home;
    use crate::http::Header;

    const BILLING: &str = r#"
service = "Billing"
hosts = ["billing.acme.test"]
credentials = ["Billing"]

[[rule]]
id = "billing.session_expired"
means = "expired"
status = [200]
when = [{ json = "$.error.code", equals = "E_SESSION_EXPIRED" }]
says = "the billing API answers a dead session with E_SESSION_EXPIRED on HTTP 200"
source = "https://wiki.acme.test/billing"
"#;

    #[test]
    fn a_callout_url_goes_through_its_credential_and_another_says_why_the_rule_stays_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialStore::new(Home::at(dir.path()).unwrap());
        store
            .add(Credential::new("Billing", "https://billing.acme.test/api"))
            .unwrap();
        let rules = catalog::parse_file(BILLING, "billing.toml").unwrap();
        let response = Sample {
            status: 200,
            headers: vec![Header::new("Content-Type", "application/json")],
            body: r#"{"error":{"code":"E_SESSION_EXPIRED"}}"#.into(),
            why: None,
        };

        let through = check_response(&store, &rules, &response, Some("callout:Billing/accounts"));
        assert_eq!(through.url, "https://billing.acme.test/api/accounts");
        assert_eq!(
            through.rule,
            Some(("billing.session_expired".to_string(), Means::Expired))
        );
        assert!(through.verdict.expired, "{}", through.verdict.reason);
        assert_eq!(through.note, None);

        let direct = check_response(
            &store,
            &rules,
            &response,
            Some("https://billing.acme.test/api/accounts"),
        );
        assert_eq!(direct.rule, None);
        assert_eq!(
            direct.note.as_deref(),
            Some(
                "rule billing.session_expired fits this response but is only for sends through Billing"
            )
        );
    }
}
