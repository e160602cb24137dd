//! The IEEE 802.15.4 TAP pseudo-header (LINKTYPE_IEEE802_15_4_TAP, 283): radio metadata a
//! sniffer puts in front of each frame, as type-length-value records
//! (https://github.com/jkcko/ieee802.15.4-tap).
//!
//! ```text
//! | version=0 (1) | reserved=0 (1) | length (2, LE, whole header incl. TLVs) |
//! TLV: | type (2, LE) | length (2, LE) | value | padding to a multiple of 4 |
//! types: 0 FCS type (0 none, 1 16-bit, 2 32-bit) | 1 RSS (float dBm) | 2 bit rate (u32) |
//!        3 channel (u16 number, u8 page) | 4 SUN PHY (band, type, mode) | 5/6 start/end of
//!        frame timestamp (u64 ns) | 7 ASN (u64) | 8 start of slot timestamp (u64 ns) |
//!        9 timeslot length (u32 µs) | 10 LQI (u8) | 11 channel centre frequency (float kHz) |
//!        12 channel plan (float kHz channel 0, float kHz spacing, u16 channels)
//! ```
//! The MAC frame follows, with the FCS the FCS type TLV announces (16-bit when absent).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Protocol, Registry};
use crate::engine::tlv::{Tlv, TlvFormat, TlvKind};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

use crate::proto::ieee802154 as wpan;

pub static TLV_TYPES: &[(u64, &str)] = &[
    (0, "FCS type"),
    (1, "RSS"),
    (2, "Bit rate"),
    (3, "Channel assignment"),
    (4, "SUN PHY Information"),
    (5, "Start of frame timestamp"),
    (6, "End of frame timestamp"),
    (7, "Absolute Slot Number (ASN)"),
    (8, "Start of slot timestamp"),
    (9, "Slot length"),
    (10, "Link Quality Indicator"),
    (11, "Channel center frequency"),
    (12, "Channel plan"),
];
pub static FCS_TYPES: &[(u64, &str)] = &[(0, "None"), (1, "ITU-T CRC16"), (2, "ITU-T CRC32")];
pub static CH_PAGES: &[(u64, &str)] = &[
    (0, "Default"),
    (1, "ASK"),
    (2, "O-QPSK"),
    (3, "CSS"),
    (4, "HRP UWB"),
    (5, "780 MHz"),
    (6, "GFSK"),
    (7, "MSK"),
    (8, "LRP_UWB"),
    (9, "SUN"),
    (10, "SUN FSK"),
    (11, "2380 MHz"),
    (12, "LECIM"),
    (13, "RCC"),
];
pub static SUN_BANDS: &[(u64, &str)] = &[
    (0, "169 MHz [169.400-169.475]"),
    (1, "450 MHz [450-470]"),
    (2, "470 MHz [470-510]"),
    (3, "780 MHz [779-787]"),
    (4, "863 MHz [863-870]"),
    (5, "896 MHz [896-901]"),
    (6, "901 MHz [901-902]"),
    (7, "915 MHz [902-928]"),
    (8, "917 MHz [917-923.5]"),
    (9, "920 MHz [920-928]"),
    (10, "928 MHz [928-960]"),
    (11, "920 MHz [920-960]"),
    (12, "1427 MHz [1427-1518]"),
    (13, "2450 MHz [2400-2483.5]"),
    (14, "866 MHz [865-867]"),
    (15, "870 MHz [870-876]"),
    (16, "915 MHz-a [902-928 alternate]"),
    (17, "915 MHz-b [902-907.5 & 915-928]"),
    (18, "915 MHz-c [915-928]"),
    (19, "915 MHz-d [915-921]"),
    (20, "915 MHz-e [915-918]"),
    (21, "919 MHz [919-923]"),
    (22, "920 MHz-a [920.5-924.5]"),
    (23, "920 MHz-b [920-925]"),
    (24, "867 MHz [866-869]"),
    (32, "433 MHz [433.05-434.79]"),
    (33, "868 MHz [868-868.6]"),
    (34, "2380 MHz [2360-2400]"),
];
pub static SUN_TYPES: &[(u64, &str)] = &[
    (0, "FSK-A"),
    (1, "FSK-B"),
    (2, "O-QPSK-A"),
    (3, "O-QPSK-B"),
    (4, "O-QPSK-C"),
    (5, "OFDM Option 1"),
    (6, "OFDM Option 2"),
    (7, "OFDM Option 3"),
    (8, "OFDM Option 4"),
];

