//! Reading a response body for detection: undo `Content-Encoding` (bounded),
//! decode the text, and tell XML from JSON from HTML. Also pretty-printing for
//! display.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};
use quick_xml::Writer;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::http::{Header, header_value};

/// The most decompressed bytes the detector looks at.
pub(crate) const MAX_DECODED_BYTES: usize = 16 * 1024 * 1024;

/// The largest body parsed as JSON; API error bodies are far smaller.
pub(crate) const MAX_JSON_BYTES: usize = 1024 * 1024;

/// What a body looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Empty,
    Xml,
    Json,
    Html,
    Text,
}

/// A body ready for the rules: its text, its kind, and what got in the way of
/// reading it, if anything (one clause, e.g. "the gzip body is corrupt").
#[derive(Debug, Clone)]
pub(crate) struct Body<'a> {
    pub text: Cow<'a, str>,
    pub kind: Kind,
    pub problem: Option<String>,
}

/// Decodes `raw` according to the response headers. Never fails: what could
/// not be read is described in [`Body::problem`].
pub(crate) fn read<'a>(headers: &[Header], raw: &'a [u8]) -> Body<'a> {
    let (bytes, mut problem) = decompress(headers, raw);
    let (text, text_problem) = decode_text(headers, bytes);
    problem = problem.or(text_problem);
    let kind = kind_of(headers, &text);
    Body {
        text,
        kind,
        problem,
    }
}

/// Undoes the Content-Encoding codings (last applied first), up to
/// [`MAX_DECODED_BYTES`].
fn decompress<'a>(headers: &[Header], raw: &'a [u8]) -> (Cow<'a, [u8]>, Option<String>) {
    let Some(encoding) = header_value(headers, "content-encoding") else {
        return bounded(raw);
    };
    let codings: Vec<String> = encoding
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    let mut bytes: Cow<'a, [u8]> = Cow::Borrowed(raw);
    for coding in codings.iter().rev() {
        let limit = (MAX_DECODED_BYTES + 1) as u64;
        let mut out = Vec::new();
        let result = match coding.as_str() {
            "gzip" | "x-gzip" => GzDecoder::new(&bytes[..]).take(limit).read_to_end(&mut out),
            "br" => brotli::Decompressor::new(&bytes[..], 4096)
                .take(limit)
                .read_to_end(&mut out),
            "deflate" => {
                // "deflate" is zlib-wrapped by the spec, raw by some servers.
                let zlib = ZlibDecoder::new(&bytes[..])
                    .take(limit)
                    .read_to_end(&mut out);
                if zlib.is_err() {
                    out.clear();
                    DeflateDecoder::new(&bytes[..])
                        .take(limit)
                        .read_to_end(&mut out)
                } else {
                    zlib
                }
            }
            other => {
                return (
                    Cow::Borrowed(&[]),
                    Some(format!(
                        "the body is encoded as \"{other}\", which cannot be decoded here"
                    )),
                );
            }
        };
        if let Err(error) = result {
            return (
                Cow::Borrowed(&[]),
                Some(format!(
                    "the body is marked Content-Encoding: {coding} but could not be \
                     decompressed ({error})"
                )),
            );
        }
        if out.len() > MAX_DECODED_BYTES {
            out.truncate(MAX_DECODED_BYTES);
            return (Cow::Owned(out), Some(truncated_note()));
        }
        bytes = Cow::Owned(out);
    }
    match bytes {
        Cow::Borrowed(raw) => bounded(raw),
        owned => (owned, None),
    }
}

fn bounded(raw: &[u8]) -> (Cow<'_, [u8]>, Option<String>) {
    if raw.len() > MAX_DECODED_BYTES {
        (
            Cow::Borrowed(&raw[..MAX_DECODED_BYTES]),
            Some(truncated_note()),
        )
    } else {
        (Cow::Borrowed(raw), None)
    }
}

fn truncated_note() -> String {
    format!(
        "only the first {} MiB of the body were examined",
        MAX_DECODED_BYTES / (1024 * 1024)
    )
}

/// UTF-8 (or Latin-1 when the Content-Type says so); invalid bytes are
/// replaced and noted.
fn decode_text<'a>(headers: &[Header], bytes: Cow<'a, [u8]>) -> (Cow<'a, str>, Option<String>) {
    let latin1 = header_value(headers, "content-type").is_some_and(|value| {
        let value = value.to_ascii_lowercase();
        ["iso-8859-1", "latin1", "windows-1252"]
            .iter()
            .any(|charset| value.contains(charset))
    });
    if latin1 {
        return (
            Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            None,
        );
    }
    match bytes {
        // The strict check first: it is several times faster than the lossy
        // one on a body that is valid, which is nearly every body.
        Cow::Borrowed(raw) => match std::str::from_utf8(raw) {
            Ok(text) => (Cow::Borrowed(text), None),
            Err(_) => (
                Cow::Owned(String::from_utf8_lossy(raw).into_owned()),
                Some(not_utf8_note()),
            ),
        },
        Cow::Owned(raw) => match String::from_utf8(raw) {
            Ok(text) => (Cow::Owned(text), None),
            Err(error) => (
                Cow::Owned(String::from_utf8_lossy(error.as_bytes()).into_owned()),
                Some(not_utf8_note()),
            ),
        },
    }
}

