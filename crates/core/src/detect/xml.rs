//! A streaming look at an XML body: the SOAP 1.1 / 1.2 fault, if any (code
//! QNames resolved against the namespaces in scope where they appear,
//! subcodes, `exceptionCode`), and the error codes of non-SOAP XML error
//! documents (Salesforce REST `<Errors>`, AWS `<ErrorResponse>`). No tree is
//! built: memory stays bounded by the nesting depth, however long the body.

use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};

pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Deeper documents are not followed further (no API error nests this deep).
pub const MAX_DEPTH: usize = 256;

/// Longest text kept from one element.
const MAX_TEXT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    V11,
    V12,
}

impl SoapVersion {
    pub fn label(self) -> &'static str {
        match self {
            SoapVersion::V11 => "SOAP 1.1",
            SoapVersion::V12 => "SOAP 1.2",
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11,
            SoapVersion::V12 => SOAP12,
        }
    }
}

/// A QName-valued text (`sf:INVALID_SESSION_ID`) with its prefix resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// As written.
    pub raw: String,
    pub local: String,
    /// The namespace the prefix resolved to, if it did.
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub version: SoapVersion,
    /// `faultcode` (1.1) or `Code/Value` (1.2).
    pub code: Option<Code>,
    /// `Subcode/Value`s (1.2), outermost first.
    pub subcodes: Vec<Code>,
    /// `exceptionCode` elements anywhere in the fault (Salesforce's detail).
    pub exception_codes: Vec<String>,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2).
    pub message: Option<String>,
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The SOAP version of the envelope, when the document is one.
    pub envelope: Option<SoapVersion>,
    pub fault: Option<Fault>,
    /// `errorCode` / `Code` values of a non-SOAP error document.
    pub error_codes: Vec<String>,
    /// Why the document could not be read to the end, if it could not.
    pub problem: Option<String>,
}

/// What an element is, given where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Envelope(SoapVersion),
    Body(SoapVersion),
    Fault(SoapVersion),
    /// `faultcode` or a `Value` of `Code` (depth 0) / `Subcode` (depth 1+).
    CodeValue {
        subcode: bool,
    },
    Code {
        subcode: bool,
    },
    Reason,
    Message,
    ExceptionCode,
    ErrorDocument,
    ErrorCode,
    /// Anything else; remembers whether it is inside a fault or an error document.
    Other {
        in_fault: bool,
        in_errors: bool,
    },
}

impl Role {
    fn in_fault(self) -> bool {
        matches!(
            self,
            Role::Fault(_)
                | Role::CodeValue { .. }
                | Role::Code { .. }
                | Role::Reason
                | Role::Message
                | Role::ExceptionCode
                | Role::Other { in_fault: true, .. }
        )
    }

    fn in_errors(self) -> bool {
        matches!(
            self,
            Role::ErrorDocument
                | Role::ErrorCode
                | Role::Other {
                    in_errors: true,
                    ..
                }
        )
    }

    fn captures_text(self) -> bool {
        matches!(
            self,
            Role::CodeValue { .. } | Role::Message | Role::ExceptionCode | Role::ErrorCode
        )
    }
}

