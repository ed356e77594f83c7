//! Apex test mocks from real responses: the responses a send met (the SOAP
//! session fault, then the answer after the refresh) as an `HttpCalloutMock`
//! class ([`http_callout_mock`]) or as static resources for Salesforce's
//! `StaticResourceCalloutMock` ([`static_resources`],
//! [`static_resource_snippet`]), so a test of the org's own callout code
//! meets the failure shapes the service really sends.
//!
//! Guarantees:
//! - Every recorded character reaches the mock exactly: response text lands
//!   only in Apex string literals and `//` comments, through
//!   [`apex`](super::apex)'s escaping — line breaks of every kind, controls,
//!   bidirectional marks, quotes and backslashes are escapes, so no body,
//!   header or note can end a literal or a comment early. The class never
//!   writes a block comment, so a `*/` in a note means nothing either.
//! - A mock never lies about what came back: a body the sender or the
//!   history cut is refused ([`recorded_from_history`]), not mocked half.
//! - A mock answers the way the response did, less what described the
//!   connection or the wire rather than the answer (hop-by-hop headers,
//!   `Content-Length`, `Transfer-Encoding`, `Content-Encoding` — the body is
//!   kept decoded —, `Date`, `Set-Cookie`); a header that came several
//!   times is set once, its values joined with `, ` (`setHeader` keeps only
//!   the last value it is given).
//!
//! Salesforce's limits, checked before anything is written:
//! - Apex documents no length limit for one string literal (a `String` is
//!   bounded by the heap only); a body is still written as literals of at
//!   most [`MAX_LITERAL_CHARS`] characters between the quotes, joined with
//!   `+`, cut after a line break where one is near, so the class reads like
//!   the body and no line grows unbounded.
//! - A class holds at most [`MAX_CLASS_CHARS`] characters (Salesforce's
//!   "maximum number of characters for a class", comments included); a
//!   bigger mock is refused with a pointer to static resources.
//! - No Apex callout receives more than [`MAX_ASYNC_RESPONSE_BYTES`] (12 MB,
//!   in asynchronous Apex; 6 MB synchronously, which is also the heap a test
//!   method has): a bigger body is refused. Below that, the class and static
//!   resource limits bind first.
//! - A static resource holds at most [`MAX_STATIC_RESOURCE_BYTES`] (5 MB),
//!   its name at most [`MAX_STATIC_RESOURCE_NAME_CHARS`] characters, its
//!   content type at most 120.
//! - A class name is an Apex identifier of at most
//!   [`MAX_CLASS_NAME_CHARS`] characters (letters, digits and underscores,
//!   starting with a letter, no two underscores in a row, none at the end),
//!   neither a word Apex reserves nor a type the mock itself names; a static
//!   resource name follows the same rules.

use std::fmt::Write as _;

use serde::Deserialize;

use super::apex::{comment, escape, literal};
use crate::history::{Kept, MAX_BODY};
use crate::http::{Header, MAX_RESPONSE_BYTES, header_value};
use crate::{Error, Result};

/// The most characters between the quotes of one body literal.
pub const MAX_LITERAL_CHARS: usize = 1_000;
/// The most characters Salesforce allows an Apex class.
pub const MAX_CLASS_CHARS: usize = 1_000_000;
/// The largest callout response asynchronous Apex receives (and its heap).
pub const MAX_ASYNC_RESPONSE_BYTES: usize = 12_000_000;
/// The largest static resource Salesforce takes.
pub const MAX_STATIC_RESOURCE_BYTES: usize = 5 * 1024 * 1024;
/// The longest Apex class name.
pub const MAX_CLASS_NAME_CHARS: usize = 40;
/// The longest static resource name.
pub const MAX_STATIC_RESOURCE_NAME_CHARS: usize = 255;
/// The longest static resource content type.
const MAX_CONTENT_TYPE_CHARS: usize = 120;
/// The longest static resource description.
const MAX_DESCRIPTION_CHARS: usize = 255;
/// Where static resources go in an SFDX project.
pub const STATIC_RESOURCE_DIR: &str = "force-app/main/default/staticresources";

/// One response to mock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub status: u16,
    pub headers: Vec<Header>,
    pub body: String,
    /// One line saying where it came from: "history #12, attempt 1: HTTP
    /// 500 Internal Server Error, token expired (soap.invalid_session)".
    pub note: String,
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Export {
        format: "an Apex test mock",
        detail: detail.into(),
    }
}

fn refuse_resources(detail: impl Into<String>) -> Error {
    Error::Export {
        format: "static resources",
        detail: detail.into(),
    }
}

/// An `@isTest public class CLASS_NAME implements HttpCalloutMock` answering
/// callout 1 with `responses[0]`, callout 2 with `responses[1]`, ... and
/// every later one with the last; its public `calls` counts the callouts it
/// answered, so a test can check that the code under test retried.
pub fn http_callout_mock(class_name: &str, responses: &[Recorded]) -> Result<String> {
    check_name(class_name, "class", MAX_CLASS_NAME_CHARS).map_err(refuse)?;
    if let Some(why) = taken(class_name) {
        return Err(refuse(format!(
            "the class name \"{class_name}\" is {why}: choose another"
        )));
    }
    if responses.is_empty() {
        return Err(refuse("there is no response to answer with"));
    }
    for (index, response) in responses.iter().enumerate() {
        check_response_size(index + 1, response).map_err(refuse)?;
    }

    let count = responses.len();
    let mut out = String::new();
    let plural = if count == 1 { "" } else { "s" };
    comment(
        &mut out,
        &format!(
            "An HttpCalloutMock written by Callout Lab from {count} recorded response{plural}."
        ),
    );
    if count == 1 {
        comment(&mut out, "It answers every callout with:");
    } else {
        comment(
            &mut out,
            "It answers callouts with them in turn, and keeps answering with the last:",
        );
    }
    for (index, response) in responses.iter().enumerate() {
        let call = match index + 1 {
            1 if count == 1 => "every call".to_string(),
            number if number == count => format!("call {number} and after"),
            number => format!("call {number}"),
        };
        comment(&mut out, &format!("  {call}: {}", response.note));
    }
    let mut dropped: Vec<String> = Vec::new();
    for response in responses {
        for name in mock_headers(&response.headers).1 {
            if !dropped
                .iter()
                .any(|known| known.eq_ignore_ascii_case(&name))
            {
                dropped.push(name);
            }
        }
    }
    if !dropped.is_empty() {
        comment(
            &mut out,
            &format!(
                "Left out, as they described the connection and not the answer: {}.",
                dropped.join(", ")
            ),
        );
    }
    comment(
        &mut out,
        "`calls` counts the callouts answered, so a test can check the code retried:",
    );
    comment(
        &mut out,
        &format!("  {class_name} mock = new {class_name}();"),
    );
    comment(&mut out, "  Test.setMock(HttpCalloutMock.class, mock);");
    comment(&mut out, "  // ... run the code under test ...");
    comment(
        &mut out,
        &format!("  Assert.areEqual({count}, mock.calls);"),
    );
    if count > 1 {
        comment(
            &mut out,
            "In a test the mock answers before any Named Credential would: Salesforce",
        );
        comment(
            &mut out,
            "refreshes no token there, so every retry the mock sees is the code's own.",
        );
    }

    out.push_str("@isTest\n");
    let _ = writeln!(
        out,
        "public class {class_name} implements HttpCalloutMock {{"
    );
    out.push_str("    public Integer calls = 0;\n\n");
    out.push_str("    public HttpResponse respond(HttpRequest req) {\n");
    out.push_str("        calls++;\n");
    for number in 1..count {
        let _ = writeln!(out, "        if (calls == {number}) {{");
        let _ = writeln!(out, "            return response{number}();");
        out.push_str("        }\n");
    }
    let _ = writeln!(out, "        return response{count}();");
    out.push_str("    }\n");

    for (index, response) in responses.iter().enumerate() {
        let number = index + 1;
        out.push('\n');
        out.push_str("    ");
        comment(&mut out, &response.note);
        let _ = writeln!(out, "    private static HttpResponse response{number}() {{");
        out.push_str("        HttpResponse res = new HttpResponse();\n");
        let _ = writeln!(out, "        res.setStatusCode({});", response.status);
        if let Some(reason) = reason_phrase(response.status) {
            let _ = writeln!(out, "        res.setStatus({});", literal(reason));
        }
        for header in mock_headers(&response.headers).0 {
            let _ = writeln!(
                out,
                "        res.setHeader({}, {});",
                literal(&header.name),
                literal(&header.value)
            );
        }
        let _ = writeln!(out, "        res.setBody(body{number}());");
        out.push_str("        return res;\n");
        out.push_str("    }\n\n");
        let _ = writeln!(out, "    private static String body{number}() {{");
        let _ = writeln!(
            out,
            "        return {};",
            body_literals(&response.body).join("\n            + ")
        );
        out.push_str("    }\n");
    }
    out.push_str("}\n");

    let length = out.chars().count();
    if length > MAX_CLASS_CHARS {
        return Err(refuse(format!(
            "the class would be {length} characters long, more than the {MAX_CLASS_CHARS} \
             Salesforce allows a class: mock these responses with static resources \
             (StaticResourceCalloutMock) instead"
        )));
    }
    Ok(out)
}

