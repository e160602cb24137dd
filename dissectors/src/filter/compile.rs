//! Type checking and compilation: resolves words to fields or literals, parses every literal by
//! the type of the field it is compared with (as Wireshark does: `ip.proto == UDP`,
//! `eth.src == aa-bb-cc-dd-ee-ff`, `ipv6.src == fe80::/10`), checks operator/type combinations,
//! compiles regular expressions, and produces a [`Prog`].

use super::error::{suggest, FilterError};
use super::eval::{FieldSel, Lit, Prog, SetItem, SliceEnd, SliceRange, Src};
use super::parser::{ArithOp, Expr, Operand, SetElem};
use crate::engine::field::{FieldDef, FieldType, Strings};
use crate::engine::registry::Registry;
use crate::engine::value::days_from_civil;

/// What kind of value an operand yields, for type checking.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Class {
    Int,
    Bool,
    Float,
    RelTime,
    AbsTime,
    /// Byte sequences: FT_BYTES, protocols, labels and every slice.
    Bytes,
    Str,
    Ipv4,
    Ipv6,
    Ether,
    Eui64,
}

impl Class {
    fn of(t: FieldType) -> Class {
        match t {
            FieldType::Protocol | FieldType::None | FieldType::Bytes => Class::Bytes,
            FieldType::Bool => Class::Bool,
            FieldType::Float | FieldType::Double => Class::Float,
            FieldType::AbsTime => Class::AbsTime,
            FieldType::RelTime => Class::RelTime,
            FieldType::String => Class::Str,
            FieldType::Ipv4 => Class::Ipv4,
            FieldType::Ipv6 => Class::Ipv6,
            FieldType::Ether => Class::Ether,
            FieldType::Eui64 => Class::Eui64,
            _ => Class::Int,
        }
    }

    fn byte_like(self) -> bool {
        matches!(
            self,
            Class::Bytes | Class::Str | Class::Ether | Class::Eui64
        )
    }

    fn compatible(self, other: Class) -> bool {
        let addr = |c: Class| matches!(c, Class::Ipv4 | Class::Ipv6);
        self == other
            || (self.byte_like() && other.byte_like())
            // `ip[12:4] == ip.src`: tshark compares an address with bytes as its octets.
            || (self == Class::Bytes && addr(other))
            || (addr(self) && other == Class::Bytes)
            || (matches!(self, Class::Int | Class::Bool)
                && matches!(other, Class::Int | Class::Bool))
    }
}

/// tshark's description of a field type, for messages.
pub fn type_desc(t: FieldType) -> String {
    match t {
        FieldType::Protocol => "Protocol".into(),
        FieldType::None => "Label".into(),
        FieldType::Bool => "Boolean".into(),
        FieldType::U8 | FieldType::U16 | FieldType::U24 | FieldType::U32 | FieldType::U64 => {
            format!("Unsigned integer ({} bytes)", t.int_bits() / 8)
        }
        FieldType::I8 | FieldType::I16 | FieldType::I32 | FieldType::I64 => {
            format!("Signed integer ({} bytes)", t.int_bits() / 8)
        }
        FieldType::Float => "Floating point (single-precision)".into(),
        FieldType::Double => "Floating point (double-precision)".into(),
        FieldType::AbsTime => "Date and time".into(),
        FieldType::RelTime => "Time offset".into(),
        FieldType::FrameNum => "Frame number".into(),
        FieldType::Bytes => "Byte sequence".into(),
        FieldType::String => "Character string".into(),
        FieldType::Ipv4 => "IPv4 address".into(),
        FieldType::Ipv6 => "IPv6 address".into(),
        FieldType::Ether => "Ethernet or other MAC address".into(),
        FieldType::Eui64 => "EUI64 address".into(),
    }
}

/// A compiled operand with what it is, for type checking and messages.
struct Typed {
    src: Src,
    class: Class,
    /// The field literals on the other side are parsed for (value names, ranges).
    field: Option<&'static FieldDef>,
    /// How the operand reads in messages (`ip.src`, `len(ip.src)`).
    name: String,
    span: (usize, usize),
}

impl Typed {
    fn new(
        src: Src,
        class: Class,
        field: Option<&'static FieldDef>,
        name: String,
        span: (usize, usize),
    ) -> Typed {
        Typed {
            src,
            class,
            field,
            name,
            span,
        }
    }

    /// A placeholder standing for a literal compared with `l`, for typing it.
    fn literal_of(l: &Typed) -> Typed {
        Typed::new(
            Src::Const(Lit::Never),
            l.class,
            None,
            l.name.clone(),
            l.span,
        )
    }
}

pub struct Compiler<'r> {
    pub registry: &'r Registry,
    pub text: &'r str,
    pub fields: Vec<&'static FieldDef>,
    /// Some test reads a protocol's bytes to the end of its payload (`contains`, `matches`),
    /// which the extent of every later node decides: the filter needs the whole tree.
    pub whole_tree: bool,
}

fn err(msg: impl Into<String>, span: (usize, usize)) -> FilterError {
    FilterError::new(msg, span.0, span.1)
}

