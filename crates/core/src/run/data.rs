//! A run's data file: one iteration per row.
//!
//! - CSV: the first line names the variables, each line after it is a row
//!   (RFC 4180: quoted fields may hold commas, quotes and line breaks);
//! - JSON: an array of objects, each object a row; a value that is not a
//!   string is taken as its JSON text (`3`, `true`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::variables;
use crate::{Error, Result};

/// The rows of the data file at `file` (CSV, or JSON when the name ends in
/// `.json` or the text starts with `[`).
pub fn rows(file: &Path) -> Result<Vec<BTreeMap<String, String>>> {
    let text = std::fs::read_to_string(file).map_err(|error| Error::Storage {
        action: "read the data file",
        path: file.display().to_string(),
        detail: error.to_string(),
    })?;
    let is_json = file
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('[');
    let rows = if is_json {
        json_rows(&text)
    } else {
        csv_rows(&text)
    };
    rows.map_err(|(line, column, message)| Error::CollectionFile {
        path: file.display().to_string(),
        line,
        column,
        message,
    })
}

type Problem = (usize, usize, String);

fn json_rows(text: &str) -> std::result::Result<Vec<BTreeMap<String, String>>, Problem> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        (
            error.line(),
            error.column(),
            format!("it is not JSON: {error}"),
        )
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err((
            1,
            1,
            "a JSON data file is an array of objects, one per iteration".into(),
        ));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let serde_json::Value::Object(fields) = item else {
                return Err((
                    1,
                    1,
                    format!("row {} is not an object of variables", index + 1),
                ));
            };
            fields
                .into_iter()
                .map(|(name, value)| {
                    check_name(&name)
                        .map_err(|message| (1, 1, format!("row {}: {message}", index + 1)))?;
                    let value = match value {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    };
                    Ok((name, value))
                })
                .collect()
        })
        .collect()
}

fn csv_rows(text: &str) -> std::result::Result<Vec<BTreeMap<String, String>>, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let at = |error: &csv::Error| {
        let line = error
            .position()
            .map_or(1, |position| position.line() as usize);
        (line, 1, format!("it is not CSV: {error}"))
    };
    let names: Vec<String> = reader
        .headers()
        .map_err(|error| at(&error))?
        .iter()
        .map(|name| name.trim().to_string())
        .collect();
    if names.is_empty() || names.iter().all(String::is_empty) {
        return Err((
            1,
            1,
            "the first line names the variables, e.g. account,name".into(),
        ));
    }
    for (index, name) in names.iter().enumerate() {
        check_name(name).map_err(|message| (1, index + 1, message))?;
    }
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|error| at(&error))?;
            Ok(names
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect())
        })
        .collect()
}

fn check_name(name: &str) -> std::result::Result<(), String> {
    if variables::is_name(name) {
        Ok(())
    } else {
        Err(format!(
            "\"{name}\" cannot name a variable: a letter or _, then letters, digits, _, - or ."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    #[test]
    fn a_csv_file_gives_one_row_per_line_with_quoted_fields_kept_whole() {
        let (_dir, file) = write(
            "rows.csv",
            "account,name\r\n001A,\"Acme, Inc.\"\r\n001B,\"Say \"\"hi\"\"\nthere\"\r\n",
        );
        let rows = rows(&file).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["account"], "001A");
        assert_eq!(rows[0]["name"], "Acme, Inc.");
        assert_eq!(rows[1]["name"], "Say \"hi\"\nthere");
    }

    #[test]
    fn a_json_file_gives_one_row_per_object_numbers_as_their_text() {
        let (_dir, file) = write("rows.json", r#"[{"id": 3, "ok": true, "name": "Acme"}]"#);
        let rows = rows(&file).unwrap();
        assert_eq!(rows[0]["id"], "3");
        assert_eq!(rows[0]["ok"], "true");
        assert_eq!(rows[0]["name"], "Acme");
    }

    #[test]
    fn a_broken_data_file_is_named_with_its_place() {
        let (_dir, file) = write("rows.json", "[{\"id\": 3,}]");
        let error = rows(&file).unwrap_err().to_string();
        assert!(
            error.contains("rows.json") && error.contains("not JSON"),
            "{error}"
        );
        let (_dir, file) = write("rows.csv", "a,b\n1,2\n3\n");
        let error = rows(&file).unwrap_err().to_string();
        assert!(
            error.contains("rows.csv") && error.contains("line 3"),
            "{error}"
        );
        let (_dir, file) = write("rows.csv", "account id,b\n1,2\n");
        let error = rows(&file).unwrap_err().to_string();
        assert!(error.contains("\"account id\""), "{error}");
    }
}