/// The responses `kept` met: with `all_attempts`, every one that came back,
/// in order (a send refused with a session fault, refreshed and retried
/// gives the fault, then the answer); otherwise the last. A body the sender
/// or the history cut is refused.
pub fn recorded_from_history(kept: &Kept, all_attempts: bool) -> Result<Vec<Recorded>> {
    let id = kept.sent.id;
    let report = KeptReport::deserialize(&kept.report)
        .map_err(|error| refuse(format!("history #{id} is unreadable: {error}")))?;
    let mut sent: Vec<(Option<u32>, KeptResponse, Option<KeptVerdict>)> = report
        .attempts
        .into_iter()
        .filter_map(|attempt| match attempt {
            KeptAttempt::Sent {
                number,
                response,
                verdict,
            } => Some((Some(number), response, verdict)),
            KeptAttempt::Other => None,
        })
        .collect();
    if sent.is_empty() {
        let Some(response) = report.response else {
            return Err(refuse(format!("history #{id} holds no response")));
        };
        sent.push((None, response, report.verdict));
    } else if !all_attempts {
        sent.drain(..sent.len() - 1);
    }
    sent.into_iter()
        .map(|(number, response, verdict)| {
            let at = match number {
                Some(number) => format!("history #{id}, attempt {number}"),
                None => format!("history #{id}"),
            };
            if response.truncated {
                return Err(refuse(format!(
                    "{at}: the response body was cut at {} MiB when it arrived, and a mock of a \
                     cut body would lie",
                    MAX_RESPONSE_BYTES / (1024 * 1024)
                )));
            }
            if response.body_cut_in_history {
                return Err(refuse(format!(
                    "{at}: the history kept only the first {} KiB of the response body, and a \
                     mock of a cut body would lie; send the request again and mock that",
                    MAX_BODY / 1024
                )));
            }
            let mut note = format!("{at}: HTTP {}", response.status);
            if let Some(reason) = reason_phrase(response.status) {
                let _ = write!(note, " {reason}");
            }
            if let Some(verdict) = verdict.filter(|verdict| verdict.expired) {
                match verdict.rule {
                    Some(rule) => {
                        let _ = write!(note, ", token expired ({rule})");
                    }
                    None => note.push_str(", token expired"),
                }
            }
            let (headers, withheld): (Vec<Header>, Vec<Header>) = response
                .headers
                .into_iter()
                .partition(|header| header.value != crate::history::WITHHELD);
            if !withheld.is_empty() {
                let names: Vec<&str> = withheld.iter().map(|header| header.name.as_str()).collect();
                let _ = write!(
                    note,
                    " (left out: {}, whose value the history does not keep)",
                    names.join(", ")
                );
            }
            Ok(Recorded {
                status: response.status,
                headers,
                body: response.body,
                note,
            })
        })
        .collect()
}

/// The files of static resources `NAME_1`, `NAME_2`, ... (one per
/// response) in SFDX source layout: `STATIC_RESOURCE_DIR/NAME_N.resource`
/// holding the body and `NAME_N.resource-meta.xml` describing it, in that
/// order, as (path, content).
pub fn static_resources(name: &str, responses: &[Recorded]) -> Result<Vec<(String, String)>> {
    check_resource_names(name, responses.len())?;
    let mut files = Vec::with_capacity(responses.len() * 2);
    for (index, response) in responses.iter().enumerate() {
        let number = index + 1;
        let size = response.body.len();
        if size > MAX_STATIC_RESOURCE_BYTES {
            return Err(refuse_resources(format!(
                "response {number}'s body is {size} bytes, more than the \
                 {MAX_STATIC_RESOURCE_BYTES} bytes (5 MB) Salesforce allows a static resource"
            )));
        }
        files.push((
            format!("{STATIC_RESOURCE_DIR}/{name}_{number}.resource"),
            response.body.clone(),
        ));
        files.push((
            format!("{STATIC_RESOURCE_DIR}/{name}_{number}.resource-meta.xml"),
            meta_xml(response),
        ));
    }
    Ok(files)
}

