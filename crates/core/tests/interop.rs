//! Requests out as curl and Apex (snapshots of the sample requests, as
//! people read them) and curl in and out again.

use callout_core::credential::{AuthProtocol, ClientAuth, Credential, CredentialSet};
use callout_core::interop::{apex, curl, is_unsafe, postman};
use callout_core::requests::{BodyKind, samples, soap_query_envelope};
use callout_core::send::{Draft, Header};

fn sandbox_credentials() -> CredentialSet {
    let mut sandbox = Credential::new("Sandbox", "http://127.0.0.1:7777");
    sandbox.client_id = Some("callout-lab-sandbox".into());
    CredentialSet::new(vec![sandbox]).unwrap()
}

fn slug(name: &str) -> String {
    name.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `tests/fixtures/postman/NAME.postman_collection.json`, imported.
fn postman_fixture(name: &str) -> postman::Collection {
    let path = format!(
        "{}/tests/fixtures/postman/{name}.postman_collection.json",
        env!("CARGO_MANIFEST_DIR")
    );
    postman::import(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn sample_requests_as_apex() {
    let credentials = sandbox_credentials();
    for sample in samples("Sandbox") {
        let snippet = apex::export(&sample.draft(), &credentials).unwrap();
        insta::assert_snapshot!(format!("apex_{}", slug(&sample.name)), snippet);
    }
}

#[test]
fn sample_requests_as_curl() {
    let credentials = sandbox_credentials();
    for sample in samples("Sandbox") {
        let command = curl::export(&sample.draft(), &credentials).unwrap();
        insta::assert_snapshot!(format!("curl_{}", slug(&sample.name)), command);
    }
}

#[test]
fn only_the_soap_sample_gets_the_refresh_workaround() {
    let credentials = sandbox_credentials();
    for sample in samples("Sandbox") {
        let snippet = apex::export(&sample.draft(), &credentials).unwrap();
        assert_eq!(
            snippet.contains("Salesforce will NOT refresh this token"),
            sample.name.contains("SOAP"),
            "{}",
            sample.name
        );
    }
}

#[test]
fn an_exported_curl_never_holds_the_token_and_reads_back_as_the_resolved_request() {
    let credentials = sandbox_credentials();
    let soap = samples("Sandbox").remove(0);
    let command = curl::export(&soap.draft(), &credentials).unwrap();
    assert!(command.starts_with("CALLOUT_TOKEN=\"$(callout token Sandbox)\"\n"));
    // Everything after the first line is the curl command itself.
    let (_, curl_command) = command.split_once('\n').unwrap();
    let back = curl::import(curl_command, &|_| unreachable!("no files"))
        .unwrap()
        .draft;
    assert_eq!(back.url, "http://127.0.0.1:7777/services/Soap/u/59.0");
    assert_eq!(back.method, "POST");
    let body = back.body.unwrap();
    assert!(
        body.contains("<urn:sessionId>$CALLOUT_TOKEN</urn:sessionId>"),
        "{body}"
    );
    assert_eq!(
        back.headers
            .last()
            .map(|h| (h.name.as_str(), h.value.as_str())),
        Some(("Authorization", "Bearer $CALLOUT_TOKEN"))
    );
}

#[test]
fn curl_goes_round_trip_through_a_request() {
    let commands = [
        "curl https://api.example.com/v1/accounts",
        "curl -X DELETE https://api.example.com/v1/accounts/42 \\\n  -H 'If-Match: \"abc\"'",
        "curl https://api.example.com/soap \\\n  -H 'Content-Type: text/xml' \\\n  --data-raw \
         '<a>\n  <b>it'\\''s</b>\n</a>'",
    ];
    for command in commands {
        let draft: Draft = curl::import(command, &|_| unreachable!("no files"))
            .unwrap()
            .draft;
        let exported = curl::export(&draft, &CredentialSet::default()).unwrap();
        assert_eq!(exported.trim_end(), command, "{draft:?}");
    }
}

#[test]
fn a_postman_collection_comes_in_with_folders_bodies_and_credential_drafts_but_no_secrets() {
    let collection = postman_fixture("acme_crm");
    assert_eq!(collection.name, "Acme CRM API");
    let listed: Vec<(String, String, String)> = collection
        .requests
        .iter()
        .map(|r| (r.name.clone(), r.method.clone(), r.url.clone()))
        .collect();
    let expect = |name: &str, method: &str, url: &str| {
        (name.to_string(), method.to_string(), url.to_string())
    };
    assert_eq!(
        listed,
        [
            expect(
                "Accounts / List accounts",
                "GET",
                "callout:Acme_CRM_API/v2/accounts?limit=50&offset=0"
            ),
            expect(
                "Accounts / Get account",
                "GET",
                "callout:Acme_CRM_API/v2/accounts/{{accountId}}"
            ),
            expect(
                "Accounts / Create account",
                "POST",
                "callout:Acme_CRM_API/v2/accounts"
            ),
            expect(
                "Accounts / Update account",
                "PATCH",
                "callout:Acme_CRM_API/v2/accounts/42"
            ),
            expect(
                "Accounts / Delete account",
                "DELETE",
                "callout:Acme_CRM_API/v2/accounts/42"
            ),
            expect(
                "Contacts / Search / By email",
                "GET",
                "callout:Acme_CRM_API/v2/contacts?email=jane%40globex.example"
            ),
            expect(
                "Contacts / Search / GraphQL search",
                "POST",
                "callout:Acme_CRM_API/graphql"
            ),
            expect(
                "Contacts / Import contacts (form)",
                "POST",
                "callout:Acme_CRM_API/v2/contacts/import"
            ),
            expect(
                "Contacts / Upload photo",
                "POST",
                "callout:Acme_CRM_API/v2/contacts/7/photo"
            ),
            expect(
                "Orders (legacy SOAP) / Get order",
                "POST",
                "callout:Acme_CRM_API_2/soap/orders"
            ),
            expect(
                "Orders (legacy SOAP) / Cancel order",
                "POST",
                "callout:Acme_CRM_API_2/soap/orders"
            ),
            expect("Health", "GET", "https://api.acme.example/health"),
            expect(
                "Partner webhook",
                "POST",
                "https://hooks.partner.example/acme"
            ),
            expect(
                "Metrics (basic auth)",
                "GET",
                "https://metrics.acme.example/v1/summary"
            ),
        ]
    );
    let by_name = |name: &str| {
        collection
            .requests
            .iter()
            .find(|r| r.name.ends_with(name))
            .unwrap()
    };
    // Disabled headers stay out; bodies keep their kind.
    assert_eq!(by_name("List accounts").headers.len(), 1);
    assert_eq!(by_name("Create account").body_kind, BodyKind::Json);
    assert_eq!(by_name("Get order").body_kind, BodyKind::Xml);
    assert_eq!(
        by_name("Import contacts (form)").body.as_deref(),
        Some("source=trade+fair&tags=a%26b")
    );
    assert_eq!(
        by_name("GraphQL search").body.as_deref(),
        Some(
            r#"{"query":"query($q: String!) { contacts(q: $q) { id name } }","variables":{"q":"jane"}}"#
        )
    );
    assert_eq!(by_name("Upload photo").body, None);
    assert_eq!(
        by_name("Partner webhook").headers.last().unwrap().value,
        "Bearer {!$Credential.OAuthToken}"
    );

    // Two OAuth 2 configurations, two drafts; each valid, none with a secret.
    assert_eq!(collection.credentials.len(), 2);
    let acme = &collection.credentials[0];
    assert_eq!(acme.name, "Acme_CRM_API");
    assert_eq!(acme.endpoint, "https://api.acme.example");
    assert_eq!(acme.protocol, AuthProtocol::AuthorizationCode);
    assert_eq!(
        acme.token_url.as_deref(),
        Some("https://login.acme.example/oauth2/token")
    );
    assert_eq!(
        acme.scopes,
        ["accounts.read", "accounts.write", "offline_access"]
    );
    let legacy = &collection.credentials[1];
    assert_eq!(legacy.name, "Acme_CRM_API_2");
    assert_eq!(legacy.protocol, AuthProtocol::ClientCredentials);
    assert_eq!(legacy.client_auth, ClientAuth::Body);
    for credential in &collection.credentials {
        credential.validate().unwrap();
    }

    // What was left out is said.
    let notes = collection.notes.join("\n");
    for expected in [
        "credential Acme_CRM_API: the client secret was not imported",
        "credential Acme_CRM_API: the collection's saved access token was not imported",
        "credential Acme_CRM_API_2: the client secret was not imported",
        "\"Contacts / Upload photo\": its formdata body was not imported",
        "\"Partner webhook\": its bearer token was not imported",
        "\"Metrics (basic auth)\": basic authentication was not imported",
        "{{accountId}} has no value",
    ] {
        assert!(
            notes.contains(expected),
            "missing note {expected:?} in:\n{notes}"
        );
    }

    // No secret of the collection made it into what would be saved.
    let saved = format!(
        "{}{}",
        serde_json::to_string(&collection.requests).unwrap(),
        serde_json::to_string(&collection.credentials).unwrap()
    );
    assert_eq!(saved.matches("DO-NOT-LEAK").count(), 0, "{saved}");
}

/// A request as someone could save it by hand in `requests.json`, or as an
/// older version imported it: line breaks of every kind, quotes, a
/// backslash-u escape and terminal controls wherever text goes.
fn hostile_draft(url: &str) -> Draft {
    Draft {
        method: "POST".into(),
        url: format!("{url}\n}}System.debug('url');//\r\u{2028}\u{2029}\u{85}\\u000a\u{202e}'"),
        headers: vec![
            Header::new("Content-Type", "text/xml"),
            Header::new(
                "X-Key\n}System.debug('name');//",
                "{!$Credential.OAuthToken}\r\n'); System.debug('value",
            ),
        ],
        body: Some(soap_query_envelope(
            "SELECT Id FROM Account WHERE Name = 'x\u{2028}'); System.debug('body\\'); //",
        )),
    }
}

/// The code of an Apex line outside its string literals, or why the line
/// is not one that Apex reads the way it looks: a string left open, or a
/// character that ends a line or hides text.
fn apex_code(line: &str) -> Result<String, String> {
    if let Some(c) = line.chars().find(|&c| is_unsafe(c)) {
        return Err(format!("U+{:04X} in {line:?}", u32::from(c)));
    }
    if line.starts_with("//") {
        return Ok(String::new());
    }
    let mut code = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\'' {
            code.push(c);
            continue;
        }
        loop {
            match chars.next() {
                Some('\'') => break,
                Some('\\') => {
                    chars.next();
                }
                Some(_) => {}
                None => return Err(format!("a string left open in {line:?}")),
            }
        }
    }
    Ok(code.trim().to_string())
}

#[test]
fn a_hostile_request_cannot_break_out_of_an_apex_snippet() {
    let snippet = apex::export(
        &hostile_draft("callout:Sandbox/services/Soap/u/59.0"),
        &sandbox_credentials(),
    )
    .unwrap();
    insta::assert_snapshot!("apex_hostile_request", snippet);
    // Outside comments and strings, only the snippet's own statements.
    let code: Vec<String> = snippet
        .lines()
        .map(apex_code)
        .collect::<Result<_, _>>()
        .unwrap();
    let code: Vec<&str> = code
        .iter()
        .map(String::as_str)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        code[..6],
        [
            "HttpRequest req = new HttpRequest();",
            "req.setEndpoint();",
            "req.setMethod();",
            "req.setHeader(, );",
            "req.setHeader(, );",
            "req.setBody(",
        ]
    );
    assert!(
        code[6..code.len() - 3].iter().all(|c| *c == "+"),
        "{code:?}"
    );
    assert_eq!(
        code[code.len() - 3..],
        [
            ");",
            "HttpResponse res = new Http().send(req);",
            "System.debug(res.getStatusCode() +  + res.getBody());",
        ]
    );
    assert!(
        snippet.contains("//   Allow Merge Fields in HTTP Header: on (merge fields in X-Key\\n}"),
        "{snippet}"
    );

    // A plain URL goes into the Remote Site Settings comment as well.
    let plain = apex::export(
        &Draft {
            headers: vec![],
            body: None,
            ..hostile_draft("https://x.test/a")
        },
        &CredentialSet::default(),
    )
    .unwrap();
    for line in plain.lines() {
        apex_code(line).unwrap();
    }
    assert!(
        plain.starts_with(
            "// POST https://x.test/a\\n}System.debug('url');//\\r\\u2028\\u2029\\u0085\\\\u000a\
             \\u202e'\n"
        ),
        "{plain}"
    );
}

#[test]
fn a_hostile_request_exported_as_curl_is_exactly_one_command_with_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let touch = format!("touch {}", marker.display());
    let draft = Draft {
        method: "PUT".into(),
        url: format!("https://x.test/a'$({touch})`{touch}`\n{touch}\u{1b}[201~"),
        headers: vec![Header::new(
            format!("X-A'; {touch}; '\r\n{touch}"),
            format!("v\u{2028}\"$({touch})\"\u{3}\n{touch}\n"),
        )],
        body: Some(format!(
            "it's\n'; {touch}; '\r\n\u{85}$({touch})\t`{touch}`\n"
        )),
    };
    let command = curl::export(&draft, &CredentialSet::default()).unwrap();
    // No character a terminal acts on is written as it is: outside the body
    // none at all but the line continuations, in the body only its own line
    // feeds and tabs.
    let (head, body) = command.split_once("--data-raw").unwrap();
    let head = head.replace(" \\\n  ", " ");
    assert!(!head.chars().any(is_unsafe), "{command}");
    assert!(
        !body.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'),
        "{command}"
    );
    let expected = [
        "-X".to_string(),
        "PUT".into(),
        draft.url.clone(),
        "-H".into(),
        format!("{}: {}", draft.headers[0].name, draft.headers[0].value),
        "--data-raw".into(),
        draft.body.clone().unwrap(),
    ];
    // `curl` stands in as a function that prints what it was given.
    let run = |shell: &str| {
        let script = format!("curl() {{ printf '%s\\0' \"$@\"; }}\n{command}");
        let out = std::process::Command::new(shell)
            .args(["-c", &script])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let words: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split_terminator('\0')
            .map(str::to_string)
            .collect();
        words
    };
    // bash reads $'...' as the escaped characters: exactly the request's words.
    assert_eq!(run("bash"), expected, "{command}");
    // An older sh reads $'\n' as $ and \n: other text, but the same words, one command.
    assert_eq!(run("sh").len(), expected.len(), "{command}");
    assert!(!marker.exists(), "{command}");
}