crate::fields! {
    PROTO = FieldDef::protocol("wpan-tap", "IEEE 802.15.4 TAP");
    VERSION = FieldDef::new("wpan-tap.version", "Version", T::U8);
    RESERVED = FieldDef::new("wpan-tap.reserved", "Reserved", T::U8);
    LENGTH = FieldDef::new("wpan-tap.length", "Length", T::U16);
    DATA_LENGTH = FieldDef::new("wpan-tap.data_length", "Data Length", T::U16);
    TLV_TYPE = FieldDef::new("wpan-tap.tlv.type", "TLV Type", T::U16).vals(TLV_TYPES);
    TLV_LENGTH = FieldDef::new("wpan-tap.tlv.length", "TLV Length", T::U16);
    TLV_UNKNOWN = FieldDef::new("wpan-tap.tlv.unknown", "Unknown", T::Bytes);
    TLV_PADDING = FieldDef::new("wpan-tap.tlv.padding", "Padding", T::Bytes);
    FCS_TYPE = FieldDef::new("wpan-tap.fcs_type", "FCS Type", T::U8).vals(FCS_TYPES);
    RSS = FieldDef::new("wpan-tap.rss", "RSS", T::Float).unit("dBm");
    CH_NUM = FieldDef::new("wpan-tap.ch_num", "Channel", T::U16);
    CH_PAGE = FieldDef::new("wpan-tap.ch_page", "Page", T::U8).vals(CH_PAGES);
    BIT_RATE = FieldDef::new("wpan-tap.bit_rate", "Bit Rate", T::U32).unit("bit/s");
    SUN_BAND = FieldDef::new("wpan-tap.sun_band", "Band", T::U8).vals(SUN_BANDS);
    SUN_TYPE = FieldDef::new("wpan-tap.sun_type", "Type", T::U8).vals(SUN_TYPES);
    SUN_MODE = FieldDef::new("wpan-tap.sun_mode", "Mode", T::U8);
    MODE_FSK_A = FieldDef::new("wpan-tap.mode.fsk_a", "FSK-A mode", T::U8);
    MODE_FSK_B = FieldDef::new("wpan-tap.mode.fsk_b", "FSK-B mode", T::U8);
    MODE_OQPSK_A = FieldDef::new("wpan-tap.mode.oqpsk_a", "O-QPSK-A mode", T::U8);
    MODE_OQPSK_B = FieldDef::new("wpan-tap.mode.oqpsk_b", "O-QPSK-B mode", T::U8);
    MODE_OQPSK_C = FieldDef::new("wpan-tap.mode.oqpsk_c", "O-QPSK-C mode", T::U8);
    MODE_OFDM = FieldDef::new("wpan-tap.mode.ofdm", "OFDM mode", T::U8);
    SOF_TS = FieldDef::new("wpan-tap.sof_ts", "Start of frame timestamp", T::U64).unit("ns");
    EOF_TS = FieldDef::new("wpan-tap.eof_ts", "End of frame timestamp", T::U64).unit("ns");
    SLOT_START_TS = FieldDef::new("wpan-tap.slot_start_ts", "Start of slot timestamp", T::U64).unit("ns");
    TIMESLOT_LENGTH = FieldDef::new("wpan-tap.timeslot_length", "Timeslot length", T::U32).unit("us");
    LQI = FieldDef::new("wpan-tap.lqi", "Link Quality Indicator", T::U8);
    CHPLAN_START = FieldDef::new("wpan-tap.chplan.start", "Channel0 freq", T::Float).unit("kHz");
    CHPLAN_SPACING = FieldDef::new("wpan-tap.chplan.spacing", "Spacing", T::Float).unit("kHz");
    CHPLAN_CHANNELS = FieldDef::new("wpan-tap.chplan.channels", "Channels", T::U16);
    CH_FREQ = FieldDef::new("wpan-tap.ch_freq", "Frequency", T::Float).unit("kHz");
    ASN = FieldDef::new("wpan-tap.asn", "ASN", T::U64);
}

crate::experts! {
    TLV_INVALID_TYPE = ExpertDef::new("wpan-tap.tlv.invalid_type", Group::Malformed, Severity::Warn, "Invalid TLV type");
    TLV_INVALID_LENGTH = ExpertDef::new("wpan-tap.tlv.invalid_length", Group::Malformed, Severity::Warn, "Invalid TLV length");
    TLV_PADDING_NOT_ZEROS = ExpertDef::new("wpan-tap.tlv.padding_not_zeros", Group::Malformed, Severity::Warn, "TLV padding not zero");
    TLV_INVALID_FCS_TYPE = ExpertDef::new("wpan-tap.tlv.invalid_fcs_type", Group::Protocol, Severity::Warn, "Invalid FCS type");
}