/// The Apex that sets up mocks over the static resources
/// [`static_resources`] writes for `responses` under `name`: one
/// `StaticResourceCalloutMock` per response, with its status and headers.
///
/// Salesforce's static-resource mocks cannot answer a sequence — a
/// `StaticResourceCalloutMock` answers every callout alike, and a
/// `MultiStaticResourceCalloutMock` picks the resource by endpoint and gives
/// every endpoint one status code and one set of headers — so a retry on
/// one endpoint (a 500 fault, then a 200) needs [`http_callout_mock`]; the
/// snippet says so.
pub fn static_resource_snippet(name: &str, responses: &[Recorded]) -> Result<String> {
    check_resource_names(name, responses.len())?;
    let count = responses.len();
    let mut out = String::new();
    if count == 1 {
        comment(
            &mut out,
            &format!(
                "A StaticResourceCalloutMock answering every callout with static resource \
                 {name}_1."
            ),
        );
    } else {
        for line in [
            format!(
                "One StaticResourceCalloutMock per recorded response (static resources \
                 {name}_1 to {name}_{count})."
            ),
            "Each answers every callout alike: give one to a test with".into(),
            "  Test.setMock(HttpCalloutMock.class, mock1);".into(),
            "Static-resource mocks cannot answer a sequence: a MultiStaticResourceCalloutMock"
                .into(),
            format!(
                "picks the resource by endpoint (mock.setStaticResource(endpoint, '{name}_1'))"
            ),
            "and gives every endpoint the same status code and headers. For a retry on one".into(),
            "endpoint (a session fault, then the answer), use an HttpCalloutMock class.".into(),
        ] {
            comment(&mut out, &line);
        }
    }
    for (index, response) in responses.iter().enumerate() {
        let number = index + 1;
        let mock = if count == 1 {
            "mock".to_string()
        } else {
            format!("mock{number}")
        };
        if count > 1 {
            out.push('\n');
        }
        comment(&mut out, &response.note);
        let _ = writeln!(
            out,
            "StaticResourceCalloutMock {mock} = new StaticResourceCalloutMock();"
        );
        let resource = format!("{name}_{number}");
        let _ = writeln!(out, "{mock}.setStaticResource({});", literal(&resource));
        let _ = writeln!(out, "{mock}.setStatusCode({});", response.status);
        if let Some(reason) = reason_phrase(response.status) {
            let _ = writeln!(out, "{mock}.setStatus({});", literal(reason));
        }
        for header in mock_headers(&response.headers).0 {
            let _ = writeln!(
                out,
                "{mock}.setHeader({}, {});",
                literal(&header.name),
                literal(&header.value)
            );
        }
    }
    if count == 1 {
        out.push_str("Test.setMock(HttpCalloutMock.class, mock);\n");
    }
    Ok(out)
}

/// Checks `name` and the names `NAME_1` .. `NAME_count` made of it.
fn check_resource_names(name: &str, count: usize) -> Result<()> {
    check_name(name, "static resource", MAX_STATIC_RESOURCE_NAME_CHARS)
        .map_err(refuse_resources)?;
    if count == 0 {
        return Err(refuse_resources("there is no response to keep"));
    }
    let longest = format!("{name}_{count}");
    if longest.len() > MAX_STATIC_RESOURCE_NAME_CHARS {
        return Err(refuse_resources(format!(
            "the static resource name \"{longest}\" would be {} characters long; Salesforce \
             allows {MAX_STATIC_RESOURCE_NAME_CHARS}",
            longest.len()
        )));
    }
    Ok(())
}

/// Whether `name` is a name Salesforce takes for a `what` (an Apex class,
/// a static resource): ASCII letters, digits and underscores, starting with
/// a letter, no two underscores in a row, none at the end, at most `max`
/// characters. The error quotes the name escaped.
fn check_name(name: &str, what: &str, max: usize) -> std::result::Result<(), String> {
    let shown = name.escape_debug();
    let rules = "letters, digits and underscores, starting with a letter";
    if name.is_empty() {
        return Err(format!("the {what} name is empty: use {rules}"));
    }
    let length = name.chars().count();
    if length > max {
        return Err(format!(
            "the {what} name \"{shown}\" is {length} characters long; Salesforce allows {max}"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!(
            "the {what} name \"{shown}\" must start with a letter ({rules})"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(format!(
            "the {what} name \"{shown}\" holds \"{}\": use {rules}",
            bad.escape_debug()
        ));
    }
    if name.contains("__") {
        return Err(format!(
            "the {what} name \"{shown}\" holds two underscores in a row, which Salesforce \
             keeps for namespaces"
        ));
    }
    if name.ends_with('_') {
        return Err(format!(
            "the {what} name \"{shown}\" ends with an underscore, which Salesforce refuses"
        ));
    }
    Ok(())
}

/// Words Apex reserves (it is case-insensitive): a class called one of them
/// would not compile.
const RESERVED: &[&str] = &[
    "abstract",
    "activate",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "autonomous",
    "begin",
    "bigdecimal",
    "blob",
    "boolean",
    "break",
    "bulk",
    "by",
    "byte",
    "case",
    "cast",
    "catch",
    "char",
    "class",
    "collect",
    "commit",
    "const",
    "continue",
    "currency",
    "date",
    "datetime",
    "decimal",
    "default",
    "delete",
    "desc",
    "do",
    "double",
    "else",
    "end",
    "enum",
    "exception",
    "exit",
    "export",
    "extends",
    "false",
    "final",
    "finally",
    "float",
    "for",
    "from",
    "global",
    "goto",
    "group",
    "having",
    "hint",
    "if",
    "implements",
    "import",
    "in",
    "inner",
    "insert",
    "instanceof",
    "integer",
    "interface",
    "into",
    "join",
    "like",
    "limit",
    "list",
    "long",
    "loop",
    "map",
    "merge",
    "new",
    "not",
    "null",
    "nulls",
    "object",
    "of",
    "on",
    "or",
    "outer",
    "override",
    "package",
    "parallel",
    "private",
    "protected",
    "public",
    "return",
    "rollback",
    "savepoint",
    "select",
    "set",
    "short",
    "sobject",
    "static",
    "string",
    "super",
    "switch",
    "system",
    "testmethod",
    "then",
    "this",
    "throw",
    "time",
    "transaction",
    "trigger",
    "true",
    "try",
    "undelete",
    "update",
    "upsert",
    "using",
    "virtual",
    "void",
    "webservice",
    "when",
    "where",
    "while",
];

/// The types the class names: a class of that name would shadow them.
const USED_TYPES: [&str; 6] = [
    "HttpCalloutMock",
    "HttpRequest",
    "HttpResponse",
    "Test",
    "Assert",
    "Http",
];

/// Why `name` cannot name the mock class, if it cannot.
fn taken(name: &str) -> Option<&'static str> {
    if RESERVED.iter().any(|word| word.eq_ignore_ascii_case(name)) {
        return Some("a word Apex reserves");
    }
    USED_TYPES
        .iter()
        .any(|used| used.eq_ignore_ascii_case(name))
        .then_some("the name of a type the mock class uses")
}

/// Refuses a body no Apex callout could receive.
fn check_response_size(number: usize, response: &Recorded) -> std::result::Result<(), String> {
    let size = response.body.len();
    if size > MAX_ASYNC_RESPONSE_BYTES {
        return Err(format!(
            "response {number}'s body is {size} bytes: no Apex callout receives more than \
             {MAX_ASYNC_RESPONSE_BYTES} bytes (12 MB asynchronously, 6 MB synchronously), \
             so no test can meet it"
        ));
    }
    Ok(())
}

/// The standard reason phrase of `status` ("Internal Server Error").
fn reason_phrase(status: u16) -> Option<&'static str> {
    reqwest::StatusCode::from_u16(status)
        .ok()?
        .canonical_reason()
}

/// Headers a mock leaves out: hop-by-hop ones (RFC 9110 §7.6.1), the ones
/// that described the body on the wire (it is kept decoded and whole), and
/// the per-response `Date` and `Set-Cookie`.
const DROPPED_HEADERS: [&str; 13] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",
    "date",
    "set-cookie",
];

