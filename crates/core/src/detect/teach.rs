//! Teaching the detector from a response it judged wrong: "this means the
//! token expired" (or "this is not an expiry") proposes the narrowest rule
//! that tells that response from the same API's successful ones — a rule
//! file in the catalog's format, shown before it is saved.
//!
//! The candidates are the response's own evidence, most telling first: a
//! SOAP fault's codes, an XML error document's codes, the JSON body's
//! code-like values (`$.error.code = "E_SESSION_EXPIRED"`, `$.ok = false`),
//! a `WWW-Authenticate` challenge, code-like words of a text body. The
//! proposal is the smallest set of them (one, else two, else three) that
//! holds on the response and on none of the successes with its status.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::Value;

use super::body;
use super::catalog::{self, Means, Rule, Sample, Seen};
use crate::http::{Header, header_value};

/// How many JSON leaves are looked at.
const MAX_LEAVES: usize = 200;
/// How deep the JSON body is followed.
const MAX_DEPTH: usize = 6;
/// The longest text value a condition compares with.
const MAX_VALUE_CHARS: usize = 80;
/// The largest success kept as the rule's counter-example.
const MAX_COUNTER_BODY: usize = 8 * 1024;
/// The largest response kept as the rule's example.
const MAX_EXAMPLE_BODY: usize = 64 * 1024;

/// What the user says of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub means: Means,
    /// The rule's id, e.g. `billing.session_expired`.
    pub id: String,
    /// The service, as the verdict will name it.
    pub service: String,
    /// The host the response came from.
    pub host: String,
    /// The credential the rule is for; `None`: any send to the host.
    pub credential: Option<String>,
    /// Where the response came from, for the rule's `source`
    /// ("history #12").
    pub source: String,
    /// For `not_expiry`: what will fix it.
    pub fix: Option<String>,
}

/// A proposed rule: its file's text and the rule read back from it.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub text: String,
    pub rule: Rule,
    /// How many successes it was checked against.
    pub successes: usize,
}

/// One candidate condition: its TOML inline table, and how telling it is.
#[derive(Debug, Clone)]
struct Candidate {
    toml: String,
    shown: String,
    score: i32,
}

/// Proposes the narrowest rule that holds on `response` and on none of
/// `successes` (the same API's answers that were fine), or says why there
/// is none.
pub fn propose(
    response: &Sample,
    successes: &[Sample],
    lesson: &Lesson,
) -> Result<Proposal, String> {
    if lesson.means == Means::NotExpiry && lesson.fix.as_deref().is_none_or(str::is_empty) {
        return Err(
            "say what will fix it: a rule that says \"not an expiry\" names the fix".into(),
        );
    }
    let decoded = body::read(&response.headers, response.body.as_bytes());
    let seen = Seen::new(response.status, &response.headers, &decoded);
    let mut candidates = candidates(&seen);
    candidates.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.toml.cmp(&b.toml)));
    let mut unique = BTreeSet::new();
    candidates.retain(|candidate| unique.insert(candidate.toml.clone()));
    candidates.truncate(12);
    if candidates.is_empty() {
        return Err(format!(
            "the response (HTTP {}) holds nothing a rule can name: no JSON value, XML code, \
             challenge or code-like word",
            response.status
        ));
    }
    let same_status: Vec<&Sample> = successes
        .iter()
        .filter(|success| success.status == response.status)
        .collect();
    let holds = |toml: &[&Candidate], sample: &Sample| -> bool {
        let Ok(rule) = single_rule(lesson, response.status, toml, None, None) else {
            return false;
        };
        rule.matches(Some(&lesson.host), sample)
    };
    let chosen = choose(&candidates, |set| {
        holds(set, response) && !same_status.iter().any(|success| holds(set, success))
    })
    .ok_or_else(|| {
        format!(
            "no rule of up to three conditions tells this response from the {} success{} \
             with HTTP {}: write one by hand",
            same_status.len(),
            if same_status.len() == 1 { "" } else { "es" },
            response.status
        )
    })?;
    let counter = successes
        .iter()
        .filter(|success| success.body.len() <= MAX_COUNTER_BODY)
        .min_by_key(|success| success.body.len());
    let rule_text = single_rule_text(lesson, response.status, &chosen, Some(response), counter);
    let rule = catalog::parse_file(&rule_text, &format!("{}.toml", lesson.id))?
        .into_iter()
        .next()
        .ok_or("the proposed file holds no rule")?;
    Ok(Proposal {
        text: rule_text,
        rule,
        successes: successes.len(),
    })
}

