//! JUnit XML, the form CI test reporters read (GitHub Actions reporters,
//! GitLab, Jenkins): one `<testsuite>` per top-level folder of the
//! collection, one `<testcase>` per request and iteration.
//!
//! Guarantees: the output is well-formed XML 1.0 whatever names and
//! messages hold (markup escaped, the characters XML 1.0 forbids removed,
//! line breaks in attributes kept as character references) and valid
//! against `crates/core/tests/fixtures/junit.xsd`, the Jenkins/Ant form;
//! a test checks both with `xmllint`. It holds no token: only what the
//! results hold.

use super::{
    RunState, RunSummary, StepResult, folders_and_name, kind_key, salesforce_line, seconds,
    timestamp, token_story, verdict_line,
};

/// The suite of requests at the collection's root.
const ROOT: &str = "(root)";

/// The run as JUnit XML.
pub fn junit(summary: &RunSummary) -> String {
    let started = timestamp(summary.started_at_ms);
    let totals = summary.totals();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" \
         time=\"{}\" timestamp=\"{started}\">\n",
        attribute(&summary.collection),
        summary.results.len(),
        totals.failed,
        totals.errored + totals.needs_reauthorization,
        totals.skipped,
        seconds(summary.duration_ms),
    ));
    for (folder, results) in suites(summary) {
        let count = |state: RunState| results.iter().filter(|r| r.state == state).count();
        let time: u64 = results.iter().map(|result| result.duration_ms).sum();
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" \
             time=\"{}\" timestamp=\"{started}\">\n",
            attribute(&format!(
                "{}/{}",
                summary.collection,
                folder.unwrap_or(ROOT)
            )),
            results.len(),
            count(RunState::Failed),
            count(RunState::Errored) + count(RunState::NeedsReauthorization),
            count(RunState::Skipped),
            seconds(time),
        ));
        let mut properties = Vec::new();
        if let Some(environment) = &summary.environment {
            properties.push(("environment", environment.as_str()));
        }
        if !summary.target.is_empty() {
            properties.push(("target", summary.target.as_str()));
        }
        if !properties.is_empty() {
            xml.push_str("    <properties>\n");
            for (name, value) in properties {
                xml.push_str(&format!(
                    "      <property name=\"{name}\" value=\"{}\"/>\n",
                    attribute(value)
                ));
            }
            xml.push_str("    </properties>\n");
        }
        for result in results {
            testcase(&mut xml, &summary.collection, result);
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// The results grouped by top-level folder (`None`: the root), folders in
/// the order their first request ran.
fn suites(summary: &RunSummary) -> Vec<(Option<&str>, Vec<&StepResult>)> {
    let mut suites: Vec<(Option<&str>, Vec<&StepResult>)> = Vec::new();
    for result in &summary.results {
        let folder = result.step.path.split_once('/').map(|(folder, _)| folder);
        match suites.iter_mut().find(|(name, _)| *name == folder) {
            Some((_, results)) => results.push(result),
            None => suites.push((folder, vec![result])),
        }
    }
    suites
}

fn testcase(xml: &mut String, collection: &str, result: &StepResult) {
    let (folders, own_name) = folders_and_name(result);
    let classname = match folders {
        Some(folders) => format!("{collection}.{}", folders.replace('/', ".")),
        None => collection.to_string(),
    };
    xml.push_str(&format!(
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\" assertions=\"{}\">\n",
        attribute(&format!("{own_name} [iteration {}]", result.step.iteration)),
        attribute(&classname),
        seconds(result.duration_ms),
        result.assertions.len(),
    ));
    match result.state {
        RunState::Passed => {}
        RunState::Failed => {
            let first = result
                .assertions
                .iter()
                .find(|checked| !checked.passed)
                .map(|checked| checked.message.clone())
                .or_else(|| result.extracted.iter().find_map(|e| e.problem.clone()))
                .unwrap_or_else(|| result.why().unwrap_or_default());
            xml.push_str(&format!(
                "      <failure message=\"{}\" type=\"assertion\">{}</failure>\n",
                attribute(&first),
                text(&failure_text(result)),
            ));
        }
        RunState::Errored | RunState::NeedsReauthorization => {
            let message = result.why().unwrap_or_default();
            let kind = if result.state == RunState::NeedsReauthorization {
                "needsReauthorization".to_string()
            } else {
                result
                    .error
                    .as_ref()
                    .map_or_else(|| "error".to_string(), |error| kind_key(error.kind))
            };
            xml.push_str(&format!(
                "      <error message=\"{}\" type=\"{}\">{}</error>\n",
                attribute(&message),
                attribute(&kind),
                text(&message),
            ));
        }
        RunState::Skipped => {
            xml.push_str("      <skipped message=\"not run\"/>\n");
        }
    }
    let out = system_out(result);
    if !out.is_empty() {
        xml.push_str(&format!("      <system-out>{}</system-out>\n", text(&out)));
    }
    xml.push_str("    </testcase>\n");
}

/// Every failed assertion with what it expected and what was there, and
/// every value that could not be extracted.
fn failure_text(result: &StepResult) -> String {
    let mut lines = Vec::new();
    for checked in result.assertions.iter().filter(|checked| !checked.passed) {
        lines.push(format!("✗ {}", checked.assertion.describe()));
        if !checked.assertion.value.is_empty() {
            lines.push(format!("  expected: {}", checked.assertion.value));
        }
        lines.push(format!(
            "  actual: {}",
            checked.actual.as_deref().unwrap_or("(nothing)")
        ));
        lines.push(format!("  {}", checked.message));
    }
    for extracted in &result.extracted {
        if let Some(problem) = &extracted.problem {
            lines.push(format!("✗ extract {}: {problem}", extracted.variable));
        }
    }
    lines.join("\n")
}

/// The request's credential, the verdict on each response and what
/// happened to the token.
fn system_out(result: &StepResult) -> String {
    let mut lines = Vec::new();
    if let Some(credential) = &result.credential {
        lines.push(format!("credential: {credential}"));
    }
    if result.attempts > 0 {
        let status = result
            .status
            .map_or_else(|| "no response".to_string(), |code| format!("HTTP {code}"));
        lines.push(format!(
            "attempts: {}, refreshes: {}, last status: {status}",
            result.attempts, result.refreshes
        ));
    }
    for (index, verdict) in result.verdicts.iter().enumerate() {
        lines.push(verdict_line(index + 1, verdict));
        lines.push(format!("  {}", salesforce_line(verdict)));
    }
    if let Some(story) = token_story(result) {
        lines.push(format!("token: {story}"));
    }
    if lines.is_empty() {
        return String::new();
    }
    lines.push(String::new());
    lines.join("\n")
}

/// Whether XML 1.0 allows `c` in a document at all (its `Char` production).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `value` for a double-quoted attribute: markup escaped, line breaks and
/// tabs kept as references (a parser would turn them into spaces).
fn attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().filter(|c| allowed(*c)) {
        if let Some(entity) = crate::markup::xml_entity(c) {
            out.push_str(entity);
            continue;
        }
        match c {
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// `value` as element text.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().filter(|c| allowed(*c)) {
        if let Some(entity) = crate::markup::xml_entity(c) {
            out.push_str(entity);
            continue;
        }
        match c {
            // A carriage return would be read as a line break; keep it.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{sample_summary, samples};
    use super::*;
    use std::path::Path;
    use std::process::Command;

    /// What `xmllint --schema` says of `xml`: Ok, or its complaint.
    fn validate(xml: &str) -> Result<(), String> {
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit.xsd");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.xml");
        std::fs::write(&file, xml).unwrap();
        let output = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(&file)
            .output()
            .expect("xmllint runs (package libxml2-utils)");
        let said = String::from_utf8_lossy(&output.stderr).into_owned();
        if output.status.success() && said.contains("validates") {
            Ok(())
        } else {
            Err(said)
        }
    }

    #[test]
    fn junit_validates_against_the_jenkins_schema() {
        let xml = junit(&sample_summary());
        if let Err(complaint) = validate(&xml) {
            panic!("xmllint rejects the report:\n{complaint}\n{xml}");
        }
    }

    #[test]
    fn the_schema_rejects_a_testcase_without_a_name() {
        let xml = junit(&sample_summary()).replacen("<testcase name=", "<testcase label=", 1);
        let complaint = validate(&xml).expect_err("a testcase without a name is not valid");
        assert!(complaint.contains("name"), "{complaint}");
    }

    #[test]
    fn junit_counts_and_groups_by_top_level_folder() {
        let xml = junit(&sample_summary());
        let document = roxmltree::Document::parse(&xml).unwrap();
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let attributes = |node: roxmltree::Node, names: &[&str]| -> Vec<String> {
            names
                .iter()
                .map(|name| node.attribute(*name).unwrap_or("-").to_string())
                .collect()
        };
        let counts = ["name", "tests", "failures", "errors", "skipped", "time"];
        assert_eq!(
            attributes(root, &counts),
            ["Salesforce smoke", "10", "1", "2", "3", "3.141"]
        );
        assert_eq!(root.attribute("timestamp"), Some("2026-12-05T10:00:00"));
        let suites: Vec<Vec<String>> = root
            .children()
            .filter(|node| node.has_tag_name("testsuite"))
            .map(|suite| attributes(suite, &counts))
            .collect();
        assert_eq!(
            suites,
            [
                ["Salesforce smoke/(root)", "2", "0", "0", "0", "0.214"],
                ["Salesforce smoke/Accounts", "4", "1", "1", "1", "1.559"],
                ["Salesforce smoke/Contacts", "2", "0", "1", "1", "0.031"],
                ["Salesforce smoke/Reports", "2", "0", "0", "1", "1.274"],
            ]
        );
        let cases: Vec<(String, String)> = document
            .descendants()
            .filter(|node| node.has_tag_name("testcase"))
            .map(|case| {
                let [name, classname] = [case.attribute("name"), case.attribute("classname")]
                    .map(|value| value.unwrap_or("-").to_string());
                (name, classname)
            })
            .collect();
        assert_eq!(
            cases[0],
            (
                "Health check [iteration 1]".into(),
                "Salesforce smoke".into()
            )
        );
        // Suites hold their requests in the run's order: the root's two runs,
        // then Accounts' four, then Contacts' two.
        assert_eq!(cases[1].0, "Health check [iteration 2]");
        assert_eq!(cases[5].0, "Create account [iteration 2]");
        assert_eq!(
            cases[6],
            (
                "Describe contact [iteration 1]".into(),
                "Salesforce smoke.Contacts.Köln".into()
            )
        );
        // The odd name comes back as it was, less the BEL XML cannot hold.
        assert_eq!(cases[8].0, "\"Q4\" <b>&</b> 'draft' [iteration 1]");
        assert!(!xml.contains('\u{7}'));
    }

    #[test]
    fn junit_says_why_each_request_did_not_pass() {
        let xml = junit(&sample_summary());
        let document = roxmltree::Document::parse(&xml).unwrap();
        let case = |name: &str| {
            document
                .descendants()
                .find(|node| node.has_tag_name("testcase") && node.attribute("name") == Some(name))
                .unwrap()
        };
        let child = |name: &str, tag: &str| {
            case(name)
                .children()
                .find(|node| node.has_tag_name(tag))
                .unwrap_or_else(|| panic!("{name} has no <{tag}>"))
        };

        let failure = child("Create account [iteration 1]", "failure");
        assert_eq!(
            failure.attribute("message"),
            Some("expected status 201, got 400")
        );
        assert_eq!(failure.attribute("type"), Some("assertion"));
        let said = failure.text().unwrap();
        assert!(
            said.contains("✗ status equals 201\n  expected: 201\n  actual: 400\n"),
            "{said}"
        );
        assert!(
            said.contains(&format!("  actual: {}\n", samples::SCRIPT_ACTUAL)),
            "{said}"
        );
        assert!(
            said.contains("✗ extract new_id: $.id matched nothing"),
            "{said}"
        );
        assert!(
            !said.contains("time under 800 ms"),
            "a passed assertion is no failure"
        );

        let error = child("Describe contact [iteration 1]", "error");
        assert_eq!(error.attribute("type"), Some("transport"));
        assert!(
            error
                .attribute("message")
                .unwrap()
                .contains("connection refused")
        );

        let reauthorize = child("Query accounts [iteration 2]", "error");
        assert_eq!(reauthorize.attribute("type"), Some("needsReauthorization"));
        assert!(
            reauthorize
                .attribute("message")
                .unwrap()
                .contains("authorize \"Sandbox\" again")
        );

        child("Create account [iteration 2]", "skipped");
        assert!(
            case("Health check [iteration 1]")
                .children()
                .all(|node| { !["failure", "error", "skipped"].contains(&node.tag_name().name()) })
        );

        let story = child("Query accounts [iteration 1]", "system-out")
            .text()
            .unwrap();
        assert!(
            story.contains("credential: Sandbox\nattempts: 2, refreshes: 1"),
            "{story}"
        );
        assert!(
            story.contains("response 1: the token expired (rule salesforce.rest.invalid_session)")
        );
        assert!(
            story.contains("a Salesforce Named Credential would refresh"),
            "{story}"
        );
        assert!(story.contains("token: the token expired (rule salesforce.rest.invalid_session) → refreshed → retry 200"));
    }

    #[test]
    fn xml_escaping_keeps_markup_and_drops_forbidden_characters() {
        assert_eq!(
            attribute("a<b>&\"c'\n\u{0}\u{8}\u{b}\u{c}\u{1f}\u{fffe}\u{ffff}é😀"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;é😀"
        );
        assert_eq!(text("x < y\r\n\u{1b}[31m"), "x &lt; y&#13;\n[31m");
    }
}
