//! The tokens tshark's XML dissector reads (its `tvbparse` grammar): markup pieces and text,
//! each with its byte range. It is not a conforming XML parser and does not try to be: it
//! reads fragments (a stanza cut from a stream, a closing tag whose opening was in another
//! packet) one token at a time, the way tshark does, so the tree matches tshark's.
//!
//! ```text
//! <!-- … -->            Comment             <![CDATA[ … ]]>      CDataSection
//! <?name attrs ?>       Pi                   </name>              Close
//! <!DOCTYPE name [      Doctype (open)       <!DOCTYPE n SYSTEM…> Doctype (closed)
//! ]>                    DtdClose             <! … >               DtdTag
//! <name attrs> | />     Open                 text up to '<'       Text
//! anything else up to white space: Unrecognized
//! ```
//! White space between tokens (and between the parts of a tag) is skipped.

/// A byte range `(start, end)` in the scanned text.
type Span = (usize, usize);

/// An attribute: its whole text (`a='1'`), its name and the value without quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr {
    pub start: usize,
    pub end: usize,
    pub name: (usize, usize),
    pub value: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Comment,
    CDataSection,
    /// `<?name …?>`: the name's range, the attributes, where `?>` starts.
    Pi {
        name: (usize, usize),
        attrs: Vec<Attr>,
        close: usize,
    },
    /// `</name>`.
    Close,
    /// `<!DOCTYPE name …`: the name's range; `open` when a `[` internal subset follows.
    Doctype {
        name: (usize, usize),
        open: bool,
    },
    /// `]>`.
    DtdClose,
    /// `<! … >`.
    DtdTag,
    /// `<name …>` or `<name …/>`: the name (with its prefix), the prefix's range when the name is
    /// `prefix:local`, the attributes, and whether it closes itself.
    Open {
        name: (usize, usize),
        prefix: Option<(usize, usize)>,
        attrs: Vec<Attr>,
        empty: bool,
    },
    Text,
    Unrecognized,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_')
}