crate::protocol!("wpan-tap", "IEEE 802.15.4 TAP", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(tables::LINK_TYPE, 283, &PROTOCOL);
}

/// The value length each TLV type must have (None: variable or unknown).
fn expected_len(ty: u16) -> Option<usize> {
    Some(match ty {
        0 | 10 => 1,
        1 | 2 | 9 | 11 => 4,
        3 | 4 => 3,
        5..=8 => 8,
        12 => 10,
        _ => return None,
    })
}

fn f32_le(tvb: &Tvb, off: usize) -> Result<f64> {
    Ok(f32::from_bits(tvb.le_u32(off)?) as f64)
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let hdr_len = tvb.le_u16(2)? as usize;
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, hdr_len));
    let h = cx.add_text(node, tvb.range(0, 4), "Header");
    cx.add_u8(h, &VERSION, tvb, 0)?;
    cx.add_u8(h, &RESERVED, tvb, 1)?;
    cx.add_le_u16(h, &LENGTH, tvb, 2)?;
    if hdr_len < 4 {
        return Err(Error::Malformed("TAP header length below 4".into()));
    }
    let mut st = TapState {
        fcs_type: 1,
        ..TapState::default()
    };
    for t in TLV_FMT.walk(tvb, 4, hdr_len) {
        match t.kind {
            // A header the record says is there but the frame lacks.
            TlvKind::Truncated if t.off + 4 <= hdr_len => return Err(Error::Short),
            TlvKind::Truncated => break,
            // An overrun of the header length is read as far as the frame goes.
            _ => dissect_tlv(cx, node, tvb, &t, &mut st)?,
        }
    }
    add_tsch_timing(cx, node, &st);
    let frame = tvb.sub_from(hdr_len.min(tvb.len()))?;
    cx.add(
        node,
        &DATA_LENGTH,
        ByteRange::default(),
        Value::UInt(frame.len() as u64),
    );
    let next: &'static Protocol = match st.fcs_type {
        0 => &wpan::NOFCS,
        2 => &wpan::FCS32_PROTOCOL,
        _ => &wpan::FCS16,
    };
    cx.call(next, &frame, parent);
    // tshark lists the MAC frame inside a TAP record as part of `wpan-tap` in frame.protocols
    // (the `wpan` layer is still in the tree).
    cx.unlist_layer("wpan");
    Ok(())
}

/// TAP TLVs: 16-bit little-endian type and length, values padded to 4 octets.
const TLV_FMT: TlvFormat = TlvFormat::type_len16_le().aligned(4);

/// What the TLVs say about the frame after them and its TSCH timing (timestamps in ns, the
/// slot length in µs).
#[derive(Default)]
struct TapState {
    fcs_type: u8,
    sof: Option<u64>,
    eof: Option<u64>,
    slot_start: Option<u64>,
    slot_len: Option<u32>,
}

/// One TLV: its node, type and length, value and padding.
fn dissect_tlv(cx: &mut Cx, node: NodeId, tvb: &Tvb, tlv: &Tlv, st: &mut TapState) -> Result<()> {
    let (o, ty, len) = (tlv.off, tlv.ty as u16, tlv.value_len);
    let padded = len.div_ceil(4) * 4;
    let t = cx.add_text(node, tvb.range(o, 4 + padded), "");
    cx.add_le_u16(t, &TLV_TYPE, tvb, o)?;
    cx.add_le_u16(t, &TLV_LENGTH, tvb, o + 2)?;
    let v = o + 4;
    // The value must be there, with its padding.
    tvb.bytes(v, padded)?;
    let label = tlv_value(cx, t, tvb, ty, v, len, st)?;
    cx.set_text(t, label);
    if padded > len {
        let pad = cx.add_bytes(t, &TLV_PADDING, tvb, v + len, padded - len)?;
        if pad.iter().any(|b| *b != 0) {
            cx.expert(t, &TLV_PADDING_NOT_ZEROS, None);
        }
    }
    Ok(())
}

