//! Unit tests of the 802.15.4 MAC dissector. Real frames come from zigator's MAC test capture
//! (public/ieee802154/zigator_02-mac-testing.pcap, link type 195, values checked with tshark
//! 4.0); constructed ones follow the layouts of IEEE 802.15.4-2015 §7.2-§7.5 and get a
//! computed FCS.

use super::*;
use crate::engine::address::Address;
use crate::engine::registry::Registry;
use crate::engine::{Engine, FrameMeta, Prefs};
use crate::testutil::{assert_truncations_are_malformed, dissect_one, dissect_with, TestPacket};
use std::sync::Arc;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `mac` followed by its correct 16-bit FCS.
fn with_fcs(mac: &[u8]) -> Vec<u8> {
    let mut v = mac.to_vec();
    v.extend_from_slice(&crc16(mac).to_le_bytes());
    v
}

/// Asserts the shown values of several fields at once (field, values in tree order).
fn expect(p: &TestPacket, rows: &[(&str, &[&str])]) {
    for (field, want) in rows {
        assert_eq!(p.show(field), *want, "{field}");
    }
}

fn fcs195(mac: &[u8]) -> TestPacket {
    dissect_one(195, &with_fcs(mac))
}

// zigator_02-mac-testing.pcap frames (FCS included).
const ACK: &str = "1200ea7978";
const ASSOC_REQ: &str = "23c864aa99d0d0ffff8877665544332211018e2c1c";
const ASSOC_RSP: &str = "63cc72aa9988776655443322110dd0eeffc0cef10f02adde0009e7";
const DATA_REQ: &str = "638832ccbb00007afe041598";
const ORPHAN: &str = "03c820ffffffffffffeeffc0ced1ba0dd00608a2";
const BEACON_REQ: &str = "030800ffffffff073829";
const REALIGN: &str = "03cc40ffffeeffc0ced1ba0dd0eeddcef10feda7109bb108eeddfa5014a7b02a74";
const BEACON: &str = "008089aa99addeff0f0000002294fecaefbeedfecefaffffff00af74";
const SECURE_DATA_REQ: &str = "6b9891dec0008401840d060000000104a9ed57ce4fc5";

#[test]
fn crc16_matches_frames_tshark_verified() {
    // Ack, seq 20 (ZEP capture) and ack with frame pending, seq 42 (TAP capture).
    assert_eq!(crc16(&[0x02, 0x00, 0x14]), 0xe31d);
    assert_eq!(crc16(&[0x12, 0x00, 0x2a]), 0xbe75);
    // The standard CRC-32 check value.
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
}

#[test]
fn ack_frame() {
    let p = dissect_one(195, &hex(ACK));
    expect(
        &p,
        &[
            ("wpan.frame_length", &["3"]),
            ("wpan.fcf", &["0x0012"]),
            ("wpan.frame_type", &["0x0002"]),
            ("wpan.pending", &["1"]),
            ("wpan.version", &["0"]),
            ("wpan.seq_no", &["234"]),
            ("wpan.fcs", &["0x7879"]),
            ("wpan.fcs_ok", &["1"]),
        ],
    );
    assert!(!p.has("wpan.dst16") && !p.has("wpan.src_pan"));
    assert_eq!(p.info(), "Ack");
    assert_eq!(p.packet.info.dl_src, Address::None);
    assert_truncations_are_malformed(195, &hex(ACK), 5);
}

#[test]
fn bad_fcs_is_flagged_and_payload_not_trusted() {
    // zigator frame 10: the ack of frame 1 with a corrupted FCS.
    let p = dissect_one(195, &hex("1200ea7979"));
    assert_eq!(p.show("wpan.fcs_ok"), ["0"]);
    assert!(p.has("wpan.fcs.bad"));
    assert_eq!(p.info(), "Ack, Bad FCS");
    // A data frame with a bad FCS: the payload goes to data, not to the heuristics.
    let mut f = with_fcs(&hex("4188010100ffff020060"));
    let n = f.len();
    f[n - 1] ^= 0xff;
    let p = dissect_one(195, &f);
    assert_eq!(p.show("wpan.fcs_ok"), ["0"]);
    assert_eq!(p.show("data.data"), ["60"]);
    assert!(p.info().ends_with(", Bad FCS"));
    // Unless the user asks for payloads of bad frames too: then the heuristics see it.
    let mut f = with_fcs(
        &hex("4188010100ffff0200")
            .into_iter()
            .chain(NALP_ICMP)
            .collect::<Vec<u8>>(),
    );
    let n = f.len();
    f[n - 1] ^= 0xff;
    let mut e = nalp_engine();
    assert!(!dissect_with(&mut e, 195, &f).has("icmp.type"));
    e.prefs.set("wpan.802154_fcs_ok", "FALSE");
    assert!(dissect_with(&mut e, 195, &f).has("icmp.type"));
}