fn looks_like_field(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl<'r> Compiler<'r> {
    fn note(&mut self, f: &'static FieldDef) {
        if !self.fields.iter().any(|g| std::ptr::eq(*g, f)) {
            self.fields.push(f);
        }
    }

    /// Resolves a field name and its `#` layer selector; None when no field has that name.
    fn field_sel(
        &mut self,
        text: &str,
        layer: &Option<(String, usize, usize)>,
    ) -> Result<Option<FieldSel>, FilterError> {
        let Some(f) = self.registry.field(text) else {
            return Ok(None);
        };
        self.note(f);
        let Some((l, ls, le)) = layer else {
            return Ok(Some(FieldSel::plain(f)));
        };
        let proto = if f.ftype == FieldType::Protocol {
            Some(f)
        } else {
            self.registry.protocol(f.protocol_name()).map(|p| p.field)
        };
        let Some(proto) = proto else {
            return Err(err(
                format!(
                    "{} belongs to no protocol layer that '#' could count",
                    f.abbrev
                ),
                (*ls, *le),
            ));
        };
        // `#2` is digits only; `#[...]` is bracketed (skip `#[`).
        let base = if l.chars().all(|c| c.is_ascii_digit()) {
            ls + 1
        } else {
            ls + 2
        };
        let ranges = parse_slice(l, base)?;
        self.note(proto);
        Ok(Some(FieldSel {
            field: f,
            layers: Some((ranges.into_boxed_slice(), proto)),
        }))
    }

    fn unknown_field(&self, w: &str, span: (usize, usize)) -> FilterError {
        let mut msg = format!("unknown field '{w}'");
        let all = self.registry.all_fields();
        if let Some(s) = suggest(w, all.iter().map(|f| f.abbrev)) {
            msg.push_str(&format!("\ndid you mean '{s}'?"));
        }
        err(msg, span)
    }

    pub fn expr(&mut self, e: &Expr) -> Result<Prog, FilterError> {
        Ok(match e {
            Expr::Or(v) => Prog::Or(self.exprs(v)?),
            Expr::Xor(v) => Prog::Xor(self.exprs(v)?),
            Expr::And(v) => Prog::And(self.exprs(v)?),
            Expr::Not(e) => Prog::Not(Box::new(self.expr(e)?)),
            Expr::Test(op) => self.test(op)?,
            Expr::Cmp { op, lhs, rhs, .. } => {
                let l = self.lhs(lhs, op.symbol())?;
                let r = self.rhs(rhs, &l)?;
                if r.class != l.class && !l.class.compatible(r.class) {
                    return Err(self.incompatible(&l, &r));
                }
                Prog::Cmp(*op, l.src, r.src)
            }
            Expr::Contains(lhs, rhs) => self.contains(lhs, rhs)?,
            Expr::Matches(lhs, rhs) => self.matches(lhs, rhs)?,
            Expr::In { lhs, set } => {
                let l = self.lhs(lhs, "in")?;
                let mut items = vec![];
                for el in set {
                    items.push(match el {
                        SetElem::One(v) => SetItem::One(self.literal(v, &l)?),
                        SetElem::Range(a, b) => {
                            SetItem::Range(self.literal(a, &l)?, self.literal(b, &l)?)
                        }
                    });
                }
                Prog::In(l.src, items)
            }
        })
    }

    fn exprs(&mut self, v: &[Expr]) -> Result<Vec<Prog>, FilterError> {
        v.iter().map(|e| self.expr(e)).collect()
    }

    /// `lhs contains rhs`: a byte string (or string) looked for in a byte-like value.
    fn contains(&mut self, lhs: &Operand, rhs: &Operand) -> Result<Prog, FilterError> {
        let l = self.lhs(lhs, "contains")?;
        if !l.class.byte_like() {
            return Err(self.type_error(&l, "cannot participate in 'contains' comparison"));
        }
        // Any byte string may be looked for in an address.
        let class = if l.class == Class::Str {
            Class::Str
        } else {
            Class::Bytes
        };
        let want = Typed {
            class,
            ..Typed::literal_of(&l)
        };
        let r = self.rhs(rhs, &want)?;
        if !r.class.byte_like() {
            return Err(self.incompatible(&l, &r));
        }
        Ok(Prog::Contains(
            whole_layer(l.src, &mut self.whole_tree),
            whole_layer(r.src, &mut self.whole_tree),
        ))
    }

    /// `lhs matches "regex"`.
    fn matches(&mut self, lhs: &Operand, rhs: &Operand) -> Result<Prog, FilterError> {
        let l = self.lhs(lhs, "matches")?;
        if !matches!(l.class, Class::Bytes | Class::Str) {
            return Err(self.type_error(&l, "cannot participate in 'matches' comparison"));
        }
        let (pattern, span) = match rhs {
            Operand::Str { bytes, start, end } => {
                let s = String::from_utf8(bytes.clone())
                    .map_err(|_| err("a regular expression must be valid UTF-8", (*start, *end)))?;
                (s, (*start, *end))
            }
            Operand::Word {
                text,
                start,
                end,
                slice: None,
                layer: None,
            } if self.registry.field(text).is_none() => (text.clone(), (*start, *end)),
            other => {
                return Err(err(
                    "'matches' needs a regular expression in double quotes",
                    other.span(),
                ))
            }
        };
        // Wireshark's `matches` is case-insensitive unless the pattern says `(?-i)`.
        let re = regex::bytes::RegexBuilder::new(&pattern)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .dfa_size_limit(1 << 20)
            .build()
            .map_err(|e| {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("").trim().to_string();
                err(format!("invalid regular expression: {last}"), span)
            })?;
        Ok(Prog::Matches(whole_layer(l.src, &mut self.whole_tree), re))
    }

    fn desc(&self, t: &Typed) -> String {
        match t.field {
            Some(f) if matches!(t.src, Src::Field { slice: None, .. }) => type_desc(f.ftype),
            _ => match t.class {
                Class::Int => "Unsigned integer".into(),
                Class::Bool => "Boolean".into(),
                Class::Float => "Floating point".into(),
                Class::RelTime => "Time offset".into(),
                Class::AbsTime => "Date and time".into(),
                Class::Bytes => "Byte sequence".into(),
                Class::Str => "Character string".into(),
                Class::Ipv4 => "IPv4 address".into(),
                Class::Ipv6 => "IPv6 address".into(),
                Class::Ether => "Ethernet or other MAC address".into(),
                Class::Eui64 => "EUI64 address".into(),
            },
        }
    }

    fn incompatible(&self, l: &Typed, r: &Typed) -> FilterError {
        err(
            format!(
                "{} and {} are not of compatible types ({} and {})",
                l.name,
                r.name,
                self.desc(l),
                self.desc(r)
            ),
            r.span,
        )
    }

    /// `name (type=…) <what>`, at the operand: an operand whose type an operator rejects.
    fn type_error(&self, t: &Typed, what: impl std::fmt::Display) -> FilterError {
        err(format!("{} (type={}) {what}", t.name, self.desc(t)), t.span)
    }

    /// Arithmetic works on integers only.
    fn need_int(&self, t: &Typed, op: ArithOp) -> Result<(), FilterError> {
        if t.class == Class::Int {
            return Ok(());
        }
        Err(self.type_error(t, format_args!("does not support '{}'", op.symbol())))
    }

    /// The filter's own spelling of `span`, for messages (`or` when it cannot be sliced).
    fn spelled(&self, span: (usize, usize), or: &str) -> String {
        self.text.get(span.0..span.1).unwrap_or(or).to_string()
    }

    /// A bare field name (no slice) and its selector; None when the operand is something
    /// else or a word that is no field (a name that looks like one is reported as unknown).
    fn bare_field(&mut self, op: &Operand) -> Result<Option<FieldSel>, FilterError> {
        let Operand::Word {
            text,
            start,
            end,
            slice: None,
            layer,
        } = op
        else {
            return Ok(None);
        };
        match self.field_sel(text, layer)? {
            None if looks_like_field(text) => Err(self.unknown_field(text, (*start, *end))),
            sel => Ok(sel),
        }
    }

    /// A bare operand used as a test.
    fn test(&mut self, op: &Operand) -> Result<Prog, FilterError> {
        match op {
            Operand::Word {
                text,
                start,
                end,
                slice: None,
                ..
            } => match self.bare_field(op)? {
                Some(sel) => Ok(Prog::Exists(sel)),
                None => Err(err(
                    format!("'{text}' is neither a field nor a protocol name"),
                    (*start, *end),
                )),
            },
            Operand::Word { .. } | Operand::Call { .. } => {
                Ok(Prog::Nonempty(self.lhs(op, "test")?.src))
            }
            Operand::Arith(..) | Operand::Neg(..) => Ok(Prog::NonZero(self.lhs(op, "&")?.src)),
            Operand::Str { start, end, .. } | Operand::Char { start, end, .. } => Err(err(
                format!(
                    "{} is neither a field nor a protocol name",
                    self.spelled((*start, *end), "?")
                ),
                (*start, *end),
            )),
        }
    }

    /// A field, slice, function or bit test: the thing literals are typed by.
    fn lhs(&mut self, op: &Operand, what: &str) -> Result<Typed, FilterError> {
        let span = op.span();
        match op {
            Operand::Word {
                text,
                start,
                end,
                slice,
                layer,
            } => self.field_operand(text, (*start, *end), slice, layer, what, span),
            Operand::Call {
                name,
                name_span,
                args,
                ..
            } => self.call(name, *name_span, args, span),
            Operand::Arith(ArithOp::BitAnd, a, b) if !self.is_value_source(b) => {
                self.bit_and(a, b, span)
            }
            Operand::Arith(op, a, b) => self.arith(*op, a, b, span),
            Operand::Neg(a, _) => self.neg(a, span),
            Operand::Str { start, end, .. } | Operand::Char { start, end, .. } => Err(err(
                format!(
                    "left side of '{what}' must be a field or function, not {}",
                    self.spelled((*start, *end), "?")
                ),
                span,
            )),
        }
    }

    /// A field, with its optional `#` layer selector and `[...]` slice.
    fn field_operand(
        &mut self,
        text: &str,
        word: (usize, usize),
        slice: &Option<(String, usize, usize)>,
        layer: &Option<(String, usize, usize)>,
        what: &str,
        span: (usize, usize),
    ) -> Result<Typed, FilterError> {
        let Some(sel) = self.field_sel(text, layer)? else {
            if looks_like_field(text) {
                return Err(self.unknown_field(text, word));
            }
            if slice.is_some() || layer.is_some() {
                return Err(err(
                    format!("'{text}' is not a field, so it takes no '[...]' or '#'"),
                    word,
                ));
            }
            return Err(err(
                format!("left side of '{what}' must be a field or function, not '{text}'"),
                span,
            ));
        };
        let f = sel.field;
        let name = self.spelled(span, f.abbrev);
        let Some((s, ss, _)) = slice else {
            let src = Src::Field {
                sel,
                slice: None,
                extent: false,
            };
            return Ok(Typed::new(src, Class::of(f.ftype), Some(f), name, span));
        };
        let class = Class::of(f.ftype);
        if !(class.byte_like() || matches!(class, Class::Ipv4 | Class::Ipv6)) {
            return Err(err(
                format!(
                    "\"{}\" is a {} and cannot be sliced into a sequence of bytes",
                    f.abbrev,
                    type_desc(f.ftype)
                ),
                word,
            ));
        }
        let ranges = parse_slice(s, *ss + 1)?;
        let src = Src::Field {
            sel,
            slice: Some(ranges.into_boxed_slice()),
            extent: false,
        };
        Ok(Typed::new(src, Class::Bytes, None, name, span))
    }

    /// `value & mask`, the mask a literal.
    fn bit_and(
        &mut self,
        a: &Operand,
        b: &Operand,
        span: (usize, usize),
    ) -> Result<Typed, FilterError> {
        let l = self.lhs(a, "&")?;
        if !matches!(l.class, Class::Int | Class::Bool | Class::Bytes) {
            return Err(self.type_error(&l, "cannot be used with '&'"));
        }
        let want = Typed {
            class: Class::Int,
            ..Typed::literal_of(&l)
        };
        let mask = match self.literal(b, &want)? {
            Lit::Int(m) if (0..=u64::MAX as i128).contains(&m) => m as u64,
            _ => {
                return Err(err(
                    "the right side of '&' must be a non-negative integer",
                    b.span(),
                ))
            }
        };
        let src = Src::BitAnd(Box::new(l.src), mask);
        Ok(Typed::new(
            src,
            Class::Int,
            None,
            self.spelled(span, "&"),
            span,
        ))
    }

    /// Arithmetic on integers. A literal on the left is typed by the right side, two
    /// literals fold into one; otherwise the result keeps the left field's type, so literals
    /// compared with it are range-checked the same way (tshark: `udp.dstport * 2 > 70000` is an
    /// error).
    fn arith(
        &mut self,
        op: ArithOp,
        a: &Operand,
        b: &Operand,
        span: (usize, usize),
    ) -> Result<Typed, FilterError> {
        let name = self.spelled(span, "?");
        if self.is_value_source(a) {
            let l = self.lhs(a, op.symbol())?;
            self.need_int(&l, op)?;
            let r = self.rhs(b, &l)?;
            self.need_int(&r, op)?;
            let src = Src::Arith(op, Box::new(l.src), Box::new(r.src));
            return Ok(Typed::new(src, Class::Int, l.field, name, span));
        }
        if !self.is_value_source(b) {
            let (x, y) = (self.const_int(a)?, self.const_int(b)?);
            let v = super::eval::arith(op, x, y).ok_or_else(|| {
                err(
                    format!("{name} has no value (overflow or division by zero)"),
                    span,
                )
            })?;
            let src = Src::Const(Lit::Int(v));
            return Ok(Typed::new(src, Class::Int, None, name, span));
        }
        let r = self.lhs(b, op.symbol())?;
        self.need_int(&r, op)?;
        let l = self.literal(a, &r)?;
        let src = Src::Arith(op, Box::new(Src::Const(l)), Box::new(r.src));
        Ok(Typed::new(src, Class::Int, r.field, name, span))
    }

    /// Unary minus: folded for a literal, negated at run time for a value.
    fn neg(&mut self, a: &Operand, span: (usize, usize)) -> Result<Typed, FilterError> {
        let name = self.spelled(span, "-");
        if !self.is_value_source(a) {
            let src = Src::Const(Lit::Int(-self.const_int(a)?));
            return Ok(Typed::new(src, Class::Int, None, name, span));
        }
        let l = self.lhs(a, "-")?;
        if !matches!(l.class, Class::Int | Class::Float | Class::RelTime) {
            return Err(self.type_error(&l, "does not support '-'"));
        }
        Ok(Typed::new(
            Src::Neg(Box::new(l.src)),
            l.class,
            None,
            name,
            span,
        ))
    }

    /// The display-filter functions tshark 4.0 knows, alphabetically (for suggestions), each
    /// with its compiler.
    #[allow(clippy::type_complexity)]
    const FUNCTIONS: [(
        &'static str,
        fn(&mut Self, &Call) -> Result<(Src, Class), FilterError>,
    ); 8] = [
        ("abs", Self::fn_abs),
        ("count", Self::fn_count),
        ("len", Self::fn_len),
        ("lower", Self::fn_lower),
        ("max", Self::fn_max),
        ("min", Self::fn_min),
        ("string", Self::fn_string),
        ("upper", Self::fn_upper),
    ];

    /// A function call, compiled by its entry in [`Self::FUNCTIONS`].
    fn call(
        &mut self,
        name: &str,
        name_span: (usize, usize),
        args: &[Operand],
        span: (usize, usize),
    ) -> Result<Typed, FilterError> {
        let lname = name.to_ascii_lowercase();
        let Some((_, compile)) = Self::FUNCTIONS.iter().find(|(n, _)| *n == lname) else {
            let mut msg = format!("function '{name}' does not exist");
            if let Some(s) = suggest(name, Self::FUNCTIONS.iter().map(|(n, _)| *n)) {
                msg.push_str(&format!("\ndid you mean '{s}'?"));
            }
            return Err(err(msg, name_span));
        };
        let call = Call {
            name: &lname,
            name_span,
            args,
        };
        let (src, class) = compile(self, &call)?;
        Ok(Typed::new(src, class, None, self.spelled(span, name), span))
    }

    /// len, count and string take a plain field.
    fn plain_field(&mut self, call: &Call, arg: &Operand) -> Result<FieldSel, FilterError> {
        self.bare_field(arg)?.ok_or_else(|| {
            err(
                format!("only fields can be used as parameter for {}()", call.name),
                arg.span(),
            )
        })
    }

    fn fn_len(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        let sel = self.plain_field(call, call.one()?)?;
        Ok((Src::Len(sel), Class::Int))
    }

    fn fn_count(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        let sel = self.plain_field(call, call.one()?)?;
        Ok((Src::Count(sel), Class::Int))
    }

    fn fn_string(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        let arg = call.one()?;
        let sel = self.plain_field(call, arg)?;
        let f = sel.field;
        if matches!(f.ftype, FieldType::Protocol | FieldType::None) {
            return Err(err(
                format!(
                    "string() cannot convert {} (type={})",
                    f.abbrev,
                    type_desc(f.ftype)
                ),
                arg.span(),
            ));
        }
        Ok((Src::String(sel), Class::Str))
    }

    fn fn_abs(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        let t = self.lhs(call.one()?, "abs")?;
        if !matches!(t.class, Class::Int | Class::Float | Class::RelTime) {
            return Err(err(
                format!(
                    "abs() takes a number, and {} is a {}",
                    t.name,
                    self.desc(&t)
                ),
                t.span,
            ));
        }
        Ok((Src::Abs(Box::new(t.src)), t.class))
    }

    fn fn_lower(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        self.case(call, false)
    }

    fn fn_upper(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        self.case(call, true)
    }

    /// lower() and upper(): tshark 4.0 takes only string fields here (not slices or other
    /// functions).
    fn case(&mut self, call: &Call, upper: bool) -> Result<(Src, Class), FilterError> {
        let arg = call.one()?;
        let f = self.plain_field(call, arg)?.field;
        if f.ftype != FieldType::String {
            return Err(err(
                format!(
                    "only string fields can be used as parameter for {}(), and {} is a {}",
                    call.name,
                    f.abbrev,
                    type_desc(f.ftype)
                ),
                arg.span(),
            ));
        }
        let a = self.lhs(arg, call.name)?;
        let src = Src::Case {
            arg: Box::new(a.src),
            upper,
        };
        Ok((src, Class::Str))
    }

    fn fn_max(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        self.extreme(call, true)
    }

    fn fn_min(&mut self, call: &Call) -> Result<(Src, Class), FilterError> {
        self.extreme(call, false)
    }

    /// max() and min(): one or more numbers or times, all of one type.
    fn extreme(&mut self, call: &Call, max: bool) -> Result<(Src, Class), FilterError> {
        let lname = call.name;
        if call.args.is_empty() {
            return Err(err(
                format!("function {lname}() needs at least 1 argument"),
                call.name_span,
            ));
        }
        let mut srcs = vec![];
        let mut class = None;
        for a in call.args {
            let t = self.lhs(a, lname)?;
            if !matches!(
                t.class,
                Class::Int | Class::Float | Class::RelTime | Class::AbsTime
            ) {
                return Err(err(
                    format!(
                        "{lname}() takes numbers or times, and {} is a {}",
                        t.name,
                        self.desc(&t)
                    ),
                    t.span,
                ));
            }
            if class.is_some_and(|c| c != t.class) {
                return Err(err(
                    format!("the arguments of {lname}() must all have the same type"),
                    t.span,
                ));
            }
            class = Some(t.class);
            srcs.push(t.src);
        }
        let src = Src::Extreme { args: srcs, max };
        Ok((src, class.unwrap_or(Class::Int)))
    }

    /// An integer literal inside arithmetic (`1 * 2`).
    fn const_int(&self, op: &Operand) -> Result<i128, FilterError> {
        let want = Typed {
            src: Src::Const(Lit::Never),
            class: Class::Int,
            field: None,
            name: "a number".into(),
            span: op.span(),
        };
        match self.literal(op, &want)? {
            Lit::Int(v) => Ok(v),
            _ => Err(err("expected an integer", op.span())),
        }
    }

    /// True when an operand reads the packet (a field, slice, function or arithmetic) rather
    /// than being a literal.
    fn is_value_source(&self, op: &Operand) -> bool {
        match op {
            Operand::Word {
                text, slice, layer, ..
            } => slice.is_some() || layer.is_some() || self.registry.field(text).is_some(),
            Operand::Call { .. } | Operand::Arith(..) | Operand::Neg(..) => true,
            Operand::Str { .. } | Operand::Char { .. } => false,
        }
    }

    /// The right side: another field/function, or a literal parsed for the left side.
    fn rhs(&mut self, op: &Operand, l: &Typed) -> Result<Typed, FilterError> {
        let span = op.span();
        if self.is_value_source(op) {
            return self.lhs(op, "==");
        }
        let lit = self.literal(op, l).map_err(|mut e| {
            // `ip.dst == ip.srcc`: a misspelt field reads as a bad literal; say what it was
            // probably meant to be.
            if let Operand::Word { text, .. } = op {
                if looks_like_field(text) && text.contains('.') && !e.message.contains('\n') {
                    let all = self.registry.all_fields();
                    if let Some(s) = suggest(text, all.iter().map(|f| f.abbrev)) {
                        e.message
                            .push_str(&format!("\ndid you mean the field '{s}'?"));
                    }
                }
            }
            e
        })?;
        Ok(Typed {
            src: Src::Const(lit),
            class: l.class,
            field: None,
            name: self.text.get(span.0..span.1).unwrap_or("?").to_string(),
            span,
        })
    }

    /// Parses a literal for the type of `l`.
    fn literal(&self, op: &Operand, l: &Typed) -> Result<Lit, FilterError> {
        let span = op.span();
        let (text, quoted): (std::borrow::Cow<str>, bool) = match op {
            Operand::Word {
                text,
                slice: None,
                layer: None,
                ..
            } => (text.as_str().into(), false),
            Operand::Str { bytes, .. } => {
                if l.class.byte_like() {
                    return Ok(Lit::Bytes(bytes.clone().into_boxed_slice()));
                }
                (String::from_utf8_lossy(bytes), true)
            }
            Operand::Char { value, .. } => return self.char_literal(*value, l, span),
            _ => {
                return Err(err(
                    format!("expected a value to compare with {}", l.name),
                    span,
                ))
            }
        };
        let lit = Spelling {
            text: text.as_ref(),
            shown: self.text.get(span.0..span.1).unwrap_or(text.as_ref()),
            quoted,
            span,
        };
        match l.class {
            Class::Int => self.int_literal(&lit, l),
            Class::Bool => bool_literal(&lit, l),
            Class::Float => lit
                .text
                .parse::<f64>()
                .ok()
                .filter(|_| !quoted)
                .map(Lit::Float)
                .ok_or_else(|| lit.error("is not a valid floating-point number")),
            Class::RelTime => rel_time_literal(&lit),
            Class::AbsTime => abs_time_literal(&lit),
            Class::Str => Ok(Lit::Bytes(lit.text.as_bytes().into())),
            Class::Bytes => bytes_literal(&lit),
            Class::Ether => mac_literal(&lit, 6, "Ethernet address"),
            Class::Eui64 => mac_literal(&lit, 8, "EUI-64 address"),
            Class::Ipv4 => ip_literal(&lit, false),
            Class::Ipv6 => ip_literal(&lit, true),
        }
    }

    /// A character constant (`'a'`, `'\x41'`): a number, or the character's bytes.
    fn char_literal(
        &self,
        value: u32,
        l: &Typed,
        span: (usize, usize),
    ) -> Result<Lit, FilterError> {
        match l.class {
            Class::Int | Class::Bool | Class::Float => Ok(Lit::Int(value as i128)),
            Class::Bytes if value <= 0xff => Ok(Lit::Bytes(Box::new([value as u8]))),
            Class::Str | Class::Bytes => {
                let c = char::from_u32(value).unwrap_or('\u{fffd}');
                Ok(Lit::Bytes(c.to_string().into_bytes().into_boxed_slice()))
            }
            _ => Err(err(
                format!(
                    "a character constant cannot be compared with {} ({})",
                    l.name,
                    self.desc(l)
                ),
                span,
            )),
        }
    }

    fn int_literal(&self, lit: &Spelling, l: &Typed) -> Result<Lit, FilterError> {
        let f = l.field;
        let vals = f.and_then(|f| match f.strings {
            Strings::Values(v) => Some(v),
            _ => None,
        });
        // A quoted string is only ever a value name (tshark: `udp.srcport == "53"` is an error).
        if lit.quoted && vals.is_none() {
            return Err(err(
                format!(
                    "{} cannot be converted from a string ({})",
                    f.map_or("an integer".to_string(), |f| type_desc(f.ftype)),
                    lit.shown
                ),
                lit.span,
            ));
        }
        if let Some(v) = parse_int(lit.text).filter(|_| !lit.quoted) {
            return match f {
                Some(f) => int_in_range(lit, v, f, vals.is_some()),
                None => Ok(Lit::Int(v)),
            };
        }
        let Some(vals) = vals else {
            return Err(lit.error("is not a valid number"));
        };
        if let Some((v, _)) = vals.iter().find(|(_, n)| n.eq_ignore_ascii_case(lit.text)) {
            return Ok(Lit::Int(*v as i128));
        }
        let mut msg = format!(
            "{} cannot be found among the possible values for {}",
            lit.shown, l.name
        );
        let lower: Vec<String> = vals.iter().map(|(_, n)| n.to_ascii_lowercase()).collect();
        if let Some(s) = suggest(lit.text, lower.iter().map(|n| n.as_str())) {
            if let Some((_, name)) = vals.iter().find(|(_, n)| n.eq_ignore_ascii_case(s)) {
                msg.push_str(&format!("\ndid you mean '{name}'?"));
            }
        }
        Err(err(msg, lit.span))
    }
}

/// A number checked against the range of the integer field `f` it is compared with.
fn int_in_range(
    lit: &Spelling,
    v: i128,
    f: &FieldDef,
    has_names: bool,
) -> Result<Lit, FilterError> {
    let bits = f.ftype.int_bits().clamp(1, 64);
    let (lo, hi): (i128, i128) = if f.ftype.is_signed() {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        // Negative numbers compile for unsigned fields (and match nothing), as in tshark.
        (i64::MIN as i128, (1i128 << bits) - 1)
    };
    if (lo..=hi).contains(&v) {
        return Ok(Lit::Int(v));
    }
    if has_names {
        return Err(lit.error(format_args!(
            "cannot be found among the possible values for {}",
            f.abbrev
        )));
    }
    let side = if v > hi { "large" } else { "small" };
    Err(lit.error(format_args!(
        "is too {side} for {} ({})",
        f.abbrev,
        type_desc(f.ftype)
    )))
}

/// A literal as the filter spells it: `text` is what is parsed (escapes resolved), `shown` is
/// how messages quote it.
struct Spelling<'a> {
    text: &'a str,
    shown: &'a str,
    quoted: bool,
    span: (usize, usize),
}

