//! `{{name}}` variables in a request's URL, headers and body, filled in from
//! scopes before merge fields are: a value may itself hold merge fields or a
//! `callout:` URL (`endpoint = "callout:Acme"`, `token =
//! "{!$Credential.OAuthToken}"`), so a request written with variables still
//! runs on a credential with expiry detection and refresh.
//!
//! Scopes are searched in order, the first that has a name wins; for a
//! collection's request: `--var` on the command line, the request file's own
//! `[variables]`, its folders' (`folder.toml`, the nearest first), the
//! environment's, then the collection's (`collection.toml`).
//!
//! `{{` followed by a name (letters, digits, `_`, `-`, `.`) and `}}` is a
//! variable; anything else is left as written. A variable no scope has is an
//! error at its line and column before anything is sent.
//!
//! A scope may hold secret variables (a collection's secrets, whose values
//! live in the keychain): a secret's value is taken as it is (never searched
//! for variables), and what it resolved to is always shown as
//! [`stand_in`] — `[secret NAME]` —, never its value. [`SecretValues`] are
//! the values that went into a request, so that what is kept or shown of it
//! can be scrubbed ([`SecretValues::scrub`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::http::{Draft, Header};
use crate::source::{Location, line_and_column};
use crate::{Error, Result, Secret};

/// How deep variables may refer to variables.
const MAX_DEPTH: usize = 8;

/// Secret values shorter than this are not scrubbed from what is kept: a
/// value of one to three characters would be found all over a response.
pub const MIN_SCRUBBED: usize = 4;

/// What stands for secret variable `name`'s value wherever a request is
/// shown or kept: `[secret NAME]`.
pub fn stand_in(name: &str) -> String {
    format!("[secret {name}]")
}

/// One scope: where its values come from (for messages and the preview) and
/// the values. `Debug` shows a secret's value as its [`stand_in`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// "request", "folder Accounts", "environment Dev", "collection", "--var".
    pub label: String,
    pub values: BTreeMap<String, String>,
    /// The names of `values` that are secret: their values are taken as
    /// they are, and shown as [`stand_in`].
    pub secrets: BTreeSet<String>,
}

impl Scope {
    pub fn new(label: impl Into<String>, values: BTreeMap<String, String>) -> Self {
        Self {
            label: label.into(),
            values,
            secrets: BTreeSet::new(),
        }
    }

    /// This scope with the secret variables `secrets` too (each name to its
    /// value, or to a stand-in when the value is not to be read).
    pub fn with_secrets(mut self, secrets: BTreeMap<String, String>) -> Self {
        for (name, value) in secrets {
            self.secrets.insert(name.clone());
            self.values.insert(name, value);
        }
        self
    }
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values: BTreeMap<&str, String> = self
            .values
            .iter()
            .map(|(name, value)| {
                let shown = if self.secrets.contains(name) {
                    stand_in(name)
                } else {
                    value.clone()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("Scope")
            .field("label", &self.label)
            .field("values", &values)
            .field("secrets", &self.secrets)
            .finish()
    }
}

/// Scopes in the order they are searched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    scopes: Vec<Scope>,
}

/// What one variable of a request resolved to, and from which scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub name: String,
    pub scope: String,
    /// The value filled in; a secret's is always its [`stand_in`].
    pub value: String,
    /// Whether it is a secret variable (its value in the keychain).
    pub secret: bool,
}

/// The values of the secret variables a request was filled in with, by
/// variable name: what is sent, and what must never be kept or shown.
/// `Debug` shows the names only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretValues(BTreeMap<String, Secret>);

impl SecretValues {
    pub fn insert(&mut self, name: impl Into<String>, value: Secret) {
        self.0.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.0.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret variables' names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }

    /// `text` with every occurrence of a secret value of [`MIN_SCRUBBED`]
    /// characters or more replaced by its [`stand_in`], the longest value
    /// first (so a value inside another one cannot leave a piece behind).
    pub fn scrub(&self, text: &str) -> String {
        let mut values: Vec<(&String, &Secret)> = self
            .0
            .iter()
            .filter(|(_, value)| value.expose().chars().count() >= MIN_SCRUBBED)
            .collect();
        values.sort_by_key(|(_, value)| std::cmp::Reverse(value.expose().len()));
        let mut text = text.to_string();
        for (name, value) in values {
            if text.contains(value.expose()) {
                text = text.replace(value.expose(), &stand_in(name));
            }
        }
        text
    }
}

impl Variables {
    /// Scopes searched first to last.
    pub fn new(scopes: Vec<Scope>) -> Self {
        Self { scopes }
    }

