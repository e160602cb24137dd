//! Evaluation of a compiled filter over one packet.
//!
//! Values are visited, not collected: each operand calls back once per occurrence with a
//! borrowed [`V`], so matching a packet allocates nothing except for `lower()`, `upper()`,
//! `string()` and multi-range slices, which build their text or bytes per value. Fields are
//! found by a pointer comparison over the tree's node arena (creation order; occurrence order
//! does not matter to any operator).

use super::lexer::CmpOp;
use super::parser::ArithOp;
use crate::engine::field::FieldDef;
use crate::engine::tree::{Node, NodeId};
use crate::engine::value::Value;
use crate::engine::Packet;
use regex::bytes::Regex;
use std::cmp::Ordering;

/// One value at run time, borrowed from the packet or the filter.
#[derive(Copy, Clone, Debug)]
pub enum V<'a> {
    Int(i128),
    Float(f64),
    /// Nanoseconds (relative or since the epoch).
    Time(i64),
    Bytes(&'a [u8]),
    /// Address and netmask (all ones for a plain address).
    Ip4(u32, u32),
    /// Address and prefix length (128 for a plain address).
    Ip6(&'a [u8; 16], u8),
}

/// A literal, typed at compile time by the field it is compared with.
#[derive(Clone, Debug)]
pub enum Lit {
    Int(i128),
    Float(f64),
    Time(i64),
    Bytes(Box<[u8]>),
    Ip4(u32, u32),
    Ip6([u8; 16], u8),
    /// A literal that can equal nothing (an integer too large for a byte in a byte context).
    Never,
}

impl Lit {
    fn v(&self) -> Option<V<'_>> {
        Some(match self {
            Lit::Int(i) => V::Int(*i),
            Lit::Float(f) => V::Float(*f),
            Lit::Time(t) => V::Time(*t),
            Lit::Bytes(b) => V::Bytes(b),
            Lit::Ip4(a, m) => V::Ip4(*a, *m),
            Lit::Ip6(a, p) => V::Ip6(a, *p),
            Lit::Never => return None,
        })
    }
}

/// One part of a slice `[...]`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SliceRange {
    /// Offset; negative counts from the end.
    pub start: i64,
    pub end: SliceEnd,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SliceEnd {
    /// `[i:n]`, `[i]`.
    Len(u64),
    /// `[i:]`.
    ToEnd,
    /// `[i-j]`: offset of the last byte (inclusive; negative counts from the end).
    Last(i64),
}

impl SliceRange {
    /// The sub-slice, or None when it does not lie within `data` (Wireshark then treats the
    /// field as absent).
    pub fn apply<'a>(&self, data: &'a [u8]) -> Option<&'a [u8]> {
        let n = data.len() as i64;
        let start = if self.start < 0 {
            n.checked_add(self.start)?
        } else {
            self.start
        };
        if start < 0 || start > n {
            return None;
        }
        let end = match self.end {
            SliceEnd::Len(l) => start.checked_add(i64::try_from(l).ok()?)?,
            SliceEnd::ToEnd => n,
            SliceEnd::Last(e) => {
                let e = if e < 0 { n.checked_add(e)? } else { e };
                e.checked_add(1)?
            }
        };
        if end > n || end <= start {
            return None;
        }
        data.get(start as usize..end as usize)
    }
}

/// A field, optionally restricted to some layers of its protocol (`ip.src#2`, `ip.addr#[1-2]`).
#[derive(Clone, Debug)]
pub struct FieldSel {
    pub field: &'static FieldDef,
    /// The layer ranges (1-based) and the protocol whose layers are counted.
    pub layers: Option<(Box<[SliceRange]>, &'static FieldDef)>,
}

impl FieldSel {
    pub fn plain(field: &'static FieldDef) -> FieldSel {
        FieldSel {
            field,
            layers: None,
        }
    }

