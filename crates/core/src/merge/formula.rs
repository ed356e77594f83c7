//! Salesforce Named Credential formulas: what may stand between `{!` and `}`
//! beyond a single field. Parsed once, with every part's offset kept for
//! errors and lints, type-checked (text or blob) before anything is sent,
//! and evaluated into pieces that keep every secret a secret.
//!
//! # Grammar
//! ```text
//! formula  := value ('&' value)*
//! value    := 'text' | "text" | field | FUNCTION '(' arguments ')' | '(' formula ')'
//! field    := $Credential.Field | $Credential.External.Parameter
//!           | $User.Username | $User.Id | $Organization.Id
//! ```
//! Function and field names are matched ignoring ASCII case. Quoted texts
//! take the escapes `\'`, `\"`, `\\`, `\n`, `\r` and `\t`.
//!
//! # Types
//! Every value is text or a blob (bytes). `&` joins texts; BLOB turns text
//! into its UTF-8 bytes, BASE64ENCODE and HEX turn a blob into text. A blob
//! where text belongs (or the reverse) is an error at the value's place, and
//! so is a formula whose result is a blob.
//!
//! # Secrets
//! A value computed from a secret is a secret: the pieces of a top-level `&`
//! keep their own kind (`'Bearer ' & $Credential.OAuthToken` shows `Bearer`
//! and a masked token), but a function's result is secret as soon as any of
//! its inputs is.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{Location, MergeField, Piece, Position, Source, Value, html_encode};
use crate::{Error, Result, Secret};

/// The most characters a formula may have, as in Salesforce ("Formula
/// fields can contain up to 3,900 characters, including spaces, return
/// characters, and comments").
pub const MAX_LENGTH: usize = 3_900;

/// The deepest nesting of parentheses and function calls a formula may have.
pub const MAX_DEPTH: usize = 32;

/// A parsed formula: what is between `{!` and `}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    root: Expr,
}

/// A field a formula reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `$Credential.Field` or `$Credential.External.Parameter`.
    Credential(MergeField),
    /// `$User.Field`.
    User(UserField),
    /// `$Organization.Field`.
    Organization(OrganizationField),
}

/// The `$User` fields a formula may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    /// The username the credential signs in with.
    Username,
    /// The Salesforce user id (`005...`), which Callout Lab does not store.
    Id,
}

/// The `$Organization` fields a formula may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationField {
    /// The org id (`00D...`), which Callout Lab does not store.
    Id,
}

impl Operand {
    /// The canonical spelling, e.g. `$User.Username`.
    pub fn canonical(&self) -> String {
        match self {
            Operand::Credential(field) => field.canonical(),
            Operand::User(UserField::Username) => "$User.Username".into(),
            Operand::User(UserField::Id) => "$User.Id".into(),
            Operand::Organization(OrganizationField::Id) => "$Organization.Id".into(),
        }
    }

    fn parse(path: &str) -> Option<Self> {
        if let Some(field) = MergeField::parse(path) {
            return Some(Operand::Credential(field));
        }
        let (head, name) = path.split_once('.')?;
        if head.eq_ignore_ascii_case("$User") {
            if name.eq_ignore_ascii_case("Username") {
                return Some(Operand::User(UserField::Username));
            }
            if name.eq_ignore_ascii_case("Id") {
                return Some(Operand::User(UserField::Id));
            }
        }
        if head.eq_ignore_ascii_case("$Organization") && name.eq_ignore_ascii_case("Id") {
            return Some(Operand::Organization(OrganizationField::Id));
        }
        None
    }
}

/// A part of a formula. `at` is the byte offset of its first character in
/// the text between `{!` and `}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Text { value: String, at: usize },
    Operand { operand: Operand, at: usize },
    Concat(Vec<Expr>),
    Call(Box<Call>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    function: Function,
    /// The name as written.
    name: String,
    at: usize,
    /// For HASH and HMAC: the algorithm named by the first argument.
    algorithm: Option<AlgorithmUse>,
    /// The arguments after the algorithm.
    arguments: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AlgorithmUse {
    algorithm: Algorithm,
    written: String,
    at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Base64Decode,
    Base64Encode,
    Blob,
    Hash,
    Hex,
    Hmac,
    HtmlEncode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Blob,
}

impl Kind {
    fn described(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Blob => "a blob",
        }
    }

    /// How to get this kind from the other one.
    fn hint(self) -> &'static str {
        match self {
            Kind::Text => "turn it into text with BASE64ENCODE(...) or HEX(...)",
            Kind::Blob => "wrap it in BLOB(...)",
        }
    }
}

impl Function {
    const ALL: [(&'static str, Function); 7] = [
        ("BASE64DECODE", Function::Base64Decode),
        ("BASE64ENCODE", Function::Base64Encode),
        ("BLOB", Function::Blob),
        ("HASH", Function::Hash),
        ("HEX", Function::Hex),
        ("HMAC", Function::Hmac),
        ("HTMLENCODE", Function::HtmlEncode),
    ];

    fn named(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, function)| *function)
    }

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, function)| *function == self)
            .map_or("?", |(name, _)| name)
    }

    /// The arguments after the algorithm: what each is called and its kind.
    fn parameters(self) -> &'static [(&'static str, Kind)] {
        match self {
            Function::Base64Decode | Function::Blob | Function::HtmlEncode => {
                &[("argument", Kind::Text)]
            }
            Function::Base64Encode | Function::Hex => &[("argument", Kind::Blob)],
            Function::Hash => &[("value", Kind::Blob)],
            Function::Hmac => &[("message", Kind::Blob), ("key", Kind::Blob)],
        }
    }

    fn takes_algorithm(self) -> bool {
        matches!(self, Function::Hash | Function::Hmac)
    }

    fn result(self) -> Kind {
        match self {
            Function::Base64Encode | Function::Hex | Function::HtmlEncode => Kind::Text,
            Function::Base64Decode | Function::Blob | Function::Hash | Function::Hmac => Kind::Blob,
        }
    }

    /// `HMAC(algorithm, message, key)`, for messages about its arguments.
    fn signature(self) -> String {
        let mut names: Vec<&str> = Vec::new();
        if self.takes_algorithm() {
            names.push("algorithm");
        }
        names.extend(self.parameters().iter().map(|(name, _)| *name));
        format!("{}({})", self.name(), names.join(", "))
    }

    fn arity(self) -> usize {
        self.parameters().len() + usize::from(self.takes_algorithm())
    }
}