#[test]
fn fcs_not_captured_is_assumed_good() {
    // tcpdump_802_15_4-data.pcap: 38 of 2086 octets captured.
    let data = hex("21ec014dab01000100810005100210024002000200\
         7e33b0040127108ff16875ec6c6f001db6");
    let mut e = Engine::with_defaults();
    let meta = FrameMeta {
        number: 1,
        orig_len: 2086,
        link_type: 195,
        ..Default::default()
    };
    let p = e.dissect(meta, &data);
    let t = TestPacket { packet: p };
    assert_eq!(t.show("wpan.frame_length"), ["2084"]);
    assert!(!t.has("wpan.fcs"));
    assert_eq!(t.show("wpan.fcs_ok"), ["1"]);
    assert_eq!(t.show("wpan.dst64"), ["10:05:00:81:00:01:00:01"]);
    assert_eq!(t.show("wpan.src64"), ["00:02:00:02:40:02:10:02"]);
    assert_eq!(t.show("wpan.addr64").len(), 2);
}

#[test]
fn data_short_addresses_2006_pan_compressed() {
    let mac = hex("41980a3412cdab341200b2c3");
    let p = fcs195(&mac);
    expect(
        &p,
        &[
            ("wpan.frame_type", &["0x0001"]),
            ("wpan.pan_id_compression", &["1"]),
            ("wpan.version", &["1"]),
            ("wpan.dst_addr_mode", &["0x0002"]),
            ("wpan.src_addr_mode", &["0x0002"]),
            ("wpan.seq_no", &["10"]),
            ("wpan.dst_pan", &["0x1234"]),
            ("wpan.dst16", &["0xabcd"]),
            ("wpan.src16", &["0x1234"]),
            ("wpan.addr16", &["0xabcd", "0x1234"]),
        ],
    );
    assert!(!p.has("wpan.src_pan"));
    assert_eq!(p.info(), "Data, Dst: 0xabcd, Src: 0x1234");
    assert_eq!(
        p.packet.info.dl_src,
        Address::Wpan16 {
            pan: 0x1234,
            addr: 0x1234
        }
    );
    assert_eq!(
        p.packet.info.dl_dst,
        Address::Wpan16 {
            pan: 0x1234,
            addr: 0xabcd
        }
    );
    assert_eq!(p.packet.columns.src.to_string(), "0x1234");
    assert_eq!(p.show("data.data"), ["00:b2:c3"]);
    assert_truncations_are_malformed(195, &with_fcs(&mac), 11);
}

#[test]
fn data_broadcast_and_extended_source() {
    // 2003 frame: broadcast short destination, extended source, PAN compression.
    let mac = hex("41c801ffffffff0807060504030201ee");
    let p = fcs195(&mac);
    assert_eq!(p.show("wpan.src64"), ["01:02:03:04:05:06:07:08"]);
    assert_eq!(
        p.info(),
        "Data, Dst: Broadcast, Src: 01:02:03:04:05:06:07:08"
    );
    assert_eq!(
        p.packet.info.dl_src,
        Address::Eui64([1, 2, 3, 4, 5, 6, 7, 8])
    );
}

/// Every addressing-mode combination of the 2003/2006 rules (§7.2.1.5): the PAN IDs present
/// and the resulting header length.
#[test]
fn addressing_mode_combinations_2003_2006() {
    for version in [0u16, 1] {
        for dst in [0u16, 2, 3] {
            for src in [0u16, 2, 3] {
                for comp in [0u16, 1] {
                    let fcf = 1 | comp << 6 | dst << 10 | version << 12 | src << 14;
                    let alen = |m| match m {
                        2 => 2,
                        3 => 8,
                        _ => 0,
                    };
                    let invalid = comp == 1 && (dst == 0 || src == 0);
                    let dst_pan = dst != 0;
                    let src_pan = src != 0 && !(dst != 0 && comp == 1);
                    let mut mac = fcf.to_le_bytes().to_vec();
                    mac.push(7);
                    let hdr = 3
                        + if dst_pan { 2 } else { 0 }
                        + alen(dst)
                        + if src_pan { 2 } else { 0 }
                        + alen(src);
                    mac.extend((3..hdr).map(|i| i as u8));
                    mac.push(0x00);
                    let p = fcs195(&mac);
                    let what = format!("v{version} dst {dst} src {src} comp {comp}");
                    if invalid {
                        assert!(p.has("wpan.invalid_panid_compression"), "{what}");
                        assert!(!p.has("wpan.seq_no") || !p.has("wpan.dst_pan"), "{what}");
                        continue;
                    }
                    assert_eq!(p.has("wpan.dst_pan"), dst_pan, "{what}");
                    assert_eq!(p.has("wpan.src_pan"), src_pan, "{what}");
                    assert_eq!(p.has("wpan.dst16"), dst == 2, "{what}");
                    assert_eq!(p.has("wpan.dst64"), dst == 3, "{what}");
                    assert_eq!(p.has("wpan.src16"), src == 2, "{what}");
                    assert_eq!(p.has("wpan.src64"), src == 3, "{what}");
                    assert_eq!(p.show("data.data"), ["00"], "{what}");
                    assert_eq!(p.show("wpan.fcs_ok"), ["1"], "{what}");
                    assert!(!p.packet.is_malformed(), "{what}");
                    assert_truncations_are_malformed(195, &with_fcs(&mac), hdr + 2);
                }
            }
        }
    }
}

