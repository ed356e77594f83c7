//! The request file's `[[assert]]` and `[[extract]]` tables: every form the
//! module documents reads into an assertion that writes back to the same
//! text, and broken tables are refused with words that name the problem.

use super::*;

/// `[[assert]]` table texts as the module documents them, each written
/// back exactly so by [`to_table`].
const ASSERT_FORMS: [&str; 17] = [
    "status = 200",
    "status = \"2xx\"",
    "status = \"4XX\"",
    "status = [200, 201]",
    "status = [200, \"4xx\"]",
    "header = \"Content-Type\"\ncontains = \"json\"",
    "header = \"Content-Type\"\nequals = \"application/json\"",
    "header = \"WWW-Authenticate\"\nmatches = \"error=\\\"invalid_token\\\"\"",
    "header = \"Location\"\nexists = true",
    "header = \"Retry-After\"\nexists = false",
    "json = \"$.records[0].Name\"\nequals = \"Acme\"",
    "xpath = \"//sf:result/sf:size\"\nequals = \"3\"",
    "contains = \"<done>true</done>\"",
    "time_under_ms = 800",
    "expiry = \"none\"",
    "expiry = \"recovered\"",
    "salesforce_refreshes = false",
];

/// What a file's text reads as: the one table in it.
fn table(text: &str) -> toml::Table {
    match toml::from_str::<toml::Table>(text) {
        Ok(table) => table,
        Err(error) => panic!("{text}: {error}"),
    }
}

/// The text of a table [`to_table`] or [`extraction_to_table`] wrote, as
/// it stands under its `[[assert]]` or `[[extract]]` header.
fn written(table: toml_edit::Table) -> String {
    table.to_string().trim().to_string()
}

#[test]
fn every_documented_assertion_form_round_trips() {
    for text in ASSERT_FORMS {
        let assertion = match from_table(&table(text)) {
            Ok(assertion) => assertion,
            Err(problem) => panic!("{text}: {problem}"),
        };
        let text_again = written(to_table(&assertion));
        assert_eq!(text_again, text, "{assertion:?} is written differently");
        assert_eq!(from_table(&table(&text_again)), Ok(assertion), "{text}");
    }
}

#[test]
fn the_file_forms_read_as_the_rows_the_window_shows() {
    let read = |text: &str| from_table(&table(text));
    let row = |subject, path: &str, check, value: &str| {
        Ok(Assertion {
            subject,
            path: path.into(),
            check,
            value: value.into(),
        })
    };
    assert_eq!(
        read("status = 200"),
        row(Subject::Status, "", Check::Equals, "200")
    );
    assert_eq!(
        read("status = [200, 201]"),
        row(Subject::Status, "", Check::Equals, "200, 201")
    );
    assert_eq!(
        read("header = \"Location\"\nexists = false"),
        row(Subject::Header, "Location", Check::Absent, "")
    );
    assert_eq!(
        read("contains = \"<done>true</done>\""),
        row(Subject::Body, "", Check::Contains, "<done>true</done>")
    );
    assert_eq!(
        read("time_under_ms = 800"),
        row(Subject::Time, "", Check::LessThan, "800")
    );
    assert_eq!(
        read("salesforce_refreshes = true"),
        row(Subject::Salesforce, "", Check::Equals, "true")
    );
}

#[test]
fn rows_from_the_window_round_trip_through_the_file() {
    let rows = [
        Assertion {
            subject: Subject::Json,
            path: "$.records[*].Id".into(),
            check: Check::Matches,
            value: "^001".into(),
        },
        Assertion {
            subject: Subject::Xpath,
            path: "//sf:Id".into(),
            check: Check::Exists,
            value: String::new(),
        },
        Assertion {
            subject: Subject::Body,
            path: String::new(),
            check: Check::Equals,
            value: "OK".into(),
        },
        Assertion {
            subject: Subject::Salesforce,
            path: String::new(),
            check: Check::Equals,
            value: "true".into(),
        },
        Assertion {
            subject: Subject::Status,
            path: String::new(),
            check: Check::Equals,
            value: "200, 2xx".into(),
        },
    ];
    for row in rows {
        let text = written(to_table(&row));
        assert_eq!(from_table(&table(&text)), Ok(row), "{text}");
    }
}

