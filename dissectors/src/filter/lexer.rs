//! Splits a display filter into tokens with byte spans.
//!
//! As in Wireshark's scanner, an unquoted run of `[A-Za-z0-9_.:/-]` is one *word*: it may be a
//! field name (`ipv6.src`), a number (`0x11`, `-1`, `1.5`), an address (`fe80::/10`,
//! `10.0.0.0/8`), a byte string (`aa:bb:cc`) or a value name (`UDP`); the type checker decides
//! which from the field on the other side. A word stops before `..` so that `1..5` in a set is
//! three tokens. The inside of `[...]` after a field is kept as one raw slice token.

use super::error::FilterError;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Word(String),
    /// A double-quoted string, escapes resolved (may hold any bytes: `"\xff"`).
    Str(Vec<u8>),
    /// A single-quoted character constant: its code.
    Char(u32),
    /// The raw text between `[` and `]`.
    Slice(String),
    /// The layer selector after `#`: its digits, or the raw text between `#[` and `]`.
    Layer(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    DotDot,
    Cmp(CmpOp),
    Contains,
    Matches,
    In,
    Not,
    And,
    Or,
    Xor,
    BitAnd,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
}

/// Comparison operators, with Wireshark 4.0's meaning over fields that occur several times.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`, `eq`, `any_eq`: some occurrence equals.
    AnyEq,
    /// `!=`, `ne`, `all_ne`: every occurrence differs (false when the field is absent).
    AllNe,
    /// `===`, `all_eq`: every occurrence equals.
    AllEq,
    /// `!==`, `~=`, `any_ne`: some occurrence differs.
    AnyNe,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::AnyEq => "==",
            CmpOp::AllNe => "!=",
            CmpOp::AllEq => "===",
            CmpOp::AnyNe => "!==",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'/' | b'-')
}

fn keyword(w: &str) -> Option<Tok> {
    Some(match w {
        "and" => Tok::And,
        "or" => Tok::Or,
        "xor" => Tok::Xor,
        "not" => Tok::Not,
        "eq" | "any_eq" => Tok::Cmp(CmpOp::AnyEq),
        "ne" | "all_ne" => Tok::Cmp(CmpOp::AllNe),
        "all_eq" => Tok::Cmp(CmpOp::AllEq),
        "any_ne" => Tok::Cmp(CmpOp::AnyNe),
        "gt" => Tok::Cmp(CmpOp::Gt),
        "ge" => Tok::Cmp(CmpOp::Ge),
        "lt" => Tok::Cmp(CmpOp::Lt),
        "le" => Tok::Cmp(CmpOp::Le),
        "contains" => Tok::Contains,
        "matches" => Tok::Matches,
        "in" => Tok::In,
        _ => return None,
    })
}

/// Tokenizes `text`.
pub fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let (tok, len) = match operator(b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            Some(op) => op,
            None => lex_operand(text, i)?,
        };
        out.push(Token {
            tok,
            start: i,
            end: i + len,
        });
        i += len;
    }
    Ok(out)
}

