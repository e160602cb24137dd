//! 6LoWPAN against tshark on real and generated 802.15.4 captures: the rebuilt IPv6/UDP headers
//! (ipv6.*, udp.*) and the main `6lowpan.*` fields must agree frame by frame, except for the
//! deliberate differences listed in [`EXCEPTIONS`].

mod support;

use dissectors::engine::Packet;
use std::path::Path;

/// Fields compared on every frame.
const FIELDS: &[&str] = &[
    "ipv6.src",
    "ipv6.dst",
    "ipv6.nxt",
    "ipv6.plen",
    "ipv6.hlim",
    "ipv6.tclass",
    "ipv6.flow",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "udp.checksum",
    "6lowpan.pattern",
    "6lowpan.iphc.tf",
    "6lowpan.iphc.nh",
    "6lowpan.iphc.hlim",
    "6lowpan.iphc.cid",
    "6lowpan.iphc.sac",
    "6lowpan.iphc.sam",
    "6lowpan.iphc.m",
    "6lowpan.iphc.dac",
    "6lowpan.iphc.dam",
    "6lowpan.iphc.sci",
    "6lowpan.iphc.dci",
    "6lowpan.iphc.sctx.prefix",
    "6lowpan.iphc.dctx.prefix",
    "6lowpan.ecn",
    "6lowpan.dscp",
    "6lowpan.class",
    "6lowpan.flow",
    "6lowpan.next",
    "6lowpan.hops",
    "6lowpan.src",
    "6lowpan.dst",
    "6lowpan.nhc.pattern",
    "6lowpan.nhc.udp.checksum",
    "6lowpan.nhc.udp.ports",
    "6lowpan.udp.src",
    "6lowpan.udp.dst",
    "6lowpan.udp.checksum",
    "6lowpan.nhc.ext.eid",
    "6lowpan.nhc.ext.nh",
    "6lowpan.nhc.ext.next",
    "6lowpan.nhc.ext.length",
    "6lowpan.bcast.seqnum",
    "6lowpan.mesh.v",
    "6lowpan.mesh.f",
    "6lowpan.mesh.hops",
    "6lowpan.mesh.hops8",
    "6lowpan.mesh.orig16",
    "6lowpan.mesh.orig64",
    "6lowpan.mesh.dest16",
    "6lowpan.mesh.dest64",
    "6lowpan.frag.size",
    "6lowpan.frag.tag",
    "6lowpan.frag.offset",
    "6lowpan.fragment",
    "6lowpan.fragment.count",
    "6lowpan.reassembled.length",
    "6lowpan.reassembled.in",
];

/// Deliberate differences from tshark 4.0: (field, reason, the frames it applies to, judged on
/// lowshark's tree).
type Excuse = (&'static str, &'static str, fn(&Packet) -> bool);

fn has(p: &Packet, abbrev: &str) -> bool {
    p.tree.by_abbrev(abbrev).next().is_some()
}

fn elided_udp_checksum(p: &Packet) -> bool {
    has(p, "6lowpan.udp.checksum_elided")
}

fn stateless_multicast_dst(p: &Packet) -> bool {
    let m = support::show(p, "6lowpan.iphc.m");
    let dac = support::show(p, "6lowpan.iphc.dac");
    m.iter().zip(dac.iter()).any(|(m, d)| m == "1" && d == "0")
}

const EXCEPTIONS: &[Excuse] = &[
    (
        "udp.checksum",
        "NHC UDP checksum elided (RFC 6282 §4.3.2): tshark writes 0xffff into the rebuilt UDP \
         header, lowshark recomputes the real checksum (the value tshark itself reports as \
         udp.checksum_calculated with udp.check_checksum on)",
        elided_udp_checksum,
    ),
    (
        "6lowpan.udp.checksum",
        "the recomputed elided checksum is shown as a generated 6lowpan.udp.checksum; tshark \
         shows none",
        elided_udp_checksum,
    ),
    (
        "6lowpan.iphc.dctx.prefix",
        "stateless multicast destination (M=1, DAC=0) uses no context; tshark still shows the \
         link-local context fe80:: as the destination context, lowshark shows none",
        stateless_multicast_dst,
    ),
];

fn excused(field: &str, p: &Packet) -> bool {
    EXCEPTIONS
        .iter()
        .any(|(f, _, applies)| *f == field && applies(p))
}

/// Totals of one comparison.
#[derive(Default, Debug)]
struct Agreement {
    frames: usize,
    lowpan_frames: usize,
    /// Field values compared (see [`support::Tally`]).
    values: usize,
    excused: usize,
    mismatches: Vec<String>,
}