#[test]
fn postman_urls_with_idn_hosts_default_ports_users_and_spaces_come_in_as_written() {
    let collection = postman_fixture("urls");
    let listed: Vec<(&str, &str)> = collection
        .requests
        .iter()
        .map(|r| (r.name.as_str(), r.url.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Books (IDN host)", "callout:Partner_URLs/path"),
            ("Explicit default port", "callout:Partner_URLs_2/v1/items"),
            ("User in the URL", "callout:Partner_URLs_2/v1/me"),
            ("Leading whitespace", "callout:Partner_URLs_2/v1/{{id}}"),
            ("From parts", "callout:Partner_URLs_3/v1/orders?state=open"),
            ("Plain IDN", "https://bücher.example/path"),
            ("Tab in a header value", "callout:Partner_URLs_2/v1/t"),
        ]
    );
    let endpoints: Vec<(&str, &str)> = collection
        .credentials
        .iter()
        .map(|c| (c.name.as_str(), c.endpoint.as_str()))
        .collect();
    assert_eq!(
        endpoints,
        [
            ("Partner_URLs", "https://xn--bcher-kva.example"),
            ("Partner_URLs_2", "https://api.partner.example"),
            ("Partner_URLs_3", "https://api.partner.example:8443"),
        ]
    );
    for credential in &collection.credentials {
        credential.validate().unwrap();
    }
    // Each joins back to the URL the collection meant.
    let credentials = CredentialSet::new(collection.credentials.clone()).unwrap();
    let resolved: Vec<String> = collection
        .requests
        .iter()
        .map(|request| {
            let target = callout_core::endpoint::split(&request.url).unwrap();
            match target.credential {
                Some(name) => callout_core::endpoint::join(
                    &credentials.get(name).unwrap().endpoint,
                    target.rest,
                ),
                None => target.rest.to_string(),
            }
        })
        .collect();
    assert_eq!(
        resolved,
        [
            "https://xn--bcher-kva.example/path",
            "https://api.partner.example/v1/items",
            "https://api.partner.example/v1/me",
            "https://api.partner.example/v1/{{id}}",
            "https://api.partner.example:8443/v1/orders?state=open",
            "https://bücher.example/path",
            "https://api.partner.example/v1/t",
        ]
    );
    let notes = collection.notes.join("\n");
    assert!(
        notes.contains(
            "\"User in the URL\": the user name and password in its URL were not imported; \
             credential Partner_URLs_2 signs the request in"
        ),
        "{notes}"
    );
    let saved = format!(
        "{}{}",
        serde_json::to_string(&collection.requests).unwrap(),
        serde_json::to_string(&collection.credentials).unwrap()
    );
    assert!(!saved.contains("DO-NOT-LEAK"), "{saved}");
}

