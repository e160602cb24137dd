//! tshark-shaped JSON: `-T json` (an array of Elasticsearch-style documents whose
//! `_source.layers` mirror the protocol tree) and `-T ek` (newline-delimited bulk-index lines
//! with each layer flattened). Both stream: one packet is formatted and written at a time.
//!
//! Shape of `-T json`, as tshark's with `--no-duplicate-keys`:
//! - a layer is `"proto": { …fields… }`; a field is `"abbrev": "show value"`;
//! - a field with children adds `"abbrev_tree": { … }` after it (protocols and label-only
//!   fields put their children directly under their key);
//! - a node without a field uses its label as key;
//! - repeated keys in one object become one key with an array of values;
//! - with `-x`, `"abbrev_raw": [hex, offset, length, bitmask, type]` precedes each field.
//!
//! JSON is the heaviest output (a packet's document is some 10 KB), so the writer builds no
//! intermediate strings: keys are borrowed from the field registry or the tree's labels, values
//! are written straight into the output, and strings are escaped run by run.

use dissectors::engine::field::{FieldDef, FieldType};
use dissectors::engine::tree::{Node, NodeId, Tree};
use dissectors::engine::value::{self, Value};
use dissectors::engine::Packet;
use std::fmt::Write;

/// Bytes that need an escape in a JSON string: quote, backslash, controls and DEL.
const fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f
}

/// Appends `s` as a JSON string literal.
pub fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    write_json_escaped(out, s);
    out.push('"');
}

/// Appends `s` escaped for the inside of a JSON string: unescaped runs are copied whole.
fn write_json_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        out.push_str(&s[run..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
}

/// A field's show value as a JSON string, written in place (only text values can hold
/// characters that need escaping).
fn write_json_value(out: &mut String, f: &FieldDef, v: &Value) {
    out.push('"');
    match v {
        Value::Str(s) => write_json_escaped(out, s),
        v => value::write_show(out, f, v),
    }
    out.push('"');
}

/// Wireshark's `ftenum` numbers, as the `_raw` arrays carry them.
fn ftype_number(t: FieldType) -> u32 {
    match t {
        FieldType::None => 0,
        FieldType::Protocol => 1,
        FieldType::Bool => 2,
        FieldType::U8 => 4,
        FieldType::U16 => 5,
        FieldType::U24 => 6,
        FieldType::U32 => 7,
        FieldType::U64 => 11,
        FieldType::I8 => 12,
        FieldType::I16 => 13,
        FieldType::I32 => 15,
        FieldType::I64 => 19,
        FieldType::Float => 22,
        FieldType::Double => 23,
        FieldType::AbsTime => 24,
        FieldType::RelTime => 25,
        FieldType::String => 26,
        FieldType::Ether => 29,
        FieldType::Bytes => 30,
        FieldType::Ipv4 => 32,
        FieldType::Ipv6 => 33,
        FieldType::FrameNum => 35,
        FieldType::Eui64 => 38,
    }
}

/// The `_index` value: `packets-YYYY-MM-DD` of the packet's (UTC) date, as a JSON string.
fn write_index_name(out: &mut String, p: &Packet) {
    let days = p.meta.ts_ns.div_euclid(1_000_000_000).div_euclid(86_400);
    let (y, m, d) = value::civil_from_days(days);
    let _ = write!(out, "\"packets-{y:04}-{m:02}-{d:02}\"");
}

/// tshark's `-j`/`-J` protocol filters: the names (field abbreviations or labels) whose
/// subtrees are shown. With `-j` a listed node shows its leaves and, of its subtrees, only the
/// listed ones; with `-J` (`all_children`) a listed node shows everything below it. An
/// unlisted subtree is written as `{"filtered": "name"}`, as tshark writes it.
#[derive(Clone, Debug, Default)]
pub struct ProtoFilter {
    pub names: Vec<String>,
    pub all_children: bool,
}

impl ProtoFilter {
    /// `-j "ip udp"` (or `-J` with `all_children`): space-separated names.
    pub fn parse(list: &str, all_children: bool) -> ProtoFilter {
        ProtoFilter {
            names: list.split_whitespace().map(str::to_string).collect(),
            all_children,
        }
    }
}

/// How a document is written: with `_raw` bytes or not, and through a protocol filter; `open`
/// once a `-J` name matched above (everything below is shown).
#[derive(Copy, Clone)]
struct Opts<'a> {
    raw: bool,
    filter: Option<&'a ProtoFilter>,
    open: bool,
}