/// The headers a mock sets (repeated ones joined with `, `, in the order
/// they first came) and the names of the ones it leaves out.
fn mock_headers(headers: &[Header]) -> (Vec<Header>, Vec<String>) {
    let named_by_connection: Vec<String> = headers
        .iter()
        .filter(|header| header.name.trim().eq_ignore_ascii_case("connection"))
        .flat_map(|header| header.value.split(','))
        .map(|token| token.trim().to_ascii_lowercase())
        .filter(|token| !token.is_empty())
        .collect();
    let mut kept: Vec<Header> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    for header in headers {
        let name = header.name.trim();
        let lower = name.to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if DROPPED_HEADERS.contains(&lower.as_str()) || named_by_connection.contains(&lower) {
            if !dropped.iter().any(|known| known.eq_ignore_ascii_case(name)) {
                dropped.push(name.to_string());
            }
            continue;
        }
        match kept
            .iter_mut()
            .find(|known| known.name.eq_ignore_ascii_case(name))
        {
            Some(known) => {
                known.value.push_str(", ");
                known.value.push_str(&header.value);
            }
            None => kept.push(Header::new(name, header.value.clone())),
        }
    }
    (kept, dropped)
}

/// `body` as Apex string literals of at most [`MAX_LITERAL_CHARS`]
/// characters between the quotes, each cut after the last line break that
/// fits where there is one, so they read like the body.
fn body_literals(body: &str) -> Vec<String> {
    let mut literals = Vec::new();
    // The escaped text of the literal being filled, its length in
    // characters, and where (byte, characters) it last ended a line.
    let mut current = String::new();
    let mut length = 0;
    let mut line_end: Option<(usize, usize)> = None;
    let mut piece = String::new();
    for c in body.chars() {
        piece.clear();
        escape(&mut piece, c.encode_utf8(&mut [0; 4]), true);
        let width = piece.chars().count();
        if length + width > MAX_LITERAL_CHARS {
            match line_end.take() {
                Some((at, chars)) if at < current.len() => {
                    let rest = current.split_off(at);
                    literals.push(std::mem::replace(&mut current, rest));
                    length -= chars;
                }
                _ => {}
            }
            if length + width > MAX_LITERAL_CHARS {
                literals.push(std::mem::take(&mut current));
                length = 0;
            }
        }
        current.push_str(&piece);
        length += width;
        if c == '\n' {
            line_end = Some((current.len(), length));
        }
    }
    if !current.is_empty() || literals.is_empty() {
        literals.push(current);
    }
    literals
        .into_iter()
        .map(|text| format!("'{text}'"))
        .collect()
}

/// A static resource's `-meta.xml`: private cache, the response's content
/// type, the note as description.
fn meta_xml(response: &Recorded) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    \
         <cacheControl>Private</cacheControl>\n",
    );
    let _ = writeln!(
        out,
        "    <contentType>{}</contentType>",
        crate::markup::escape_xml(&content_type(response))
    );
    let description: String = response
        .note
        .chars()
        .map(|c| if super::is_unsafe(c) { ' ' } else { c })
        .take(MAX_DESCRIPTION_CHARS)
        .collect();
    let description = description.trim();
    if !description.is_empty() {
        let _ = writeln!(
            out,
            "    <description>{}</description>",
            crate::markup::escape_xml(description)
        );
    }
    out.push_str("</StaticResource>\n");
    out
}

/// The response's media type (`text/xml` of `text/xml; charset=UTF-8`),
/// or, without a usable `Content-Type`, the one its body looks like.
fn content_type(response: &Recorded) -> String {
    let declared = header_value(&response.headers, "content-type")
        .and_then(|value| value.split(';').next())
        .map(|media| media.trim().to_ascii_lowercase())
        .filter(|media| {
            let token = |part: &str| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
            };
            media.len() <= MAX_CONTENT_TYPE_CHARS
                && media
                    .split_once('/')
                    .is_some_and(|(kind, sub)| token(kind) && token(sub))
        });
    if let Some(media) = declared {
        return media;
    }
    let body = response.body.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('{') || body.starts_with('[') {
        "application/json".into()
    } else if body.starts_with('<') {
        "application/xml".into()
    } else {
        "text/plain".into()
    }
}

/// A kept report, as far as a mock needs it.
#[derive(Deserialize)]
struct KeptReport {
    #[serde(default)]
    response: Option<KeptResponse>,
    #[serde(default)]
    verdict: Option<KeptVerdict>,
    #[serde(default)]
    attempts: Vec<KeptAttempt>,
}

#[derive(Deserialize)]
#[serde(tag = "step", rename_all = "camelCase")]
enum KeptAttempt {
    Sent {
        number: u32,
        response: KeptResponse,
        #[serde(default)]
        verdict: Option<KeptVerdict>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeptResponse {
    status: u16,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default)]
    body: String,
    /// The sender cut the body at [`MAX_RESPONSE_BYTES`].
    #[serde(default)]
    truncated: bool,
    /// The history cut the body at [`MAX_BODY`].
    #[serde(default)]
    body_cut_in_history: bool,
}

#[derive(Deserialize)]
struct KeptVerdict {
    expired: bool,
    #[serde(default)]
    rule: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::detect::Detector;
    use crate::history::{DEFAULT_KEEP, History, Label};
    use crate::http::{Draft, Received, ResponseBody};
    use crate::merge::DisplayRequest;
    use crate::send::{Attempt, Report};

    /// The partner API's answer to an expired session (docs/WIRE.md).
    const SESSION_FAULT: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope \
        xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:sf=\"urn:fault.partner.soap.sforce.com\" \
        xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault>\
        <faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid \
        Session ID found in SessionHeader: Illegal Session. Session not found, missing session \
        hash: ...</faultstring><detail><sf:UnexpectedErrorFault \
        xsi:type=\"sf:UnexpectedErrorFault\"><sf:exceptionCode>INVALID_SESSION_ID\
        </sf:exceptionCode><sf:exceptionMessage>Invalid Session ID found in SessionHeader: \
        Illegal Session...</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>\
        </soapenv:Fault></soapenv:Body></soapenv:Envelope>";

    /// The partner API's answer to a query, once the session is fresh.
    const QUERY_RESPONSE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns=\"urn:partner.soap.sforce.com\" xmlns:sf=\"urn:sobject.partner.soap.sforce.com\" \
        xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>\
        <queryResponse><result xsi:type=\"QueryResult\"><done>true</done>\
        <queryLocator xsi:nil=\"true\"/><records xsi:type=\"sf:sObject\">\
        <sf:type>Account</sf:type><sf:Id>001000000000001AAA</sf:Id>\
        <sf:Name>O'Brien &amp; Sons</sf:Name></records><size>1</size></result>\
        </queryResponse></soapenv:Body></soapenv:Envelope>";

    fn soap_headers() -> Vec<Header> {
        vec![
            Header::new("Date", "Tue, 04 Jun 2024 10:00:00 GMT"),
            Header::new("Content-Type", "text/xml;charset=UTF-8"),
            Header::new("Content-Length", "777"),
            Header::new("Connection", "keep-alive, X-Hop"),
            Header::new("X-Hop", "1"),
            Header::new("Set-Cookie", "BrowserId=abc; Path=/"),
            Header::new("Vary", "Accept-Encoding"),
            Header::new("vary", "Origin"),
        ]
    }

    fn session_sequence() -> Vec<Recorded> {
        vec![
            Recorded {
                status: 500,
                headers: soap_headers(),
                body: SESSION_FAULT.into(),
                note: "history #12, attempt 1: HTTP 500 Internal Server Error, token expired \
                       (soap.invalid_session)"
                    .into(),
            },
            Recorded {
                status: 200,
                headers: vec![
                    Header::new("Content-Type", "text/xml;charset=UTF-8"),
                    Header::new("Transfer-Encoding", "chunked"),
                    Header::new("Content-Encoding", "gzip"),
                ],
                body: QUERY_RESPONSE.into(),
                note: "history #12, attempt 2: HTTP 200 OK".into(),
            },
        ]
    }