impl Spelling<'_> {
    /// `<shown> <what>` at the literal.
    fn error(&self, what: impl std::fmt::Display) -> FilterError {
        err(format!("{} {what}", self.shown), self.span)
    }
}

/// A function call's name (lowercased) and arguments.
struct Call<'a> {
    name: &'a str,
    name_span: (usize, usize),
    args: &'a [Operand],
}

impl Call<'_> {
    /// The argument of a one-argument function.
    fn one(&self) -> Result<&Operand, FilterError> {
        match self.args {
            [a] => Ok(a),
            _ => Err(err(
                format!(
                    "function {}() takes exactly 1 argument, not {}",
                    self.name,
                    self.args.len()
                ),
                self.name_span,
            )),
        }
    }
}

/// A boolean: the field's own true/false names, `True`/`False`, or a number (non-zero is true).
fn bool_literal(lit: &Spelling, l: &Typed) -> Result<Lit, FilterError> {
    let text = lit.text;
    if let Some(f) = l.field {
        if let Strings::TrueFalse(t, fl) = f.strings {
            if text.eq_ignore_ascii_case(t) {
                return Ok(Lit::Int(1));
            }
            if text.eq_ignore_ascii_case(fl) {
                return Ok(Lit::Int(0));
            }
        }
    }
    match text {
        "True" | "TRUE" => return Ok(Lit::Int(1)),
        "False" | "FALSE" => return Ok(Lit::Int(0)),
        _ => {}
    }
    match parse_int(text) {
        Some(v) if !lit.quoted => Ok(Lit::Int((v != 0) as i128)),
        _ => Err(lit.error(format_args!(
            "cannot be found among the possible values for {}",
            l.name
        ))),
    }
}