    /// The occurrences of the field, in the selected layers.
    fn nodes<'p>(&'p self, pkt: &'p Packet) -> impl Iterator<Item = (NodeId, &'p Node)> + 'p {
        let field = self.field;
        pkt.tree
            .nodes_unordered()
            .filter(move |(_, n)| n.field.is_some_and(|f| std::ptr::eq(f, field)))
            .filter(move |(id, _)| match &self.layers {
                None => true,
                Some((ranges, proto)) => in_layers(pkt, *id, ranges, proto),
            })
    }
}

fn is(n: &Node, f: &FieldDef) -> bool {
    n.field.is_some_and(|g| std::ptr::eq(g, f))
}

/// True when node `id` lies in a layer of `proto` whose number (1 = outermost) is in `ranges`.
fn in_layers(pkt: &Packet, id: NodeId, ranges: &[SliceRange], proto: &FieldDef) -> bool {
    let tree = &pkt.tree;
    // The enclosing layer: the node itself or its nearest ancestor of that protocol.
    let mut cur = Some(id);
    let mut layer = None;
    while let Some(c) = cur {
        if is(tree.node(c), proto) {
            layer = Some(c);
            break;
        }
        cur = tree.parent(c);
    }
    let Some(layer) = layer else {
        return false;
    };
    // Layers are created outermost first, so creation order numbers them.
    let mut number = 0i64;
    let mut total = 0i64;
    for (nid, n) in tree.nodes_unordered() {
        if is(n, proto) {
            total += 1;
            if nid <= layer {
                number += 1;
            }
        }
    }
    ranges.iter().any(|r| {
        let start = if r.start < 0 {
            total + r.start + 1
        } else {
            r.start
        };
        match r.end {
            SliceEnd::Len(l) => {
                number >= start && (number - start) < i64::try_from(l).unwrap_or(i64::MAX)
            }
            SliceEnd::ToEnd => number >= start,
            SliceEnd::Last(e) => {
                let last = if e < 0 { total + e + 1 } else { e };
                number >= start && number <= last
            }
        }
    })
}

/// A compiled operand: something that yields zero or more values per packet.
#[derive(Clone, Debug)]
pub enum Src {
    Field {
        sel: FieldSel,
        slice: Option<Box<[SliceRange]>>,
        /// For a protocol: its bytes through the end of what its dissector was given (the
        /// payload too), not just the layer's own range.
        extent: bool,
    },
    Len(FieldSel),
    Count(FieldSel),
    /// `max(a, b, …)` / `min(…)` over every value of every argument (numbers and times).
    Extreme {
        args: Vec<Src>,
        max: bool,
    },
    Abs(Box<Src>),
    Case {
        arg: Box<Src>,
        upper: bool,
    },
    /// `string(field)`: the show form.
    String(FieldSel),
    BitAnd(Box<Src>, u64),
    /// Integer arithmetic over every pair of values (a pair with no result, such as a division
    /// by zero, yields nothing).
    Arith(ArithOp, Box<Src>, Box<Src>),
    Neg(Box<Src>),
    Const(Lit),
}

#[derive(Clone, Debug)]
pub enum SetItem {
    One(Lit),
    Range(Lit, Lit),
}

/// A compiled filter expression.
#[derive(Clone, Debug)]
pub enum Prog {
    True,
    Or(Vec<Prog>),
    Xor(Vec<Prog>),
    And(Vec<Prog>),
    Not(Box<Prog>),
    Exists(FieldSel),
    /// True when the operand yields a value (slices, functions).
    Nonempty(Src),
    /// True when some value is non-zero (`tcp.flags & 0x02`).
    NonZero(Src),
    Cmp(CmpOp, Src, Src),
    Contains(Src, Src),
    Matches(Src, Regex),
    In(Src, Vec<SetItem>),
}

/// The bytes a node covers in its data source (protocols, labels).
fn range_bytes<'p>(pkt: &'p Packet, node: &Node) -> &'p [u8] {
    let r = node.range;
    pkt.sources
        .get(r.source as usize)
        .and_then(|s| {
            s.data
                .get(r.start as usize..(r.start as usize).saturating_add(r.len as usize))
        })
        .unwrap_or(&[])
}