/// What one key of a JSON object holds.
#[derive(Copy, Clone)]
enum Item {
    /// A field's value, shown.
    Show(NodeId),
    /// A field's children (`abbrev_tree`, or a protocol/label node's own object).
    Object(NodeId),
    /// `_raw` bytes of a field.
    Raw(NodeId),
}

/// A key of a JSON object, borrowed: a field's abbreviation with an optional suffix, or a
/// label. Keys are equal when their text is (`tcp.seq` + `_raw` is the field `tcp.seq_raw`).
#[derive(Copy, Clone)]
enum Key<'t> {
    Field(&'static str, &'static str),
    Label(&'t str),
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a1, a2) = self.parts();
        let (b1, b2) = other.parts();
        if a1.len() + a2.len() != b1.len() + b2.len() {
            return false;
        }
        // Split both at the shorter first part and compare the pieces as slices.
        let (a1, a2, b1, b2) = (a1.as_bytes(), a2.as_bytes(), b1.as_bytes(), b2.as_bytes());
        if a1.len() <= b1.len() {
            let k = b1.len() - a1.len();
            a1 == &b1[..a1.len()] && a2[..k] == b1[a1.len()..] && a2[k..] == *b2
        } else {
            let k = a1.len() - b1.len();
            b1 == &a1[..b1.len()] && b2[..k] == a1[b1.len()..] && b2[k..] == *a2
        }
    }
}

impl<'t> Key<'t> {
    /// A hash of the key's text (FNV-1a), so that finding repeated keys compares numbers.
    fn hash(&self) -> u64 {
        let (a, b) = self.parts();
        a.bytes()
            .chain(b.bytes())
            .fold(0xcbf2_9ce4_8422_2325, |h, c| {
                (h ^ c as u64).wrapping_mul(0x100_0000_01b3)
            })
    }

    fn parts(&self) -> (&'t str, &'static str) {
        match *self {
            Key::Field(a, b) => (a, b),
            Key::Label(l) => (l, ""),
        }
    }

    fn write(self, out: &mut String) {
        out.push('"');
        match self {
            Key::Field(abbrev, suffix) => {
                out.push_str(abbrev);
                out.push_str(suffix);
            }
            Key::Label(l) => write_json_escaped(out, l),
        }
        out.push('"');
    }
}

