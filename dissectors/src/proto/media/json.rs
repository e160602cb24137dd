//! `json`: JavaScript Object Notation (RFC 8259) payloads, with tshark's tree and its
//! path-based filter fields.
//!
//! ```text
//! {"a": [1, "x"]}           JavaScript Object Notation: application/json
//!                               Object
//!                                   Member: a
//!                                       Array
//!                                           [Path with value: /a/[]:1]
//!                                           [Member with value: []:1]
//!                                           Number value: 1
//!                                           [Path with value: /a/[]:x]  …  String value: x
//!                                       Key: a
//!                                       [Path: /a]
//! ```
//! The payload is one or more top-level objects or arrays (tshark accepts no bare scalar at the
//! top). A value is shown only once all of it parsed, as tshark's parser does; bytes that do
//! not parse (and what follows them) go to the `data-text-lines` layer. Strings are shown
//! unescaped (`\u` escapes decoded, unprintable code points dropped, bad ones as U+FFFD);
//! numbers as written. Nesting is bounded ([`MAX_DEPTH`]); deeper input is not JSON here.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

crate::fields! {
    PROTO = FieldDef::protocol("json", "JavaScript Object Notation");
    ARRAY = FieldDef::new("json.array", "Array", T::None).blurb("JSON array");
    OBJECT = FieldDef::new("json.object", "Object", T::None).blurb("JSON object");
    MEMBER = FieldDef::new("json.member", "Member", T::String).blurb("JSON object member");
    KEY = FieldDef::new("json.key", "Key", T::String);
    PATH = FieldDef::new("json.path", "Path", T::String);
    PATH_WITH_VALUE = FieldDef::new("json.path_with_value", "Path with value", T::String);
    MEMBER_WITH_VALUE = FieldDef::new("json.member_with_value", "Member with value", T::String);
    VALUE_STRING = FieldDef::new("json.value.string", "String value", T::String).blurb("JSON string value");
    VALUE_NUMBER = FieldDef::new("json.value.number", "Number value", T::String).blurb("JSON number value");
    VALUE_FALSE = FieldDef::new("json.value.false", "False value", T::None).blurb("JSON false value");
    VALUE_NULL = FieldDef::new("json.value.null", "Null value", T::None).blurb("JSON null value");
    VALUE_TRUE = FieldDef::new("json.value.true", "True value", T::None).blurb("JSON true value");
    VALUE_NAN = FieldDef::new("json.value.nan", "NaN value", T::None).blurb("JSON NaN value");
}

crate::protocol!("json", "JSON", dissect, register);

/// The media types tshark 4.0 shows as JSON.
const JSON_TYPES: &[&str] = &[
    "application/json",
    "application/senml+json",
    "application/sensml+json",
    "application/json-rpc",
    "application/jsonrequest",
    "application/dds-web+json",
    "application/vnd.oma.lwm2m+json",
    "application/problem+json",
    "application/merge-patch+json",
    "application/json-patch+json",
    "application/x-ndjson",
];

fn register(r: &mut Registry) {
    crate::proto::media::register_types(r, JSON_TYPES, &PROTOCOL);
}

/// Objects and arrays nested deeper than this do not parse (hostile input must not exhaust
/// the stack).
pub const MAX_DEPTH: usize = 128;

/// A parsed value with the byte range it came from.
#[derive(Debug)]
pub struct Json {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    Object(Vec<Member>),
    Array(Vec<Json>),
    /// The range includes the quotes.
    String,
    Number,
    True,
    False,
    Null,
    NaN,
}

#[derive(Debug)]
pub struct Member {
    pub start: usize,
    pub end: usize,
    /// The key's range, quotes included.
    pub key: (usize, usize),
    pub value: Json,
}