/// Table 7-2 of 802.15.4-2015: (dst mode, src mode, PAN ID compression) → (dst PAN, src PAN).
#[test]
fn pan_id_compression_table_2015() {
    let rows: [(u16, u16, u16, bool, bool); 14] = [
        (0, 0, 0, false, false),
        (0, 0, 1, true, false),
        (2, 0, 0, true, false),
        (3, 0, 1, false, false),
        (0, 2, 0, false, true),
        (0, 3, 1, false, false),
        (3, 3, 0, true, false),
        (3, 3, 1, false, false),
        (2, 2, 0, true, true),
        (2, 3, 0, true, true),
        (3, 2, 0, true, true),
        (2, 3, 1, true, false),
        (3, 2, 1, true, false),
        (2, 2, 1, true, false),
    ];
    for (dst, src, comp, dpan, span) in rows {
        let fcf: u16 = 1 | comp << 6 | dst << 10 | 2 << 12 | src << 14;
        let alen = |m| match m {
            2 => 2,
            3 => 8,
            _ => 0,
        };
        let hdr = 3 + 2 * (dpan as usize) + alen(dst) + 2 * (span as usize) + alen(src);
        let mut mac = fcf.to_le_bytes().to_vec();
        mac.push(1);
        mac.extend((3..hdr).map(|i| i as u8));
        mac.push(0x00);
        let p = fcs195(&mac);
        let what = format!("dst {dst} src {src} comp {comp}");
        assert_eq!(p.show("wpan.version"), ["2"], "{what}");
        assert_eq!(p.has("wpan.dst_pan"), dpan, "{what}");
        assert_eq!(p.has("wpan.src_pan"), span, "{what}");
        assert_eq!(p.show("data.data"), ["00"], "{what}");
    }
}

#[test]
fn reserved_modes_and_version_are_invalid() {
    // Destination mode 1 (reserved).
    let p = fcs195(&hex("010401"));
    assert!(p.has("wpan.dst_invalid"));
    // Source mode 1.
    let p = fcs195(&hex("014001"));
    assert!(p.has("wpan.src_invalid"));
    // zigator frame 12: version 3 with sequence number suppression.
    let p = dissect_one(195, &hex("3c33c0de"));
    assert!(p.has("wpan.seqno_suppression_invalid"));
    assert!(p.has("wpan.frame_version_unknown"));
    assert!(!p.has("wpan.fcs_ok"));
    assert_eq!(p.info(), "Reserved");
}

#[test]
fn beacon_2003_with_superframe_gts_and_pending_addresses() {
    let p = dissect_one(195, &hex(BEACON));
    expect(
        &p,
        &[
            ("wpan.frame_type", &["0x0000"]),
            ("wpan.src_pan", &["0x99aa"]),
            ("wpan.src16", &["0xdead"]),
            ("wpan.beacon_order", &["15"]),
            ("wpan.superframe_order", &["15"]),
            ("wpan.cap", &["15"]),
            ("wpan.assoc_permit", &["0"]),
            ("wpan.gts.count", &["0"]),
            ("wpan.gts.permit", &["0"]),
        ],
    );
    assert!(p.info().starts_with("Beacon, Src: 0xdead"));
    // The ZigBee beacon payload is shown as data (no ZigBee dissector).
    assert!(p.has("data.data"));
    assert_truncations_are_malformed(195, &hex(BEACON), 13);

    // A beacon with two GTS descriptors and pending addresses (one short, one long).
    let mac = hex(concat!(
        "0080013412",
        "1200",
        "ffcf",
        "82",
        "02",
        "a1a134",
        "5f5f44",
        "11",
        "3711",
        "0102030405060708",
        "c0c1"
    ));
    let p = fcs195(&mac);
    expect(
        &p,
        &[
            ("wpan.beacon_order", &["15"]),
            ("wpan.superframe_order", &["15"]),
            ("wpan.assoc_permit", &["1"]),
            ("wpan.bcn_coord", &["1"]),
            ("wpan.gts.count", &["2"]),
            ("wpan.gts.permit", &["1"]),
            ("wpan.gts.direction", &["0", "1"]),
            ("wpan.gts.address", &["0xa1a1", "0x5f5f"]),
            ("wpan.pending16", &["0x1137"]),
            ("wpan.pending64", &["08:07:06:05:04:03:02:01"]),
            ("data.data", &["c0:c1"]),
        ],
    );
    let labels: Vec<String> = p
        .packet
        .tree
        .iter()
        .filter_map(|(_, n)| p.packet.tree.text_of(n).map(str::to_string))
        .collect();
    assert!(labels
        .contains(&"Superframe Specification: PAN Coordinator, Association Permit".to_string()));
    assert!(labels.contains(&"Pending Addresses: 1 Short and 1 Long".to_string()));
    assert!(labels.contains(&"GTS Directions: 1 Receive & 1 Transmit".to_string()));
}