/// A layer's bytes from its start to the furthest byte any later node (its own fields and the
/// layers it handed its payload to) reads in the same data source: the extent of the buffer
/// its dissector was given, as far as the tree shows it. The link layer (a layer at offset 0
/// of the frame) gets the whole frame, padding included.
fn layer_extent(pkt: &Packet, id: NodeId) -> &[u8] {
    let node = pkt.tree.node(id);
    let r = node.range;
    let Some(data) = pkt.sources.get(r.source as usize).map(|s| &s.data[..]) else {
        return &[];
    };
    let mut end = r.end() as usize;
    if r.source == 0 && r.start == 0 {
        end = data.len();
    } else {
        for (_, n) in pkt
            .tree
            .nodes_unordered()
            .skip((id.0 as usize).saturating_sub(1))
        {
            if n.range.source == r.source && n.range.start >= r.start {
                end = end.max(n.range.end() as usize);
            }
        }
    }
    data.get(r.start as usize..end.min(data.len()))
        .unwrap_or(&[])
}

/// The bytes of a node for slicing and byte comparisons.
fn node_bytes<'p>(pkt: &'p Packet, node: &'p Node) -> Option<&'p [u8]> {
    match &node.value {
        Value::None => Some(range_bytes(pkt, node)),
        v => v.as_bytes(),
    }
}

fn node_value<'p>(pkt: &'p Packet, node: &'p Node) -> Option<V<'p>> {
    Some(match &node.value {
        Value::None => V::Bytes(range_bytes(pkt, node)),
        Value::Bool(b) => V::Int(*b as i128),
        Value::UInt(v) => V::Int(*v as i128),
        Value::Int(v) => V::Int(*v as i128),
        Value::Double(d) => V::Float(*d),
        Value::Bytes(b) => V::Bytes(b),
        Value::Str(s) => V::Bytes(s.as_bytes()),
        Value::Ipv4(a) => V::Ip4(u32::from_be_bytes(*a), u32::MAX),
        Value::Ipv6(a) => V::Ip6(a, 128),
        Value::Ether(a) => V::Bytes(a),
        Value::Eui64(a) => V::Bytes(a),
        Value::AbsTime(t) | Value::RelTime(t) => V::Time(*t),
    })
}

/// `len()` of one occurrence: bytes for byte-like values, the type's width for integers and
/// addresses, 0 for booleans, times and floats (as tshark 4.0).
fn node_len(pkt: &Packet, node: &Node) -> i128 {
    let f = node.field;
    (match &node.value {
        Value::None => range_bytes(pkt, node).len(),
        Value::Bytes(b) => b.len(),
        Value::Str(s) => s.len(),
        Value::UInt(_) | Value::Int(_) => f.map_or(0, |f| f.ftype.int_bits() as usize / 8),
        Value::Ipv4(_) => 4,
        Value::Ipv6(_) => 16,
        Value::Ether(_) => 6,
        Value::Eui64(_) => 8,
        Value::Bool(_) | Value::Double(_) | Value::AbsTime(_) | Value::RelTime(_) => 0,
    }) as i128
}

