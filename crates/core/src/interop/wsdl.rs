//! WSDL 1.1 in: a collection with one request per operation of each SOAP
//! port, its body a skeleton envelope generated from the WSDL's schemas —
//! Salesforce's partner, enterprise, metadata and tooling WSDLs as much as
//! any other document/literal or RPC service, SOAP 1.1 or 1.2.
//!
//! What the collection holds:
//! - one folder per service and port, one `POST` per operation of the
//!   port's binding, named after the operation, with `Content-Type:
//!   text/xml; charset=UTF-8` and `SOAPAction: "..."` (SOAP 1.1) or
//!   `Content-Type: application/soap+xml; charset=UTF-8; action="..."`
//!   (SOAP 1.2);
//! - a URL that keeps the port's path behind a variable for its origin,
//!   `{{endpoint}}/services/Soap/u/59.0`, the collection's variable
//!   `endpoint` holding the WSDL's origin: setting it to `callout:NAME`
//!   sends every request through a credential;
//! - an envelope with the input element tree: example values per type
//!   (`?`, `0`, `false`, an ISO date), the first value of an enumeration
//!   with the others in a comment, comments on what is optional, repeats or
//!   is a choice; a Salesforce `SessionHeader` carrying
//!   `{!$Credential.OAuthToken}`, a WS-Security header (declared by a
//!   policy or a header part named `Security`) carrying merge fields, and
//!   Salesforce's optional headers commented out.
//!
//! Guarantees, fuzzed (`fuzz/fuzz_targets/wsdl_import.rs`):
//! - no text makes it panic or run away: a skeleton is cut with a comment
//!   where a type recurs, below a depth and beyond a size, and no chain of
//!   references (derivations, groups, simple types, policies) is followed
//!   without a bound;
//! - every body is well-formed XML: a name that is not an XML name is left
//!   out, values and comments are escaped, every prefix is declared on the
//!   envelope;
//! - no request comes in with a line break or a control character in its
//!   URL or headers ([`super::check_request`]);
//! - what was not generated (fault details, external schemas, HTTP
//!   bindings, SOAP encoding, ...) is named in the notes, once each;
//! - a text that is not a WSDL 1.1 document with a service is refused with
//!   the line and column to look at.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use roxmltree::{Document, Node, ParsingOptions};

use super::incoming::{Incoming, IncomingRequest, checked_request};
use crate::http::Draft;
use crate::source::line_and_column;
use crate::{Error, Result};

/// The namespaces a WSDL is read and an envelope written with.
mod ns {
    pub(super) const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
    pub(super) const WSDL2: &str = "http://www.w3.org/ns/wsdl";
    pub(super) const SOAP11: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
    pub(super) const SOAP12: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
    pub(super) const HTTP: &str = "http://schemas.xmlsoap.org/wsdl/http/";
    pub(super) const MIME: &str = "http://schemas.xmlsoap.org/wsdl/mime/";
    pub(super) const XSD: &str = "http://www.w3.org/2001/XMLSchema";
    pub(super) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
    pub(super) const SOAP_ENCODING: &str = "http://schemas.xmlsoap.org/soap/encoding/";
    pub(super) const ENVELOPE11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    pub(super) const ENVELOPE12: &str = "http://www.w3.org/2003/05/soap-envelope";
    pub(super) const XML: &str = "http://www.w3.org/XML/1998/namespace";
    pub(super) const XMLNS: &str = "http://www.w3.org/2000/xmlns/";
    pub(super) const WSSE: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    pub(super) const PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/\
                                     oasis-200401-wss-username-token-profile-1.0#PasswordText";
    /// RFC 8693's URI for an OAuth access token, the bearer token's type.
    pub(super) const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
    pub(super) const POLICY: [&str; 2] = [
        "http://schemas.xmlsoap.org/ws/2004/09/policy",
        "http://www.w3.org/ns/ws-policy",
    ];
    pub(super) const SECURITY_POLICY: [&str; 3] = [
        "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
        "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200512",
        "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy",
    ];
}

/// Elements nested deeper than this below `Header` or `Body` are cut.
const MAX_DEPTH: usize = 12;
/// Elements, attributes and comments in one envelope before its skeleton
/// is cut.
const MAX_WRITTEN: usize = 5_000;
/// Elements, attributes and comments in all the envelopes of one import.
const MAX_TOTAL_WRITTEN: usize = 200_000;
/// XML nodes in a WSDL; the largest enterprise WSDLs hold a few hundred
/// thousand.
const MAX_NODES: u32 = 10_000_000;
/// How many references (a derivation's base, a group, a simple type's
/// base, a policy) are followed in a row before giving up.
const MAX_INDIRECTION: usize = 24;
/// Values and names listed in one comment.
const MAX_LISTED: usize = 12;
/// Notes kept; a fuzzed WSDL can make any number.
const MAX_NOTES: usize = 100;
/// The indentation level of what is inside `Header` and `Body`.
const CONTENT_LEVEL: usize = 2;
/// What a Salesforce `SessionHeader/sessionId` holds.
const SESSION_ID: &str = "{!$Credential.OAuthToken}";

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: "WSDL",
        detail: detail.into(),
    }
}

/// Reads WSDL 1.1 text into a collection named after its service: a folder
/// per SOAP port, a request per operation (see the module's description).
/// `source` — the file name or URL it came from — names it in messages,
/// and names the collection when no service has a name.
pub fn import(wsdl: &str, source: &str) -> Result<Incoming> {
    let document = parse(wsdl, source)?;
    let definitions = document.root_element();
    check_root(&document, definitions, source)?;
    let mut notes = Notes::default();
    let model = Model::read(&document, definitions, &mut notes);
    let services: Vec<Node> = wsdl_children(definitions, "service").collect();
    let Some(first) = services.first() else {
        return Err(refuse(format!(
            "{source} defines no <service> (its <definitions> is at {}): without a service and \
             its SOAP port there is no address to call",
            model.at(definitions)
        )));
    };
    let mut importer = Importer {
        model: &model,
        notes,
        requests: Vec::new(),
        endpoints: Vec::new(),
        left: MAX_TOTAL_WRITTEN,
        merge_fields: BTreeSet::new(),
    };
    for service in &services {
        for port in wsdl_children(*service, "port") {
            importer.port(*service, port);
        }
    }
    if importer.requests.is_empty() {
        let why: Vec<&str> = importer
            .notes
            .list
            .iter()
            .take(3)
            .map(String::as_str)
            .collect();
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(": {}", why.join("; "))
        };
        return Err(refuse(format!(
            "{source} gives no SOAP operation to call (its first <service> is at {}){why}",
            model.at(*first)
        )));
    }
    let name = services
        .iter()
        .filter_map(|service| service.attribute("name"))
        .chain(definitions.attribute("name"))
        .map(str::trim)
        .find(|name| !name.is_empty())
        .map_or_else(|| stem(source), str::to_string);
    Ok(importer.finish(name))
}

/// `source`'s file name without its extension ("partner" for
/// `~/Downloads/partner.wsdl` or `https://x.test/partner.wsdl?wsdl`).
fn stem(source: &str) -> String {
    let path = source.split(['?', '#']).next().unwrap_or(source);
    let file = path
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem).trim();
    if stem.is_empty() {
        "WSDL".to_string()
    } else {
        stem.to_string()
    }
}

/// The document, or an error naming where it stops being XML.
fn parse<'i>(text: &'i str, source: &str) -> Result<Document<'i>> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|error| {
        let (line, column) = match error {
            // Where the text ends, not where roxmltree starts counting.
            roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => {
                line_and_column(text, text.len())
            }
            _ => {
                let at = error.pos();
                (at.row as usize, at.col as usize)
            }
        };
        let message = error
            .to_string()
            .replace(&format!(" at {}:{}", error.pos().row, error.pos().col), "");
        refuse(format!(
            "{source} is not well-formed XML (line {line}, column {column}: {message})"
        ))
    })
}

/// Refuses a document whose root is not WSDL 1.1's `<definitions>`.
fn check_root(document: &Document, root: Node, source: &str) -> Result<()> {
    let namespace = root.tag_name().namespace().unwrap_or("");
    let name = root.tag_name().name();
    let at = position(document, root);
    if namespace == ns::WSDL2 {
        return Err(refuse(format!(
            "{source} is a WSDL 2.0 <{name}> ({at}); only WSDL 1.1 (<definitions> in {}) is read",
            ns::WSDL
        )));
    }
    if namespace != ns::WSDL || name != "definitions" {
        return Err(refuse(format!(
            "{source} is not a WSDL 1.1 document: its root element ({at}) is <{name}> in \
             namespace \"{namespace}\", where <definitions> in {} was expected",
            ns::WSDL
        )));
    }
    Ok(())
}

/// "line 3, column 5": where `node` starts.
fn position(document: &Document, node: Node) -> String {
    let at = document.text_pos_at(node.range().start);
    format!("line {}, column {}", at.row, at.col)
}

/// A namespace and a local name.
type Key<'a> = (&'a str, &'a str);

/// The element children of `node` in the XML Schema namespace.
fn xsd_children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(|child| child.is_element() && child.tag_name().namespace() == Some(ns::XSD))
}

/// Whether `node` is the XML Schema element `name`.
fn is_xsd(node: &Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(ns::XSD)
        && node.tag_name().name() == name
}

fn xsd_child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    xsd_children(node).find(|child| child.tag_name().name() == name)
}

/// The element children of `node` named `name` in the WSDL namespace.
fn wsdl_children<'a, 'i>(node: Node<'a, 'i>, name: &str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |child| {
        child.is_element()
            && child.tag_name().namespace() == Some(ns::WSDL)
            && child.tag_name().name() == name
    })
}

fn wsdl_child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    wsdl_children(node, name).next()
}

/// Whether `node` is a SOAP binding element (`soap:` or `soap12:`) named `name`.
fn is_soap(node: &Node, name: &str) -> bool {
    node.is_element()
        && matches!(node.tag_name().namespace(), Some(ns::SOAP11 | ns::SOAP12))
        && node.tag_name().name() == name
}

fn local(node: &Node) -> &'static str {
    match node.tag_name().name() {
        "element" => "element",
        "sequence" => "sequence",
        "choice" => "choice",
        "all" => "all",
        "group" => "group",
        "any" => "any",
        "attribute" => "attribute",
        "attributeGroup" => "attributeGroup",
        "complexContent" => "complexContent",
        "simpleContent" => "simpleContent",
        "extension" => "extension",
        "restriction" => "restriction",
        "enumeration" => "enumeration",
        "simpleType" => "simpleType",
        "complexType" => "complexType",
        "list" => "list",
        "union" => "union",
        _ => "",
    }
}

/// The local part of a QName written in an attribute.
fn local_part(qname: &str) -> &str {
    let qname = qname.trim();
    qname.rsplit_once(':').map_or(qname, |(_, local)| local)
}

/// A QName written in an attribute of `node`, its prefix resolved there
/// (an unprefixed name takes the default namespace, as XML Schema says).
fn resolve<'a>(node: Node<'a, '_>, qname: &'a str) -> Key<'a> {
    let qname = qname.trim();
    match qname.split_once(':') {
        Some((prefix, local)) => (node.lookup_namespace_uri(Some(prefix)).unwrap_or(""), local),
        None => (node.lookup_namespace_uri(None).unwrap_or(""), qname),
    }
}

/// The WSDL, indexed: its messages, port types, bindings, policies and
/// schema components, by name.
struct Model<'a, 'i> {
    document: &'a Document<'i>,
    target: &'a str,
    messages: BTreeMap<&'a str, Node<'a, 'i>>,
    port_types: BTreeMap<&'a str, Node<'a, 'i>>,
    bindings: BTreeMap<&'a str, Node<'a, 'i>>,
    /// Policies by their `wsu:Id` (or `Name`), for `PolicyReference URI="#..."`.
    policies: BTreeMap<&'a str, Node<'a, 'i>>,
    schema: Schema<'a, 'i>,
    /// One of Salesforce's WSDLs (a `*.sforce.com` target namespace).
    salesforce: bool,
}

/// The global components of the WSDL's inline schemas, by namespace and
/// name (schemas import each other by namespace, so one index serves all).
#[derive(Default)]
struct Schema<'a, 'i> {
    elements: Components<'a, 'i>,
    /// Simple and complex types (one symbol space in XML Schema).
    types: Components<'a, 'i>,
    groups: Components<'a, 'i>,
    attribute_groups: Components<'a, 'i>,
    attributes: Components<'a, 'i>,
    /// Complex types by the base they extend, for `xsi:type` hints.
    derived: BTreeMap<Key<'a>, Vec<Key<'a>>>,
}

