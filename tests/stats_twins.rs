//! The `-z` statistics the TUI's views share (`rpl,tree`, `rpl,events`, `wpan,links`,
//! `6lowpan,frag`), checked against captures whose ground truth is known: the generated RPL
//! network's README (every node's parent is its DAO's transit parent), tshark's own per-frame
//! fields for link counts and radio metadata, and the stories the shipped captures' README tells.

mod support;

use std::collections::BTreeMap;

/// `-z SPEC` on a file, its stdout.
fn z(file: &std::path::Path, spec: &str) -> String {
    let r = support::run(&["-q", "-z", spec], file);
    assert_eq!(r.code, 0, "{spec}: {}", r.stderr);
    r.stdout
}

/// The row of `-z wpan,links` for `src -> dst`, split into columns.
fn link_row(out: &str, src: &str, dst: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            c.len() > 3 && c[0] == src && c[1] == "->" && c[2] == dst
        })
        .unwrap_or_else(|| panic!("no link {src} -> {dst}:\n{out}"));
    line.split_whitespace().map(str::to_string).collect()
}

#[test]
fn rpl_tree_of_the_generated_nonstoring_network_has_the_dao_parents() {
    let Some(path) = support::shared("generated/rpl-network-nonstoring.pcap") else {
        return;
    };
    // Ground truth: the last DAO of each node names its parent (the capture's README).
    let rows = support::tshark_fields(
        &path,
        &[
            "icmpv6.rpl.opt.target.prefix",
            "icmpv6.rpl.opt.transit.parent",
        ],
        &[],
    );
    let mut want = BTreeMap::new();
    for r in &rows {
        if let (Some(t), Some(p)) = (r[0].first(), r[1].last()) {
            want.insert(t.clone(), p.clone());
        }
    }
    if want.is_empty() {
        // tshark could not be run: read the DAOs with lowshark's own -T fields instead.
        let r = support::run(
            &[
                "-T",
                "fields",
                "-e",
                "icmpv6.rpl.opt.target.prefix",
                "-e",
                "icmpv6.rpl.opt.transit.parent",
            ],
            &path,
        );
        for l in r.stdout.lines() {
            let c: Vec<&str> = l.split('\t').collect();
            if c.len() == 2 && !c[0].is_empty() && !c[1].is_empty() {
                want.insert(c[0].to_string(), c[1].to_string());
            }
        }
    }
    assert_eq!(want.len(), 8, "a root and 8 nodes: {want:?}");
    let dot = z(&path, "rpl,tree,dot");
    let mut edges = 0;
    for (child, parent) in &want {
        assert!(
            dot.contains(&format!("\"{child}\" -> \"{parent}\"")),
            "{child} -> {parent} missing:\n{dot}"
        );
        edges += 1;
    }
    assert_eq!(dot.matches(" -> ").count(), edges, "{dot}");
    let events = z(&path, "rpl,events");
    for child in want.keys() {
        assert!(
            events
                .lines()
                .any(|l| l.contains(&format!("{child} ")) && l.contains(" parent ")),
            "no parent event for {child}:\n{events}"
        );
    }
}

/// What tshark shows of one link: frames, RSS values, LQI values.
type Seen = (u64, Vec<f64>, Vec<f64>);

#[test]
fn wpan_links_count_what_tshark_sees_per_link() {
    let Some(path) = support::shared("generated/wpan-tap-linktype283.pcap") else {
        return;
    };
    if !support::have_tshark() {
        return;
    }
    let rows = support::tshark_fields(
        &path,
        &[
            "wpan.src16",
            "wpan.src64",
            "wpan.dst16",
            "wpan.dst64",
            "wpan-tap.rss",
            "wpan-tap.lqi",
        ],
        &[],
    );
    // (src, dst) → (frames, rss values, lqi values), as tshark reads them.
    let mut want: BTreeMap<(String, String), Seen> = BTreeMap::new();
    let first = |v: &Vec<String>| v.first().cloned();
    for r in &rows {
        let Some(src) = first(&r[0]).or_else(|| first(&r[1])) else {
            continue;
        };
        let dst = first(&r[2])
            .or_else(|| first(&r[3]))
            .unwrap_or_else(|| "(none)".into());
        let e = want.entry((src, dst)).or_default();
        e.0 += 1;
        e.1.extend(r[4].iter().filter_map(|v| v.parse::<f64>().ok()));
        e.2.extend(r[5].iter().filter_map(|v| v.parse::<f64>().ok()));
    }
    assert!(want.len() > 5, "{want:?}");
    let out = z(&path, "wpan,links");
    for ((src, dst), (frames, rss, lqi)) in &want {
        let c = link_row(&out, src, dst);
        assert_eq!(c[3], frames.to_string(), "{src} -> {dst}:\n{out}");
        let range = |v: &[f64]| {
            let min = v.iter().cloned().fold(f64::MAX, f64::min);
            let max = v.iter().cloned().fold(f64::MIN, f64::max);
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            format!("{min:.0}/{mean:.0}/{max:.0}")
        };
        assert_eq!(c[8], range(rss), "RSSI of {src} -> {dst}");
        assert_eq!(c[9], range(lqi), "LQI of {src} -> {dst}");
    }
    let rows_out = out.lines().filter(|l| l.contains(" -> ")).count() - 1;
    assert_eq!(rows_out, want.len(), "{out}");
}

/// The demo's README: notification 1's hop mote 2 → root has a bad FCS and is retried (119,
/// 120); the empty ACK on mote 2 → mote 6 never gets through (153, MAC retries 156–158, none
/// acknowledged); block 17's FRAG1 from the root to mote 3 has a bad FCS and is retried.
#[test]
fn wpan_links_of_the_demo_tell_its_story() {
    let out = z(&support::project("demo.pcapng"), "wpan,links");
    let c = link_row(&out, "0x0002", "0x0006");
    assert_eq!(
        (c[6].as_str(), c[7].as_str()),
        ("3", "4"),
        "retries, no ack: {c:?}"
    );
    assert!(c.last().unwrap().contains("weak"), "{c:?}");
    let c = link_row(&out, "0x0002", "0x0000");
    assert_eq!(
        (c[5].as_str(), c[6].as_str()),
        ("1", "1"),
        "bad FCS, retry: {c:?}"
    );
    let c = link_row(&out, "00:12:4b:00:00:00:00:01", "00:12:4b:00:00:00:00:03");
    assert_eq!(
        (c[5].as_str(), c[6].as_str()),
        ("1", "1"),
        "bad FCS, retry: {c:?}"
    );
}

/// sixlowpan-frag.pcap's README: A and B (mote 2) complete, C (mote 4, tag 0x0b10) never
/// completes, D (motes 4 and 5 both with tag 0x0077) completes for each sender, E (mote 2,
/// uncompressed) completes.
#[test]
fn lowpan_frag_of_the_fragment_capture() {
    let out = z(&support::project("sixlowpan-frag.pcap"), "6lowpan,frag");
    let row = |who: &str| -> Vec<String> {
        out.lines()
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("{who}:\n{out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    // Sender, datagrams, complete, fragments, missing, tag reuse.
    assert_eq!(row("0x0002")[1..6], ["3", "3", "8", "0", "0"], "{out}");
    assert_eq!(row("0x0004")[1..6], ["2", "1", "4", "1", "0"], "{out}");
    assert_eq!(row("0x0005")[1..6], ["1", "1", "2", "0", "0"], "{out}");
    assert!(
        out.contains(
            "0x0004 -> 0x0000 tag 0x0b10 size 250: first frame 7, 2 fragment(s), incomplete"
        ),
        "{out}"
    );
}