/// The bytes `ranges` pick out of `data`, joined; false when one falls outside it.
fn slices(ranges: &[SliceRange], data: &[u8], f: &mut dyn FnMut(V<'_>) -> bool) -> bool {
    if let [one] = ranges {
        return one.apply(data).is_some_and(|b| f(V::Bytes(b)));
    }
    let mut buf = Vec::new();
    for r in ranges {
        match r.apply(data) {
            Some(b) => buf.extend_from_slice(b),
            None => return false,
        }
    }
    f(V::Bytes(&buf))
}

/// The largest (`max`) or smallest value of all of `args`' values, for max() and min().
fn extreme(pkt: &Packet, args: &[Src], max: bool) -> Option<Num> {
    let want = if max {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let mut best: Option<Num> = None;
    for a in args {
        a.each(pkt, &mut |v| {
            if let Some(x) = Num::of(&v) {
                if best.is_none_or_(|b| order(&x.v(), &b.v()) == Some(want)) {
                    best = Some(x);
                }
            }
            false
        });
    }
    best
}

impl Src {
    /// Calls `f` with every value; stops (and returns true) as soon as `f` returns true.
    pub fn each(&self, pkt: &Packet, f: &mut dyn FnMut(V<'_>) -> bool) -> bool {
        match self {
            Src::Const(l) => l.v().is_some_and(f),
            Src::Field {
                sel,
                slice: None,
                extent: true,
            } => sel
                .nodes(pkt)
                .any(|(id, _)| f(V::Bytes(layer_extent(pkt, id)))),
            Src::Field {
                sel, slice: None, ..
            } => sel
                .nodes(pkt)
                .any(|(_, n)| node_value(pkt, n).is_some_and(&mut *f)),
            Src::Field {
                sel,
                slice: Some(ranges),
                ..
            } => sel
                .nodes(pkt)
                .any(|(_, n)| node_bytes(pkt, n).is_some_and(|data| slices(ranges, data, f))),
            Src::Len(sel) => sel.nodes(pkt).any(|(_, n)| f(V::Int(node_len(pkt, n)))),
            Src::Count(sel) => f(V::Int(sel.nodes(pkt).count() as i128)),
            Src::Extreme { args, max } => extreme(pkt, args, *max).is_some_and(|b| f(b.v())),
            Src::Arith(op, a, b) => a.each(pkt, &mut |x| {
                b.each(pkt, &mut |y| match (x, y) {
                    (V::Int(p), V::Int(q)) => arith(*op, p, q).is_some_and(|r| f(V::Int(r))),
                    _ => false,
                })
            }),
            Src::Neg(arg) => arg.each(pkt, &mut |v| match v {
                V::Int(i) => i.checked_neg().is_some_and(|n| f(V::Int(n))),
                V::Float(x) => f(V::Float(-x)),
                V::Time(t) => f(V::Time(t.saturating_neg())),
                _ => false,
            }),
            Src::Abs(arg) => arg.each(pkt, &mut |v| match v {
                V::Int(i) => i.checked_abs().is_some_and(|a| f(V::Int(a))),
                V::Float(x) => f(V::Float(x.abs())),
                V::Time(t) => f(V::Time(t.saturating_abs())),
                _ => false,
            }),
            Src::Case { arg, upper } => arg.each(pkt, &mut |v| match v {
                V::Bytes(b) => {
                    let s = String::from_utf8_lossy(b);
                    let t = if *upper {
                        s.to_uppercase()
                    } else {
                        s.to_lowercase()
                    };
                    f(V::Bytes(t.as_bytes()))
                }
                _ => false,
            }),
            Src::String(sel) => sel.nodes(pkt).any(|(_, n)| {
                let s = crate::engine::value::show(sel.field, &n.value);
                f(V::Bytes(s.as_bytes()))
            }),
            Src::BitAnd(arg, mask) => arg.each(pkt, &mut |v| match v {
                V::Int(i) => f(V::Int(i & *mask as i128)),
                V::Bytes(b) if !b.is_empty() && b.len() <= 8 => {
                    let x = b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64);
                    f(V::Int((x & mask) as i128))
                }
                _ => false,
            }),
        }
    }

    fn any(&self, pkt: &Packet) -> bool {
        self.each(pkt, &mut |_| true)
    }
}

pub fn arith(op: ArithOp, a: i128, b: i128) -> Option<i128> {
    match op {
        ArithOp::BitAnd => Some(a & b),
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => a.checked_div(b),
        ArithOp::Mod => a.checked_rem(b),
    }
}

/// A number kept across callbacks (for `max`/`min`).
#[derive(Copy, Clone)]
enum Num {
    Int(i128),
    Float(f64),
    Time(i64),
}

impl Num {
    fn of(v: &V) -> Option<Num> {
        match *v {
            V::Int(i) => Some(Num::Int(i)),
            V::Float(x) => Some(Num::Float(x)),
            V::Time(t) => Some(Num::Time(t)),
            _ => None,
        }
    }

    fn v(self) -> V<'static> {
        match self {
            Num::Int(i) => V::Int(i),
            Num::Float(x) => V::Float(x),
            Num::Time(t) => V::Time(t),
        }
    }
}

trait OptionExt<T> {
    /// `Option::is_none_or` (stable only since Rust 1.82; the crate supports 1.80).
    fn is_none_or_(&self, f: impl FnOnce(&T) -> bool) -> bool;
}

impl<T> OptionExt<T> for Option<T> {
    fn is_none_or_(&self, f: impl FnOnce(&T) -> bool) -> bool {
        match self {
            None => true,
            Some(x) => f(x),
        }
    }
}

fn prefix_eq(a: &[u8; 16], b: &[u8; 16], bits: u8) -> bool {
    let bits = bits.min(128) as usize;
    let full = bits / 8;
    if a[..full] != b[..full] {
        return false;
    }
    let rem = bits % 8;
    if rem == 0 {
        return true;
    }
    let m = 0xffu8 << (8 - rem);
    a[full] & m == b[full] & m
}

pub fn equal(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Int(x), V::Int(y)) => x == y,
        (V::Float(x), V::Float(y)) => x == y,
        (V::Int(x), V::Float(y)) | (V::Float(y), V::Int(x)) => *x as f64 == *y,
        (V::Time(x), V::Time(y)) => x == y,
        (V::Bytes(x), V::Bytes(y)) => x == y,
        (V::Ip4(x, mx), V::Ip4(y, my)) => {
            let m = mx & my;
            x & m == y & m
        }
        (V::Ip6(x, px), V::Ip6(y, py)) => prefix_eq(x, y, (*px).min(*py)),
        (V::Bytes(b), V::Ip4(a, _)) | (V::Ip4(a, _), V::Bytes(b)) => *b == a.to_be_bytes(),
        (V::Bytes(b), V::Ip6(a, _)) | (V::Ip6(a, _), V::Bytes(b)) => *b == &a[..],
        _ => false,
    }
}