impl Algorithm {
    /// The algorithm a HASH or HMAC names: `SHA-256` as Salesforce writes it,
    /// also `SHA256`, and for HMAC Apex's `hmacSHA256`; SHA-1 and SHA-512 likewise.
    fn named(written: &str, function: Function) -> Option<Self> {
        let mut name = written.trim().to_ascii_lowercase().replace('-', "");
        if function == Function::Hmac
            && let Some(rest) = name.strip_prefix("hmac")
        {
            name = rest.to_string();
        }
        match name.as_str() {
            "sha1" => Some(Algorithm::Sha1),
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        let algorithm = match self {
            Algorithm::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Algorithm::Sha256 => &ring::digest::SHA256,
            Algorithm::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(algorithm, data).as_ref().to_vec()
    }

    fn mac(self, message: &[u8], key: &[u8]) -> Vec<u8> {
        let algorithm = match self {
            Algorithm::Sha1 => ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Algorithm::Sha256 => ring::hmac::HMAC_SHA256,
            Algorithm::Sha512 => ring::hmac::HMAC_SHA512,
        };
        let key = ring::hmac::Key::new(algorithm, key);
        ring::hmac::sign(&key, message).as_ref().to_vec()
    }
}

/// Base64 as BASE64DECODE reads it: the standard alphabet, padding optional.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The line and column of byte `offset` of `inner`, the text after the `{!`
/// at `at`.
pub(super) fn position_in(at: Position, inner: &str, offset: usize) -> Position {
    let before = &inner[..offset.min(inner.len())];
    match before.rfind('\n') {
        None => Position {
            line: at.line,
            column: at.column + 2 + before.chars().count(),
        },
        Some(last) => Position {
            line: at.line + before.matches('\n').count(),
            column: 1 + before[last + 1..].chars().count(),
        },
    }
}

/// Parses `inner`, the text between the `{!` at `at` and its `}`. Functions
/// other than HTMLENCODE are allowed only in headers (`functions`); elsewhere
/// they are [`Error::DisallowedMergeFunction`], as in Salesforce.
pub(super) fn parse(
    inner: &str,
    at: Position,
    location: &Location,
    functions: bool,
) -> Result<Formula> {
    let length = inner.chars().count();
    if length > MAX_LENGTH {
        return Err(Error::InvalidMergeFormula {
            problem: format!(
                "the formula is {length} characters long; Salesforce allows at most 3,900, \
                 spaces and line breaks included"
            ),
            location: location.clone(),
            line: at.line,
            column: at.column,
        });
    }
    let mut parser = Parser {
        inner,
        pos: 0,
        at,
        location,
        functions,
        depth: 0,
    };
    parser.skip_space();
    let (root, kind) = parser.formula()?;
    parser.skip_space();
    if let Some(found) = parser.peek() {
        return Err(parser.error(
            parser.pos,
            format!("expected '&' or the closing '}}', found {}", shown(found)),
        ));
    }
    if kind == Kind::Blob {
        return Err(parser.error(
            root.start(),
            format!(
                "the formula gives a blob, but the request takes text: {}",
                Kind::Text.hint()
            ),
        ));
    }
    Ok(Formula { root })
}

fn shown(c: char) -> String {
    if c.is_control() {
        format!("{c:?}")
    } else {
        format!("'{c}'")
    }
}

struct Parser<'a> {
    inner: &'a str,
    pos: usize,
    at: Position,
    location: &'a Location,
    functions: bool,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.inner[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, offset: usize, problem: String) -> Error {
        let position = position_in(self.at, self.inner, offset);
        Error::InvalidMergeFormula {
            problem,
            location: self.location.clone(),
            line: position.line,
            column: position.column,
        }
    }

    /// An unknown field, at the `{!` of its merge field as for a lone field.
    fn unknown(&self, name: &str) -> Error {
        Error::UnknownMergeField {
            name: name.to_string(),
            location: self.location.clone(),
            line: self.at.line,
            column: self.at.column,
        }
    }

    fn formula(&mut self) -> Result<(Expr, Kind)> {
        let mut parts = vec![self.value()?];
        loop {
            self.skip_space();
            if self.peek() != Some('&') {
                break;
            }
            self.bump();
            self.skip_space();
            parts.push(self.value()?);
        }
        if parts.len() == 1 {
            return Ok(parts.remove(0));
        }
        let mut joined = Vec::with_capacity(parts.len());
        for (part, kind) in parts {
            if kind == Kind::Blob {
                return Err(self.error(
                    part.start(),
                    format!("'&' joins texts, but this is a blob: {}", Kind::Text.hint()),
                ));
            }
            match part {
                Expr::Concat(inner) => joined.extend(inner),
                other => joined.push(other),
            }
        }
        Ok((Expr::Concat(joined), Kind::Text))
    }

    fn value(&mut self) -> Result<(Expr, Kind)> {
        let start = self.pos;
        match self.peek() {
            None => Err(self.error(
                start,
                "expected a value (a quoted text, a field such as $Credential.OAuthToken, or a \
                 function), but the formula ends"
                    .into(),
            )),
            Some(quote @ ('\'' | '"')) => self.text(quote),
            Some('$') => {
                self.bump();
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                {
                    self.bump();
                }
                let path = &self.inner[start..self.pos];
                let operand = Operand::parse(path).ok_or_else(|| self.unknown(path))?;
                Ok((Expr::Operand { operand, at: start }, Kind::Text))
            }
            Some('(') => {
                self.enter(start)?;
                self.bump();
                self.skip_space();
                let value = self.formula()?;
                self.skip_space();
                if self.peek() != Some(')') {
                    let open = position_in(self.at, self.inner, start);
                    return Err(self.expected(&format!(
                        "')' to close the '(' at line {}, column {}",
                        open.line, open.column
                    )));
                }
                self.bump();
                self.depth -= 1;
                Ok(value)
            }
            Some(c) if c.is_ascii_alphabetic() => self.call(),
            Some(c) => Err(self.error(
                start,
                format!(
                    "expected a value (a quoted text, a field such as $Credential.OAuthToken, \
                     or a function), found {}",
                    shown(c)
                ),
            )),
        }
    }

    fn enter(&mut self, start: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                start,
                format!("the formula nests more than {MAX_DEPTH} levels of parentheses"),
            ));
        }
        Ok(())
    }

    /// An error at the current place: `expected {what}, found ...`.
    fn expected(&self, what: &str) -> Error {
        match self.peek() {
            Some(found) => self.error(self.pos, format!("expected {what}, found {}", shown(found))),
            None => self.error(self.pos, format!("expected {what}, but the formula ends")),
        }
    }

    /// A quoted text, from its opening quote.
    fn text(&mut self, quote: char) -> Result<(Expr, Kind)> {
        let start = self.pos;
        self.bump();
        let mut value = String::new();
        loop {
            let escape = self.pos;
            match self.bump() {
                None => {
                    return Err(self.error(
                        start,
                        format!("the text that starts with {quote} has no closing {quote}"),
                    ));
                }
                Some(c) if c == quote => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('\'' | '"' | '\\')) => value.push(c),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some(other) => {
                        return Err(self.error(
                            escape,
                            format!(
                                "unknown escape \\{other} in a quoted text; the escapes are \\', \
                                 \\\", \\\\, \\n, \\r and \\t"
                            ),
                        ));
                    }
                    None => {
                        return Err(self.error(
                            start,
                            format!("the text that starts with {quote} has no closing {quote}"),
                        ));
                    }
                },
                Some(c) => value.push(c),
            }
        }
        Ok((Expr::Text { value, at: start }, Kind::Text))
    }

    /// A function call, from its name.
    fn call(&mut self) -> Result<(Expr, Kind)> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.bump();
        }
        let name = self.inner[start..self.pos].to_string();
        self.skip_space();
        if self.peek() != Some('(') {
            // A bare word: most likely a field without its `$Credential.`.
            return Err(self.unknown(&name));
        }
        let function = Function::named(&name);
        if !self.functions && function != Some(Function::HtmlEncode) {
            return Err(Error::DisallowedMergeFunction {
                name,
                location: self.location.clone(),
                line: self.at.line,
                column: self.at.column,
            });
        }
        let Some(function) = function else {
            let known = Function::ALL.map(|(name, _)| name).join(", ");
            let problem = if ["SIGN", "SIGN_WITH_CERTIFICATE"]
                .iter()
                .any(|sign| sign.eq_ignore_ascii_case(&name))
            {
                format!("Callout Lab does not support the function {name} yet; it has {known}")
            } else {
                format!("unknown function {name}; formulas have {known}")
            };
            return Err(self.error(start, problem));
        };
        self.enter(start)?;
        self.bump();
        let upper = function.name();
        let arity = function.arity();
        let mut written = Vec::with_capacity(arity);
        self.skip_space();
        if self.peek() == Some(')') {
            return Err(self.error(
                self.pos,
                format!("{upper} takes {}, but has none", function.signature()),
            ));
        }
        loop {
            written.push(self.formula()?);
            self.skip_space();
            if written.len() < arity {
                match self.peek() {
                    Some(',') => {
                        self.bump();
                        self.skip_space();
                    }
                    Some(')') => {
                        return Err(self.error(
                            self.pos,
                            format!(
                                "{upper} takes {}, but has only {} argument{}",
                                function.signature(),
                                written.len(),
                                if written.len() == 1 { "" } else { "s" }
                            ),
                        ));
                    }
                    _ => {
                        return Err(self.expected(&format!(
                            "',' before argument {} of {upper}",
                            written.len() + 1
                        )));
                    }
                }
            } else if self.peek() == Some(')') {
                self.bump();
                break;
            } else {
                let what = format!("')' after the arguments of {upper}");
                return Err(match self.peek() {
                    Some(',') => self.error(
                        self.pos,
                        format!("expected {what}: it takes {}", function.signature()),
                    ),
                    _ => self.expected(&what),
                });
            }
        }
        self.depth -= 1;
        let mut written = written.into_iter();
        let algorithm = match function.takes_algorithm().then(|| written.next()).flatten() {
            Some((expr, _)) => Some(self.algorithm(function, expr)?),
            None => None,
        };
        let mut arguments = Vec::with_capacity(arity);
        for ((expr, kind), (role, wanted)) in written.zip(function.parameters()) {
            if kind != *wanted {
                let whose = if function.parameters().len() == 1 && !function.takes_algorithm() {
                    format!("its {role}")
                } else {
                    format!("its {role} ({})", function.signature())
                };
                return Err(self.error(
                    expr.start(),
                    format!(
                        "{upper} takes {} but {whose} is {}: {}",
                        wanted.described(),
                        kind.described(),
                        wanted.hint()
                    ),
                ));
            }
            arguments.push(expr);
        }
        let call = Call {
            function,
            name,
            at: start,
            algorithm,
            arguments,
        };
        if let (Function::Base64Decode, [argument]) = (function, call.arguments.as_slice())
            && argument.is_constant()
        {
            let constant = Evaluator {
                source: None,
                at: self.at,
                inner: self.inner,
                location: self.location,
            };
            let (text, _) = joined(constant.text(argument)?);
            if LENIENT_BASE64.decode(text.as_bytes()).is_err() {
                return Err(self.error(
                    argument.start(),
                    "BASE64DECODE takes base64, but this text is not valid base64".into(),
                ));
            }
        }
        Ok((Expr::Call(Box::new(call)), function.result()))
    }

    fn algorithm(&self, function: Function, expr: Expr) -> Result<AlgorithmUse> {
        let upper = function.name();
        let Expr::Text { value, at } = expr else {
            return Err(self.error(
                expr.start(),
                format!("the algorithm of {upper} must be a quoted name such as 'SHA-256'"),
            ));
        };
        let algorithm = Algorithm::named(&value, function).ok_or_else(|| {
            let md5 = if value.trim().eq_ignore_ascii_case("MD5") {
                " (Callout Lab does not compute MD5)"
            } else {
                ""
            };
            self.error(
                at,
                format!(
                    "{upper} does not know the algorithm '{value}'{md5}; use 'SHA-256' \
                     (the one Salesforce supports), 'SHA-1' or 'SHA-512'"
                ),
            )
        })?;
        Ok(AlgorithmUse {
            algorithm,
            written: value,
            at,
        })
    }
}