/// Components of one kind by namespace and name, and by name alone.
#[derive(Default)]
struct Components<'a, 'i> {
    by_key: BTreeMap<Key<'a>, Node<'a, 'i>>,
    by_name: BTreeMap<&'a str, (Key<'a>, Node<'a, 'i>)>,
}

impl<'a, 'i> Components<'a, 'i> {
    /// Keeps the first component of each name.
    fn insert(&mut self, key: Key<'a>, node: Node<'a, 'i>) {
        self.by_key.entry(key).or_insert(node);
        self.by_name.entry(key.1).or_insert((key, node));
    }

    /// The component `key` names; when no schema has it in that namespace,
    /// the first of that name in any (WSDLs are often loose about prefixes).
    fn find(&self, key: Key<'a>) -> Option<(Key<'a>, Node<'a, 'i>)> {
        match self.by_key.get_key_value(&key) {
            Some((key, node)) => Some((*key, *node)),
            None => self.by_name.get(key.1).copied(),
        }
    }
}

impl<'a, 'i> Model<'a, 'i> {
    fn read(document: &'a Document<'i>, definitions: Node<'a, 'i>, notes: &mut Notes) -> Self {
        let target = definitions.attribute("targetNamespace").unwrap_or("");
        let mut model = Model {
            document,
            target,
            messages: BTreeMap::new(),
            port_types: BTreeMap::new(),
            bindings: BTreeMap::new(),
            policies: BTreeMap::new(),
            schema: Schema::default(),
            salesforce: target.trim_end_matches('/').ends_with("sforce.com"),
        };
        for child in definitions.children().filter(Node::is_element) {
            if child.tag_name().namespace() != Some(ns::WSDL) {
                continue;
            }
            let name = child.attribute("name").unwrap_or("");
            match child.tag_name().name() {
                "message" => {
                    model.messages.entry(name).or_insert(child);
                }
                "portType" => {
                    model.port_types.entry(name).or_insert(child);
                }
                "binding" => {
                    model.bindings.entry(name).or_insert(child);
                }
                "types" => model.schema.read(child, notes),
                "import" => notes.once(format!(
                    "the imported WSDL {} was not read (wsdl:import): what it defines is missing",
                    child.attribute("location").unwrap_or("").escape_debug()
                )),
                _ => {}
            }
        }
        for node in definitions.descendants().filter(is_policy) {
            for attribute in node.attributes() {
                if matches!(attribute.name(), "Id" | "Name") {
                    model.policies.entry(attribute.value()).or_insert(node);
                }
            }
        }
        model
    }

    fn at(&self, node: Node) -> String {
        position(self.document, node)
    }

    /// The type `qname` names, written in an attribute of `at`.
    fn named_type(&self, at: Node<'a, 'i>, qname: &'a str) -> Ty<'a, 'i> {
        let key = resolve(at, qname);
        if key.0 == ns::XSD || key.0 == ns::SOAP_ENCODING {
            return Ty::Builtin(key.1);
        }
        match self.schema.types.find(key) {
            Some((key, node)) if node.tag_name().name() == "complexType" => {
                Ty::Complex(node, Some(key))
            }
            Some((_, node)) => Ty::Simple(node),
            None => Ty::Unknown(key),
        }
    }

    /// The type of an element declaration: named, inline, or anyType.
    fn element_type(&self, declaration: Node<'a, 'i>) -> Ty<'a, 'i> {
        if let Some(qname) = declaration.attribute("type") {
            return self.named_type(declaration, qname);
        }
        if let Some(complex) = xsd_child(declaration, "complexType") {
            return Ty::Complex(complex, None);
        }
        if let Some(simple) = xsd_child(declaration, "simpleType") {
            return Ty::Simple(simple);
        }
        Ty::Builtin("anyType")
    }

    /// The namespace an element or attribute declared at `declaration` is
    /// written in: its schema's target namespace when global or qualified
    /// (`form`, `elementFormDefault`), none otherwise.
    fn namespace_of(&self, declaration: Node<'a, 'i>, form_default: &str) -> &'a str {
        let Some(schema) = declaration.ancestors().find(|node| is_xsd(node, "schema")) else {
            return "";
        };
        let target = schema.attribute("targetNamespace").unwrap_or("");
        if declaration.parent_element() == Some(schema) {
            return target;
        }
        let form = declaration
            .attribute("form")
            .or_else(|| schema.attribute(form_default))
            .unwrap_or("unqualified");
        if form.trim() == "qualified" {
            target
        } else {
            ""
        }
    }

    /// The security tokens the policies attached to `binding` or to its
    /// operation `operation` ask for.
    fn tokens(&self, binding: Node<'a, 'i>, operation: Node<'a, 'i>) -> Tokens {
        let mut pending: Vec<Node<'a, 'i>> = Vec::new();
        let attached = |node: Node<'a, 'i>, pending: &mut Vec<Node<'a, 'i>>| {
            if is_policy(&node) {
                pending.push(node);
            } else if is_policy_reference(&node) {
                pending.extend(self.policy(node.attribute("URI").unwrap_or("")));
            }
            for attribute in node.attributes() {
                if attribute.name() == "PolicyURIs" {
                    for uri in attribute.value().split_whitespace() {
                        pending.extend(self.policy(uri));
                    }
                }
            }
        };
        attached(binding, &mut pending);
        for child in binding.children().filter(Node::is_element) {
            attached(child, &mut pending);
        }
        for node in operation.descendants().filter(Node::is_element) {
            attached(node, &mut pending);
        }
        let mut tokens = Tokens::default();
        let mut followed = 0;
        while let Some(policy) = pending.pop() {
            followed += 1;
            if followed > MAX_INDIRECTION {
                break;
            }
            for node in policy.descendants().filter(Node::is_element) {
                if is_policy_reference(&node) {
                    pending.extend(self.policy(node.attribute("URI").unwrap_or("")));
                }
                let security = node
                    .tag_name()
                    .namespace()
                    .is_some_and(|namespace| ns::SECURITY_POLICY.contains(&namespace));
                if !security {
                    continue;
                }
                match node.tag_name().name() {
                    "UsernameToken" => tokens.username = true,
                    "X509Token" => {
                        tokens.bearer = true;
                        tokens.x509 = true;
                    }
                    "IssuedToken"
                    | "SamlToken"
                    | "KerberosToken"
                    | "SpnegoContextToken"
                    | "SecureConversationToken" => tokens.bearer = true,
                    _ => {}
                }
            }
        }
        tokens
    }

    /// The policy a `#id` reference names.
    fn policy(&self, uri: &str) -> Option<Node<'a, 'i>> {
        let id = uri.trim().trim_start_matches('#');
        self.policies.get(id).copied()
    }
}

fn is_policy(node: &Node) -> bool {
    node.is_element()
        && node.tag_name().name() == "Policy"
        && node
            .tag_name()
            .namespace()
            .is_some_and(|namespace| ns::POLICY.contains(&namespace))
}

fn is_policy_reference(node: &Node) -> bool {
    node.is_element()
        && node.tag_name().name() == "PolicyReference"
        && node
            .tag_name()
            .namespace()
            .is_some_and(|namespace| ns::POLICY.contains(&namespace))
}

impl<'a, 'i> Schema<'a, 'i> {
    /// Indexes the XML schemas inside `types`.
    fn read(&mut self, types: Node<'a, 'i>, notes: &mut Notes) {
        let schemas: Vec<Node> = types
            .children()
            .filter(|child| is_xsd(child, "schema"))
            .collect();
        if types
            .children()
            .any(|child| child.is_element() && !schemas.contains(&child))
        {
            notes.once("a schema that is not an XML Schema (xsd:schema) was not read");
        }
        let inline: BTreeSet<&str> = schemas
            .iter()
            .map(|schema| schema.attribute("targetNamespace").unwrap_or(""))
            .collect();
        for schema in schemas {
            let target = schema.attribute("targetNamespace").unwrap_or("");
            for child in xsd_children(schema) {
                let name = child.attribute("name").unwrap_or("").trim();
                let key = (target, name);
                match child.tag_name().name() {
                    "element" => {
                        self.elements.insert(key, child);
                    }
                    "complexType" => {
                        self.types.insert(key, child);
                        let bases = xsd_children(child)
                            .filter(|node| node.tag_name().name() == "complexContent")
                            .flat_map(xsd_children)
                            .filter(|node| node.tag_name().name() == "extension")
                            .filter_map(|node| Some(resolve(node, node.attribute("base")?)));
                        for base in bases {
                            self.derived.entry(base).or_default().push(key);
                        }
                    }
                    "simpleType" => {
                        self.types.insert(key, child);
                    }
                    "group" => {
                        self.groups.insert(key, child);
                    }
                    "attributeGroup" => {
                        self.attribute_groups.insert(key, child);
                    }
                    "attribute" => {
                        self.attributes.insert(key, child);
                    }
                    "import" => {
                        let namespace = child.attribute("namespace").unwrap_or("");
                        let well_known = [ns::XSD, ns::SOAP_ENCODING, ns::XML, ns::WSSE];
                        if let Some(location) = child.attribute("schemaLocation")
                            && !inline.contains(namespace)
                            && !well_known.contains(&namespace)
                        {
                            notes.once(external_schema(location));
                        }
                    }
                    "include" | "redefine" | "override" => {
                        let location = child.attribute("schemaLocation").unwrap_or("");
                        notes.once(external_schema(location));
                    }
                    _ => {}
                }
            }
        }
    }
}

fn external_schema(location: &str) -> String {
    format!(
        "the external schema {} was not read: its types are written as \"?\"",
        location.escape_debug()
    )
}

/// A type as far as a skeleton needs it.
#[derive(Clone, Copy)]
enum Ty<'a, 'i> {
    /// An XML Schema (or SOAP encoding) built-in type, by local name.
    Builtin(&'a str),
    Simple(Node<'a, 'i>),
    /// A complex type, with its name when it has one (for recursion).
    Complex(Node<'a, 'i>, Option<Key<'a>>),
    /// A type no schema of the WSDL defines.
    Unknown(Key<'a>),
}

/// What the WS-Security policies of an operation ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tokens {
    username: bool,
    /// A token of the binary kind (X.509, SAML, Kerberos...): the header
    /// carries the credential's bearer token in its place.
    bearer: bool,
    x509: bool,
}

/// How often something occurs: `None` as the maximum is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Occurs {
    min: u64,
    max: Option<u64>,
}

impl Occurs {
    fn of(node: Node) -> Self {
        let min = node
            .attribute("minOccurs")
            .and_then(|min| min.trim().parse().ok())
            .unwrap_or(1);
        let max = match node.attribute("maxOccurs").map(str::trim) {
            Some("unbounded") => None,
            Some(max) => Some(max.parse().unwrap_or(1)),
            None => Some(1),
        };
        Self { min, max }
    }

    fn never(self) -> bool {
        self.max == Some(0)
    }

    /// "optional", "repeats: 0..unbounded", or nothing for exactly once.
    fn describe(self) -> Option<String> {
        match self.max {
            None => Some(format!("repeats: {}..unbounded", self.min)),
            Some(max) if max > 1 => Some(format!("repeats: {}..{max}", self.min)),
            Some(_) if self.min == 0 => Some("optional".to_string()),
            Some(_) => None,
        }
    }
}

/// Notes for the person importing, each once.
#[derive(Debug, Default)]
struct Notes {
    list: Vec<String>,
    /// Types and elements no schema of the WSDL defines.
    unknown: BTreeSet<String>,
}

impl Notes {
    fn once(&mut self, note: impl Into<String>) {
        let note = note.into();
        if self.list.len() < MAX_NOTES && !self.list.contains(&note) {
            self.list.push(note);
        }
    }

