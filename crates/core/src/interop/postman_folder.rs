//! A Postman collection and its environments brought in as a collection on
//! disk ([`crate::collection`]): the folder tree kept, one file per request,
//! `{{variables}}` kept as variables, the collection's variables in
//! `collection.toml`, each environment in `environments/NAME.toml`.
//!
//! Nothing secret is copied: an environment's `secret` values and the value
//! of every variable that carries a token (its name says token or session,
//! or a request sends it as `Bearer {{x}}` or a SOAP `sessionId`) are left
//! out and named, with how to bind it to a credential instead
//! (`x = "{!$Credential.OAuthToken}"`), so the requests run with expiry
//! detection and refresh.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::postman;
use crate::collection::{
    self, COLLECTION_FILE, Collection, ENVIRONMENTS_DIR, file_safe, join, slug,
};
use crate::credential::Credential;
use crate::{Error, Result};

/// What an import made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub collection: Collection,
    /// The environments written, by name.
    pub environments: Vec<String>,
    /// Credential drafts from the collection's OAuth 2 settings, unsaved.
    pub credentials: Vec<Credential>,
    /// What was left out or needs doing, one sentence each.
    pub notes: Vec<String>,
    /// The variables that carry a token (their values left out), to bind to
    /// a credential's `{!$Credential.OAuthToken}` ([`crate::collection::bind`]).
    pub token_variables: Vec<String>,
    /// The variables that start request URLs, to bind to `callout:NAME`.
    pub endpoint_variables: Vec<String>,
}

/// A Postman environment export: its name and variables (`secret`-typed
/// ones marked).
struct Environment {
    name: String,
    values: Vec<(String, String, bool)>,
}

/// [`import`] into a new directory in `parent`, named after the Postman
/// collection (numbered when the name is taken).
pub fn import_into(parent: &Path, json: &str, environments: &[String]) -> Result<Imported> {
    let name = postman::import_keeping_variables(json)?.name;
    import(&collection::free_dir(parent, &name), json, environments)
}

/// Makes `dir` a collection holding the Postman collection `json` and the
/// environments `environments` (their JSON exports).
pub fn import(dir: &Path, json: &str, environments: &[String]) -> Result<Imported> {
    let imported = postman::import_keeping_variables(json)?;
    let environments = environments
        .iter()
        .enumerate()
        .map(|(index, text)| environment(index, text))
        .collect::<Result<Vec<_>>>()?;
    let mut notes = imported.notes.clone();
    let carriers = token_carriers(&imported);
    Collection::create(dir, &imported.name)?;

    let mut kept = BTreeMap::new();
    for (name, value) in &imported.variables {
        if carriers.contains(name) {
            notes.push(left_out_token(name, "the collection"));
        } else {
            kept.insert(name.clone(), value.clone());
        }
    }
    collection::write_variables(&dir.join(COLLECTION_FILE), &kept)?;

    let mut written = Vec::new();
    let mut given: BTreeSet<String> = kept.keys().cloned().collect();
    for environment in &environments {
        let mut values = BTreeMap::new();
        for (name, value, secret) in &environment.values {
            given.insert(name.clone());
            if carriers.contains(name) {
                notes.push(left_out_token(
                    name,
                    &format!("environment \"{}\"", environment.name),
                ));
            } else if *secret {
                notes.push(format!(
                    "{{{{{name}}}}} of environment \"{}\" is secret and was left out: give it with \
                     --var {name}=... or bind it to a credential",
                    environment.name
                ));
            } else {
                values.insert(name.clone(), value.clone());
            }
        }
        let file_name = file_safe(&environment.name);
        collection::write_variables(
            &dir.join(ENVIRONMENTS_DIR).join(format!("{file_name}.toml")),
            &values,
        )?;
        written.push(file_name);
    }

    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut seq_in_folder: BTreeMap<String, i64> = BTreeMap::new();
    for (request, folders) in imported.requests.iter().zip(&imported.folders) {
        let folder: Vec<String> = folders.iter().map(|name| file_safe(name)).collect();
        let folder = folder.join("/");
        let own_name = request
            .name
            .rsplit(" / ")
            .next()
            .unwrap_or(&request.name)
            .to_string();
        let stem = slug(&own_name);
        let mut path = join(&folder, &format!("{stem}.toml"));
        let mut number = 2;
        while !taken.insert(path.clone()) {
            path = join(&folder, &format!("{stem}-{number}.toml"));
            number += 1;
        }
        let seq = seq_in_folder.entry(folder.clone()).or_insert(0);
        *seq += 1;
        let mut saved = request.clone();
        saved.name = own_name;
        collection::save_new_request(dir, &path, &saved, *seq)?;
    }

    for name in &imported.unknown_variables {
        if !given.contains(name) && !carriers.contains(name) {
            notes.push(format!(
                "{{{{{name}}}}} is used but neither the collection nor an environment gives it a \
                 value: add it to collection.toml or an environment, or give --var {name}=..."
            ));
        }
    }
    let endpoints = endpoint_variables(&imported);
    for name in &endpoints {
        notes.push(format!(
            "{{{{{name}}}}} starts request URLs: to send them through a credential, set {name} = \
             \"callout:NAME\" in an environment (NAME: a credential of `callout credential list`)"
        ));
    }
    Ok(Imported {
        collection: Collection::open(dir)?,
        environments: written,
        credentials: imported.credentials,
        notes,
        token_variables: carriers.into_iter().collect(),
        endpoint_variables: endpoints.into_iter().collect(),
    })
}