impl Expr {
    fn start(&self) -> usize {
        match self {
            Expr::Text { at, .. } | Expr::Operand { at, .. } => *at,
            Expr::Concat(parts) => parts.first().map_or(0, Expr::start),
            Expr::Call(call) => call.at,
        }
    }

    fn is_constant(&self) -> bool {
        match self {
            Expr::Text { .. } => true,
            Expr::Operand { .. } => false,
            Expr::Concat(parts) => parts.iter().all(Expr::is_constant),
            Expr::Call(call) => call.arguments.iter().all(Expr::is_constant),
        }
    }

    fn visit<'a>(&'a self, each: &mut impl FnMut(&'a Expr)) {
        each(self);
        match self {
            Expr::Text { .. } | Expr::Operand { .. } => {}
            Expr::Concat(parts) => parts.iter().for_each(|part| part.visit(each)),
            Expr::Call(call) => call.arguments.iter().for_each(|part| part.visit(each)),
        }
    }

    fn operands(&self) -> Vec<&Operand> {
        let mut found = Vec::new();
        self.visit(&mut |expr| {
            if let Expr::Operand { operand, .. } = expr {
                found.push(operand);
            }
        });
        found
    }
}

/// A HASH or HMAC naming an algorithm other than Salesforce's `SHA-256`.
pub(super) struct AlgorithmNote {
    pub function: &'static str,
    pub written: String,
    pub at: usize,
}