    fn unknown(&mut self, key: Key) {
        if self.unknown.len() < MAX_NOTES {
            self.unknown.insert(if key.0.is_empty() {
                key.1.to_string()
            } else {
                format!("{} ({})", key.1, key.0)
            });
        }
    }
}

/// "a, b, c" — at most [`MAX_LISTED`], then how many more.
fn listed(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(MAX_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX_LISTED {
        let _ = write!(text, " and {} more", items.len() - MAX_LISTED);
    }
    text
}

/// The origin variable a port's URL starts with.
#[derive(Debug)]
struct Endpoint {
    variable: String,
    /// The WSDL's origin (empty when its address was not an absolute URL).
    origin: String,
    /// A Salesforce SOAP API address (`.../services/Soap/...`).
    salesforce: bool,
}

/// Reads the services' ports into requests.
struct Importer<'m, 'a, 'i> {
    model: &'m Model<'a, 'i>,
    notes: Notes,
    requests: Vec<IncomingRequest>,
    endpoints: Vec<Endpoint>,
    /// Elements the envelopes may still hold.
    left: usize,
    /// The merge fields the bodies carry.
    merge_fields: BTreeSet<String>,
}

/// A SOAP port and what its requests share.
struct Port<'a, 'i> {
    label: String,
    folder: String,
    url: String,
    version: Soap,
    binding: Node<'a, 'i>,
    port_type: Node<'a, 'i>,
    style: &'a str,
}

/// The SOAP version of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Soap {
    V11,
    V12,
}

impl Soap {
    fn envelope(self) -> &'static str {
        match self {
            Soap::V11 => ns::ENVELOPE11,
            Soap::V12 => ns::ENVELOPE12,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Soap::V11 => "soapenv",
            Soap::V12 => "soap",
        }
    }

    fn must_understand(self) -> &'static str {
        match self {
            Soap::V11 => "1",
            Soap::V12 => "true",
        }
    }
}

impl<'m, 'a, 'i> Importer<'m, 'a, 'i> {
    fn port(&mut self, service: Node<'a, 'i>, port: Node<'a, 'i>) {
        let model = self.model;
        let service_name = service.attribute("name").unwrap_or("Service").trim();
        let port_name = port.attribute("name").unwrap_or("Port").trim();
        let label = format!("{service_name}/{port_name}")
            .escape_debug()
            .to_string();
        let address = port
            .children()
            .find(|child| child.is_element() && child.tag_name().name() == "address");
        if address.and_then(|address| address.tag_name().namespace()) == Some(ns::HTTP) {
            self.notes.once(format!(
                "port {label} is an HTTP GET/POST binding, not SOAP: it was skipped"
            ));
            return;
        }
        let Some(address) = address.filter(|address| is_soap(address, "address")) else {
            self.notes.once(format!(
                "port {label} has no SOAP address (soap:address): it was skipped"
            ));
            return;
        };
        let binding_name = port.attribute("binding").map(local_part).unwrap_or("");
        let Some(binding) = model.bindings.get(binding_name).copied() else {
            self.notes.once(format!(
                "port {label} names binding \"{}\", which the WSDL does not define: it was skipped",
                binding_name.escape_debug()
            ));
            return;
        };
        let Some(soap_binding) = binding.children().find(|child| is_soap(child, "binding")) else {
            self.notes.once(format!(
                "the binding of port {label} is not a SOAP binding: it was skipped"
            ));
            return;
        };
        let version = if soap_binding.tag_name().namespace() == Some(ns::SOAP12) {
            Soap::V12
        } else {
            Soap::V11
        };
        let transport = soap_binding.attribute("transport").unwrap_or("").trim();
        let http = transport.is_empty()
            || transport.ends_with("/soap/http")
            || transport.ends_with("/soap/bindings/HTTP/");
        if !http {
            self.notes.once(format!(
                "port {label} sends SOAP over {}, not HTTP: it was skipped",
                transport.escape_debug()
            ));
            return;
        }
        let port_type_name = binding.attribute("type").map(local_part).unwrap_or("");
        let Some(port_type) = model.port_types.get(port_type_name).copied() else {
            self.notes.once(format!(
                "the binding of port {label} names port type \"{}\", which the WSDL does not \
                 define: it was skipped",
                port_type_name.escape_debug()
            ));
            return;
        };
        let folder = if port_name.starts_with(service_name) {
            port_name.to_string()
        } else {
            format!("{service_name} {port_name}")
        };
        let url = self.url(address.attribute("location").unwrap_or(""), &label);
        let port = Port {
            label,
            folder,
            url,
            version,
            binding,
            port_type,
            style: soap_binding.attribute("style").unwrap_or("document"),
        };
        for operation in wsdl_children(binding, "operation") {
            self.operation(&port, operation);
        }
    }

    /// `{{endpoint}}/path`: the address's path behind the variable for its
    /// origin, one variable per distinct origin.
    fn url(&mut self, location: &str, label: &str) -> String {
        let location = location.trim();
        let parsed = url::Url::parse(location)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
        let (origin, rest, salesforce) = match &parsed {
            Some(url) => {
                let host = url.host_str().unwrap_or("");
                let salesforce = (host.ends_with("salesforce.com") || host.ends_with("force.com"))
                    && url.path().starts_with("/services/Soap/");
                (
                    url.origin().ascii_serialization(),
                    path_and_query(location),
                    salesforce,
                )
            }
            // A path alone keeps its path; anything else gives nothing.
            None if location.starts_with('/') => (String::new(), location, false),
            None => (String::new(), "", false),
        };
        let known = self
            .endpoints
            .iter()
            .find(|endpoint| !origin.is_empty() && endpoint.origin == origin);
        let variable = match known {
            Some(endpoint) => endpoint.variable.clone(),
            None => {
                let variable = match self.endpoints.len() {
                    0 => "endpoint".to_string(),
                    count => format!("endpoint{}", count + 1),
                };
                if origin.is_empty() {
                    self.notes.once(format!(
                        "the address of port {label} (\"{}\") is not an absolute http(s) URL: \
                         set {variable} to the service's origin",
                        location.escape_debug()
                    ));
                }
                self.endpoints.push(Endpoint {
                    variable: variable.clone(),
                    origin,
                    salesforce,
                });
                variable
            }
        };
        format!("{{{{{variable}}}}}{rest}")
    }

    fn operation(&mut self, port: &Port<'a, 'i>, operation: Node<'a, 'i>) {
        let model = self.model;
        let label = &port.label;
        let name = operation.attribute("name").unwrap_or("").trim();
        let Some(declared) = wsdl_children(port.port_type, "operation")
            .find(|declared| declared.attribute("name").map(str::trim) == Some(name))
        else {
            self.notes.once(format!(
                "operation \"{}\" of port {label} is not in its port type: it was skipped",
                name.escape_debug()
            ));
            return;
        };
        let Some(input) = wsdl_child(declared, "input") else {
            self.notes.once(format!(
                "operation \"{}\" of port {label} has no input (the service sends it, nobody \
                 calls it): it was skipped",
                name.escape_debug()
            ));
            return;
        };
        let message_name = input.attribute("message").map(local_part).unwrap_or("");
        let Some(message) = model.messages.get(message_name).copied() else {
            self.notes.once(format!(
                "the input message \"{}\" of operation \"{}\" (port {label}) is not defined: the \
                 operation was skipped",
                message_name.escape_debug(),
                name.escape_debug()
            ));
            return;
        };
        let soap_operation = operation
            .children()
            .find(|child| is_soap(child, "operation"));
        let action = soap_operation
            .and_then(|soap| soap.attribute("soapAction"))
            .unwrap_or("")
            .trim();
        let style = soap_operation
            .and_then(|soap| soap.attribute("style"))
            .unwrap_or(port.style)
            .trim();
        let bound_input = wsdl_child(operation, "input");
        let extensions: Vec<Node> = bound_input
            .map(|input| input.descendants().filter(Node::is_element).collect())
            .unwrap_or_default();
        if extensions
            .iter()
            .any(|node| node.tag_name().namespace() == Some(ns::MIME))
        {
            self.notes.once(
                "MIME attachments (mime:multipartRelated) are not generated: only the SOAP part is",
            );
        }
        let soap_body = extensions
            .iter()
            .find(|node| is_soap(node, "body"))
            .copied();
        if soap_body
            .and_then(|body| body.attribute("use"))
            .map(str::trim)
            == Some("encoded")
        {
            self.notes.once(
                "SOAP-encoded operations (use=\"encoded\") are written as literal XML, without \
                 xsi:type attributes",
            );
        }
        if wsdl_child(operation, "fault").is_some() {
            self.notes.once(
                "fault details (soap:fault) describe answers, not requests: they were skipped",
            );
        }
        let chosen: Option<Vec<&str>> = soap_body
            .and_then(|body| body.attribute("parts"))
            .map(|parts| parts.split_whitespace().collect());
        let parts: Vec<Node> = wsdl_children(message, "part")
            .filter(|part| {
                chosen.as_ref().is_none_or(|chosen| {
                    chosen.contains(&part.attribute("name").unwrap_or("").trim())
                })
            })
            .collect();
        let headers: Vec<Node> = extensions
            .iter()
            .filter(|node| is_soap(node, "header"))
            .copied()
            .collect();
        let tokens = model.tokens(port.binding, operation);

        let mut writer = Writer::new(model, &mut self.notes, &mut self.left, port.version);
        let mut header = String::new();
        let mut security = tokens;
        let mut other_headers = String::new();
        for soap_header in headers {
            let message_name = soap_header
                .attribute("message")
                .map(local_part)
                .unwrap_or("");
            let part_name = soap_header.attribute("part").unwrap_or("").trim();
            let part = model.messages.get(message_name).and_then(|message| {
                wsdl_children(*message, "part")
                    .find(|part| part.attribute("name").map(str::trim) == Some(part_name))
            });
            let Some(part) = part else {
                writer.notes.once(format!(
                    "header part \"{}\" of message \"{}\" is not defined: it was left out",
                    part_name.escape_debug(),
                    message_name.escape_debug()
                ));
                continue;
            };
            let element = part
                .attribute("element")
                .map(|element| resolve(part, element));
            if part_name == "Security" || element.is_some_and(|key| key.1 == "Security") {
                if security == Tokens::default() {
                    security.username = true;
                }
                continue;
            }
            let session = element.is_some_and(|key| key.1 == "SessionHeader");
            if model.salesforce && !session {
                writer.commented_header(&mut other_headers, part);
            } else {
                writer.part(&mut other_headers, part, CONTENT_LEVEL);
            }
        }
        if security != Tokens::default() {
            writer.security(&mut header, security);
        }
        header.push_str(&other_headers);

        let mut body = String::new();
        let typed_parts = parts.iter().any(|part| part.attribute("element").is_none());
        if style == "rpc" {
            let namespace = soap_body
                .and_then(|body| body.attribute("namespace"))
                .unwrap_or(model.target)
                .trim();
            writer.wrapper(&mut body, namespace, name, &parts);
        } else {
            if typed_parts {
                writer.notes.once(
                    "document-style parts typed with type= (not element=) are written as elements \
                     named after the part",
                );
            }
            for part in &parts {
                writer.part(&mut body, *part, CONTENT_LEVEL);
            }
        }
        let envelope = writer.envelope(&header, &body);

        let mut draft = Draft::new("POST", port.url.clone());
        draft = match port.version {
            Soap::V11 => draft
                .header("Content-Type", "text/xml; charset=UTF-8")
                .header("SOAPAction", &format!("\"{action}\"")),
            Soap::V12 if action.is_empty() => {
                draft.header("Content-Type", "application/soap+xml; charset=UTF-8")
            }
            Soap::V12 => draft.header(
                "Content-Type",
                &format!("application/soap+xml; charset=UTF-8; action=\"{action}\""),
            ),
        };
        let left_out = |reason: String| {
            format!(
                "operation \"{}\" of port {label} was not imported: {reason}",
                name.escape_debug()
            )
        };
        let request = match checked_request(name, draft.body(envelope), left_out, |_| {}) {
            Ok(request) => request,
            Err(note) => {
                self.notes.once(note);
                return;
            }
        };
        let mut rest = request.body.as_deref().unwrap_or_default();
        while let Some(start) = rest.find("{!") {
            let Some(length) = rest[start..].find('}') else {
                break;
            };
            if self.merge_fields.len() < MAX_LISTED {
                self.merge_fields
                    .insert(rest[start..=start + length].to_string());
            }
            rest = &rest[start + length..];
        }
        self.requests.push(IncomingRequest {
            folders: vec![port.folder.clone()],
            request,
        });
    }