/// True when lowshark has the lower layers this capture needs (802.15.4, and ZEP for the
/// zep/ captures); prints why not otherwise.
fn lower_layers_ready(rel: &str) -> bool {
    let r = dissectors::Registry::builtin();
    let need: &[&str] = if rel.contains("/zep/") {
        &["wpan.fcf", "zep.version"]
    } else if rel.contains("linktype283") {
        &["wpan.fcf", "wpan-tap.version"]
    } else {
        &["wpan.fcf"]
    };
    for f in need {
        if r.field(f).is_none() {
            eprintln!("skipping {rel}: lowshark has no {f} dissector yet");
            return false;
        }
    }
    true
}

/// Runs tshark once with every field and lowshark once, and compares.
fn compare(rel: &str, prefs: &[(&str, &str)]) -> Option<Agreement> {
    let path = support::shared(rel)?;
    if !rel.contains("/coap/") && !lower_layers_ready(rel) {
        return None;
    }
    let (ours, theirs) = support::both_sides(&path, FIELDS, prefs);
    let mut tally = support::Tally::default();
    for (i, (p, t)) in ours.iter().zip(&theirs).enumerate() {
        tally.frame(i + 1, FIELDS, t, |f| support::show(p, f), |_, _, _| {});
    }
    let mut a = Agreement {
        frames: tally.frames,
        values: tally.values,
        ..Agreement::default()
    };
    a.lowpan_frames = (ours.iter())
        .filter(|p| p.tree.by_abbrev("6lowpan").next().is_some())
        .count();
    for m in tally.mismatches {
        if excused(&m.field, &ours[m.frame - 1]) {
            a.excused += 1;
        } else {
            a.mismatches.push(format!("{rel} {m}"));
        }
    }
    Some(a)
}

fn check(rel: &str, prefs: &[(&str, &str)], min_lowpan_frames: usize) -> Option<Agreement> {
    let a = compare(rel, prefs)?;
    eprintln!(
        "{rel}: {} frames ({} with 6LoWPAN), {} values compared, {} excused, {} mismatches",
        a.frames,
        a.lowpan_frames,
        a.values,
        a.excused,
        a.mismatches.len()
    );
    assert!(
        a.lowpan_frames >= min_lowpan_frames,
        "{rel}: only {} frames decoded as 6LoWPAN",
        a.lowpan_frames
    );
    assert!(a.mismatches.is_empty(), "{}", a.mismatches.join("\n"));
    Some(a)
}

fn files_in(dir: &str, prefix: &str) -> Vec<String> {
    support::shared_captures(dir, prefix)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect()
}

#[test]
fn ttproto_sixlowpan_captures_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let mut total = Agreement::default();
    for rel in files_in("public/sixlowpan", "ttproto_") {
        if let Some(a) = check(&rel, &[], 1) {
            total.frames += a.frames;
            total.lowpan_frames += a.lowpan_frames;
            total.values += a.values;
            total.excused += a.excused;
        }
    }
    eprintln!(
        "public/sixlowpan total: {} frames ({} with 6LoWPAN), {} values compared, {} excused, 0 mismatches",
        total.frames, total.lowpan_frames, total.values, total.excused
    );
}

#[test]
fn ieee802154_and_zep_captures_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let mut files = files_in("public/ieee802154", "ttproto_");
    files.extend(files_in("public/zep", "ttproto_"));
    files.push("public/coap/ttproto_1coap_udp_6lowpan_802154.pcap".into());
    for rel in files {
        check(&rel, &[], 0);
    }
}

/// Contexts 0–2, which the generated captures use (SAC/DAC=1) without a 6CO option; both tools
/// get them as preferences (prefix lengths 64, 48 and 40 exercise partial-byte copies).
const GENERATED_CONTEXTS: [(&str, &str); 3] = [
    ("6lowpan.context0", "2001:db8:aa::/64"),
    ("6lowpan.context1", "fd00:1234::/48"),
    ("6lowpan.context2", "2001:db8:cafe:ff00::/40"),
];

/// The generated captures need contexts; both tools get the same ones.
#[test]
fn generated_captures_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let ctx = GENERATED_CONTEXTS;
    check("generated/rpl-network-nonstoring.pcap", &ctx, 50);
    let a = check("generated/wpan-nofcs-linktype230.pcap", &ctx, 90);
    if let Some(a) = a {
        // Four datagrams there carry an elided UDP checksum.
        assert!(a.excused >= 4, "{a:?}");
    }
    check("generated/wpan-tap-linktype283.pcap", &ctx, 0);
    // Short-address IIDs with the PAN ID in front (RFC 4944 §6), as tshark's preference does.
    let mut rfc4944 = ctx.to_vec();
    rfc4944.push(("6lowpan.rfc4944_short_address_format", "TRUE"));
    check("generated/wpan-nofcs-linktype230.pcap", &rfc4944, 90);
}

