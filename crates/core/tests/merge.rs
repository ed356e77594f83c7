//! Merge fields and `callout:` endpoints: exact errors with positions,
//! rendering in the sent and the masked form, Salesforce-compatibility lint,
//! and property tests of the parser.

use std::collections::BTreeMap;

use callout_core::credential::{AuthProtocol, Credential, CredentialSecrets, CredentialSet};
use callout_core::merge::{self, Location, MergeField, Segment};
use callout_core::send::{Call, Draft};
use callout_core::{Error, Secret};
use proptest::prelude::*;

const TOKEN: &str = "00Dxx0000001gPL!AQ4AQLiveTokenValue9f3e";

fn sales() -> Credential {
    let mut credential = Credential::new("Sales_API", "https://acme.my.salesforce.com/");
    credential.client_id = Some("3MVG9consumerKey".into());
    credential
}

fn set(credentials: Vec<Credential>) -> CredentialSet {
    CredentialSet::new(credentials).unwrap()
}

fn secrets() -> CredentialSecrets {
    CredentialSecrets::with_token(TOKEN)
}

#[test]
fn an_unknown_field_is_named_with_its_position() {
    let error = merge::parse(
        "<Envelope>\n  <sessionId>{!$Credential.AccessToken}</sessionId>",
        &Location::body(),
    )
    .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::UnknownMergeField { name, location, line: 2, column: 14 }
                if name == "$Credential.AccessToken" && *location == Location::body()
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "unknown merge field {!$Credential.AccessToken} in the body at line 2, column 14; known \
         fields: $Credential.OAuthToken, .Username, .Password, .AuthorizationMethod, \
         .AuthorizationHeaderValue, .OAuthConsumerKey, $Credential.<ExternalCredential>.<Parameter>"
    );
}

