//! `callout run` against the sandbox: a collection of request files with
//! assertions, run in parallel over data rows with short-lived tokens; its
//! JSON lines, JUnit and HTML reports; the exit status a CI job reads; CI
//! mode, whose secrets come from the environment and are never printed.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use callout_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

use crate::common::{TestHome, assert_ok, stderr, stdout};

const SOAP_ENVELOPE: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header><urn:SessionHeader><urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId></urn:SessionHeader></soapenv:Header>
  <soapenv:Body><urn:query><urn:queryString>SELECT Id, Name FROM Account</urn:queryString></urn:query></soapenv:Body>
</soapenv:Envelope>
"#;

/// A SOAP query with `asserts` (TOML `[[assert]]` tables).
fn soap(name: &str, seq: u32, credential: &str, asserts: &str) -> String {
    format!(
        "name = \"{name}\"\nmethod = \"POST\"\nurl = \"callout:{credential}/services/Soap/u/59.0\"\nseq = {seq}\n\n\
         [[header]]\nname = \"Content-Type\"\nvalue = \"text/xml\"\n\n\
         [[header]]\nname = \"SOAPAction\"\nvalue = '\"\"'\n\n\
         [body]\nkind = \"xml\"\ntext = '''\n{SOAP_ENVELOPE}'''\n{asserts}"
    )
}

/// A GET of `path` with `headers` (name, value) and `tables` (TOML tables).
fn get(name: &str, seq: u32, url: &str, tables: &str) -> String {
    format!("name = \"{name}\"\nmethod = \"GET\"\nurl = \"{url}\"\nseq = {seq}\n{tables}")
}

const REST: &str = "/services/data/v59.0/query?q=SELECT+Id,Name+FROM+Account";

const SOAP_ASSERTS: &str = "\n[[assert]]\nstatus = 200\n\n[[assert]]\nxpath = \"//records/sf:Name\"\nexists = true\n\n\
     [[assert]]\nxpath = \"/soapenv:Envelope/soapenv:Body/queryResponse/result/size\"\nequals = \"3\"\n";
const REST_ASSERTS: &str = "\n[[assert]]\nstatus = \"2xx\"\n\n[[assert]]\njson = \"$.totalSize\"\nequals = \"3\"\n\n\
     [[assert]]\nheader = \"Content-Type\"\ncontains = \"json\"\n\n[[assert]]\ntime_under_ms = 30000\n";
const WSO2_ASSERTS: &str = "\n[[assert]]\nstatus = [200, 201]\n\n[[assert]]\njson = \"$.accounts[*].Name\"\ncontains = \"Initech\"\n\n\
     [[assert]]\ncontains = \"Acme\"\n";

/// Writes a collection named `name` at `dir` with `files` (path, TOML).
fn write_collection(dir: &Path, name: &str, files: &[(String, String)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("collection.toml"), format!("name = \"{name}\"\n")).unwrap();
    for (path, text) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
}

/// The twenty requests of the nightly collection: six SOAP and six REST
/// queries, six WSO2 calls, and a pair whose second uses the id the first
/// extracts and the data row's account. Returns them with how many
/// assertions each has.
fn nightly(credential: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for n in 1..=6 {
        files.push((
            format!("Salesforce/soap-{n}.toml"),
            soap(&format!("SOAP query {n}"), n, credential, SOAP_ASSERTS),
        ));
        files.push((
            format!("Salesforce/rest-{n}.toml"),
            get(
                &format!("REST query {n}"),
                10 + n,
                &format!("callout:{credential}{REST}"),
                REST_ASSERTS,
            ),
        ));
        files.push((
            format!("WSO2/accounts-{n}.toml"),
            get(
                &format!("Accounts {n}"),
                n,
                &format!("callout:{credential}/wso2/accounts"),
                WSO2_ASSERTS,
            ),
        ));
    }
    files.push((
        "find.toml".into(),
        get(
            "Find account",
            1,
            &format!("callout:{credential}{REST}"),
            "\n[[assert]]\nstatus = 200\n\n[[extract]]\nvariable = \"account_id\"\njson = \"$.records[0].Id\"\n",
        ),
    ));
    files.push((
        "use.toml".into(),
        get(
            "Use account",
            2,
            &format!(
                "callout:{credential}/wso2/accounts?id={{{{account_id}}}}&row={{{{account}}}}"
            ),
            "\n[[header]]\nname = \"X-Row\"\nvalue = \"{{label}}\"\n\n[[assert]]\nstatus = 200\n\n\
             [[assert]]\njson = \"$.count\"\nequals = \"3\"\n",
        ),
    ));
    files
}

fn assertions_in(text: &str) -> usize {
    text.matches("[[assert]]").count()
}