/// Scans `text` as XML.
pub fn scan(text: &str) -> Facts {
    let mut reader = NsReader::from_str(text);
    let mut facts = Facts::default();
    let mut stack: Vec<Role> = Vec::new();
    let mut captured = String::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                facts.problem = Some(format!(
                    "the XML body is malformed near byte {} ({error})",
                    reader.buffer_position()
                ));
                break;
            }
        };
        match event {
            Event::Start(start) | Event::Empty(start) if stack.len() >= MAX_DEPTH => {
                let _ = start;
                facts.problem = Some(format!(
                    "the XML body nests deeper than {MAX_DEPTH} elements, so it was not read further"
                ));
                break;
            }
            Event::Start(start) => {
                let role = role_of(&reader, &start, stack.last().copied(), &mut facts);
                captured.clear();
                stack.push(role);
            }
            Event::Empty(start) => {
                let role = role_of(&reader, &start, stack.last().copied(), &mut facts);
                if let Role::Fault(version) = role {
                    facts.fault.get_or_insert_with(|| empty_fault(version));
                }
            }
            Event::Text(content) if capturing(&stack) => {
                capture(&stack, &mut captured, &content.xml10_content());
            }
            Event::Text(_) => {}
            Event::CData(content) => capture(&stack, &mut captured, &content),
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .map(String::from)
                } else {
                    resolve_predefined_entity(&reference).map(String::from)
                };
                match resolved {
                    Some(resolved) => capture(&stack, &mut captured, &resolved),
                    None => {
                        facts.problem.get_or_insert_with(|| {
                            format!(
                                "the XML body uses the entity &{}; which is not expanded \
                                 (entities a document declares itself are never expanded, \
                                 so an entity-expansion bomb stays small)",
                                &*reference
                            )
                        });
                    }
                }
            }
            Event::End(_) => {
                let Some(role) = stack.pop() else { break };
                finish(&reader, role, &mut captured, &mut facts);
                if matches!(role, Role::Fault(_)) {
                    // The fault is all the detector needs.
                    break;
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    facts.problem = Some(format!(
                        "the XML body ends with {} element(s) still open, so it looks cut short",
                        stack.len()
                    ));
                }
                break;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    facts
}

fn empty_fault(version: SoapVersion) -> Fault {
    Fault {
        version,
        code: None,
        subcodes: Vec::new(),
        exception_codes: Vec::new(),
        message: None,
    }
}

/// Whether the text of the innermost open element is kept.
fn capturing(stack: &[Role]) -> bool {
    stack.last().is_some_and(|role| role.captures_text())
}

fn capture(stack: &[Role], captured: &mut String, text: &str) {
    if capturing(stack) && captured.len() < MAX_TEXT {
        let room = MAX_TEXT - captured.len();
        let mut end = room.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        captured.push_str(&text[..end]);
    }
}

fn role_of(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    parent: Option<Role>,
    facts: &mut Facts,
) -> Role {
    let plain = Role::Other {
        in_fault: false,
        in_errors: false,
    };
    if parent == Some(plain) {
        // Outside any fault or error document nothing below can be one:
        // the bulk of a large response ends here, unresolved.
        return plain;
    }
    let (namespace, local) = reader.resolver().resolve_element(start.name());
    let local = local.into_inner();
    let namespace = match namespace {
        ResolveResult::Bound(namespace) => Some(namespace.into_inner()),
        _ => None,
    };
    let soap_version = match namespace {
        Some(SOAP11) => Some(SoapVersion::V11),
        Some(SOAP12) => Some(SoapVersion::V12),
        _ => None,
    };
    let in_soap = |version: SoapVersion| namespace == Some(version.namespace());
    match parent {
        None => match soap_version {
            Some(version) if local == "Envelope" => {
                facts.envelope = Some(version);
                Role::Envelope(version)
            }
            _ if local.contains("Error") || local == "Response" => Role::ErrorDocument,
            _ => Role::Other {
                in_fault: false,
                in_errors: false,
            },
        },
        Some(Role::Envelope(version)) if in_soap(version) && local == "Body" => Role::Body(version),
        Some(Role::Body(version)) if in_soap(version) && local == "Fault" => {
            facts.fault.get_or_insert_with(|| empty_fault(version));
            Role::Fault(version)
        }
        Some(Role::Fault(SoapVersion::V11)) if local == "faultcode" => {
            Role::CodeValue { subcode: false }
        }
        Some(Role::Fault(SoapVersion::V11)) if local == "faultstring" => Role::Message,
        Some(Role::Fault(SoapVersion::V12)) if in_soap(SoapVersion::V12) && local == "Code" => {
            Role::Code { subcode: false }
        }
        Some(Role::Fault(SoapVersion::V12)) if in_soap(SoapVersion::V12) && local == "Reason" => {
            Role::Reason
        }
        Some(Role::Code { subcode }) if local == "Value" => Role::CodeValue { subcode },
        Some(Role::Code { .. }) if local == "Subcode" => Role::Code { subcode: true },
        Some(Role::Reason) if local == "Text" => Role::Message,
        Some(parent) if parent.in_fault() && local == "exceptionCode" => Role::ExceptionCode,
        Some(parent) if parent.in_errors() && (local == "errorCode" || local == "Code") => {
            Role::ErrorCode
        }
        Some(parent) => Role::Other {
            in_fault: parent.in_fault(),
            in_errors: parent.in_errors(),
        },
    }
}

