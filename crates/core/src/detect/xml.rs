//! A streaming look at an XML body: the SOAP 1.1 / 1.2 fault, if any (code
//! QNames resolved against the namespaces in scope where they appear,
//! subcodes, `exceptionCode`), and the error codes of non-SOAP XML error
//! documents (Salesforce REST `<Errors>`, Bulk API `<error>`, AWS
//! `<ErrorResponse>`). No tree is
//! built: memory stays bounded by the nesting depth, however long the body.
//!
//! Namespaces are followed only where they can change the answer. Element
//! names are resolved on the Envelope → Body → Fault path and, in a SOAP 1.2
//! fault, for `Code` and `Reason`; fault codes are resolved as QNames. So the
//! `xmlns` declarations the scan keeps in scope are those of the root and of
//! the children of the Envelope, Body, Fault and `Code` elements, since every
//! element whose name or text is resolved sits inside some of these. A tag's
//! attributes are parsed only when its text mentions `xmlns`, and its
//! declarations leave scope with it. Everything else (the bulk of a large
//! response) is read as plain XML events, so a declaration no namespace-aware
//! reader accepts (`xmlns:xmlns="…"`) is reported as malformed only where it
//! is read, and goes unnoticed deeper in a payload.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceResolver, QName, ResolveResult};

pub(crate) const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Deeper documents are not followed further (no API error nests this deep).
pub(crate) const MAX_DEPTH: usize = 256;

/// Longest text kept from one element.
const MAX_TEXT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SoapVersion {
    V11,
    V12,
}

impl SoapVersion {
    pub(crate) fn label(self) -> &'static str {
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

    /// The version whose envelope namespace `namespace` is, if any.
    fn of_namespace(namespace: Option<&str>) -> Option<SoapVersion> {
        match namespace {
            Some(SOAP11) => Some(SoapVersion::V11),
            Some(SOAP12) => Some(SoapVersion::V12),
            _ => None,
        }
    }
}

/// A QName-valued text (`sf:INVALID_SESSION_ID`) with its prefix resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Code {
    /// As written.
    pub raw: String,
    pub local: String,
    /// The namespace the prefix resolved to, if it did.
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub version: SoapVersion,
    /// `faultcode` (1.1) or `Code/Value` (1.2).
    pub code: Option<Code>,
    /// `Subcode/Value`s (1.2), outermost first.
    pub subcodes: Vec<Code>,
    /// `exceptionCode` elements anywhere in the fault (Salesforce's detail).
    pub exception_codes: Vec<String>,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2).
    pub message: Option<String>,
    /// The start of a fault code the body ends inside of (`code` is then
    /// `None`): a cut-off `sf:INVALID_SESS` is not "no fault code".
    pub cut_off_code: Option<String>,
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The SOAP version of the envelope, when the document is one.
    pub envelope: Option<SoapVersion>,
    pub fault: Option<Fault>,
    /// `errorCode` / `Code` / `exceptionCode` values of a non-SOAP error
    /// document.
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
    /// Outside any fault or error document.
    const PLAIN: Role = Role::Other {
        in_fault: false,
        in_errors: false,
    };

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

    /// Whether the namespace declarations of the elements directly inside
    /// must be in scope: their names are resolved to tell what they are
    /// (`Body`, `Fault`, 1.2 `Code` and `Reason`), or they are a fault code
    /// whose text is resolved (`faultcode`, `Value`). Nothing inside any
    /// other element is ever resolved, so its children's declarations are
    /// never read.
    fn resolves_children(self) -> bool {
        matches!(
            self,
            Role::Envelope(_) | Role::Body(_) | Role::Fault(_) | Role::Code { .. }
        )
    }
}

/// An element still open.
#[derive(Debug, Clone, Copy)]
struct Open {
    role: Role,
    /// Whether its namespace declarations were taken into scope (they leave
    /// it at the element's end).
    declares: bool,
}