/// A JSON reader over bytes that keeps every value's position.
struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        let ok = self.b.get(self.pos) == Some(&c);
        if ok {
            self.pos += 1;
        }
        ok
    }

    /// An object or array (the only things allowed at the top).
    fn container(&mut self, depth: usize) -> Option<Json> {
        self.skip_ws();
        match self.b.get(self.pos) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            _ => None,
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.skip_ws();
        let start = self.pos;
        let literal = |p: &mut Self, word: &[u8], kind: Kind| {
            p.b[p.pos..].starts_with(word).then(|| {
                p.pos += word.len();
                Json {
                    start,
                    end: p.pos,
                    kind,
                }
            })
        };
        match *self.b.get(self.pos)? {
            b'{' | b'[' => self.container(depth),
            b'"' => {
                let (s, e) = self.string()?;
                Some(Json {
                    start: s,
                    end: e,
                    kind: Kind::String,
                })
            }
            b'f' => literal(self, b"false", Kind::False),
            b'n' => literal(self, b"null", Kind::Null),
            b't' => literal(self, b"true", Kind::True),
            b'N' => literal(self, b"NaN", Kind::NaN),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        let members = self.list(b'}', |p| p.member(depth))?;
        Some(Json {
            start,
            end: self.pos,
            kind: Kind::Object(members),
        })
    }

    fn member(&mut self, depth: usize) -> Option<Member> {
        self.skip_ws();
        let key = self.string()?;
        if !self.eat(b':') {
            return None;
        }
        let value = self.value(depth + 1)?;
        Some(Member {
            start: key.0,
            end: value.end,
            key,
            value,
        })
    }

    fn array(&mut self, depth: usize) -> Option<Json> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        let items = self.list(b']', |p| p.value(depth + 1))?;
        Some(Json {
            start,
            end: self.pos,
            kind: Kind::Array(items),
        })
    }

    /// Comma-separated entries read by `entry` up to the closing `close` (after the opening
    /// bracket); None when an entry or a separator is bad.
    fn list<T>(
        &mut self,
        close: u8,
        mut entry: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = vec![];
        if self.eat(close) {
            return Some(out);
        }
        loop {
            out.push(entry(self)?);
            if self.eat(close) {
                return Some(out);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A string token: its range, quotes included.
    fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if self.b.get(self.pos) != Some(&b'"') {
            return None;
        }
        self.pos += 1;
        loop {
            match *self.b.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some((start, self.pos));
                }
                b'\\' => {
                    self.pos += 1;
                    match *self.b.get(self.pos)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 1,
                        b'u' => {
                            let hex = self.b.get(self.pos + 1..self.pos + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.pos += 5;
                        }
                        _ => return None,
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while self.b.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - from
    }

    /// `[-] (0 | [1-9][0-9]*) [. digits] [(e|E) [+-] digits]`
    fn number(&mut self) -> Option<Json> {
        let start = self.pos;
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.b.get(self.pos)? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.b.get(self.pos) == Some(&b'.') {
            let save = self.pos;
            self.pos += 1;
            if self.digits() == 0 {
                self.pos = save;
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                self.pos = save;
            }
        }
        Some(Json {
            start,
            end: self.pos,
            kind: Kind::Number,
        })
    }
}

/// Parses the top-level objects and arrays of `b`: the values, and where parsing stopped
/// (trailing white space consumed).
pub fn parse(b: &[u8]) -> (Vec<Json>, usize) {
    let mut p = Parser { b, pos: 0 };
    let mut values = vec![];
    loop {
        let at = p.pos;
        match p.container(0) {
            Some(v) => values.push(v),
            None => {
                // The failed attempt consumed nothing but the white space before it.
                p.pos = at;
                p.skip_ws();
                return (values, p.pos);
            }
        }
    }
}

/// True when `b` is, all of it, one or more JSON objects or arrays.
pub fn is_json(b: &[u8]) -> bool {
    let (values, end) = parse(b);
    !values.is_empty() && end == b.len()
}

/// Decodes a string's contents (without quotes) the way tshark shows them: escapes resolved,
/// `\u` escapes that are not printable characters dropped, invalid ones as U+FFFD.
pub fn unescape(b: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&c) = b.get(i) else { break };
        i += 1;
        let simple = match c {
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            other => Some(other),
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let (cp, used) = unicode_escape(&b[i..]);
        i += used;
        match cp.and_then(char::from_u32) {
            Some(ch) if is_printable(ch) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            Some(_) => {}
            None => out.extend_from_slice("\u{fffd}".as_bytes()),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex4(b: &[u8]) -> Option<u32> {
    let h = b.get(..4)?;
    let s = std::str::from_utf8(h).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// The code point of the `\u` escape whose hex digits start `b` (joined with a following
/// `\uDC00`-`\uDFFF` escape when it is a lead surrogate), and the bytes it used; None for a
/// lone or broken surrogate.
fn unicode_escape(b: &[u8]) -> (Option<u32>, usize) {
    let Some(cp) = hex4(b) else {
        return (None, b.len().min(4));
    };
    match cp {
        0xd800..=0xdbff => {
            // tshark consumes the character after a lead surrogate even when it does not start
            // another escape.
            match (b.get(4), b.get(5)) {
                (Some(b'\\'), Some(b'u')) => match hex4(&b[6..]) {
                    Some(t @ 0xdc00..=0xdfff) => {
                        (Some(0x10000 + ((cp - 0xd800) << 10) + (t - 0xdc00)), 10)
                    }
                    _ => (None, b.len().min(10)),
                },
                (Some(_), Some(_)) => (None, 6),
                (Some(_), None) => (None, 5),
                _ => (None, 4),
            }
        }
        0xdc00..=0xdfff => (None, 4),
        _ => (Some(cp), 4),
    }
}

/// GLib's `g_unichar_isprint`, for the characters JSON escapes produce: not a control or
/// format character.
fn is_printable(c: char) -> bool {
    !c.is_control()
        && !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// What a value says about where it is: its path and the key it sits under (`[]` in arrays).
struct Place<'a> {
    path: &'a str,
    key: &'a str,
}

fn text(tvb: &Tvb, s: usize, e: usize) -> String {
    String::from_utf8_lossy(&tvb.data()[s..e]).into_owned()
}

fn emit(cx: &mut Cx, parent: NodeId, tvb: &Tvb, v: &Json, at: &Place) {
    let range = tvb.range(v.start, v.end - v.start);
    match &v.kind {
        Kind::Object(members) => {
            let n = cx.add(parent, &OBJECT, range, Value::None);
            for m in members {
                emit_member(cx, n, tvb, m, at.path);
            }
        }
        Kind::Array(items) => {
            let n = cx.add(parent, &ARRAY, range, Value::None);
            let path = format!("{}/[]", at.path);
            let inner = Place {
                path: &path,
                key: "[]",
            };
            for it in items {
                emit(cx, n, tvb, it, &inner);
            }
        }
        scalar => emit_scalar(cx, parent, tvb, v, scalar, at),
    }
}

fn emit_member(cx: &mut Cx, parent: NodeId, tvb: &Tvb, m: &Member, base: &str) {
    let key = unescape(&tvb.data()[m.key.0 + 1..m.key.1 - 1]);
    let n = cx.add(
        parent,
        &MEMBER,
        tvb.range(m.start, m.end - m.start),
        Value::str(key.clone()),
    );
    let path = format!("{base}/{key}");
    emit(
        cx,
        n,
        tvb,
        &m.value,
        &Place {
            path: &path,
            key: &key,
        },
    );
    cx.add(
        n,
        &KEY,
        tvb.range(m.key.0, m.key.1 - m.key.0),
        Value::str(key.clone()),
    );
    let r = tvb.range(m.start, m.end - m.start);
    cx.add_generated_at(n, &PATH, r, Value::str(path));
}

fn emit_scalar(cx: &mut Cx, parent: NodeId, tvb: &Tvb, v: &Json, kind: &Kind, at: &Place) {
    let range = tvb.range(v.start, v.end - v.start);
    let shown = match kind {
        Kind::String => unescape(&tvb.data()[v.start + 1..v.end - 1]),
        _ => text(tvb, v.start, v.end),
    };
    let pwv = format!("{}:{shown}", at.path);
    let mwv = format!("{}:{shown}", at.key);
    cx.add_generated_at(parent, &PATH_WITH_VALUE, range, Value::str(pwv));
    cx.add_generated_at(parent, &MEMBER_WITH_VALUE, range, Value::str(mwv));
    let (field, value) = match kind {
        Kind::String => (&VALUE_STRING, Value::str(shown)),
        Kind::Number => (&VALUE_NUMBER, Value::str(shown)),
        Kind::True => (&VALUE_TRUE, Value::None),
        Kind::False => (&VALUE_FALSE, Value::None),
        Kind::Null => (&VALUE_NULL, Value::None),
        _ => (&VALUE_NAN, Value::None),
    };
    cx.add(parent, field, range, value);
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let carrier = cx.columns.protocol.clone();
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.columns.protocol = carrier;
    cx.append_protocol("/", "JSON");
    if let Some(t) = cx.match_string.as_deref() {
        let label = format!("JavaScript Object Notation: {t}");
        cx.set_text(node, label);
    }
    if !cx.columns.info.is_empty() {
        cx.columns.info.push_str(", ");
    }
    cx.columns.info.push_str("JavaScript Object Notation");
    let (values, end) = parse(tvb.data());
    let top = Place { path: "", key: "" };
    for v in &values {
        emit(cx, node, tvb, v, &top);
    }
    cx.set_len(node, tvb, end);
    if end < tvb.len() {
        // What does not parse is shown as text, as tshark does.
        let rest = tvb.sub_from(end)?;
        cx.call(&super::text::PROTOCOL, &rest, parent);
    } else {
        super::info_media_type(cx);
    }
    Ok(())
}
