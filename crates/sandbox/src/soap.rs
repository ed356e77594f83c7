//! A Salesforce-like partner SOAP API at `POST /services/Soap/u/{version}`.
//!
//! The session comes from the envelope's `Header/SessionHeader/sessionId`, not
//! from an HTTP header. A dead or missing session answers HTTP **500** with the
//! `sf:INVALID_SESSION_ID` fault, exactly as Salesforce does — the case Named
//! Credentials never refresh on. A live one runs a tiny `query`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;
use sha2::{Digest, Sha256};

use crate::http::{Incoming, Reply, escape_markup as esc};
use crate::provider::Provider;
use crate::soql::{self, QueryResult, SoqlError};

const SOAP_11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
pub(crate) const ENDPOINT: &str = "salesforce_soap";

/// What the sandbox reads out of a SOAP request envelope.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SoapRequest {
    pub session_id: Option<String>,
    /// Local name of the first element in `Body`: the operation (`query`, ...).
    pub operation: Option<String>,
    pub query_string: Option<String>,
}

pub(crate) fn soap_endpoint(provider: &Provider, request: &Incoming) -> Reply {
    let reply = answer(provider, request);
    provider.record_api(ENDPOINT, &reply.outcome);
    reply
}

fn answer(provider: &Provider, request: &Incoming) -> Reply {
    let envelope = match std::str::from_utf8(&request.body)
        .map_err(|_| "the request body is not UTF-8".to_string())
        .and_then(parse_envelope)
    {
        Ok(envelope) => envelope,
        Err(message) => return Reply::xml(400, client_fault(&message)).with_outcome("bad_request"),
    };
    let session = envelope.session_id.as_deref().unwrap_or_default();
    if provider.check_access(session).is_err() {
        return Reply::xml(500, invalid_session_fault(envelope.session_id.as_deref()))
            .with_outcome("invalid_session");
    }
    match envelope.operation.as_deref() {
        Some("query") => query(envelope.query_string.as_deref().unwrap_or_default()),
        operation => {
            let message = format!(
                "No operation available for request {{urn:partner.soap.sforce.com}}{}",
                operation.unwrap_or_default()
            );
            Reply::xml(500, client_fault(&message)).with_outcome("bad_request")
        }
    }
}

fn query(soql: &str) -> Reply {
    match soql::run(soql) {
        Ok(result) => Reply::xml(200, query_response(&result)),
        Err(error) => Reply::xml(500, query_fault(&error)).with_outcome("query_error"),
    }
}

/// Reads session id, operation and query string from a SOAP 1.1 envelope.
/// Elements are matched by namespace-resolved local name; entity and character
/// references are resolved.
pub(crate) fn parse_envelope(xml: &str) -> Result<SoapRequest, String> {
    let mut reader = NsReader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut request = SoapRequest::default();
    let mut seen_root = false;
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|error| format!("the request is not well-formed XML: {error}"))?;
        match event {
            Event::Start(start) => {
                let local = start.local_name().as_ref().to_string();
                enter(&mut request, &path, &namespace, &local)?;
                seen_root = true;
                path.push(local);
            }
            Event::Empty(start) => {
                let local = start.local_name().as_ref().to_string();
                enter(&mut request, &path, &namespace, &local)?;
                seen_root = true;
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(text) => append(&mut request, &path, &text.xml10_content()),
            Event::CData(data) => append(&mut request, &path, &data.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character.to_string(),
                    Ok(None) => resolve_predefined_entity(&reference)
                        .ok_or_else(|| format!("unknown entity &{};", &*reference))?
                        .to_string(),
                    Err(error) => return Err(format!("bad character reference: {error}")),
                };
                append(&mut request, &path, &resolved);
            }
            Event::Eof if path.is_empty() && seen_root => return Ok(request),
            Event::Eof => return Err("the request body is not a complete SOAP envelope".into()),
            _ => {}
        }
    }
}

