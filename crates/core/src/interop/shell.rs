//! Shell words: splitting a pasted command line the way a POSIX shell would
//! (quotes, backslashes, `$'...'`, line continuations), and quoting text so a
//! shell reads it back unchanged.

use std::fmt::Write as _;

use crate::{Error, Result};

/// One word of a command line, and the character offset it starts at (for
/// error messages that point at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub text: String,
    pub at: usize,
}

fn unclosed(what: &str, at: usize) -> Error {
    Error::Import {
        what: "curl command",
        detail: format!("the {what} opened at character {} is never closed", at + 1),
    }
}

/// Splits `line` into words. Variables and command substitutions are not
/// expanded: `"$TOKEN"` stays the text `$TOKEN`.
pub(crate) fn split(line: &str) -> Result<Vec<Word>> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if let Some(word) = current.take() {
                    words.push(word);
                }
                i += 1;
            }
            '\\' if matches!(chars.get(i + 1), Some('\n')) => i += 2,
            '\\' if chars.get(i + 1) == Some(&'\r') && chars.get(i + 2) == Some(&'\n') => i += 3,
            _ => {
                let word = current.get_or_insert_with(|| Word {
                    text: String::new(),
                    at: i,
                });
                i = read_piece(&chars, i, &mut word.text)?;
            }
        }
    }
    if let Some(word) = current {
        words.push(word);
    }
    Ok(words)
}

/// Reads one quoted or unquoted piece of a word starting at `i` into `out`;
/// returns the index after it.
fn read_piece(chars: &[char], i: usize, out: &mut String) -> Result<usize> {
    match chars[i] {
        '\'' => {
            let end = (i + 1..chars.len())
                .find(|&j| chars[j] == '\'')
                .ok_or_else(|| unclosed("single quote", i))?;
            out.extend(&chars[i + 1..end]);
            Ok(end + 1)
        }
        '"' => {
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err(unclosed("double quote", i)),
                    Some('"') => return Ok(j + 1),
                    Some('\\') => match chars.get(j + 1) {
                        Some('\n') => j += 2,
                        Some(&next @ ('"' | '\\' | '$' | '`')) => {
                            out.push(next);
                            j += 2;
                        }
                        _ => {
                            out.push('\\');
                            j += 1;
                        }
                    },
                    Some(&other) => {
                        out.push(other);
                        j += 1;
                    }
                }
            }
        }
        '$' if chars.get(i + 1) == Some(&'\'') => read_ansi_c(chars, i, out),
        '\\' => match chars.get(i + 1) {
            Some(&next) => {
                out.push(next);
                Ok(i + 2)
            }
            None => Ok(i + 1),
        },
        other => {
            out.push(other);
            Ok(i + 1)
        }
    }
}