    fn finish(self, name: String) -> Incoming {
        let mut notes = Vec::new();
        let mut variables = BTreeMap::new();
        for endpoint in &self.endpoints {
            variables.insert(endpoint.variable.clone(), endpoint.origin.clone());
        }
        let absolute: Vec<&Endpoint> = self
            .endpoints
            .iter()
            .filter(|endpoint| !endpoint.origin.is_empty())
            .collect();
        match absolute[..] {
            [] => {}
            [endpoint] => notes.push(endpoint_note(endpoint)),
            _ => {
                let listed_origins: Vec<String> = absolute
                    .iter()
                    .map(|endpoint| format!("{{{{{}}}}} = {}", endpoint.variable, endpoint.origin))
                    .collect();
                notes.push(format!(
                    "the requests' URLs start with a variable for their port's origin ({}); set \
                     one to \"callout:NAME\" in the collection or an environment to send its \
                     requests through credential NAME",
                    listed(&listed_origins)
                ));
            }
        }
        if !self.merge_fields.is_empty() {
            let fields: Vec<String> = self.merge_fields.iter().cloned().collect();
            notes.push(format!(
                "the envelopes carry merge fields ({}): a credential fills them only with \
                 \"Allow merge fields in HTTP body\" turned on",
                fields.join(", ")
            ));
        }
        if self.model.salesforce
            && self.requests.iter().any(|incoming| {
                incoming
                    .request
                    .body
                    .as_deref()
                    .is_some_and(|body| body.contains("<!-- optional header:"))
            })
        {
            notes.push(
                "Salesforce's optional SOAP headers (CallOptions, QueryOptions, ...) are written \
                 commented out: uncomment the ones you set, as Salesforce rejects placeholder \
                 values"
                    .to_string(),
            );
        }
        notes.extend(self.notes.list);
        if !self.notes.unknown.is_empty() {
            let unknown: Vec<String> = self.notes.unknown.into_iter().collect();
            notes.push(format!(
                "what the WSDL's schemas do not define was written as \"?\": {}",
                listed(&unknown)
            ));
        }
        Incoming {
            name,
            requests: self.requests,
            variables,
            environments: Vec::new(),
            credentials: Vec::new(),
            notes,
        }
    }
}

/// What to do with the one origin variable.
fn endpoint_note(endpoint: &Endpoint) -> String {
    let (variable, origin) = (&endpoint.variable, &endpoint.origin);
    let login = [
        "https://login.salesforce.com",
        "https://test.salesforce.com",
    ];
    if endpoint.salesforce && login.contains(&origin.as_str()) {
        format!(
            "the requests' URLs start with {{{{{variable}}}}}, set to {origin}: the WSDL's \
             address, Salesforce's login host; a session belongs to your org's My Domain, so set \
             {variable} = \"callout:NAME\" for a credential of that org to send the requests \
             there with its token"
        )
    } else {
        format!(
            "the requests' URLs start with {{{{{variable}}}}}, set to {origin} (the WSDL's \
             address); set {variable} = \"callout:NAME\" in the collection or an environment to \
             send them through credential NAME"
        )
    }
}

/// What follows the authority of an absolute URL: its path and query,
/// without a fragment.
fn path_and_query(url: &str) -> &str {
    let Some((_, after_scheme)) = url.split_once("://") else {
        return "";
    };
    let start = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let rest = &after_scheme[start..];
    rest.split('#').next().unwrap_or("")
}

/// The prefixes of an envelope's namespaces, declared on its root.
struct Prefixes {
    declared: Vec<(String, String)>,
}

/// Prefixes a schema's namespace never gets, so that the envelope's and the
/// security header's stay recognisable.
const RESERVED_PREFIXES: [&str; 7] = ["xml", "xmlns", "soapenv", "soap", "wsse", "wsu", "xsi"];

impl Prefixes {
    fn new(envelope: &str, prefix: &str) -> Self {
        Self {
            declared: vec![(envelope.to_string(), prefix.to_string())],
        }
    }

    /// The prefix of `namespace`, declared on first use; none for no
    /// namespace.
    fn of(&mut self, namespace: &str) -> Option<String> {
        if namespace.is_empty() || namespace == ns::XMLNS {
            return None;
        }
        if namespace == ns::XML {
            return Some("xml".to_string());
        }
        if let Some((_, prefix)) = self.declared.iter().find(|(known, _)| known == namespace) {
            return Some(prefix.clone());
        }
        Some(self.declare(namespace, &suggest(namespace), false))
    }

    /// The prefix of `namespace`, `wanted` when it is free.
    fn preferred(&mut self, namespace: &str, wanted: &str) -> String {
        if let Some((_, prefix)) = self.declared.iter().find(|(known, _)| known == namespace) {
            return prefix.clone();
        }
        self.declare(namespace, wanted, true)
    }

    fn declare(&mut self, namespace: &str, base: &str, reserved_ok: bool) -> String {
        let mut prefix = base.to_string();
        let mut number = 1;
        while (!reserved_ok && RESERVED_PREFIXES.contains(&prefix.as_str()))
            || self.declared.iter().any(|(_, taken)| *taken == prefix)
        {
            prefix = format!("{base}{number}");
            number += 1;
        }
        self.declared.push((namespace.to_string(), prefix.clone()));
        prefix
    }
}

/// A short prefix for `namespace`, as SoapUI makes them: `urn` for a URN,
/// else three letters of its last word (`met` for
/// `http://soap.sforce.com/2006/04/metadata`).
fn suggest(namespace: &str) -> String {
    let lower = namespace.to_ascii_lowercase();
    if lower.starts_with("urn:") {
        return "urn".to_string();
    }
    let rest = lower
        .split_once("://")
        .map_or(lower.as_str(), |(_, rest)| rest);
    let mut pieces = rest
        .split(['/', '#', '?', ':'])
        .filter(|piece| !piece.is_empty());
    let host = pieces.next().unwrap_or("");
    let starts_with_letter = |word: &&str| word.starts_with(|c: char| c.is_ascii_alphabetic());
    let word = pieces.rfind(starts_with_letter).unwrap_or_else(|| {
        host.split('.')
            .filter(starts_with_letter)
            .find(|label| *label != "www")
            .unwrap_or("")
    });
    let prefix: String = word
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(3)
        .collect();
    if prefix.is_empty() || prefix.starts_with("xml") {
        "ns".to_string()
    } else {
        prefix
    }
}

/// A simple value: the example, and the enumeration's other values.
#[derive(Debug, Default)]
struct Value {
    text: String,
    /// The enumeration's other values, at most [`MAX_LISTED`].
    others: Vec<String>,
    /// How many more there are.
    more: usize,
}

impl Value {
    fn plain(text: &str) -> Self {
        Self {
            text: text.to_string(),
            ..Self::default()
        }
    }

    /// The first of `values`, the others listed; none when there are none.
    fn enumeration<'v>(values: impl Iterator<Item = &'v str>) -> Option<Self> {
        let mut values = values;
        let mut value = Self::plain(values.next()?);
        for other in values {
            if value.others.len() < MAX_LISTED {
                value.others.push(other.to_string());
            } else {
                value.more += 1;
            }
        }
        Some(value)
    }

    /// "or one of: b, c": the comment naming the other values.
    fn alternatives(&self) -> Option<String> {
        if self.others.is_empty() {
            return None;
        }
        let mut text = format!("or one of: {}", self.others.join(", "));
        if self.more > 0 {
            let _ = write!(text, " and {} more", self.more);
        }
        Some(text)
    }
}

/// An example value of an XML Schema built-in type.
fn example(builtin: &str) -> &'static str {
    match builtin {
        "boolean" => "false",
        "int" | "integer" | "long" | "short" | "byte" | "nonNegativeInteger"
        | "nonPositiveInteger" | "unsignedLong" | "unsignedInt" | "unsignedShort"
        | "unsignedByte" => "0",
        "positiveInteger" => "1",
        "negativeInteger" => "-1",
        "decimal" | "float" | "double" => "0.0",
        "dateTime" | "dateTimeStamp" => "2024-01-31T09:30:00Z",
        "date" => "2024-01-31",
        "time" => "09:30:00",
        "duration" => "PT1H",
        "gYear" => "2024",
        "gYearMonth" => "2024-01",
        "gMonth" => "--01",
        "gMonthDay" => "--01-31",
        "gDay" => "---31",
        "base64Binary" => "AA==",
        "hexBinary" => "00",
        _ => "?",
    }
}

/// What a complex type puts on and in its element.
#[derive(Debug, Default)]
struct Content {
    /// Required attributes, written with example values.
    attributes: Vec<(String, String)>,
    /// Optional attributes, named in a comment.
    optional: Vec<String>,
    /// Every attribute seen, so none is written twice.
    seen: BTreeSet<String>,
    /// Simple content.
    text: Option<Value>,
    /// Child elements, written.
    children: String,
}

/// Writes one envelope.
struct Writer<'w, 'a, 'i> {
    model: &'w Model<'a, 'i>,
    notes: &'w mut Notes,
    /// Elements the import may still write.
    left: &'w mut usize,
    version: Soap,
    prefixes: Prefixes,
    /// Comments are written (not inside a commented-out header).
    comments: bool,
    written: usize,
    cut: bool,
    /// The local names of the elements open.
    path: Vec<&'a str>,
    /// The named complex types being expanded, for recursion.
    expanding: Vec<Key<'a>>,
    /// The model groups being expanded, for recursion.
    groups: Vec<Key<'a>>,
}

impl<'w, 'a, 'i> Writer<'w, 'a, 'i> {
    fn new(
        model: &'w Model<'a, 'i>,
        notes: &'w mut Notes,
        left: &'w mut usize,
        version: Soap,
    ) -> Self {
        Self {
            model,
            notes,
            left,
            version,
            prefixes: Prefixes::new(version.envelope(), version.prefix()),
            comments: true,
            written: 0,
            cut: false,
            path: Vec::new(),
            expanding: Vec::new(),
            groups: Vec::new(),
        }
    }

    fn qname(&mut self, namespace: &str, name: &str) -> String {
        match self.prefixes.of(namespace) {
            Some(prefix) => format!("{prefix}:{name}"),
            None => name.to_string(),
        }
    }

    /// A comment, when comments are written and there is room for it.
    fn comment(&mut self, out: &mut String, level: usize, text: &str) {
        if self.comments && self.charge() {
            line(out, level, &format!("<!-- {} -->", comment_safe(text)));
        }
    }

    fn comments(&mut self, out: &mut String, level: usize, texts: &[String]) {
        for text in texts {
            self.comment(out, level, text);
        }
    }

    /// Counts one more thing written (element, attribute, comment); false
    /// when the skeleton is full.
    fn charge(&mut self) -> bool {
        if self.written < MAX_WRITTEN && *self.left > 0 {
            self.written += 1;
            *self.left -= 1;
            true
        } else {
            false
        }
    }

    /// Counts one more element; false (and a comment, once) when the
    /// skeleton is full.
    fn room(&mut self, out: &mut String, level: usize) -> bool {
        if self.charge() {
            return true;
        }
        if !self.cut {
            self.cut = true;
            if self.comments {
                line(
                    out,
                    level,
                    "<!-- cut: the skeleton is too long to write in full -->",
                );
            }
            self.notes
                .once("skeletons too long to write in full were cut short, with a comment");
        }
        false
    }

    /// The envelope around `header` and `body`, every prefix declared.
    fn envelope(&mut self, header: &str, body: &str) -> String {
        let env = self.version.prefix();
        let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = write!(text, "<{env}:Envelope");
        for (namespace, prefix) in &self.prefixes.declared {
            let _ = write!(text, " xmlns:{prefix}=\"{}\"", escape_attribute(namespace));
        }
        text.push_str(">\n");
        for (part, content) in [("Header", header), ("Body", body)] {
            if content.is_empty() {
                line(&mut text, 1, &format!("<{env}:{part}/>"));
            } else {
                line(&mut text, 1, &format!("<{env}:{part}>"));
                text.push_str(content);
                line(&mut text, 1, &format!("</{env}:{part}>"));
            }
        }
        let _ = writeln!(text, "</{env}:Envelope>");
        text
    }

    /// A `wsse:Security` header with the tokens asked for, holding merge
    /// fields.
    fn security(&mut self, out: &mut String, tokens: Tokens) {
        let level = CONTENT_LEVEL;
        let wsse = self.prefixes.preferred(ns::WSSE, "wsse");
        let env = self.version.prefix();
        if tokens.x509 {
            self.comment(
                out,
                level,
                "the WSDL's policy asks for an X.509 signature, which is not generated: the header \
                 carries the credential's token instead",
            );
            self.notes.once(
                "WS-Security signatures and encryption are not generated: a policy asking for \
                 an X.509 token gets a BinarySecurityToken holding {!$Credential.OAuthToken}",
            );
        }
        line(
            out,
            level,
            &format!(
                "<{wsse}:Security {env}:mustUnderstand=\"{}\">",
                self.version.must_understand()
            ),
        );
        if tokens.username {
            line(out, level + 1, &format!("<{wsse}:UsernameToken>"));
            line(
                out,
                level + 2,
                &format!(
                    "<{wsse}:Username>{{!HTMLENCODE($Credential.Username)}}</{wsse}:Username>"
                ),
            );
            line(
                out,
                level + 2,
                &format!(
                    "<{wsse}:Password Type=\"{}\">{{!HTMLENCODE($Credential.Password)}}</{wsse}:Password>",
                    ns::PASSWORD_TEXT
                ),
            );
            line(out, level + 1, &format!("</{wsse}:UsernameToken>"));
        }
        if tokens.bearer {
            line(
                out,
                level + 1,
                &format!(
                    "<{wsse}:BinarySecurityToken ValueType=\"{}\">{SESSION_ID}</{wsse}:BinarySecurityToken>",
                    ns::ACCESS_TOKEN
                ),
            );
        }
        line(out, level, &format!("</{wsse}:Security>"));
    }

