//! Assertions: what a request's response is checked for each time it runs
//! (`callout run`, the app's runner, a send from the editor), and the values
//! taken from a response into variables for the requests after it.
//!
//! # In a request file
//! Each assertion is one `[[assert]]` table, each extraction one
//! `[[extract]]` table, written so a reviewer reads them as sentences:
//!
//! ```toml
//! [[assert]]
//! status = 200                 # or "2xx", or [200, 201]
//!
//! [[assert]]
//! header = "Content-Type"
//! contains = "json"            # equals, contains, matches (a regex) or exists = true|false
//!
//! [[assert]]
//! json = "$.records[0].Name"   # JSONPath (RFC 9535)
//! equals = "Acme"
//!
//! [[assert]]
//! xpath = "//records/sf:Name"  # prefixes as the response declares them; no prefix: any namespace
//! equals = "Acme"
//!
//! [[assert]]
//! contains = "<done>true</done>" # no subject: the body
//!
//! [[assert]]
//! time_under_ms = 800
//!
//! [[assert]]
//! expiry = "none"              # no token expiry; "recovered": expired, refreshed, retried
//!
//! [[assert]]
//! salesforce_refreshes = false # what a Named Credential would have done
//!
//! [[extract]]
//! variable = "account_id"
//! json = "$.id"                # or xpath = "...", header = "..."
//! ```
//!
//! In memory (and in the window) an assertion is one flat row — subject,
//! path, check, value — which [`Assertion::problem`] checks; the file's
//! form is read by [`from_table`] and written by [`to_table`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod evaluate;
#[cfg(test)]
mod tests;

pub use evaluate::{AssertionResult, Evidence, evaluate, extract};

/// Every one of `assertions` evaluated on what a send produced, the values
/// of the secret variables it went out with (`secrets`) masked in what each
/// result shows.
pub fn evaluate_all(
    assertions: &[Assertion],
    outcome: &crate::send::Outcome,
    secrets: &crate::variables::SecretValues,
) -> Vec<AssertionResult> {
    let evidence = Evidence::of(outcome);
    assertions
        .iter()
        .map(|held| {
            let mut result = evaluate(held, &evidence);
            result.actual = result.actual.map(|actual| secrets.scrub(&actual));
            result.message = secrets.scrub(&result.message);
            result
        })
        .collect()
}

/// What an assertion looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Subject {
    /// The status code; the value is `200`, a class `2xx`, or `200, 201`.
    Status,
    /// The header named by the path.
    Header,
    /// The JSONPath the path names in a JSON body.
    Json,
    /// The XPath the path names in an XML body.
    Xpath,
    /// The whole body, as text.
    Body,
    /// The time the response took, in milliseconds.
    Time,
    /// Whether the token expired on the way: `none` or `recovered`.
    Expiry,
    /// Whether a Salesforce Named Credential would have refreshed: `true`
    /// or `false`.
    Salesforce,
}

/// How the subject is compared with the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Check {
    Equals,
    Contains,
    /// A regular expression found in the subject.
    Matches,
    /// The subject is there (a header, a JSONPath or XPath match).
    Exists,
    /// The subject is not there.
    Absent,
    /// The subject, a number, is below the value (the time).
    LessThan,
}

/// One assertion: `subject` (at `path`, for a header, JSONPath or XPath)
/// `check` `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Assertion {
    pub subject: Subject,
    /// The header's name, the JSONPath or the XPath; empty for the others.
    #[serde(default)]
    pub path: String,
    pub check: Check,
    /// What the subject is compared with; empty for `exists`/`absent`.
    #[serde(default)]
    pub value: String,
}

/// Where an extraction takes its value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExtractFrom {
    Json,
    Xpath,
    Header,
}

/// A value taken from a response into the variable `variable`, for the
/// requests that run after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Extraction {
    pub variable: String,
    pub from: ExtractFrom,
    /// The JSONPath, XPath or header name.
    pub path: String,
}

/// The file's words for the subjects that take a path.
const PATH_SUBJECTS: [(&str, Subject); 3] = [
    ("header", Subject::Header),
    ("json", Subject::Json),
    ("xpath", Subject::Xpath),
];