    /// The value of `name` and the scope it came from.
    pub fn lookup(&self, name: &str) -> Option<(&str, &str)> {
        self.find(name)
            .map(|(value, scope)| (value, scope.label.as_str()))
    }

    /// The value of `name` and the scope that has it.
    fn find(&self, name: &str) -> Option<(&str, &Scope)> {
        self.scopes
            .iter()
            .find_map(|scope| scope.values.get(name).map(|value| (value.as_str(), scope)))
    }

    /// Every name some scope has, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .scopes
            .iter()
            .flat_map(|scope| scope.values.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// `draft` with every variable filled in, and what each resolved to.
    pub fn apply(&self, draft: &Draft) -> Result<(Draft, Vec<Resolved>)> {
        let mut resolved = Vec::new();
        let url = self.fill(&draft.url, &Location::url(), &mut resolved)?;
        let headers = draft
            .headers
            .iter()
            .map(|header| {
                let location = Location::header(&header.name);
                Ok(Header::new(
                    self.fill(&header.name, &location, &mut resolved)?,
                    self.fill(&header.value, &location, &mut resolved)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let body = draft
            .body
            .as_ref()
            .map(|body| self.fill(body, &Location::body(), &mut resolved))
            .transpose()?;
        resolved.sort_by(|a, b| a.name.cmp(&b.name));
        resolved.dedup_by(|a, b| a.name == b.name);
        Ok((
            Draft {
                method: draft.method.clone(),
                url,
                headers,
                body,
            },
            resolved,
        ))
    }

    /// `text` with its variables filled in; `location` names it in errors.
    pub fn fill(
        &self,
        text: &str,
        location: &Location,
        resolved: &mut Vec<Resolved>,
    ) -> Result<String> {
        Ok(self
            .fill_at(text, location, resolved, &mut Vec::new())?
            .sent)
    }

    fn fill_at(
        &self,
        text: &str,
        location: &Location,
        resolved: &mut Vec<Resolved>,
        within: &mut Vec<String>,
    ) -> Result<Filled> {
        let mut out = Filled::default();
        let mut rest = text;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            let Some((name, length)) = variable_at(&rest[start..]) else {
                out.push(&rest[..start + 2]);
                offset += start + 2;
                rest = &rest[start + 2..];
                continue;
            };
            out.push(&rest[..start]);
            let (line, column) = line_and_column(text, offset + start);
            let unknown = || Error::UnknownVariable {
                name: name.to_string(),
                location: location.clone(),
                line,
                column,
                known: self.names(),
            };
            let (value, scope) = self.find(name).ok_or_else(unknown)?;
            if within.iter().any(|outer| outer == name) || within.len() >= MAX_DEPTH {
                within.push(name.to_string());
                return Err(Error::VariableLoop {
                    chain: within.join(" → "),
                    location: location.clone(),
                });
            }
            let secret = scope.secrets.contains(name);
            // A secret is taken as it is (a password may well hold `{{`)
            // and shown as its stand-in, also inside another variable.
            let filled = if secret {
                Filled {
                    sent: value.to_string(),
                    shown: stand_in(name),
                }
            } else {
                within.push(name.to_string());
                let filled = self.fill_at(value, location, resolved, within)?;
                within.pop();
                filled
            };
            resolved.push(Resolved {
                name: name.to_string(),
                scope: scope.label.clone(),
                value: filled.shown.clone(),
                secret,
            });
            out.sent.push_str(&filled.sent);
            out.shown.push_str(&filled.shown);
            offset += start + length;
            rest = &rest[start + length..];
        }
        out.push(rest);
        Ok(out)
    }
}

/// A text filled in: as it is sent, and as it is shown (secrets as their
/// stand-ins).
#[derive(Default)]
struct Filled {
    sent: String,
    shown: String,
}

impl Filled {
    fn push(&mut self, text: &str) {
        self.sent.push_str(text);
        self.shown.push_str(text);
    }
}

/// The names of the variables `text` uses (`{{name}}`), in order, once each.
pub fn references(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        match variable_at(&rest[start..]) {
            Some((name, length)) => {
                if !names.iter().any(|known| known == name) {
                    names.push(name.to_string());
                }
                rest = &rest[start + length..];
            }
            None => rest = &rest[start + 2..],
        }
    }
    names
}

/// Whether `name` can be a variable's name: a letter or `_`, then letters,
/// digits, `_`, `-` and `.`.
pub fn is_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The variable name at the start of `text` (which starts with `{{`) and
/// the length of `{{ name }}`; `None` when it is no variable.
fn variable_at(text: &str) -> Option<(&str, usize)> {
    let inner_start = 2;
    let close = text[inner_start..].find("}}")? + inner_start;
    let name = text[inner_start..close].trim();
    is_name(name).then_some((name, close + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes() -> Variables {
        let values = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        Variables::new(vec![
            Scope::new("request", values(&[("version", "59.0")])),
            Scope::new(
                "environment Dev",
                values(&[
                    ("endpoint", "callout:Acme"),
                    ("access_token", "{!$Credential.OAuthToken}"),
                    ("version", "58.0"),
                    ("auth", "Bearer {{access_token}}"),
                ]),
            ),
            Scope::new(
                "collection",
                values(&[("endpoint", "https://unused.example")]),
            ),
        ])
    }

    #[test]
    fn variables_fill_url_headers_and_body_from_the_first_scope_that_has_them() {
        let draft = Draft::new("POST", "{{endpoint}}/services/Soap/u/{{ version }}")
            .header("Authorization", "{{auth}}")
            .body(
                "<sessionId>{{access_token}}</sessionId> {\"json\": {\"kept\": 1}} {{ not a var }}",
            );
        let (filled, resolved) = scopes().apply(&draft).unwrap();
        assert_eq!(filled.url, "callout:Acme/services/Soap/u/59.0");
        assert_eq!(filled.headers[0].value, "Bearer {!$Credential.OAuthToken}");
        assert_eq!(
            filled.body.as_deref(),
            Some(
                "<sessionId>{!$Credential.OAuthToken}</sessionId> {\"json\": {\"kept\": 1}} {{ not a var }}"
            )
        );
        let from: Vec<(&str, &str)> = resolved
            .iter()
            .map(|r| (r.name.as_str(), r.scope.as_str()))
            .collect();
        assert_eq!(
            from,
            [
                ("access_token", "environment Dev"),
                ("auth", "environment Dev"),
                ("endpoint", "environment Dev"),
                ("version", "request"),
            ]
        );
    }

    #[test]
    fn an_unknown_variable_is_named_at_its_line_and_column() {
        let draft = Draft::new("POST", "callout:Acme/x").body("line one\n  {{endpont}}/x");
        let error = scopes().apply(&draft).unwrap_err();
        let Error::UnknownVariable {
            name,
            line,
            column,
            known,
            ..
        } = &error
        else {
            panic!("{error}")
        };
        assert_eq!((name.as_str(), *line, *column), ("endpont", 2, 3));
        assert!(known.contains(&"endpoint".to_string()));
        assert!(
            error
                .to_string()
                .contains("unknown variable {{endpont}} in the body at line 2, column 3"),
            "{error}"
        );
    }

    #[test]
    fn a_secret_is_sent_as_it_is_and_shown_only_as_its_stand_in() {
        let values = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let variables = Variables::new(vec![
            Scope::new("environment Dev", values(&[("auth", "Basic {{password}}")]))
                .with_secrets(values(&[("password", "pa{{ss}}w0rd")])),
        ]);
        let draft = Draft::new("POST", "https://x.example/")
            .header("Authorization", "{{auth}}")
            .body("<pw>{{password}}</pw>");
        let (filled, resolved) = variables.apply(&draft).unwrap();
        assert_eq!(
            filled.headers[0].value, "Basic pa{{ss}}w0rd",
            "taken as it is"
        );
        assert_eq!(filled.body.as_deref(), Some("<pw>pa{{ss}}w0rd</pw>"));
        assert!(!format!("{variables:?}").contains("w0rd"), "{variables:?}");
        let shown: Vec<(&str, &str, bool)> = resolved
            .iter()
            .map(|r| (r.name.as_str(), r.value.as_str(), r.secret))
            .collect();
        assert_eq!(
            shown,
            [
                ("auth", "Basic [secret password]", false),
                ("password", "[secret password]", true),
            ]
        );
    }

    #[test]
    fn scrubbing_replaces_every_secret_value_longest_first_and_leaves_short_ones() {
        let mut secrets = SecretValues::default();
        secrets.insert("token", Secret::new("abcd1234"));
        secrets.insert("pin", Secret::new("1234"));
        secrets.insert("short", Secret::new("xyz"));
        assert_eq!(
            secrets.scrub("a abcd1234 b 1234 c xyz abcd1234"),
            "a [secret token] b [secret pin] c xyz [secret token]"
        );
        assert_eq!(secrets.names(), ["pin", "short", "token"]);
        assert!(!format!("{secrets:?}").contains("1234"), "{secrets:?}");
    }

    #[test]
    fn a_variable_that_refers_to_itself_is_refused() {
        let looped = Variables::new(vec![Scope::new(
            "collection",
            [("a", "{{b}}"), ("b", "x{{a}}")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )]);
        let error = looped
            .apply(&Draft::new("GET", "https://x.example/{{a}}"))
            .unwrap_err();
        assert!(error.to_string().contains("a → b → a"), "{error}");
    }
}