/// A time offset in seconds (`1.5`).
fn rel_time_literal(lit: &Spelling) -> Result<Lit, FilterError> {
    if lit.quoted {
        return Err(err(
            format!("a time offset cannot be given as a string ({})", lit.shown),
            lit.span,
        ));
    }
    parse_seconds(lit.text)
        .map(Lit::Time)
        .ok_or_else(|| lit.error("is not a valid time offset in seconds"))
}

/// An absolute time: seconds since the epoch (unquoted) or a date and time.
fn abs_time_literal(lit: &Spelling) -> Result<Lit, FilterError> {
    parse_seconds(lit.text)
        .filter(|_| !lit.quoted)
        .or_else(|| parse_abs_time(lit.text))
        .map(Lit::Time)
        .ok_or_else(|| {
            lit.error(
                "is not a valid date and time (use \"2024-01-31 12:00:00\" or \"Jan 31, 2024 12:00:00\")",
            )
        })
}

/// A byte string, or a number that fits one byte.
fn bytes_literal(lit: &Spelling) -> Result<Lit, FilterError> {
    let text = lit.text;
    if let Some(b) = parse_bytes(text) {
        return Ok(Lit::Bytes(b.into_boxed_slice()));
    }
    match parse_int(text) {
        Some(v) if (0..=255).contains(&v) => Ok(Lit::Bytes(Box::new([v as u8]))),
        // tshark accepts a larger decimal number here (and it matches nothing)
        // but rejects a larger hex one.
        Some(_) if !text.to_ascii_lowercase().contains("0x") => Ok(Lit::Never),
        _ => Err(lit.error("is not a valid byte string")),
    }
}