pub fn order(a: &V, b: &V) -> Option<Ordering> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Float(x), V::Float(y)) => x.partial_cmp(y),
        (V::Int(x), V::Float(y)) => (*x as f64).partial_cmp(y),
        (V::Float(x), V::Int(y)) => x.partial_cmp(&(*y as f64)),
        (V::Time(x), V::Time(y)) => Some(x.cmp(y)),
        (V::Bytes(x), V::Bytes(y)) => Some(x.cmp(y)),
        (V::Ip4(x, _), V::Ip4(y, _)) => Some(x.cmp(y)),
        (V::Ip6(x, _), V::Ip6(y, _)) => Some(x.cmp(y)),
        (V::Bytes(b), V::Ip4(a, _)) => Some((*b).cmp(&a.to_be_bytes()[..])),
        (V::Ip4(a, _), V::Bytes(b)) => Some(a.to_be_bytes()[..].cmp(b)),
        (V::Bytes(b), V::Ip6(a, _)) => Some((*b).cmp(&a[..])),
        (V::Ip6(a, _), V::Bytes(b)) => Some(a[..].cmp(b)),
        _ => None,
    }
}

fn test(op: CmpOp, a: &V, b: &V) -> bool {
    match op {
        CmpOp::AnyEq | CmpOp::AllEq => equal(a, b),
        CmpOp::AllNe | CmpOp::AnyNe => !equal(a, b),
        CmpOp::Gt => order(a, b) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(a, b), Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::Lt => order(a, b) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(a, b), Some(Ordering::Less | Ordering::Equal)),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// True when some pair of values satisfies `pred`.
fn any_pair(pkt: &Packet, a: &Src, b: &Src, pred: &dyn Fn(&V, &V) -> bool) -> bool {
    a.each(pkt, &mut |x| b.each(pkt, &mut |y| pred(&x, &y)))
}

/// True when there is at least one pair and every pair satisfies `pred`.
fn all_pairs(pkt: &Packet, a: &Src, b: &Src, pred: &dyn Fn(&V, &V) -> bool) -> bool {
    let mut seen = false;
    let failed = a.each(pkt, &mut |x| {
        b.each(pkt, &mut |y| {
            seen = true;
            !pred(&x, &y)
        })
    });
    seen && !failed
}

impl Prog {
    pub fn eval(&self, pkt: &Packet) -> bool {
        match self {
            Prog::True => true,
            Prog::Or(v) => v.iter().any(|p| p.eval(pkt)),
            Prog::And(v) => v.iter().all(|p| p.eval(pkt)),
            Prog::Xor(v) => v.iter().fold(false, |acc, p| acc ^ p.eval(pkt)),
            Prog::Not(p) => !p.eval(pkt),
            Prog::Exists(sel) => sel.nodes(pkt).next().is_some(),
            Prog::Nonempty(s) => s.any(pkt),
            Prog::NonZero(s) => s.each(pkt, &mut |v| !matches!(v, V::Int(0))),
            Prog::Cmp(op, a, b) => match op {
                CmpOp::AllEq | CmpOp::AllNe => all_pairs(pkt, a, b, &|x, y| test(*op, x, y)),
                _ => any_pair(pkt, a, b, &|x, y| test(*op, x, y)),
            },
            Prog::Contains(a, b) => any_pair(pkt, a, b, &|x, y| match (x, y) {
                (V::Bytes(h), V::Bytes(n)) => contains(h, n),
                _ => false,
            }),
            Prog::Matches(a, re) => a.each(pkt, &mut |v| match v {
                V::Bytes(b) => re.is_match(b),
                _ => false,
            }),
            Prog::In(a, set) => a.each(pkt, &mut |v| {
                set.iter().any(|item| match item {
                    SetItem::One(l) => l.v().is_some_and(|x| equal(&v, &x)),
                    SetItem::Range(lo, hi) => match (lo.v(), hi.v()) {
                        (Some(lo), Some(hi)) => {
                            matches!(order(&v, &lo), Some(Ordering::Greater | Ordering::Equal))
                                && matches!(order(&v, &hi), Some(Ordering::Less | Ordering::Equal))
                        }
                        _ => false,
                    },
                })
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_wireshark_ranges() {
        let d = [0u8, 1, 2, 3, 4, 5];
        let r = |start, end| SliceRange { start, end }.apply(&d).map(|b| b.to_vec());
        assert_eq!(r(0, SliceEnd::Len(3)), Some(vec![0, 1, 2]));
        assert_eq!(r(-2, SliceEnd::ToEnd), Some(vec![4, 5]));
        assert_eq!(r(1, SliceEnd::Last(3)), Some(vec![1, 2, 3]));
        assert_eq!(r(5, SliceEnd::Len(1)), Some(vec![5]));
        assert_eq!(r(5, SliceEnd::Len(2)), None);
        assert_eq!(r(6, SliceEnd::ToEnd), None);
        assert_eq!(r(-7, SliceEnd::ToEnd), None);
        assert_eq!(r(i64::MIN, SliceEnd::Len(u64::MAX)), None);
        assert_eq!(r(i64::MAX, SliceEnd::Last(i64::MAX)), None);
        assert_eq!(r(3, SliceEnd::Last(1)), None);
    }

    #[test]
    fn cidr_and_mixed_number_comparisons() {
        let net = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut a = net;
        a[15] = 1;
        assert!(equal(&V::Ip6(&a, 128), &V::Ip6(&net, 10)));
        assert!(!equal(&V::Ip6(&a, 128), &V::Ip6(&net, 128)));
        assert!(equal(
            &V::Ip4(0x0a000001, !0),
            &V::Ip4(0x0a000000, 0xff000000)
        ));
        assert!(equal(&V::Int(2), &V::Float(2.0)));
        assert_eq!(order(&V::Int(-1), &V::Int(0)), Some(Ordering::Less));
        assert_eq!(order(&V::Int(1), &V::Bytes(&[])), None);
        assert!(contains(b"abc", b"bc") && contains(b"abc", b"") && !contains(b"a", b"ab"));
    }
}
