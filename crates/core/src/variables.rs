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

use std::collections::BTreeMap;

use crate::http::{Draft, Header};
use crate::source::{Location, line_and_column};
use crate::{Error, Result};

/// How deep variables may refer to variables.
const MAX_DEPTH: usize = 8;

/// One scope: where its values come from (for messages and the preview) and
/// the values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// "request", "folder Accounts", "environment Dev", "collection", "--var".
    pub label: String,
    pub values: BTreeMap<String, String>,
}

impl Scope {
    pub fn new(label: impl Into<String>, values: BTreeMap<String, String>) -> Self {
        Self {
            label: label.into(),
            values,
        }
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
    pub value: String,
}

impl Variables {
    /// Scopes searched first to last.
    pub fn new(scopes: Vec<Scope>) -> Self {
        Self { scopes }
    }

    /// The value of `name` and the scope it came from.
    pub fn lookup(&self, name: &str) -> Option<(&str, &str)> {
        self.scopes.iter().find_map(|scope| {
            scope
                .values
                .get(name)
                .map(|value| (value.as_str(), scope.label.as_str()))
        })
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
        self.fill_at(text, location, resolved, &mut Vec::new())
    }

    fn fill_at(
        &self,
        text: &str,
        location: &Location,
        resolved: &mut Vec<Resolved>,
        within: &mut Vec<String>,
    ) -> Result<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            let Some((name, length)) = variable_at(&rest[start..]) else {
                out.push_str(&rest[..start + 2]);
                offset += start + 2;
                rest = &rest[start + 2..];
                continue;
            };
            out.push_str(&rest[..start]);
            let (line, column) = line_and_column(text, offset + start);
            let unknown = || Error::UnknownVariable {
                name: name.to_string(),
                location: location.clone(),
                line,
                column,
                known: self.names(),
            };
            let (value, scope) = self.lookup(name).ok_or_else(unknown)?;
            if within.iter().any(|outer| outer == name) || within.len() >= MAX_DEPTH {
                within.push(name.to_string());
                return Err(Error::VariableLoop {
                    chain: within.join(" → "),
                    location: location.clone(),
                });
            }
            within.push(name.to_string());
            let filled = self.fill_at(value, location, resolved, within)?;
            within.pop();
            resolved.push(Resolved {
                name: name.to_string(),
                scope: scope.to_string(),
                value: filled.clone(),
            });
            out.push_str(&filled);
            offset += start + length;
            rest = &rest[start + length..];
        }
        out.push_str(rest);
        Ok(out)
    }
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