/// A hardware address of `n` bytes (Ethernet, EUI-64).
fn mac_literal(lit: &Spelling, n: usize, what: &str) -> Result<Lit, FilterError> {
    match parse_bytes(lit.text) {
        Some(b) if b.len() == n && !lit.quoted => Ok(Lit::Bytes(b.into_boxed_slice())),
        _ => Err(lit.error(format_args!("is not a valid {what}"))),
    }
}

/// An IPv4 or IPv6 address, or a network in CIDR form (`10.0.0.0/8`, `fe80::/10`).
fn ip_literal(lit: &Spelling, v6: bool) -> Result<Lit, FilterError> {
    let family = if v6 { "IPv6" } else { "IPv4" };
    if lit.quoted {
        return Err(err(
            format!(
                "an {family} address cannot be given as a string ({})",
                lit.shown
            ),
            lit.span,
        ));
    }
    let max = if v6 { 128 } else { 32 };
    let (addr, bits) = match lit.text.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok().filter(|b| *b <= max)),
        None => (lit.text, Some(max)),
    };
    let parsed = match bits {
        Some(b) if v6 => addr
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|a| Lit::Ip6(a.octets(), b as u8)),
        Some(b) => addr.parse::<std::net::Ipv4Addr>().ok().map(|a| {
            let mask = if b == 0 { 0 } else { u32::MAX << (32 - b) };
            Lit::Ip4(u32::from(a), mask)
        }),
        None => None,
    };
    parsed.ok_or_else(|| lit.error(format_args!("is not a valid {family} address or network")))
}