/// Checks the root and notes the operation when an element opens.
fn enter(
    request: &mut SoapRequest,
    path: &[String],
    namespace: &ResolveResult<'_>,
    local: &str,
) -> Result<(), String> {
    if path.is_empty() {
        let soap_11 = *namespace == ResolveResult::Bound(Namespace(SOAP_11));
        if local != "Envelope" || !soap_11 {
            return Err(format!(
                "the root element must be a SOAP 1.1 Envelope ({SOAP_11})"
            ));
        }
    }
    if path.len() == 2 && path[1] == "Body" && request.operation.is_none() {
        request.operation = Some(local.to_string());
    }
    Ok(())
}

fn append(request: &mut SoapRequest, path: &[String], text: &str) {
    let ends_with = |tail: &[&str]| {
        path.len() >= tail.len()
            && path[path.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(a, b)| a == b)
    };
    let target = if ends_with(&["Header", "SessionHeader", "sessionId"]) {
        &mut request.session_id
    } else if ends_with(&["Body", "query", "queryString"]) {
        &mut request.query_string
    } else {
        return;
    };
    target.get_or_insert_with(String::new).push_str(text);
}

/// The partner-API fault envelope: `sf:{code}` with an `sf:{fault_type}` detail.
fn sf_fault(code: &str, fault_type: &str, message: &str) -> String {
    format!(
        "{XML_DECLARATION}<soapenv:Envelope xmlns:soapenv=\"{SOAP_11}\" \
         xmlns:sf=\"urn:fault.partner.soap.sforce.com\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault>\
         <faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>\
         <sf:{fault_type} xsi:type=\"sf:{fault_type}\"><sf:exceptionCode>{code}</sf:exceptionCode>\
         <sf:exceptionMessage>{message}</sf:exceptionMessage></sf:{fault_type}></detail>\
         </soapenv:Fault></soapenv:Body></soapenv:Envelope>",
        message = esc(message)
    )
}

/// HTTP 500 `INVALID_SESSION_ID`, as Salesforce answers an expired session.
pub(crate) fn invalid_session_fault(session_id: Option<&str>) -> String {
    let message = match session_id {
        Some(session) => format!(
            "Invalid Session ID found in SessionHeader: Illegal Session. Session not found, \
             missing session hash: {}\nThis error usually occurs after a session expires or a \
             user logs out.",
            session_hash(session)
        ),
        None => "Invalid Session ID found in SessionHeader: Illegal Session".to_string(),
    };
    sf_fault("INVALID_SESSION_ID", "UnexpectedErrorFault", &message)
}

fn session_hash(session: &str) -> String {
    STANDARD
        .encode(Sha256::digest(session.as_bytes()))
        .chars()
        .take(28)
        .collect()
}

fn query_fault(error: &SoqlError) -> String {
    let fault_type = match error.code {
        "INVALID_TYPE" => "InvalidSObjectFault",
        "INVALID_FIELD" => "InvalidFieldFault",
        _ => "MalformedQueryFault",
    };
    sf_fault(error.code, fault_type, &error.message)
}

fn client_fault(message: &str) -> String {
    format!(
        "{XML_DECLARATION}<soapenv:Envelope xmlns:soapenv=\"{SOAP_11}\"><soapenv:Body>\
         <soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>{}</faultstring>\
         </soapenv:Fault></soapenv:Body></soapenv:Envelope>",
        esc(message)
    )
}