/// The file's words for the checks that take a value.
const VALUE_CHECKS: [(&str, Check); 3] = [
    ("equals", Check::Equals),
    ("contains", Check::Contains),
    ("matches", Check::Matches),
];

impl Assertion {
    /// What keeps this assertion from being evaluated (a subject that needs
    /// a path without one, a check the subject has not, a value that does
    /// not parse), in words; `None` when it is sound.
    pub fn problem(&self) -> Option<String> {
        let value = self.value.trim();
        let path = self.path.trim();
        let needs_path = matches!(
            self.subject,
            Subject::Header | Subject::Json | Subject::Xpath
        );
        if needs_path && path.is_empty() {
            return Some(format!(
                "a {} assertion needs {}",
                self.subject.word(),
                match self.subject {
                    Subject::Header => "a header name",
                    Subject::Json => "a JSONPath such as $.records[0].Id",
                    _ => "an XPath such as //records/sf:Name",
                }
            ));
        }
        let allowed: &[Check] = match self.subject {
            Subject::Status => &[Check::Equals],
            Subject::Time => &[Check::LessThan],
            Subject::Expiry | Subject::Salesforce => &[Check::Equals],
            Subject::Body => &[Check::Equals, Check::Contains, Check::Matches],
            Subject::Header | Subject::Json | Subject::Xpath => &[
                Check::Equals,
                Check::Contains,
                Check::Matches,
                Check::Exists,
                Check::Absent,
            ],
        };
        if !allowed.contains(&self.check) {
            return Some(format!(
                "a {} assertion cannot check \"{}\"",
                self.subject.word(),
                self.check.word()
            ));
        }
        match self.subject {
            Subject::Status => evaluate::StatusExpectation::parse(value).err(),
            Subject::Time if value.parse::<u64>().is_err() => Some(format!(
                "the time limit \"{value}\" is not a whole number of milliseconds"
            )),
            Subject::Expiry if !matches!(value, "none" | "recovered") => Some(format!(
                "expiry is \"none\" (no token expiry) or \"recovered\" (expired, refreshed and retried), not \"{value}\""
            )),
            Subject::Salesforce if !matches!(value, "true" | "false") => Some(format!(
                "salesforce_refreshes is true or false, not \"{value}\""
            )),
            _ if self.check == Check::Matches => regex::Regex::new(value).err().map(|error| {
                format!("the pattern \"{value}\" is not a regular expression: {error}")
            }),
            _ => None,
        }
    }

    /// One line a person reads: `status equals 2xx`, `json $.id exists`.
    pub fn describe(&self) -> String {
        let subject = match self.subject {
            Subject::Header | Subject::Json | Subject::Xpath => {
                format!("{} {}", self.subject.word(), self.path)
            }
            Subject::Salesforce => "salesforce refreshes".to_string(),
            other => other.word().to_string(),
        };
        match self.check {
            Check::Exists | Check::Absent => format!("{subject} {}", self.check.word()),
            Check::LessThan => format!("{subject} under {} ms", self.value),
            check => format!("{subject} {} {}", check.word(), self.value),
        }
    }
}

impl Subject {
    fn word(self) -> &'static str {
        match self {
            Subject::Status => "status",
            Subject::Header => "header",
            Subject::Json => "json",
            Subject::Xpath => "xpath",
            Subject::Body => "body",
            Subject::Time => "time",
            Subject::Expiry => "expiry",
            Subject::Salesforce => "salesforce",
        }
    }
}

impl Check {
    fn word(self) -> &'static str {
        match self {
            Check::Equals => "equals",
            Check::Contains => "contains",
            Check::Matches => "matches",
            Check::Exists => "exists",
            Check::Absent => "absent",
            Check::LessThan => "less than",
        }
    }
}