    /// A header Salesforce does not require, commented out.
    fn commented_header(&mut self, out: &mut String, part: Node<'a, 'i>) {
        let comments = std::mem::replace(&mut self.comments, false);
        let mut inner = String::new();
        self.part(&mut inner, part, CONTENT_LEVEL);
        self.comments = comments;
        if inner.is_empty() {
            return;
        }
        if inner.contains("--") {
            // Cannot be inside a comment: written as it is.
            self.comment(out, CONTENT_LEVEL, "optional header");
            out.push_str(&inner);
            return;
        }
        line(out, CONTENT_LEVEL, "<!-- optional header:");
        out.push_str(&inner);
        line(out, CONTENT_LEVEL, "-->");
    }

    /// A message part: its element, or an element named after it holding
    /// its type.
    fn part(&mut self, out: &mut String, part: Node<'a, 'i>, level: usize) {
        if let Some(element) = part.attribute("element") {
            let key = resolve(part, element);
            match self.model.schema.elements.find(key) {
                Some((_, declaration)) => self.declared(out, declaration, level, Vec::new()),
                None => self.undefined_element(out, key, level, Vec::new()),
            }
        } else if let Some(name) = part.attribute("name") {
            let ty = match part.attribute("type") {
                Some(qname) => self.model.named_type(part, qname),
                None => Ty::Builtin("anyType"),
            };
            self.write(out, "", name.trim(), ty, None, level, Vec::new());
        }
    }

    /// An RPC operation's wrapper element holding its parts.
    fn wrapper(&mut self, out: &mut String, namespace: &str, name: &str, parts: &[Node<'a, 'i>]) {
        if !is_name(name) {
            self.notes.once(not_a_name());
            return;
        }
        if !self.room(out, CONTENT_LEVEL) {
            return;
        }
        let qname = self.qname(namespace, name);
        let mut inner = String::new();
        for part in parts {
            self.part(&mut inner, *part, CONTENT_LEVEL + 1);
        }
        if inner.is_empty() {
            line(out, CONTENT_LEVEL, &format!("<{qname}/>"));
        } else {
            line(out, CONTENT_LEVEL, &format!("<{qname}>"));
            out.push_str(&inner);
            line(out, CONTENT_LEVEL, &format!("</{qname}>"));
        }
    }

    /// An element no schema defines: written with `?`, and noted.
    fn undefined_element(
        &mut self,
        out: &mut String,
        key: Key<'a>,
        level: usize,
        comments: Vec<String>,
    ) {
        self.notes.unknown(key);
        self.write(out, key.0, key.1, Ty::Unknown(key), None, level, comments);
    }

    /// A particle of a content model (element, sequence, choice, all,
    /// group, any).
    fn particle(&mut self, out: &mut String, node: Node<'a, 'i>, level: usize, depth: usize) {
        if depth > MAX_INDIRECTION {
            self.comment(out, level, "cut: the content model nests too deep");
            return;
        }
        let occurs = Occurs::of(node);
        if occurs.never() {
            return;
        }
        match local(&node) {
            "element" => self.element(out, node, level),
            "sequence" | "all" => {
                if let Some(occurs) = occurs.describe() {
                    self.comment(out, level, &format!("{occurs}: the group below"));
                }
                for child in xsd_children(node) {
                    self.particle(out, child, level, depth + 1);
                }
            }
            "choice" => {
                let alternatives: Vec<Node> = xsd_children(node)
                    .filter(|child| {
                        matches!(
                            local(child),
                            "element" | "sequence" | "choice" | "group" | "any"
                        )
                    })
                    .collect();
                let Some(first) = alternatives.first().copied() else {
                    return;
                };
                let names: Vec<String> = alternatives
                    .iter()
                    .map(|alternative| describe(*alternative, 0))
                    .collect();
                let mut text = format!("choice: one of {}", listed(&names));
                if let Some(occurs) = occurs.describe() {
                    let _ = write!(text, " ({occurs})");
                }
                self.comment(out, level, &text);
                self.particle(out, first, level, depth + 1);
            }
            "group" => {
                let Some(reference) = node.attribute("ref") else {
                    return;
                };
                let key = resolve(node, reference);
                let Some((key, group)) = self.model.schema.groups.find(key) else {
                    self.notes.unknown(key);
                    return;
                };
                if self.groups.contains(&key) {
                    self.comment(
                        out,
                        level,
                        &format!("recursive: group {} is not repeated", key.1),
                    );
                    return;
                }
                if let Some(occurs) = occurs.describe() {
                    self.comment(out, level, &format!("{occurs}: the group below"));
                }
                self.groups.push(key);
                for child in xsd_children(group) {
                    if matches!(local(&child), "sequence" | "choice" | "all") {
                        self.particle(out, child, level, depth + 1);
                    }
                }
                self.groups.pop();
            }
            "any" => {
                let namespace = node.attribute("namespace").unwrap_or("##any").trim();
                let mut text = format!("any element ({namespace}) may go here");
                if let Some(occurs) = occurs.describe() {
                    let _ = write!(text, "; {occurs}");
                }
                self.comment(out, level, &text);
            }
            _ => {}
        }
    }

    /// An element particle, a declaration or a reference to one.
    fn element(&mut self, out: &mut String, particle: Node<'a, 'i>, level: usize) {
        let occurs = Occurs::of(particle);
        let comments: Vec<String> = occurs.describe().into_iter().collect();
        match particle.attribute("ref") {
            None => self.declared(out, particle, level, comments),
            Some(reference) => {
                let key = resolve(particle, reference);
                match self.model.schema.elements.find(key) {
                    Some((_, declaration)) => self.declared(out, declaration, level, comments),
                    None => self.undefined_element(out, key, level, comments),
                }
            }
        }
    }

    /// The element `declaration` declares.
    fn declared(
        &mut self,
        out: &mut String,
        declaration: Node<'a, 'i>,
        level: usize,
        comments: Vec<String>,
    ) {
        let Some(name) = declaration.attribute("name") else {
            return;
        };
        let namespace = self.model.namespace_of(declaration, "elementFormDefault");
        let ty = self.model.element_type(declaration);
        let fixed = declaration
            .attribute("fixed")
            .or_else(|| declaration.attribute("default"));
        if declaration.attribute("abstract").map(str::trim) == Some("true") {
            self.notes.once(
                "abstract elements are written as declared: put a member of their substitution \
                 group in their place",
            );
        }
        self.write(out, namespace, name.trim(), ty, fixed, level, comments);
    }