impl Formula {
    /// The fields the formula reads, in the order written.
    pub fn operands(&self) -> Vec<&Operand> {
        self.root.operands()
    }

    /// The `$Credential` fields the formula reads, in the order written.
    pub fn fields(&self) -> Vec<&MergeField> {
        self.operands()
            .into_iter()
            .filter_map(|operand| match operand {
                Operand::Credential(field) => Some(field),
                _ => None,
            })
            .collect()
    }

    /// The single field this formula is, and whether HTMLENCODE wraps it:
    /// the two forms Salesforce's legacy merge fields have.
    pub(super) fn as_field(&self) -> Option<(&MergeField, bool)> {
        match &self.root {
            Expr::Operand {
                operand: Operand::Credential(field),
                ..
            } => Some((field, false)),
            Expr::Call(call) if call.function == Function::HtmlEncode => {
                match call.arguments.as_slice() {
                    [
                        Expr::Operand {
                            operand: Operand::Credential(field),
                            ..
                        },
                    ] => Some((field, true)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The offsets of the HTMLENCODE calls in the formula.
    pub(super) fn html_encodes(&self) -> Vec<usize> {
        let mut found = Vec::new();
        self.root.visit(&mut |expr| {
            if let Expr::Call(call) = expr
                && call.function == Function::HtmlEncode
            {
                found.push(call.at);
            }
        });
        found
    }

    /// The names of the functions the formula calls, as written.
    pub fn functions(&self) -> Vec<&str> {
        let mut found = Vec::new();
        self.root.visit(&mut |expr| {
            if let Expr::Call(call) = expr {
                found.push(call.name.as_str());
            }
        });
        found
    }

    /// HASH and HMAC calls whose algorithm is not written `SHA-256`.
    pub(super) fn algorithm_notes(&self) -> Vec<AlgorithmNote> {
        let mut found = Vec::new();
        self.root.visit(&mut |expr| {
            if let Expr::Call(call) = expr
                && let Some(algorithm) = &call.algorithm
                && !algorithm.written.eq_ignore_ascii_case("SHA-256")
            {
                found.push(AlgorithmNote {
                    function: call.function.name(),
                    written: algorithm.written.clone(),
                    at: algorithm.at,
                });
            }
        });
        found
    }

    /// The formula's value: its pieces, each secret if computed from one.
    /// `usage` is where it is written (for errors); `source` gives the fields.
    pub(super) fn evaluate(
        &self,
        source: Option<Source<'_>>,
        usage: &super::FormulaUse,
        location: &Location,
    ) -> Result<Vec<Piece>> {
        if source.is_none()
            && let Some(operand) = self.operands().first()
        {
            return Err(Error::MergeFieldWithoutCredential {
                field: operand.canonical(),
                location: location.clone(),
            });
        }
        let inner = usage
            .source
            .get(2..usage.source.len().saturating_sub(1))
            .unwrap_or_default();
        let evaluator = Evaluator {
            source,
            at: usage.at,
            inner,
            location,
        };
        evaluator.text(&self.root)
    }
}

/// Text pieces joined, and whether any was a secret.
fn joined(pieces: Vec<Piece>) -> (String, bool) {
    let mut text = String::new();
    let mut secret = false;
    for piece in pieces {
        match piece {
            Piece::Plain(plain) => text.push_str(&plain),
            Piece::Secret(value) => {
                secret = true;
                text.push_str(value.expose());
            }
        }
    }
    (text, secret)
}

fn piece(text: String, secret: bool) -> Piece {
    if secret {
        Piece::Secret(Secret::new(text))
    } else {
        Piece::Plain(text)
    }
}

struct Blob {
    bytes: Vec<u8>,
    secret: bool,
}

/// What a part of a formula evaluates to.
enum Evaluated {
    Text(Vec<Piece>),
    Blob(Blob),
}

struct Evaluator<'a> {
    source: Option<Source<'a>>,
    /// The `{!` the formula follows, its text, and its part of the request.
    at: Position,
    inner: &'a str,
    location: &'a Location,
}

impl Evaluator<'_> {
    /// Text; a blob (which type-checking keeps from getting here) is read
    /// as UTF-8.
    fn text(&self, expr: &Expr) -> Result<Vec<Piece>> {
        Ok(match self.evaluate(expr)? {
            Evaluated::Text(pieces) => pieces,
            Evaluated::Blob(blob) => vec![piece(
                String::from_utf8_lossy(&blob.bytes).into_owned(),
                blob.secret,
            )],
        })
    }

    /// A blob; text (which type-checking keeps from getting here) gives
    /// its UTF-8 bytes, as BLOB would.
    fn blob(&self, expr: &Expr) -> Result<Blob> {
        Ok(match self.evaluate(expr)? {
            Evaluated::Blob(blob) => blob,
            Evaluated::Text(pieces) => {
                let (text, secret) = joined(pieces);
                Blob {
                    bytes: text.into_bytes(),
                    secret,
                }
            }
        })
    }

    fn evaluate(&self, expr: &Expr) -> Result<Evaluated> {
        let call = match expr {
            Expr::Text { value, .. } => {
                return Ok(Evaluated::Text(vec![Piece::Plain(value.clone())]));
            }
            Expr::Operand { operand, .. } => {
                return Ok(Evaluated::Text(vec![match self.operand(operand)? {
                    Value::Plain(plain) => Piece::Plain(plain),
                    Value::Secret(secret) => Piece::Secret(secret),
                }]));
            }
            Expr::Concat(parts) => {
                let mut pieces = Vec::with_capacity(parts.len());
                for part in parts {
                    pieces.extend(self.text(part)?);
                }
                return Ok(Evaluated::Text(pieces));
            }
            Expr::Call(call) => call,
        };
        let argument = |index: usize| call.arguments.get(index).unwrap_or(&EMPTY);
        Ok(match call.function {
            Function::HtmlEncode => Evaluated::Text(
                self.text(argument(0))?
                    .into_iter()
                    .map(|piece| match piece {
                        Piece::Plain(plain) => Piece::Plain(html_encode(&plain)),
                        Piece::Secret(secret) => {
                            Piece::Secret(Secret::new(html_encode(secret.expose())))
                        }
                    })
                    .collect(),
            ),
            Function::Base64Encode => {
                let blob = self.blob(argument(0))?;
                Evaluated::Text(vec![piece(
                    base64::engine::general_purpose::STANDARD.encode(&blob.bytes),
                    blob.secret,
                )])
            }
            Function::Hex => {
                let blob = self.blob(argument(0))?;
                let mut hex = String::with_capacity(blob.bytes.len() * 2);
                for byte in &blob.bytes {
                    hex.push_str(&format!("{byte:02x}"));
                }
                Evaluated::Text(vec![piece(hex, blob.secret)])
            }
            Function::Blob => {
                let (text, secret) = joined(self.text(argument(0))?);
                Evaluated::Blob(Blob {
                    bytes: text.into_bytes(),
                    secret,
                })
            }
            Function::Base64Decode => {
                let (text, secret) = joined(self.text(argument(0))?);
                let bytes = LENIENT_BASE64
                    .decode(text.as_bytes())
                    .map_err(|_| self.not_base64(call, argument(0)))?;
                Evaluated::Blob(Blob { bytes, secret })
            }
            Function::Hash => {
                let value = self.blob(argument(0))?;
                Evaluated::Blob(Blob {
                    bytes: algorithm(call).digest(&value.bytes),
                    secret: value.secret,
                })
            }
            Function::Hmac => {
                let message = self.blob(argument(0))?;
                let key = self.blob(argument(1))?;
                Evaluated::Blob(Blob {
                    bytes: algorithm(call).mac(&message.bytes, &key.bytes),
                    secret: message.secret || key.secret,
                })
            }
        })
    }

    /// BASE64DECODE of a value that is not base64: the value comes from the
    /// credential (a constant one is an error when parsed), so the credential
    /// lacks a usable value.
    fn not_base64(&self, call: &Call, argument: &Expr) -> Error {
        let fields: Vec<String> = argument
            .operands()
            .iter()
            .map(|operand| operand.canonical())
            .collect();
        let position = position_in(self.at, self.inner, call.at);
        Error::MissingCredentialValue {
            field: format!(
                "BASE64DECODE in the {} at line {}, column {}",
                self.location, position.line, position.column
            ),
            needs: format!("valid base64 from {}", fields.join(" & ")),
            credential: self
                .source
                .map(|source| source.credential.name.clone())
                .unwrap_or_default(),
        }
    }

    fn operand(&self, operand: &Operand) -> Result<Value> {
        let Some(source) = self.source else {
            return Err(Error::MergeFieldWithoutCredential {
                field: operand.canonical(),
                location: self.location.clone(),
            });
        };
        match operand {
            Operand::Credential(field) => source.value(field),
            Operand::User(field) => source.user(*field),
            Operand::Organization(field) => source.organization(*field),
        }
    }
}

/// An empty text, for an argument that parsing guarantees but a call lacks.
static EMPTY: Expr = Expr::Text {
    value: String::new(),
    at: 0,
};

fn algorithm(call: &Call) -> Algorithm {
    call.algorithm
        .as_ref()
        .map_or(Algorithm::Sha256, |algorithm| algorithm.algorithm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{AuthProtocol, Credential, CredentialSecrets};
    use crate::merge::{FormulaUse, Segment, Text};
    use std::collections::BTreeMap;

    fn header() -> Location {
        Location::header("X-Test")
    }

    fn formula(inner: &str) -> Result<Formula> {
        parse(inner, Position { line: 1, column: 1 }, &header(), true)
    }

    /// Evaluates `{!inner}` as a header with `secrets`.
    fn value_with(inner: &str, secrets: &CredentialSecrets) -> Result<Text> {
        let mut credential = Credential::new("Ext_API", "https://api.example.com");
        credential.protocol = AuthProtocol::NoAuthentication;
        credential.external_credential = Some("Ext".into());
        let source = format!("{{!{inner}}}");
        let segments = crate::merge::parse(&source, &header())?;
        crate::merge::render_segments(
            &segments,
            Some(Source {
                credential: &credential,
                secrets,
            }),
            &header(),
        )
    }

    fn value(inner: &str) -> Result<Text> {
        value_with(inner, &secrets())
    }

    fn secrets() -> CredentialSecrets {
        CredentialSecrets {
            username: Some("ann".into()),
            password: Some(Secret::new("s3cr3t-pass")),
            parameters: BTreeMap::from([
                ("Key".to_string(), Secret::new("Jefe")),
                ("Encoded".to_string(), Secret::new("SmVmZQ==")),
                ("Broken".to_string(), Secret::new("not base64!")),
            ]),
            ..CredentialSecrets::default()
        }
    }

    fn exposed(inner: &str) -> String {
        value(inner).unwrap().expose()
    }

    fn problem(inner: &str) -> (String, usize, usize) {
        match formula(inner).unwrap_err() {
            Error::InvalidMergeFormula {
                problem,
                line,
                column,
                ..
            } => (problem, line, column),
            other => panic!("not a formula error: {other:?}"),
        }
    }

    #[test]
    fn literals_take_both_quotes_and_escapes() {
        assert_eq!(exposed(r#"'a' & "b""#), "ab");
        assert_eq!(exposed(r#"'it\'s \"x\" \\ y'"#), r#"it's "x" \ y"#);
        assert_eq!(exposed(r#""say 'hi'""#), "say 'hi'");
        assert_eq!(exposed(r"'a\tb'"), "a\tb");
        let (message, line, column) = problem(r"'a\qb'");
        assert!(message.starts_with("unknown escape \\q"), "{message}");
        assert_eq!((line, column), (1, 5));
    }

    #[test]
    fn base64_both_ways() {
        assert_eq!(exposed("BASE64ENCODE(BLOB('ann:pass'))"), "YW5uOnBhc3M=");
        assert_eq!(
            exposed("HEX(BASE64DECODE('YW5uOnBhc3M='))"),
            "616e6e3a70617373"
        );
        // Padding is optional when decoding.
        assert_eq!(exposed("HEX(BASE64DECODE('YQ'))"), "61");
    }

    #[test]
    fn blob_is_utf8_and_hex_is_lowercase() {
        assert_eq!(exposed("HEX(BLOB('é\u{1F600}'))"), "c3a9f09f9880");
        assert_eq!(exposed("hex(blob('\\n'))"), "0a");
    }

    #[test]
    fn hash_vectors() {
        // FIPS 180 "abc" vectors.
        assert_eq!(
            exposed("HEX(HASH('SHA-256', BLOB('abc')))"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            exposed("HEX(HASH('sha1', BLOB('abc')))"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            exposed("HEX(HASH('SHA512', BLOB('abc')))"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn hmac_vectors() {
        // RFC 4231, test case 2.
        assert_eq!(
            exposed("HEX(HMAC('SHA-256', BLOB('what do ya want for nothing?'), BLOB('Jefe')))"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            exposed("HEX(HMAC('hmacSHA512', BLOB('what do ya want for nothing?'), BLOB('Jefe')))"),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        // RFC 2202, test case 2.
        assert_eq!(
            exposed("HEX(HMAC('hmacSHA1', BLOB('what do ya want for nothing?'), BLOB('Jefe')))"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn a_key_from_the_credential_makes_a_secret() {
        let inner = "HEX(HMAC('SHA-256', BLOB('what do ya want for nothing?'), \
                     BLOB($Credential.Ext.Key)))";
        let text = value(inner).unwrap();
        assert_eq!(
            text.expose(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(text.has_secrets());
        assert_eq!(text.shown(), "••••3843");
        // Decoding a secret is a secret too.
        let text = value("HEX(BASE64DECODE($Credential.Ext.Encoded))").unwrap();
        assert_eq!(text.expose(), "4a656665");
        assert!(text.has_secrets());
    }

    #[test]
    fn joined_pieces_keep_their_kind() {
        let text = value("'Bearer ' & $Credential.Ext.Key & ' for ' & $User.Username").unwrap();
        assert_eq!(text.expose(), "Bearer Jefe for ann");
        assert_eq!(text.shown(), "Bearer •••• for ann");
        let text = value("'plain' & HEX(BLOB($Credential.Username))").unwrap();
        assert!(!text.has_secrets(), "a username is not a secret");
        assert_eq!(text.shown(), "plain616e6e");
    }

    #[test]
    fn htmlencode_escapes_each_piece() {
        let text = value("HTMLENCODE('<' & $Credential.Password & '>')").unwrap();
        assert_eq!(text.expose(), "&lt;s3cr3t-pass&gt;");
        assert_eq!(text.shown(), "&lt;••••pass&gt;");
    }

    #[test]
    fn types_are_checked_where_the_value_is() {
        let (message, line, column) = problem("BASE64ENCODE('x')");
        assert_eq!(
            message,
            "BASE64ENCODE takes a blob but its argument is text: wrap it in BLOB(...)"
        );
        assert_eq!((line, column), (1, 16));
        let (message, _, column) = problem("'a' & BLOB('b')");
        assert!(
            message.starts_with("'&' joins texts, but this is a blob"),
            "{message}"
        );
        assert_eq!(column, 9);
        let (message, _, column) = problem("HMAC('SHA-256', 'm', BLOB('k'))");
        assert_eq!(
            message,
            "HMAC takes a blob but its message (HMAC(algorithm, message, key)) is text: wrap it \
             in BLOB(...)"
        );
        assert_eq!(column, 19);
        let (message, _, column) = problem("BLOB('x')");
        assert!(message.starts_with("the formula gives a blob"), "{message}");
        assert_eq!(column, 3);
        let (message, ..) = problem("HTMLENCODE(BLOB('x'))");
        assert!(message.starts_with("HTMLENCODE takes text but its argument is a blob"));
        let (message, ..) = problem("HASH(BLOB('x'), 'SHA-256')");
        assert_eq!(
            message,
            "the algorithm of HASH must be a quoted name such as 'SHA-256'"
        );
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        let inner = "HMAC('SHA-256', BLOB('a'), BLOB('b')";
        let (message, line, column) = problem(inner);
        assert_eq!(
            message,
            "expected ')' after the arguments of HMAC, but the formula ends"
        );
        assert_eq!((line, column), (1, 3 + inner.len()));
        let error = formula(inner).unwrap_err().to_string();
        assert_eq!(
            error,
            "expected ')' after the arguments of HMAC, but the formula ends in the header \
             \"X-Test\" at line 1, column 39"
        );
        let (message, _, column) = problem("HEX(HASH('SHA-256' BLOB('a')))");
        assert_eq!(message, "expected ',' before argument 2 of HASH, found 'B'");
        assert_eq!(column, 22);
        let (message, ..) = problem("HASH('SHA-256')");
        assert_eq!(
            message,
            "HASH takes HASH(algorithm, value), but has only 1 argument"
        );
        let (message, ..) = problem("HEX()");
        assert_eq!(message, "HEX takes HEX(argument), but has none");
        let (message, ..) = problem("HEX(BLOB('a'), 'b')");
        assert_eq!(
            message,
            "expected ')' after the arguments of HEX: it takes HEX(argument)"
        );
        let (message, _, column) = problem("'a' 'b'");
        assert_eq!(message, "expected '&' or the closing '}', found '''");
        assert_eq!(column, 7);
        let (message, ..) = problem("'a' &");
        assert!(message.ends_with("but the formula ends"), "{message}");
        let (message, _, column) = problem("'abc");
        assert_eq!(message, "the text that starts with ' has no closing '");
        assert_eq!(column, 3);
        let (message, ..) = problem("('a' & 'b'");
        assert_eq!(
            message,
            "expected ')' to close the '(' at line 1, column 3, but the formula ends"
        );
        let (message, ..) = problem("# 'a'");
        assert!(message.ends_with("found '#'"), "{message}");
    }

    #[test]
    fn positions_follow_lines() {
        let error = parse(
            "'a' &\n  BLOB('b')",
            Position {
                line: 3,
                column: 10,
            },
            &Location::body(),
            true,
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidMergeFormula {
                    line: 4,
                    column: 3,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn functions_and_algorithms_must_be_known() {
        let (message, _, column) = problem("'x' & SHA256(BLOB('a'))");
        assert!(message.starts_with("unknown function SHA256;"), "{message}");
        assert_eq!(column, 9);
        let (message, ..) = problem("SIGN('RSA-SHA256', BLOB('a'), 'key')");
        assert!(message.starts_with("Callout Lab does not support the function SIGN"));
        let (message, _, column) = problem("HEX(HASH('MD5', BLOB('a')))");
        assert!(message.contains("does not compute MD5"), "{message}");
        assert_eq!(column, 12);
        let (message, ..) = problem("HEX(HMAC('SHA-384', BLOB('a'), BLOB('b')))");
        assert!(message.starts_with("HMAC does not know the algorithm 'SHA-384'"));
    }

    #[test]
    fn unknown_fields_are_merge_field_errors() {
        let error = formula("'a' & $User.Email").unwrap_err();
        assert!(
            matches!(&error, Error::UnknownMergeField { name, column: 1, .. } if name == "$User.Email"),
            "{error:?}"
        );
        let error = formula("Token").unwrap_err();
        assert!(
            matches!(&error, Error::UnknownMergeField { name, .. } if name == "Token"),
            "{error:?}"
        );
    }

    #[test]
    fn a_constant_that_is_not_base64_fails_when_parsed() {
        let (message, _, column) = problem("HEX(BASE64DECODE('a' & '*'))");
        assert_eq!(
            message,
            "BASE64DECODE takes base64, but this text is not valid base64"
        );
        assert_eq!(column, 20);
    }

    #[test]
    fn a_credential_value_that_is_not_base64_fails_when_rendered() {
        let error = value("'x' & HEX(BASE64DECODE($Credential.Ext.Broken))").unwrap_err();
        assert!(
            matches!(error, Error::MissingCredentialValue { .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "BASE64DECODE in the header \"X-Test\" at line 1, column 13 needs valid base64 from \
             $Credential.Ext.Broken, and credential \"Ext_API\" has none"
        );
        assert!(!error.to_string().contains("not base64!"));
    }

    #[test]
    fn user_and_organization_fields() {
        assert_eq!(exposed("$user.username"), "ann");
        let without = CredentialSecrets::default();
        let error = value_with("$User.Username", &without).unwrap_err();
        assert_eq!(
            error.to_string(),
            "{!$User.Username} needs the username it signs in with (a Basic, password or JWT \
             bearer credential has one), and credential \"Ext_API\" has none"
        );
        let error = value("$Organization.Id").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("{!$Organization.Id} needs the org id"),
            "{error}"
        );
        let error = value("'u' & $User.Id").unwrap_err();
        assert!(matches!(error, Error::MissingCredentialValue { .. }));
    }

    #[test]
    fn the_length_limit_counts_characters() {
        let fits = format!("'{}'", "é".repeat(MAX_LENGTH - 2));
        assert!(formula(&fits).is_ok());
        let over = format!("'{}'", "é".repeat(MAX_LENGTH - 1));
        let (message, line, column) = problem(&over);
        assert_eq!(
            message,
            "the formula is 3901 characters long; Salesforce allows at most 3,900, spaces and \
             line breaks included"
        );
        assert_eq!((line, column), (1, 1));
    }

    #[test]
    fn nesting_is_limited() {
        let deep = format!("{}'a'{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(formula(&deep).is_ok());
        let deeper = format!(
            "{}'a'{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let (message, _, column) = problem(&deeper);
        assert_eq!(
            message,
            "the formula nests more than 32 levels of parentheses"
        );
        assert_eq!(column, 3 + MAX_DEPTH);
        let calls = format!("{}'a'{}", "HTMLENCODE(".repeat(200), ")".repeat(200));
        assert!(formula(&calls).is_err());
        let wide = vec!["'a'"; 900].join("&");
        assert!(formula(&wide).is_ok(), "a long chain is flat, not deep");
    }

    #[test]
    fn a_formula_of_literals_needs_no_credential() {
        let segments = crate::merge::parse("{!'a' & HEX(BLOB('b'))}", &header()).unwrap();
        let text = crate::merge::render_segments(&segments, None, &header()).unwrap();
        assert_eq!(text.expose(), "a62");
        assert!(!text.has_secrets());
        let segments = crate::merge::parse("{!'a' & $User.Username}", &header()).unwrap();
        let error = crate::merge::render_segments(&segments, None, &header()).unwrap_err();
        assert!(
            matches!(&error, Error::MergeFieldWithoutCredential { field, .. } if field == "$User.Username"),
            "{error:?}"
        );
    }

    #[test]
    fn formulas_list_what_they_read() {
        let segments = crate::merge::parse(
            "{!HEX(HASH('sha-512', BLOB($Credential.OAuthToken & $User.Username)))}",
            &header(),
        )
        .unwrap();
        let [Segment::Formula(FormulaUse { formula, .. })] = segments.as_slice() else {
            panic!("{segments:?}")
        };
        assert_eq!(formula.fields(), [&MergeField::OAuthToken]);
        assert_eq!(formula.operands()[1], &Operand::User(UserField::Username));
        assert_eq!(formula.functions(), ["HEX", "HASH", "BLOB"]);
        let notes = formula.algorithm_notes();
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].function, notes[0].at), ("HASH", 9));
    }

    fn token() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "'a'",
            "\"b\"",
            "'\\''",
            " & ",
            "&",
            "(",
            ")",
            ", ",
            ",",
            "BLOB(",
            "HEX(",
            "hash('SHA-256', ",
            "HMAC('sha1', ",
            "BASE64DECODE(",
            "BASE64ENCODE(",
            "HTMLENCODE(",
            "$Credential.Password",
            "$User.Username",
            "$Credential.Ext.Key",
            "$Credential.Ext.Encoded",
            "$Organization.Id",
            "}",
            "{!",
            "'",
            "\\",
            " ",
            "\n",
            "'YQ=='",
            "SIGN(",
        ])
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

        /// Formula-shaped texts: parsing never panics and prints back; what
        /// parses renders without panicking and never shows the password.
        #[test]
        fn formula_texts_round_trip_and_keep_secrets(
            tokens in proptest::collection::vec(token(), 0..24),
        ) {
            let text = format!("x{{!{}}}y", tokens.concat());
            if let Ok(segments) = crate::merge::parse(&text, &header()) {
                proptest::prop_assert_eq!(crate::merge::to_source(&segments), text.clone());
                let mut credential = Credential::new("Ext_API", "https://api.example.com");
                credential.external_credential = Some("Ext".into());
                let source = Source { credential: &credential, secrets: &secrets() };
                if let Ok(rendered) = crate::merge::render_segments(&segments, Some(source), &header()) {
                    proptest::prop_assert!(!rendered.shown().contains("s3cr3t-pass"));
                }
            }
        }
    }
}
