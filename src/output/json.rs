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

use dissectors::engine::field::{FieldDef, FieldType};
use dissectors::engine::tree::{NodeId, Tree};
use dissectors::engine::value::{self, Value};
use dissectors::engine::Packet;
use std::fmt::Write;

/// Appends `s` as a JSON string literal.
pub fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
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

/// The `_index` value: `packets-YYYY-MM-DD` of the packet's (UTC) date.
fn index_name(p: &Packet) -> String {
    let days = p.meta.ts_ns.div_euclid(1_000_000_000).div_euclid(86_400);
    let (y, m, d) = value::civil_from_days(days);
    format!("packets-{y:04}-{m:02}-{d:02}")
}

enum Item {
    /// A field's value, shown.
    Show(NodeId),
    /// A field's children (`abbrev_tree`, or a protocol/label node's own object).
    Object(NodeId),
    /// `_raw` bytes of a field.
    Raw(NodeId),
}

fn is_container(f: &FieldDef) -> bool {
    matches!(f.ftype, FieldType::Protocol | FieldType::None)
}

/// Groups the children of `parent` into keys in first-seen order.
fn group(tree: &Tree, parent: NodeId, raw: bool) -> Vec<(String, Vec<Item>)> {
    let mut keys: Vec<(String, Vec<Item>)> = Vec::new();
    let push = |k: String, item: Item, keys: &mut Vec<(String, Vec<Item>)>| {
        if let Some(e) = keys.iter_mut().find(|(kk, _)| *kk == k) {
            e.1.push(item);
        } else {
            keys.push((k, vec![item]));
        }
    };
    for (id, n) in tree.children(parent) {
        let has_children = tree.has_children(id);
        match n.field {
            Some(f) => {
                if raw && n.range.len > 0 {
                    push(format!("{}_raw", f.abbrev), Item::Raw(id), &mut keys);
                }
                if is_container(f) {
                    if has_children {
                        push(f.abbrev.to_string(), Item::Object(id), &mut keys);
                    } else {
                        push(f.abbrev.to_string(), Item::Show(id), &mut keys);
                    }
                } else {
                    push(f.abbrev.to_string(), Item::Show(id), &mut keys);
                    if has_children {
                        push(format!("{}_tree", f.abbrev), Item::Object(id), &mut keys);
                    }
                }
            }
            None => {
                let label = n.text.as_deref().unwrap_or("").to_string();
                if has_children {
                    push(label, Item::Object(id), &mut keys);
                } else {
                    push(label, Item::Show(id), &mut keys);
                }
            }
        }
    }
    keys
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn write_item(out: &mut String, p: &Packet, item: &Item, depth: usize, raw: bool) {
    let tree = &p.tree;
    match *item {
        Item::Show(id) => {
            let n = tree.node(id);
            match n.field {
                // A protocol layer with no fields shows its label (`"raw": "Raw packet data"`).
                Some(f) if f.ftype == FieldType::Protocol => {
                    write_json_str(out, n.text.as_deref().unwrap_or(f.name))
                }
                Some(f) => write_json_str(out, &value::show(f, &n.value)),
                None => out.push_str("\"\""),
            }
        }
        Item::Object(id) => write_object(out, p, id, depth, raw),
        Item::Raw(id) => {
            let n = tree.node(id);
            let f = n.field.expect("raw items are fields");
            let src = p
                .sources
                .get(n.range.source as usize)
                .map(|s| &s.data[..])
                .unwrap_or(&[]);
            let start = (n.range.start as usize).min(src.len());
            let end = (n.range.end() as usize).min(src.len());
            out.push_str("[\n");
            indent(out, depth + 1);
            out.push('"');
            out.push_str(&value::hex_string(&src[start..end]));
            out.push_str("\",\n");
            indent(out, depth + 1);
            let _ = writeln!(out, "{},", n.range.start);
            indent(out, depth + 1);
            let _ = writeln!(out, "{},", n.range.len);
            indent(out, depth + 1);
            let _ = writeln!(out, "{},", f.bitmask);
            indent(out, depth + 1);
            let _ = writeln!(out, "{}", ftype_number(f.ftype));
            indent(out, depth);
            out.push(']');
        }
    }
}

fn write_object(out: &mut String, p: &Packet, parent: NodeId, depth: usize, raw: bool) {
    let keys = group(&p.tree, parent, raw);
    if keys.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    for (i, (k, items)) in keys.iter().enumerate() {
        indent(out, depth + 1);
        write_json_str(out, k);
        out.push_str(": ");
        if items.len() == 1 {
            write_item(out, p, &items[0], depth + 1, raw);
        } else {
            out.push_str("[\n");
            for (j, it) in items.iter().enumerate() {
                indent(out, depth + 2);
                write_item(out, p, it, depth + 2, raw);
                if j + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, depth + 1);
            out.push(']');
        }
        if i + 1 < keys.len() {
            out.push(',');
        }
        out.push('\n');
    }
    indent(out, depth);
    out.push('}');
}

/// One `-T json` document (without the separating comma).
pub fn write_json_packet(out: &mut String, p: &Packet, raw: bool) {
    out.push_str("  {\n    \"_index\": ");
    write_json_str(out, &index_name(p));
    out.push_str(
        ",\n    \"_type\": \"doc\",\n    \"_score\": null,\n    \"_source\": {\n      \"layers\": ",
    );
    if raw {
        // tshark puts the whole frame's bytes first, as frame_raw.
        let mut s = String::new();
        let data = p.frame_data();
        s.push_str("\"frame_raw\": [\n          \"");
        s.push_str(&value::hex_string(data));
        let _ = write!(
            s,
            "\",\n          0,\n          {},\n          0,\n          1\n        ],\n",
            data.len()
        );
        let mut obj = String::new();
        write_object(&mut obj, p, NodeId::ROOT, 3, raw);
        // Splice frame_raw in as the first key.
        if let Some(rest) = obj.strip_prefix("{\n") {
            out.push_str("{\n        ");
            out.push_str(&s);
            out.push_str(rest);
        } else {
            out.push_str(&obj);
        }
    } else {
        write_object(out, p, NodeId::ROOT, 3, raw);
    }
    out.push_str("\n    }\n  }");
}

/// ISO 8601 UTC time with nanoseconds, as `-T ek` prints `frame.time`.
fn iso_time(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let (y, m, d) = value::civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60,
        ns.rem_euclid(1_000_000_000)
    )
}

