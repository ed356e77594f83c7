//! curl in and out.
//!
//! [`import`] reads a pasted curl command (as browsers' "Copy as cURL" and API
//! docs write them) into a [`Draft`], and says what it left out. [`export`]
//! writes a draft as a curl command a terminal can run: a `callout:` URL is
//! resolved against its credential, and the token never appears — it is
//! `$CALLOUT_TOKEN`, filled by `callout token NAME` on the first line.

use std::path::Path;

use base64::Engine as _;

use super::shell::{self, Piece, Word};
use crate::credential::{Credential, CredentialSet};
use crate::endpoint::Call;
use crate::http::{Draft, Header};
use crate::merge::{self, Location, MergeField, Segment};
use crate::{Error, Result};

/// A draft read from a curl command, and what of the command it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub draft: Draft,
    /// One sentence per option that was understood but has no effect here.
    pub notes: Vec<String>,
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: "curl command",
        detail: detail.into(),
    }
}

/// Options that change nothing about the request itself.
const IGNORED_FLAGS: [(&str, &str); 14] = [
    ("-s", "--silent"),
    ("-S", "--show-error"),
    ("-L", "--location"),
    ("-i", "--include"),
    ("-v", "--verbose"),
    ("-f", "--fail"),
    ("-N", "--no-buffer"),
    ("-#", "--progress-bar"),
    ("", "--compressed"),
    ("", "--fail-with-body"),
    ("", "--http1.1"),
    ("", "--http2"),
    ("", "--globoff"),
    ("-g", "--globoff"),
];

/// Options with a value that change nothing about the request itself.
const IGNORED_WITH_VALUE: [(&str, &str); 5] = [
    ("-o", "--output"),
    ("-m", "--max-time"),
    ("", "--connect-timeout"),
    ("", "--retry"),
    ("-w", "--write-out"),
];

const UNDERSTOOD: &str = "-X, -H, -d, --data-raw, --data-binary, --data-urlencode, --json, -u, \
                          -G, -I, -A, -e, -b, --url, and output/transport flags such as -s, -L, \
                          --compressed";

/// How a piece of data was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataKind {
    /// `-d`, `--data`, `--data-ascii`: `@file` is read with newlines removed.
    Ascii,
    /// `--data-binary`: `@file` is read as is.
    Binary,
    /// `--data-raw`: no `@` handling.
    Raw,
    /// `--data-urlencode`: `name=content` with content percent-encoded.
    UrlEncode,
    /// `--json`: like `--data-binary`, plus JSON headers.
    Json,
}

