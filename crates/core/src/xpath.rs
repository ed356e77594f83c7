//! A small XPath 1.0 subset for XML (SOAP) responses — what assertions,
//! extractions and expiry rules read —, evaluated on a [`roxmltree`] document.
//!
//! # What it reads
//! - location paths: `/a/b`, `a/b` (the same: paths start at the document),
//!   `//b` and `a//b` (descendants), `.` and `..`;
//! - steps: a name `b` or `sf:b`, any element `*` or `sf:*`, `text()`, an
//!   attribute `@id`, `@xsi:type` or `@*`;
//! - predicates, any number per step: a position `[1]`, `[last()]`, a
//!   comparison `[@attr='v']`, `[child='v']`, `[a/b="v"]`, `[text()='v']`,
//!   `[.='v']`, or a path that must find something `[@id]`, `[child]`.
//!
//! Anything else (functions other than `text()` and `last()`, `|`, `!=`,
//! axes written out, arithmetic) is refused with an error that names the
//! expression and the character where reading stopped.
//!
//! # Names and namespaces
//! A prefixed name (`sf:Name`, `soapenv:Body`) means what the response
//! itself declares: a prefix matches the namespaces any element of the
//! document binds it to (`xmlns:sf="..."`). A prefix the document never
//! declares is an error naming the prefix, never a silent empty result.
//!
//! A name without a prefix matches that local name in any namespace, or
//! none: `//sessionId` finds `<sessionId xmlns="urn:partner.soap.sforce.com">`.
//! Strict XPath 1.0 would find nothing there (an unprefixed name test means
//! "no namespace", and a default namespace cannot be named without a
//! prefix); what a person means by `//sessionId` is the element they see.
//!
//! # Values
//! An element's value is its string value (all the text inside it, joined);
//! an attribute's value is its value; a text node's value is its text. The
//! results come in document order, each node once.

use std::collections::BTreeMap;

use roxmltree::{Attribute, Document, Node};

/// The namespace the `xml` prefix is bound to without any declaration.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// A parsed XPath expression of the subset above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XPath {
    /// The expression as written, for error messages.
    text: String,
    steps: Vec<Step>,
}

/// One location step and the predicates that filter what it finds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    kind: StepKind,
    predicates: Vec<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StepKind {
    /// Child elements that pass the name test.
    Element(NameTest),
    /// Attributes that pass the name test.
    Attribute(NameTest),
    /// Child text nodes: `text()`.
    Text,
    /// The node itself: `.`.
    Current,
    /// The node's parent (an attribute's element): `..`.
    Parent,
    /// The node and all below it, what `//` stands for.
    DescendantOrSelf,
}

/// `name`, `prefix:name`, `*` or `prefix:*`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NameTest {
    prefix: Option<String>,
    /// `None` for `*`.
    local: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Predicate {
    /// `[n]`, counted from 1 among what the step found from one node.
    Position(usize),
    /// `[last()]`.
    Last,
    /// `[path]`: the path finds something.
    Exists(Vec<Step>),
    /// `[path='text']`: some node the path finds has this value.
    Equals(Vec<Step>, String),
}

/// A node an expression can select: a tree node or an attribute.
#[derive(Clone, Copy)]
enum Item<'a, 'input> {
    Node(Node<'a, 'input>),
    Attribute {
        owner: Node<'a, 'input>,
        index: usize,
        attribute: Attribute<'a, 'input>,
    },
}

/// The prefixes a document declares, each with every namespace it is
/// bound to somewhere in the document.
type Prefixes<'a> = BTreeMap<&'a str, Vec<&'a str>>;