#[test]
fn commands_and_their_info() {
    let p = dissect_one(195, &hex(ASSOC_REQ));
    expect(
        &p,
        &[
            ("wpan.cmd", &["0x01"]),
            ("wpan.cinfo.device_type", &["1"]),
            ("wpan.cinfo.alloc_addr", &["1"]),
        ],
    );
    assert_eq!(p.info(), "Association Request, FFD");
    assert_truncations_are_malformed(195, &hex(ASSOC_REQ), 21);

    let p = dissect_one(195, &hex(ASSOC_RSP));
    assert_eq!(p.show("wpan.asoc.addr"), ["0xdead"]);
    assert_eq!(p.show("wpan.assoc.status"), ["0x00"]);
    assert_eq!(p.info(), "Association Response, PAN: 0x99aa Addr: 0xdead");

    let p = dissect_one(195, &hex(DATA_REQ));
    assert_eq!(p.show("wpan.cmd"), ["0x04"]);
    assert_eq!(p.info(), "Data Request");

    let p = dissect_one(195, &hex(ORPHAN));
    assert_eq!(p.info(), "Orphan Notification");
    assert!(!p.has("wpan.invalid_addressing"));

    let p = dissect_one(195, &hex(BEACON_REQ));
    assert_eq!(p.info(), "Beacon Request");
    assert_eq!(p.packet.columns.dst.to_string(), "0xffff");

    let p = dissect_one(195, &hex(REALIGN));
    expect(
        &p,
        &[
            ("wpan.realign.pan", &["0xddee"]),
            ("wpan.realign.addr", &["0x50fa", "0xb0a7"]),
            ("wpan.realign.channel", &["20"]),
        ],
    );
    // A 2003 realignment: no channel page.
    assert!(!p.has("wpan.realign.channel_page"));
    assert_eq!(
        p.info(),
        "Coordinator Realignment, PAN: 0xddee, Coordinator: 0x50fa, Channel: 20, Addr: 0xb0a7"
    );

    // zigator frame 14: unknown command 0xff.
    let p = dissect_one(195, &hex("638832ccbb00007afeff49d1"));
    assert_eq!(p.info(), "Unknown Command");
    assert!(p.has("wpan.cmd.unknown_cmd"));

    // Disassociation, GTS request and PAN ID conflict, constructed.
    let p = fcs195(&hex("03cc05ffff0807060504030201ffff11121314151617180302"));
    assert_eq!(p.info(), "Disassociation Notification");
    assert_eq!(p.show("wpan.disassoc.reason"), ["0x02"]);
    let p = fcs195(&hex("038005cdab3412091a"));
    assert_eq!(p.info(), "GTS Request");
    expect(
        &p,
        &[
            ("wpan.gtsreq.length", &["10"]),
            ("wpan.gtsreq.direction", &["1"]),
            ("wpan.gtsreq.type", &["0"]),
        ],
    );
    assert!(!p.has("wpan.invalid_addressing"));
    let p = fcs195(&hex("43cc05cdab0807060504030201111213141516171805"));
    assert_eq!(p.info(), "PAN ID Conflict");
    // A Data Request without a source address is flagged.
    let p = fcs195(&hex("030805cdabffff04"));
    assert!(p.has("wpan.invalid_addressing"));
}