    /// A piece of Apex source: code as written, or the decoded text of a
    /// string literal.
    #[derive(Debug, PartialEq)]
    enum Token {
        Code(String),
        Literal(String),
    }

    /// Reads Apex source the way the compiler would: code, `//` comments
    /// (kept in the code) and string literals, decoded. Panics where the
    /// source could read differently from what was meant: a block comment,
    /// a line break or other unsafe character inside a literal or a comment,
    /// an escape Apex does not know, a literal left open.
    fn lex(source: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut code = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'*') => panic!("a block comment in {code:?}"),
                '/' if chars.peek() == Some(&'/') => {
                    code.push(c);
                    for c in chars.by_ref() {
                        code.push(c);
                        if c == '\n' {
                            break;
                        }
                        assert!(
                            !crate::interop::is_unsafe(c),
                            "{c:?} in a comment: {code:?}"
                        );
                    }
                }
                '\'' => {
                    tokens.push(Token::Code(std::mem::take(&mut code)));
                    let mut units: Vec<u16> = Vec::new();
                    loop {
                        let c = chars.next().expect("a literal left open");
                        assert!(!crate::interop::is_unsafe(c), "{c:?} in a literal");
                        let decoded = match c {
                            '\'' => break,
                            '\\' => match chars.next().expect("an escape left open") {
                                'n' => '\n',
                                'r' => '\r',
                                't' => '\t',
                                'b' => '\u{8}',
                                'f' => '\u{c}',
                                '"' => '"',
                                '\'' => '\'',
                                '\\' => '\\',
                                'u' => {
                                    let hex: String = chars.by_ref().take(4).collect();
                                    units.push(u16::from_str_radix(&hex, 16).unwrap());
                                    continue;
                                }
                                other => panic!("unknown escape \\{other}"),
                            },
                            other => other,
                        };
                        units.extend(decoded.encode_utf16(&mut [0; 2]).iter());
                    }
                    tokens.push(Token::Literal(String::from_utf16(&units).unwrap()));
                }
                other => {
                    assert!(
                        other == '\n' || !crate::interop::is_unsafe(other),
                        "{other:?} in code"
                    );
                    code.push(other);
                }
            }
        }
        tokens.push(Token::Code(code));
        tokens
    }

    /// The source with every literal's text replaced by `…`: what the
    /// compiler sees as code.
    fn skeleton(tokens: &[Token]) -> String {
        tokens
            .iter()
            .map(|token| match token {
                Token::Code(code) => code.as_str(),
                Token::Literal(_) => "'…'",
            })
            .collect()
    }

    /// The decoded literals of method `name` (`body1`), in order.
    fn literals_of(tokens: &[Token], name: &str) -> Vec<String> {
        let start = tokens
            .iter()
            .position(|token| {
                matches!(token, Token::Code(code) if code.contains(&format!(" {name}() {{")))
            })
            .unwrap_or_else(|| panic!("no method {name}"));
        let mut found = Vec::new();
        for token in &tokens[start + 1..] {
            match token {
                Token::Literal(text) => found.push(text.clone()),
                Token::Code(code) if code.contains('}') => break,
                Token::Code(_) => {}
            }
        }
        found
    }

    fn body_of(tokens: &[Token], number: usize) -> String {
        literals_of(tokens, &format!("body{number}")).concat()
    }

    #[test]
    fn a_session_fault_then_the_answer_becomes_a_mock_answering_them_in_turn() {
        let class = http_callout_mock("SessionExpiryMock", &session_sequence()).unwrap();
        let tokens = lex(&class);
        assert_eq!(
            skeleton(&tokens),
            "\
// An HttpCalloutMock written by Callout Lab from 2 recorded responses.
// It answers callouts with them in turn, and keeps answering with the last:
//   call 1: history #12, attempt 1: HTTP 500 Internal Server Error, token expired (soap.invalid_session)
//   call 2 and after: history #12, attempt 2: HTTP 200 OK
// Left out, as they described the connection and not the answer: Date, Content-Length, Connection, X-Hop, Set-Cookie, Transfer-Encoding, Content-Encoding.
// `calls` counts the callouts answered, so a test can check the code retried:
//   SessionExpiryMock mock = new SessionExpiryMock();
//   Test.setMock(HttpCalloutMock.class, mock);
//   // ... run the code under test ...
//   Assert.areEqual(2, mock.calls);
// In a test the mock answers before any Named Credential would: Salesforce
// refreshes no token there, so every retry the mock sees is the code's own.
@isTest
public class SessionExpiryMock implements HttpCalloutMock {
    public Integer calls = 0;

    public HttpResponse respond(HttpRequest req) {
        calls++;
        if (calls == 1) {
            return response1();
        }
        return response2();
    }

    // history #12, attempt 1: HTTP 500 Internal Server Error, token expired (soap.invalid_session)
    private static HttpResponse response1() {
        HttpResponse res = new HttpResponse();
        res.setStatusCode(500);
        res.setStatus('…');
        res.setHeader('…', '…');
        res.setHeader('…', '…');
        res.setBody(body1());
        return res;
    }

    private static String body1() {
        return '…';
    }

    // history #12, attempt 2: HTTP 200 OK
    private static HttpResponse response2() {
        HttpResponse res = new HttpResponse();
        res.setStatusCode(200);
        res.setStatus('…');
        res.setHeader('…', '…');
        res.setBody(body2());
        return res;
    }

    private static String body2() {
        return '…';
    }
}
"
        );
        assert_eq!(body_of(&tokens, 1), SESSION_FAULT);
        assert_eq!(body_of(&tokens, 2), QUERY_RESPONSE);
        assert_eq!(
            literals_of(&tokens, "response1"),
            [
                "Internal Server Error",
                "Content-Type",
                "text/xml;charset=UTF-8",
                "Vary",
                "Accept-Encoding, Origin",
            ]
        );
        assert_eq!(
            literals_of(&tokens, "response2"),
            ["OK", "Content-Type", "text/xml;charset=UTF-8"]
        );
        assert!(class.contains("<sf:Name>O\\'Brien &amp; Sons</sf:Name>"));
    }

    /// A REST body with every character that could end a literal or a
    /// comment, or read as something else, long enough to be cut.
    fn hostile_json() -> String {
        let item = "{\"name\":\"O'Brien \\\"the\\\\one\\\"\",\"city\":\"Zürich 中 😀\",\
                    \"memo\":\"line one\r\nline two */ /* // \\u000a \u{2028} \u{2029} \
                    \u{202e}gpj.exe \u{0} \u{85}\",\"tab\":\"a\tb\"}";
        let items: Vec<&str> = std::iter::repeat_n(item, 40).collect();
        format!("[{}]\r\n", items.join(",\r\n"))
    }

    #[test]
    fn every_character_of_a_hostile_body_survives_and_none_breaks_out() {
        let body = hostile_json();
        let responses = [Recorded {
            status: 401,
            headers: vec![
                Header::new("Content-Type", "application/json;charset=UTF-8"),
                Header::new("X-Note", "it's \\ a\u{2028}b */"),
            ],
            body: body.clone(),
            note: "history #3\n}System.debug('escaped');/* */ \u{2028}".into(),
        }];
        let class = http_callout_mock("Rest_Mock_2", &responses).unwrap();
        let tokens = lex(&class);
        assert_eq!(body_of(&tokens, 1), body, "the body comes back exact");
        let literals = literals_of(&tokens, "body1");
        assert!(literals.len() > 5, "{} literals", literals.len());
        assert_eq!(
            literals_of(&tokens, "response1"),
            [
                "Unauthorized",
                "Content-Type",
                "application/json;charset=UTF-8",
                "X-Note",
                "it's \\ a\u{2028}b */",
            ]
        );
        // Every literal as written holds at most 1000 characters, and most
        // end a line of the body.
        let written: Vec<&str> = class
            .lines()
            .filter_map(|line| {
                let line = line.trim_start();
                let line = line.strip_prefix("+ ").or(line.strip_prefix("return "))?;
                line.starts_with('\'').then(|| line.trim_end_matches(';'))
            })
            .collect();
        assert_eq!(written.len(), literals.len());
        for literal in &written {
            let inner = literal.chars().count() - 2;
            assert!(inner <= MAX_LITERAL_CHARS, "{inner} characters");
        }
        let line_ends = literals.iter().filter(|text| text.ends_with('\n')).count();
        assert!(
            line_ends * 2 > literals.len(),
            "{line_ends} of {}",
            literals.len()
        );
        // The hostile note stays inside its comments; the code is only ours.
        let skeleton = skeleton(&tokens);
        let code: Vec<&str> = skeleton
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with("//"))
            .collect();
        assert!(
            !code.iter().any(|line| line.contains("System.debug")),
            "{skeleton}"
        );
        assert_eq!(
            skeleton.matches("System.debug").count(),
            2,
            "the note, twice"
        );
        let expected_head = [
            "@isTest",
            "public class Rest_Mock_2 implements HttpCalloutMock {",
            "public Integer calls = 0;",
            "",
            "public HttpResponse respond(HttpRequest req) {",
            "calls++;",
            "return response1();",
            "}",
            "",
            "private static HttpResponse response1() {",
            "HttpResponse res = new HttpResponse();",
            "res.setStatusCode(401);",
            "res.setStatus('…');",
            "res.setHeader('…', '…');",
            "res.setHeader('…', '…');",
            "res.setBody(body1());",
            "return res;",
            "}",
            "",
            "private static String body1() {",
            "return '…'",
        ];
        assert_eq!(code[..expected_head.len()], expected_head);
        let rest = &code[expected_head.len()..];
        let (pluses, end) = rest.split_at(rest.len() - 3);
        assert!(pluses.iter().all(|line| *line == "+ '…'"), "{rest:?}");
        assert_eq!(end, ["+ '…';", "}", "}"]);
        assert!(class.contains(
            "// history #3\\n}System.debug('escaped');/* */ \\u2028\n    private static"
        ));
    }

    #[test]
    fn one_response_is_answered_every_time() {
        let responses = [Recorded {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
            note: "history #4, attempt 1: HTTP 204 No Content".into(),
        }];
        let class = http_callout_mock("NoContentMock", &responses).unwrap();
        let tokens = lex(&class);
        assert!(class.contains("//   every call: history #4, attempt 1: HTTP 204 No Content\n"));
        assert!(class.contains("        calls++;\n        return response1();\n    }\n"));
        assert!(!class.contains("Left out"));
        assert_eq!(literals_of(&tokens, "body1"), [""]);
        assert_eq!(literals_of(&tokens, "response1"), ["No Content"]);
    }

    #[test]
    fn a_status_without_a_standard_reason_sets_none() {
        let responses = [Recorded {
            status: 599,
            headers: Vec::new(),
            body: "x".into(),
            note: "history #5".into(),
        }];
        let class = http_callout_mock("OddMock", &responses).unwrap();
        assert!(class.contains("res.setStatusCode(599);\n        res.setBody(body1());"));
    }

    #[test]
    fn invalid_class_names_are_refused_with_the_reason() {
        let one = [Recorded {
            status: 200,
            headers: Vec::new(),
            body: "{}".into(),
            note: "history #1".into(),
        }];
        let rules = "letters, digits and underscores, starting with a letter";
        let cases = [
            ("", format!("the class name is empty: use {rules}")),
            (
                "1Mock",
                format!("the class name \"1Mock\" must start with a letter ({rules})"),
            ),
            (
                "_Mock",
                format!("the class name \"_Mock\" must start with a letter ({rules})"),
            ),
            (
                "My-Mock",
                format!("the class name \"My-Mock\" holds \"-\": use {rules}"),
            ),
            (
                "My Mock",
                format!("the class name \"My Mock\" holds \" \": use {rules}"),
            ),
            (
                "Mock\n{",
                format!("the class name \"Mock\\n{{\" holds \"\\n\": use {rules}"),
            ),
            (
                "Mocké",
                format!("the class name \"Mocké\" holds \"é\": use {rules}"),
            ),
            (
                "My__Mock",
                "the class name \"My__Mock\" holds two underscores in a row, which Salesforce \
                 keeps for namespaces"
                    .into(),
            ),
            (
                "MyMock_",
                "the class name \"MyMock_\" ends with an underscore, which Salesforce refuses"
                    .into(),
            ),
            (
                "Class",
                "the class name \"Class\" is a word Apex reserves: choose another".into(),
            ),
            (
                "TRIGGER",
                "the class name \"TRIGGER\" is a word Apex reserves: choose another".into(),
            ),
            (
                "HttpResponse",
                "the class name \"HttpResponse\" is the name of a type the mock class uses: \
                 choose another"
                    .into(),
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(
                http_callout_mock(name, &one).unwrap_err().to_string(),
                format!("cannot export the request as an Apex test mock: {expected}"),
                "{name:?}"
            );
        }
        let longest = format!("A{}", "b".repeat(39));
        assert!(http_callout_mock(&longest, &one).is_ok());
        let long = format!("A{}", "b".repeat(40));
        assert_eq!(
            http_callout_mock(&long, &one).unwrap_err().to_string(),
            format!(
                "cannot export the request as an Apex test mock: the class name \"{long}\" is 41 \
                 characters long; Salesforce allows 40"
            )
        );
        assert_eq!(
            http_callout_mock("EmptyMock", &[]).unwrap_err().to_string(),
            "cannot export the request as an Apex test mock: there is no response to answer with"
        );
    }

    #[test]
    fn a_class_beyond_salesforces_size_is_refused_and_a_body_beyond_any_callout_too() {
        let big = |bytes: usize| Recorded {
            status: 200,
            headers: Vec::new(),
            body: "a".repeat(bytes),
            note: "history #9".into(),
        };
        assert!(http_callout_mock("NearlyFull", &[big(980_000)]).is_ok());
        assert_eq!(
            http_callout_mock("TooBig", &[big(1_000_000)])
                .unwrap_err()
                .to_string(),
            "cannot export the request as an Apex test mock: the class would be 1017836 \
             characters long, more than the 1000000 Salesforce allows a class: mock these \
             responses with static resources (StaticResourceCalloutMock) instead"
        );
        assert_eq!(
            http_callout_mock("Huge", &[big(200), big(12_000_001)])
                .unwrap_err()
                .to_string(),
            "cannot export the request as an Apex test mock: response 2's body is 12000001 \
             bytes: no Apex callout receives more than 12000000 bytes (12 MB asynchronously, \
             6 MB synchronously), so no test can meet it"
        );
    }

    fn received(status: u16, headers: Vec<Header>, body: &str) -> Received {
        Received {
            status,
            headers,
            body: ResponseBody(body.as_bytes().to_vec()),
            truncated: false,
            elapsed_ms: 40,
        }
    }

    fn display(body: &str) -> DisplayRequest {
        DisplayRequest {
            method: "POST".into(),
            url: "https://acme.my.salesforce.com/services/Soap/u/60.0".into(),
            headers: vec![Header::new("Content-Type", "text/xml; charset=UTF-8")],
            body: Some(body.into()),
        }
    }

    fn sent(number: u32, response: Received) -> Attempt {
        let verdict =
            Detector::default().verdict(response.status, &response.headers, response.body.bytes());
        Attempt::Sent {
            number,
            request: display("<soapenv:Envelope>...</soapenv:Envelope>"),
            status: response.status,
            duration_ms: response.elapsed_ms,
            verdict,
            response,
        }
    }

    /// A send that met the session fault, refreshed and got its answer,
    /// kept by a real history and read back.
    fn kept_send(fault: Received, answer: Received) -> Kept {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open_at(&dir.path().join("history.sqlite3")).unwrap();
        let last_verdict =
            Detector::default().verdict(answer.status, &answer.headers, answer.body.bytes());
        let report = Report {
            request: display("<soapenv:Envelope>...</soapenv:Envelope>"),
            lint: Vec::new(),
            response: answer.clone(),
            verdict: last_verdict,
            attempts: vec![
                sent(1, fault),
                Attempt::Refreshed {
                    credential: "Acme".into(),
                    trigger: Some("soap.invalid_session".into()),
                    already_refreshed: false,
                    not_stored: None,
                },
                sent(2, answer),
            ],
        };
        let draft = Draft::new("POST", "callout:Acme/services/Soap/u/60.0");
        let id = history
            .record(
                &draft,
                &report,
                &Label::default(),
                SystemTime::now(),
                Duration::from_millis(90),
                DEFAULT_KEEP,
            )
            .unwrap();
        history.get(id).unwrap()
    }

    #[test]
    fn a_kept_send_gives_its_fault_and_answer_in_order_or_its_last_answer() {
        let fault = received(500, soap_headers(), SESSION_FAULT);
        let answer = received(
            200,
            vec![Header::new("Content-Type", "text/xml;charset=UTF-8")],
            QUERY_RESPONSE,
        );
        let kept = kept_send(fault, answer);
        let id = kept.sent.id;
        let all = recorded_from_history(&kept, true).unwrap();
        assert_eq!(
            all,
            [
                Recorded {
                    status: 500,
                    headers: soap_headers(),
                    body: SESSION_FAULT.into(),
                    note: format!(
                        "history #{id}, attempt 1: HTTP 500 Internal Server Error, token \
                         expired (soap.invalid_session)"
                    ),
                },
                Recorded {
                    status: 200,
                    headers: vec![Header::new("Content-Type", "text/xml;charset=UTF-8")],
                    body: QUERY_RESPONSE.into(),
                    note: format!("history #{id}, attempt 2: HTTP 200 OK"),
                },
            ]
        );
        let last = recorded_from_history(&kept, false).unwrap();
        assert_eq!(last, all[1..]);

        // And the mock made of it answers the fault, then the answer.
        let class = http_callout_mock("AcmeSessionMock", &all).unwrap();
        let tokens = lex(&class);
        assert_eq!(body_of(&tokens, 1), SESSION_FAULT);
        assert_eq!(body_of(&tokens, 2), QUERY_RESPONSE);
        assert!(class.contains("        if (calls == 1) {\n            return response1();"));
    }

    #[test]
    fn a_response_header_the_history_withheld_is_left_out_and_named() {
        let fault = received(500, soap_headers(), SESSION_FAULT);
        let mut headers = vec![Header::new("Content-Type", "application/json")];
        headers.push(Header::new("X-Api-Key", "k-123"));
        let kept = kept_send(fault, received(200, headers, "{}"));
        let last = recorded_from_history(&kept, false).unwrap();
        assert_eq!(
            last[0].headers,
            [Header::new("Content-Type", "application/json")]
        );
        assert!(
            last[0]
                .note
                .ends_with("(left out: X-Api-Key, whose value the history does not keep)"),
            "{}",
            last[0].note
        );
        let class = http_callout_mock("KeyMock", &last).unwrap();
        assert!(
            !class.contains("not kept") && !class.contains("k-123"),
            "{class}"
        );
    }

    #[test]
    fn a_kept_send_without_attempts_gives_its_response() {
        let kept = Kept {
            sent: crate::history::Sent {
                id: 7,
                at_ms: 0,
                request: None,
                environment: None,
                method: "GET".into(),
                url: "https://x.test".into(),
                status: 401,
                duration_ms: 1,
            },
            report: serde_json::json!({
                "response": {"status": 401, "headers": [], "body": "[]", "truncated": false},
                "verdict": {"expired": true, "rule": "http.401"},
                "attempts": [],
            }),
        };
        let recorded = recorded_from_history(&kept, true).unwrap();
        assert_eq!(recorded.len(), 1);
        assert_eq!(
            recorded[0].note,
            "history #7: HTTP 401 Unauthorized, token expired (http.401)"
        );
        let broken = Kept {
            report: serde_json::json!({"attempts": "no"}),
            ..kept
        };
        assert!(
            recorded_from_history(&broken, true)
                .unwrap_err()
                .to_string()
                .starts_with(
                    "cannot export the request as an Apex test mock: history #7 is unreadable"
                )
        );
    }

    #[test]
    fn a_body_cut_by_the_history_or_the_sender_is_refused() {
        let long = format!("[{}]", "\"x\",".repeat(MAX_BODY / 4));
        let fault = received(500, soap_headers(), SESSION_FAULT);
        let answer = received(200, Vec::new(), &long);
        let kept = kept_send(fault.clone(), answer);
        let id = kept.sent.id;
        let expected = format!(
            "cannot export the request as an Apex test mock: history #{id}, attempt 2: the \
             history kept only the first 256 KiB of the response body, and a mock of a cut body \
             would lie; send the request again and mock that"
        );
        assert_eq!(
            recorded_from_history(&kept, true).unwrap_err().to_string(),
            expected
        );
        assert_eq!(
            recorded_from_history(&kept, false).unwrap_err().to_string(),
            expected
        );

        let mut cut = received(200, Vec::new(), "[1,2,");
        cut.truncated = true;
        let kept = kept_send(fault, cut);
        let id = kept.sent.id;
        assert_eq!(
            recorded_from_history(&kept, false).unwrap_err().to_string(),
            format!(
                "cannot export the request as an Apex test mock: history #{id}, attempt 2: the \
                 response body was cut at 32 MiB when it arrived, and a mock of a cut body would \
                 lie"
            )
        );
    }

    #[test]
    fn static_resources_hold_each_body_and_describe_it() {
        let mut responses = session_sequence();
        responses.push(Recorded {
            status: 200,
            headers: vec![Header::new("content-type", "Application/JSON")],
            body: hostile_json(),
            note: "history #13 <a & \"b\">\n".into(),
        });
        responses.push(Recorded {
            status: 200,
            headers: vec![Header::new("Content-Type", "not a type")],
            body: " {\"a\":1}".into(),
            note: String::new(),
        });
        let files = static_resources("Acme_Session", &responses).unwrap();
        let dir = "force-app/main/default/staticresources";
        let paths: Vec<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("{dir}/Acme_Session_1.resource"),
                format!("{dir}/Acme_Session_1.resource-meta.xml"),
                format!("{dir}/Acme_Session_2.resource"),
                format!("{dir}/Acme_Session_2.resource-meta.xml"),
                format!("{dir}/Acme_Session_3.resource"),
                format!("{dir}/Acme_Session_3.resource-meta.xml"),
                format!("{dir}/Acme_Session_4.resource"),
                format!("{dir}/Acme_Session_4.resource-meta.xml"),
            ]
        );
        assert_eq!(files[0].1, SESSION_FAULT);
        assert_eq!(files[2].1, QUERY_RESPONSE);
        assert_eq!(files[4].1, hostile_json());
        assert_eq!(
            files[1].1,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <cacheControl>Private</cacheControl>
    <contentType>text/xml</contentType>
    <description>history #12, attempt 1: HTTP 500 Internal Server Error, token expired (soap.invalid_session)</description>
</StaticResource>
"
        );
        assert!(files[5].1.contains(
            "    <contentType>application/json</contentType>\n    \
             <description>history #13 &lt;a &amp; &quot;b&quot;&gt;</description>\n"
        ));
        assert_eq!(
            files[7].1,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <cacheControl>Private</cacheControl>
    <contentType>application/json</contentType>
</StaticResource>
"
        );
        // Each meta file is well-formed XML in the metadata namespace.
        for (_, xml) in files.iter().skip(1).step_by(2) {
            let document = roxmltree::Document::parse(xml).unwrap();
            let root = document.root_element();
            assert_eq!(root.tag_name().name(), "StaticResource");
            assert_eq!(
                root.tag_name().namespace(),
                Some("http://soap.sforce.com/2006/04/metadata")
            );
        }
    }

    #[test]
    fn static_resource_names_and_sizes_are_checked() {
        let one = |bytes: usize| Recorded {
            status: 200,
            headers: Vec::new(),
            body: "a".repeat(bytes),
            note: String::new(),
        };
        let refused = |name: &str, responses: &[Recorded]| {
            static_resources(name, responses).unwrap_err().to_string()
        };
        assert_eq!(
            refused("Acme-Session", &[one(1)]),
            "cannot export the request as static resources: the static resource name \
             \"Acme-Session\" holds \"-\": use letters, digits and underscores, starting with a \
             letter"
        );
        assert_eq!(
            refused("Acme_", &[one(1)]),
            "cannot export the request as static resources: the static resource name \"Acme_\" \
             ends with an underscore, which Salesforce refuses"
        );
        assert_eq!(
            refused("Acme", &[]),
            "cannot export the request as static resources: there is no response to keep"
        );
        let long = format!("A{}", "b".repeat(252));
        assert!(static_resources(&long, &[one(1)]).is_ok());
        assert_eq!(
            refused(
                &long,
                &[
                    one(1),
                    one(1),
                    one(1),
                    one(1),
                    one(1),
                    one(1),
                    one(1),
                    one(1),
                    one(1),
                    one(1)
                ]
            ),
            format!(
                "cannot export the request as static resources: the static resource name \
                 \"{long}_10\" would be 256 characters long; Salesforce allows 255"
            )
        );
        assert!(static_resources("Big", &[one(MAX_STATIC_RESOURCE_BYTES)]).is_ok());
        assert_eq!(
            refused("Big", &[one(1), one(MAX_STATIC_RESOURCE_BYTES + 1)]),
            "cannot export the request as static resources: response 2's body is 5242881 \
             bytes, more than the 5242880 bytes (5 MB) Salesforce allows a static resource"
        );
        assert!(static_resource_snippet("Bad Name", &[one(1)]).is_err());
    }

    #[test]
    fn the_snippet_sets_up_one_static_resource_mock_per_response() {
        let snippet = static_resource_snippet("Acme_Session", &session_sequence()).unwrap();
        let tokens = lex(&snippet);
        assert_eq!(
            skeleton(&tokens),
            "\
// One StaticResourceCalloutMock per recorded response (static resources Acme_Session_1 to Acme_Session_2).
// Each answers every callout alike: give one to a test with
//   Test.setMock(HttpCalloutMock.class, mock1);
// Static-resource mocks cannot answer a sequence: a MultiStaticResourceCalloutMock
// picks the resource by endpoint (mock.setStaticResource(endpoint, 'Acme_Session_1'))
// and gives every endpoint the same status code and headers. For a retry on one
// endpoint (a session fault, then the answer), use an HttpCalloutMock class.

// history #12, attempt 1: HTTP 500 Internal Server Error, token expired (soap.invalid_session)
StaticResourceCalloutMock mock1 = new StaticResourceCalloutMock();
mock1.setStaticResource('…');
mock1.setStatusCode(500);
mock1.setStatus('…');
mock1.setHeader('…', '…');
mock1.setHeader('…', '…');

// history #12, attempt 2: HTTP 200 OK
StaticResourceCalloutMock mock2 = new StaticResourceCalloutMock();
mock2.setStaticResource('…');
mock2.setStatusCode(200);
mock2.setStatus('…');
mock2.setHeader('…', '…');
"
        );
        let literals: Vec<&str> = tokens
            .iter()
            .filter_map(|token| match token {
                Token::Literal(text) => Some(text.as_str()),
                Token::Code(_) => None,
            })
            .collect();
        assert_eq!(
            literals,
            [
                "Acme_Session_1",
                "Internal Server Error",
                "Content-Type",
                "text/xml;charset=UTF-8",
                "Vary",
                "Accept-Encoding, Origin",
                "Acme_Session_2",
                "OK",
                "Content-Type",
                "text/xml;charset=UTF-8",
            ]
        );

        let single = static_resource_snippet("Accounts", &session_sequence()[1..]).unwrap();
        assert_eq!(
            single,
            "// A StaticResourceCalloutMock answering every callout with static resource \
             Accounts_1.
// history #12, attempt 2: HTTP 200 OK
StaticResourceCalloutMock mock = new StaticResourceCalloutMock();
mock.setStaticResource('Accounts_1');
mock.setStatusCode(200);
mock.setStatus('OK');
mock.setHeader('Content-Type', 'text/xml;charset=UTF-8');
Test.setMock(HttpCalloutMock.class, mock);
"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_body_comes_back_exact(
            body in "[\\x00-\\x7f\\u{80}-\\u{9f}\\u{2028}\\u{2029}\\u{202a}-\\u{202e}\\u{feff}é😀]{0,3000}"
        ) {
            let literals = body_literals(&body);
            let source = literals.join("\n+ ");
            let tokens = lex(&source);
            let decoded: String = tokens
                .iter()
                .filter_map(|token| match token {
                    Token::Literal(text) => Some(text.as_str()),
                    Token::Code(_) => None,
                })
                .collect();
            proptest::prop_assert_eq!(decoded, body);
            for literal in &literals {
                proptest::prop_assert!(literal.chars().count() - 2 <= MAX_LITERAL_CHARS);
            }
        }
    }
}