/// `$'...'`: bash's ANSI-C quoting, which browsers' "Copy as cURL" uses for
/// bodies with newlines or quotes.
fn read_ansi_c(chars: &[char], start: usize, out: &mut String) -> Result<usize> {
    let mut j = start + 2;
    loop {
        match chars.get(j) {
            None => return Err(unclosed("$'...' quote", start)),
            Some('\'') => return Ok(j + 1),
            Some('\\') => {
                let Some(&escape) = chars.get(j + 1) else {
                    return Err(unclosed("$'...' quote", start));
                };
                j += 2;
                match escape {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'e' | 'E' => out.push('\u{1b}'),
                    'x' | 'u' | 'U' => {
                        let most = match escape {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let digits: String = chars[j..]
                            .iter()
                            .take(most)
                            .take_while(|c| c.is_ascii_hexdigit())
                            .collect();
                        j += digits.chars().count();
                        let decoded = u32::from_str_radix(&digits, 16)
                            .ok()
                            .and_then(char::from_u32);
                        match decoded {
                            Some(c) => out.push(c),
                            None => {
                                out.push('\\');
                                out.push(escape);
                                out.push_str(&digits);
                            }
                        }
                    }
                    other @ ('\\' | '\'' | '"' | '?') => out.push(other),
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            Some(&other) => {
                out.push(other);
                j += 1;
            }
        }
    }
}

/// A piece of a shell word: literal text, or a variable the shell expands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Literal(String),
    Variable(String),
}

/// Quotes `pieces` as one shell word: literals in single quotes (nothing in
/// them is special), variables as `"$NAME"`, and every
/// [unsafe](super::is_unsafe) character — a line break, a terminal's escape
/// or control, a bidirectional override — as an escape in `$'...'`, so the
/// word reads as what it does on a screen and in a terminal's paste too.
/// (bash, zsh, ksh, busybox sh and POSIX.1-2024 shells read `$'\n'`; an older
/// `sh` reads the `$` and the escape literally: other text, but nothing runs.)
pub(crate) fn quote(pieces: &[Piece]) -> String {
    quote_keeping(pieces, |_| false)
}

/// [`quote`] for a body: line feeds and tabs stay as they are inside the
/// single quotes, so the body reads as it is written.
pub(crate) fn quote_multiline(pieces: &[Piece]) -> String {
    quote_keeping(pieces, |c| matches!(c, '\n' | '\t'))
}

fn quote_keeping(pieces: &[Piece], keep: fn(char) -> bool) -> String {
    // Adjacent literals are quoted together: 'a b', not 'a ''b'.
    let mut merged: Vec<Piece> = Vec::new();
    for piece in pieces {
        match (merged.last_mut(), piece) {
            (Some(Piece::Literal(last)), Piece::Literal(text)) => last.push_str(text),
            _ => merged.push(piece.clone()),
        }
    }
    let mut out = String::new();
    for piece in &merged {
        match piece {
            Piece::Literal(text) if text.is_empty() => {}
            Piece::Literal(text) if is_plain(text) => out.push_str(text),
            Piece::Literal(text) => quote_literal(&mut out, text, keep),
            Piece::Variable(name) => {
                out.push_str("\"$");
                out.push_str(name);
                out.push('"');
            }
        }
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// `text` as runs of `'...'` and, for its unsafe characters, `$'...'`.
fn quote_literal(out: &mut String, text: &str, keep: fn(char) -> bool) {
    let escaped = |c: char| super::is_unsafe(c) && !keep(c);
    let mut rest = text;
    while let Some(first) = rest.chars().next() {
        let run_escaped = escaped(first);
        let end = rest
            .find(|c: char| escaped(c) != run_escaped)
            .unwrap_or(rest.len());
        let (run, after) = rest.split_at(end);
        if run_escaped {
            out.push_str("$'");
            for c in run.chars() {
                ansi_c_escape(out, c);
            }
            out.push('\'');
        } else {
            out.push('\'');
            out.push_str(&run.replace('\'', r"'\''"));
            out.push('\'');
        }
        rest = after;
    }
}

/// One character as a `$'...'` escape: `\n`, `\r`, `\t`, `\xHH` below
/// U+0080 (which every such shell reads as that character), `\uHHHH` above.
fn ansi_c_escape(out: &mut String, c: char) {
    let code = u32::from(c);
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ if code < 0x80 => _ = write!(out, "\\x{code:02x}"),
        _ if code <= 0xFFFF => _ = write!(out, "\\u{code:04x}"),
        _ => _ = write!(out, "\\U{code:08x}"),
    }
}

/// Text a shell reads as itself without quotes.
fn is_plain(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.' | '/' | ':' | ',' | '@' | '%' | '+')
    })
}

/// Quotes literal text as one shell word.
pub(crate) fn quote_text(text: &str) -> String {
    quote(&[Piece::Literal(text.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line).unwrap().into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            texts("curl -H 'A: b c' \"x\\\"y\" plain\\ word"),
            ["curl", "-H", "A: b c", "x\"y", "plain word"]
        );
        assert_eq!(texts("curl \\\n  -X POST"), ["curl", "-X", "POST"]);
        assert_eq!(texts("a'b'\"c\"d"), ["abcd"]);
        assert_eq!(texts("'' x"), ["", "x"]);
        assert_eq!(texts("\"$TOKEN\""), ["$TOKEN"]);
    }

    #[test]
    fn reads_ansi_c_quotes() {
        assert_eq!(
            texts(r#"$'{\"a\":\n\t1}\x41\u00e9\''"#),
            ["{\"a\":\n\t1}Aé'"]
        );
    }

    #[test]
    fn names_an_unclosed_quote_and_where_it_opened() {
        let error = split("curl -d 'abc").unwrap_err().to_string();
        assert_eq!(
            error,
            "cannot import the curl command: the single quote opened at character 9 is never closed"
        );
        assert!(split("curl \"x").is_err());
        assert!(split("curl $'x").is_err());
    }

    #[test]
    fn quoting_reads_back_unchanged() {
        for text in [
            "",
            "plain",
            "it's",
            "a b\nc",
            "$HOME `x` \\ \"q\"",
            "{!$Credential.OAuthToken}",
        ] {
            let quoted = quote_text(text);
            assert_eq!(texts(&quoted), [text], "{quoted}");
        }
        let mixed = quote(&[
            Piece::Literal("Bearer ".into()),
            Piece::Variable("CALLOUT_TOKEN".into()),
        ]);
        assert_eq!(mixed, "'Bearer '\"$CALLOUT_TOKEN\"");
    }

    #[test]
    fn unsafe_characters_are_escaped_in_ansi_c_quotes_and_read_back_unchanged() {
        let cases = [
            ("a\nb", r"'a'$'\n''b'"),
            ("x'\r\n; touch y", r"'x'\'''$'\r\n''; touch y'"),
            ("\u{1b}[201~", r"$'\x1b''[201~'"),
            (
                "\t\u{7f}\u{85}\u{2028}\u{202e}",
                r"$'\t\x7f\u0085\u2028\u202e'",
            ),
            ("\0", r"$'\x00'"),
        ];
        for (text, expected) in cases {
            let quoted = quote_text(text);
            assert_eq!(quoted, expected);
            assert_eq!(texts(&quoted), [text], "{quoted}");
            assert!(!quoted.chars().any(super::super::is_unsafe), "{quoted}");
        }
    }

    #[test]
    fn a_body_keeps_its_line_feeds_and_tabs_but_no_other_unsafe_character() {
        let body = "<a>\r\n\t<b/>\u{2029}\n</a>";
        let quoted = quote_multiline(&[Piece::Literal(body.into())]);
        assert_eq!(quoted, "'<a>'$'\\r''\n\t<b/>'$'\\u2029''\n</a>'");
        assert_eq!(texts(&quoted), [body]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_quotes_to_one_word_that_reads_back_unchanged(
            text in super::super::tests::MIXED_TEXT
        ) {
            let quoted = quote_text(&text);
            proptest::prop_assert!(!quoted.chars().any(super::super::is_unsafe), "{quoted:?}");
            proptest::prop_assert_eq!(texts(&quoted), [text.clone()]);
            let body = quote_multiline(&[Piece::Literal(text.clone())]);
            proptest::prop_assert!(
                !body.chars().any(|c| super::super::is_unsafe(c) && c != '\n' && c != '\t'),
                "{body:?}"
            );
            proptest::prop_assert_eq!(texts(&body), [text]);
        }
    }
}