fn is_container(f: &FieldDef) -> bool {
    matches!(f.ftype, FieldType::Protocol | FieldType::None)
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n * 2;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

fn write_item(out: &mut String, p: &Packet, item: Item, depth: usize, opts: Opts, s: &mut Scratch) {
    let tree = &p.tree;
    match item {
        Item::Show(id) => {
            let n = tree.node(id);
            match n.field {
                // A protocol layer with no fields shows its label (`"raw": "Raw packet data"`).
                Some(f) if f.ftype == FieldType::Protocol => {
                    write_json_str(out, tree.text(id).unwrap_or(f.name))
                }
                Some(f) => write_json_value(out, f, &n.value),
                None => out.push_str("\"\""),
            }
        }
        Item::Object(id) => match opts.filter {
            Some(f) if !opts.open => {
                let name = match tree.node(id).field {
                    Some(field) => field.abbrev,
                    None => tree.text(id).unwrap_or(""),
                };
                if f.names.iter().any(|n| n == name) {
                    let opts = Opts {
                        open: f.all_children,
                        ..opts
                    };
                    write_object(out, p, id, depth, opts, None, s);
                } else {
                    out.push_str("{\n");
                    indent(out, depth + 1);
                    out.push_str("\"filtered\": ");
                    write_json_str(out, name);
                    out.push('\n');
                    indent(out, depth);
                    out.push('}');
                }
            }
            _ => write_object(out, p, id, depth, opts, None, s),
        },
        Item::Raw(id) => write_raw(out, p, tree.node(id), depth),
    }
}

/// `[hex, offset, length, bitmask, type]` of a field's bytes.
fn write_raw(out: &mut String, p: &Packet, n: &Node, depth: usize) {
    let f = n.field.expect("raw items are fields");
    write_raw_array(
        out,
        super::node_bytes(p, n),
        [n.range.start as u64, n.range.len as u64, f.bitmask],
        ftype_number(f.ftype),
        depth,
    );
}

fn write_raw_array(out: &mut String, bytes: &[u8], nums: [u64; 3], ftype: u32, depth: usize) {
    out.push_str("[\n");
    indent(out, depth + 1);
    out.push('"');
    value::write_plain_hex(out, bytes);
    out.push_str("\",\n");
    let mut digits = itoa::Buffer::new();
    for v in nums {
        indent(out, depth + 1);
        out.push_str(digits.format(v));
        out.push_str(",\n");
    }
    indent(out, depth + 1);
    out.push_str(digits.format(ftype));
    out.push('\n');
    indent(out, depth);
    out.push(']');
}

/// A JSON object's member while its object is written: its key, what it holds, and its key
/// group (the members with the same key are written together, under the first one).
#[derive(Copy, Clone)]
struct Member {
    key: KeyRef,
    item: Item,
    hash: u64,
    /// Index (within the object) of the first member with the same key.
    leader: u32,
    /// The next member with the same key, or `u32::MAX`.
    next: u32,
    /// For a leader, how many members share its key; for the others, scratch.
    count: u32,
    /// For a leader, the last member of its group so far (while grouping).
    last: u32,
}

/// A [`Key`] without the borrow of the tree (a label is named by its node), so members can
/// live in the [`Scratch`] that outlasts one packet.
#[derive(Copy, Clone)]
enum KeyRef {
    Field(&'static str, &'static str),
    Label(NodeId),
}

impl KeyRef {
    fn key(self, tree: &Tree) -> Key<'_> {
        match self {
            KeyRef::Field(a, b) => Key::Field(a, b),
            KeyRef::Label(id) => Key::Label(tree.text(id).unwrap_or("")),
        }
    }
}

/// The members of the objects being written, as a stack: an object's members sit above its
/// parent's while it is written. Kept from packet to packet, so writing allocates nothing once
/// it has grown.
#[derive(Default)]
struct Scratch {
    members: Vec<Member>,
    /// Sort order for grouping a large object.
    order: Vec<u32>,
}

/// Objects up to this many members find repeated keys by comparing hashes pairwise; larger
/// ones sort (an object can hold thousands of list elements or attributes under one key,
/// where pairwise comparing is quadratic).
const PAIRWISE_MAX: usize = 24;

impl Scratch {
    /// Pushes the keyed members of `parent`'s children, in tree order (one child can give
    /// several).
    fn push_members(&mut self, tree: &Tree, parent: NodeId, raw: bool) {
        let mut push = |key: KeyRef, item: Item| {
            self.members.push(Member {
                key,
                item,
                hash: key.key(tree).hash(),
                leader: 0,
                next: u32::MAX,
                count: 0,
                last: u32::MAX,
            })
        };
        for (id, n) in tree.children(parent) {
            let has_children = tree.has_children(id);
            let Some(f) = n.field else {
                let item = if has_children {
                    Item::Object(id)
                } else {
                    Item::Show(id)
                };
                push(KeyRef::Label(id), item);
                continue;
            };
            if raw && n.range.len > 0 {
                push(KeyRef::Field(f.abbrev, "_raw"), Item::Raw(id));
            }
            if is_container(f) && has_children {
                push(KeyRef::Field(f.abbrev, ""), Item::Object(id));
            } else {
                push(KeyRef::Field(f.abbrev, ""), Item::Show(id));
                if has_children && !is_container(f) {
                    push(KeyRef::Field(f.abbrev, "_tree"), Item::Object(id));
                }
            }
        }
    }