/// `contains` and `matches` look at a protocol's bytes up to the end of the data it was given
/// (its payload included), as tshark does; `==`, slices and `len` see only the layer's own range.
fn whole_layer(src: Src, whole_tree: &mut bool) -> Src {
    match src {
        Src::Field {
            sel, slice: None, ..
        } if sel.field.ftype == FieldType::Protocol => {
            *whole_tree = true;
            Src::Field {
                sel,
                slice: None,
                extent: true,
            }
        }
        other => other,
    }
}

/// Integers as Wireshark writes them: decimal, `0x` hex, `0b` binary, leading-`0` octal, with an
/// optional minus sign.
pub fn parse_int(s: &str) -> Option<i128> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (radix, digits) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, h)
    } else if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, b)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()? as i128;
    Some(if neg { -v } else { v })
}

/// Byte strings: `aa:bb:cc`, `aa-bb-cc`, `aabb.ccdd`, `aabbcc` (even number of hex digits) or a
/// single one- or two-digit hex byte.
pub fn parse_bytes(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > 4096 {
        return None;
    }
    let hex_pairs = |g: &str, out: &mut Vec<u8>| -> Option<()> {
        if g.is_empty() || !g.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        if g.len() == 1 {
            out.push(u8::from_str_radix(g, 16).ok()?);
            return Some(());
        }
        if !g.len().is_multiple_of(2) {
            return None;
        }
        for i in (0..g.len()).step_by(2) {
            out.push(u8::from_str_radix(&g[i..i + 2], 16).ok()?);
        }
        Some(())
    };
    let mut out = vec![];
    if s.contains([':', '-', '.']) {
        for g in s.split([':', '-', '.']) {
            hex_pairs(g, &mut out)?;
        }
    } else {
        hex_pairs(s, &mut out)?;
    }
    Some(out)
}

