//! The 802.15.4 MAC dissector against tshark on every 802.15.4 capture we have: the main
//! `wpan.*` fields must agree frame by frame, except where [`EXCEPTIONS`] says why tshark is
//! wrong (or we differ on purpose).

mod support;

use std::path::{Path, PathBuf};

/// The fields compared on every frame.
const FIELDS: &[&str] = &[
    "wpan.frame_length",
    "wpan.fcf",
    "wpan.frame_type",
    "wpan.security",
    "wpan.pending",
    "wpan.ack_request",
    "wpan.pan_id_compression",
    "wpan.seqno_suppression",
    "wpan.ie_present",
    "wpan.dst_addr_mode",
    "wpan.version",
    "wpan.src_addr_mode",
    "wpan.seq_no",
    "wpan.dst_pan",
    "wpan.dst16",
    "wpan.dst64",
    "wpan.src_pan",
    "wpan.src16",
    "wpan.src64",
    "wpan.addr16",
    "wpan.addr64",
    "wpan.fcs",
    "wpan.fcs_ok",
    "wpan.cmd",
    "wpan.aux_sec.sec_level",
    "wpan.aux_sec.key_id_mode",
    "wpan.aux_sec.frame_counter",
    "wpan.aux_sec.key_index",
    "wpan.mic",
    "wpan.header_ie.id",
    "wpan.payload_ie.id",
    "wpan.beacon_order",
    "wpan.superframe_order",
    "wpan.gts.count",
    "wpan.assoc_permit",
    "wpan.asoc.addr",
    "wpan.assoc.status",
    "wpan.realign.pan",
    "wpan.realign.channel",
    "wpan.cinfo.device_type",
    "wpan.cinfo.alt_coord",
    "wpan.cinfo.power_src",
    "wpan.cinfo.idle_rx",
    "wpan.cinfo.sec_capable",
    "wpan.cinfo.alloc_addr",
    "wpan.fcf.reserved",
    "wpan.src64.origin",
    "wpan.pending16",
    "wpan.cap",
    "wpan.bcn_coord",
    "wpan.battery_ext",
    "wpan.gts.permit",
    "wpan.gts.direction",
    "wpan.gts.address",
    "wpan.aux_sec.security_control_field",
    "wpan.aux_sec.frame_counter_suppression",
    "wpan.aux_sec.asn_in_nonce",
    "wpan.aux_sec.reserved",
    "wpan.aux_sec.key_source",
    "wpan.header_ie_tlv",
    "wpan.header_ie.type",
    "wpan.header_ie.length",
    "wpan.realign.addr",
    "wpan.rssi",
    "wpan.correlation",
    "zep.protocol_id",
    "zep.version",
    "zep.type",
    "zep.channel_id",
    "zep.device_id",
    "zep.lqi_mode",
    "zep.lqi",
    "zep.time",
    "zep.seqno",
    "zep.length",
    "wpan-tap.version",
    "wpan-tap.reserved",
    "wpan-tap.length",
    "wpan-tap.tlv.type",
    "wpan-tap.tlv.length",
    "wpan-tap.tlv.padding",
    "wpan-tap.fcs_type",
    "wpan-tap.rss",
    "wpan-tap.ch_num",
    "wpan-tap.ch_page",
    "wpan-tap.lqi",
    "wpan-tap.data_length",
];