/// Reads a curl command. `read_file` opens what `-d @FILE` names (relative
/// paths as the caller sees fit).
pub fn import(
    command: &str,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Imported> {
    let words = shell::split(command.trim())?;
    let mut words = words.into_iter().peekable();
    match words.next() {
        Some(word) if word.text == "curl" || word.text.ends_with("/curl") => {}
        Some(word) => {
            return Err(refuse(format!(
                "it should start with curl, not \"{}\"",
                word.text.escape_debug()
            )));
        }
        None => return Err(refuse("it is empty")),
    }
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut headers: Vec<Header> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut json = false;
    let mut get = false;
    let mut head = false;
    let mut notes = Vec::new();
    let mut pending: Vec<Word> = Vec::new();
    let mut only_urls = false;

    loop {
        let word = match pending.pop() {
            Some(word) => word,
            None => match words.next() {
                Some(word) => word,
                None => break,
            },
        };
        let text = word.text.clone();
        if only_urls || !text.starts_with('-') || text == "-" {
            set_url(&mut url, text)?;
            continue;
        }
        if text == "--" {
            only_urls = true;
            continue;
        }
        // -XPOST, -H'A: b', -sSL: short options joined to a value or to each other.
        let (option, attached) = split_short(&text);
        if let Some(rest) = attached {
            if takes_value(&option) {
                pending.push(Word {
                    text: rest,
                    at: word.at,
                });
            } else {
                pending.push(Word {
                    text: format!("-{rest}"),
                    at: word.at,
                });
            }
        }
        let mut value = |name: &str| -> Result<String> {
            match pending.pop().or_else(|| words.next()) {
                Some(word) => Ok(word.text),
                None => Err(refuse(format!("{name} needs a value"))),
            }
        };
        match option.as_str() {
            "-X" | "--request" => method = Some(value(&option)?.to_ascii_uppercase()),
            "-H" | "--header" => {
                let line = value(&option)?;
                if line.starts_with('@') {
                    return Err(refuse(format!(
                        "-H {} reads headers from a file, which is not imported; paste them \
                         as -H 'Name: value'",
                        line.escape_debug()
                    )));
                }
                headers.push(Header::parse(&line)?);
            }
            "-d" | "--data" | "--data-ascii" => {
                data.push(read_data(&value(&option)?, DataKind::Ascii, read_file)?);
            }
            "--data-binary" => data.push(read_data(&value(&option)?, DataKind::Binary, read_file)?),
            "--data-raw" => data.push(read_data(&value(&option)?, DataKind::Raw, read_file)?),
            "--data-urlencode" => {
                data.push(read_data(&value(&option)?, DataKind::UrlEncode, read_file)?);
            }
            "--json" => {
                json = true;
                data.push(read_data(&value(&option)?, DataKind::Json, read_file)?);
            }
            "-u" | "--user" => {
                let user = value(&option)?;
                let encoded = base64::engine::general_purpose::STANDARD.encode(user.as_bytes());
                headers.push(Header::new("Authorization", format!("Basic {encoded}")));
                notes.push(
                    "-u became an Authorization: Basic header, password included; a credential \
                     keeps it in the keychain instead"
                        .to_string(),
                );
            }
            "-G" | "--get" => get = true,
            "-I" | "--head" => head = true,
            "-A" | "--user-agent" => headers.push(Header::new("User-Agent", value(&option)?)),
            "-e" | "--referer" => headers.push(Header::new("Referer", value(&option)?)),
            "-b" | "--cookie" => {
                let cookie = value(&option)?;
                if !cookie.contains('=') {
                    return Err(refuse(format!(
                        "-b {} reads cookies from a file, which is not imported; paste \
                         them as -b 'name=value'",
                        cookie.escape_debug()
                    )));
                }
                headers.push(Header::new("Cookie", cookie));
            }
            "--url" => {
                let given = value(&option)?;
                set_url(&mut url, given)?;
            }
            "-k" | "--insecure" => notes.push(
                "-k (skip TLS certificate checks) was left out: Callout Lab always verifies \
                 certificates"
                    .to_string(),
            ),
            other if is_ignored_flag(other) => {}
            other if is_ignored_with_value(other) => {
                value(other)?;
            }
            other => {
                return Err(refuse(format!(
                    "option {} (at character {}) is not understood; Callout Lab imports \
                     {UNDERSTOOD}",
                    other.escape_debug(),
                    word.at + 1
                )));
            }
        }
    }

    let Some(mut url) = url else {
        return Err(refuse("it names no URL"));
    };
    let mut body = (!data.is_empty()).then(|| data.join("&"));
    if get && let Some(query) = body.take() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    if json {
        for (name, value) in [
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ] {
            if !headers.iter().any(|h| h.name.eq_ignore_ascii_case(name)) {
                headers.push(Header::new(name, value));
            }
        }
    }
    let method = method.unwrap_or_else(|| {
        if head {
            "HEAD"
        } else if body.is_some() {
            "POST"
        } else {
            "GET"
        }
        .to_string()
    });
    super::check_request(&method, &url, &headers).map_err(refuse)?;
    Ok(Imported {
        draft: Draft {
            method,
            url,
            headers,
            body,
        },
        notes,
    })
}

fn set_url(url: &mut Option<String>, given: String) -> Result<()> {
    if let Some(first) = url {
        return Err(refuse(format!(
            "it names two URLs (\"{}\" and \"{}\"); import one request at a time",
            first.escape_debug(),
            given.escape_debug()
        )));
    }
    *url = Some(given);
    Ok(())
}

/// `-XPOST` → (`-X`, `POST`); `-sSL` → (`-s`, `SL`); long options and
/// single short options come back whole.
fn split_short(text: &str) -> (String, Option<String>) {
    if text.starts_with("--") || text.chars().count() <= 2 {
        return (text.to_string(), None);
    }
    let mut chars = text.chars();
    chars.next();
    let letter = chars.next().map(String::from).unwrap_or_default();
    (format!("-{letter}"), Some(chars.collect()))
}

fn takes_value(option: &str) -> bool {
    matches!(
        option,
        "-X" | "-H" | "-d" | "-u" | "-A" | "-e" | "-b" | "-o" | "-m" | "-w"
    )
}

fn is_ignored_flag(option: &str) -> bool {
    IGNORED_FLAGS
        .iter()
        .any(|(short, long)| option == *short || option == *long)
}

fn is_ignored_with_value(option: &str) -> bool {
    IGNORED_WITH_VALUE
        .iter()
        .any(|(short, long)| option == *short || option == *long)
}

fn read_data(
    value: &str,
    kind: DataKind,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<String> {
    let from_file = |path: &str| {
        read_file(Path::new(path))
            .map_err(|error| refuse(format!("cannot read the body from @{path}: {error}")))
    };
    match kind {
        DataKind::Raw => Ok(value.to_string()),
        DataKind::Ascii => match value.strip_prefix('@') {
            Some(path) => Ok(from_file(path)?.replace(['\r', '\n'], "")),
            None => Ok(value.to_string()),
        },
        DataKind::Binary | DataKind::Json => match value.strip_prefix('@') {
            Some(path) => from_file(path),
            None => Ok(value.to_string()),
        },
        DataKind::UrlEncode => {
            let (name, content) = match value.split_once('=') {
                Some((name, content)) => (Some(name), content.to_string()),
                None => match value.strip_prefix('@') {
                    Some(path) => (None, from_file(path)?),
                    None => (None, value.to_string()),
                },
            };
            let encoded: String =
                url::form_urlencoded::byte_serialize(content.as_bytes()).collect();
            Ok(match name {
                Some(name) if !name.is_empty() => format!("{name}={encoded}"),
                _ => encoded,
            })
        }
    }
}

/// The shell variable that carries the access token in exported commands.
pub(crate) const TOKEN_VARIABLE: &str = "CALLOUT_TOKEN";

/// Writes `draft` as a curl command. A `callout:NAME` URL is resolved against
/// its credential; token merge fields (and the Authorization header a Named
/// Credential would generate) become `$CALLOUT_TOKEN`, which the first line
/// fills from `callout token NAME`. No secret is ever written out.
pub fn export(draft: &Draft, credentials: &CredentialSet) -> Result<String> {
    let call = Call::resolve(draft, credentials)?;
    let credential = call.credential;
    let url = call.joined_url();
    let mut variables = Variables::default();
    let mut lines: Vec<String> = Vec::new();
    let method = draft.method.trim().to_ascii_uppercase();
    let has_body = draft.body.as_deref().is_some_and(|body| !body.is_empty());
    let default_method = if has_body { "POST" } else { "GET" };
    let url_word =
        shell::quote(&variables.pieces(&merge::parse(&url, &Location::url())?, credential));
    if method == default_method {
        lines.push(format!("curl {url_word}"));
    } else {
        lines.push(format!("curl -X {} {url_word}", shell::quote_text(&method)));
    }
    let mut own_authorization = false;
    for header in &draft.headers {
        own_authorization |= header.name.trim().eq_ignore_ascii_case("Authorization");
        let mut pieces = vec![Piece::Literal(format!("{}: ", header.name.trim()))];
        pieces.extend(variables.pieces(
            &merge::parse(&header.value, &Location::header(&header.name))?,
            credential,
        ));
        lines.push(format!("-H {}", shell::quote(&pieces)));
    }
    if let Some(credential) = credential
        && !own_authorization
        && credential.salesforce.generate_authorization_header
        && credential.protocol.authorization_method().is_some()
    {
        let mut pieces = vec![Piece::Literal("Authorization: ".into())];
        pieces.extend(variables.field(&MergeField::AuthorizationHeaderValue, Some(credential)));
        lines.push(format!("-H {}", shell::quote(&pieces)));
    }
    if let Some(body) = draft.body.as_deref().filter(|body| !body.is_empty()) {
        let pieces = variables.pieces(&merge::parse(body, &Location::body())?, credential);
        lines.push(format!("--data-raw {}", shell::quote_multiline(&pieces)));
    }
    let mut out = String::new();
    if variables.token
        && let Some(credential) = credential
    {
        out.push_str(&format!(
            "{TOKEN_VARIABLE}=\"$(callout token {})\"\n",
            shell::quote_text(&credential.name)
        ));
    }
    for (name, why) in &variables.unset {
        out.push_str(&format!("# set {name} first: {why}\n"));
    }
    if variables.html_encode {
        out.push_str(
            "# HTMLENCODE(...) is not applied by the shell; tokens need no encoding, other \
             values might\n",
        );
    }
    out.push_str(&lines.join(" \\\n  "));
    out.push('\n');
    Ok(out)
}

fn method(credential: Option<&Credential>) -> Option<&'static str> {
    credential.and_then(|credential| credential.protocol.authorization_method())
}

/// Which shell variables an exported command relies on.
#[derive(Debug, Default)]
struct Variables {
    token: bool,
    html_encode: bool,
    /// Variables the user sets by hand, with why.
    unset: Vec<(String, String)>,
}

impl Variables {
    fn pieces(&mut self, segments: &[Segment], credential: Option<&Credential>) -> Vec<Piece> {
        let mut pieces = Vec::new();
        for segment in segments {
            match segment {
                Segment::Text(text) => pieces.push(Piece::Literal(text.clone())),
                Segment::Field(usage) => {
                    self.html_encode |= usage.html_encode;
                    pieces.extend(self.field(&usage.field, credential));
                }
                Segment::Formula(usage) => {
                    let count = self
                        .unset
                        .iter()
                        .filter(|(name, _)| name.starts_with("CALLOUT_FORMULA_"));
                    let name = format!("CALLOUT_FORMULA_{}", count.count() + 1);
                    let written = usage
                        .source
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    pieces.extend(
                        self.by_hand(&name, &format!("the value of the formula {written}")),
                    );
                }
            }
        }
        pieces
    }

    fn field(&mut self, field: &MergeField, credential: Option<&Credential>) -> Vec<Piece> {
        match field {
            MergeField::OAuthToken => {
                self.token = true;
                vec![Piece::Variable(TOKEN_VARIABLE.into())]
            }
            MergeField::AuthorizationHeaderValue => match method(credential) {
                Some("Basic") => {
                    let mut pieces = vec![Piece::Literal("Basic ".into())];
                    pieces.extend(self.by_hand(
                        "CALLOUT_BASIC",
                        "base64 of the credential's username:password",
                    ));
                    pieces
                }
                Some(scheme) => {
                    self.token = true;
                    vec![
                        Piece::Literal(format!("{scheme} ")),
                        Piece::Variable(TOKEN_VARIABLE.into()),
                    ]
                }
                None => Vec::new(),
            },
            MergeField::AuthorizationMethod => {
                vec![Piece::Literal(
                    method(credential).unwrap_or_default().into(),
                )]
            }
            MergeField::OAuthConsumerKey => vec![Piece::Literal(
                credential
                    .and_then(|credential| credential.client_id.clone())
                    .unwrap_or_default(),
            )],
            MergeField::Username => self.by_hand("CALLOUT_USERNAME", "the credential's username"),
            MergeField::Password => self.by_hand(
                "CALLOUT_PASSWORD",
                "the credential's password (read it from your password manager)",
            ),
            MergeField::External {
                credential: external,
                parameter,
            } => {
                let name = format!(
                    "CALLOUT_{}_{}",
                    external.to_ascii_uppercase(),
                    parameter.to_ascii_uppercase()
                );
                self.by_hand(
                    &name,
                    &format!("the {parameter} parameter of external credential {external}"),
                )
            }
        }
    }

    fn by_hand(&mut self, name: &str, why: &str) -> Vec<Piece> {
        if !self.unset.iter().any(|(known, _)| known == name) {
            self.unset.push((name.to_string(), why.to_string()));
        }
        vec![Piece::Variable(name.to_string())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(path: &Path) -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} does not exist", path.display()),
        ))
    }

    fn draft(command: &str) -> Draft {
        import(command, &no_files).unwrap().draft
    }

    #[test]
    fn reads_method_url_headers_and_body() {
        let imported = draft(
            "curl -X PUT 'https://api.example.com/v1/items?x=1' -H 'Content-Type: application/json' \
             -H 'X-Trace: a b' --data-raw '{\"a\":1}'",
        );
        assert_eq!(
            imported,
            Draft {
                method: "PUT".into(),
                url: "https://api.example.com/v1/items?x=1".into(),
                headers: vec![
                    Header::new("Content-Type", "application/json"),
                    Header::new("X-Trace", "a b"),
                ],
                body: Some("{\"a\":1}".into()),
            }
        );
    }

    #[test]
    fn data_means_post_and_several_are_joined_with_ampersands() {
        let imported = draft("curl https://x.test/form -d a=1 -d 'b=2 3'");
        assert_eq!(imported.method, "POST");
        assert_eq!(imported.body.as_deref(), Some("a=1&b=2 3"));
        assert_eq!(draft("curl https://x.test/").method, "GET");
        let get = draft("curl -G https://x.test/s?q=1 --data-urlencode 'name=a b&c'");
        assert_eq!(get.method, "GET");
        assert_eq!(get.url, "https://x.test/s?q=1&name=a+b%26c");
        assert_eq!(get.body, None);
        assert_eq!(draft("curl -I https://x.test/").method, "HEAD");
    }

    #[test]
    fn reads_bodies_from_files_as_curl_does() {
        let files = |path: &Path| -> std::io::Result<String> {
            assert_eq!(path, Path::new("envelope.xml"));
            Ok("<a>\r\n  <b/>\n</a>\n".to_string())
        };
        let binary = import("curl https://x.test --data-binary @envelope.xml", &files).unwrap();
        assert_eq!(binary.draft.body.as_deref(), Some("<a>\r\n  <b/>\n</a>\n"));
        let ascii = import("curl https://x.test -d @envelope.xml", &files).unwrap();
        assert_eq!(ascii.draft.body.as_deref(), Some("<a>  <b/></a>"));
        let raw = import("curl https://x.test --data-raw @envelope.xml", &files).unwrap();
        assert_eq!(raw.draft.body.as_deref(), Some("@envelope.xml"));
        let missing = import("curl https://x.test -d @nope.json", &no_files)
            .unwrap_err()
            .to_string();
        assert_eq!(
            missing,
            "cannot import the curl command: cannot read the body from @nope.json: nope.json \
             does not exist"
        );
    }

    #[test]
    fn reads_browser_copy_as_curl() {
        let command = "curl 'https://api.example.com/graphql' \\\n  -H 'accept: */*' \\\n  \
                       -H 'authorization: Bearer abc' \\\n  --data-raw $'{\"q\":\"it\\'s\\n\"}' \\\n  \
                       --compressed";
        let imported = import(command, &no_files).unwrap();
        assert_eq!(imported.draft.method, "POST");
        assert_eq!(imported.draft.headers.len(), 2);
        assert_eq!(imported.draft.body.as_deref(), Some("{\"q\":\"it's\n\"}"));
        assert!(imported.notes.is_empty());
    }

    #[test]
    fn short_options_may_be_joined() {
        let imported = import("curl -sSLk -XPATCH -H'A: 1' https://x.test", &no_files).unwrap();
        assert_eq!(imported.draft.method, "PATCH");
        assert_eq!(imported.draft.headers, [Header::new("A", "1")]);
        assert_eq!(imported.notes.len(), 1, "{:?}", imported.notes);
        assert!(imported.notes[0].starts_with("-k"));
    }

    #[test]
    fn user_json_agent_and_cookies_become_headers() {
        let imported = import(
            "curl -u alice:s3cret -A probe/1 -b 'a=1' --json '{}' https://x.test",
            &no_files,
        )
        .unwrap();
        let names: Vec<&str> = imported
            .draft
            .headers
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Authorization",
                "User-Agent",
                "Cookie",
                "Content-Type",
                "Accept"
            ]
        );
        assert_eq!(imported.draft.headers[0].value, "Basic YWxpY2U6czNjcmV0");
        assert!(imported.notes[0].contains("keychain"));
    }

    #[test]
    fn says_what_it_does_not_understand() {
        let cases = [
            ("", "cannot import the curl command: it is empty"),
            (
                "wget https://x",
                "cannot import the curl command: it should start with curl, not \"wget\"",
            ),
            (
                "curl -X",
                "cannot import the curl command: -X needs a value",
            ),
            ("curl -H 'nocolon' https://x", "invalid header \"nocolon\""),
            (
                "curl https://a https://b",
                "cannot import the curl command: it names two URLs (\"https://a\" and \"https://b\"); import one request at a time",
            ),
            (
                "curl -F a=b https://x",
                "cannot import the curl command: option -F (at character 6) is not understood",
            ),
            (
                "curl -H @headers.txt https://x",
                "cannot import the curl command: -H @headers.txt reads headers from a file",
            ),
            ("curl -s", "cannot import the curl command: it names no URL"),
        ];
        for (command, expected) in cases {
            let error = import(command, &no_files).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{command}: {error}");
        }
    }

    #[test]
    fn a_plain_request_goes_round_trip() {
        let drafts = [
            Draft::new("GET", "https://x.test/a?b=c&d=e"),
            Draft::new("DELETE", "https://x.test/items/1").header("X-Why", "it's done"),
            Draft::new("POST", "https://x.test/soap")
                .header("Content-Type", "text/xml")
                .header("SOAPAction", "\"\"")
                .body("<a>\n  <b>'q' & \"d\" $HOME `x`</b>\n</a>\n"),
            Draft::new("PUT", "https://x.test/j").body("{\"a\": [1, 2]}"),
        ];
        for original in drafts {
            let command = export(&original, &CredentialSet::default()).unwrap();
            assert_eq!(draft(&command), original, "{command}");
        }
    }

    #[test]
    fn refuses_line_breaks_and_controls_where_they_would_change_the_request() {
        let cases = [
            (
                "curl $'https://x.test/a\\n}System.debug(1);//'",
                "cannot import the curl command: its URL holds a line feed (U+000A) at character 17",
            ),
            (
                "curl https://x.test -X $'GET\\u2028'",
                "cannot import the curl command: its method holds a line separator (U+2028) at \
                 character 4",
            ),
            (
                "curl https://x.test -H $'X-A\\r\\nX-B: 1'",
                "cannot import the curl command: the name of its header 1 (\"X-A\\r\\nX-B\") holds \
                 a carriage return (U+000D) at character 4",
            ),
            (
                "curl https://x.test -H $'Authorization: Bearer s3cret\\nX-Admin: yes'",
                "cannot import the curl command: the value of its header Authorization holds a line \
                 feed (U+000A) at character 14",
            ),
            (
                "curl https://x.test -A $'probe\\x1b[2J'",
                "cannot import the curl command: the value of its header User-Agent holds a \
                 control character (U+001B) at character 6",
            ),
        ];
        for (command, expected) in cases {
            let error = import(command, &no_files).unwrap_err().to_string();
            assert_eq!(error, expected, "{command}");
            assert!(!error.contains("s3cret"), "{error}");
        }
        // What an error repeats of the command is escaped too.
        let echoed = [
            (
                "curl https://a $'https://b\\x1b]0;x\\x07'",
                "cannot import the curl command: it names two URLs (\"https://a\" and \
                 \"https://b\\u{1b}]0;x\\u{7}\"); import one request at a time",
            ),
            (
                "$'wget\\x1b[2J' https://x",
                "cannot import the curl command: it should start with curl, not \
                 \"wget\\u{1b}[2J\"",
            ),
        ];
        for (command, expected) in echoed {
            assert_eq!(
                import(command, &no_files).unwrap_err().to_string(),
                expected
            );
        }
        // Tabs in a value and anything in a body stay.
        let kept = draft("curl https://x.test -H $'X-Cols: a\\tb' --data-raw $'a\\r\\n\\u2028b'");
        assert_eq!(kept.headers, [Header::new("X-Cols", "a\tb")]);
        assert_eq!(kept.body.as_deref(), Some("a\r\n\u{2028}b"));
    }

    #[test]
    fn an_exported_command_escapes_what_a_hand_saved_request_holds() {
        let hostile = Draft {
            method: "pa\u{1b}tch".into(),
            url: "https://x.test/a'$(id)\n\u{1b}]0;x\u{7}".into(),
            headers: vec![Header::new("X-A\r\nX-B", "1\u{2028}'; touch y; '")],
            body: Some("line 1\r\nline\t2\u{85}\n".into()),
        };
        let command = export(&hostile, &CredentialSet::default()).unwrap();
        assert_eq!(
            command,
            "curl -X 'PA'$'\\x1b''TCH' 'https://x.test/a'\\''$(id)'$'\\n\\x1b'']0;x'$'\\x07' \\\n  \
             -H 'X-A'$'\\r\\n''X-B: 1'$'\\u2028'''\\''; touch y; '\\''' \\\n  \
             --data-raw 'line 1'$'\\r''\nline\t2'$'\\u0085''\n'\n"
        );
        let words: Vec<String> = shell::split(&command)
            .unwrap()
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(
            words,
            [
                "curl",
                "-X",
                "PA\u{1b}TCH",
                "https://x.test/a'$(id)\n\u{1b}]0;x\u{7}",
                "-H",
                "X-A\r\nX-B: 1\u{2028}'; touch y; '",
                "--data-raw",
                "line 1\r\nline\t2\u{85}\n",
            ]
        );
    }
}