/// The assertion an `[[assert]]` table of a request file states, or what is
/// wrong with it.
pub fn from_table(table: &toml::Table) -> Result<Assertion, String> {
    let known = |key: &str| {
        matches!(
            key,
            "status" | "time_under_ms" | "expiry" | "salesforce_refreshes" | "exists"
        ) || PATH_SUBJECTS.iter().any(|(word, _)| *word == key)
            || VALUE_CHECKS.iter().any(|(word, _)| *word == key)
    };
    if let Some(key) = table.keys().find(|key| !known(key)) {
        return Err(format!(
            "\"{key}\" is not a word of an assertion; use status, header, json, xpath, \
             time_under_ms, expiry or salesforce_refreshes, with equals, contains, matches or exists"
        ));
    }
    let text = |key: &str, value: &toml::Value| -> Result<String, String> {
        match value {
            toml::Value::String(text) => Ok(text.clone()),
            toml::Value::Integer(number) => Ok(number.to_string()),
            toml::Value::Float(number) => Ok(number.to_string()),
            toml::Value::Boolean(flag) => Ok(flag.to_string()),
            _ => Err(format!("\"{key}\" takes a text or a number")),
        }
    };
    let plain = |subject: Subject, value: String| Assertion {
        subject,
        path: String::new(),
        check: if subject == Subject::Time {
            Check::LessThan
        } else {
            Check::Equals
        },
        value,
    };
    let subjects: Vec<&str> = table
        .keys()
        .map(String::as_str)
        .filter(|key| {
            matches!(
                *key,
                "status" | "time_under_ms" | "expiry" | "salesforce_refreshes"
            ) || PATH_SUBJECTS.iter().any(|(word, _)| word == key)
        })
        .collect();
    let checks: Vec<&str> = table
        .keys()
        .map(String::as_str)
        .filter(|key| *key == "exists" || VALUE_CHECKS.iter().any(|(word, _)| word == key))
        .collect();
    if subjects.len() > 1 {
        return Err(format!(
            "one assertion checks one thing; this one names {} (give each its own [[assert]])",
            subjects.join(" and ")
        ));
    }
    let assertion = match subjects.first().copied() {
        Some(key @ ("status" | "time_under_ms" | "expiry" | "salesforce_refreshes")) => {
            if let Some(check) = checks.first() {
                return Err(format!("{key} takes its value itself, not \"{check}\""));
            }
            let value = &table[key];
            let subject = match key {
                "status" => Subject::Status,
                "time_under_ms" => Subject::Time,
                "expiry" => Subject::Expiry,
                _ => Subject::Salesforce,
            };
            let value = match value {
                toml::Value::Array(codes) if subject == Subject::Status => codes
                    .iter()
                    .map(|code| text(key, code))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(", "),
                other => text(key, other)?,
            };
            plain(subject, value)
        }
        found => {
            let (subject, path) = match found {
                Some(key) => {
                    let subject = PATH_SUBJECTS
                        .iter()
                        .find(|(word, _)| *word == key)
                        .map(|(_, subject)| *subject)
                        .unwrap_or(Subject::Body);
                    (subject, text(key, &table[key])?)
                }
                None => (Subject::Body, String::new()),
            };
            let check = match checks.as_slice() {
                [] => {
                    return Err(match found {
                        Some(key) => format!(
                            "{key} = \"{path}\" needs what to check: equals, contains, matches or exists"
                        ),
                        None => "an assertion needs something to check: status, header, json, \
                                 xpath, time_under_ms, expiry, salesforce_refreshes, or contains \
                                 for the body"
                            .to_string(),
                    });
                }
                [one] => *one,
                more => {
                    return Err(format!(
                        "one assertion makes one check; this one has {}",
                        more.join(" and ")
                    ));
                }
            };
            if check == "exists" {
                let toml::Value::Boolean(present) = table["exists"] else {
                    return Err("exists is true or false".to_string());
                };
                Assertion {
                    subject,
                    path,
                    check: if present {
                        Check::Exists
                    } else {
                        Check::Absent
                    },
                    value: String::new(),
                }
            } else {
                let (_, check_kind) = VALUE_CHECKS
                    .iter()
                    .find(|(word, _)| *word == check)
                    .copied()
                    .unwrap_or(("equals", Check::Equals));
                Assertion {
                    subject,
                    path,
                    check: check_kind,
                    value: text(check, &table[check])?,
                }
            }
        }
    };
    match assertion.problem() {
        Some(problem) => Err(problem),
        None => Ok(assertion),
    }
}

