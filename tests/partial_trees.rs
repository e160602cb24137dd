//! Speed never changes a field: a tree built only in part (the layers for a summary line, the
//! fields a filter or `-e` names) must give the same columns, layers and facts as the whole
//! tree, and the same values, in the same order and in the same layers, for every field it
//! builds. Run over the project's captures and, when present, every capture in ../shared.

mod support;

use dissectors::engine::field::FieldDef;
use dissectors::engine::tree::{Build, NodeId, Tree};
use dissectors::engine::value::show;
use dissectors::engine::{Engine, Packet};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many fields each partial build asks for at once.
const FIELDS_PER_BUILD: usize = 48;

fn dissect(path: &Path, build: Build) -> Vec<Packet> {
    let mut engine = Engine::with_defaults();
    engine.prefs.set("6lowpan.context0", "fd00::/64");
    engine.set_build(build);
    support::dissect_frames(&mut engine, support::read_capture(path))
}

/// The enclosing layer (protocol abbreviation and its number among layers of that protocol)
/// of a node, so that values are compared in their layers.
fn layer_of(tree: &Tree, id: NodeId) -> String {
    let mut cur = tree.parent(id);
    while let Some(c) = cur {
        if let Some(f) = tree.node(c).field {
            if f.ftype == dissectors::FieldType::Protocol {
                let nth = tree
                    .nodes_unordered()
                    .filter(|(n, node)| *n <= c && node.field.is_some_and(|g| std::ptr::eq(g, f)))
                    .count();
                return format!("{}#{nth}", f.abbrev);
            }
        }
        cur = tree.parent(c);
    }
    String::new()
}

/// Every value of the fields in `fields` (all when empty), with its layer, in tree order, per
/// field: the order of values of one field is what `-T fields` prints; how values of
/// different fields interleave may differ in a partial tree (a field hung under a node that
/// was not built moves up to that node's parent, after its siblings), and no output shows it.
fn values(p: &Packet, fields: &[&'static FieldDef]) -> BTreeMap<&'static str, Vec<String>> {
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (id, n) in p.tree.iter() {
        let Some(f) = n.field else { continue };
        let wanted = fields.is_empty() || fields.iter().any(|g| std::ptr::eq(*g, f));
        if wanted && f.ftype != dissectors::FieldType::Protocol {
            let v = format!("{} {}", layer_of(&p.tree, id), show(f, &n.value));
            out.entry(f.abbrev).or_default().push(v);
        }
    }
    out
}

fn summary(p: &Packet) -> String {
    let c = &p.columns;
    format!(
        "{} | {} | {} | {} | {} | {} | {:?}",
        c.protocol,
        c.info,
        c.src,
        c.dst,
        p.protocol_path(),
        p.malformed,
        p.max_severity
    )
}

/// Compares one capture; returns the values compared and the differences found.
fn compare(path: &Path) -> (usize, Vec<String>) {
    let full = dissect(path, Build::All);
    let mut bad = vec![];
    let layers = dissect(path, Build::Layers);
    for (a, b) in full.iter().zip(&layers) {
        if summary(a) != summary(b) {
            bad.push(format!(
                "frame {}: layers only: {} / {}",
                a.meta.number,
                summary(a),
                summary(b)
            ));
        }
    }
    // Every field the whole trees hold, in groups.
    let mut seen: BTreeMap<&str, &'static FieldDef> = BTreeMap::new();
    for p in &full {
        for (_, n) in p.tree.nodes_unordered() {
            if let Some(f) = n.field {
                seen.insert(f.abbrev, f);
            }
        }
    }
    let fields: Vec<&'static FieldDef> = seen.into_values().collect();
    let mut compared = 0;
    for group in fields.chunks(FIELDS_PER_BUILD) {
        let partial = dissect(path, Build::fields(group.iter().copied()));
        for (a, b) in full.iter().zip(&partial) {
            let (va, vb) = (values(a, group), values(b, &[]));
            compared += va.values().map(Vec::len).sum::<usize>();
            if va != vb || summary(a) != summary(b) {
                bad.push(format!(
                    "frame {}: fields {:?}: whole {va:?} / partial {vb:?}",
                    a.meta.number,
                    group.iter().map(|f| f.abbrev).collect::<Vec<_>>()
                ));
            }
        }
    }
    (compared, bad)
}

fn captures() -> Vec<PathBuf> {
    support::all_captures()
}

#[test]
fn partial_trees_agree_with_whole_trees() {
    let mut compared = 0;
    let mut failures = vec![];
    for cap in captures() {
        // Deliberately broken files are the capture readers' tests, not this one's.
        if lowshark::capture::CaptureReader::open(&cap).is_err() {
            continue;
        }
        let (n, bad) = compare(&cap);
        compared += n;
        failures.extend(
            bad.into_iter()
                .take(3)
                .map(|b| format!("{}: {b}", cap.display())),
        );
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The project's own captures alone hold thousands of values.
    assert!(compared > 1000, "only {compared} values compared");
    eprintln!("partial trees: {compared} values compared, all equal");
}