impl XPath {
    /// Reads `text`, or says in words where and why it cannot.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut reader = Reader {
            text,
            chars: text.chars().collect(),
            at: 0,
        };
        let steps = reader.expression()?;
        Ok(Self {
            text: text.to_string(),
            steps,
        })
    }

    /// The values of the nodes this expression selects in `document`, in
    /// document order; an error when it uses a prefix the document does not
    /// declare.
    pub(crate) fn values(&self, document: &Document<'_>) -> Result<Vec<String>, String> {
        let prefixes = declared_prefixes(document);
        let mut used = Vec::new();
        prefixes_used(&self.steps, &mut used);
        if let Some(missing) = used.iter().find(|prefix| !prefixes.contains_key(*prefix)) {
            let declared: Vec<&str> = prefixes
                .keys()
                .copied()
                .filter(|prefix| *prefix != "xml")
                .collect();
            return Err(format!(
                "the XPath \"{}\" uses the prefix \"{missing}\", which the response does not declare ({})",
                self.text,
                if declared.is_empty() {
                    "it declares no prefix; a name without a prefix matches in any namespace"
                        .to_string()
                } else {
                    format!("it declares {}", declared.join(", "))
                }
            ));
        }
        let found = select(&self.steps, vec![Item::Node(document.root())], &prefixes);
        Ok(found.iter().map(Item::value).collect())
    }
}

/// Every `xmlns:prefix` binding in `document`, plus the implicit `xml`.
fn declared_prefixes<'a>(document: &'a Document<'_>) -> Prefixes<'a> {
    let mut prefixes: Prefixes<'a> = BTreeMap::new();
    prefixes.insert("xml", vec![XML_NAMESPACE]);
    for element in document.descendants().filter(Node::is_element) {
        for namespace in element.namespaces() {
            if let Some(prefix) = namespace.name() {
                let uris = prefixes.entry(prefix).or_default();
                if !uris.contains(&namespace.uri()) {
                    uris.push(namespace.uri());
                }
            }
        }
    }
    prefixes
}

fn prefixes_used<'s>(steps: &'s [Step], used: &mut Vec<&'s str>) {
    for step in steps {
        if let StepKind::Element(test) | StepKind::Attribute(test) = &step.kind
            && let Some(prefix) = &test.prefix
        {
            used.push(prefix);
        }
        for predicate in &step.predicates {
            if let Predicate::Exists(path) | Predicate::Equals(path, _) = predicate {
                prefixes_used(path, used);
            }
        }
    }
}

/// What `steps` select from `context`, in document order, each once.
fn select<'a, 'input>(
    steps: &[Step],
    context: Vec<Item<'a, 'input>>,
    prefixes: &Prefixes<'_>,
) -> Vec<Item<'a, 'input>> {
    let mut current = context;
    for step in steps {
        let mut next = Vec::new();
        for item in &current {
            let candidates = step.kind.apply(item, prefixes);
            let count = candidates.len();
            next.extend(
                candidates
                    .into_iter()
                    .enumerate()
                    .filter(|(index, candidate)| {
                        step.predicates
                            .iter()
                            .all(|predicate| predicate.holds(candidate, index + 1, count, prefixes))
                    })
                    .map(|(_, candidate)| candidate),
            );
        }
        next.sort_by_key(Item::order);
        next.dedup_by_key(|item| item.order());
        current = next;
    }
    current
}

impl StepKind {
    /// What this step finds from `item`, in document order.
    fn apply<'a, 'input>(
        &self,
        item: &Item<'a, 'input>,
        prefixes: &Prefixes<'_>,
    ) -> Vec<Item<'a, 'input>> {
        match (self, item) {
            (StepKind::Current, _) => vec![*item],
            (StepKind::Parent, Item::Node(node)) => {
                node.parent().map(Item::Node).into_iter().collect()
            }
            (StepKind::Parent, Item::Attribute { owner, .. }) => vec![Item::Node(*owner)],
            (_, Item::Attribute { .. }) => Vec::new(),
            (StepKind::DescendantOrSelf, Item::Node(node)) => node
                .descendants()
                .filter(|node| node.is_element() || node.is_root())
                .map(Item::Node)
                .collect(),
            (StepKind::Element(test), Item::Node(node)) => node
                .children()
                .filter(|child| {
                    child.is_element()
                        && test.matches(
                            child.tag_name().namespace(),
                            child.tag_name().name(),
                            prefixes,
                        )
                })
                .map(Item::Node)
                .collect(),
            (StepKind::Text, Item::Node(node)) => node
                .children()
                .filter(Node::is_text)
                .map(Item::Node)
                .collect(),
            (StepKind::Attribute(test), Item::Node(node)) => node
                .attributes()
                .enumerate()
                .filter(|(_, attribute)| {
                    test.matches(attribute.namespace(), attribute.name(), prefixes)
                })
                .map(|(index, attribute)| Item::Attribute {
                    owner: *node,
                    index,
                    attribute,
                })
                .collect(),
        }
    }
}

