//! Type checking and compilation: resolves words to fields or literals, parses every literal by
//! the type of the field it is compared with (as Wireshark does: `ip.proto == UDP`,
//! `eth.src == aa-bb-cc-dd-ee-ff`, `ipv6.src == fe80::/10`), checks operator/type combinations,
//! compiles regular expressions, and produces a [`Prog`].

use super::error::{suggest, FilterError};
use super::eval::{FieldSel, Lit, Prog, SetItem, SliceEnd, SliceRange, Src};
use super::parser::{ArithOp, Expr, Operand, SetElem};
use crate::engine::field::{FieldDef, FieldType, Strings};
use crate::engine::registry::Registry;

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

pub struct Compiler<'r> {
    pub registry: &'r Registry,
    pub text: &'r str,
    pub fields: Vec<&'static FieldDef>,
    /// Some test reads a protocol's bytes to the end of its payload (`contains`, `matches`),
    /// which the extent of every later node decides: the filter needs the whole tree.
    pub whole_tree: bool,
}

/// An IPv4 or IPv6 address, or a network in CIDR form (`10.0.0.0/8`, `fe80::/10`).
fn ip_literal(
    text: &str,
    shown: &str,
    quoted: bool,
    v6: bool,
    span: (usize, usize),
) -> Result<Lit, FilterError> {
    let family = if v6 { "IPv6" } else { "IPv4" };
    if quoted {
        return Err(err(
            format!("an {family} address cannot be given as a string ({shown})"),
            span,
        ));
    }
    let max = if v6 { 128 } else { 32 };
    let (addr, bits) = match text.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok().filter(|b| *b <= max)),
        None => (text, Some(max)),
    };
    let lit = match bits {
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
    lit.ok_or_else(|| {
        err(
            format!("{shown} is not a valid {family} address or network"),
            span,
        )
    })
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
            Expr::Or(v) => Prog::Or(v.iter().map(|e| self.expr(e)).collect::<Result<_, _>>()?),
            Expr::Xor(v) => Prog::Xor(v.iter().map(|e| self.expr(e)).collect::<Result<_, _>>()?),
            Expr::And(v) => Prog::And(v.iter().map(|e| self.expr(e)).collect::<Result<_, _>>()?),
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
            Expr::Contains(lhs, rhs) => {
                let l = self.lhs(lhs, "contains")?;
                if !l.class.byte_like() {
                    return Err(err(
                        format!(
                            "{} (type={}) cannot participate in 'contains' comparison",
                            l.name,
                            self.desc(&l)
                        ),
                        l.span,
                    ));
                }
                // Any byte string may be looked for in an address.
                let want = Typed {
                    class: if l.class == Class::Str {
                        Class::Str
                    } else {
                        Class::Bytes
                    },
                    src: Src::Const(Lit::Never),
                    field: None,
                    name: l.name.clone(),
                    span: l.span,
                };
                let r = self.rhs(rhs, &want)?;
                if !r.class.byte_like() {
                    return Err(self.incompatible(&l, &r));
                }
                Prog::Contains(
                    whole_layer(l.src, &mut self.whole_tree),
                    whole_layer(r.src, &mut self.whole_tree),
                )
            }
            Expr::Matches(lhs, rhs) => {
                let l = self.lhs(lhs, "matches")?;
                if !matches!(l.class, Class::Bytes | Class::Str) {
                    return Err(err(
                        format!(
                            "{} (type={}) cannot participate in 'matches' comparison",
                            l.name,
                            self.desc(&l)
                        ),
                        l.span,
                    ));
                }
                let (pattern, span) = match rhs {
                    Operand::Str { bytes, start, end } => {
                        let s = String::from_utf8(bytes.clone()).map_err(|_| {
                            err("a regular expression must be valid UTF-8", (*start, *end))
                        })?;
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
                Prog::Matches(whole_layer(l.src, &mut self.whole_tree), re)
            }
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

    /// A bare operand used as a test.
    fn test(&mut self, op: &Operand) -> Result<Prog, FilterError> {
        match op {
            Operand::Word {
                text,
                start,
                end,
                slice: None,
                layer,
            } => match self.field_sel(text, layer)? {
                Some(sel) => Ok(Prog::Exists(sel)),
                None if looks_like_field(text) => Err(self.unknown_field(text, (*start, *end))),
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
                    self.text.get(*start..*end).unwrap_or("?")
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
            } => {
                let Some(sel) = self.field_sel(text, layer)? else {
                    if looks_like_field(text) {
                        return Err(self.unknown_field(text, (*start, *end)));
                    }
                    if slice.is_some() || layer.is_some() {
                        return Err(err(
                            format!("'{text}' is not a field, so it takes no '[...]' or '#'"),
                            (*start, *end),
                        ));
                    }
                    return Err(err(
                        format!("left side of '{what}' must be a field or function, not '{text}'"),
                        span,
                    ));
                };
                let f = sel.field;
                match slice {
                    None => Ok(Typed {
                        src: Src::Field {
                            sel,
                            slice: None,
                            extent: false,
                        },
                        class: Class::of(f.ftype),
                        field: Some(f),
                        name: self
                            .text
                            .get(span.0..span.1)
                            .unwrap_or(f.abbrev)
                            .to_string(),
                        span,
                    }),
                    Some((s, ss, _)) => {
                        let class = Class::of(f.ftype);
                        if !(class.byte_like() || matches!(class, Class::Ipv4 | Class::Ipv6)) {
                            return Err(err(
                                format!(
                                    "\"{}\" is a {} and cannot be sliced into a sequence of bytes",
                                    f.abbrev,
                                    type_desc(f.ftype)
                                ),
                                (*start, *end),
                            ));
                        }
                        let ranges = parse_slice(s, *ss + 1)?;
                        Ok(Typed {
                            src: Src::Field {
                                sel,
                                slice: Some(ranges.into_boxed_slice()),
                                extent: false,
                            },
                            class: Class::Bytes,
                            field: None,
                            name: self
                                .text
                                .get(span.0..span.1)
                                .unwrap_or(f.abbrev)
                                .to_string(),
                            span,
                        })
                    }
                }
            }
            Operand::Call {
                name,
                name_span,
                args,
                ..
            } => self.call(name, *name_span, args, span),
            Operand::Arith(ArithOp::BitAnd, a, b) if !self.is_value_source(b) => {
                let l = self.lhs(a, "&")?;
                if !matches!(l.class, Class::Int | Class::Bool | Class::Bytes) {
                    return Err(err(
                        format!(
                            "{} (type={}) cannot be used with '&'",
                            l.name,
                            self.desc(&l)
                        ),
                        l.span,
                    ));
                }
                let want = Typed {
                    src: Src::Const(Lit::Never),
                    class: Class::Int,
                    field: None,
                    name: l.name.clone(),
                    span: l.span,
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
                Ok(Typed {
                    src: Src::BitAnd(Box::new(l.src), mask),
                    class: Class::Int,
                    field: None,
                    name: self.text.get(span.0..span.1).unwrap_or("&").to_string(),
                    span,
                })
            }
            Operand::Arith(op, a, b) if !self.is_value_source(a) => {
                // A literal on the left: fold two literals, or type it by the right side.
                let name = self.text.get(span.0..span.1).unwrap_or("?").to_string();
                if !self.is_value_source(b) {
                    let x = self.const_int(a)?;
                    let y = self.const_int(b)?;
                    let v = super::eval::arith(*op, x, y).ok_or_else(|| {
                        err(
                            format!("{name} has no value (overflow or division by zero)"),
                            span,
                        )
                    })?;
                    return Ok(Typed {
                        src: Src::Const(Lit::Int(v)),
                        class: Class::Int,
                        field: None,
                        name,
                        span,
                    });
                }
                let r = self.lhs(b, op.symbol())?;
                if r.class != Class::Int {
                    return Err(err(
                        format!(
                            "{} (type={}) does not support '{}'",
                            r.name,
                            self.desc(&r),
                            op.symbol()
                        ),
                        r.span,
                    ));
                }
                let l = self.literal(a, &r)?;
                Ok(Typed {
                    src: Src::Arith(*op, Box::new(Src::Const(l)), Box::new(r.src)),
                    class: Class::Int,
                    field: r.field,
                    name,
                    span,
                })
            }
            Operand::Arith(op, a, b) => {
                let l = self.lhs(a, op.symbol())?;
                if l.class != Class::Int {
                    return Err(err(
                        format!(
                            "{} (type={}) does not support '{}'",
                            l.name,
                            self.desc(&l),
                            op.symbol()
                        ),
                        l.span,
                    ));
                }
                let r = self.rhs(b, &l)?;
                if r.class != Class::Int {
                    return Err(err(
                        format!(
                            "{} (type={}) does not support '{}'",
                            r.name,
                            self.desc(&r),
                            op.symbol()
                        ),
                        r.span,
                    ));
                }
                // The result keeps the left field's type, so literals compared with it are
                // range-checked the same way (tshark: `udp.dstport * 2 > 70000` is an error).
                Ok(Typed {
                    src: Src::Arith(*op, Box::new(l.src), Box::new(r.src)),
                    class: Class::Int,
                    field: l.field,
                    name: self.text.get(span.0..span.1).unwrap_or("?").to_string(),
                    span,
                })
            }
            Operand::Neg(a, _) if !self.is_value_source(a) => Ok(Typed {
                src: Src::Const(Lit::Int(-self.const_int(a)?)),
                class: Class::Int,
                field: None,
                name: self.text.get(span.0..span.1).unwrap_or("-").to_string(),
                span,
            }),
            Operand::Neg(a, _) => {
                let l = self.lhs(a, "-")?;
                if !matches!(l.class, Class::Int | Class::Float | Class::RelTime) {
                    return Err(err(
                        format!("{} (type={}) does not support '-'", l.name, self.desc(&l)),
                        l.span,
                    ));
                }
                Ok(Typed {
                    src: Src::Neg(Box::new(l.src)),
                    class: l.class,
                    field: None,
                    name: self.text.get(span.0..span.1).unwrap_or("-").to_string(),
                    span,
                })
            }
            Operand::Str { start, end, .. } | Operand::Char { start, end, .. } => Err(err(
                format!(
                    "left side of '{what}' must be a field or function, not {}",
                    self.text.get(*start..*end).unwrap_or("?")
                ),
                span,
            )),
        }
    }

    fn call(
        &mut self,
        name: &str,
        name_span: (usize, usize),
        args: &[Operand],
        span: (usize, usize),
    ) -> Result<Typed, FilterError> {
        let lname = name.to_ascii_lowercase();
        if !matches!(
            lname.as_str(),
            "len" | "count" | "lower" | "upper" | "string" | "max" | "min" | "abs"
        ) {
            let mut msg = format!("function '{name}' does not exist");
            const FUNCTIONS: [&str; 8] = [
                "abs", "count", "len", "lower", "max", "min", "string", "upper",
            ];
            if let Some(s) = suggest(name, FUNCTIONS.into_iter()) {
                msg.push_str(&format!("\ndid you mean '{s}'?"));
            }
            return Err(err(msg, name_span));
        }
        if matches!(lname.as_str(), "max" | "min") {
            if args.is_empty() {
                return Err(err(
                    format!("function {lname}() needs at least 1 argument"),
                    name_span,
                ));
            }
            let mut srcs = vec![];
            let mut class = None;
            for a in args {
                let t = self.lhs(a, &lname)?;
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
            return Ok(Typed {
                src: Src::Extreme {
                    args: srcs,
                    max: lname == "max",
                },
                class: class.unwrap_or(Class::Int),
                field: None,
                name: self.text.get(span.0..span.1).unwrap_or(name).to_string(),
                span,
            });
        }
        if args.len() != 1 {
            return Err(err(
                format!(
                    "function {lname}() takes exactly 1 argument, not {}",
                    args.len()
                ),
                name_span,
            ));
        }
        let arg = &args[0];
        let text = self.text.get(span.0..span.1).unwrap_or(name).to_string();
        // len, count and string take a plain field.
        let plain_field = |c: &mut Self| -> Result<FieldSel, FilterError> {
            match arg {
                Operand::Word {
                    text,
                    start,
                    end,
                    slice: None,
                    layer,
                } => match c.field_sel(text, layer)? {
                    Some(sel) => Ok(sel),
                    None if looks_like_field(text) => Err(c.unknown_field(text, (*start, *end))),
                    None => Err(err(
                        format!("only fields can be used as parameter for {lname}()"),
                        arg.span(),
                    )),
                },
                _ => Err(err(
                    format!("only fields can be used as parameter for {lname}()"),
                    arg.span(),
                )),
            }
        };
        let (src, class) = match lname.as_str() {
            "len" => (Src::Len(plain_field(self)?), Class::Int),
            "count" => (Src::Count(plain_field(self)?), Class::Int),
            "string" => {
                let sel = plain_field(self)?;
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
                (Src::String(sel), Class::Str)
            }
            "abs" => {
                let t = self.lhs(arg, "abs")?;
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
                (Src::Abs(Box::new(t.src)), t.class)
            }
            _ => {
                // tshark 4.0 takes only string fields here (not slices or other functions).
                let f = plain_field(self)?.field;
                if f.ftype != FieldType::String {
                    return Err(err(
                        format!(
                            "only string fields can be used as parameter for {lname}(), and {} is a {}",
                            f.abbrev,
                            type_desc(f.ftype)
                        ),
                        arg.span(),
                    ));
                }
                let a = self.lhs(arg, &lname)?;
                (
                    Src::Case {
                        arg: Box::new(a.src),
                        upper: lname == "upper",
                    },
                    Class::Str,
                )
            }
        };
        Ok(Typed {
            src,
            class,
            field: None,
            name: text,
            span,
        })
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
            Operand::Char { value, .. } => {
                return match l.class {
                    Class::Int | Class::Bool | Class::Float => Ok(Lit::Int(*value as i128)),
                    Class::Bytes if *value <= 0xff => Ok(Lit::Bytes(Box::new([*value as u8]))),
                    Class::Str | Class::Bytes => {
                        let c = char::from_u32(*value).unwrap_or('\u{fffd}');
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
                };
            }
            _ => {
                return Err(err(
                    format!("expected a value to compare with {}", l.name),
                    span,
                ))
            }
        };
        let text = text.as_ref();
        let shown = self.text.get(span.0..span.1).unwrap_or(text);
        match l.class {
            Class::Int => self.int_literal(text, shown, quoted, l, span),
            Class::Bool => {
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
                    Some(v) if !quoted => Ok(Lit::Int((v != 0) as i128)),
                    _ => Err(err(
                        format!("{shown} cannot be found among the possible values for {}", l.name),
                        span,
                    )),
                }
            }
            Class::Float => text
                .parse::<f64>()
                .ok()
                .filter(|_| !quoted)
                .map(Lit::Float)
                .ok_or_else(|| err(format!("{shown} is not a valid floating-point number"), span)),
            Class::RelTime => {
                if quoted {
                    return Err(err(
                        format!("a time offset cannot be given as a string ({shown})"),
                        span,
                    ));
                }
                parse_seconds(text)
                    .map(Lit::Time)
                    .ok_or_else(|| err(format!("{shown} is not a valid time offset in seconds"), span))
            }
            Class::AbsTime => parse_seconds(text)
                .filter(|_| !quoted)
                .or_else(|| parse_abs_time(text))
                .map(Lit::Time)
                .ok_or_else(|| {
                    err(
                        format!(
                            "{shown} is not a valid date and time (use \"2024-01-31 12:00:00\" or \"Jan 31, 2024 12:00:00\")"
                        ),
                        span,
                    )
                }),
            Class::Str => Ok(Lit::Bytes(text.as_bytes().into())),
            Class::Bytes => {
                if let Some(b) = parse_bytes(text) {
                    return Ok(Lit::Bytes(b.into_boxed_slice()));
                }
                match parse_int(text) {
                    Some(v) if (0..=255).contains(&v) => Ok(Lit::Bytes(Box::new([v as u8]))),
                    // tshark accepts a larger decimal number here (and it matches nothing)
                    // but rejects a larger hex one.
                    Some(_) if !text.to_ascii_lowercase().contains("0x") => Ok(Lit::Never),
                    _ => Err(err(format!("{shown} is not a valid byte string"), span)),
                }
            }
            Class::Ether | Class::Eui64 => {
                let (n, what) = if l.class == Class::Ether {
                    (6, "Ethernet address")
                } else {
                    (8, "EUI-64 address")
                };
                match parse_bytes(text) {
                    Some(b) if b.len() == n && !quoted => Ok(Lit::Bytes(b.into_boxed_slice())),
                    _ => Err(err(format!("{shown} is not a valid {what}"), span)),
                }
            }
            Class::Ipv4 | Class::Ipv6 => ip_literal(text, shown, quoted, l.class == Class::Ipv6, span),
        }
    }

    fn int_literal(
        &self,
        text: &str,
        shown: &str,
        quoted: bool,
        l: &Typed,
        span: (usize, usize),
    ) -> Result<Lit, FilterError> {
        let f = l.field;
        let vals = f.and_then(|f| match f.strings {
            Strings::Values(v) => Some(v),
            _ => None,
        });
        // A quoted string is only ever a value name (tshark: `udp.srcport == "53"` is an error).
        if quoted && vals.is_none() {
            return Err(err(
                format!(
                    "{} cannot be converted from a string ({shown})",
                    f.map_or("an integer".to_string(), |f| type_desc(f.ftype))
                ),
                span,
            ));
        }
        if let Some(v) = parse_int(text).filter(|_| !quoted) {
            let Some(f) = f else {
                return Ok(Lit::Int(v));
            };
            let bits = f.ftype.int_bits().clamp(1, 64);
            let (lo, hi): (i128, i128) = if f.ftype.is_signed() {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                // Negative numbers compile for unsigned fields (and match nothing), as in tshark.
                (i64::MIN as i128, (1i128 << bits) - 1)
            };
            if v > hi || v < lo {
                if vals.is_some() {
                    return Err(err(
                        format!(
                            "{shown} cannot be found among the possible values for {}",
                            f.abbrev
                        ),
                        span,
                    ));
                }
                let side = if v > hi { "large" } else { "small" };
                return Err(err(
                    format!(
                        "{shown} is too {side} for {} ({})",
                        f.abbrev,
                        type_desc(f.ftype)
                    ),
                    span,
                ));
            }
            return Ok(Lit::Int(v));
        }
        if let Some(vals) = vals {
            if let Some((v, _)) = vals.iter().find(|(_, n)| n.eq_ignore_ascii_case(text)) {
                return Ok(Lit::Int(*v as i128));
            }
            let mut msg = format!(
                "{shown} cannot be found among the possible values for {}",
                l.name
            );
            let lower: Vec<String> = vals.iter().map(|(_, n)| n.to_ascii_lowercase()).collect();
            if let Some(s) = suggest(text, lower.iter().map(|n| n.as_str())) {
                if let Some((_, name)) = vals.iter().find(|(_, n)| n.eq_ignore_ascii_case(s)) {
                    msg.push_str(&format!("\ndid you mean '{name}'?"));
                }
            }
            return Err(err(msg, span));
        }
        Err(err(format!("{shown} is not a valid number"), span))
    }
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

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    let mut secs = days_from_civil(y, m, d) * 86_400;
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