/// How telling a candidate must be to be tried before the others: a code
/// or a flag, not a sentence.
const TELLING: i32 = 50;

/// The first set of candidates for which `separates` holds: telling ones
/// first (alone, then in pairs), then any (alone, in pairs, in threes),
/// each in score order (`candidates` is sorted).
fn choose<'c>(
    candidates: &'c [Candidate],
    mut separates: impl FnMut(&[&'c Candidate]) -> bool,
) -> Option<Vec<&'c Candidate>> {
    let telling = candidates
        .iter()
        .take_while(|candidate| candidate.score >= TELLING)
        .count();
    let all = candidates.len();
    let singles = |upto: usize| (0..upto).map(|a| vec![a]);
    let pairs = |upto: usize| (0..upto).flat_map(move |a| (a + 1..upto).map(move |b| vec![a, b]));
    let top = all.min(8);
    let triples = (0..top).flat_map(move |a| {
        (a + 1..top).flat_map(move |b| (b + 1..top).map(move |c| vec![a, b, c]))
    });
    singles(telling)
        .chain(pairs(telling))
        .chain(singles(all))
        .chain(pairs(all))
        .chain(triples)
        .map(|indexes| {
            indexes
                .into_iter()
                .map(|index| &candidates[index])
                .collect::<Vec<_>>()
        })
        .find(|set| separates(set))
}

fn single_rule(
    lesson: &Lesson,
    status: u16,
    chosen: &[&Candidate],
    example: Option<&Sample>,
    counter: Option<&Sample>,
) -> Result<Rule, String> {
    let text = single_rule_text(lesson, status, chosen, example, counter);
    catalog::parse_file(&text, "proposal.toml")?
        .into_iter()
        .next()
        .ok_or_else(|| "the proposal holds no rule".to_string())
}

/// The rule file: one rule, its example (the response) and
/// counter-example (a success).
fn single_rule_text(
    lesson: &Lesson,
    status: u16,
    chosen: &[&Candidate],
    example: Option<&Sample>,
    counter: Option<&Sample>,
) -> String {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let evidence: Vec<&str> = chosen
        .iter()
        .map(|candidate| candidate.shown.as_str())
        .collect();
    let says = match lesson.means {
        Means::Expired => format!(
            "it answers a dead token with HTTP {status} where {}",
            evidence.join(" and ")
        ),
        Means::NotExpiry => format!(
            "HTTP {status} where {} is not an expired token",
            evidence.join(" and ")
        ),
    };
    let mut text = format!(
        "# Taught from a response of {} ({}).\nservice = {}\nhosts = [{}]\n",
        lesson.host,
        lesson.source,
        quote(&lesson.service),
        quote(&lesson.host)
    );
    if let Some(credential) = &lesson.credential {
        text.push_str(&format!("credentials = [{}]\n", quote(credential)));
    }
    text.push_str(&format!(
        "\n[[rule]]\nid = {}\nmeans = {}\nstatus = [{status}]\nwhen = [\n",
        quote(&lesson.id),
        quote(lesson.means.word())
    ));
    for candidate in chosen {
        text.push_str(&format!("  {},\n", candidate.toml));
    }
    text.push_str(&format!(
        "]\nsays = {}\nsource = {}\n",
        quote(&says),
        quote(&lesson.source)
    ));
    if let Some(fix) = &lesson.fix {
        text.push_str(&format!("fix = {}\n", quote(fix)));
    }
    if let Some(example) = example {
        text.push_str("\n[[rule.example]]\n");
        text.push_str(&sample_text(example, None));
    }
    if let Some(counter) = counter {
        text.push_str("\n[[rule.not]]\n");
        text.push_str(&sample_text(counter, Some("a success of the same API")));
    }
    text
}