    /// Groups the members from `base` on by key: sets each one's leader, chains the members of
    /// a group through `next` in order, and counts each group on its leader.
    fn group(&mut self, tree: &Tree, base: usize) {
        let m = &mut self.members[base..];
        let n = m.len();
        let same = |m: &[Member], i: usize, j: usize| {
            m[i].hash == m[j].hash && m[i].key.key(tree) == m[j].key.key(tree)
        };
        if n <= PAIRWISE_MAX {
            for i in 0..n {
                m[i].leader = (0..i)
                    .find(|&j| m[j].leader == j as u32 && same(m, i, j))
                    .unwrap_or(i) as u32;
            }
        } else {
            let order = &mut self.order;
            order.clear();
            order.extend(0..n as u32);
            order.sort_unstable_by_key(|&i| (m[i as usize].hash, i));
            let mut start = 0;
            while start < n {
                let h = m[order[start] as usize].hash;
                let end = start
                    + order[start..]
                        .iter()
                        .take_while(|&&i| m[i as usize].hash == h)
                        .count();
                // Within one hash the first equal key (by position) leads; collisions are rare.
                for a in start..end {
                    let i = order[a] as usize;
                    m[i].leader = order[start..a]
                        .iter()
                        .map(|&j| j as usize)
                        .find(|&j| m[j].leader == j as u32 && same(m, i, j))
                        .unwrap_or(i) as u32;
                }
                start = end;
            }
        }
        for i in 0..n {
            let l = m[i].leader as usize;
            m[l].count += 1;
            if m[l].last != u32::MAX {
                let last = m[l].last as usize;
                m[last].next = i as u32;
            }
            m[l].last = i as u32;
        }
    }
}

/// Writes the object of `parent`'s children; `first` is written as its first member (the
/// `frame_raw` of `-x`). Keys come in first-seen order; a repeated key gathers every member
/// under it, in order, as an array.
fn write_object(
    out: &mut String,
    p: &Packet,
    parent: NodeId,
    depth: usize,
    opts: Opts,
    first: Option<&dyn Fn(&mut String)>,
    s: &mut Scratch,
) {
    let base = s.members.len();
    s.push_members(&p.tree, parent, opts.raw);
    let n = s.members.len() - base;
    if n == 0 {
        out.push_str("{}");
        return;
    }
    s.group(&p.tree, base);
    out.push_str("{\n");
    let mut wrote_any = false;
    if let Some(first) = first {
        indent(out, depth + 1);
        first(out);
        wrote_any = true;
    }
    for i in 0..n {
        let m = s.members[base + i];
        if m.leader != i as u32 {
            continue;
        }
        if wrote_any {
            out.push_str(",\n");
        }
        wrote_any = true;
        indent(out, depth + 1);
        m.key.key(&p.tree).write(out);
        out.push_str(": ");
        if m.count == 1 {
            write_item(out, p, m.item, depth + 1, opts, s);
            continue;
        }
        out.push_str("[\n");
        let mut written = 0;
        let mut j = i as u32;
        while j != u32::MAX {
            let item = s.members[base + j as usize];
            indent(out, depth + 2);
            write_item(out, p, item.item, depth + 2, opts, s);
            written += 1;
            out.push_str(if written < m.count { ",\n" } else { "\n" });
            j = item.next;
        }
        indent(out, depth + 1);
        out.push(']');
    }
    s.members.truncate(base);
    out.push('\n');
    indent(out, depth);
    out.push('}');
}

/// One `-T json` document (without the separating comma).
pub fn write_json_packet(out: &mut String, p: &Packet, raw: bool) {
    write_json_packet_with(out, p, raw, None);
}

/// One `-T json` document through a `-j`/`-J` protocol filter.
pub fn write_json_packet_with(
    out: &mut String,
    p: &Packet,
    raw: bool,
    filter: Option<&ProtoFilter>,
) {
    let opts = Opts {
        raw,
        filter,
        open: false,
    };
    out.push_str("  {\n    \"_index\": ");
    write_index_name(out, p);
    out.push_str(
        ",\n    \"_type\": \"doc\",\n    \"_score\": null,\n    \"_source\": {\n      \"layers\": ",
    );
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    let mut s = SCRATCH.take();
    s.members.clear();
    if raw {
        // tshark puts the whole frame's bytes first, as frame_raw.
        let data = p.frame_data();
        let frame_raw = |out: &mut String| {
            out.push_str("\"frame_raw\": ");
            write_raw_array(out, data, [0, data.len() as u64, 0], 1, 4);
        };
        write_object(out, p, NodeId::ROOT, 3, opts, Some(&frame_raw), &mut s);
    } else {
        write_object(out, p, NodeId::ROOT, 3, opts, None, &mut s);
    }
    SCRATCH.set(s);
    out.push_str("\n    }\n  }");
}