/// Records what a closing element carried.
fn finish(reader: &NsReader<&[u8]>, role: Role, captured: &mut String, facts: &mut Facts) {
    let text = captured.trim().to_string();
    captured.clear();
    if text.is_empty() {
        return;
    }
    match role {
        Role::CodeValue { subcode } => {
            let code = resolve_code(reader, &text);
            if let Some(fault) = facts.fault.as_mut() {
                if subcode {
                    fault.subcodes.push(code);
                } else if fault.code.is_none() {
                    fault.code = Some(code);
                }
            }
        }
        Role::Message => {
            if let Some(fault) = facts.fault.as_mut() {
                fault.message.get_or_insert(text);
            }
        }
        Role::ExceptionCode => {
            if let Some(fault) = facts.fault.as_mut() {
                fault.exception_codes.push(text);
            }
        }
        Role::ErrorCode => facts.error_codes.push(text),
        _ => {}
    }
}

/// Resolves a QName-valued text against the namespaces in scope.
fn resolve_code(reader: &NsReader<&[u8]>, text: &str) -> Code {
    let (namespace, local) = reader.resolver().resolve_element(QName(text));
    Code {
        raw: text.to_string(),
        local: local.into_inner().to_string(),
        namespace: match namespace {
            ResolveResult::Bound(namespace) => Some(namespace.into_inner().to_string()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_salesforce_soap_fault() {
        let facts = scan(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID &amp; more</faultstring><detail><sf:UnexpectedErrorFault><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#,
        );
        let fault = facts.fault.unwrap();
        assert_eq!(fault.version, SoapVersion::V11);
        let code = fault.code.unwrap();
        assert_eq!(code.local, "INVALID_SESSION_ID");
        assert_eq!(
            code.namespace.as_deref(),
            Some("urn:fault.partner.soap.sforce.com")
        );
        assert_eq!(fault.exception_codes, vec!["INVALID_SESSION_ID"]);
        assert_eq!(
            fault.message.as_deref(),
            Some("INVALID_SESSION_ID: Invalid Session ID & more")
        );
        assert_eq!(facts.problem, None);
    }

    #[test]
    fn reads_soap12_subcodes() {
        let facts = scan(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:x="urn:x"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>x:InvalidSession</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">expired</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#,
        );
        let fault = facts.fault.unwrap();
        assert_eq!(fault.code.unwrap().namespace.as_deref(), Some(SOAP12));
        assert_eq!(fault.subcodes[0].local, "InvalidSession");
        assert_eq!(fault.subcodes[0].namespace.as_deref(), Some("urn:x"));
        assert_eq!(fault.message.as_deref(), Some("expired"));
    }

    #[test]
    fn a_payload_mentioning_the_code_is_no_fault() {
        let facts = scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r><faultcode>INVALID_SESSION_ID</faultcode></r></s:Body></s:Envelope>"#,
        );
        assert_eq!(facts.envelope, Some(SoapVersion::V11));
        assert_eq!(facts.fault, None);
    }

    #[test]
    fn rest_xml_error_codes() {
        let facts = scan(
            "<Errors><Error><errorCode>INVALID_SESSION_ID</errorCode><message>x</message></Error></Errors>",
        );
        assert_eq!(facts.error_codes, vec!["INVALID_SESSION_ID"]);
    }

    #[test]
    fn malformed_xml_is_described() {
        let facts = scan("<a><b></a>");
        assert!(
            facts
                .problem
                .unwrap()
                .starts_with("the XML body is malformed near byte")
        );
    }

    #[test]
    fn a_cut_short_document_is_described() {
        let facts = scan("<a><b>text");
        assert_eq!(
            facts.problem.as_deref(),
            Some("the XML body ends with 2 element(s) still open, so it looks cut short")
        );
    }

    #[test]
    fn deep_nesting_stops() {
        let text = "<a>".repeat(MAX_DEPTH + 10);
        let facts = scan(&text);
        assert!(facts.problem.unwrap().contains("nests deeper than 256"));
    }
}
