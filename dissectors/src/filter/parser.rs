//! Parses tokens into an expression tree, with Wireshark's precedence (loosest first):
//! `or`/`||`, `xor`/`^^`, `and`/`&&`, `not`/`!`, then relations (`==`, `contains`, `in`, …).
//! `and`, `or` and `xor` chains are kept flat (n-ary) so long filters do not nest deeply;
//! parentheses and `not` are limited to [`MAX_DEPTH`] levels so hostile input cannot overflow
//! the stack.

use super::error::FilterError;
use super::lexer::{CmpOp, Tok, Token};

/// Deepest nesting of parentheses, `not` and function calls accepted.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    Xor(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    /// A bare field, protocol, slice or bit test (`udp`, `frame[0:2]`, `tcp.flags & 0x02`).
    Test(Operand),
    Cmp {
        op: CmpOp,
        lhs: Operand,
        rhs: Operand,
        op_span: (usize, usize),
    },
    Contains(Operand, Operand),
    Matches(Operand, Operand),
    In {
        lhs: Operand,
        set: Vec<SetElem>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// An unquoted word: a field, or a literal typed by the other side. `slice` is the raw text
    /// of a following `[...]` and its span.
    Word {
        text: String,
        start: usize,
        end: usize,
        slice: Option<(String, usize, usize)>,
        /// The raw text of a `#n` / `#[...]` layer selector and its span.
        layer: Option<(String, usize, usize)>,
    },
    Str {
        bytes: Vec<u8>,
        start: usize,
        end: usize,
    },
    Char {
        value: u32,
        start: usize,
        end: usize,
    },
    Call {
        name: String,
        name_span: (usize, usize),
        args: Vec<Operand>,
        end: usize,
    },
    /// Arithmetic and bitwise and: `frame.len - 14`, `tcp.flags & 0x02`.
    Arith(ArithOp, Box<Operand>, Box<Operand>),
    /// Unary minus, with the position of the `-`.
    Neg(Box<Operand>, usize),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ArithOp {
    BitAnd,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::BitAnd => "&",
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

impl Operand {
    pub fn span(&self) -> (usize, usize) {
        match self {
            Operand::Word {
                start,
                end,
                slice,
                layer,
                ..
            } => {
                let e = slice.as_ref().map_or(*end, |s| s.2);
                (*start, layer.as_ref().map_or(e, |l| l.2.max(e)))
            }
            Operand::Str { start, end, .. } | Operand::Char { start, end, .. } => (*start, *end),
            Operand::Call { name_span, end, .. } => (name_span.0, *end),
            Operand::Arith(_, a, b) => (a.span().0, b.span().1),
            Operand::Neg(a, start) => (*start, a.span().1),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetElem {
    One(Operand),
    Range(Operand, Operand),
}

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Token],
    pos: usize,
    depth: usize,
    /// Binary arithmetic operators seen; chains nest left-deep, so they count as depth.
    arith: usize,
}

/// Parses a token list (from [`super::lexer::lex`]) of `text`.
pub fn parse(text: &str, toks: &[Token]) -> Result<Expr, FilterError> {
    let mut p = Parser {
        text,
        toks,
        pos: 0,
        depth: 0,
        arith: 0,
    };
    let e = p.or_expr()?;
    if let Some(t) = p.peek_token() {
        return Err(p.unexpected(t));
    }
    Ok(e)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_token(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn eof_error(&self) -> FilterError {
        let n = self.text.len();
        FilterError::new("unexpected end of filter", n, n)
    }

    fn unexpected(&self, t: &Token) -> FilterError {
        let src = self.text.get(t.start..t.end).unwrap_or("?");
        FilterError::new(
            format!("'{src}' was unexpected in this context"),
            t.start,
            t.end,
        )
    }

    fn enter(&mut self, start: usize) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                format!("the filter nests more than {MAX_DEPTH} levels deep"),
                start,
                start + 1,
            ));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Expr, FilterError> {
        self.chain(Tok::Or, Self::xor_expr, Expr::Or)
    }

    fn xor_expr(&mut self) -> Result<Expr, FilterError> {
        self.chain(Tok::Xor, Self::and_expr, Expr::Xor)
    }

    fn and_expr(&mut self) -> Result<Expr, FilterError> {
        self.chain(Tok::And, Self::unary, Expr::And)
    }

    /// One precedence level: operands of the next tighter level joined by `op`, kept flat
    /// (n-ary) and unwrapped when there is only one.
    fn chain(
        &mut self,
        op: Tok,
        next: fn(&mut Self) -> Result<Expr, FilterError>,
        build: fn(Vec<Expr>) -> Expr,
    ) -> Result<Expr, FilterError> {
        let mut v = vec![next(self)?];
        while self.peek() == Some(&op) {
            self.pos += 1;
            v.push(next(self)?);
        }
        Ok(match v.len() {
            1 => v.pop().unwrap_or_else(|| build(vec![])),
            _ => build(v),
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        match self.peek_token() {
            None => Err(self.eof_error()),
            Some(t) if t.tok == Tok::Not => {
                self.pos += 1;
                self.enter(t.start)?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(e)))
            }
            Some(t) if t.tok == Tok::LParen => {
                self.pos += 1;
                self.enter(t.start)?;
                let e = self.or_expr()?;
                self.depth -= 1;
                match self.bump() {
                    Some(c) if c.tok == Tok::RParen => Ok(e),
                    Some(c) => Err(self.unexpected(c)),
                    None => Err(FilterError::new("'(' has no matching ')'", t.start, t.end)),
                }
            }
            Some(_) => self.relation(),
        }
    }

    fn relation(&mut self) -> Result<Expr, FilterError> {
        let lhs = self.operand()?;
        let Some(t) = self.peek_token() else {
            return Ok(Expr::Test(lhs));
        };
        match &t.tok {
            Tok::Cmp(op) => {
                self.pos += 1;
                let rhs = self.operand()?;
                Ok(Expr::Cmp {
                    op: *op,
                    lhs,
                    rhs,
                    op_span: (t.start, t.end),
                })
            }
            Tok::Contains => {
                self.pos += 1;
                Ok(Expr::Contains(lhs, self.operand()?))
            }
            Tok::Matches => {
                self.pos += 1;
                Ok(Expr::Matches(lhs, self.operand()?))
            }
            Tok::In => {
                self.pos += 1;
                let set = self.set()?;
                Ok(Expr::In { lhs, set })
            }
            Tok::Not if matches!(self.toks.get(self.pos + 1), Some(n) if n.tok == Tok::In) => {
                self.pos += 2;
                let set = self.set()?;
                Ok(Expr::Not(Box::new(Expr::In { lhs, set })))
            }
            _ => Ok(Expr::Test(lhs)),
        }
    }

    fn set(&mut self) -> Result<Vec<SetElem>, FilterError> {
        match self.bump() {
            Some(t) if t.tok == Tok::LBrace => {}
            Some(t) => return Err(self.unexpected(t)),
            None => return Err(self.eof_error()),
        }
        let mut out = vec![];
        loop {
            match self.peek_token() {
                None => return Err(self.eof_error()),
                Some(t) if t.tok == Tok::RBrace => {
                    if out.is_empty() {
                        return Err(FilterError::new(
                            "a set needs at least one element",
                            t.start,
                            t.end,
                        ));
                    }
                    self.pos += 1;
                    return Ok(out);
                }
                Some(t) if t.tok == Tok::Comma && !out.is_empty() => {
                    // Wireshark 4.0 wants commas between elements; spaces alone are accepted too.
                    self.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let a = self.value()?;
            if self.peek() == Some(&Tok::DotDot) {
                self.pos += 1;
                let b = self.value()?;
                out.push(SetElem::Range(a, b));
            } else {
                out.push(SetElem::One(a));
            }
        }
    }

    /// A literal or field in a set.
    fn value(&mut self) -> Result<Operand, FilterError> {
        self.operand()
    }

    fn count_arith(&mut self) -> Result<(), FilterError> {
        self.arith += 1;
        if self.arith > MAX_DEPTH {
            let (start, end) = self
                .toks
                .get(self.pos.saturating_sub(1))
                .map_or((0, 0), |t| (t.start, t.end));
            return Err(FilterError::new(
                format!("the filter has more than {MAX_DEPTH} arithmetic operators"),
                start,
                end,
            ));
        }
        Ok(())
    }

    /// Operands with arithmetic, loosest first: `&`, then `+ -`, then `* / %`, then unary `-`.
    fn operand(&mut self) -> Result<Operand, FilterError> {
        self.arith_level(
            |t| (*t == Tok::BitAnd).then_some(ArithOp::BitAnd),
            Self::sum,
        )
    }

    fn sum(&mut self) -> Result<Operand, FilterError> {
        let ops = |t: &Tok| match t {
            Tok::Plus => Some(ArithOp::Add),
            Tok::Minus => Some(ArithOp::Sub),
            _ => None,
        };
        self.arith_level(ops, Self::product)
    }

    fn product(&mut self) -> Result<Operand, FilterError> {
        let ops = |t: &Tok| match t {
            Tok::Star => Some(ArithOp::Mul),
            Tok::Slash => Some(ArithOp::Div),
            Tok::Percent => Some(ArithOp::Mod),
            _ => None,
        };
        self.arith_level(ops, Self::unary_minus)
    }

    /// One level of left-associative arithmetic: operands of the tighter level `next`, joined
    /// by the tokens `op` names an operator.
    fn arith_level(
        &mut self,
        op: fn(&Tok) -> Option<ArithOp>,
        next: fn(&mut Self) -> Result<Operand, FilterError>,
    ) -> Result<Operand, FilterError> {
        let mut a = next(self)?;
        while let Some(op) = self.peek().and_then(op) {
            self.pos += 1;
            self.count_arith()?;
            let b = next(self)?;
            a = Operand::Arith(op, Box::new(a), Box::new(b));
        }
        Ok(a)
    }

    fn unary_minus(&mut self) -> Result<Operand, FilterError> {
        match self.peek_token() {
            Some(t) if t.tok == Tok::Minus => {
                self.pos += 1;
                self.enter(t.start)?;
                let a = self.unary_minus()?;
                self.depth -= 1;
                Ok(Operand::Neg(Box::new(a), t.start))
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Operand, FilterError> {
        let Some(t) = self.bump() else {
            return Err(self.eof_error());
        };
        match &t.tok {
            Tok::Word(w) => {
                if self.peek() == Some(&Tok::LParen) {
                    return self.call(w, t);
                }
                let layer = self.suffix(|t| match t {
                    Tok::Layer(s) => Some(s),
                    _ => None,
                });
                let slice = self.suffix(|t| match t {
                    Tok::Slice(s) => Some(s),
                    _ => None,
                });
                Ok(Operand::Word {
                    text: w.clone(),
                    start: t.start,
                    end: t.end,
                    slice,
                    layer,
                })
            }
            Tok::Str(b) => Ok(Operand::Str {
                bytes: b.clone(),
                start: t.start,
                end: t.end,
            }),
            Tok::Char(c) => Ok(Operand::Char {
                value: *c,
                start: t.start,
                end: t.end,
            }),
            // `{a + b}`: braces group arithmetic (parentheses group logic).
            Tok::LBrace => {
                self.enter(t.start)?;
                let a = self.operand()?;
                self.depth -= 1;
                match self.bump() {
                    Some(c) if c.tok == Tok::RBrace => Ok(a),
                    Some(c) => Err(self.unexpected(c)),
                    None => Err(self.eof_error()),
                }
            }
            _ => Err(self.unexpected(t)),
        }
    }

    /// The raw text and span of the `#` layer selector or `[...]` slice (whichever `text_of`
    /// reads) that follows a field name, taken when it comes next.
    fn suffix(&mut self, text_of: fn(&Tok) -> Option<&String>) -> Option<(String, usize, usize)> {
        let t = self.peek_token()?;
        let text = text_of(&t.tok)?.clone();
        self.pos += 1;
        Some((text, t.start, t.end))
    }

    fn call(&mut self, name: &str, name_tok: &Token) -> Result<Operand, FilterError> {
        self.pos += 1; // '('
        self.enter(name_tok.start)?;
        let mut args = vec![];
        let end;
        loop {
            match self.peek_token() {
                None => return Err(self.eof_error()),
                Some(t) if t.tok == Tok::RParen => {
                    self.pos += 1;
                    end = t.end;
                    break;
                }
                Some(t) if t.tok == Tok::Comma && !args.is_empty() => {
                    self.pos += 1;
                }
                Some(_) => {}
            }
            if !args.is_empty() && self.toks.get(self.pos - 1).map(|t| &t.tok) != Some(&Tok::Comma)
            {
                let t = self.toks.get(self.pos).ok_or_else(|| self.eof_error())?;
                return Err(self.unexpected(t));
            }
            args.push(self.operand()?);
        }
        self.depth -= 1;
        Ok(Operand::Call {
            name: name.to_string(),
            name_span: (name_tok.start, name_tok.end),
            args,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn p(s: &str) -> Result<Expr, FilterError> {
        parse(s, &lex(s)?)
    }

    fn word(e: &Expr) -> String {
        match e {
            Expr::Test(Operand::Word { text, .. }) => text.clone(),
            Expr::Or(v) => format!("or({})", v.iter().map(word).collect::<Vec<_>>().join(",")),
            Expr::Xor(v) => format!("xor({})", v.iter().map(word).collect::<Vec<_>>().join(",")),
            Expr::And(v) => format!("and({})", v.iter().map(word).collect::<Vec<_>>().join(",")),
            Expr::Not(e) => format!("not({})", word(e)),
            _ => "?".into(),
        }
    }

    #[test]
    fn precedence_is_wiresharks() {
        assert_eq!(word(&p("a and b or c").unwrap()), "or(and(a,b),c)");
        assert_eq!(word(&p("a || b && c").unwrap()), "or(a,and(b,c))");
        assert_eq!(
            word(&p("a or b xor c and d").unwrap()),
            "or(a,xor(b,and(c,d)))"
        );
        assert_eq!(word(&p("not a and b").unwrap()), "and(not(a),b)");
        assert_eq!(word(&p("!(a or b) ^^ c").unwrap()), "xor(not(or(a,b)),c)");
        assert_eq!(word(&p("a and b and c").unwrap()), "and(a,b,c)");
    }

    #[test]
    fn relations_sets_calls_slices() {
        match p("frame.number not in {1, 3..5 7}").unwrap() {
            Expr::Not(e) => match *e {
                Expr::In { set, .. } => assert_eq!(set.len(), 3),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
        match p("len(eth.src[0:2]) >= 2").unwrap() {
            Expr::Cmp {
                op,
                lhs: Operand::Call { name, args, .. },
                ..
            } => {
                assert_eq!((op, name.as_str(), args.len()), (CmpOp::Ge, "len", 1));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            p("tcp.flags & 0x02").unwrap(),
            Expr::Test(Operand::Arith(ArithOp::BitAnd, ..))
        ));
        assert!(
            matches!(p("f(a, b)").unwrap(), Expr::Test(Operand::Call { ref args, .. }) if args.len() == 2)
        );
    }

    #[test]
    fn parse_errors_have_spans() {
        let e = p("frame.number ==").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.start, e.end),
            ("unexpected end of filter", 15, 15)
        );
        let e = p("frame.number == 1)").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.start),
            ("')' was unexpected in this context", 17)
        );
        let e = p("(udp").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.start, e.end),
            ("'(' has no matching ')'", 0, 1)
        );
        let e = p("(udp tcp").unwrap_err();
        assert_eq!(e.message, "'tcp' was unexpected in this context");
        let e = p("a in {}").unwrap_err();
        assert_eq!(e.message, "a set needs at least one element");
        let e = p("a in 1").unwrap_err();
        assert_eq!(e.message, "'1' was unexpected in this context");
        let e = p(&"(".repeat(100)).unwrap_err();
        assert_eq!(e.message, "the filter nests more than 64 levels deep");
        let e = p(&"!".repeat(100)).unwrap_err();
        assert_eq!(e.message, "the filter nests more than 64 levels deep");
        let e = p(&format!("a == 1{}", " + 1".repeat(100))).unwrap_err();
        assert_eq!(
            e.message,
            "the filter has more than 64 arithmetic operators"
        );
        let e = p(&format!("a == {}1", "-".repeat(100))).unwrap_err();
        assert_eq!(e.message, "the filter nests more than 64 levels deep");
        let e = p("f(a b)").unwrap_err();
        assert_eq!(e.message, "'b' was unexpected in this context");
        let e = p("== 1").unwrap_err();
        assert_eq!(e.message, "'==' was unexpected in this context");
        let e = p("").unwrap_err();
        assert_eq!(e.message, "unexpected end of filter");
    }
}