/// ISO 8601 UTC time with nanoseconds, as `-T ek` prints `frame.time`.
fn write_iso_time(out: &mut String, ns: i64) {
    let days = ns.div_euclid(1_000_000_000).div_euclid(86_400);
    let (y, m, d) = value::civil_from_days(days);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}T");
    super::text::write_clock(out, ns, true);
    out.push('Z');
}

fn ek_value(out: &mut String, f: &FieldDef, v: &Value) {
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::AbsTime(ns) => {
            out.push('"');
            write_iso_time(out, *ns);
            out.push('"');
        }
        _ => write_json_value(out, f, v),
    }
}

/// `ip.src` as an `-T ek` key: dots become underscores.
fn write_ek_name(out: &mut String, name: &str) {
    out.extend(name.chars().map(|c| if c == '.' { '_' } else { c }));
}

/// One `-T ek` packet: the bulk-index line and the document line.
pub fn write_ek_packet(out: &mut String, p: &Packet) {
    out.push_str("{\"index\":{\"_index\":");
    write_index_name(out, p);
    out.push_str(",\"_type\":\"doc\"}}\n");
    let _ = write!(
        out,
        "{{\"timestamp\":\"{}\",\"layers\":{{",
        p.meta.ts_ns.div_euclid(1_000_000)
    );
    // Layers with the same name (IPv6 in IPv6) become arrays of objects.
    let layers: Vec<(NodeId, &'static str)> = p
        .tree
        .children(NodeId::ROOT)
        .filter_map(|(id, n)| Some((id, n.field?.abbrev)))
        .collect();
    let mut first = true;
    for (i, (_, name)) in layers.iter().enumerate() {
        if layers[..i].iter().any(|(_, n)| n == name) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push('"');
        write_ek_name(out, name);
        out.push_str("\":");
        let same: Vec<NodeId> = layers[i..]
            .iter()
            .filter(|(_, n)| n == name)
            .map(|(id, _)| *id)
            .collect();
        if same.len() > 1 {
            out.push('[');
        }
        for (j, id) in same.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write_ek_layer(out, p, *id, name);
        }
        if same.len() > 1 {
            out.push(']');
        }
    }
    out.push_str("}}\n");
}

/// A layer flattened: every field below it, keyed `layer_field_with_underscores`.
fn write_ek_layer(out: &mut String, p: &Packet, layer: NodeId, name: &str) {
    fn collect(tree: &Tree, id: NodeId, fields: &mut Vec<(&'static str, NodeId)>) {
        for (c, n) in tree.children(id) {
            if let Some(f) = n.field {
                if f.ftype != FieldType::None && f.ftype != FieldType::Protocol {
                    fields.push((f.abbrev, c));
                }
            }
            collect(tree, c, fields);
        }
    }
    let mut fields = Vec::with_capacity(32);
    collect(&p.tree, layer, &mut fields);
    out.push('{');
    let mut first = true;
    for (i, (abbrev, _)) in fields.iter().enumerate() {
        if fields[..i].iter().any(|(a, _)| a == abbrev) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        // tshark prefixes a field with its own protocol, which is not always the layer's
        // (mdns shows dns.* fields: `dns_dns_id`); engine items (`_ws.*`) take the layer's.
        let own = abbrev.split('.').next().unwrap_or(name);
        out.push('"');
        write_ek_name(out, if own.starts_with('_') { name } else { own });
        out.push('_');
        write_ek_name(out, abbrev);
        out.push_str("\":");
        let count = fields[i..].iter().filter(|(a, _)| a == abbrev).count();
        if count > 1 {
            out.push('[');
        }
        let same = fields[i..].iter().filter(|(a, _)| a == abbrev);
        for (j, (_, id)) in same.enumerate() {
            if j > 0 {
                out.push(',');
            }
            let n = p.tree.node(*id);
            ek_value(out, n.field.expect("collected fields"), &n.value);
        }
        if count > 1 {
            out.push(']');
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_controls() {
        let mut s = String::new();
        write_json_str(&mut s, "a\"b\\c\n\x01é\x7f");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001é\\u007f\"");
    }

    #[test]
    fn iso_time_has_nanoseconds() {
        let mut s = String::new();
        write_iso_time(&mut s, 1_526_567_522_245_037_000);
        assert_eq!(s, "2018-05-17T14:32:02.245037000Z");
    }
}
