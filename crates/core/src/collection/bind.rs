//! Binding a collection's variables to a credential: the variables that
//! carry a token become the credential's `{!$Credential.OAuthToken}` and
//! those that start request URLs `callout:NAME`, in an environment, so
//! requests imported from elsewhere (a Postman collection) run with expiry
//! detection and refresh instead of a pasted token.

use std::path::PathBuf;

use super::{Collection, set_variable, storage};
use crate::Result;

/// Writes the bindings of `tokens` and `endpoints` to `credential` into the
/// environment `environment` of `collection` (made when new; its other
/// variables and comments stay). Returns the environment's file.
pub fn bind(
    collection: &Collection,
    environment: &str,
    credential: &str,
    tokens: &[String],
    endpoints: &[String],
) -> Result<PathBuf> {
    if tokens.is_empty() && endpoints.is_empty() {
        return Err(storage(
            "bind variables in",
            &collection.root,
            "name at least one variable to bind".into(),
        ));
    }
    if let Err(why) = crate::credential::check_name(credential) {
        return Err(storage(
            "bind variables in",
            &collection.root,
            format!("it is not a credential's name: {why}"),
        ));
    }
    let file = collection.new_environment_file(environment)?;
    for name in tokens {
        set_variable(&file, name, Some("{!$Credential.OAuthToken}"))?;
    }
    for name in endpoints {
        set_variable(&file, name, Some(&format!("callout:{credential}")))?;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_endpoints_are_bound_in_an_environment_that_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let collection = Collection::create(dir.path(), "Salesforce").unwrap();
        let file = collection.new_environment_file("Acme").unwrap();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "# the org\n[variables]\nversion = \"59.0\"\n").unwrap();
        let written = bind(
            &collection,
            "Acme",
            "Acme",
            &["_accessToken".into()],
            &["_endpoint".into()],
        )
        .unwrap();
        assert_eq!(written, file);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# the org\n"), "{text}");
        let values = Collection::open(dir.path())
            .unwrap()
            .environment("Acme")
            .unwrap();
        assert_eq!(values["version"], "59.0");
        assert_eq!(values["_accessToken"], "{!$Credential.OAuthToken}");
        assert_eq!(values["_endpoint"], "callout:Acme");

        let error = bind(&collection, "Acme", "no such/name", &["t".into()], &[]).unwrap_err();
        assert!(
            error.to_string().contains("not a credential's name"),
            "{error}"
        );
        let error = bind(&collection, "Acme", "Acme", &[], &[]).unwrap_err();
        assert!(
            error.to_string().contains("at least one variable"),
            "{error}"
        );
    }
}