#[test]
fn association_teaches_the_extended_address_of_a_short_one() {
    let mut e = Engine::with_defaults();
    dissect_with(&mut e, 195, &hex(ASSOC_RSP));
    let p = dissect_with(&mut e, 195, &hex(BEACON));
    expect(
        &p,
        &[
            ("wpan.src16", &["0xdead"]),
            ("wpan.src64", &["11:22:33:44:55:66:77:88"]),
            ("wpan.src64.origin", &["1"]),
        ],
    );
    // Table bound.
    let mut st = WpanState::default();
    for i in 0..ADDR_MAP_MAX as u16 {
        assert!(!st.update(1, i, [0; 8], i as u64));
    }
    assert!(st.update(2, 0, [1; 8], 99_999));
    assert!(st.lookup(1, 0).is_none());
    assert!(st.lookup(2, 0).is_some());
}

#[test]
fn ack_tracking_when_asked() {
    // A data frame asking for an ack (seq 20), then its ack 837 us later.
    let data = with_fcs(&hex("61880a34120200010000"));
    let mut data = data;
    data[2] = 20;
    let data = with_fcs(&data[..data.len() - 2]);
    let ack = with_fcs(&hex("020014"));
    let run = |on: bool| {
        let mut e = Engine::with_defaults();
        if on {
            e.prefs.set("wpan.802154_ack_tracking", "TRUE");
        }
        let m = |n: u64, ts: i64, len: usize| FrameMeta {
            number: n,
            ts_ns: ts,
            orig_len: len as u32,
            link_type: 195,
            ..Default::default()
        };
        e.dissect(m(1, 1_000_000, data.len()), &data);
        TestPacket {
            packet: e.dissect(m(2, 1_837_000, ack.len()), &ack),
        }
    };
    let p = run(true);
    assert_eq!(p.show("wpan.ack_to"), ["1"]);
    assert_eq!(p.show("wpan.ack_time"), ["0.000837000"]);
    assert!(!run(false).has("wpan.ack_to"));
}

#[test]
fn secured_2006_frame_shows_aux_header_and_mic_without_dispatch() {
    let p = dissect_one(195, &hex(SECURE_DATA_REQ));
    expect(
        &p,
        &[
            ("wpan.security", &["1"]),
            ("wpan.aux_sec.security_control_field", &["0x0d"]),
            ("wpan.aux_sec.sec_level", &["0x05"]),
            ("wpan.aux_sec.key_id_mode", &["0x01"]),
            ("wpan.aux_sec.frame_counter", &["6"]),
            ("wpan.aux_sec.key_index", &["0x01"]),
            ("wpan.cmd", &["0x04"]),
            ("wpan.mic", &["a9:ed:57:ce"]),
        ],
    );
    assert!(p.has("wpan.decrypt_error"));
    assert_eq!(p.show("wpan.fcs"), ["0xc54f"]);
    assert_eq!(p.info(), "Data Request");
    assert_truncations_are_malformed(195, &hex(SECURE_DATA_REQ), 16);

    // A secured data frame: the ciphertext goes to data, never to the heuristics; key id mode 3
    // (8-octet key source).
    let mac = hex("49dc073412010000000000000002000000000000001f01000000\
         112233445566778805606162\
         63aabbccddaabbccddaabbccddaabbccdd");
    let p = fcs195(&mac);
    expect(
        &p,
        &[
            ("wpan.aux_sec.sec_level", &["0x07"]),
            ("wpan.aux_sec.key_id_mode", &["0x03"]),
            ("wpan.aux_sec.key_source", &["0x1122334455667788"]),
            ("wpan.aux_sec.key_index", &["0x05"]),
        ],
    );
    assert_eq!(p.show("wpan.mic").len(), 1);
    assert_eq!(p.show("wpan.mic")[0].len(), 16 * 3 - 1);
    assert!(!p.has("6lowpan"));
}

#[test]
fn secured_2003_frame_counters() {
    // 2003 data frame with security: frame counter + key sequence counter, AES-CCM-64 MIC.
    let mac = hex("49880134120200010044332211070102030405060708");
    let p = fcs195(&mac);
    expect(
        &p,
        &[
            ("wpan.sec_frame_counter", &["0x11223344"]),
            ("wpan.sec_key_sequence_counter", &["0x07"]),
            ("wpan.mic", &["01:02:03:04:05:06:07:08"]),
        ],
    );
    assert!(!p.has("wpan.aux_sec.hdr"));
}