/// A sample's fields: its status, its Content-Type (no other header: they
/// may carry cookies), its body (cut to [`MAX_EXAMPLE_BODY`]).
fn sample_text(sample: &Sample, why: Option<&str>) -> String {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let mut text = String::new();
    if let Some(why) = why {
        text.push_str(&format!("why = {}\n", quote(why)));
    }
    text.push_str(&format!("status = {}\n", sample.status));
    if let Some(kind) = header_value(&sample.headers, "content-type") {
        text.push_str(&format!(
            "headers = [{}]\n",
            quote(&format!("Content-Type: {kind}"))
        ));
    }
    let body: String = if sample.body.len() > MAX_EXAMPLE_BODY {
        let mut end = MAX_EXAMPLE_BODY;
        while !sample.body.is_char_boundary(end) {
            end -= 1;
        }
        sample.body[..end].to_string()
    } else {
        sample.body.clone()
    };
    text.push_str(&format!("body = {}\n", quote(&body)));
    text
}

/// Every condition the response offers, scored.
fn candidates(seen: &Seen<'_>) -> Vec<Candidate> {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let mut found = Vec::new();
    if let Some(facts) = seen.xml() {
        if let Some(fault) = &facts.fault {
            let codes = fault
                .code
                .iter()
                .chain(fault.subcodes.iter())
                .map(|code| code.local.clone())
                .chain(fault.exception_codes.iter().cloned());
            for code in codes {
                found.push(Candidate {
                    toml: format!("{{ soap_fault = true, equals = {} }}", quote(&code)),
                    shown: format!("the SOAP fault's code is {code}"),
                    score: 90 + code_like(&code),
                });
            }
        }
        for code in &facts.error_codes {
            found.push(Candidate {
                toml: format!("{{ xml_error_code = true, equals = {} }}", quote(code)),
                shown: format!("the XML error code is {code}"),
                score: 85 + code_like(code),
            });
        }
    }
    if let Some(json) = seen.json() {
        let mut leaves = Vec::new();
        json_leaves(json, "$".to_string(), 0, &mut leaves);
        for (path, key, value) in leaves {
            let (literal, shown, value_score) = match &value {
                Value::Bool(flag) => (flag.to_string(), flag.to_string(), 10),
                Value::Number(number) => (number.to_string(), number.to_string(), 15),
                Value::String(text) if text.chars().count() <= MAX_VALUE_CHARS => {
                    (quote(text), format!("\"{text}\""), code_like(text))
                }
                _ => continue,
            };
            found.push(Candidate {
                toml: format!("{{ json = {}, equals = {literal} }}", quote(&path)),
                shown: format!("{path} is {shown}"),
                score: key_score(&key) + value_score,
            });
        }
    }
    if let Some(challenge) = header_value(seen.headers, "www-authenticate") {
        let error = Regex::new(r#"error="([^"]+)""#)
            .ok()
            .and_then(|pattern| pattern.captures(challenge))
            .and_then(|captures| captures.get(0))
            .map(|hit| hit.as_str().to_string());
        if let Some(error) = error {
            found.push(Candidate {
                toml: format!(
                    "{{ header = \"WWW-Authenticate\", contains = {} }}",
                    quote(&error)
                ),
                shown: format!("WWW-Authenticate holds {error}"),
                score: 70,
            });
        }
    }
    let plain_text = seen.json().is_none() && seen.xml().is_none_or(|facts| facts.fault.is_none());
    if plain_text
        && let Ok(words) = Regex::new(
            r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[a-z]+(?:_[a-z]+)+\b|\b[A-Z][a-z]+(?:_[A-Z][a-z]+)+\b",
        )
    {
        let mut taken = BTreeSet::new();
        for word in words.find_iter(&seen.body.text).take(40) {
            let word = word.as_str();
            if taken.insert(word.to_string()) {
                found.push(Candidate {
                    toml: format!("{{ body = true, contains = {} }}", quote(word)),
                    shown: format!("the body holds {word}"),
                    score: 40 + code_like(word),
                });
            }
        }
    }
    found
}

/// The scalar leaves of a JSON document: (JSONPath, key, value); array
/// items as `[*]`.
fn json_leaves(value: &Value, path: String, depth: usize, out: &mut Vec<(String, String, Value)>) {
    if depth > MAX_DEPTH || out.len() >= MAX_LEAVES {
        return;
    }
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                let step = if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    format!("{path}.{key}")
                } else {
                    format!("{path}[{}]", toml::Value::String(key.clone()))
                };
                match child {
                    Value::Object(_) | Value::Array(_) => json_leaves(child, step, depth + 1, out),
                    scalar => out.push((step, key.clone(), scalar.clone())),
                }
            }
        }
        Value::Array(items) => {
            for item in items.iter().take(3) {
                json_leaves(item, format!("{path}[*]"), depth + 1, out);
            }
        }
        _ => {}
    }
}