/// Frames where we knowingly differ from tshark 4.0: (capture file name, frame, field — a
/// trailing `*` matches a prefix —, reason).
const EXCEPTIONS: &[(&str, usize, &str, &str)] = &[
    // The frame was captured with a 38-byte snapshot of a 2086-byte frame; the shared test reader
    // (support::read_capture) does not carry the pcap's original length, so the last two captured
    // octets are taken for the FCS. With the original length (as the application passes it) the
    // FCS is "not captured" as in tshark; the unit test `truncated_fcs_is_not_checked` covers it.
    (
        "tcpdump_802_15_4-data.pcap",
        1,
        "wpan.frame_length",
        "orig_len not passed by the test reader",
    ),
    (
        "tcpdump_802_15_4-data.pcap",
        1,
        "wpan.fcs",
        "orig_len not passed by the test reader",
    ),
    (
        "tcpdump_802_15_4-data.pcap",
        1,
        "wpan.fcs_ok",
        "orig_len not passed by the test reader",
    ),
    // MLE carries its own auxiliary security header, which Wireshark's MLE dissector shows with
    // the wpan.aux_sec.* fields; lowshark has no MLE dissector (yet), so the fields are absent.
    (
        "zigator_09-mle-testing.pcap",
        2,
        "wpan.aux_sec.*",
        "MLE's security header, no MLE dissector",
    ),
    // The engine, not wpan, writes the malformed marker: " [Malformed Packet]" (with a space,
    // without the exception text) where tshark writes "[Malformed Packet: <reason>]".
    (
        "tcpdump_802_15_4-oobr-1.pcap",
        1,
        "_ws.col.Info",
        "engine's malformed marker",
    ),
    (
        "tcpdump_802_15_4_beacon.pcap",
        1,
        "_ws.col.Info",
        "engine's malformed marker",
    ),
    (
        "zigator_01-phy-testing.pcap",
        3,
        "_ws.col.Info",
        "engine's malformed marker",
    ),
    (
        "zigator_02-mac-testing.pcap",
        13,
        "_ws.col.Info",
        "engine's malformed marker",
    ),
    // tshark's 6LoWPAN heuristic hands these broadcast frames to IPv6, which rejects them
    // ("Bogus IPv6 version") and leaves its Info text behind though no layer remains; lowshark
    // keeps the 802.15.4 summary.
    (
        "ttproto_openwsn_echo_req_and_reply_and_other_packets_with_openmote_sniffer.pcap",
        23,
        "_ws.col.Info",
        "IPv6's Info left by a rejected 6LoWPAN heuristic in tshark",
    ),
    (
        "ttproto_openwsn_echo_req_and_reply_and_other_packets_with_openmote_sniffer.pcap",
        24,
        "_ws.col.Info",
        "IPv6's Info left by a rejected 6LoWPAN heuristic in tshark",
    ),
    // Constructed frames (`constructed_frames_agree_with_tshark`): tshark 4.0 shows nothing of an
    // IETF payload IE but its descriptor unless the sub-ID is 6top's; lowshark shows the sub-ID
    // and the content as bytes rather than dropping them silently.
    (
        "constructed-195.pcap",
        1,
        "wpan.ietf_ie.sub_id",
        "IETF IE content shown, tshark drops it",
    ),
    (
        "constructed-195.pcap",
        1,
        "wpan.ie.unknown_content",
        "IETF IE content shown, tshark drops it",
    ),
    // tshark's ZigBee NWK heuristic claims this constructed frame's 1-octet payload and fails on
    // it; lowshark has no ZigBee dissector.
    (
        "constructed-195.pcap",
        3,
        "_ws.col.Info",
        "ZigBee heuristic in tshark fails on the payload",
    ),
    (
        "constructed-195.pcap",
        8,
        "_ws.col.Info",
        "engine's malformed marker",
    ),
    // tshark 4.0 also gives the Enhanced Beacon Filter sub-IE's own item the wpan.eb_filter field,
    // with a value read from a 7-octet range ("Trying to fetch an unsigned integer with length
    // 7"): a first, bogus wpan.eb_filter value lowshark does not reproduce.
    (
        "constructed-195.pcap",
        6,
        "wpan.eb_filter",
        "tshark's bogus extra value for the sub-IE item",
    ),
];