    /// Element `name` of type `ty`, the comments before it.
    #[allow(clippy::too_many_arguments)]
    fn write(
        &mut self,
        out: &mut String,
        namespace: &str,
        name: &'a str,
        ty: Ty<'a, 'i>,
        fixed: Option<&str>,
        level: usize,
        mut comments: Vec<String>,
    ) {
        if !is_name(name) {
            self.notes.once(not_a_name());
            return;
        }
        if !self.room(out, level) {
            return;
        }
        let qname = self.qname(namespace, name);
        if level >= CONTENT_LEVEL + MAX_DEPTH {
            comments.push(format!("cut: nested deeper than {MAX_DEPTH} levels"));
            self.notes.once(format!(
                "elements nested deeper than {MAX_DEPTH} levels were left empty, with a comment"
            ));
            self.comments(out, level, &comments);
            line(out, level, &format!("<{qname}/>"));
            return;
        }
        if let Ty::Complex(complex, key) = ty {
            self.complex_element(out, &qname, name, complex, key, fixed, level, comments);
            return;
        }
        let session = name == "sessionId" && self.path.last() == Some(&"SessionHeader");
        let value = match fixed {
            _ if session => Value::plain(SESSION_ID),
            Some(fixed) => Value::plain(fixed),
            None => self.simple_value(ty, 0),
        };
        comments.extend(value.alternatives());
        self.comments(out, level, &comments);
        line(
            out,
            level,
            &format!("<{qname}>{}</{qname}>", escape_text(&value.text)),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn complex_element(
        &mut self,
        out: &mut String,
        qname: &str,
        name: &'a str,
        complex: Node<'a, 'i>,
        key: Option<Key<'a>>,
        fixed: Option<&str>,
        level: usize,
        mut comments: Vec<String>,
    ) {
        if let Some(key) = key {
            if self.expanding.contains(&key) {
                comments.push(format!("recursive: {} is not expanded again here", key.1));
                self.notes.once(
                    "a recursive type is expanded once; where it recurs, its element is left \
                     empty with a comment",
                );
                self.comments(out, level, &comments);
                line(out, level, &format!("<{qname}/>"));
                return;
            }
            self.expanding.push(key);
        }
        self.path.push(name);
        let mut content = Content::default();
        self.complex(&mut content, complex, level + 1, 0);
        self.path.pop();
        if key.is_some() {
            self.expanding.pop();
        }
        let derived = key
            .and_then(|key| self.model.schema.derived.get(&key))
            .filter(|derived| !derived.is_empty());
        if let Some(derived) = derived {
            let _ = self.prefixes.preferred(ns::XSI, "xsi");
            let names: Vec<String> = derived
                .iter()
                .take(MAX_LISTED)
                .map(|derived| self.qname(derived.0, derived.1))
                .chain(
                    (derived.len() > MAX_LISTED)
                        .then(|| format!("{} more", derived.len() - MAX_LISTED)),
                )
                .collect();
            comments.push(format!(
                "xsi:type may name a derived type: {}",
                names.join(", ")
            ));
        }
        if !content.optional.is_empty() {
            comments.push(format!(
                "optional attributes: {}",
                listed(&content.optional)
            ));
        }
        let text = fixed.map(Value::plain).or(content.text);
        comments.extend(text.as_ref().and_then(Value::alternatives));
        self.comments(out, level, &comments);
        let mut start = format!("<{qname}");
        for (attribute, value) in &content.attributes {
            let _ = write!(start, " {attribute}=\"{}\"", escape_attribute(value));
        }
        match text {
            Some(text) => line(
                out,
                level,
                &format!("{start}>{}</{qname}>", escape_text(&text.text)),
            ),
            None if content.children.is_empty() => line(out, level, &format!("{start}/>")),
            None => {
                line(out, level, &format!("{start}>"));
                out.push_str(&content.children);
                line(out, level, &format!("</{qname}>"));
            }
        }
    }

    /// What complex type `complex` puts on and in its element.
    fn complex(
        &mut self,
        content: &mut Content,
        complex: Node<'a, 'i>,
        level: usize,
        depth: usize,
    ) {
        if depth > MAX_INDIRECTION {
            self.comment(
                &mut content.children,
                level,
                "cut: the type derives too deep",
            );
            return;
        }
        for child in xsd_children(complex) {
            match child.tag_name().name() {
                "sequence" | "choice" | "all" | "group" => {
                    self.particle(&mut content.children, child, level, depth + 1);
                }
                "attribute" | "attributeGroup" => self.attribute(content, child, depth + 1),
                "complexContent" | "simpleContent" => {
                    self.derivation(content, child, level, depth + 1);
                }
                "anyAttribute" | "annotation" | "assert" | "openContent" => {}
                other => self.notes.once(format!(
                    "xsd:{} in a complex type is not supported: it was skipped",
                    other.escape_debug()
                )),
            }
        }
    }

    /// `complexContent` or `simpleContent`: the base's content (for an
    /// extension), then the derivation's own.
    fn derivation(
        &mut self,
        content: &mut Content,
        node: Node<'a, 'i>,
        level: usize,
        depth: usize,
    ) {
        let simple = node.tag_name().name() == "simpleContent";
        for derivation in xsd_children(node) {
            let kind = local(&derivation);
            if kind != "extension" && kind != "restriction" {
                continue;
            }
            if let Some(base) = derivation.attribute("base") {
                let key = resolve(derivation, base);
                if key == (ns::SOAP_ENCODING, "Array") {
                    self.encoded_array(content, derivation, level);
                    continue;
                }
                match self.model.named_type(derivation, base) {
                    // A type derived from itself gets its own content only.
                    Ty::Complex(base, base_key)
                        if (kind == "extension" || simple)
                            && !base_key.is_some_and(|key| self.expanding.contains(&key)) =>
                    {
                        self.expanding.extend(base_key);
                        self.complex(content, base, level, depth + 1);
                        if base_key.is_some() {
                            self.expanding.pop();
                        }
                    }
                    Ty::Complex(..) => {}
                    Ty::Builtin("anyType") if !simple => {}
                    ty if simple => content.text = Some(self.simple_value(ty, depth + 1)),
                    _ => {}
                }
            }
            for child in xsd_children(derivation) {
                match local(&child) {
                    "sequence" | "choice" | "all" | "group" => {
                        self.particle(&mut content.children, child, level, depth + 1);
                    }
                    "attribute" | "attributeGroup" => self.attribute(content, child, depth + 1),
                    "simpleType" if simple => {
                        content.text = Some(self.simple_type(child, depth + 1));
                    }
                    _ => {}
                }
            }
            if simple {
                let values = xsd_children(derivation)
                    .filter(|facet| local(facet) == "enumeration")
                    .filter_map(|facet| facet.attribute("value"));
                if let Some(value) = Value::enumeration(values) {
                    content.text = Some(value);
                }
            }
        }
    }

    /// A `soapenc:Array` restriction: one item, its type in a comment.
    fn encoded_array(&mut self, content: &mut Content, restriction: Node<'a, 'i>, level: usize) {
        self.notes.once(
            "SOAP-encoded arrays (soapenc:Array) are left empty with their item type in a comment",
        );
        let item = restriction.descendants().find_map(|node| {
            node.attributes()
                .find(|attribute| {
                    attribute.name() == "arrayType" && attribute.namespace() == Some(ns::WSDL)
                })
                .map(|attribute| attribute.value())
        });
        let text = match item {
            Some(item) => format!("SOAP-encoded array of {item}: add its items here"),
            None => "SOAP-encoded array: add its items here".to_string(),
        };
        self.comment(&mut content.children, level, &text);
    }

    /// An attribute (or the attributes of a group) of a complex type.
    fn attribute(&mut self, content: &mut Content, node: Node<'a, 'i>, depth: usize) {
        if depth > MAX_INDIRECTION {
            return;
        }
        if local(&node) == "attributeGroup" {
            let Some(reference) = node.attribute("ref") else {
                return;
            };
            let key = resolve(node, reference);
            let Some((_, group)) = self.model.schema.attribute_groups.find(key) else {
                self.notes.unknown(key);
                return;
            };
            for child in xsd_children(group) {
                if matches!(local(&child), "attribute" | "attributeGroup") {
                    self.attribute(content, child, depth + 1);
                }
            }
            return;
        }
        let usage = node.attribute("use").map_or("optional", str::trim);
        if usage == "prohibited" {
            return;
        }
        let (namespace, name, declaration) = match node.attribute("ref") {
            None => (
                self.model.namespace_of(node, "attributeFormDefault"),
                node.attribute("name").unwrap_or("").trim(),
                Some(node),
            ),
            Some(reference) => {
                let key = resolve(node, reference);
                match self.model.schema.attributes.find(key) {
                    Some((key, declaration)) => (key.0, key.1, Some(declaration)),
                    None => (key.0, key.1, None),
                }
            }
        };
        if !is_name(name) {
            return;
        }
        let qname = self.qname(namespace, name);
        if !content.seen.insert(qname.clone()) {
            return;
        }
        if usage != "required" {
            content.optional.push(qname);
            return;
        }
        let fixed = [node, declaration.unwrap_or(node)].iter().find_map(|node| {
            node.attribute("fixed")
                .or_else(|| node.attribute("default"))
        });
        let value = match (fixed, declaration) {
            (Some(fixed), _) => fixed.to_string(),
            (None, Some(declaration)) => {
                let ty = match declaration.attribute("type") {
                    Some(qname) => self.model.named_type(declaration, qname),
                    None => xsd_child(declaration, "simpleType")
                        .map_or(Ty::Builtin("anySimpleType"), Ty::Simple),
                };
                self.simple_value(ty, depth + 1).text
            }
            (None, None) => "?".to_string(),
        };
        if self.charge() {
            content.attributes.push((qname, value));
        }
    }

    /// An example of a simple type's values.
    fn simple_value(&mut self, ty: Ty<'a, 'i>, depth: usize) -> Value {
        match ty {
            Ty::Builtin(builtin) => Value::plain(example(builtin)),
            Ty::Simple(simple) => self.simple_type(simple, depth),
            Ty::Complex(..) => Value::plain("?"),
            Ty::Unknown(key) => {
                self.notes.unknown(key);
                Value::plain("?")
            }
        }
    }

    fn simple_type(&mut self, simple: Node<'a, 'i>, depth: usize) -> Value {
        if depth > MAX_INDIRECTION {
            return Value::plain("?");
        }
        for child in xsd_children(simple) {
            match local(&child) {
                "restriction" => {
                    let values = xsd_children(child)
                        .filter(|facet| local(facet) == "enumeration")
                        .filter_map(|facet| facet.attribute("value"));
                    if let Some(value) = Value::enumeration(values) {
                        return value;
                    }
                    if let Some(base) = child.attribute("base") {
                        let ty = self.model.named_type(child, base);
                        return self.simple_value(ty, depth + 1);
                    }
                    if let Some(inner) = xsd_child(child, "simpleType") {
                        return self.simple_type(inner, depth + 1);
                    }
                }
                "list" => {
                    if let Some(item) = child.attribute("itemType") {
                        let ty = self.model.named_type(child, item);
                        return self.simple_value(ty, depth + 1);
                    }
                    if let Some(inner) = xsd_child(child, "simpleType") {
                        return self.simple_type(inner, depth + 1);
                    }
                }
                "union" => {
                    if let Some(member) = child
                        .attribute("memberTypes")
                        .and_then(|members| members.split_whitespace().next())
                    {
                        let ty = self.model.named_type(child, member);
                        return self.simple_value(ty, depth + 1);
                    }
                    if let Some(inner) = xsd_child(child, "simpleType") {
                        return self.simple_type(inner, depth + 1);
                    }
                }
                _ => {}
            }
        }
        Value::plain("?")
    }
}

/// How a choice's alternative is named in its comment.
fn describe(node: Node, depth: usize) -> String {
    match local(&node) {
        "element" => node
            .attribute("name")
            .or_else(|| node.attribute("ref").map(local_part))
            .unwrap_or("an element")
            .trim()
            .to_string(),
        "group" => node
            .attribute("ref")
            .map_or("a group", local_part)
            .to_string(),
        "any" => "any element".to_string(),
        kind @ ("sequence" | "choice") if depth < 2 => {
            let inner: Vec<String> = xsd_children(node)
                .take(MAX_LISTED)
                .map(|child| describe(child, depth + 1))
                .collect();
            let separator = if kind == "sequence" { ", " } else { " | " };
            format!("({})", inner.join(separator))
        }
        _ => "...".to_string(),
    }
}

fn not_a_name() -> &'static str {
    "elements and attributes whose names are not XML names were left out"
}

/// `text` on a line of its own at `level` (two spaces each).
fn line(out: &mut String, level: usize, text: &str) {
    for _ in 0..level {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

/// `text` as it may stand in a comment: on one line, no `--`.
fn comment_safe(text: &str) -> String {
    let mut safe = text.replace(['\r', '\n'], " ");
    while safe.contains("--") {
        safe = safe.replace("--", "- -");
    }
    safe
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_attribute(text: &str) -> String {
    escape_text(text)
        .replace('"', "&quot;")
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// Whether `name` is an XML name without a colon (an NCName), and not
/// `xmlns`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    name != "xmlns" && is_name_start(first) && chars.all(is_name_char)
}

/// XML 1.0's NameStartChar, without the colon.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0's NameChar, without the colon.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::check_request;
    use crate::requests::SavedRequest;

    const PARTNER: &str = include_str!("../../tests/fixtures/wsdl/partner.wsdl");
    const ENTERPRISE: &str = include_str!("../../tests/fixtures/wsdl/enterprise.wsdl");
    const METADATA: &str = include_str!("../../tests/fixtures/wsdl/metadata.wsdl");
    const TOOLING: &str = include_str!("../../tests/fixtures/wsdl/tooling.wsdl");
    const ORDERS: &str = include_str!("../../tests/fixtures/wsdl/orders-soap12.wsdl");
    const CALCULATOR: &str = include_str!("../../tests/fixtures/wsdl/calculator-rpc.wsdl");

    const FIXTURES: [(&str, &str); 6] = [
        ("partner.wsdl", PARTNER),
        ("enterprise.wsdl", ENTERPRISE),
        ("metadata.wsdl", METADATA),
        ("tooling.wsdl", TOOLING),
        ("orders-soap12.wsdl", ORDERS),
        ("calculator-rpc.wsdl", CALCULATOR),
    ];

    fn imported(text: &str, source: &str) -> Incoming {
        import(text, source).unwrap_or_else(|error| panic!("{source}: {error}"))
    }

    fn request<'c>(incoming: &'c Incoming, name: &str) -> &'c SavedRequest {
        &incoming
            .requests
            .iter()
            .find(|incoming| incoming.request.name == name)
            .unwrap_or_else(|| panic!("no request {name}"))
            .request
    }

    fn body(request: &SavedRequest) -> &str {
        request.body.as_deref().unwrap_or_default()
    }

    fn header<'r>(request: &'r SavedRequest, name: &str) -> Option<&'r str> {
        crate::http::header_value(&request.headers, name)
    }

    /// The text of the element at `path` (local names) below the root.
    fn text_at(xml: &str, path: &[&str]) -> Option<String> {
        let document = Document::parse(xml).unwrap_or_else(|error| panic!("{error}\n{xml}"));
        let mut node = document.root_element();
        for step in path {
            node = node
                .children()
                .find(|child| child.is_element() && child.tag_name().name() == *step)?;
        }
        Some(node.text().unwrap_or_default().to_string())
    }

    /// The names of the element children of the element at `path`.
    fn children_at(xml: &str, path: &[&str]) -> Vec<String> {
        let document = Document::parse(xml).unwrap();
        let mut node = document.root_element();
        for step in path {
            node = node
                .children()
                .find(|child| child.is_element() && child.tag_name().name() == *step)
                .unwrap_or_else(|| panic!("no {step} in {xml}"));
        }
        node.children()
            .filter(Node::is_element)
            .map(|child| child.tag_name().name().to_string())
            .collect()
    }

    fn assert_well_formed(source: &str, incoming: &Incoming) {
        for each in &incoming.requests {
            let request = &each.request;
            let body = body(request);
            let document = Document::parse(body)
                .unwrap_or_else(|error| panic!("{source} {}: {error}\n{body}", request.name));
            let root = document.root_element();
            assert_eq!(
                root.tag_name().name(),
                "Envelope",
                "{source} {}",
                request.name
            );
            assert!(
                matches!(
                    root.tag_name().namespace(),
                    Some(ns::ENVELOPE11 | ns::ENVELOPE12)
                ),
                "{source} {}",
                request.name
            );
            assert_eq!(
                check_request(&request.method, &request.url, &request.headers),
                Ok(())
            );
            assert_eq!(request.method, "POST");
            assert_eq!(request.body_kind, crate::requests::BodyKind::Xml);
        }
    }

    #[test]
    fn every_fixture_imports_into_well_formed_envelopes() {
        let expected = [
            ("partner.wsdl", "SforceService", 6),
            ("enterprise.wsdl", "SforceService", 4),
            ("metadata.wsdl", "MetadataService", 4),
            ("tooling.wsdl", "SforceServiceService", 2),
            ("orders-soap12.wsdl", "OrderService", 3),
            ("calculator-rpc.wsdl", "CalculatorService", 8),
        ];
        for ((source, text), (_, name, count)) in FIXTURES.iter().zip(expected) {
            let incoming = imported(text, source);
            assert_eq!(incoming.name, name, "{source}");
            assert_eq!(incoming.requests.len(), count, "{source}");
            assert_well_formed(source, &incoming);
        }
    }

    #[test]
    fn the_partner_query_carries_the_session_header_and_the_query_string() {
        let incoming = imported(PARTNER, "partner.wsdl");
        let query = request(&incoming, "query");
        assert_eq!(query.url, "{{endpoint}}/services/Soap/u/59.0");
        assert_eq!(
            incoming.variables.get("endpoint").map(String::as_str),
            Some("https://login.salesforce.com")
        );
        assert_eq!(header(query, "SOAPAction"), Some("\"\""));
        assert_eq!(
            header(query, "Content-Type"),
            Some("text/xml; charset=UTF-8")
        );
        let body = body(query);
        assert_eq!(
            text_at(body, &["Header", "SessionHeader", "sessionId"]).as_deref(),
            Some(SESSION_ID)
        );
        assert_eq!(
            text_at(body, &["Body", "query", "queryString"]).as_deref(),
            Some("?")
        );
        assert!(
            body.contains("<urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId>"),
            "{body}"
        );
        assert!(
            body.contains("xmlns:urn=\"urn:partner.soap.sforce.com\""),
            "{body}"
        );
        // The optional headers are there, commented out: only the session
        // header is sent as it is.
        assert_eq!(children_at(body, &["Header"]), ["SessionHeader"]);
        for optional in [
            "CallOptions",
            "QueryOptions",
            "MruHeader",
            "PackageVersionHeader",
        ] {
            assert!(
                body.contains(&format!("<urn:{optional}>")),
                "{optional}\n{body}"
            );
        }
        assert!(body.contains("<!-- optional header:"), "{body}");
        let folders: BTreeSet<&str> = incoming
            .requests
            .iter()
            .flat_map(|request| request.folders.iter().map(String::as_str))
            .collect();
        assert_eq!(folders, BTreeSet::from(["SforceService Soap"]));
        let notes = incoming.notes.join("\n");
        assert!(notes.contains("set endpoint = \"callout:NAME\""), "{notes}");
        assert!(
            notes.contains(
                "the envelopes carry merge fields ({!$Credential.OAuthToken}): a credential fills \
                 them only with \"Allow merge fields in HTTP body\" turned on"
            ),
            "{notes}"
        );
        assert_eq!(
            notes.matches("fault details").count(),
            1,
            "noted once: {notes}"
        );
    }

    #[test]
    fn the_partner_login_has_no_session_and_create_repeats_an_open_sobject() {
        let incoming = imported(PARTNER, "partner.wsdl");
        let login = body(request(&incoming, "login"));
        assert!(!login.contains("SessionHeader"), "{login}");
        assert_eq!(
            children_at(login, &["Body", "login"]),
            ["username", "password"]
        );
        let create = body(request(&incoming, "create"));
        assert!(
            create.contains("<!-- repeats: 0..unbounded -->\n      <urn:sObjects>"),
            "{create}"
        );
        assert!(
            create.contains("<!-- any element (##targetNamespace) may go here"),
            "{create}"
        );
        assert_eq!(
            children_at(create, &["Body", "create", "sObjects"]),
            ["type", "fieldsToNull", "Id"]
        );
        // sObject is in its own namespace, with a prefix of its own.
        assert!(
            create.contains("xmlns:urn1=\"urn:sobject.partner.soap.sforce.com\""),
            "{create}"
        );
        assert!(create.contains("<urn1:type>?</urn1:type>"), "{create}");
        // The logout element has no content: an empty element.
        assert!(body(request(&incoming, "logout")).contains("<urn:logout/>"));
        // A commented-out header keeps its structure (DebuggingHeader's
        // enumeration shows its first value) but no comments of its own.
        assert!(
            create.contains("<urn:debugLevel>None</urn:debugLevel>"),
            "{create}"
        );
    }

    #[test]
    fn enterprise_create_names_the_object_types_for_xsi_type() {
        let incoming = imported(ENTERPRISE, "enterprise.wsdl");
        let create = body(request(&incoming, "create"));
        assert!(
            create.contains(
                "<!-- xsi:type may name a derived type: urn1:AggregateResult, urn1:Account, \
                 urn1:Contact, urn1:User -->"
            ),
            "{create}"
        );
        assert!(create.contains("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""));
        let query = request(&incoming, "query");
        assert_eq!(
            query.url,
            "{{endpoint}}/services/Soap/c/59.0/00D5g000004ABCD"
        );
        assert_eq!(
            text_at(body(query), &["Header", "SessionHeader", "sessionId"]).as_deref(),
            Some(SESSION_ID)
        );
    }

    #[test]
    fn metadata_and_tooling_requests_keep_their_paths_and_namespaces() {
        let metadata = imported(METADATA, "metadata.wsdl");
        let read = request(&metadata, "readMetadata");
        assert_eq!(read.url, "{{endpoint}}/services/Soap/m/59.0");
        assert_eq!(
            metadata.variables["endpoint"],
            "https://acme.my.salesforce.com"
        );
        let body_text = body(read);
        assert!(
            body_text.contains("xmlns:met=\"http://soap.sforce.com/2006/04/metadata\""),
            "{body_text}"
        );
        assert!(body_text.contains("<met:sessionId>{!$Credential.OAuthToken}</met:sessionId>"));
        assert!(body_text.contains("<met:type>?</met:type>"), "{body_text}");
        assert!(
            body_text
                .contains("<!-- repeats: 0..unbounded -->\n      <met:fullNames>?</met:fullNames>"),
            "{body_text}"
        );
        let list = body(request(&metadata, "listMetadata"));
        assert!(
            list.contains("<!-- optional -->\n        <met:folder>?</met:folder>"),
            "{list}"
        );
        assert!(
            list.contains("<met:asOfVersion>0.0</met:asOfVersion>"),
            "{list}"
        );
        let create = body(request(&metadata, "createMetadata"));
        assert!(create.contains("met:CustomObject"), "{create}");

        let tooling = imported(TOOLING, "tooling.wsdl");
        let anonymous = request(&tooling, "executeAnonymous");
        assert_eq!(anonymous.url, "{{endpoint}}/services/Soap/T/59.0");
        assert_eq!(
            text_at(body(anonymous), &["Body", "executeAnonymous", "String"]).as_deref(),
            Some("?")
        );
        assert_eq!(
            text_at(body(anonymous), &["Header", "SessionHeader", "sessionId"]).as_deref(),
            Some(SESSION_ID)
        );
        assert_eq!(
            tooling.requests[0].folders,
            ["SforceServiceService SforceService"]
        );
    }

    #[test]
    fn soap_12_puts_the_action_in_the_content_type() {
        let incoming = imported(ORDERS, "orders-soap12.wsdl");
        let place = request(&incoming, "PlaceOrder");
        assert_eq!(
            header(place, "Content-Type"),
            Some(
                "application/soap+xml; charset=UTF-8; action=\"http://example.com/orders/PlaceOrder\""
            )
        );
        assert_eq!(header(place, "SOAPAction"), None);
        assert!(
            body(place)
                .contains("<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"")
        );
        // An empty action is left out.
        assert_eq!(
            header(request(&incoming, "CancelOrder"), "Content-Type"),
            Some("application/soap+xml; charset=UTF-8")
        );
        assert_eq!(place.url, "{{endpoint}}/orders/v2/soap");
        assert_eq!(
            incoming.variables["endpoint"],
            "https://api.example.com:8443"
        );
        assert_eq!(incoming.requests[0].folders, ["OrderServiceSoap12"]);
    }

    #[test]
    fn skeletons_mark_enumerations_arrays_choices_and_what_is_optional() {
        let incoming = imported(ORDERS, "orders-soap12.wsdl");
        let place = body(request(&incoming, "PlaceOrder"));
        for expected in [
            // enumeration: the first value, the others in a comment
            "<!-- or one of: Confirmed, Shipped, Cancelled -->\n        <ord:status>Pending</ord:status>",
            // arrays, optional elements, choices
            "<!-- repeats: 1..unbounded -->",
            "<!-- optional -->\n        <ord:note>?</ord:note>",
            "<!-- choice: one of card, invoice, voucher -->\n        <ord:card>",
            // examples per type
            "<ord:orderId>0</ord:orderId>",
            "<ord:placedAt>2024-01-31T09:30:00Z</ord:placedAt>",
            "<ord:deliveryDate>2024-01-31</ord:deliveryDate>",
            "<ord:expires>2024-01</ord:expires>",
            "<ord:quantity>1</ord:quantity>",
            "<ord:dryRun>false</ord:dryRun>",
            // simple content with a required attribute
            "<ord:total currency=\"?\">0.0</ord:total>",
            // a required attribute with its fixed value; an optional one named
            "<!-- optional attributes: priority -->\n      <ord:order version=\"2\">",
            // attributes from a group
            "<ord:items lineNumber=\"0\">",
            // a group reference, a list, a union
            "<ord:createdBy>?</ord:createdBy>",
            "<ord:tags>?</ord:tags>",
            "<ord:reference>0</ord:reference>",
            // recursion cut with a comment
            "<!-- recursive: Category is not expanded again here -->",
            // an element reference and a wildcard
            "<ord:Metadata>",
            "<!-- any element (##other) may go here; repeats: 0..unbounded -->",
        ] {
            assert!(place.contains(expected), "{expected}\n{place}");
        }
        // An unqualified schema's local elements have no namespace; the
        // extension's base comes first.
        assert_eq!(
            children_at(place, &["Body", "PlaceOrder", "order", "customer"]),
            ["name", "email", "customerNumber", "address"]
        );
        assert!(place.contains("<name>?</name>"), "{place}");
        assert!(
            place.contains("<!-- optional attributes: vip -->"),
            "{place}"
        );
        // xsd:all: every element, the optional one marked.
        assert!(
            place.contains("<!-- optional -->\n            <country>?</country>"),
            "{place}"
        );
        let cancel = body(request(&incoming, "CancelOrder"));
        assert!(
            cancel.contains("<!-- optional -->\n      <!-- or one of: OutOfStock, Fraud -->\n      <ord:reason>CustomerRequest</ord:reason>"),
            "{cancel}"
        );
    }

    #[test]
    fn a_username_token_policy_gets_a_ws_security_header_with_merge_fields() {
        let incoming = imported(ORDERS, "orders-soap12.wsdl");
        let get = body(request(&incoming, "GetOrder"));
        assert_eq!(
            text_at(get, &["Header", "Security", "UsernameToken", "Username"]).as_deref(),
            Some("{!HTMLENCODE($Credential.Username)}")
        );
        assert_eq!(
            text_at(get, &["Header", "Security", "UsernameToken", "Password"]).as_deref(),
            Some("{!HTMLENCODE($Credential.Password)}")
        );
        assert!(
            get.contains("<wsse:Security soap:mustUnderstand=\"true\">"),
            "{get}"
        );
        assert!(!get.contains("BinarySecurityToken"), "{get}");
    }

    #[test]
    fn rpc_bodies_wrap_the_parts_and_a_security_header_part_gets_a_token() {
        let incoming = imported(CALCULATOR, "calculator-rpc.wsdl");
        let add = request(&incoming, "Add");
        assert_eq!(header(add, "SOAPAction"), Some("\"urn:calculator#Add\""));
        let body_text = body(add);
        assert!(
            body_text.contains("    <cal:Add>\n      <a>0</a>\n      <b>0</b>\n    </cal:Add>"),
            "{body_text}"
        );
        assert!(body_text.contains("xmlns:cal=\"http://example.org/calculator\""));
        // The X.509 policy: a bearer token in its place, and a comment.
        assert_eq!(
            text_at(body_text, &["Header", "Security", "BinarySecurityToken"]).as_deref(),
            Some(SESSION_ID)
        );
        assert!(
            body_text.contains("X.509 signature, which is not generated"),
            "{body_text}"
        );
        // A header that is neither: its skeleton.
        assert_eq!(children_at(body_text, &["Header"]), ["Security", "Trace"]);
        // Its schema's local elements are unqualified.
        assert!(
            body_text.contains("<cal:Trace>\n      <requestId>?</requestId>"),
            "{body_text}"
        );

        let evaluate = body(request(&incoming, "Evaluate"));
        assert!(
            evaluate.contains("<!-- choice: one of value, operands -->"),
            "{evaluate}"
        );
        assert!(evaluate.contains("<operator>add</operator>"), "{evaluate}");

        let legacy = body(request(&incoming, "LegacySum"));
        assert!(
            legacy.contains("SOAP-encoded array of xsd:int[]"),
            "{legacy}"
        );
        let notes = incoming.notes.join("\n");
        for expected in [
            "use=\"encoded\"",
            "soapenc:Array",
            "units.xsd",
            "REPLACE_WITH_ACTUAL_URL",
            "X.509",
        ] {
            assert!(notes.contains(expected), "{expected}\n{notes}");
        }
        // The second service's address is not a URL: a variable of its own,
        // empty, to be set.
        assert_eq!(incoming.variables["endpoint"], "http://calc.example.org");
        assert_eq!(incoming.variables["endpoint2"], "");
        let staging = incoming
            .requests
            .iter()
            .find(|request| request.folders == ["CalculatorStaging CalculatorSoap"])
            .unwrap();
        assert_eq!(staging.request.url, "{{endpoint2}}");
    }

    #[test]
    fn what_is_skipped_is_noted_once_each() {
        let incoming = imported(ORDERS, "orders-soap12.wsdl");
        let notes = incoming.notes.join("\n");
        for expected in [
            "port OrderService/OrderServiceHttpGet is an HTTP GET/POST binding",
            "operation \"OrderShipped\" of port OrderService/OrderServiceSoap12 has no input",
            "fault details (soap:fault)",
            "a recursive type is expanded once",
        ] {
            assert_eq!(notes.matches(expected).count(), 1, "{expected}\n{notes}");
        }
    }

    #[test]
    fn broken_xml_is_refused_with_its_line_and_column() {
        let broken = "<?xml version=\"1.0\"?>\n<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">\n  <types>\n  </typo>\n</definitions>";
        let error = import(broken, "broken.wsdl").unwrap_err().to_string();
        assert!(
            error.starts_with(
                "cannot import the WSDL: broken.wsdl is not well-formed XML (line 4, column 3"
            ),
            "{error}"
        );
        // Cut short: where the text ends.
        let cut = &PARTNER[..PARTNER.len() / 2];
        let error = import(cut, "partner.wsdl").unwrap_err().to_string();
        let (line, _) = line_and_column(cut, cut.len());
        assert!(error.contains(&format!("(line {line}, column ")), "{error}");
        let error = import("", "empty.wsdl").unwrap_err().to_string();
        assert!(
            error.contains("empty.wsdl is not well-formed XML (line 1, column 1"),
            "{error}"
        );
    }

    #[test]
    fn a_wsdl_without_services_or_of_another_kind_is_refused_where_it_starts() {
        let no_service = "<?xml version=\"1.0\"?>\n<!-- types only -->\n<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\" targetNamespace=\"urn:x\">\n  <types/>\n</definitions>\n";
        let error = import(no_service, "types.wsdl").unwrap_err().to_string();
        assert!(
            error.contains(
                "types.wsdl defines no <service> (its <definitions> is at line 3, column 1)"
            ),
            "{error}"
        );
        let wsdl2 = "<description xmlns=\"http://www.w3.org/ns/wsdl\"/>";
        let error = import(wsdl2, "v2.wsdl").unwrap_err().to_string();
        assert!(error.contains("WSDL 2.0"), "{error}");
        let schema = "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>";
        let error = import(schema, "types.xsd").unwrap_err().to_string();
        assert!(
            error.contains("its root element (line 1, column 1) is <schema>"),
            "{error}"
        );
        // Services, but nothing SOAP to call.
        let http_only = ORDERS.replace(
            "binding=\"tns:OrderSoap12Binding\"",
            "binding=\"tns:Nothing\"",
        );
        let error = import(&http_only, "orders.wsdl").unwrap_err().to_string();
        assert!(
            error.contains("orders.wsdl gives no SOAP operation to call"),
            "{error}"
        );
        assert!(
            error.contains("\"Nothing\", which the WSDL does not define"),
            "{error}"
        );
    }

    /// A WSDL around `schema` (in namespace `urn:t`, prefix `t`) whose one
    /// operation sends element `t:Root`.
    fn around(schema: &str) -> String {
        format!(
            r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
  <types><xs:schema targetNamespace="urn:t" elementFormDefault="qualified">{schema}</xs:schema></types>
  <message name="In"><part name="p" element="t:Root"/></message>
  <portType name="P"><operation name="Go"><input message="t:In"/></operation></portType>
  <binding name="B" type="t:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Go"><soap:operation soapAction="go"/><input><soap:body use="literal"/></input></operation>
  </binding>
  <service name="S"><port name="Q" binding="t:B"><soap:address location="https://x.test/s"/></port></service>
</definitions>"#
        )
    }

    fn go_body(schema: &str) -> String {
        let incoming = imported(&around(schema), "t.wsdl");
        assert_well_formed("t.wsdl", &incoming);
        body(request(&incoming, "Go")).to_string()
    }

    #[test]
    fn deep_nesting_and_wide_types_are_cut_with_a_comment() {
        // Twenty distinct nested types: cut at the depth limit.
        let mut schema = String::from(r#"<xs:element name="Root" type="t:T0"/>"#);
        for n in 0..20 {
            let _ = write!(
                schema,
                r#"<xs:complexType name="T{n}"><xs:sequence><xs:element name="e{n}" type="t:T{}"/></xs:sequence></xs:complexType>"#,
                n + 1
            );
        }
        let deep = go_body(&schema);
        assert!(
            deep.contains("<!-- cut: nested deeper than 12 levels -->"),
            "{deep}"
        );
        // Eight types of eight children each of the next: 8^8 elements
        // unless cut.
        let mut schema = String::from(r#"<xs:element name="Root" type="t:W0"/>"#);
        for n in 0..8 {
            let children: String = (0..8)
                .map(|c| format!(r#"<xs:element name="c{c}" type="t:W{}"/>"#, n + 1))
                .collect();
            let _ = write!(
                schema,
                r#"<xs:complexType name="W{n}"><xs:sequence>{children}</xs:sequence></xs:complexType>"#
            );
        }
        let wide = go_body(&schema);
        assert!(wide.contains("<!-- cut: the skeleton is too long to write in full -->"));
        assert!(
            wide.matches('<').count() < 3 * MAX_WRITTEN,
            "{}",
            wide.len()
        );
    }

    #[test]
    fn cycles_of_derivations_groups_and_simple_types_end() {
        let schema = r#"
            <xs:element name="Root" type="t:A"/>
            <xs:complexType name="A"><xs:complexContent><xs:extension base="t:B"><xs:sequence><xs:element name="a" type="t:S1"/><xs:group ref="t:G"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
            <xs:complexType name="B"><xs:complexContent><xs:extension base="t:A"><xs:sequence><xs:element name="b" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
            <xs:group name="G"><xs:sequence><xs:group ref="t:G"/><xs:element name="g" type="t:Nowhere"/></xs:sequence></xs:group>
            <xs:simpleType name="S1"><xs:restriction base="t:S2"/></xs:simpleType>
            <xs:simpleType name="S2"><xs:restriction base="t:S1"/></xs:simpleType>
        "#;
        let body = go_body(schema);
        assert!(body.contains("<urn:a>?</urn:a>"), "{body}");
        assert!(body.contains("<urn:b>0</urn:b>"), "{body}");
        assert_eq!(body.matches("<urn:g>").count(), 1, "{body}");
        assert!(
            body.contains("<!-- recursive: group G is not repeated -->"),
            "{body}"
        );
        let incoming = imported(&around(schema), "t.wsdl");
        let notes = incoming.notes.join("\n");
        assert!(notes.contains("Nowhere (urn:t)"), "{notes}");
    }

    #[test]
    fn a_long_enumeration_is_listed_in_part() {
        let values: String = (1..=20)
            .map(|n| format!(r#"<xs:enumeration value="V{n}"/>"#))
            .collect();
        let schema = format!(
            r#"<xs:element name="Root"><xs:simpleType><xs:restriction base="xs:string">{values}</xs:restriction></xs:simpleType></xs:element>"#
        );
        let body = go_body(&schema);
        assert!(
            body.contains(
                "<!-- or one of: V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13 and 7 more -->\n    <urn:Root>V1</urn:Root>"
            ),
            "{body}"
        );
    }

    #[test]
    fn names_values_and_comments_that_would_break_the_xml_are_made_safe() {
        let schema = r#"
            <xs:element name="Root"><xs:complexType><xs:sequence>
              <xs:element name="fine" type="t:E"/>
              <xs:element name="not a name" type="xs:string"/>
              <xs:element name="xmlns" type="xs:string"/>
              <xs:element name="fixed" type="xs:string" fixed="a &lt;b&gt; &amp; &quot;c&quot;"/>
            </xs:sequence>
            <xs:attribute name="at" type="xs:string" use="required" default="x&quot;y&#10;z"/>
            <xs:attribute name="at" type="xs:string" use="required"/>
            </xs:complexType></xs:element>
            <xs:simpleType name="E"><xs:restriction base="xs:string">
              <xs:enumeration value="a--b"/><xs:enumeration value="c--&gt;d-"/>
            </xs:restriction></xs:simpleType>
        "#;
        let body = go_body(schema);
        assert!(!body.contains("not a name"), "{body}");
        assert!(body.contains("<urn:fine>a--b</urn:fine>"), "{body}");
        assert!(body.contains("<!-- or one of: c- ->d- -->"), "{body}");
        assert_eq!(
            text_at(&body, &["Body", "Root", "fixed"]).as_deref(),
            Some("a <b> & \"c\"")
        );
        let document = Document::parse(&body).unwrap();
        let root = document
            .descendants()
            .find(|node| node.tag_name().name() == "Root")
            .unwrap();
        assert_eq!(root.attribute("at"), Some("x\"y\nz"));
    }

    #[test]
    fn no_prefix_of_a_fixture_panics() {
        for (source, text) in FIXTURES {
            let stride = (text.len() / 400).max(1);
            let mut end = 0;
            while end < text.len() {
                if text.is_char_boundary(end)
                    && let Ok(incoming) = import(&text[..end], source)
                {
                    assert_well_formed(source, &incoming);
                }
                end += stride;
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// A fixture with a stretch cut out or repeated still imports or is
        /// refused, never panics, and what it gives is well-formed.
        #[test]
        fn a_mangled_fixture_never_panics(
            fixture in 0..FIXTURES.len(),
            start in 0.0..1.0f64,
            length in 0usize..400,
            repeat in proptest::bool::ANY,
        ) {
            let (source, text) = FIXTURES[fixture];
            let mut from = (text.len() as f64 * start) as usize;
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (from + length).min(text.len());
            while !text.is_char_boundary(to) {
                to -= 1;
            }
            let mangled = if repeat {
                format!("{}{}{}", &text[..to], &text[from..to], &text[to..])
            } else {
                format!("{}{}", &text[..from], &text[to..])
            };
            if let Ok(incoming) = import(&mangled, source) {
                assert_well_formed(source, &incoming);
            }
        }
    }

    #[test]
    fn prefixes_are_short_and_never_reserved() {
        assert_eq!(suggest("urn:partner.soap.sforce.com"), "urn");
        assert_eq!(suggest("http://soap.sforce.com/2006/04/metadata"), "met");
        assert_eq!(suggest("http://tempuri.org/"), "tem");
        assert_eq!(suggest("http://example.com/orders/"), "ord");
        assert_eq!(suggest("http://www.w3.org/2001/XMLSchema"), "ns");
        assert_eq!(suggest("12345"), "ns");
        let mut prefixes = Prefixes::new(ns::ENVELOPE11, "soapenv");
        assert_eq!(prefixes.of("urn:a").as_deref(), Some("urn"));
        assert_eq!(prefixes.of("urn:b").as_deref(), Some("urn1"));
        assert_eq!(prefixes.of("urn:a").as_deref(), Some("urn"));
        assert_eq!(prefixes.of("http://x.test/soapenv").as_deref(), Some("soa"));
        assert_eq!(prefixes.of("").as_deref(), None);
        assert_eq!(prefixes.of(ns::XML).as_deref(), Some("xml"));
        assert_eq!(prefixes.preferred(ns::WSSE, "wsse"), "wsse");
    }

    #[test]
    fn the_collection_is_named_after_the_service_or_else_the_source() {
        assert_eq!(stem("/home/me/Downloads/partner.wsdl"), "partner");
        assert_eq!(stem("https://x.test/api/Orders.svc?wsdl"), "Orders");
        assert_eq!(stem("C:\\wsdl\\calc.xml"), "calc");
        assert_eq!(stem(""), "WSDL");
        let unnamed = around(r#"<xs:element name="Root" type="xs:string"/>"#)
            .replace("<service name=\"S\">", "<service>");
        assert_eq!(imported(&unnamed, "dir/unnamed.wsdl").name, "unnamed");
    }
}