/// How much a JSON key sounds like it carries an error's identity.
fn key_score(key: &str) -> i32 {
    let key = key.to_ascii_lowercase();
    if [
        "code",
        "errorcode",
        "error_code",
        "error",
        "type",
        "reason",
        "subcode",
        "error_subcode",
    ]
    .contains(&key.as_str())
    {
        60
    } else if ["ok", "success", "status", "state", "category", "fault"].contains(&key.as_str()) {
        45
    } else if key.contains("code") || key.contains("error") {
        50
    } else if key.contains("message") || key.contains("description") || key.contains("detail") {
        5
    } else {
        20
    }
}

/// How much a value looks like a stable code (`E_SESSION_EXPIRED`,
/// `token_expired`) rather than a sentence.
fn code_like(text: &str) -> i32 {
    let words = text.split_whitespace().count();
    if words == 0 {
        0
    } else if words == 1 && text.len() <= 40 {
        30
    } else if words <= 3 {
        10
    } else {
        -20
    }
}

/// A response as a sample to teach from: all its headers (a condition may
/// read any; the rule file keeps only the Content-Type).
pub fn sample_of(status: u16, headers: &[Header], body: &str) -> Sample {
    Sample {
        status,
        headers: headers.to_vec(),
        body: body.to_string(),
        why: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detector;

    fn json(status: u16, body: &str) -> Sample {
        sample_of(
            status,
            &[Header::new("Content-Type", "application/json")],
            body,
        )
    }

    fn lesson(means: Means) -> Lesson {
        Lesson {
            means,
            id: "billing.session_expired".into(),
            service: "Billing".into(),
            host: "billing.acme.test".into(),
            credential: Some("Billing".into()),
            source: "history #12".into(),
            fix: (means == Means::NotExpiry).then(|| "give the key again".to_string()),
        }
    }

    const DEAD: &str = r#"{"success":false,"error":{"code":"E_SESSION_EXPIRED","message":"Your session has timed out. Please sign in again."}}"#;

    #[test]
    fn an_error_on_200_gives_the_rule_its_code_names() {
        let successes = [
            json(
                200,
                r#"{"success":true,"accounts":[{"Id":"001","Name":"Acme"}],"count":1}"#,
            ),
            json(200, r#"{"success":true,"accounts":[],"count":0}"#),
        ];
        let proposal = propose(&json(200, DEAD), &successes, &lesson(Means::Expired)).unwrap();
        assert_eq!(
            proposal.rule.conditions_shown,
            ["json $.error.code equals \"E_SESSION_EXPIRED\""]
        );
        assert_eq!(proposal.rule.statuses, [200]);
        assert_eq!(proposal.rule.credentials, ["Billing"]);
        assert!(
            proposal
                .text
                .contains("[[rule.not]]\nwhy = \"a success of the same API\""),
            "{}",
            proposal.text
        );
        // The file is a rule file: it reads, and its samples pass.
        let rules = catalog::parse_file(&proposal.text, "taught.toml").unwrap();
        assert!(
            catalog::check_samples(&rules)
                .iter()
                .all(|check| check.passed)
        );
        // And the detector, given it, calls the response an expiry.
        let billing = crate::credential::Credential::new("Billing", "https://billing.acme.test");
        let detector = Detector::for_credential(&billing)
            .unwrap()
            .for_url("https://billing.acme.test/accounts")
            .with_rules(std::sync::Arc::new(catalog::Catalog { rules }));
        let verdict = detector.verdict(200, &json(200, DEAD).headers, DEAD.as_bytes());
        assert!(verdict.expired, "{}", verdict.reason);
        assert_eq!(verdict.rule.as_deref(), Some("billing.session_expired"));
    }

    #[test]
    fn a_success_that_shares_the_first_choice_makes_the_rule_narrower() {
        // One success carries the code, another success false: neither
        // alone separates, the two together do.
        let successes = [
            json(
                200,
                r#"{"success":true,"error":{"code":"E_SESSION_EXPIRED"},"count":1}"#,
            ),
            json(200, r#"{"success":false,"error":{"code":"E_AMOUNT"}}"#),
        ];
        let proposal = propose(&json(200, DEAD), &successes, &lesson(Means::Expired)).unwrap();
        assert_eq!(
            proposal.rule.conditions_shown.len(),
            2,
            "{:?}",
            proposal.rule.conditions_shown
        );
        assert!(
            proposal
                .rule
                .conditions_shown
                .contains(&"json $.success equals false".to_string()),
            "{:?}",
            proposal.rule.conditions_shown
        );
    }

    #[test]
    fn a_soap_fault_and_a_text_body_give_their_codes() {
        let fault = sample_of(
            500,
            &[Header::new("Content-Type", "text/xml")],
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>ns1:SessionTimedOut</faultcode><faultstring>Session timed out</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#,
        );
        let proposal = propose(&fault, &[], &lesson(Means::Expired)).unwrap();
        assert_eq!(
            proposal.rule.conditions_shown,
            ["the SOAP fault's codes equals \"SessionTimedOut\""]
        );

        let text = sample_of(
            403,
            &[Header::new("Content-Type", "text/plain")],
            "ERROR: AUTH_TOKEN_STALE (renew it)",
        );
        let proposal = propose(&text, &[], &lesson(Means::Expired)).unwrap();
        assert_eq!(
            proposal.rule.conditions_shown,
            ["the body contains \"AUTH_TOKEN_STALE\""]
        );
    }

    #[test]
    fn not_an_expiry_needs_its_fix_and_nothing_separable_is_said() {
        let key = json(401, r#"{"error":"invalid_api_key"}"#);
        let mut without_fix = lesson(Means::NotExpiry);
        without_fix.fix = None;
        assert!(
            propose(&key, &[], &without_fix)
                .unwrap_err()
                .contains("names the fix")
        );
        let proposal = propose(&key, &[], &lesson(Means::NotExpiry)).unwrap();
        assert_eq!(proposal.rule.means, Means::NotExpiry);
        assert!(proposal.text.contains("fix = \"give the key again\""));

        // The same body as a success of the same status: nothing tells them apart.
        let same = json(200, r#"{"ok":true}"#);
        let error =
            propose(&same, std::slice::from_ref(&same), &lesson(Means::Expired)).unwrap_err();
        assert!(
            error.starts_with("no rule of up to three conditions"),
            "{error}"
        );
        let empty = sample_of(401, &[], "");
        assert!(
            propose(&empty, &[], &lesson(Means::Expired))
                .unwrap_err()
                .contains("holds nothing")
        );
    }
}