fn not_utf8_note() -> String {
    "the body is not valid UTF-8 text".to_string()
}

/// The body's first significant character decides; the Content-Type breaks
/// ties (a JSON Content-Type on an HTML page is believed less than the page).
fn kind_of(headers: &[Header], text: &str) -> Kind {
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if start.is_empty() {
        return Kind::Empty;
    }
    let head: String = start
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with('<') {
        return if head.starts_with("<!doctype html") || head.starts_with("<html") {
            Kind::Html
        } else {
            Kind::Xml
        };
    }
    if head.starts_with('{') || head.starts_with('[') {
        return Kind::Json;
    }
    let content_type = header_value(headers, "content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.contains("html") {
        Kind::Html
    } else {
        Kind::Text
    }
}

/// The body re-indented for reading, when it is JSON or XML that parses;
/// `None` otherwise (show it as it came).
pub fn pretty(headers: &[Header], raw: &[u8]) -> Option<String> {
    let body = read(headers, raw);
    if body.problem.is_some() {
        return None;
    }
    match body.kind {
        Kind::Json if body.text.len() <= MAX_JSON_BYTES => {
            let value: serde_json::Value = serde_json::from_str(&body.text).ok()?;
            serde_json::to_string_pretty(&value).ok()
        }
        Kind::Xml => pretty_xml(&body.text),
        _ => None,
    }
}

fn pretty_xml(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    loop {
        match reader.read_event().ok()? {
            Event::Eof => break,
            event => writer.write_event(event).ok()?,
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_bodies_are_decompressed() {
        let headers = [Header::new("Content-Encoding", "gzip")];
        let raw = gzip(br#"{"a":1}"#);
        let body = read(&headers, &raw);
        assert_eq!(body.text, r#"{"a":1}"#);
        assert_eq!(body.kind, Kind::Json);
        assert_eq!(body.problem, None);
    }

    fn brotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        encoder.write_all(data).unwrap();
        drop(encoder);
        out
    }

    #[test]
    fn brotli_bodies_are_decompressed_in_the_order_applied() {
        let headers = [Header::new("Content-Encoding", "br")];
        let raw = brotli(br#"{"error":"invalid_token"}"#);
        let body = read(&headers, &raw);
        assert_eq!(body.text, r#"{"error":"invalid_token"}"#);
        assert_eq!(body.kind, Kind::Json);
        // Two codings: gzip applied first, then br, so br is undone first.
        let headers = [Header::new("Content-Encoding", "gzip, br")];
        let raw = brotli(&gzip(b"<html><title>Expired</title></html>"));
        let body = read(&headers, &raw);
        assert_eq!(body.problem, None);
        assert!(body.text.contains("Expired"), "{}", body.text);
        let corrupt = read(
            &[Header::new("Content-Encoding", "br")],
            b"not brotli at all",
        );
        let problem = corrupt.problem.unwrap();
        assert!(
            problem.starts_with(
                "the body is marked Content-Encoding: br but could not be decompressed"
            ),
            "{problem}"
        );
    }

    #[test]
    fn corrupt_gzip_is_described() {
        let headers = [Header::new("Content-Encoding", "gzip")];
        let body = read(&headers, b"definitely not gzip");
        assert_eq!(body.kind, Kind::Empty);
        let problem = body.problem.unwrap();
        assert!(
            problem.starts_with(
                "the body is marked Content-Encoding: gzip but could not be decompressed"
            ),
            "{problem}"
        );
    }

    #[test]
    fn kinds_are_sniffed_from_the_body() {
        let json = [Header::new("Content-Type", "application/json")];
        assert_eq!(read(&json, b"<!DOCTYPE html><p>").kind, Kind::Html);
        assert_eq!(read(&[], b"  <?xml version='1.0'?><a/>").kind, Kind::Xml);
        assert_eq!(read(&[], b"[1]").kind, Kind::Json);
        assert_eq!(read(&[], b"   ").kind, Kind::Empty);
        assert_eq!(read(&[], b"plain").kind, Kind::Text);
    }

    #[test]
    fn pretty_prints_json_and_xml() {
        assert_eq!(
            pretty(&[], br#"{"a":[1]}"#).unwrap(),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
        assert_eq!(
            pretty(&[], b"<a><b>x</b></a>").unwrap(),
            "<a>\n  <b>x</b>\n</a>"
        );
        assert_eq!(pretty(&[], b"<a><b></a>"), None);
        assert_eq!(pretty(&[], b"plain"), None);
    }
}
