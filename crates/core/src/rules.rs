//! The user's own expiry rules: rule files in the catalog's format
//! ([`crate::detect::catalog`]) kept in the home's `rules/` folder, one
//! file each, tried before the built-in catalog. A file can be shared and
//! added elsewhere ([`RuleStore::add`]): it is read, its examples and
//! counter-examples must pass, and its ids must be new.

use std::path::{Path, PathBuf};

use crate::credential_store::write_atomically;
use crate::detect::catalog::{self, Catalog, Rule, SampleCheck};
use crate::home::Home;
use crate::{Error, Result};

/// The folder of the home that holds the user's rule files.
pub const RULES_DIR: &str = "rules";

/// The largest rule file read.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The user's rule files of one home.
#[derive(Debug, Clone)]
pub struct RuleStore {
    dir: PathBuf,
}

/// What adding a rule file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// Where it is kept.
    pub path: String,
    /// The ids of its rules.
    pub ids: Vec<String>,
}

impl RuleStore {
    pub fn new(home: &Home) -> Self {
        Self {
            dir: home.config_dir().join(RULES_DIR),
        }
    }

    /// The store of the rule files in `dir`.
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every rule file's rules, files in name order. A file that cannot be
    /// read stops the load, named with its place: a rule the user wrote is
    /// never dropped in silence.
    pub fn load(&self) -> Result<Catalog> {
        let mut catalog = Catalog::default();
        for path in self.files()? {
            let text = read_rule_file(&path)?;
            let name = file_name(&path);
            catalog
                .rules
                .extend(
                    catalog::parse_file(&text, &name).map_err(|detail| Error::Storage {
                        action: "read the expiry rules in",
                        path: path.display().to_string(),
                        detail,
                    })?,
                );
        }
        Ok(catalog)
    }