/// A partner-API `queryResponse`: generic `sObject` records with `sf:`-prefixed fields.
fn query_response(result: &QueryResult) -> String {
    let records: String = result
        .rows
        .iter()
        .map(|row| {
            let fields: String = result
                .fields(row)
                .map(|(name, value)| format!("<sf:{name}>{}</sf:{name}>", esc(value)))
                .collect();
            let id = if result.fields(row).any(|(name, _)| name == "Id") {
                format!("<sf:Id>{}</sf:Id>", esc(row[0]))
            } else {
                "<sf:Id xsi:nil=\"true\"/>".to_string()
            };
            format!(
                "<records xsi:type=\"sf:sObject\"><sf:type>{}</sf:type>{id}{fields}</records>",
                result.table.name
            )
        })
        .collect();
    format!(
        "{XML_DECLARATION}<soapenv:Envelope xmlns:soapenv=\"{SOAP_11}\" \
         xmlns=\"urn:partner.soap.sforce.com\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:sf=\"urn:sobject.partner.soap.sforce.com\"><soapenv:Body><queryResponse>\
         <result xsi:type=\"QueryResult\"><done>true</done><queryLocator xsi:nil=\"true\"/>\
         {records}<size>{}</size></result></queryResponse></soapenv:Body></soapenv:Envelope>",
        result.rows.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(header: &str, body: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"{SOAP_11}\" \
             xmlns:urn=\"urn:partner.soap.sforce.com\"><s:Header>{header}</s:Header>\
             <s:Body>{body}</s:Body></s:Envelope>"
        )
    }

    #[test]
    fn reads_session_and_query_with_entities_resolved() {
        let xml = envelope(
            "<urn:SessionHeader><urn:sessionId>00D!AQ&amp;x&#65;</urn:sessionId></urn:SessionHeader>",
            "<urn:query><urn:queryString>SELECT Id FROM Account WHERE Name = &apos;A&apos;</urn:queryString></urn:query>",
        );
        let request = parse_envelope(&xml).unwrap();
        assert_eq!(request.session_id.as_deref(), Some("00D!AQ&xA"));
        assert_eq!(request.operation.as_deref(), Some("query"));
        assert_eq!(
            request.query_string.as_deref(),
            Some("SELECT Id FROM Account WHERE Name = 'A'")
        );
    }

    #[test]
    fn a_missing_header_is_not_an_error_of_the_xml() {
        let request = parse_envelope(&envelope("", "<urn:logout/>")).unwrap();
        assert_eq!(request.session_id, None);
        assert_eq!(request.operation.as_deref(), Some("logout"));
    }

    #[test]
    fn broken_or_foreign_documents_are_refused() {
        for bad in [
            "",
            "not xml",
            "<Envelope/>",
            "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"/>",
            &envelope("<a>", ""),
            &format!("<s:Envelope xmlns:s=\"{SOAP_11}\"><s:Body>"),
            &envelope("<x>&bogus;</x>", ""),
        ] {
            assert!(parse_envelope(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn invalid_session_fault_has_the_partner_api_shape() {
        let fault = invalid_session_fault(Some("00Dabc"));
        assert!(fault.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:sf=\"urn:fault.partner.soap.sforce.com\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash: "
        ));
        assert!(fault.contains(
            "<detail><sf:UnexpectedErrorFault xsi:type=\"sf:UnexpectedErrorFault\"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode><sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session."
        ));
        assert!(fault.ends_with(
            "</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        ));
        assert!(
            !fault.contains("00Dabc"),
            "the fault must not echo the session id"
        );
    }

    #[test]
    fn query_response_lists_records_and_escapes_values() {
        let result = soql::run("SELECT Id, Name FROM Account LIMIT 2").unwrap();
        let xml = query_response(&result);
        assert!(xml.contains("<records xsi:type=\"sf:sObject\"><sf:type>Account</sf:type><sf:Id>001SB00000A1b2cAAA</sf:Id><sf:Id>001SB00000A1b2cAAA</sf:Id><sf:Name>Acme Corporation</sf:Name></records>"));
        assert!(xml.contains("<sf:Name>Globex &amp; Sons</sf:Name>"));
        assert!(xml.contains("<size>2</size>"));
    }

    proptest::proptest! {
        #[test]
        fn any_body_parses_or_is_refused_without_panicking(body in ".{0,200}") {
            let _ = parse_envelope(&body);
        }

        #[test]
        fn any_session_id_round_trips_through_an_escaped_envelope(session in "[^\\p{Cc}]{1,40}") {
            let header = format!(
                "<urn:SessionHeader><urn:sessionId>{}</urn:sessionId></urn:SessionHeader>",
                esc(&session)
            );
            let request = parse_envelope(&envelope(&header, "<urn:query/>")).unwrap();
            proptest::prop_assert_eq!(request.session_id, Some(session));
        }
    }
}