/// `1.5`, `-0.25`, `3` seconds → nanoseconds (exact; digits past the ninth decimal ignored).
pub fn parse_seconds(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let secs: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut ns: i64 = 0;
    for (i, c) in frac.bytes().take(9).enumerate() {
        ns += (c - b'0') as i64 * 10i64.pow(8 - i as u32);
    }
    let total = secs.checked_mul(1_000_000_000)?.checked_add(ns)?;
    Some(if neg { -total } else { total })
}

/// Absolute times, read as UTC: `2024-01-31 12:00:00[.123][Z| UTC]`, `2024-01-31T12:00:00`,
/// `2024-01-31`, `Jan 31, 2024 12:00:00[.123][ UTC]`.
pub fn parse_abs_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .strip_suffix("UTC")
        .or_else(|| s.strip_suffix('Z'))
        .unwrap_or(s)
        .trim_end();
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let (y, m, d, rest) = if s.len() >= 10 && s.as_bytes().get(4) == Some(&b'-') {
        let y: i64 = s.get(0..4)?.parse().ok()?;
        let m: u32 = s.get(5..7)?.parse().ok()?;
        let d: u32 = s.get(8..10)?.parse().ok()?;
        (y, m, d, s.get(10..)?.trim_start_matches(['T', ' ']))
    } else {
        let mut it = s.split_whitespace();
        let mon = it.next()?.to_ascii_lowercase();
        let m = MONTHS.iter().position(|x| mon.starts_with(x))? as u32 + 1;
        let d: u32 = it.next()?.trim_end_matches(',').parse().ok()?;
        let y: i64 = it.next()?.parse().ok()?;
        let rest = it.next().unwrap_or("");
        if it.next().is_some() {
            return None;
        }
        (y, m, d, rest)
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(0..=9999).contains(&y) {
        return None;
    }
    let mut secs = days_from_civil(y, m.into(), d.into()) * 86_400;
    let mut ns = 0;
    if !rest.is_empty() {
        let mut parts = rest.splitn(3, ':');
        let h: i64 = parts.next()?.parse().ok()?;
        let mi: i64 = parts.next()?.parse().ok()?;
        let sec = parts.next().unwrap_or("0");
        let sec_ns = parse_seconds(sec)?;
        if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..61_000_000_000).contains(&sec_ns)
        {
            return None;
        }
        secs += h * 3600 + mi * 60;
        ns = sec_ns;
    }
    secs.checked_mul(1_000_000_000)?.checked_add(ns)
}

