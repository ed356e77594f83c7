//! Where something is in a request, the bottom layer of core: a part of
//! the request (the URL, a named header, the body) and a line and column
//! in it. Errors and lints point there, so the editor can mark the place.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

/// A line and column, both counted from 1; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Which part of a request a text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Part {
    Url,
    Header,
    Body,
}

/// A part of a request, with the header's name for headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Location {
    pub part: Part,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub header: Option<String>,
}

impl Location {
    pub fn url() -> Self {
        Self {
            part: Part::Url,
            header: None,
        }
    }

    pub fn body() -> Self {
        Self {
            part: Part::Body,
            header: None,
        }
    }

    pub fn header(name: &str) -> Self {
        Self {
            part: Part::Header,
            header: Some(name.to_string()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.part, &self.header) {
            (Part::Url, _) => f.write_str("URL"),
            (Part::Body, _) => f.write_str("body"),
            (Part::Header, Some(name)) => write!(f, "header \"{name}\""),
            (Part::Header, None) => f.write_str("header"),
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    (line, before[line_start..].chars().count() + 1)
}