#[test]
fn enhanced_beacon_2015_with_tsch_ies() {
    // Enhanced beacon: seq-no suppressed, IE present, short dst (broadcast), ext source.
    let mut mac = hex("40ebcdabffff0807060504030201");
    // Header IE: HT1 (payload IEs follow).
    mac.extend(hex("003f"));
    // Payload IE: MLME, with TSCH sync, timeslot (id only), slotframe & link, channel hopping.
    let mut mlme = vec![];
    mlme.extend(hex("061a")); // TSCH sync, length 6
    mlme.extend(hex("0a0000000001")); // ASN 10, join metric 1
    mlme.extend(hex("011c00")); // timeslot template 0
    mlme.extend(hex("0a1b")); // slotframe & link, length 10
    mlme.extend(hex("0100650001")); // 1 slotframe, handle 0, size 101, 1 link
    mlme.extend(hex("00000000" /* timeslot 0, ch offset 0 */));
    mlme.push(0x0f); // tx|rx|shared|timekeeping
    mlme.extend(hex("01c8")); // channel hopping (long), length 1
    mlme.push(0x00);
    let d = (mlme.len() as u16) | 1 << 11 | 0x8000;
    mac.extend(d.to_le_bytes());
    mac.extend(&mlme);
    mac.extend(hex("00f8")); // payload termination
    let p = fcs195(&mac);
    assert_eq!(
        p.info(),
        "Enhanced Beacon, Dst: Broadcast, Src: 01:02:03:04:05:06:07:08"
    );
    assert!(!p.has("wpan.seq_no"));
    assert!(p.has("wpan.header_ie.ht1"));
    expect(
        &p,
        &[
            ("wpan.header_ie.id", &["0x007e"]),
            ("wpan.payload_ie.id", &["0x0001", "0x000f"]),
            ("wpan.tsch.asn", &["10"]),
            ("wpan.tsch.join_metric", &["1"]),
            ("wpan.tsch.timeslot.id", &["0x00"]),
            ("wpan.tsch.slotframe_num", &["1"]),
            ("wpan.tsch.slotframe_size", &["101"]),
        ],
    );
    assert!(p
        .packet
        .tree
        .iter()
        .any(|(_, n)| p.packet.tree.text_of(n) == Some("Slotframes [1]")));
    expect(
        &p,
        &[
            ("wpan.tsch.link_options", &["0x0f"]),
            ("wpan.tsch.link_options.timekeeping", &["1"]),
            ("wpan.tsch.hopping_sequence_id", &["0x00"]),
        ],
    );
    assert!(p.has("wpan.payload_ie.termination"));
    assert!(!p.packet.is_malformed());
    // Cuts inside the header (through the HT1 IE) are malformed; cuts inside payload IEs are
    // malformed unless they fall on an IE boundary.
    assert_truncations_are_malformed(195, &with_fcs(&mac), 18);
}

#[test]
fn enhanced_ack_with_time_correction_and_csl() {
    // 2015 ack with ext dst, header IEs: time correction (-3 µs, NACK), CSL, HT2, payload.
    let mut mac = hex("422e050807060504030201");
    mac.extend(hex("020f")); // time correction, length 2
    mac.extend(((-3i16 as u16 & 0x0fff) | 0x8000).to_le_bytes());
    mac.extend(hex("060d")); // CSL, length 6
    mac.extend(hex("10002000e803"));
    mac.extend(hex("803f")); // HT2
    mac.push(0x00);
    let p = fcs195(&mac);
    expect(
        &p,
        &[
            ("wpan.header_ie.id", &["0x001e", "0x001a", "0x007f"]),
            ("wpan.nack", &["1"]),
            ("wpan.header_ie.time_correction.value", &["-3"]),
            ("wpan.header_ie.csl.phase", &["16"]),
            ("wpan.header_ie.csl.period", &["32"]),
            ("wpan.header_ie.csl.rendezvous_time", &["1000"]),
            ("data.data", &["00"]),
        ],
    );
}

#[test]
fn header_ie_longer_than_the_frame_is_malformed() {
    // tcpdump_802_15_4_beacon.pcap: an HT1 IE claiming 32 octets.
    let p = dissect_one(
        195,
        &hex("80ebcdabffffcdab0100000000000cc1203f1188061a060200000000011c0001c800011b007ac7"),
    );
    assert!(p.has("wpan.header_ie.ht1"));
    assert!(p.packet.is_malformed());
    assert_eq!(p.show("wpan.header_ie.length"), ["32"]);
}