/// The shared helper agrees on the decompressed addresses of the conformance-test capture.
#[test]
fn compare_field_on_a_conformance_capture() {
    let rel = "public/sixlowpan/ttproto_TD_6LOWPAN_HC_01_PASS.pcap";
    let Some(path) = support::shared(rel) else {
        return;
    };
    if !support::have_tshark() || !lower_layers_ready(rel) {
        return;
    }
    for field in ["ipv6.src", "ipv6.dst", "6lowpan.src", "6lowpan.iphc.sam"] {
        let (n, bad) = support::compare_field(&path, field, &[]);
        assert_eq!(n, 2);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}

/// Without the contexts, the addresses that need them are flagged, not guessed.
#[test]
fn unknown_contexts_are_flagged() {
    let Some(path) = support::shared("generated/wpan-nofcs-linktype230.pcap") else {
        return;
    };
    let ours = support::dissect_capture(Path::new(&path), &[]);
    let flagged = ours
        .iter()
        .filter(|p| p.tree.by_abbrev("6lowpan.unknown_context").next().is_some())
        .count();
    let with_ctx = support::dissect_capture(Path::new(&path), &GENERATED_CONTEXTS);
    let still = with_ctx
        .iter()
        .filter(|p| p.tree.by_abbrev("6lowpan.unknown_context").next().is_some())
        .count();
    if ours
        .iter()
        .any(|p| p.tree.by_abbrev("6lowpan").next().is_some())
    {
        assert!(flagged > 0);
        assert_eq!(still, 0);
    }
}

/// Every 6LoWPAN frame of the generated capture, cut at every length: no panic; and for the
/// unfragmented IPHC frames, every cut inside the compressed headers (dispatch, inline fields,
/// NHC UDP) that still reaches 6LoWPAN is marked malformed. (A cut in the payload is not: with IPHC the lengths come from
/// the frame, so a shorter frame is a shorter, consistent packet, as in Wireshark.)
#[test]
fn real_frames_truncated_at_every_byte() {
    let rel = "generated/wpan-nofcs-linktype230.pcap";
    let Some(path) = support::shared(rel) else {
        return;
    };
    if !lower_layers_ready(rel) {
        return;
    }
    let frames = support::read_capture(&path);
    let full = support::dissect_capture(&path, &GENERATED_CONTEXTS);
    let (mut cuts, mut header_cuts) = (0, 0);
    for (i, (lt, ts, data)) in frames.iter().enumerate() {
        let Some(start) = full[i]
            .tree
            .by_abbrev("6lowpan")
            .next()
            .map(|n| n.range.start as usize)
        else {
            continue;
        };
        // Where the compressed headers end, for unfragmented IPHC frames without NHC extension
        // headers: the frame minus the payload carried after them.
        let hdr_end = full[i]
            .sources
            .iter()
            .find(|s| s.name() == "Decompressed 6LoWPAN IPHC")
            .filter(|_| {
                !has(&full[i], "6lowpan.frag.size") && !has(&full[i], "6lowpan.nhc.ext.eid")
            })
            .map(|s| {
                let udp = if has(&full[i], "6lowpan.udp.src") {
                    8
                } else {
                    0
                };
                data.len() - (s.data.len() - 40 - udp)
            });
        let mut e = dissectors::Engine::with_defaults();
        for (k, v) in GENERATED_CONTEXTS {
            e.prefs.set(k, v);
        }
        for cut in 0..data.len() {
            let meta = dissectors::FrameMeta {
                number: 1,
                ts_ns: *ts,
                orig_len: cut as u32,
                link_type: *lt,
                ..Default::default()
            };
            let p = e.dissect(meta, &data[..cut]);
            cuts += 1;
            if let Some(end) = hdr_end {
                // (A cut mesh/broadcast/FRAG1 prefix fails the heuristic, as in Wireshark, and
                // the bytes are shown as data.)
                if cut > start && cut < end && has(&p, "6lowpan") {
                    header_cuts += 1;
                    assert!(
                        p.is_malformed(),
                        "{rel} frame {} cut at {cut} (headers {start}..{end})",
                        i + 1
                    );
                }
            }
        }
    }
    eprintln!("{rel}: {cuts} truncated frames dissected without panic, {header_cuts} cuts inside 6LoWPAN headers all malformed");
    assert!(header_cuts > 500);
}