/// The value of one TLV at `v`; returns the TLV's label.
fn tlv_value(
    cx: &mut Cx,
    t: NodeId,
    tvb: &Tvb,
    ty: u16,
    v: usize,
    len: usize,
    st: &mut TapState,
) -> Result<String> {
    let name = crate::engine::field::val_to_str(TLV_TYPES, ty as u64).unwrap_or("Unknown");
    let label = match (ty, expected_len(ty)) {
        (_, Some(want)) if want != len => {
            cx.expert(t, &TLV_INVALID_LENGTH, None);
            cx.add_bytes(t, &TLV_UNKNOWN, tvb, v, len)?;
            format!("{name}: invalid length {len}")
        }
        (0, _) => {
            st.fcs_type = cx.add_u8(t, &FCS_TYPE, tvb, v)?;
            fcs_type_label(cx, t, st.fcs_type)
        }
        (1, _) => {
            let rss = f32_le(tvb, v)?;
            cx.add(t, &RSS, tvb.range(v, 4), Value::Double(rss));
            format!("RSS: {rss:.2} dBm")
        }
        (2, _) => {
            let br = cx.add_le_u32(t, &BIT_RATE, tvb, v)?;
            format!("Bit rate: {:.3} kbps", br as f64 / 1000.0)
        }
        (3, _) => {
            let ch = cx.add_le_u16(t, &CH_NUM, tvb, v)?;
            let page = cx.add_u8(t, &CH_PAGE, tvb, v + 2)?;
            let pn = crate::engine::field::val_to_str(CH_PAGES, page as u64).unwrap_or("Unknown");
            format!("Channel assignment: Page: {pn} ({page}), Number: {ch}")
        }
        (4, _) => sun_phy(cx, t, tvb, v)?,
        (5, _) => timestamp(cx, t, tvb, v, &SOF_TS, name, &mut st.sof)?,
        (6, _) => timestamp(cx, t, tvb, v, &EOF_TS, name, &mut st.eof)?,
        (8, _) => timestamp(cx, t, tvb, v, &SLOT_START_TS, name, &mut st.slot_start)?,
        (7, _) => {
            let asn = tvb.le_u64(v)?;
            cx.add(t, &ASN, tvb.range(v, 8), Value::UInt(asn));
            format!("Absolute Slot Number (ASN): {asn}")
        }
        (9, _) => {
            let l = cx.add_le_u32(t, &TIMESLOT_LENGTH, tvb, v)?;
            st.slot_len = Some(l);
            format!("Slot length: {l} µs")
        }
        (10, _) => {
            let lqi = cx.add_u8(t, &LQI, tvb, v)?;
            format!("Link Quality Indicator: {lqi}")
        }
        (11, _) => {
            let f = f32_le(tvb, v)?;
            cx.add(t, &CH_FREQ, tvb.range(v, 4), Value::Double(f));
            format!("Channel center frequency: {f:.3} kHz")
        }
        (12, _) => channel_plan(cx, t, tvb, v)?,
        _ => {
            cx.expert(t, &TLV_INVALID_TYPE, None);
            cx.add_bytes(t, &TLV_UNKNOWN, tvb, v, len)?;
            format!("Unknown TLV type {ty}")
        }
    };
    Ok(label)
}

/// The FCS type's label; an unknown type is flagged.
fn fcs_type_label(cx: &mut Cx, t: NodeId, fcs_type: u8) -> String {
    if fcs_type > 2 {
        cx.expert(t, &TLV_INVALID_FCS_TYPE, None);
    }
    let n = crate::engine::field::val_to_str(FCS_TYPES, fcs_type as u64).unwrap_or("Unknown");
    format!("FCS type: {n} ({fcs_type})")
}

/// A 64-bit nanosecond time stamp TLV (start/end of frame, slot start), remembered in `slot`.
fn timestamp(
    cx: &mut Cx,
    t: NodeId,
    tvb: &Tvb,
    v: usize,
    f: &'static FieldDef,
    name: &str,
    slot: &mut Option<u64>,
) -> Result<String> {
    let ts = tvb.le_u64(v)?;
    cx.add(t, f, tvb.range(v, 8), Value::UInt(ts));
    *slot = Some(ts);
    Ok(format!(
        "{name}: {}.{:09} s",
        ts / 1_000_000_000,
        ts % 1_000_000_000
    ))
}

/// The channel plan TLV: start and spacing in kHz, channel count.
fn channel_plan(cx: &mut Cx, t: NodeId, tvb: &Tvb, v: usize) -> Result<String> {
    let start = f32_le(tvb, v)?;
    let spacing = f32_le(tvb, v + 4)?;
    cx.add(t, &CHPLAN_START, tvb.range(v, 4), Value::Double(start));
    cx.add(
        t,
        &CHPLAN_SPACING,
        tvb.range(v + 4, 4),
        Value::Double(spacing),
    );
    let n = cx.add_le_u16(t, &CHPLAN_CHANNELS, tvb, v + 8)?;
    Ok(format!(
        "Channel plan: Start {start:.3} kHz, Spacing {spacing:.3} kHz, Channels {n}"
    ))
}