fn left_out_token(name: &str, place: &str) -> String {
    format!(
        "{{{{{name}}}}} of {place} carries a token; its value was left out. Bind it to a \
         credential: {name} = \"{{!$Credential.OAuthToken}}\" in an environment (a header that \
         uses it needs the credential's --allow-merge-fields-in-header, a body \
         --allow-merge-fields-in-body)"
    )
}

/// The variables that carry a token: by name, or by how a request uses it.
fn token_carriers(imported: &postman::Collection) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut consider = |name: &str| {
        let lower = name.to_ascii_lowercase();
        if lower.contains("token") || lower.contains("session") {
            names.insert(name.to_string());
        }
    };
    for name in imported
        .variables
        .keys()
        .chain(imported.unknown_variables.iter())
    {
        consider(name);
    }
    for request in &imported.requests {
        let texts = request
            .headers
            .iter()
            .map(|header| header.value.as_str())
            .chain(request.body.as_deref());
        for text in texts {
            for (before, name) in variable_uses(text) {
                let before = before.trim_end().to_ascii_lowercase();
                if before.ends_with("bearer") || before.ends_with("sessionid>") {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

/// Variables that begin a request URL (`{{_endpoint}}/services/...`).
fn endpoint_variables(imported: &postman::Collection) -> BTreeSet<String> {
    imported
        .requests
        .iter()
        .filter_map(|request| {
            let (before, name) = variable_uses(&request.url).into_iter().next()?;
            before.is_empty().then(|| name.to_string())
        })
        .collect()
}

/// Each `{{name}}` in `text` with the text before it.
fn variable_uses(text: &str) -> Vec<(&str, &str)> {
    let mut uses = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{{").map(|at| from + at) {
        let Some(end) = text[start + 2..].find("}}").map(|at| start + 2 + at) else {
            break;
        };
        uses.push((&text[..start], text[start + 2..end].trim()));
        from = end + 2;
    }
    uses
}

/// A Postman environment export's name and values.
fn environment(index: usize, json: &str) -> Result<Environment> {
    let refuse = |detail: String| Error::Import {
        what: "Postman environment",
        detail: format!("environment file {}: {detail}", index + 1),
    };
    let root = postman::parse_json(json, refuse)?;
    let values = root
        .get("values")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            refuse("it has no \"values\" list: is this a Postman environment export?".into())
        })?;
    let name = root
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .map_or_else(|| format!("Environment {}", index + 1), str::to_string);
    let values = values
        .iter()
        .filter(|value| value.get("enabled").and_then(Value::as_bool) != Some(false))
        .filter_map(|value| {
            let key = value.get("key")?.as_str()?.to_string();
            let text = match value.get("value") {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let secret = value.get("type").and_then(Value::as_str) == Some("secret");
            Some((key, text, secret))
        })
        .collect();
    Ok(Environment { name, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_file_names_a_person_can_read() {
        assert_eq!(slug("Query: Accounts (v59)"), "query-accounts-v59");
        assert_eq!(slug("///"), "request");
        assert_eq!(slug("Folder"), "folder-request");
        assert_eq!(file_safe("REST / SOQL"), "REST - SOQL");
        assert_eq!(file_safe(".hidden"), "hidden");
        assert_eq!(file_safe("environments"), "environments_");
    }

    #[test]
    fn a_token_is_recognised_by_name_or_by_use() {
        let uses = variable_uses("Bearer {{ bearer }} and {{x}}");
        assert_eq!(
            uses,
            [("Bearer ", "bearer"), ("Bearer {{ bearer }} and ", "x")]
        );
    }
}