/// The JSON lines of `output`'s stdout: one per request, then the totals.
fn json_lines(output: &Output) -> (Vec<Value>, Value) {
    let mut lines: Vec<Value> = stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let summary = lines.pop().expect("a summary line");
    (lines, summary)
}

/// `xmllint --schema` on `file` with the JUnit schema CI tools read.
fn assert_valid_junit(file: &Path) {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/junit.xsd");
    let checked = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(file)
        .output()
        .expect("xmllint (libxml2-utils, installed by scripts/setup.sh)");
    assert!(
        checked.status.success(),
        "the JUnit report is not valid: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// A sandbox whose access tokens live `ttl`, and a home with its
/// client-credentials credential "Sandbox", authorized.
fn sandbox_and_home(ttl: Duration) -> (Sandbox, TestHome) {
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: ttl,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(
        &sandbox,
        "Sandbox",
        "client-credentials",
        &["--allow-merge-fields-in-body"],
    );
    assert_ok(&home.run(&["authorize", "Sandbox"]));
    (sandbox, home)
}

#[test]
fn twenty_requests_run_eight_at_a_time_over_three_rows_with_one_refresh_per_expiry() {
    let (sandbox, home) = sandbox_and_home(Duration::from_secs(2));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("nightly");
    let files = nightly("Sandbox");
    assert_eq!(files.len(), 20);
    write_collection(&dir, "Nightly", &files);
    let rows = work.path().join("rows.csv");
    std::fs::write(
        &rows,
        "account,label\n001A,\"Acme, Inc.\"\n001B,Globex\n001C,Initech\n",
    )
    .unwrap();
    let junit = work.path().join("reports/junit.xml");
    let html = work.path().join("reports/run.html");
    // The stored token is dead at the provider before the first send: the
    // first eight sends all meet it at once.
    sandbox.expire_all_access_tokens();
    let grants_before = sandbox.stats().token_total("client_credentials");

    let output = home.run(&[
        "run",
        dir.to_str().unwrap(),
        "--parallel",
        "8",
        "--data",
        rows.to_str().unwrap(),
        "--json",
        "--reporter",
        &format!("junit:{}", junit.display()),
        "--reporter",
        &format!("html:{}", html.display()),
    ]);
    assert_ok(&output);
    let (results, summary) = json_lines(&output);
    assert_eq!(results.len(), 60, "{}", stderr(&output));
    let expected_assertions: usize = files
        .iter()
        .map(|(_, text)| assertions_in(text))
        .sum::<usize>()
        * 3;
    for result in &results {
        assert_eq!(result["state"], "passed", "{result:#}");
        let path = result["path"].as_str().unwrap();
        let (_, text) = files.iter().find(|(file, _)| file == path).unwrap();
        let evaluated = result["assertions"].as_array().unwrap();
        assert_eq!(evaluated.len(), assertions_in(text), "{result:#}");
        assert!(evaluated.iter().all(|a| a["passed"] == true), "{result:#}");
    }
    let mut iterations: Vec<u64> = results
        .iter()
        .map(|r| r["iteration"].as_u64().unwrap())
        .collect();
    iterations.dedup();
    iterations.sort();
    iterations.dedup();
    assert_eq!(iterations, [1, 2, 3]);
    assert_eq!(summary["totals"]["assertions"], expected_assertions);
    assert_eq!(summary["totals"]["assertionsFailed"], 0);
    assert_eq!(summary["exitStatus"], 0);

    // One refresh per expiry: the provider minted exactly the tokens the
    // run says it refreshed (after a refused token, or ahead of a stale one
    // by the clock), at least one (the forced expiry), and no more than one
    // per token lifetime the run lasted — eight sends meeting one dead
    // token refresh it once.
    let minted = sandbox.stats().token_total("client_credentials") - grants_before;
    let credential = &summary["credentials"][0];
    assert_eq!(credential["credential"], "Sandbox");
    assert_eq!(credential["refreshes"].as_u64().unwrap(), minted);
    assert!(minted >= 1, "the forced expiry was refreshed");
    // A token is renewed once it is refused or in the last tenth of its
    // life (1.8 s of 2 s), so two refreshes after the first are at least
    // 1.8 s apart.
    let lifetimes = summary["durationMs"].as_u64().unwrap() / 1800;
    assert!(
        minted <= 2 + lifetimes,
        "{minted} refreshes in {} ms of 2-second tokens",
        summary["durationMs"]
    );
    assert!(credential["expiries"].as_u64().unwrap() >= 1);

    assert_valid_junit(&junit);
    let junit_text = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit_text.matches("<testcase ").count(), 60);
    assert!(!junit_text.contains("<failure"), "{junit_text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("Nightly") && page.contains("Use account"),
        "the HTML report names the run"
    );
    // No token the provider issued is printed or reported.
    let everything = format!("{}{}{junit_text}{page}", stdout(&output), stderr(&output));
    for token in sandbox.issued_tokens() {
        assert!(!everything.contains(token.expose()), "a token was printed");
    }
}

#[test]
fn a_failing_assertion_exits_1_with_the_reason_and_a_junit_failure() {
    let (_sandbox, home) = sandbox_and_home(Duration::from_secs(60));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("checks");
    write_collection(
        &dir,
        "Checks",
        &[
            (
                "count.toml".into(),
                get(
                    "Count",
                    1,
                    &format!("callout:Sandbox{REST}"),
                    "\n[[assert]]\njson = \"$.totalSize\"\nequals = \"4\"\n",
                ),
            ),
            (
                "ok.toml".into(),
                get(
                    "Fine",
                    2,
                    &format!("callout:Sandbox{REST}"),
                    "\n[[assert]]\nstatus = 200\n",
                ),
            ),
        ],
    );
    let junit = work.path().join("junit.xml");
    let output = home.run(&[
        "run",
        dir.to_str().unwrap(),
        "--reporter",
        &format!("junit:{}", junit.display()),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        said.contains("$.totalSize") && said.contains("\"4\""),
        "{said}"
    );
    assert!(stdout(&output).contains("1 failed"), "{}", stdout(&output));
    assert_valid_junit(&junit);
    let text = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(text.matches("<failure").count(), 1, "{text}");
}

#[test]
fn a_request_that_cannot_be_sent_exits_2_and_bail_skips_the_rest() {
    let (_sandbox, home) = sandbox_and_home(Duration::from_secs(60));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("broken");
    write_collection(
        &dir,
        "Broken",
        &[
            (
                "a.toml".into(),
                get(
                    "Unknown variable",
                    1,
                    "callout:Sandbox/wso2/{{nowhere}}",
                    "",
                ),
            ),
            (
                "b.toml".into(),
                get("Never sent", 2, &format!("callout:Sandbox{REST}"), ""),
            ),
        ],
    );
    let output = home.run(&["run", dir.to_str().unwrap(), "--bail", "--json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let (results, summary) = json_lines(&output);
    assert_eq!(results[0]["state"], "errored");
    assert!(
        results[0]["error"]
            .as_str()
            .unwrap()
            .contains("{{nowhere}}"),
        "{:#}",
        results[0]
    );
    assert_eq!(results[1]["state"], "skipped");
    assert_eq!(summary["stopped"], true);
}

#[test]
fn expiry_and_salesforce_assertions_tell_a_recovered_expiry_from_none_and_values_flow_on() {
    let (sandbox, home) = sandbox_and_home(Duration::from_secs(60));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("story");
    write_collection(
        &dir,
        "Story",
        &[
            (
                "1-soap.toml".into(),
                soap(
                    "Meets the dead session",
                    1,
                    "Sandbox",
                    "\n[[assert]]\nexpiry = \"recovered\"\n\n[[assert]]\nsalesforce_refreshes = false\n\n\
                     [[extract]]\nvariable = \"size\"\nxpath = \"//size\"\n",
                ),
            ),
            (
                "2-rest.toml".into(),
                get(
                    "Fresh token",
                    2,
                    &format!("callout:Sandbox{REST}&size={{{{size}}}}"),
                    "\n[[assert]]\nexpiry = \"none\"\n\n[[assert]]\nexpiry = \"recovered\"\n",
                ),
            ),
        ],
    );
    sandbox.expire_all_access_tokens();
    let output = home.run(&["run", dir.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let (results, _) = json_lines(&output);
    let first = &results[0]["assertions"];
    assert_eq!(first[0]["passed"], true, "{first:#}");
    assert_eq!(first[1]["passed"], true, "{first:#}");
    assert_eq!(results[0]["refreshes"], 1);
    let second = &results[1]["assertions"];
    assert_eq!(second[0]["passed"], true, "{second:#}");
    assert_eq!(second[1]["passed"], false, "{second:#}");
    // The second request went out with the size the first one extracted.
    let history = home.run(&["history", "--json"]);
    assert!(stdout(&history).contains("size=3"), "{}", stdout(&history));
}

#[test]
fn shards_run_every_request_once_between_them() {
    let (_sandbox, home) = sandbox_and_home(Duration::from_secs(60));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("nightly");
    write_collection(&dir, "Nightly", &nightly("Sandbox"));
    let mut seen = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let output = home.run(&[
            "run",
            dir.to_str().unwrap(),
            "--shard",
            shard,
            "--json",
            "--var",
            "account=x",
            "--var",
            "label=y",
        ]);
        assert_ok(&output);
        let (results, _) = json_lines(&output);
        let names: Vec<String> = results
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        assert!(!names.is_empty(), "shard {shard} ran nothing");
        let find = names.iter().any(|name| name == "Find account");
        let using = names.iter().any(|name| name == "Use account");
        assert_eq!(
            find, using,
            "a request stays with the one whose value it uses"
        );
        seen.extend(names);
    }
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!((before, seen.len()), (20, 20));
}

/// `callout --ci`, the way a CI job runs it: no keychain, a credential
/// defined in the home, its client secret and refresh token in environment
/// variables.
fn ci_command(home: &TestHome, args: &[&str], secrets: &[(&str, &str)]) -> std::process::Command {
    let mut command = home.command(&[&["--ci"], args].concat());
    for (name, value) in secrets {
        command.env(name, value);
    }
    // No keychain at all: the Secret Service is out of reach.
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    command
}

#[test]
fn ci_mode_takes_secrets_from_the_environment_prints_none_and_exits_3_when_cut_off() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let home = TestHome::new();
    let (token_url, auth_url, base) = (
        sandbox.token_url(),
        sandbox.authorize_url(),
        sandbox.base_url(),
    );
    let added = crate::common::output_with_stdin(
        ci_command(
            &home,
            &[
                "credential",
                "add",
                "CI_Orders",
                "--flow",
                "auth-code",
                "--endpoint",
                &base,
                "--token-url",
                &token_url,
                "--auth-url",
                &auth_url,
                "--client-id",
                sandbox.client_id(),
                "--client-secret-stdin",
                "--scope",
                "api",
            ],
            &[],
        ),
        &format!("{}\n", sandbox.client_secret()),
    );
    assert_ok(&added);
    let issued = sandbox.issue_tokens("api");
    let refresh = issued.refresh_token.unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("ci");
    write_collection(
        &dir,
        "CI",
        &[(
            "wso2.toml".into(),
            get(
                "Accounts",
                1,
                "callout:CI_Orders/wso2/accounts",
                "\n[[assert]]\nstatus = 200\n",
            ),
        )],
    );
    let secrets = [
        ("CALLOUT_CI_ORDERS_CLIENT_SECRET", sandbox.client_secret()),
        ("CALLOUT_CI_ORDERS_REFRESH_TOKEN", refresh.expose()),
    ];
    let junit = work.path().join("junit.xml");
    let ran = ci_command(
        &home,
        &[
            "run",
            dir.to_str().unwrap(),
            "--json",
            "--reporter",
            &format!("junit:{}", junit.display()),
        ],
        &secrets,
    )
    .output()
    .unwrap();
    assert_ok(&ran);
    assert!(
        stderr(&ran).contains(
            "CI_Orders: CALLOUT_CI_ORDERS_CLIENT_SECRET, CALLOUT_CI_ORDERS_REFRESH_TOKEN"
        ),
        "{}",
        stderr(&ran)
    );
    let (results, _) = json_lines(&ran);
    assert_eq!(results[0]["state"], "passed", "{:#}", results[0]);
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);

    // The same from stdin, then cut off at the provider: run and send both
    // exit 3, and say which credential to authorize again.
    sandbox.revoke_all_refresh_tokens();
    let stdin_secrets = format!(
        "# from the CI's secret store\nCALLOUT_CI_ORDERS_CLIENT_SECRET={}\nCALLOUT_CI_ORDERS_REFRESH_TOKEN={}\n",
        sandbox.client_secret(),
        refresh.expose()
    );
    let cut = crate::common::output_with_stdin(
        ci_command(
            &home,
            &["--secrets-stdin", "run", dir.to_str().unwrap()],
            &[],
        ),
        &stdin_secrets,
    );
    assert_eq!(cut.status.code(), Some(3), "{}", stderr(&cut));
    // A token the provider killed early: 401, the refresh refused.
    sandbox.expire_all_access_tokens();
    let sent = crate::common::output_with_stdin(
        ci_command(
            &home,
            &["--secrets-stdin", "send", "callout:CI_Orders/wso2/accounts"],
            &[],
        ),
        &format!(
            "{stdin_secrets}CALLOUT_CI_ORDERS_ACCESS_TOKEN={}\n",
            issued.access_token.expose()
        ),
    );
    assert!(stdout(&sent).starts_with("HTTP 401"), "{}", stdout(&sent));
    assert_eq!(sent.status.code(), Some(3), "{}", stderr(&sent));
    assert!(stderr(&sent).contains("CI_Orders"), "{}", stderr(&sent));

    let everything = [&ran, &cut, &sent]
        .iter()
        .map(|output| format!("{}{}", stdout(output), stderr(output)))
        .collect::<String>()
        + &std::fs::read_to_string(&junit).unwrap();
    for token in sandbox.issued_tokens() {
        assert!(!everything.contains(token.expose()), "a token was printed");
    }
    assert!(!everything.contains(sandbox.client_secret()));
    crate::common::assert_no_secret_in_files(home.path(), &[refresh.expose()]);
}