#[test]
fn every_extraction_form_round_trips() {
    let forms = [
        "variable = \"account_id\"\njson = \"$.id\"",
        "variable = \"session\"\nxpath = \"//sessionId\"",
        "variable = \"limits\"\nheader = \"Sforce-Limit-Info\"",
    ];
    for text in forms {
        let extraction = match extraction_from_table(&table(text)) {
            Ok(extraction) => extraction,
            Err(problem) => panic!("{text}: {problem}"),
        };
        let text_again = written(extraction_to_table(&extraction));
        assert_eq!(text_again, text);
        assert_eq!(extraction_from_table(&table(&text_again)), Ok(extraction));
    }
}

#[test]
fn broken_assertion_tables_name_the_problem() {
    let cases = [
        (
            "status = 200\njson = \"$.id\"",
            "one assertion checks one thing; this one names ",
        ),
        ("json = \"$.id\"", "json = \"$.id\" needs what to check"),
        ("", "an assertion needs something to check"),
        (
            "header = \"Location\"\nequal = \"/x\"",
            "\"equal\" is not a word of an assertion",
        ),
        (
            "header = \"Location\"\nexists = \"yes\"",
            "exists is true or false",
        ),
        (
            "json = \"$.id\"\nequals = \"1\"\ncontains = \"1\"",
            "one assertion makes one check",
        ),
        (
            "matches = \"(acme\"",
            "the pattern \"(acme\" is not a regular expression",
        ),
        (
            "status = \"2xx, 7xx\"",
            "\"7xx\" in \"2xx, 7xx\" is not an HTTP status",
        ),
        ("status = \"ok\"", "\"ok\" is not a status code"),
        (
            "status = 200\nequals = \"200\"",
            "status takes its value itself, not \"equals\"",
        ),
        (
            "time_under_ms = \"fast\"",
            "the time limit \"fast\" is not a whole number",
        ),
        (
            "expiry = \"expired\"",
            "expiry is \"none\" (no token expiry) or \"recovered\"",
        ),
        (
            "salesforce_refreshes = \"maybe\"",
            "salesforce_refreshes is true or false",
        ),
        (
            "json = \"\"\nexists = true",
            "a json assertion needs a JSONPath",
        ),
        (
            "header = [\"A\"]\nexists = true",
            "\"header\" takes a text or a number",
        ),
    ];
    for (text, words) in cases {
        match from_table(&table(text)) {
            Ok(assertion) => panic!("{text:?} was read as {assertion:?}"),
            Err(problem) => assert!(problem.contains(words), "{text:?}: {problem}"),
        }
    }
}

#[test]
fn broken_extraction_tables_name_the_problem() {
    let cases = [
        ("json = \"$.id\"", "an extraction needs variable = \"NAME\""),
        (
            "variable = \"id\"",
            "the extraction into \"id\" needs where from",
        ),
        (
            "variable = \"id\"\njson = \"$.id\"\nheader = \"X-Id\"",
            "names more than one place",
        ),
        (
            "variable = \"id\"\njsonpath = \"$.id\"",
            "\"jsonpath\" is not a word of an extraction",
        ),
        (
            "variable = \"id\"\njson = 3",
            "json, xpath and header take a text",
        ),
        (
            "variable = \"account id\"\njson = \"$.id\"",
            "\"account id\" cannot name a variable",
        ),
        (
            "variable = \"id\"\njson = \" \"",
            "the extraction into \"id\" needs a path",
        ),
    ];
    for (text, words) in cases {
        match extraction_from_table(&table(text)) {
            Ok(extraction) => panic!("{text:?} was read as {extraction:?}"),
            Err(problem) => assert!(problem.contains(words), "{text:?}: {problem}"),
        }
    }
}