/// Punctuation and operators: the token starting with `c` (followed by `two`, `three`) and its
/// length, or None when `c` starts an operand.
fn operator(c: u8, two: Option<u8>, three: Option<u8>) -> Option<(Tok, usize)> {
    Some(match c {
        b'(' => (Tok::LParen, 1),
        b')' => (Tok::RParen, 1),
        b'{' => (Tok::LBrace, 1),
        b'}' => (Tok::RBrace, 1),
        b',' => (Tok::Comma, 1),
        b'.' if two == Some(b'.') => (Tok::DotDot, 2),
        b'=' if two == Some(b'=') && three == Some(b'=') => (Tok::Cmp(CmpOp::AllEq), 3),
        b'=' if two == Some(b'=') => (Tok::Cmp(CmpOp::AnyEq), 2),
        b'!' if two == Some(b'=') && three == Some(b'=') => (Tok::Cmp(CmpOp::AnyNe), 3),
        b'!' if two == Some(b'=') => (Tok::Cmp(CmpOp::AllNe), 2),
        b'!' => (Tok::Not, 1),
        b'<' if two == Some(b'=') => (Tok::Cmp(CmpOp::Le), 2),
        b'<' => (Tok::Cmp(CmpOp::Lt), 1),
        b'>' if two == Some(b'=') => (Tok::Cmp(CmpOp::Ge), 2),
        b'>' => (Tok::Cmp(CmpOp::Gt), 1),
        b'~' if two == Some(b'=') => (Tok::Cmp(CmpOp::AnyNe), 2),
        b'~' => (Tok::Matches, 1),
        b'&' if two == Some(b'&') => (Tok::And, 2),
        b'&' => (Tok::BitAnd, 1),
        b'+' => (Tok::Plus, 1),
        b'*' => (Tok::Star, 1),
        b'%' => (Tok::Percent, 1),
        // Inside a word `-` and `/` belong to it (`aa-bb`, `10.0.0.0/8`, `-1`); on their own
        // or before a name they are arithmetic (`frame.len - 14`, `-udp.srcport`).
        b'-' if !two.is_some_and(|c| c.is_ascii_digit()) => (Tok::Minus, 1),
        b'/' => (Tok::Slash, 1),
        b'|' if two == Some(b'|') => (Tok::Or, 2),
        b'^' if two == Some(b'^') => (Tok::Xor, 2),
        _ => return None,
    })
}

/// A string, character, slice, layer selector or word at `i`, and its length.
fn lex_operand(text: &str, i: usize) -> Result<(Tok, usize), FilterError> {
    let b = text.as_bytes();
    match b[i] {
        b'"' => lex_string(text, i).map(|(s, len)| (Tok::Str(s), len)),
        // Raw strings (`r"\d+\.\w"`): no escapes, handy for regular expressions.
        b'r' if b.get(i + 1) == Some(&b'"') => match text[i + 2..].find('"') {
            Some(p) => Ok((Tok::Str(b[i + 2..i + 2 + p].to_vec()), p + 3)),
            None => Err(FilterError::new(
                "the string has no closing '\"'",
                i,
                text.len(),
            )),
        },
        b'\'' => lex_char(text, i).map(|(ch, len)| (Tok::Char(ch), len)),
        b'[' => bracketed(text, i).map(|(s, len)| (Tok::Slice(s), len)),
        b'#' => lex_layer(text, i),
        c if is_word_char(c) => Ok(lex_word(text, i)),
        _ => {
            let ch = text[i..].chars().next().unwrap_or('?');
            Err(FilterError::new(
                format!("unexpected character '{}'", ch.escape_default()),
                i,
                i + ch.len_utf8(),
            ))
        }
    }
}

/// The text inside `[...]` whose `[` is at `open`, and the length from `[` to `]` inclusive.
fn bracketed(text: &str, open: usize) -> Result<(String, usize), FilterError> {
    match text.as_bytes()[open + 1..].iter().position(|&x| x == b']') {
        Some(p) => Ok((text[open + 1..open + 1 + p].to_string(), p + 2)),
        None => Err(FilterError::new(
            "'[' has no matching ']'",
            open,
            text.len(),
        )),
    }
}

/// A layer selector: `#2` or `#[1-2]`.
fn lex_layer(text: &str, i: usize) -> Result<(Tok, usize), FilterError> {
    let b = text.as_bytes();
    if b.get(i + 1) == Some(&b'[') {
        return bracketed(text, i + 1).map(|(s, len)| (Tok::Layer(s), len + 1));
    }
    let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return Err(FilterError::new(
            "'#' must be followed by a layer number or a range in brackets",
            i,
            i + 1,
        ));
    }
    Ok((Tok::Layer(text[i + 1..i + 1 + n].to_string()), n + 1))
}

/// A keyword or a word (field name or unquoted literal) starting at `i`.
fn lex_word(text: &str, i: usize) -> (Tok, usize) {
    let b = text.as_bytes();
    let mut j = i;
    while j < b.len() && is_word_char(b[j]) {
        // `1..5`: the word ends before the range operator.
        if b[j] == b'.' && b.get(j + 1) == Some(&b'.') {
            break;
        }
        j += 1;
    }
    if j == i {
        // A word cannot start with `..` (an operator), so this is unreachable, but never loop
        // forever on it.
        j = i + 1;
    }
    let w = &text[i..j];
    (
        keyword(w).unwrap_or_else(|| Tok::Word(w.to_string())),
        j - i,
    )
}