/// The SUN PHY information TLV; returns its label.
fn sun_phy(cx: &mut Cx, t: NodeId, tvb: &Tvb, v: usize) -> Result<String> {
    let band = cx.add_u8(t, &SUN_BAND, tvb, v)?;
    let sun_type = cx.add_u8(t, &SUN_TYPE, tvb, v + 1)?;
    // The mode's meaning depends on the PHY type.
    let mode: &'static FieldDef = match sun_type {
        0 => &MODE_FSK_A,
        1 => &MODE_FSK_B,
        2 => &MODE_OQPSK_A,
        3 => &MODE_OQPSK_B,
        4 => &MODE_OQPSK_C,
        5..=8 => &MODE_OFDM,
        _ => &SUN_MODE,
    };
    let m = cx.add_u8(t, mode, tvb, v + 2)?;
    let bn = crate::engine::field::val_to_str(SUN_BANDS, band as u64).unwrap_or("Unknown");
    let tn = crate::engine::field::val_to_str(SUN_TYPES, sun_type as u64).unwrap_or("Unknown");
    Ok(format!(
        "SUN PHY Information: Band: {bn} ({band}), Type: {tn} ({sun_type}), Mode: {m}"
    ))
}

/// Where the frame sits in its TSCH slot.
fn add_tsch_timing(cx: &mut Cx, node: NodeId, st: &TapState) {
    // Where the frame sits in its TSCH slot, in µs (Wireshark computes these with unsigned
    // 64-bit differences, so a frame before its slot start wraps around; kept identical).
    if let (Some(sof), Some(start)) = (st.sof, st.slot_start) {
        let us = sof.wrapping_sub(start) as f64 / 1000.0;
        cx.add_generated(node, &wpan::TSCH_FRAME_START_OFFSET, Value::Double(us));
    }
    if let (Some(sof), Some(eof)) = (st.sof, st.eof) {
        let us = eof.wrapping_sub(sof) as f64 / 1000.0;
        cx.add_generated(node, &wpan::TSCH_FRAME_DURATION, Value::Double(us));
    }
    if let (Some(eof), Some(start), Some(len)) = (st.eof, st.slot_start, st.slot_len) {
        let end = start.wrapping_add(len as u64 * 1000);
        let us = eof.wrapping_sub(end) as f64 / 1000.0;
        cx.add_generated(node, &wpan::TSCH_FRAME_END_OFFSET, Value::Double(us));
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_truncations_are_malformed, dissect_one};

    /// A TAP header (FCS type 1, RSS -40 dBm, channel 11 page 0, LQI 255) and an 802.15.4 ack;
    /// the TLVs as in generated/wpan-tap-linktype283.pcap.
    const TAP_ACK: &[u8] = &[
        0x00, 0x00, 0x24, 0x00, // header, length 36
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, // FCS type 1
        0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x20, 0xc2, // RSS -40.0
        0x03, 0x00, 0x03, 0x00, 0x0b, 0x00, 0x00, 0x00, // channel 11, page 0
        0x0a, 0x00, 0x01, 0x00, 0xff, 0x00, 0x00, 0x00, // LQI 255
        0x12, 0x00, 0x2a, 0x75, 0xbe, // ack (frame pending), seq 42, FCS 0xbe75
    ];

    #[test]
    fn tap_tlvs_and_the_frame_after_them() {
        let p = dissect_one(283, TAP_ACK);
        assert_eq!(p.show("wpan-tap.version"), ["0"]);
        assert_eq!(p.show("wpan-tap.length"), ["36"]);
        assert_eq!(p.show("wpan-tap.tlv.type"), ["0", "1", "3", "10"]);
        assert_eq!(p.show("wpan-tap.fcs_type"), ["1"]);
        assert_eq!(p.show("wpan-tap.rss"), ["-40"]);
        assert_eq!(p.show("wpan-tap.ch_num"), ["11"]);
        assert_eq!(p.show("wpan-tap.ch_page"), ["0"]);
        assert_eq!(p.show("wpan-tap.lqi"), ["255"]);
        assert_eq!(
            p.show("wpan-tap.tlv.padding"),
            ["00:00:00", "00", "00:00:00"]
        );
        assert_eq!(p.show("wpan-tap.data_length"), ["5"]);
        assert_eq!(p.show("wpan.frame_type"), ["0x0002"]);
        assert_eq!(p.show("wpan.frame_length"), ["3"]);
        assert_eq!(p.show("wpan.fcs"), ["0xbe75"]);
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
    }

    #[test]
    fn tap_fcs_type_selects_the_trailer() {
        // FCS type 0: the two last octets are frame, not FCS.
        let mut none = TAP_ACK.to_vec();
        none[8] = 0;
        let p = dissect_one(283, &none);
        assert_eq!(p.show("wpan.frame_length"), ["5"]);
        assert!(!p.has("wpan.fcs"));
        // FCS type 2 with a correct CRC-32.
        let mut fcs32 = TAP_ACK[..39].to_vec();
        fcs32[8] = 2;
        let crc = crate::proto::ieee802154::crc32(&[0x12, 0x00, 0x2a]);
        fcs32.extend_from_slice(&crc.to_le_bytes());
        let p = dissect_one(283, &fcs32);
        assert_eq!(p.show("wpan.fcs32"), [format!("0x{crc:08x}")]);
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
    }

    /// Every TLV type; the labels are tshark 4.0's for the same bytes (its JSON keys).
    #[test]
    fn every_tlv_type_with_tsharks_labels() {
        let hex = |s: &str| -> Vec<u8> {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let tlvs = hex(concat!(
            "0000 0100 02 000000",
            "0100 0400 0000a0c1",
            "0200 0400 90d00300",
            "0300 0300 1a00 00 00",
            "0400 0300 07 02 03 00",
            "0500 0800 0100000000000000",
            "0600 0800 0200000000000000",
            "0700 0800 0a00000000000000",
            "0800 0800 0300000000000000",
            "0900 0400 10270000",
            "0a00 0100 7f 000000",
            "0b00 0400 00c01645",
            "0c00 0a00 00e05c4a 00409c45 1000 0000",
        ));
        let mut f = vec![0, 0];
        f.extend(((4 + tlvs.len()) as u16).to_le_bytes());
        f.extend(&tlvs);
        let mac = [0x02, 0x00, 0x11];
        f.extend(mac);
        f.extend(crate::proto::ieee802154::crc32(&mac).to_le_bytes());
        let p = dissect_one(283, &f);
        let labels: Vec<&str> = p
            .packet
            .tree
            .iter()
            .filter(|(_, n)| n.field.is_none())
            .filter_map(|(_, n)| p.packet.tree.text_of(n))
            .collect();
        assert_eq!(
            labels,
            [
                "Header",
                "FCS type: ITU-T CRC32 (2)",
                "RSS: -20.00 dBm",
                "Bit rate: 250.000 kbps",
                "Channel assignment: Page: Default (0), Number: 26",
                "SUN PHY Information: Band: 915 MHz [902-928] (7), Type: O-QPSK-A (2), Mode: 3",
                "Start of frame timestamp: 0.000000001 s",
                "End of frame timestamp: 0.000000002 s",
                "Absolute Slot Number (ASN): 10",
                "Start of slot timestamp: 0.000000003 s",
                "Slot length: 10000 µs",
                "Link Quality Indicator: 127",
                "Channel center frequency: 2412.000 kHz",
                "Channel plan: Start 3618816.000 kHz, Spacing 5000.000 kHz, Channels 16",
            ]
        );
        assert_eq!(p.show("wpan-tap.mode.oqpsk_a"), ["3"]);
        assert_eq!(p.show("wpan-tap.ch_freq"), ["2412"]);
        assert_eq!(p.show("wpan-tap.chplan.start"), ["3.61882e+06"]);
        assert_eq!(p.show("wpan-tap.asn"), ["10"]);
        // tshark's values for these timestamps (unsigned wrap-around included).
        assert_eq!(
            p.show("wpan.tsch.frame_start_offset"),
            ["1.84467440737096e+16"]
        );
        assert_eq!(p.show("wpan.tsch.frame_duration"), ["0.001"]);
        assert_eq!(
            p.show("wpan.tsch.frame_end_offset"),
            ["1.84467440736996e+16"]
        );
        assert_eq!(p.show("wpan.fcs_ok"), ["1"]);
        assert!(p.has("wpan.fcs32"));
    }

    #[test]
    fn tap_truncations() {
        assert_truncations_are_malformed(283, TAP_ACK, 40);
    }
}