fn ek_value(out: &mut String, f: &FieldDef, v: &Value) {
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::AbsTime(ns) => write_json_str(out, &iso_time(*ns)),
        _ => write_json_str(out, &value::show(f, v)),
    }
}

/// One `-T ek` packet: the bulk-index line and the document line.
pub fn write_ek_packet(out: &mut String, p: &Packet) {
    out.push_str("{\"index\":{\"_index\":");
    write_json_str(out, &index_name(p));
    out.push_str(",\"_type\":\"doc\"}}\n");
    let _ = write!(
        out,
        "{{\"timestamp\":\"{}\",\"layers\":{{",
        p.meta.ts_ns.div_euclid(1_000_000)
    );
    // Layers with the same name (IPv6 in IPv6) become arrays of objects.
    let mut layers: Vec<(&str, Vec<NodeId>)> = vec![];
    for (id, n) in p.tree.children(NodeId::ROOT) {
        let Some(f) = n.field else { continue };
        match layers.iter_mut().find(|(k, _)| *k == f.abbrev) {
            Some(e) => e.1.push(id),
            None => layers.push((f.abbrev, vec![id])),
        }
    }
    for (i, (name, ids)) in layers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_str(out, &name.replace('.', "_"));
        out.push(':');
        if ids.len() > 1 {
            out.push('[');
        }
        for (j, id) in ids.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write_ek_layer(out, p, *id, name);
        }
        if ids.len() > 1 {
            out.push(']');
        }
    }
    out.push_str("}}\n");
}

/// A layer flattened: every field below it, keyed `layer_field_with_underscores`.
fn write_ek_layer(out: &mut String, p: &Packet, layer: NodeId, name: &str) {
    let mut keys: Vec<(String, Vec<NodeId>)> = vec![];
    fn collect(tree: &Tree, id: NodeId, prefix: &str, keys: &mut Vec<(String, Vec<NodeId>)>) {
        for (c, n) in tree.children(id) {
            if let Some(f) = n.field {
                if f.ftype != FieldType::Protocol || tree.has_children(c) {
                    // tshark prefixes a field with its own protocol, which is not always the
                    // layer's (mdns shows dns.* fields: `dns_dns_id`); engine items (`_ws.*`)
                    // take the layer's.
                    let proto = f.protocol_name();
                    let proto = if proto.starts_with('_') {
                        prefix.to_string()
                    } else {
                        proto.replace('.', "_")
                    };
                    let k = format!("{}_{}", proto, f.abbrev.replace('.', "_"));
                    if f.ftype != FieldType::None && f.ftype != FieldType::Protocol {
                        match keys.iter_mut().find(|(kk, _)| *kk == k) {
                            Some(e) => e.1.push(c),
                            None => keys.push((k, vec![c])),
                        }
                    }
                }
            }
            collect(tree, c, prefix, keys);
        }
    }
    let prefix = name.replace('.', "_");
    collect(&p.tree, layer, &prefix, &mut keys);
    out.push('{');
    for (i, (k, ids)) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_str(out, k);
        out.push(':');
        if ids.len() > 1 {
            out.push('[');
        }
        for (j, id) in ids.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let n = p.tree.node(*id);
            ek_value(out, n.field.expect("collected fields"), &n.value);
        }
        if ids.len() > 1 {
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
        write_json_str(&mut s, "a\"b\\c\n\x01é");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001é\"");
    }

    #[test]
    fn iso_time_has_nanoseconds() {
        assert_eq!(
            iso_time(1_526_567_522_245_037_000),
            "2018-05-17T14:32:02.245037000Z"
        );
    }
}