/// Scans `text` as XML.
pub(crate) fn scan(text: &str) -> Facts {
    let mut reader = Reader::from_str(text);
    let mut scope = NamespaceResolver::default();
    let mut facts = Facts::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut captured = String::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                facts.problem = Some(malformed(&reader, &error));
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
            Event::Start(start) => match open(&mut scope, &start, parent(&stack), &mut facts) {
                Ok(element) => {
                    captured.clear();
                    stack.push(element);
                }
                Err(error) => {
                    facts.problem = Some(malformed(&reader, &error));
                    break;
                }
            },
            Event::Empty(start) => match open(&mut scope, &start, parent(&stack), &mut facts) {
                Ok(element) => {
                    if element.declares {
                        scope.pop();
                    }
                    if let Role::Fault(version) = element.role {
                        facts.fault.get_or_insert_with(|| empty_fault(version));
                    }
                }
                Err(error) => {
                    facts.problem = Some(malformed(&reader, &error));
                    break;
                }
            },
            Event::Text(content) if capturing(&stack) => {
                capture(&stack, &mut captured, &content.xml10_content());
            }
            Event::Text(_) => {}
            Event::CData(content) => capture(&stack, &mut captured, &content),
            Event::GeneralRef(reference) => {
                let mut utf8 = [0; 4];
                let resolved = if reference.is_char_ref() {
                    match reference.resolve_char_ref() {
                        Ok(Some(char)) => Some(&*char.encode_utf8(&mut utf8)),
                        _ => None,
                    }
                } else {
                    resolve_predefined_entity(&reference)
                };
                match resolved {
                    Some(resolved) => capture(&stack, &mut captured, resolved),
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
                let Some(element) = stack.pop() else { break };
                // A fault code resolves against the scope of its own element.
                finish(&scope, element.role, &mut captured, &mut facts);
                if element.declares {
                    scope.pop();
                }
                if matches!(element.role, Role::Fault(_)) {
                    // The fault is all the detector needs.
                    break;
                }
            }
            Event::Eof => {
                if let (Some(Role::CodeValue { subcode: false }), Some(fault)) =
                    (parent(&stack), facts.fault.as_mut())
                    && fault.code.is_none()
                    && !captured.trim().is_empty()
                {
                    fault.cut_off_code = Some(captured.trim().to_string());
                }
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

fn malformed(reader: &Reader<&[u8]>, error: &quick_xml::Error) -> String {
    format!(
        "the XML body is malformed near byte {} ({error})",
        reader.buffer_position()
    )
}

/// The role of the innermost open element, if any.
fn parent(stack: &[Open]) -> Option<Role> {
    stack.last().map(|element| element.role)
}

/// An opening tag: its declarations are taken into scope when names inside
/// may be resolved against them, then its role is decided.
fn open(
    scope: &mut NamespaceResolver,
    start: &BytesStart<'_>,
    parent: Option<Role>,
    facts: &mut Facts,
) -> quick_xml::Result<Open> {
    if parent == Some(Role::PLAIN) {
        // Outside any fault or error document nothing below can be one:
        // the bulk of a large response ends here, its tags unread.
        return Ok(Open {
            role: Role::PLAIN,
            declares: false,
        });
    }
    let declares = parent.is_none_or(Role::resolves_children) && may_declare_namespaces(start);
    if declares {
        scope.push(start)?;
    }
    let role = role_of(scope, start, parent, facts);
    Ok(Open { role, declares })
}

/// Whether a tag may carry `xmlns` / `xmlns:p` attributes: a cheap look at
/// its text, so the attributes of the rest are never parsed.
fn may_declare_namespaces(start: &BytesStart<'_>) -> bool {
    start.attributes_raw().contains("xmlns")
}

fn empty_fault(version: SoapVersion) -> Fault {
    Fault {
        version,
        code: None,
        subcodes: Vec::new(),
        exception_codes: Vec::new(),
        message: None,
        cut_off_code: None,
    }
}

/// Whether the text of the innermost open element is kept.
fn capturing(stack: &[Open]) -> bool {
    stack
        .last()
        .is_some_and(|element| element.role.captures_text())
}

fn capture(stack: &[Open], captured: &mut String, text: &str) {
    if capturing(stack) && captured.len() < MAX_TEXT {
        let room = MAX_TEXT - captured.len();
        let mut end = room.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        captured.push_str(&text[..end]);
    }
}

/// What the element `start` opens is, given its parent (never a plain
/// one); its name is resolved against `scope` only where the namespace
/// decides.
fn role_of(
    scope: &NamespaceResolver,
    start: &BytesStart<'_>,
    parent: Option<Role>,
    facts: &mut Facts,
) -> Role {
    let name = start.name();
    let local = name.local_name().into_inner();
    let namespace = || namespace_of(scope, name);
    let in_soap = |version: SoapVersion| namespace() == Some(version.namespace());
    match parent {
        None if local == "Envelope" => match SoapVersion::of_namespace(namespace()) {
            Some(version) => {
                facts.envelope = Some(version);
                Role::Envelope(version)
            }
            None => Role::PLAIN,
        },
        None if local.contains("Error") || local == "error" || local == "Response" => {
            Role::ErrorDocument
        }
        None => Role::PLAIN,
        Some(Role::Envelope(version)) if local == "Body" && in_soap(version) => Role::Body(version),
        Some(Role::Body(version)) if local == "Fault" && in_soap(version) => {
            facts.fault.get_or_insert_with(|| empty_fault(version));
            Role::Fault(version)
        }
        Some(Role::Fault(SoapVersion::V11)) if local == "faultcode" => {
            Role::CodeValue { subcode: false }
        }
        Some(Role::Fault(SoapVersion::V11)) if local == "faultstring" => Role::Message,
        Some(Role::Fault(SoapVersion::V12)) if local == "Code" && in_soap(SoapVersion::V12) => {
            Role::Code { subcode: false }
        }
        Some(Role::Fault(SoapVersion::V12)) if local == "Reason" && in_soap(SoapVersion::V12) => {
            Role::Reason
        }
        Some(Role::Code { subcode }) if local == "Value" => Role::CodeValue { subcode },
        Some(Role::Code { .. }) if local == "Subcode" => Role::Code { subcode: true },
        Some(Role::Reason) if local == "Text" => Role::Message,
        Some(parent) if parent.in_fault() && local == "exceptionCode" => Role::ExceptionCode,
        Some(parent)
            if parent.in_errors() && matches!(local, "errorCode" | "Code" | "exceptionCode") =>
        {
            Role::ErrorCode
        }
        Some(parent) => Role::Other {
            in_fault: parent.in_fault(),
            in_errors: parent.in_errors(),
        },
    }
}

/// The namespace an element name resolves to in `scope`, if it is bound.
fn namespace_of<'s>(scope: &'s NamespaceResolver, name: QName<'_>) -> Option<&'s str> {
    match scope.resolve_element(name).0 {
        ResolveResult::Bound(namespace) => Some(namespace.into_inner()),
        _ => None,
    }
}

/// Records what a closing element carried.
fn finish(scope: &NamespaceResolver, role: Role, captured: &mut String, facts: &mut Facts) {
    if !role.captures_text() {
        // Nothing to record, and nothing captured: text is kept only while
        // an element that keeps it is innermost, and cleared when any
        // element opens or a keeping one closes.
        return;
    }
    let text = captured.trim().to_string();
    captured.clear();
    if text.is_empty() {
        return;
    }
    match role {
        Role::CodeValue { subcode } => {
            let code = resolve_code(scope, &text);
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
fn resolve_code(scope: &NamespaceResolver, text: &str) -> Code {
    let (namespace, local) = scope.resolve_element(QName(text));
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

    fn assert_malformed(facts: Facts) {
        let problem = facts.problem.expect("a problem is reported");
        assert!(
            problem.starts_with("the XML body is malformed near byte"),
            "{problem}"
        );
    }

    #[test]
    fn malformed_xml_is_described() {
        assert_malformed(scan("<a><b></a>"));
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
    fn a_fault_code_the_body_ends_inside_is_kept_as_cut_off() {
        let facts = scan(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESS"#,
        );
        let fault = facts.fault.unwrap();
        assert_eq!(fault.code, None);
        assert_eq!(fault.cut_off_code.as_deref(), Some("sf:INVALID_SESS"));
        assert!(facts.problem.unwrap().contains("4 element(s) still open"));
        // A complete fault code is never called cut off.
        let whole = scan(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>x"#,
        );
        assert_eq!(whole.fault.unwrap().cut_off_code, None);
    }

    /// The code of the first fault in `text`, resolved.
    fn fault_code(text: &str) -> Code {
        let facts = scan(text);
        assert_eq!(facts.problem, None);
        facts.fault.expect("a fault").code.expect("a fault code")
    }

    #[test]
    fn a_sibling_declaration_leaves_scope_with_its_element() {
        // The Header rebinds `sf` (and the Envelope's own prefix); once it
        // closes, the Envelope's bindings are back.
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:envelope"><s:Header xmlns:sf="urn:header" xmlns:s="urn:not-soap"><sf:SessionHeader/></s:Header><s:Body><s:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.namespace.as_deref(), Some("urn:envelope"));
    }

    #[test]
    fn a_prefix_rebound_inside_the_body_resolves_to_the_inner_binding() {
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:envelope"><s:Body xmlns:sf="urn:body"><s:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.namespace.as_deref(), Some("urn:body"));
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:envelope"><s:Body xmlns:sf="urn:body"><s:Fault xmlns:sf="urn:fault"><faultcode xmlns:sf="urn:code">sf:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.namespace.as_deref(), Some("urn:code"));
    }

    #[test]
    fn declarations_in_the_payload_do_not_leak_into_the_fault() {
        // Payload elements before the fault rebind the SOAP prefix and `sf`,
        // one as an empty element, one with children.
        let facts = scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:envelope"><s:Body><r xmlns:s="urn:payload" xmlns:sf="urn:payload"/><r xmlns:s="urn:payload"><s:Fault xmlns:sf="urn:payload"/></r><s:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(facts.problem, None);
        let code = facts.fault.unwrap().code.unwrap();
        assert_eq!(code.namespace.as_deref(), Some("urn:envelope"));
    }

    #[test]
    fn the_soap_prefix_may_be_declared_on_the_fault_itself() {
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><f:Fault xmlns:f="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault"><faultcode>sf:INVALID_SESSION_ID</faultcode></f:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.namespace.as_deref(), Some("urn:fault"));
        // The same as a default namespace, and on an empty fault.
        let facts = scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Fault xmlns="http://schemas.xmlsoap.org/soap/envelope/"/></s:Body></s:Envelope>"#,
        );
        assert_eq!(facts.fault, Some(empty_fault(SoapVersion::V11)));
    }

    #[test]
    fn an_empty_elements_declarations_leave_scope_with_it() {
        // `f` is bound only on the first (empty) element: the second `f:Fault`
        // has an unbound prefix and is no fault.
        let facts = scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><f:Other xmlns:f="http://schemas.xmlsoap.org/soap/envelope/"/><f:Fault><faultcode>x</faultcode></f:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(facts.envelope, Some(SoapVersion::V11));
        assert_eq!(facts.fault, None);
    }

    #[test]
    fn a_default_namespace_on_the_body_hides_an_unprefixed_fault() {
        let facts = scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body xmlns="urn:payload"><Fault><faultcode>INVALID_SESSION_ID</faultcode></Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(facts.fault, None);
    }

    #[test]
    fn unbound_and_undeclared_code_prefixes_have_no_namespace() {
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>zz:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.local, "INVALID_SESSION_ID");
        assert_eq!(code.namespace, None);
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:envelope"><s:Body><s:Fault><faultcode xmlns:sf="">sf:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.local, "INVALID_SESSION_ID");
        assert_eq!(code.namespace, None);
    }

    #[test]
    fn soap12_codes_resolve_in_nested_scopes() {
        let facts = scan(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:x="urn:envelope"><env:Body><env:Fault><env:Code xmlns:x="urn:code"><env:Value>env:Sender</env:Value><env:Subcode xmlns:x="urn:subcode"><env:Value>x:InvalidSession</env:Value></env:Subcode></env:Code><env:Reason><env:Text>x</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#,
        );
        let fault = facts.fault.unwrap();
        assert_eq!(fault.code.unwrap().namespace.as_deref(), Some(SOAP12));
        assert_eq!(fault.subcodes[0].namespace.as_deref(), Some("urn:subcode"));
    }

    #[test]
    fn an_invalid_declaration_on_the_fault_path_is_described() {
        assert_malformed(scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body xmlns:xmlns="urn:x"><s:Fault/></s:Body></s:Envelope>"#,
        ));
    }

    #[test]
    fn declarations_inside_the_payload_are_not_read() {
        // Below a payload element nothing is resolved, so even a declaration
        // no namespace-aware reader accepts does not stop the scan.
        let facts = scan(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r><x xmlns:xmlns="urn:x"/></r><s:Fault><faultcode>INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(facts.problem, None);
        assert_eq!(
            facts.fault.unwrap().code.unwrap().local,
            "INVALID_SESSION_ID"
        );
    }

    #[test]
    fn a_mention_of_xmlns_in_a_value_declares_nothing() {
        let code = fault_code(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:envelope"><s:Body note="xmlns:sf"><s:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(code.namespace.as_deref(), Some("urn:envelope"));
    }

    #[test]
    fn deep_nesting_stops() {
        let text = "<a>".repeat(MAX_DEPTH + 10);
        let facts = scan(&text);
        assert!(facts.problem.unwrap().contains("nests deeper than 256"));
    }
}