#[test]
fn an_unclosed_field_is_an_error_at_its_start() {
    let error = merge::parse(
        "Bearer {!$Credential.OAuthToken",
        &Location::header("Authorization"),
    )
    .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::UnclosedMergeField { location, line: 1, column: 8 }
                if *location == Location::header("Authorization")
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "unclosed merge field: the {! in the header \"Authorization\" at line 1, column 8 has no \
         closing }"
    );
    // A second `{!` before the first is closed also means the first is unclosed.
    let error = merge::parse(
        "a\n b {!$Credential.Username c {!$Credential.Password}",
        &Location::body(),
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::UnclosedMergeField {
                line: 2,
                column: 4,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn only_htmlencode_may_wrap_a_field() {
    let error =
        merge::parse("x {!BASE64ENCODE($Credential.Password)}", &Location::body()).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::DisallowedMergeFunction { name, line: 1, column: 3, .. } if name == "BASE64ENCODE"
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "function BASE64ENCODE is not allowed around a merge field (in the body at line 1, column \
         3); only HTMLENCODE may wrap a merge field"
    );
}

#[test]
fn other_merge_namespaces_are_unknown_fields() {
    let error = merge::parse("{!$User.Email}", &Location::url()).unwrap_err();
    assert!(
        matches!(&error, Error::UnknownMergeField { name, line: 1, column: 1, .. } if name == "$User.Email"),
        "{error:?}"
    );
    let error = merge::parse("{!HTMLENCODE($Credential.Nope)}", &Location::body()).unwrap_err();
    assert!(
        matches!(&error, Error::UnknownMergeField { name, .. } if name == "$Credential.Nope"),
        "{error:?}"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let segments = merge::parse("héllo → {!$Credential.Username}", &Location::body()).unwrap();
    let Segment::Field(usage) = &segments[1] else {
        panic!("{segments:?}")
    };
    assert_eq!((usage.at.line, usage.at.column), (1, 9));
}

#[test]
fn external_credential_parameters_are_fields() {
    let segments = merge::parse("{!$Credential.Stripe_Ext.ApiKey}", &Location::body()).unwrap();
    assert_eq!(
        segments,
        vec![Segment::Field(merge::FieldUse {
            field: MergeField::External {
                credential: "Stripe_Ext".into(),
                parameter: "ApiKey".into()
            },
            html_encode: false,
            at: merge::Position { line: 1, column: 1 },
            source: "{!$Credential.Stripe_Ext.ApiKey}".into(),
        })]
    );
}

#[test]
fn a_soap_request_renders_with_the_token_and_masks_it_for_display() {
    let mut credential = sales();
    credential.salesforce.allow_merge_fields_in_body = true;
    let draft = Draft::new("post", "callout:sales_api/services/Soap/u/62.0")
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "query")
        .body(
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <soapenv:Header><SessionHeader><sessionId>{!$Credential.OAuthToken}</sessionId>\
             </SessionHeader></soapenv:Header></soapenv:Envelope>",
        );
    let rendered = merge::render(
        &Call::resolve(&draft, &set(vec![credential])).unwrap(),
        &secrets(),
    )
    .unwrap();
    assert_eq!(rendered.method, "POST");
    assert_eq!(rendered.credential.as_deref(), Some("Sales_API"));
    assert_eq!(
        rendered.expose_url(),
        "https://acme.my.salesforce.com/services/Soap/u/62.0"
    );
    let body = rendered.expose_body().unwrap();
    assert!(
        body.contains(&format!("<sessionId>{TOKEN}</sessionId>")),
        "{body}"
    );
    assert_eq!(
        rendered.expose_headers().last().unwrap(),
        &("Authorization".to_string(), format!("Bearer {TOKEN}"))
    );

    let shown = rendered.display();
    let shown_json = serde_json::to_string(&shown).unwrap();
    assert!(!shown_json.contains("LiveToken"), "{shown_json}");
    assert!(!format!("{rendered:?}").contains("LiveToken"));
    insta::assert_json_snapshot!("soap_request_display", shown);
    insta::assert_json_snapshot!("soap_request_lint", rendered.lint);
}

#[test]
fn salesforce_differences_are_listed_with_their_places() {
    let credential = sales(); // merge fields allowed nowhere
    let draft = Draft::new("GET", "callout:Sales_API/x?token={!$Credential.OAuthToken}")
        .header("X-Key", "{!HTMLENCODE($Credential.OAuthConsumerKey)}")
        .header("Authorization", "Bearer {!$Credential.OAuthToken}")
        .body("user={!$Credential.OAuthConsumerKey}");
    let rendered = merge::render(
        &Call::resolve(&draft, &set(vec![credential])).unwrap(),
        &secrets(),
    )
    .unwrap();
    let ids: Vec<&str> = rendered.lint.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "salesforce.merge_in_url",
            "salesforce.header_merge_disabled",
            "salesforce.htmlencode_in_header",
            "salesforce.header_merge_disabled",
            "salesforce.authorization_header_conflict",
            "salesforce.body_merge_disabled",
        ]
    );
    insta::assert_json_snapshot!("lint_everywhere", rendered.lint);
    // The request's own Authorization header wins; none is generated.
    let authorizations = rendered
        .expose_headers()
        .into_iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .count();
    assert_eq!(authorizations, 1);
    assert_eq!(
        rendered.expose_url(),
        format!("https://acme.my.salesforce.com/x?token={TOKEN}")
    );
    assert_eq!(
        rendered.display().url,
        "https://acme.my.salesforce.com/x?token=••••9f3e"
    );
}

#[test]
fn allowed_fields_produce_no_lint() {
    let mut credential = sales();
    credential.salesforce.allow_merge_fields_in_header = true;
    credential.salesforce.allow_merge_fields_in_body = true;
    credential.salesforce.generate_authorization_header = false;
    let draft = Draft::new("POST", "callout:Sales_API/services/data")
        .header("Authorization", "Bearer {!$Credential.OAuthToken}")
        .body("{\"key\":\"{!HTMLENCODE($Credential.OAuthConsumerKey)}\"}");
    let rendered = merge::render(
        &Call::resolve(&draft, &set(vec![credential])).unwrap(),
        &secrets(),
    )
    .unwrap();
    assert_eq!(rendered.lint, vec![]);
    assert_eq!(rendered.expose_headers().len(), 1);
}