#[test]
fn multipurpose_frames_short_and_long() {
    // Short FCF: type 5, dst short, src none; seq, dst address, payload.
    let p = fcs195(&hex("2509341255"));
    expect(
        &p,
        &[
            ("wpan.frame_type", &["0x0005"]),
            ("wpan.long_frame_control", &["0"]),
            ("wpan.seq_no", &["9"]),
            ("wpan.dst16", &["0x1234"]),
        ],
    );
    assert!(!p.has("wpan.dst_pan"));
    assert!(p.info().starts_with("Multipurpose, Dst: 0x1234"));
    // Long FCF: PAN ID present, ext src, ack request.
    let fcf: u16 = 5 | 0x8 | 2 << 4 | 3 << 6 | 0x100 | 0x4000;
    let mut mac = fcf.to_le_bytes().to_vec();
    mac.extend(hex("07cdab34120807060504030201aa"));
    let p = fcs195(&mac);
    expect(
        &p,
        &[
            ("wpan.long_frame_control", &["1"]),
            ("wpan.pan_id_present", &["1"]),
            ("wpan.ack_request", &["1"]),
            ("wpan.dst_pan", &["0xabcd"]),
            ("wpan.dst16", &["0x1234"]),
            ("wpan.src64", &["01:02:03:04:05:06:07:08"]),
            ("data.data", &["aa"]),
        ],
    );
}

#[test]
fn frak_extended_and_reserved_types() {
    for (ty, name) in [(6u16, "Fragment or Frak"), (7, "Extended"), (4, "Reserved")] {
        let fcf = ty | 2 << 12;
        let mut mac = fcf.to_le_bytes().to_vec();
        mac.extend([3, 0xab]);
        let p = fcs195(&mac);
        assert_eq!(p.show("wpan.frame_type"), [format!("0x{ty:04x}")]);
        assert_eq!(p.info(), name);
        assert_eq!(p.show("data.data"), ["ab"]);
    }
}

#[test]
fn link_types_230_sll_and_215() {
    // No FCS: the last octets are payload.
    let p = dissect_one(230, &hex("4188010100ffff020000b2"));
    assert_eq!(p.show("wpan.frame_length"), ["11"]);
    assert_eq!(p.show("data.data"), ["00:b2"]);
    assert!(!p.has("wpan.fcs"));
    assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
    // Linux SLL, protocol 0x00f6 (ARPHRD_IEEE802154 = 804): the frame keeps its FCS, as tshark
    // reads it.
    let mut sll = hex("0000032400000000000000000000" /* pkttype .. addr */);
    sll.extend(hex("00f6"));
    sll.extend(with_fcs(&hex("4188010100ffff020000b2")));
    let p = dissect_one(113, &sll);
    assert_eq!(p.show("wpan.dst16"), ["0xffff"]);
    assert_eq!(p.show("data.data"), ["00:b2"]);
    // Non-ASK PHY: preamble, SFD, PHR (length 5), then an ack with FCS.
    let mut phy = hex("00000000a705");
    phy.extend(with_fcs(&hex("020007")));
    let p = dissect_one(215, &phy);
    expect(
        &p,
        &[
            ("wpan-nonask-phy.sfd", &["0xa7"]),
            ("wpan-nonask-phy.frame_length", &["0x05"]),
            ("wpan.seq_no", &["7"]),
            ("wpan.fcs_ok", &["1"]),
        ],
    );
}

#[test]
fn cc24xx_metadata_replaces_the_fcs() {
    let mut e = Engine::with_defaults();
    e.prefs.set("wpan.fcs_format", "cc24xx");
    // zigator frame 1 read as CC24xx: RSSI 121, CRC-OK clear, correlation 120 (tshark agrees).
    let p = dissect_with(&mut e, 195, &hex(ACK));
    expect(
        &p,
        &[
            ("wpan.rssi", &["121"]),
            ("wpan.fcs_ok", &["0"]),
            ("wpan.correlation", &["120"]),
        ],
    );
    assert_eq!(p.info(), "Ack, Bad FCS");
    let p = dissect_with(&mut e, 195, &hex("1200eae0d5"));
    expect(
        &p,
        &[
            ("wpan.rssi", &["-32"]),
            ("wpan.fcs_ok", &["1"]),
            ("wpan.correlation", &["85"]),
        ],
    );
    // tshark's description works too.
    let mut e = Engine::with_defaults();
    e.prefs.set("wpan.fcs_format", "TI CC24xx metadata");
    assert!(dissect_with(&mut e, 195, &hex(ACK)).has("wpan.rssi"));
}

#[test]
fn crc32_fcs_format() {
    let mut e = Engine::with_defaults();
    e.prefs.set("wpan.fcs_format", "ITU-T CRC-32");
    let mut f = hex("020009");
    f.extend(crc32(&f).to_le_bytes());
    let p = dissect_with(&mut e, 195, &f);
    assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
    assert_eq!(p.show("wpan.frame_length"), ["3"]);
    assert!(p.has("wpan.fcs32"));
}

/// A payload no real 802.15.4 heuristic takes (the 6LoWPAN dispatch 00xxxxxx means "not a
/// LoWPAN frame"), readable as an ICMP echo reply.
const NALP_ICMP: [u8; 8] = [0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00];