impl NameTest {
    fn matches(&self, namespace: Option<&str>, local: &str, prefixes: &Prefixes<'_>) -> bool {
        if self.local.as_deref().is_some_and(|wanted| wanted != local) {
            return false;
        }
        match &self.prefix {
            None => true,
            Some(prefix) => prefixes
                .get(prefix.as_str())
                .is_some_and(|uris| namespace.is_some_and(|namespace| uris.contains(&namespace))),
        }
    }
}

impl Predicate {
    /// Whether `item`, the `position`th of `count` nodes a step found from
    /// one node, passes.
    fn holds(
        &self,
        item: &Item<'_, '_>,
        position: usize,
        count: usize,
        prefixes: &Prefixes<'_>,
    ) -> bool {
        match self {
            Predicate::Position(wanted) => position == *wanted,
            Predicate::Last => position == count,
            Predicate::Exists(path) => !select(path, vec![*item], prefixes).is_empty(),
            Predicate::Equals(path, text) => select(path, vec![*item], prefixes)
                .iter()
                .any(|found| found.value() == *text),
        }
    }
}

impl Item<'_, '_> {
    /// The string value: all text inside for an element or the document,
    /// the text of a text node, the value of an attribute.
    fn value(&self) -> String {
        match self {
            Item::Attribute { attribute, .. } => attribute.value().to_string(),
            Item::Node(node) if node.is_text() => node.text().unwrap_or_default().to_string(),
            Item::Node(node) => node
                .descendants()
                .filter(Node::is_text)
                .filter_map(|text| text.text())
                .collect(),
        }
    }

    /// A key in document order: the node, then its attributes in order.
    fn order(&self) -> (usize, usize) {
        match self {
            Item::Node(node) => (node.id().get_usize(), 0),
            Item::Attribute { owner, index, .. } => (owner.id().get_usize(), index + 1),
        }
    }
}

/// Reads an expression character by character; positions in errors count
/// characters from 1.
struct Reader<'t> {
    text: &'t str,
    chars: Vec<char>,
    at: usize,
}