/// Parses the inside of `[...]`: comma-separated `i:j`, `i-j`, `i:`, `:j`, `i`. `base` is the
/// byte offset of the text in the filter, for error spans.
pub fn parse_slice(s: &str, base: usize) -> Result<Vec<SliceRange>, FilterError> {
    let mut out = vec![];
    let mut off = 0;
    for part in s.split(',') {
        let pspan = (base + off, base + off + part.len());
        off += part.len() + 1;
        let p = part.trim();
        let bad = |why: &str| {
            if why.is_empty() {
                err(
                    format!("'{p}' is not a valid range (use i:j, i-j, i:, :j or i)"),
                    pspan,
                )
            } else {
                err(format!("range {p} isn't valid because {why}"), pspan)
            }
        };
        let num = |t: &str| -> Option<i64> {
            let v = parse_int(t.trim())?;
            i64::try_from(v).ok()
        };
        // The first number may carry a minus sign; the separator is the next ':' or '-'.
        let body_start = usize::from(p.starts_with('-'));
        let sep = p[body_start..].find([':', '-']).map(|i| i + body_start);
        let range = match sep {
            None => SliceRange {
                start: num(p).ok_or_else(|| bad(""))?,
                end: SliceEnd::Len(1),
            },
            Some(i) => {
                let (a, b) = (p[..i].trim(), p[i + 1..].trim());
                let start = if a.is_empty() {
                    0
                } else {
                    num(a).ok_or_else(|| bad(""))?
                };
                if p.as_bytes()[i] == b':' {
                    if b.is_empty() {
                        SliceRange {
                            start,
                            end: SliceEnd::ToEnd,
                        }
                    } else {
                        let n = num(b).ok_or_else(|| bad(""))?;
                        if n <= 0 {
                            return Err(bad(&format!("length {n} isn't positive")));
                        }
                        SliceRange {
                            start,
                            end: SliceEnd::Len(n as u64),
                        }
                    }
                } else {
                    let last = num(b).ok_or_else(|| bad(""))?;
                    if a.is_empty() {
                        return Err(bad(""));
                    }
                    if start >= 0 && last >= 0 && last < start {
                        return Err(bad(&format!("{last} comes before {start}")));
                    }
                    SliceRange {
                        start,
                        end: SliceEnd::Last(last),
                    }
                }
            }
        };
        out.push(range);
    }
    Ok(out)
}