    /// The rule files, sorted by name.
    fn files(&self) -> Result<Vec<PathBuf>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => {
                return Err(Error::Storage {
                    action: "read the expiry rules in",
                    path: self.dir.display().to_string(),
                    detail: error.to_string(),
                });
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Adds the rule file `text` as `name` (a file name; `.toml` is added
    /// when missing): it must read, its samples pass, and its ids be new —
    /// to the user's rules and to the built-in catalog.
    pub fn add(&self, text: &str, name: &str) -> Result<Added> {
        let name = file_stem(name);
        let shown = format!("{name}.toml");
        let rules = check_file(text, &shown)?;
        let known = self.load()?;
        for rule in &rules {
            let taken = known
                .get(&rule.id)
                .map(|other| format!("the rule file {}", other.file))
                .or_else(|| {
                    catalog::built_in()
                        .get(&rule.id)
                        .map(|_| "the built-in catalog".to_string())
                });
            if let Some(place) = taken {
                return Err(refuse(format!(
                    "{shown}: rule {} is an id {place} uses already; give it another",
                    rule.id
                )));
            }
        }
        let path = self.dir.join(&shown);
        if path.exists() {
            return Err(refuse(format!(
                "{} exists already: remove it first (callout rules remove {name}) or give \
                 the file another name",
                path.display()
            )));
        }
        std::fs::create_dir_all(&self.dir).map_err(|error| Error::Storage {
            action: "create",
            path: self.dir.display().to_string(),
            detail: error.to_string(),
        })?;
        write_atomically(&path, text.as_bytes())?;
        Ok(Added {
            path: path.display().to_string(),
            ids: rules.into_iter().map(|rule| rule.id).collect(),
        })
    }

    /// Removes the rule file `name` (with or without `.toml`).
    pub fn remove(&self, name: &str) -> Result<PathBuf> {
        let path = self.dir.join(format!("{}.toml", file_stem(name)));
        std::fs::remove_file(&path).map_err(|error| Error::Storage {
            action: "remove",
            path: path.display().to_string(),
            detail: if error.kind() == std::io::ErrorKind::NotFound {
                "there is no such rule file (callout rules list shows them)".into()
            } else {
                error.to_string()
            },
        })?;
        Ok(path)
    }
}

/// Reads a rule file and runs its samples: its rules when every one
/// passes, else an error listing the samples that failed.
pub fn check_file(text: &str, name: &str) -> Result<Vec<Rule>> {
    let rules = catalog::parse_file(text, name).map_err(refuse)?;
    let failed: Vec<SampleCheck> = catalog::check_samples(&rules)
        .into_iter()
        .filter(|check| !check.passed)
        .collect();
    if !failed.is_empty() {
        let lines: Vec<String> = failed
            .iter()
            .map(|check| format!("rule {} {}: {}", check.rule, check.sample, check.message))
            .collect();
        return Err(refuse(format!("{name}: {}", lines.join("; "))));
    }
    Ok(rules)
}

/// Reads a rule file of at most [`MAX_FILE_BYTES`].
pub fn read_rule_file(path: &Path) -> Result<String> {
    let cannot = |detail: String| Error::Storage {
        action: "read the rule file",
        path: path.display().to_string(),
        detail,
    };
    let size = std::fs::metadata(path)
        .map_err(|error| cannot(error.to_string()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(cannot(format!(
            "it is {size} bytes; a rule file holds at most {MAX_FILE_BYTES}"
        )));
    }
    std::fs::read_to_string(path).map_err(|error| cannot(error.to_string()))
}

fn refuse(detail: String) -> Error {
    Error::Import {
        what: "rule file",
        detail,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// `name` as a file stem: its last component, `.toml` dropped, and every
/// character but letters, digits, `-`, `_` and `.` made `_`.
fn file_stem(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = last.strip_suffix(".toml").unwrap_or(last);
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('.').to_string();
    if cleaned.is_empty() {
        "rules".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = r#"
service = "Acme API"
hosts = ["acme.test"]

[[rule]]
id = "acme.session_over"
means = "expired"
status = [400]
when = [{ json = "$.code", equals = "SESSION_OVER" }]
says = "Acme answers an expired token with code SESSION_OVER on HTTP 400"
source = "https://acme.test/docs/errors"

[[rule.example]]
status = 400
headers = ["Content-Type: application/json"]
body = '{"code":"SESSION_OVER"}'

[[rule.not]]
why = "a validation error"
status = 400
headers = ["Content-Type: application/json"]
body = '{"code":"BAD_FIELD"}'
"#;

    #[test]
    fn a_shared_file_is_added_loaded_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = RuleStore::at(&dir.path().join("rules"));
        assert!(
            store.load().unwrap().rules.is_empty(),
            "no folder, no rules"
        );
        let added = store.add(ACME, "acme rules.toml").unwrap();
        assert_eq!(added.ids, ["acme.session_over"]);
        assert!(added.path.ends_with("acme_rules.toml"), "{}", added.path);
        let loaded = store.load().unwrap();
        assert_eq!(loaded.rules.len(), 1);
        assert_eq!(loaded.rules[0].file, "acme_rules.toml");

        let again = store.add(ACME, "other").unwrap_err().to_string();
        assert!(
            again.contains("rule acme.session_over is an id the rule file acme_rules.toml uses"),
            "{again}"
        );
        store.remove("acme_rules").unwrap();
        assert!(store.load().unwrap().rules.is_empty());
        assert!(store.remove("acme_rules").is_err());
    }

    #[test]
    fn a_file_whose_samples_fail_or_whose_id_is_built_in_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = RuleStore::at(dir.path());
        let wrong = ACME.replace("equals = \"SESSION_OVER\"", "equals = \"OVER\"");
        let error = store.add(&wrong, "acme").unwrap_err().to_string();
        assert!(
            error.contains(
                "rule acme.session_over example 1: HTTP 400 from acme.test does not match"
            ),
            "{error}"
        );
        let built_in = ACME.replace("acme.session_over", "slack.token_expired");
        let error = store.add(&built_in, "acme").unwrap_err().to_string();
        assert!(
            error.contains("the built-in catalog uses already"),
            "{error}"
        );
        assert!(store.load().unwrap().rules.is_empty(), "nothing was kept");
    }

    #[test]
    fn a_broken_file_in_the_folder_is_named_when_loading() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.toml"), "service = \"X\"\n[[rule]\n").unwrap();
        let error = RuleStore::at(dir.path()).load().unwrap_err().to_string();
        assert!(error.contains("mine.toml at line 2"), "{error}");
    }
}