impl Reader<'_> {
    /// The whole expression: an optional `/` or `//`, then steps.
    fn expression(&mut self) -> Result<Vec<Step>, String> {
        self.skip_spaces();
        if self.at_end() {
            return Err(self.error("is empty; write a path such as //sf:Id"));
        }
        let mut steps = Vec::new();
        if self.eat("//") {
            steps.push(Step::plain(StepKind::DescendantOrSelf));
        } else if self.eat("/") {
            self.skip_spaces();
            if self.at_end() {
                return Ok(steps);
            }
        }
        self.relative_path(&mut steps)?;
        self.skip_spaces();
        if !self.at_end() {
            return Err(self.unexpected("a / or the end"));
        }
        Ok(steps)
    }

    /// Steps separated by `/` or `//`, appended to `steps`.
    fn relative_path(&mut self, steps: &mut Vec<Step>) -> Result<(), String> {
        loop {
            steps.push(self.step()?);
            self.skip_spaces();
            if self.eat("//") {
                steps.push(Step::plain(StepKind::DescendantOrSelf));
            } else if !self.eat("/") {
                return Ok(());
            }
        }
    }

    fn step(&mut self) -> Result<Step, String> {
        self.skip_spaces();
        let kind = if self.eat("..") {
            StepKind::Parent
        } else if self.eat(".") {
            StepKind::Current
        } else if self.eat("@") {
            StepKind::Attribute(self.name_test()?)
        } else {
            let start = self.at;
            let test = self.name_test()?;
            self.skip_spaces();
            if self.peek() == Some('(') {
                let is_text = test.prefix.is_none() && test.local.as_deref() == Some("text");
                if !is_text || !self.eat("()") {
                    self.at = start;
                    return Err(self.error(
                        "calls a function this XPath subset does not have (text() and last() are the two it knows)",
                    ));
                }
                StepKind::Text
            } else {
                StepKind::Element(test)
            }
        };
        let mut predicates = Vec::new();
        self.skip_spaces();
        while self.eat("[") {
            predicates.push(self.predicate()?);
            self.skip_spaces();
            if !self.eat("]") {
                return Err(self.unexpected("] to close the predicate"));
            }
            self.skip_spaces();
        }
        Ok(Step { kind, predicates })
    }

    /// `*`, `name`, `prefix:name` or `prefix:*`.
    fn name_test(&mut self) -> Result<NameTest, String> {
        if self.eat("*") {
            return Ok(NameTest {
                prefix: None,
                local: None,
            });
        }
        let first = self.name()?;
        if self.peek() == Some(':') && self.chars.get(self.at + 1) != Some(&':') {
            self.at += 1;
            let local = if self.eat("*") {
                None
            } else {
                Some(self.name()?)
            };
            return Ok(NameTest {
                prefix: Some(first),
                local,
            });
        }
        if self.peek() == Some(':') {
            return Err(self
                .error("names an axis (axis::); this XPath subset knows only /, //, @, . and .."));
        }
        Ok(NameTest {
            prefix: None,
            local: Some(first),
        })
    }

    /// An XML name without a colon.
    fn name(&mut self) -> Result<String, String> {
        let start = self.at;
        while let Some(c) = self.peek() {
            let allowed = if self.at == start {
                c.is_alphabetic() || c == '_'
            } else {
                c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
            };
            if !allowed {
                break;
            }
            self.at += 1;
        }
        if self.at == start {
            return Err(self.unexpected("a name, *, @, . or text()"));
        }
        Ok(self.chars[start..self.at].iter().collect())
    }

    /// What is inside `[` `]`.
    fn predicate(&mut self) -> Result<Predicate, String> {
        self.skip_spaces();
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let start = self.at;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.at += 1;
            }
            let digits: String = self.chars[start..self.at].iter().collect();
            return match digits.parse::<usize>() {
                Ok(position) if position >= 1 => Ok(Predicate::Position(position)),
                _ => {
                    self.at = start;
                    Err(self.error("has a position that is not 1 or more (positions count from 1)"))
                }
            };
        }
        if self.eat("last()") {
            return Ok(Predicate::Last);
        }
        if self.peek() == Some('/') {
            return Err(self.error(
                "starts a predicate's path with /; inside [ ] a path starts from the node itself",
            ));
        }
        let mut path = Vec::new();
        self.relative_path(&mut path)?;
        self.skip_spaces();
        if !self.eat("=") {
            return Ok(Predicate::Exists(path));
        }
        self.skip_spaces();
        let quote = match self.peek() {
            Some(quote @ ('\'' | '"')) => quote,
            _ => return Err(self.unexpected("a quoted text after =, such as 'Acme'")),
        };
        let start = self.at;
        self.at += 1;
        let Some(length) = self.chars[self.at..].iter().position(|c| *c == quote) else {
            self.at = start;
            return Err(self.error("opens a quoted text that is never closed"));
        };
        let literal: String = self.chars[self.at..self.at + length].iter().collect();
        self.at += length + 1;
        Ok(Predicate::Equals(path, literal))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn at_end(&self) -> bool {
        self.at >= self.chars.len()
    }

    /// Steps over `word` if the text continues with it.
    fn eat(&mut self, word: &str) -> bool {
        let length = word.chars().count();
        let matches = self.at + length <= self.chars.len()
            && self.chars[self.at..self.at + length]
                .iter()
                .copied()
                .eq(word.chars());
        if matches {
            self.at += length;
        }
        matches
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// The error "expected `wanted`" at the current character.
    fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(found) => self.error(&format!("has \"{found}\" where it expects {wanted}")),
            None => self.error(&format!("ends where it expects {wanted}")),
        }
    }

    fn error(&self, what: &str) -> String {
        format!(
            "the XPath \"{}\" {what} (at character {})",
            self.text,
            self.at + 1
        )
    }
}