#[test]
fn a_postman_request_with_a_line_break_or_control_is_left_out_and_named() {
    let collection = postman_fixture("urls");
    let left_out: Vec<&str> = collection
        .notes
        .iter()
        .map(String::as_str)
        .filter(|note| note.contains("was not imported:"))
        .collect();
    assert_eq!(
        left_out,
        [
            "\"Newline in the URL\" (item[6]) was not imported: its URL holds a line feed \
             (U+000A) at character 30",
            "\"Newline from a variable\" (item[7]) was not imported: its URL holds a line feed \
             (U+000A) at character 31",
            "\"Line separator in a header name\" (item[8]) was not imported: the name of its \
             header 1 (\"X-A\\u{2028}System.debug(1);\") holds a line separator (U+2028) at \
             character 4",
            "\"CRLF in a header value\" (item[9]) was not imported: the value of its header \
             X-Trace holds a carriage return (U+000D) at character 2",
            "\"Escape in the method\" (item[10]) was not imported: its method holds a control \
             character (U+001B) at character 4",
            "\"Bidi override in the URL\" (item[11]) was not imported: its URL holds an \
             invisible formatting character (U+202E) at character 32",
        ]
    );
    let tab = collection.requests.last().unwrap();
    assert_eq!(tab.headers[0].value, "a\tb");
}