#[test]
fn password_credentials_render_basic_values() {
    let mut credential = Credential::new("Legacy", "https://erp.example/api");
    credential.protocol = AuthProtocol::Basic;
    credential.salesforce.allow_merge_fields_in_body = true;
    let secrets = CredentialSecrets {
        username: Some("ann".into()),
        password: Some(Secret::new("p<a&ss")),
        ..CredentialSecrets::default()
    };
    let draft = Draft::new("POST", "callout:Legacy").body(
        "{!$Credential.AuthorizationMethod} {!$Credential.AuthorizationHeaderValue} \
         {!HTMLENCODE($Credential.Password)} {!$Credential.Username}",
    );
    let rendered = merge::render(
        &Call::resolve(&draft, &set(vec![credential])).unwrap(),
        &secrets,
    )
    .unwrap();
    assert_eq!(
        rendered.expose_body().unwrap(),
        "Basic YW5uOnA8YSZzcw== p&lt;a&amp;ss ann"
    );
    assert_eq!(
        rendered.display().body.unwrap(),
        "Basic ••••cw== ••••p;ss ann"
    );
    assert_eq!(
        rendered.expose_headers(),
        vec![(
            "Authorization".to_string(),
            "Basic YW5uOnA8YSZzcw==".to_string()
        )]
    );
    assert_eq!(rendered.expose_url(), "https://erp.example/api");
}

#[test]
fn external_parameters_come_from_the_secrets() {
    let mut credential = Credential::new("Stripe", "https://api.stripe.com");
    credential.protocol = AuthProtocol::NoAuthentication;
    credential.external_credential = Some("Stripe_Ext".into());
    let secrets = CredentialSecrets {
        parameters: BTreeMap::from([("ApiKey".to_string(), Secret::new("sk_test_51abcdefgh"))]),
        ..CredentialSecrets::default()
    };
    let credentials = set(vec![credential]);
    let draft = Draft::new("GET", "callout:Stripe/v1/charges")
        .header("Authorization", "Bearer {!$Credential.stripe_ext.apikey}");
    let rendered = merge::render(&Call::resolve(&draft, &credentials).unwrap(), &secrets).unwrap();
    assert_eq!(
        rendered.expose_headers(),
        vec![(
            "Authorization".to_string(),
            "Bearer sk_test_51abcdefgh".to_string()
        )]
    );

    let draft = Draft::new("GET", "callout:Stripe/v1").header("X", "{!$Credential.Other.ApiKey}");
    assert_eq!(
        merge::render(&Call::resolve(&draft, &credentials).unwrap(), &secrets)
            .unwrap_err()
            .to_string(),
        "{!$Credential.Other.ApiKey} needs external credential \"Other\" (it uses \
         \"Stripe_Ext\"), and credential \"Stripe\" has none"
    );
}