/// Reads tokens from `b` until its end.
pub struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(b: &'a [u8]) -> Lexer<'a> {
        Lexer { b, pos: 0 }
    }

    fn skip_ws(&self, mut p: usize) -> usize {
        while p < self.b.len() && is_ws(self.b[p]) {
            p += 1;
        }
        p
    }

    fn lit(&self, p: usize, s: &[u8]) -> Option<usize> {
        self.b[p.min(self.b.len())..]
            .starts_with(s)
            .then_some(p + s.len())
    }

    /// After white space, the literal `s` (case-insensitive when `nocase`).
    fn word(&self, p: usize, s: &[u8], nocase: bool) -> Option<usize> {
        let p = self.skip_ws(p);
        let got = self.b.get(p..p + s.len())?;
        let ok = if nocase {
            got.eq_ignore_ascii_case(s)
        } else {
            got == s
        };
        ok.then_some(p + s.len())
    }

    /// Up to and including `end`.
    fn until(&self, p: usize, end: &[u8]) -> Option<usize> {
        let rest = self.b.get(p..)?;
        rest.windows(end.len())
            .position(|w| w == end)
            .map(|i| p + i + end.len())
    }

    /// A run of name characters (and `:` when `colon`), after white space.
    fn name(&self, p: usize, colon: bool) -> Option<(usize, usize)> {
        let s = self.skip_ws(p);
        let mut e = s;
        while e < self.b.len() && (is_name(self.b[e]) || colon && self.b[e] == b':') {
            e += 1;
        }
        (e > s).then_some((s, e))
    }

    /// A tag name: `prefix:local` or `local`; returns (whole, prefix).
    fn tag_name(&self, p: usize) -> Option<(Span, Option<Span>)> {
        let first = self.name(p, false)?;
        if self.b.get(first.1) == Some(&b':') {
            if let Some(local) = self.name(first.1 + 1, false).filter(|l| l.0 == first.1 + 1) {
                return Some(((first.0, local.1), Some(first)));
            }
        }
        Some((first, None))
    }

    /// An attribute value: quoted (with `\` escapes), digits or name characters; returns its
    /// range without quotes and where it ends.
    fn attr_value(&self, p: usize) -> Option<((usize, usize), usize)> {
        let p = self.skip_ws(p);
        match *self.b.get(p)? {
            q @ (b'"' | b'\'') => {
                let mut i = p + 1;
                loop {
                    match *self.b.get(i)? {
                        b'\\' => i += 2,
                        c if c == q => return Some(((p + 1, i), i + 1)),
                        _ => i += 1,
                    }
                }
            }
            _ => {
                let (s, e) = self.name(p, false)?;
                Some(((s, e), e))
            }
        }
    }

    /// Zero or more `name=value` attributes; returns them and where they end.
    fn attrs(&self, mut p: usize) -> (Vec<Attr>, usize) {
        let mut out = vec![];
        while let Some(a) = self.attr(p) {
            p = a.end;
            out.push(a);
        }
        (out, p)
    }

    fn attr(&self, p: usize) -> Option<Attr> {
        let name = self.name(p, true)?;
        let eq = self.word(name.1, b"=", false)?;
        let (value, end) = self.attr_value(eq)?;
        Some(Attr {
            start: name.0,
            end,
            name,
            value,
        })
    }

    fn pi(&self, p: usize) -> Option<(Kind, usize)> {
        let after = self.lit(p, b"<?")?;
        let name = self.name(after, false)?;
        let (attrs, at) = self.attrs(name.1);
        let close_at = self.skip_ws(at);
        let end = self.lit(close_at, b"?>")?;
        Some((
            Kind::Pi {
                name,
                attrs,
                close: close_at,
            },
            end,
        ))
    }

    fn close(&self, p: usize) -> Option<(Kind, usize)> {
        let a = self.lit(p, b"<")?;
        let b = self.word(a, b"/", false)?;
        let (name, _) = self.tag_name(b)?;
        let end = self.word(name.1, b">", false)?;
        Some((Kind::Close, end))
    }

    fn doctype(&self, p: usize) -> Option<(Kind, usize)> {
        let a = self.lit(p, b"<")?;
        let b = self.word(a, b"!", false)?;
        let c = self.word(b, b"DOCTYPE", true)?;
        let name = self.name(c, false)?;
        if let Some(end) = self.word(name.1, b"[", false) {
            return Some((Kind::Doctype { name, open: true }, end));
        }
        let kw = self
            .word(name.1, b"PUBLIC", true)
            .or_else(|| self.word(name.1, b"SYSTEM", true))?;
        let end = self.until(kw, b">")?;
        Some((Kind::Doctype { name, open: false }, end))
    }

    fn open(&self, p: usize) -> Option<(Kind, usize)> {
        let a = self.lit(p, b"<")?;
        let (name, prefix) = self.tag_name(a)?;
        let (attrs, at) = self.attrs(name.1);
        let (empty, end) = match self.word(at, b">", false) {
            Some(e) => (false, e),
            None => (true, self.word(at, b"/>", false)?),
        };
        Some((
            Kind::Open {
                name,
                prefix,
                attrs,
                empty,
            },
            end,
        ))
    }

    /// The token at `p` (white space already skipped), in the order tshark tries them.
    fn token_at(&self, p: usize) -> (Kind, usize) {
        let simple = |k: Kind, end: Option<usize>| end.map(|e| (k, e));
        let found = simple(
            Kind::Comment,
            self.lit(p, b"<!--").and_then(|a| self.until(a, b"-->")),
        )
        .or_else(|| {
            simple(
                Kind::CDataSection,
                self.lit(p, b"<![CDATA[")
                    .and_then(|a| self.until(a, b"]]>")),
            )
        })
        .or_else(|| self.pi(p))
        .or_else(|| self.close(p))
        .or_else(|| self.doctype(p))
        .or_else(|| {
            simple(
                Kind::DtdClose,
                self.lit(p, b"]").and_then(|a| self.word(a, b">", false)),
            )
        })
        .or_else(|| {
            simple(
                Kind::DtdTag,
                self.lit(p, b"<")
                    .and_then(|a| self.word(a, b"!", false))
                    .and_then(|a| self.until(a, b">")),
            )
        })
        .or_else(|| self.open(p));
        if let Some(t) = found {
            return t;
        }
        let run = |stop: fn(u8) -> bool| {
            let mut e = p;
            while e < self.b.len() && !stop(self.b[e]) {
                e += 1;
            }
            e
        };
        let text_end = run(|c| c == b'<');
        if text_end > p {
            return (Kind::Text, text_end);
        }
        (Kind::Unrecognized, run(is_ws).max(p + 1))
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let start = self.skip_ws(self.pos);
        if start >= self.b.len() {
            self.pos = start;
            return None;
        }
        let (kind, end) = self.token_at(start);
        self.pos = end;
        Some(Token { start, end, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Kind> {
        Lexer::new(s.as_bytes()).map(|t| t.kind).collect()
    }

    #[test]
    fn markup_and_text() {
        let k = kinds("<?xml version='1.0'?><a x=\"1\" y=2><b/>hi</a><!-- c -->");
        assert!(matches!(&k[0], Kind::Pi { attrs, .. } if attrs.len() == 1));
        assert!(matches!(&k[1], Kind::Open { attrs, empty: false, .. } if attrs.len() == 2));
        assert!(matches!(&k[2], Kind::Open { empty: true, .. }));
        assert_eq!(k[3..], [Kind::Text, Kind::Close, Kind::Comment]);
    }

    #[test]
    fn prefixed_names_and_fragments() {
        let s = b"</query></iq><stream:stream to='x'>";
        let t: Vec<Token> = Lexer::new(s).collect();
        assert_eq!(t[0].kind, Kind::Close);
        let Kind::Open {
            prefix: Some((a, b)),
            name,
            ..
        } = t[2].kind.clone()
        else {
            panic!("{:?}", t[2]);
        };
        assert_eq!(
            (&s[a..b], &s[name.0..name.1]),
            (&b"stream"[..], &b"stream:stream"[..])
        );
        // A tag that does not parse is unrecognized up to white space.
        assert_eq!(kinds("<a b>")[0], Kind::Unrecognized);
        assert_eq!(kinds("<")[0], Kind::Unrecognized);
    }
}