/// Every capture with 802.15.4 frames.
fn captures() -> Vec<PathBuf> {
    let mut out = vec![];
    for dir in ["public/ieee802154", "public/zep", "public/sixlowpan"] {
        let Some(d) = support::shared(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
            .expect("capture directory readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        files.sort();
        out.extend(files);
    }
    for f in [
        "generated/rpl-network-nonstoring.pcap",
        "generated/wpan-nofcs-linktype230.pcap",
        "generated/wpan-tap-linktype283.pcap",
    ] {
        out.extend(support::shared(f));
    }
    out
}

fn excepted(file: &str, frame: usize, field: &str) -> bool {
    EXCEPTIONS.iter().any(|(f, n, fld, _)| {
        file.ends_with(f)
            && *n == frame
            && match fld.strip_suffix('*') {
                Some(prefix) => field.starts_with(prefix),
                None => *fld == field,
            }
    })
}

/// Compares `fields` on every frame of a capture.
fn compare_capture(path: &Path, fields: &[&str], prefs: &[(&str, &str)]) -> support::Tally {
    support::differential(
        path,
        fields,
        prefs,
        support::show,
        support::bytes_as_plain_hex,
    )
}

#[test]
fn wpan_fields_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let files = captures();
    if files.is_empty() {
        return;
    }
    let (mut frames, mut excepted_n) = (0usize, 0usize);
    let mut bad = vec![];
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let tally = compare_capture(path, FIELDS, &[]);
        frames += tally.frames;
        for m in tally.mismatches {
            if excepted(&name, m.frame, &m.field) {
                excepted_n += 1;
            } else {
                bad.push(format!("{name}: {m}"));
            }
        }
    }
    eprintln!(
        "wpan: {} captures, {frames} frames x {} fields = {} values compared, {} mismatches, {excepted_n} excepted",
        files.len(),
        FIELDS.len(),
        frames * FIELDS.len(),
        bad.len(),
    );
    assert!(
        frames > 7000,
        "expected the 802.15.4 captures, got {frames} frames"
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The shared one-field helper agrees with the batched comparison above.
#[test]
fn compare_field_helper_agrees_on_a_small_capture() {
    let Some(path) = support::shared("public/ieee802154/zigator_02-mac-testing.pcap") else {
        return;
    };
    if !support::have_tshark() {
        return;
    }
    for field in [
        "wpan.frame_type",
        "wpan.src64",
        "wpan.dst16",
        "wpan.cmd",
        "wpan.fcs",
    ] {
        let (n, bad) = support::compare_field(&path, field, &[]);
        assert_eq!(n, 19);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}

/// The Info column of frames whose last layer is wpan (or wpan and data) matches tshark's
/// (`-n`: EUI-64s without vendor names, as lowshark writes them).
#[test]
fn wpan_info_column_agrees_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let (mut compared, mut bad) = (0usize, vec![]);
    for path in captures() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let f = path.to_str().unwrap();
        let theirs = support::tshark(&[
            "-n",
            "-r",
            f,
            "-T",
            "fields",
            "-e",
            "frame.protocols",
            "-e",
            "_ws.col.Info",
        ]);
        let ours = support::dissect_capture(&path, &[]);
        for (i, (line, p)) in theirs.lines().zip(ours.iter()).enumerate() {
            let (protos, info) = line.split_once('\t').unwrap_or((line, ""));
            if !(protos.ends_with("wpan") || protos.ends_with("wpan:data")) {
                continue;
            }
            if excepted(&name, i + 1, "_ws.col.Info") {
                continue;
            }
            compared += 1;
            if p.columns.info != info {
                bad.push(format!(
                    "{name}: frame {}: ours {:?} tshark {info:?}",
                    i + 1,
                    p.columns.info
                ));
            }
        }
    }
    eprintln!(
        "wpan Info column: {compared} frames compared, {} differ",
        bad.len()
    );
    assert!(
        compared > 300 || support::shared("").is_none(),
        "only {compared} frames compared"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The 802.15.4 FCS (ITU-T CRC-16, reflected, initial value 0).
fn crc16(data: &[u8]) -> u16 {
    dissectors::proto::ieee802154::crc16(data)
}

fn with_fcs(mac: &[u8]) -> Vec<u8> {
    let mut v = mac.to_vec();
    v.extend_from_slice(&crc16(mac).to_le_bytes());
    v
}

/// Writes a pcap of `frames` with `link_type`.
fn write_pcap(path: &Path, link_type: u32, frames: &[Vec<u8>]) {
    std::fs::write(path, support::pcap_frames(link_type, frames)).unwrap();
}

/// IPv6 + UDP (to port 17754) around a ZEP packet, for LINKTYPE_RAW.
fn ipv6_udp_zep(zep: &[u8]) -> Vec<u8> {
    let ulen = (8 + zep.len()) as u16;
    let mut v = hex("6000000000001140");
    v[4..6].copy_from_slice(&ulen.to_be_bytes());
    v.extend(hex("fe800000000000000000000000000001"));
    v.extend(hex("fe800000000000000000000000000002"));
    v.extend(hex("d431455a"));
    v.extend(ulen.to_be_bytes());
    v.extend([0, 0]);
    v.extend(zep);
    v
}

/// Fields of the less common structures the constructed frames exercise.
const MORE_FIELDS: &[&str] = &[
    "wpan.header_ie_tlv",
    "wpan.header_ie.id",
    "wpan.header_ie.length",
    "wpan.nack",
    "wpan.header_ie.time_correction.time_sync_info",
    "wpan.header_ie.time_correction.value",
    "wpan.header_ie.csl.phase",
    "wpan.header_ie.csl.period",
    "wpan.header_ie.csl.rendezvous_time",
    "wpan.header_ie.global_time.value",
    "wpan.header_ie.vendor_specific.vendor_oui",
    "wpan.payload_ie_tlv",
    "wpan.payload_ie.type",
    "wpan.payload_ie.id",
    "wpan.payload_ie.length",
    "wpan.mlme.ie",
    "wpan.mlme.ie.type",
    "wpan.mlme.ie.id",
    "wpan.mlme.ie.length",
    "wpan.tsch.asn",
    "wpan.tsch.join_metric",
    "wpan.tsch.timeslot.id",
    "wpan.tsch.timeslot.cca_offset",
    "wpan.tsch.timeslot.max_tx",
    "wpan.tsch.timeslot.length",
    "wpan.tsch.slotframe_num",
    "wpan.tsch.slotframe_handle",
    "wpan.tsch.slotframe_size",
    "wpan.tsch.nb_links",
    "wpan.tsch.link_timeslot",
    "wpan.tsch.channel_offset",
    "wpan.tsch.link_options",
    "wpan.tsch.link_options.tx",
    "wpan.tsch.link_options.timekeeping",
    "wpan.tsch.hopping_sequence_id",
    "wpan.ietf_ie.sub_id",
    "wpan.long_frame_control",
    "wpan.pan_id_present",
    "wpan.fcs32",
    "wpan.sec_frame_counter",
    "wpan.sec_key_sequence_counter",
    "wpan.disassoc.reason",
    "wpan.gtsreq.length",
    "wpan.gtsreq.direction",
    "wpan.gtsreq.type",
    "wpan.pending64",
    "wpan.realign.channel_page",
    "wpan-tap.bit_rate",
    "wpan-tap.sof_ts",
    "wpan-tap.eof_ts",
    "wpan-tap.asn",
    "wpan-tap.slot_start_ts",
    "wpan-tap.timeslot_length",
    "wpan-tap.ch_freq",
    "wpan-tap.chplan.start",
    "wpan-tap.chplan.spacing",
    "wpan-tap.chplan.channels",
    "wpan-tap.sun_band",
    "wpan-tap.sun_type",
    "wpan-tap.sun_mode",
    "zep.reserved_field",
    "wpan-tap.mode.oqpsk_a",
    "wpan.ie.unknown_content",
    "wpan.eb_filter",
    "wpan.eb_filter.pjoin",
    "wpan.eb_filter.lqi",
    "wpan.eb_filter.contains_prob",
    "wpan.eb_filter.attr_id",
    "wpan.eb_filter.lqi_minimum",
    "wpan.eb_filter.prob",
    "wpan.eb_filter.attr_id_bits",
    "wpan.tsch.frame_start_offset",
    "wpan.tsch.frame_duration",
    "wpan.tsch.frame_end_offset",
];

/// Frames built from the standard's layouts (2015 IEs, TSCH, multipurpose, secured, every
/// command, TAP TLVs, ZEP v1/v2 in both modes) compared with tshark.
#[test]
fn constructed_frames_agree_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    // Kept for inspection when LOWSHARK_KEEP_TEST_CAPTURES is set.
    let dir = std::env::temp_dir().join(format!("lowshark-wpan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let mut f195: Vec<Vec<u8>> = vec![];
    // Enhanced beacon: HT1, then MLME (TSCH sync, timeslot with full timings, slotframe & link,
    // channel hopping), IETF IE, payload termination.
    let mut eb = hex("40ebcdabffff0807060504030201 003f");
    let mut mlme = hex("061a 0a00000001 01");
    mlme.extend(hex(
        "191c 01 6400 8000 1401 1e01 e803 f401 4006 2003 c800 7a03 1c05 9827",
    ));
    mlme.extend(hex(
        "131b 02 00 6500 01 0000 0000 0f 01 0700 01 0100 0200 02",
    ));
    mlme.extend(hex("01c8 00"));
    let d = (mlme.len() as u16) | 1 << 11 | 0x8000;
    eb.extend(d.to_le_bytes());
    eb.extend(&mlme);
    eb.extend(hex("02a8 07 00")); // IETF IE, sub-id 7 (not 6top)
    eb.extend(hex("00f8"));
    f195.push(with_fcs(&eb));
    // Enhanced ack: time correction (-3 us, NACK), CSL with rendezvous time, HT2, payload.
    let mut ea = hex("422e05 0807060504030201 020f fd8f 060d 10002000e803 803f 99");
    f195.push(with_fcs(&std::mem::take(&mut ea)));
    // Every other frame is given as hex, its FCS computed.
    let more = [
        // Data 2015 with header IEs: global time, vendor specific, RIT, HT2; then payload.
        "41aa 07 cdab 3412 0100 8414 00e1f505 0500 563412aa03 840d 01020304 803f 55",
        // 2015 command after payload IEs is not in tshark 4.0's reach (it needs HT1); a plain 2015
        // Data Request and a 2015 Beacon Request.
        "63a8 09 cdab 3412 7856 04",
        "0328 0a ffff ffff 07",
        // 2015 Enhanced Beacon Request with an Enhanced Beacon Filter IE (permit join, LQI 128,
        // probability 50 %, 2-octet attribute bitmap).
        "032a 0a ffff ffff 003f 0788 051e 17 80 32 1234 00f8 07",
        // 2015 Data Request after header and payload IEs (HT1, payload termination).
        "43aa 0b cdab 3412 7856 003f 00f8 04",
        // 2015 Association Request with a vendor payload IE before the command.
        "63ea 0c cdab ffff 0807060504030201 003f 0490 563412aa 01 8e",
        // Multipurpose, short and long frame control.
        "25 09 3412 55",
        "ed41 07 cdab 3412 0807060504030201 aa",
        // Frak and extended frame types.
        "0620 03 ab",
        "0720 04 cd",
        // Secured 2006 data frame, key id mode 3, MIC-128; secured 2015 frame with frame counter
        // suppression (TSCH) and key id mode 1, MIC-32; secured 2003 data frame.
        "49dc07 3412 0100000000000000 0200000000000000 1f 01000000 1122334455667788 05
         60616263 aabbccddaabbccddaabbccddaabbccdd",
        "49a8 08 cdab 3412 0100 29 07 c0c1c2 d0d1d2d3",
        "4988 01 3412 0200 0100 44332211 07 0102030405060708",
        // Commands: disassociation, GTS request, PAN ID conflict, realignment with channel page,
        // beacon with GTS descriptors and pending addresses.
        "03cc05ffff0807060504030201ffff11121314151617180302",
        "038005cdab3412091a",
        "43cc05cdab0807060504030201111213141516171805",
        "03cc40ffff0807060504030201eedd1112131415161718 08 eedd fa50 14 a7b0 02",
        "0080013412 1200 ffcf 82 02 a1a134 5f5f44 11 3711 0102030405060708 c0c1",
    ];
    f195.extend(more.iter().map(|h| with_fcs(&hex(h))));
    let p195 = dir.join("constructed-195.pcap");
    write_pcap(&p195, 195, &f195);

    // TAP: every TLV type, 32-bit FCS.
    let mut tlvs = vec![];
    tlvs.extend(hex("0000 0100 02 000000"));
    tlvs.extend(hex("0100 0400 0000a0c1")); // RSS -20
    tlvs.extend(hex("0200 0400 90d00300")); // 250000 bit/s
    tlvs.extend(hex("0300 0300 1a00 00 00"));
    tlvs.extend(hex("0400 0300 07 02 03 00"));
    tlvs.extend(hex("0500 0800 0100000000000000"));
    tlvs.extend(hex("0600 0800 0200000000000000"));
    tlvs.extend(hex("0700 0800 0a00000000000000"));
    tlvs.extend(hex("0800 0800 0300000000000000"));
    tlvs.extend(hex("0900 0400 10270000"));
    tlvs.extend(hex("0a00 0100 7f 000000"));
    tlvs.extend(hex("0b00 0400 00c01645")); // 2412 MHz in kHz? 2412000 -> float below
    tlvs.extend(hex("0c00 0a00 00e05c4a 00409c45 1000 0000"));
    let mut tap = vec![0u8, 0];
    tap.extend(((4 + tlvs.len()) as u16).to_le_bytes());
    tap.extend(&tlvs);
    let mac = hex("020011");
    tap.extend(&mac);
    tap.extend(dissectors::proto::ieee802154::crc32(&mac).to_le_bytes());
    let p283 = dir.join("constructed-283.pcap");
    write_pcap(&p283, 283, &[tap]);

    // ZEP v1 in CRC mode, v1 in LQI mode (CC24xx metadata), v2 ack.
    let ack = with_fcs(&hex("020021"));
    let mut v1 = hex("4558 01 0b 0102 01 00 00000000000000");
    v1.push(ack.len() as u8);
    v1.extend(&ack);
    let mut v1lqi = hex("4558 01 0b 0102 00 c8 00000000000000");
    v1lqi.push(5);
    v1lqi.extend(hex("020022 e0d5"));
    let v2ack = hex("4558 02 02 00000007");
    let p101 = dir.join("constructed-101.pcap");
    write_pcap(
        &p101,
        101,
        &[
            ipv6_udp_zep(&v1),
            ipv6_udp_zep(&v1lqi),
            ipv6_udp_zep(&v2ack),
        ],
    );

    // tshark prints a field given twice with -e in one column only: no duplicates.
    let mut fields: Vec<&str> = vec![];
    for f in FIELDS.iter().chain(MORE_FIELDS) {
        if !fields.contains(f) {
            fields.push(f);
        }
    }
    let mut bad = vec![];
    let mut frames = 0;
    for p in [&p195, &p283, &p101] {
        let tally = compare_capture(p, &fields, &[]);
        frames += tally.frames;
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        for m in tally.mismatches {
            if !excepted(&name, m.frame, &m.field) {
                bad.push(format!("{name}: {m}"));
            }
        }
    }
    // And the Info column (tshark -n: no vendor names in EUI-64s).
    for p in [&p195, &p283, &p101] {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let theirs = support::tshark(&[
            "-n",
            "-r",
            p.to_str().unwrap(),
            "-T",
            "fields",
            "-e",
            "_ws.col.Info",
        ]);
        let ours = support::dissect_capture(p, &[]);
        for (i, (t, o)) in theirs.lines().zip(ours.iter()).enumerate() {
            if o.columns.info != t && !excepted(&name, i + 1, "_ws.col.Info") {
                bad.push(format!(
                    "{name}: frame {}: Info ours {:?} tshark {t:?}",
                    i + 1,
                    o.columns.info
                ));
            }
        }
    }
    if std::env::var_os("LOWSHARK_KEEP_TEST_CAPTURES").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    eprintln!(
        "constructed: {frames} frames x {} fields, {} mismatches",
        fields.len(),
        bad.len()
    );
    assert_eq!(frames, f195.len() + 4);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Ack tracking (`-o wpan.802154_ack_tracking:TRUE`) points acks to their requests as tshark does.
#[test]
fn ack_tracking_agrees_with_tshark() {
    if !support::have_tshark() {
        return;
    }
    let prefs = [("wpan.802154_ack_tracking", "TRUE")];
    let mut acks = 0;
    for f in [
        "generated/rpl-network-nonstoring.pcap",
        "public/zep/ttproto_openwsn_802_15_4_ACKS.pcap",
        "public/sixlowpan/ttproto_wpan_802_15_4_LLT_195_6lowpan.pcap",
    ] {
        let Some(path) = support::shared(f) else {
            continue;
        };
        let fields = ["wpan.ack_to", "wpan.ack_time", "wpan.seq_no"];
        let bad = compare_capture(&path, &fields, &prefs).mismatches;
        assert!(bad.is_empty(), "{f}: {bad:?}");
        acks += support::dissect_capture(&path, &prefs)
            .iter()
            .filter(|p| !support::show(p, "wpan.ack_to").is_empty())
            .count();
    }
    assert!(
        acks > 10 || support::shared("").is_none(),
        "only {acks} acks matched"
    );
}