/// Reads one escape after a backslash at `b[i]`; returns (bytes, length consumed including `\`).
fn lex_escape(text: &str, i: usize) -> Result<(Vec<u8>, usize), FilterError> {
    let b = text.as_bytes();
    let Some(&c) = b.get(i + 1) else {
        return Err(FilterError::new("unterminated escape sequence", i, i + 1));
    };
    let simple = |v: u8| Ok((vec![v], 2));
    match c {
        b'n' => simple(b'\n'),
        b't' => simple(b'\t'),
        b'r' => simple(b'\r'),
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'v' => simple(11),
        b'0'..=b'7' => {
            let mut v: u32 = 0;
            let mut j = i + 1;
            while j < b.len() && j < i + 4 && (b'0'..=b'7').contains(&b[j]) {
                v = v * 8 + (b[j] - b'0') as u32;
                j += 1;
            }
            if v > 255 {
                return Err(FilterError::new(
                    format!("octal escape '{}' is larger than a byte", &text[i..j]),
                    i,
                    j,
                ));
            }
            Ok((vec![v as u8], j - i))
        }
        b'x' => {
            let mut v: u32 = 0;
            let mut j = i + 2;
            while j < b.len() && j < i + 4 && b[j].is_ascii_hexdigit() {
                v = v * 16 + (b[j] as char).to_digit(16).unwrap_or(0);
                j += 1;
            }
            if j == i + 2 {
                return Err(FilterError::new(
                    "'\\x' must be followed by hex digits",
                    i,
                    j,
                ));
            }
            Ok((vec![v as u8], j - i))
        }
        b'u' | b'U' => {
            let n = if c == b'u' { 4 } else { 8 };
            let digits = text.get(i + 2..i + 2 + n).unwrap_or("");
            let cp = (digits.len() == n && digits.bytes().all(|d| d.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(digits, 16).ok())
                .flatten()
                .and_then(char::from_u32);
            match cp {
                Some(ch) => {
                    let mut buf = [0u8; 4];
                    Ok((ch.encode_utf8(&mut buf).as_bytes().to_vec(), 2 + n))
                }
                None => Err(FilterError::new(
                    format!(
                        "'{}' is not a valid universal character name",
                        text.get(i..(i + 2 + n).min(text.len())).unwrap_or("\\u")
                    ),
                    i,
                    (i + 2 + n).min(text.len()),
                )),
            }
        }
        _ => {
            // `\"`, `\\`, `\'` and any other character stand for themselves.
            let ch = text[i + 1..].chars().next().unwrap_or('\\');
            let mut buf = [0u8; 4];
            Ok((
                ch.encode_utf8(&mut buf).as_bytes().to_vec(),
                1 + ch.len_utf8(),
            ))
        }
    }
}

fn lex_string(text: &str, start: usize) -> Result<(Vec<u8>, usize), FilterError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok((out, i + 1 - start)),
            b'\\' => {
                let (bytes, n) = lex_escape(text, i)?;
                out.extend_from_slice(&bytes);
                i += n;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(FilterError::new(
        "the string has no closing '\"'",
        start,
        text.len(),
    ))
}

fn lex_char(text: &str, start: usize) -> Result<(u32, usize), FilterError> {
    let b = text.as_bytes();
    let (value, n) = match b.get(start + 1) {
        Some(b'\\') => {
            let (bytes, n) = lex_escape(text, start + 1)?;
            let v = match std::str::from_utf8(&bytes) {
                Ok(s) if s.chars().count() == 1 => s.chars().next().map_or(0, |c| c as u32),
                _ => bytes.first().copied().unwrap_or(0) as u32,
            };
            (v, n)
        }
        Some(b'\'') | None => {
            return Err(FilterError::new(
                "a character constant needs one character between quotes",
                start,
                (start + 2).min(text.len()),
            ))
        }
        Some(_) => {
            let ch = text[start + 1..].chars().next().unwrap_or('\0');
            (ch as u32, ch.len_utf8())
        }
    };
    let close = start + 1 + n;
    if b.get(close) != Some(&b'\'') {
        return Err(FilterError::new(
            "a character constant needs a closing \"'\"",
            start,
            close.min(text.len()),
        ));
    }
    Ok((value, close + 1 - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_operators_and_sets() {
        assert_eq!(
            toks("ipv6.src == fe80::/10 && !udp"),
            vec![
                Tok::Word("ipv6.src".into()),
                Tok::Cmp(CmpOp::AnyEq),
                Tok::Word("fe80::/10".into()),
                Tok::And,
                Tok::Not,
                Tok::Word("udp".into()),
            ]
        );
        assert_eq!(
            toks("x in {1..5, 7}"),
            vec![
                Tok::Word("x".into()),
                Tok::In,
                Tok::LBrace,
                Tok::Word("1".into()),
                Tok::DotDot,
                Tok::Word("5".into()),
                Tok::Comma,
                Tok::Word("7".into()),
                Tok::RBrace,
            ]
        );
        assert_eq!(
            toks("a !== b ~= c === d ~ e & f ^^ g || h"),
            vec![
                Tok::Word("a".into()),
                Tok::Cmp(CmpOp::AnyNe),
                Tok::Word("b".into()),
                Tok::Cmp(CmpOp::AnyNe),
                Tok::Word("c".into()),
                Tok::Cmp(CmpOp::AllEq),
                Tok::Word("d".into()),
                Tok::Matches,
                Tok::Word("e".into()),
                Tok::BitAnd,
                Tok::Word("f".into()),
                Tok::Xor,
                Tok::Word("g".into()),
                Tok::Or,
                Tok::Word("h".into()),
            ]
        );
        assert_eq!(
            toks("eth.src[-2:]"),
            vec![Tok::Word("eth.src".into()), Tok::Slice("-2:".into())]
        );
    }

    #[test]
    fn strings_and_chars_resolve_escapes() {
        assert_eq!(toks(r#"r"\d+\.""#), vec![Tok::Str(br"\d+\.".to_vec())]);
        assert_eq!(toks("ipv6.addr"), vec![Tok::Word("ipv6.addr".into())]);
        assert!(lex(r#"x == r"abc"#).is_err());
        assert_eq!(
            toks(r#""a\x41\101\n\"\u00e9""#),
            vec![Tok::Str(b"aAA\n\"\xc3\xa9".to_vec())]
        );
        assert_eq!(
            toks(r"'A' '\n' '\x41'"),
            vec![Tok::Char(65), Tok::Char(10), Tok::Char(65)]
        );
        let t = lex("x == \"ab\"").unwrap();
        assert_eq!((t[2].start, t[2].end), (5, 9));
    }

    #[test]
    fn lexer_errors_have_spans() {
        let e = lex("a == \"abc").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.start, e.end),
            ("the string has no closing '\"'", 5, 9)
        );
        let e = lex("frame[1:2").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.start),
            ("'[' has no matching ']'", 5)
        );
        let e = lex("a == $").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.start, e.end),
            ("unexpected character '$'", 5, 6)
        );
        let e = lex(r#"a == "\u12""#).unwrap_err();
        assert!(
            e.message.contains("not a valid universal character name"),
            "{}",
            e.message
        );
        let e = lex(r#"a == "\x""#).unwrap_err();
        assert_eq!(e.message, "'\\x' must be followed by hex digits");
        let e = lex(r#"a == "\777""#).unwrap_err();
        assert_eq!(e.message, "octal escape '\\777' is larger than a byte");
        let e = lex("a == ''").unwrap_err();
        assert_eq!(
            e.message,
            "a character constant needs one character between quotes"
        );
        let e = lex("a == 'ab'").unwrap_err();
        assert_eq!(e.message, "a character constant needs a closing \"'\"");
        let e = lex("a == \"\\").unwrap_err();
        assert_eq!(e.message, "unterminated escape sequence");
    }
}