impl Step {
    fn plain(kind: StepKind) -> Self {
        Self {
            kind,
            predicates: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Salesforce partner API `query` answer, as the SOAP endpoint sends
    /// it: the envelope declares soapenv, xsi and sf (the sObject
    /// namespace); the body's elements are in the default namespace.
    const QUERY_RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="urn:sobject.partner.soap.sforce.com"><soapenv:Header><LimitInfoHeader><limitInfo><current>7</current><limit>15000</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header><soapenv:Body><queryResponse><result xsi:type="QueryResult"><done>true</done><queryLocator xsi:nil="true"/><records xsi:type="sf:sObject"><sf:type>Account</sf:type><sf:Id>001000000000001AAA</sf:Id><sf:Name>Acme</sf:Name></records><records xsi:type="sf:sObject"><sf:type>Account</sf:type><sf:Id>001000000000002AAA</sf:Id><sf:Name>Globex</sf:Name></records><size>2</size></result></queryResponse></soapenv:Body></soapenv:Envelope>"#;

    /// A partner API `login` answer: the result is in a default namespace
    /// declared on `loginResponse`, not on the envelope.
    const LOGIN_RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><loginResponse xmlns="urn:partner.soap.sforce.com"><result><serverUrl>https://acme.my.salesforce.com/services/Soap/u/61.0/00D</serverUrl><sessionId>00D000000000001!AQ0AQ</sessionId><userId>005000000000001AAA</userId></result></loginResponse></soapenv:Body></soapenv:Envelope>"#;

    fn values(xml: &str, expression: &str) -> Result<Vec<String>, String> {
        let document = Document::parse(xml).map_err(|error| error.to_string())?;
        XPath::parse(expression)?.values(&document)
    }

    fn found(xml: &str, expression: &str) -> Vec<String> {
        match values(xml, expression) {
            Ok(values) => values,
            Err(error) => panic!("{expression}: {error}"),
        }
    }

    #[test]
    fn absolute_paths_walk_children_from_the_document() {
        assert_eq!(
            found(
                QUERY_RESPONSE,
                "/soapenv:Envelope/soapenv:Body/queryResponse/result/size"
            ),
            ["2"]
        );
        assert_eq!(
            found(
                QUERY_RESPONSE,
                "soapenv:Envelope/soapenv:Body/queryResponse/result/done"
            ),
            ["true"]
        );
        assert!(found(QUERY_RESPONSE, "/soapenv:Body").is_empty());
    }

    #[test]
    fn descendant_steps_find_elements_at_any_depth() {
        assert_eq!(found(QUERY_RESPONSE, "//sf:Name"), ["Acme", "Globex"]);
        assert_eq!(
            found(QUERY_RESPONSE, "//result//sf:Id"),
            ["001000000000001AAA", "001000000000002AAA"]
        );
        assert_eq!(found(QUERY_RESPONSE, "/soapenv:Envelope//current"), ["7"]);
    }

    #[test]
    fn a_name_without_prefix_matches_the_local_name_in_any_namespace() {
        assert_eq!(
            found(LOGIN_RESPONSE, "//sessionId"),
            ["00D000000000001!AQ0AQ"]
        );
        assert_eq!(found(QUERY_RESPONSE, "//records/Name"), ["Acme", "Globex"]);
    }

    #[test]
    fn a_prefix_matches_only_its_own_namespace() {
        // result is in urn:partner.soap.sforce.com, sf is the sObject namespace
        assert!(found(QUERY_RESPONSE, "//sf:result").is_empty());
        assert_eq!(found(QUERY_RESPONSE, "//soapenv:Body/*/result/size"), ["2"]);
        assert_eq!(
            found(QUERY_RESPONSE, "//records[1]/sf:*"),
            ["Account", "001000000000001AAA", "Acme"]
        );
    }

    #[test]
    fn an_undeclared_prefix_is_an_error_naming_it() {
        let error = values(QUERY_RESPONSE, "//ns1:result").unwrap_err();
        assert!(error.contains("\"ns1\""), "{error}");
        assert!(error.contains("does not declare"), "{error}");
        assert!(error.contains("sf, soapenv, xsi"), "{error}");
        let error = values(QUERY_RESPONSE, "//records[ns1:Name='Acme']").unwrap_err();
        assert!(error.contains("\"ns1\""), "{error}");
    }

    #[test]
    fn positions_count_among_siblings_found_from_one_node() {
        assert_eq!(found(QUERY_RESPONSE, "//records[1]/sf:Name"), ["Acme"]);
        assert_eq!(
            found(QUERY_RESPONSE, "//records[last()]/sf:Name"),
            ["Globex"]
        );
        assert_eq!(found(QUERY_RESPONSE, "//records[2]/sf:Name[1]"), ["Globex"]);
        assert!(found(QUERY_RESPONSE, "//records[3]").is_empty());
        // each record's first field, not the document's first field
        assert_eq!(
            found(QUERY_RESPONSE, "//records/*[1]"),
            ["Account", "Account"]
        );
    }

    #[test]
    fn predicates_compare_attributes_and_children() {
        // any record's name, not every record's name
        assert_eq!(
            found(QUERY_RESPONSE, "//result[records/sf:Name='Globex']/size"),
            ["2"]
        );
        assert_eq!(
            found(QUERY_RESPONSE, "//records[sf:Name='Globex']/sf:Id"),
            ["001000000000002AAA"]
        );
        assert_eq!(
            found(QUERY_RESPONSE, "//records[Name = \"Acme\"]/Id"),
            ["001000000000001AAA"]
        );
        assert_eq!(
            found(QUERY_RESPONSE, "//*[@xsi:type='QueryResult']/size"),
            ["2"]
        );
        assert_eq!(
            found(QUERY_RESPONSE, "//*[@xsi:nil]/.."),
            found(QUERY_RESPONSE, "//result")
        );
        assert_eq!(found(QUERY_RESPONSE, "//sf:Name[.='Acme']"), ["Acme"]);
        assert_eq!(
            found(QUERY_RESPONSE, "//sf:Name[text()='Globex']"),
            ["Globex"]
        );
        assert!(found(QUERY_RESPONSE, "//records[sf:Name='Initech']").is_empty());
    }

    #[test]
    fn attributes_and_text_give_their_values() {
        assert_eq!(
            found(QUERY_RESPONSE, "//records/@xsi:type"),
            ["sf:sObject", "sf:sObject"]
        );
        assert_eq!(found(QUERY_RESPONSE, "//result/@type"), ["QueryResult"]);
        assert_eq!(found(QUERY_RESPONSE, "//queryLocator/@*"), ["true"]);
        assert_eq!(found(QUERY_RESPONSE, "//done/text()"), ["true"]);
        assert_eq!(
            found("<a>one<b>two</b>three</a>", "/a/text()"),
            ["one", "three"]
        );
    }

    #[test]
    fn an_elements_value_is_all_the_text_inside_it() {
        assert_eq!(
            found(QUERY_RESPONSE, "//records[1]"),
            ["Account001000000000001AAAAcme"]
        );
        assert_eq!(found("<a>one<b>two</b>three</a>", "/"), ["onetwothree"]);
    }

    #[test]
    fn each_node_is_found_once_in_document_order() {
        assert_eq!(
            found(QUERY_RESPONSE, "//records/..//sf:Name"),
            ["Acme", "Globex"]
        );
        assert_eq!(
            found("<a><b>1</b><c><b>2</b></c></a>", "//*//b"),
            ["1", "2"]
        );
    }

    #[test]
    fn unknown_syntax_names_the_expression_and_the_character() {
        let cases = [
            ("//b | //c", "at character 5", "\"|\""),
            ("//records[position()=1]", "at character 11", "function"),
            ("//records[0]", "at character 11", "count from 1"),
            ("//records[1", "at character 12", "]"),
            (
                "//records[sf:Name='Acme]",
                "at character 19",
                "never closed",
            ),
            ("child::records", "at character 6", "axis"),
            ("//", "at character 3", "a name"),
            ("", "at character 1", "empty"),
            ("//records[/a]", "at character 11", "predicate's path"),
            ("//count(a)", "at character 3", "function"),
        ];
        for (expression, position, words) in cases {
            let error = XPath::parse(expression).unwrap_err();
            assert!(
                error.contains(&format!("\"{expression}\"")),
                "{expression}: {error}"
            );
            assert!(error.contains(position), "{expression}: {error}");
            assert!(error.contains(words), "{expression}: {error}");
        }
    }
}