#[test]
fn missing_values_are_named() {
    let draft = Draft::new("GET", "callout:Sales_API/x").header("X", "{!$Credential.Password}");
    let error = merge::render(
        &Call::resolve(&draft, &set(vec![sales()])).unwrap(),
        &secrets(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "{!$Credential.Password} needs a password, and credential \"Sales_API\" has none"
    );
    let draft = Draft::new("GET", "callout:Sales_API/x");
    let error = merge::render(
        &Call::resolve(&draft, &set(vec![sales()])).unwrap(),
        &CredentialSecrets::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the generated Authorization header needs an access token, and credential \"Sales_API\" \
         has none"
    );
}

#[test]
fn unknown_credentials_list_the_known_ones() {
    let credentials = set(vec![
        sales(),
        Credential::new("Graph", "https://graph.microsoft.com"),
    ]);
    let error =
        Call::resolve(&Draft::new("GET", "callout:Grpah/v1.0/me"), &credentials).unwrap_err();
    assert!(
        matches!(&error, Error::UnknownCredential { name, known } if name == "Grpah" && known == &["Sales_API", "Graph"]),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "unknown credential \"Grpah\" in callout:Grpah; known credentials: Sales_API, Graph"
    );
}

#[test]
fn merge_fields_need_a_credential() {
    let draft = Draft::new("GET", "https://example.com/x")
        .header("Authorization", "Bearer {!$Credential.OAuthToken}");
    let error =
        merge::render(&Call::resolve(&draft, &set(vec![])).unwrap(), &secrets()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the header \"Authorization\" uses merge field {!$Credential.OAuthToken}, but the URL \
         names no credential: use a callout:NAME/... URL"
    );
}

#[test]
fn plain_urls_are_checked() {
    let error = merge::render(
        &Call::resolve(&Draft::new("GET", "example.com/x"), &set(vec![])).unwrap(),
        &secrets(),
    )
    .unwrap_err();
    assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
    let rendered = merge::render(
        &Call::resolve(&Draft::new("GET", "http://127.0.0.1:9/x"), &set(vec![])).unwrap(),
        &secrets(),
    )
    .unwrap();
    assert_eq!(rendered.expose_url(), "http://127.0.0.1:9/x");
    assert_eq!(rendered.expose_headers(), vec![]);
}

/// Text that never contains `{!`.
fn literal() -> impl Strategy<Value = String> {
    "[^{]{0,12}(\\{[^!{]{0,3})?".prop_map(|text| text)
}

fn field() -> impl Strategy<Value = (String, MergeField, bool)> {
    let legacy = prop_oneof![
        Just(("OAuthToken", MergeField::OAuthToken)),
        Just(("username", MergeField::Username)),
        Just(("PASSWORD", MergeField::Password)),
        Just(("AuthorizationMethod", MergeField::AuthorizationMethod)),
        Just((
            "AuthorizationHeaderValue",
            MergeField::AuthorizationHeaderValue
        )),
        Just(("OAuthConsumerKey", MergeField::OAuthConsumerKey)),
    ]
    .prop_map(|(name, field)| (format!("$Credential.{name}"), field));
    let external = ("[A-Za-z][A-Za-z0-9_]{0,8}", "[A-Za-z][A-Za-z0-9_]{0,8}").prop_map(|(c, p)| {
        (
            format!("$credential.{c}.{p}"),
            MergeField::External {
                credential: c,
                parameter: p,
            },
        )
    });
    (prop_oneof![legacy, external], any::<bool>(), " {0,2}").prop_map(
        |((text, field), encode, pad)| {
            let expression = if encode {
                format!("{pad}HTMLENCODE({text}){pad}")
            } else {
                format!("{pad}{text}")
            };
            (format!("{{!{expression}}}"), field, encode)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Parsing never panics, and what parses turns back into the same text.
    #[test]
    fn parse_never_panics_and_round_trips(text in ".{0,200}") {
        if let Ok(segments) = merge::parse(&text, &Location::body()) {
            prop_assert_eq!(merge::to_source(&segments), text);
        }
    }

    /// Texts built from known fields parse back into exactly those fields,
    /// at the right lines and columns.
    #[test]
    fn built_texts_parse_into_their_fields(
        parts in proptest::collection::vec((literal(), field(), "\n?"), 0..6),
        tail in literal(),
    ) {
        let mut text = String::new();
        let mut expected = Vec::new();
        for (before, (source, field, encode), newline) in &parts {
            text.push_str(before);
            let line = text.matches('\n').count() + 1;
            let column = text.rsplit('\n').next().unwrap().chars().count() + 1;
            text.push_str(source);
            text.push_str(newline);
            expected.push((field.clone(), *encode, line, column));
        }
        text.push_str(&tail);
        let segments = merge::parse(&text, &Location::body()).unwrap();
        prop_assert_eq!(merge::to_source(&segments), text.clone());
        let found: Vec<_> = segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Field(usage) => Some((usage.field.clone(), usage.html_encode, usage.at.line, usage.at.column)),
                _ => None,
            })
            .collect();
        prop_assert_eq!(found, expected);
    }

    /// Rendering never leaks a secret into the display form.
    #[test]
    fn display_never_shows_secrets(token in "[A-Za-z0-9!._-]{12,40}", fields in proptest::collection::vec(field(), 1..4)) {
        let mut credential = sales();
        credential.protocol = AuthProtocol::AuthorizationCode;
        let mut body = String::new();
        for (source, field, _) in &fields {
            if matches!(field, MergeField::OAuthToken | MergeField::AuthorizationHeaderValue) {
                body.push_str(source);
            }
        }
        let draft = Draft::new("POST", "callout:Sales_API/x").body(format!("a{body}b"));
        let rendered = merge::render(&Call::resolve(&draft, &set(vec![credential])).unwrap(), &CredentialSecrets::with_token(token.clone())).unwrap();
        let shown = serde_json::to_string(&rendered.display()).unwrap();
        prop_assert!(!shown.contains(&token));
    }
}