/// The `[[assert]]` table that states `assertion` in a request file.
pub fn to_table(assertion: &Assertion) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    let number_or_text = |text: &str| -> toml_edit::Value {
        match text.trim().parse::<i64>() {
            Ok(number) => number.into(),
            Err(_) => text.into(),
        }
    };
    match assertion.subject {
        Subject::Status => {
            let codes: Vec<&str> = assertion.value.split(',').map(str::trim).collect();
            if codes.len() > 1 {
                let mut array = toml_edit::Array::new();
                for code in codes {
                    array.push(number_or_text(code));
                }
                table["status"] = toml_edit::value(array);
            } else {
                table["status"] = toml_edit::value(number_or_text(&assertion.value));
            }
            return table;
        }
        Subject::Time => {
            table["time_under_ms"] = toml_edit::value(number_or_text(&assertion.value));
            return table;
        }
        Subject::Expiry => {
            table["expiry"] = toml_edit::value(assertion.value.as_str());
            return table;
        }
        Subject::Salesforce => {
            table["salesforce_refreshes"] = toml_edit::value(assertion.value.trim() == "true");
            return table;
        }
        Subject::Body => {}
        Subject::Header | Subject::Json | Subject::Xpath => {
            table[assertion.subject.word()] = toml_edit::value(assertion.path.as_str());
        }
    }
    match assertion.check {
        Check::Exists => table["exists"] = toml_edit::value(true),
        Check::Absent => table["exists"] = toml_edit::value(false),
        check => table[check.word()] = toml_edit::value(assertion.value.as_str()),
    }
    table
}

/// The extraction an `[[extract]]` table states, or what is wrong with it.
pub fn extraction_from_table(table: &toml::Table) -> Result<Extraction, String> {
    if let Some(key) = table
        .keys()
        .find(|key| !matches!(key.as_str(), "variable" | "json" | "xpath" | "header"))
    {
        return Err(format!(
            "\"{key}\" is not a word of an extraction; use variable with json, xpath or header"
        ));
    }
    let Some(toml::Value::String(variable)) = table.get("variable") else {
        return Err("an extraction needs variable = \"NAME\": the variable it sets".to_string());
    };
    let sources: Vec<(ExtractFrom, &toml::Value)> = [
        ("json", ExtractFrom::Json),
        ("xpath", ExtractFrom::Xpath),
        ("header", ExtractFrom::Header),
    ]
    .into_iter()
    .filter_map(|(key, from)| table.get(key).map(|value| (from, value)))
    .collect();
    let extraction = match sources.as_slice() {
        [(from, toml::Value::String(path))] => Extraction {
            variable: variable.clone(),
            from: *from,
            path: path.clone(),
        },
        [] => {
            return Err(format!(
                "the extraction into \"{variable}\" needs where from: json, xpath or header"
            ));
        }
        [_] => return Err("json, xpath and header take a text".to_string()),
        _ => {
            return Err(format!(
                "the extraction into \"{variable}\" names more than one place; keep one of json, xpath, header"
            ));
        }
    };
    match extraction.problem() {
        Some(problem) => Err(problem),
        None => Ok(extraction),
    }
}

/// The `[[extract]]` table that states `extraction` in a request file.
pub fn extraction_to_table(extraction: &Extraction) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    table["variable"] = toml_edit::value(extraction.variable.as_str());
    let key = match extraction.from {
        ExtractFrom::Json => "json",
        ExtractFrom::Xpath => "xpath",
        ExtractFrom::Header => "header",
    };
    table[key] = toml_edit::value(extraction.path.as_str());
    table
}

impl Extraction {
    /// What keeps this extraction from running, in words.
    pub fn problem(&self) -> Option<String> {
        let name = self.variable.trim();
        if !crate::variables::is_name(name) {
            return Some(format!(
                "\"{}\" cannot name a variable: a letter or _, then letters, digits, _, - or .",
                self.variable
            ));
        }
        if self.path.trim().is_empty() {
            return Some(format!("the extraction into \"{name}\" needs a path"));
        }
        None
    }
}