/// A test heuristic: takes NALP payloads and calls them ICMP.
fn nalp_heur(t: &crate::engine::tvb::Tvb, _: &Cx) -> bool {
    t.u8(0).is_ok_and(|b| b == 0)
}

/// An engine whose 802.15.4 payload heuristics include [`nalp_heur`].
fn nalp_engine() -> Engine {
    let mut r = Registry::builtin();
    r.add_heuristic(
        tables::WPAN_HEUR,
        &crate::proto::ipv4::icmp::PROTOCOL,
        nalp_heur,
    );
    Engine::new(Arc::new(r), Prefs::default())
}

#[test]
fn payload_dispatch_decode_as_then_heuristics_then_data() {
    let mut mac = hex("4188010100ffff0200");
    mac.extend(NALP_ICMP);
    let frame = with_fcs(&mac);

    // Nothing takes it: data.
    let p = dissect_one(195, &frame);
    assert!(p.has("data.data") && !p.has("icmp.type"));

    // A heuristic takes it.
    let mut e = nalp_engine();
    let p = dissect_with(&mut e, 195, &frame);
    assert!(p.has("icmp.type") && !p.has("data.data"));

    // `-d wpan.payload==0,icmp` is used first.
    let mut r = Registry::builtin();
    r.decode_as("wpan.payload==0,icmp").unwrap();
    let mut e = Engine::new(Arc::new(r), Prefs::default());
    let p = dissect_with(&mut e, 195, &frame);
    assert!(p.has("icmp.type"));

    // A secured data frame's payload is never handed on, whatever the heuristics.
    let mut e = nalp_engine();
    let mut sec = hex("49980134120200010005010000000000");
    sec.extend(NALP_ICMP);
    let p = dissect_with(&mut e, 195, &with_fcs(&sec));
    assert!(p.has("wpan.aux_sec.hdr"));
    assert!(!p.has("icmp.type"));
}

#[test]
fn every_truncation_of_every_test_frame_is_safe() {
    for f in [
        ACK,
        ASSOC_REQ,
        ASSOC_RSP,
        DATA_REQ,
        ORPHAN,
        BEACON_REQ,
        REALIGN,
        BEACON,
        SECURE_DATA_REQ,
    ] {
        let data = hex(f);
        for lt in [195, 230, 283, 215] {
            // Must not panic; short cuts of 195 frames below the FCF are malformed.
            assert_truncations_are_malformed(lt, &data, if lt == 195 { 4 } else { 0 });
        }
    }
}

#[test]
fn all_fields_are_wiresharks() {
    // Types and bases of a few fields as `tshark -G fields` lists them.
    assert_eq!(FRAME_TYPE.ftype.ws_name(), "FT_UINT16");
    assert_eq!(FRAME_TYPE.bitmask, 0x7);
    assert_eq!(DST_ADDR_MODE.bitmask, 0xc00);
    assert_eq!(VERSION.bitmask, 0x3000);
    assert_eq!(SRC64.ftype.ws_name(), "FT_EUI64");
    assert_eq!(FCS_OK.ftype.ws_name(), "FT_BOOLEAN");
    assert_eq!(RSSI.ftype.ws_name(), "FT_INT8");
}

mod fuzz {
    use crate::testutil::dissect_one;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Arbitrary bytes on every 802.15.4 link type never panic.
        #[test]
        fn arbitrary_frames_do_not_panic(data in proptest::collection::vec(any::<u8>(), 0..140),
                                         lt in prop::sample::select(vec![195u32, 230, 215, 283])) {
            let _ = dissect_one(lt, &data);
        }

        /// Frames with a valid-looking frame control (every type, version and mode) and random
        /// remainder, the likelier shape of hostile input, never panic.
        #[test]
        fn random_headers_do_not_panic(fcf in any::<u16>(), rest in proptest::collection::vec(any::<u8>(), 0..60)) {
            let mut f = fcf.to_le_bytes().to_vec();
            f.extend(rest);
            let _ = dissect_one(230, &f);
            let _ = dissect_one(195, &f);
        }

        /// TAP headers with random TLVs in front of random frames never panic.
        #[test]
        fn random_tap_tlvs_do_not_panic(tlvs in proptest::collection::vec((0u16..16, 0u16..12, any::<u8>()), 0..6),
                                        frame in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut body = vec![];
            for (ty, len, fill) in tlvs {
                body.extend(ty.to_le_bytes());
                body.extend(len.to_le_bytes());
                body.extend(vec![fill; (len as usize).div_ceil(4) * 4]);
            }
            let mut f = vec![0, 0];
            f.extend(((4 + body.len()) as u16).to_le_bytes());
            f.extend(body);
            f.extend(frame);
            let _ = dissect_one(283, &f);
        }
    }
}
