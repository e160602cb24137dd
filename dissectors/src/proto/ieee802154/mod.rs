//! IEEE 802.15.4 MAC frames (IEEE Std 802.15.4-2020 §7.2, same layout as -2003/-2006/-2015),
//! as Wireshark's `wpan` dissector: frame control, sequence number, addressing, auxiliary security
//! header, FCS, and the hand-off of the payload to the next layer.
//!
//! ```text
//!  octets: 2        0/1      0/2        0/2/8      0/2      0/2/8     0/5..14     var      var      2/4
//! +--------+--------+--------+----------+--------+----------+---------+--------+---------+-------+
//! | Frame  | Seq    | Dest   | Dest     | Source | Source   | Aux     | Header | Payload |  FCS  |
//! | Control| Number | PAN ID | Address  | PAN ID | Address  | Sec Hdr | IEs    | (+IEs)  |       |
//! +--------+--------+--------+----------+--------+----------+---------+--------+---------+-------+
//!
//! Frame Control (little endian):
//!  b0-2 type | b3 security | b4 pending | b5 ack req | b6 PAN ID compression | b7 reserved |
//!  b8 seq-no suppression | b9 IE present | b10-11 dst mode | b12-13 version | b14-15 src mode
//! ```
//! All multi-octet fields are little endian; extended addresses are shown most significant octet
//! first, as EUI-64s are written. The FCS is the ITU-T CRC-16 (x^16+x^12+x^5+1, reflected, initial
//! value 0, no final XOR; §7.2.11) or, on PHYs that use it, the 32-bit ANSI X3.66 CRC.
//!
//! Link types: 195 (FCS included), 230 (no FCS), 215 (non-ASK PHY header + FCS), 283 (TAP header,
//! [`crate::proto::ieee802154::tap`]), SLL protocol 0x00f6 (Linux, no FCS); ZEP ([`crate::proto::ieee802154::zep`]) over UDP.
//! Beacons, MAC commands, the auxiliary security header and the short-to-extended address map
//! are in [`crate::proto::ieee802154::command`], information elements in [`crate::proto::ieee802154::ie`]; the fields of the one
//! `wpan` protocol are declared once in [`crate::proto::ieee802154::fields`].
//!
//! Payload hand-off (data frames): a `-d wpan.payload==0,PROTO` rule, else the `wpan` heuristic
//! list (6LoWPAN…), else data. Secured frames are not decrypted: the MIC is shown and the
//! ciphertext goes to data. A bad FCS keeps the payload as data unless `wpan.802154_fcs_ok` is
//! off. `wpan.fcs_format` (tshark's preference: `ITU-T CRC-16`, `ITU-T CRC-32`,
//! `TI CC24xx metadata` or `cc24xx`) says what trails frames of link type 195.
//! Fidelity to tshark 4.0 is checked in `tests/wpan.rs`.

use crate::engine::address::Address;
use crate::engine::colfmt::ColWrite;
use crate::engine::expert::{ws, ExpertDef};
use crate::engine::field::FieldDef;
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use crc::{Crc, Table};
use std::fmt::Write;

pub use crate::proto::ieee802154::command::{learn_address, WpanState, ADDR_MAP_MAX};
pub use crate::proto::ieee802154::fields::*;
use crate::proto::ieee802154::{command as wpan_cmd, ie as wpan_ie};

const PREFS: &[PrefDef] = &[
    PrefDef {
        name: "wpan.fcs_format",
        description: "The FCS format in the captured payload: \"ITU-T CRC-16\" (default), \"ITU-T CRC-32\", or \"TI CC24xx metadata\" (also \"cc24xx\"): the last two octets are RSSI and CRC-OK/correlation",
        default: "ITU-T CRC-16",
    },
    PrefDef {
        name: "wpan.802154_ack_tracking",
        description: "Match frames with ACK request to ACK packets",
        default: "FALSE",
    },
    PrefDef {
        name: "wpan.802154_fcs_ok",
        description: "Dissect payload only if FCS is valid",
        default: "TRUE",
    },
];

crate::protocol!(
    /// The wpan layer for link type 195 (and the `wpan` name users pick with `-d`): an FCS follows
    /// the frame, of the kind `wpan.fcs_format` says.
    "wpan",
    "IEEE 802.15.4",
    dissect,
    register,
    EXPERTS,
    PREFS
);

/// Declares variants of the wpan layer with a fixed trailer kind. Variants are registered in
/// dispatch tables only (not in `proto::ALL`), so the registry holds one `wpan` protocol.
macro_rules! wpan_variants {
    ($($(#[$m:meta])* $name:ident => $mode:expr;)*) => {$(
        $(#[$m])*
        pub static $name: Protocol = Protocol {
            name: "wpan",
            short_name: "IEEE 802.15.4",
            field: &PROTO,
            fields: FIELDS,
            experts: EXPERTS,
            prefs: PREFS,
            dissect: |t, cx, p| dissect_mode(t, cx, p, $mode),
            register: |_| {},
        };
    )*};
}

wpan_variants! {
    /// No FCS (link type 230, Linux SLL, TAP FCS type 0).
    NOFCS => FcsMode::None;
    /// A 16-bit FCS whatever the preference says (TAP FCS type 1, ZEP).
    FCS16 => FcsMode::Crc16;
    /// A 32-bit FCS (TAP FCS type 2).
    FCS32_PROTOCOL => FcsMode::Crc32;
    /// TI CC24xx metadata in place of the FCS (ZEP in LQI mode).
    CC24XX => FcsMode::Cc24xx;
}

/// The non-ASK PHY header (link type 215) in front of a MAC frame with FCS.
pub static NONASK_PHY: Protocol = Protocol {
    name: "wpan-nonask-phy",
    short_name: "IEEE 802.15.4 non-ASK PHY",
    field: &NONASK_PROTO,
    fields: NONASK_FIELDS,
    experts: &[],
    prefs: &[],
    dissect: dissect_nonask_phy,
    register: |_| {},
};

fn register(r: &mut Registry) {
    r.add(tables::LINK_TYPE, 195, &PROTOCOL);
    r.add(tables::LINK_TYPE, 230, &NOFCS);
    r.add(tables::LINK_TYPE, 215, &NONASK_PHY);
    // Linux hands 802.15.4 frames to packet sockets with their FCS (tshark reads them so too).
    r.add(tables::SLL_LTYPE, 0x00f6, &PROTOCOL);
}

/// What follows the MAC frame in the captured bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FcsMode {
    None,
    Crc16,
    Crc32,
    /// TI CC24xx radios replace the FCS by RSSI (signed octet) and CRC-OK bit + 7-bit correlation.
    Cc24xx,
}

impl FcsMode {
    fn len(self) -> usize {
        match self {
            FcsMode::None => 0,
            FcsMode::Crc32 => 4,
            FcsMode::Crc16 | FcsMode::Cc24xx => 2,
        }
    }

    /// The mode `wpan.fcs_format` asks for on link type 195 (tshark's enum accepts its short name
    /// or its description, case-insensitively).
    fn from_pref(cx: &Cx) -> FcsMode {
        match cx
            .prefs
            .get("wpan.fcs_format")
            .map(|s| s.trim().trim_matches('"').to_ascii_lowercase())
            .as_deref()
        {
            Some("cc24xx" | "tcc24xx" | "ti cc24xx metadata") => FcsMode::Cc24xx,
            Some("crc32" | "itu-t crc-32") => FcsMode::Crc32,
            _ => FcsMode::Crc16,
        }
    }
}

/// The ITU-T CRC-16 as 802.15.4 computes it (§7.2.11): polynomial 0x1021 over bits sent LSB
/// first, initial value 0, no final XOR (the catalogue's CRC-16/KERMIT). Sixteen bytes at a
/// time through the `crc` crate's tables: every frame's FCS is checked.
pub fn crc16(data: &[u8]) -> u16 {
    static FCS16: Crc<u16, Table<16>> = Crc::<u16, Table<16>>::new(&crc::CRC_16_KERMIT);
    FCS16.checksum(data)
}

/// The 32-bit FCS (§7.2.11, ANSI X3.66 / IEEE 802.3 CRC-32, reflected, all-ones initial value and
/// final XOR: CRC-32/ISO-HDLC).
pub fn crc32(data: &[u8]) -> u32 {
    static FCS32: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&crc::CRC_32_ISO_HDLC);
    FCS32.checksum(data)
}

/// An address as the MAC header carries it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MacAddr {
    #[default]
    None,
    Short(u16),
    /// Most significant octet first (the frame carries it least significant first).
    Ext([u8; 8]),
}

/// Auxiliary security header contents (§9.4).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct AuxSec {
    pub level: u8,
    pub key_id_mode: u8,
    pub frame_counter: Option<u32>,
    pub key_index: Option<u8>,
}

impl AuxSec {
    /// MIC length of a security level: 0, 4, 8 or 16 octets.
    pub fn mic_len(&self) -> usize {
        match self.level & 3 {
            1 => 4,
            2 => 8,
            3 => 16,
            _ => 0,
        }
    }
}

/// The parsed MAC header, for the parts of the dissector that follow it.
#[derive(Clone, Debug, Default)]
pub struct MacHeader {
    pub fcf: u16,
    pub frame_type: u8,
    pub security: bool,
    pub pending: bool,
    pub ack_request: bool,
    pub pan_id_compression: bool,
    pub seqno_suppression: bool,
    pub ie_present: bool,
    pub dst_mode: u8,
    pub version: u8,
    pub src_mode: u8,
    pub seq: Option<u8>,
    pub dst_pan: Option<u16>,
    pub dst: MacAddr,
    pub src_pan: Option<u16>,
    pub src: MacAddr,
    pub aux: Option<AuxSec>,
    /// Command identifier when the frame is a command (in the header up to 2006, after the
    /// payload IEs since 2015).
    pub command: Option<u8>,
    /// A Header Termination 1 IE said payload IEs follow.
    pub payload_ie_present: bool,
}

pub const TYPE_BEACON: u8 = 0;
pub const TYPE_DATA: u8 = 1;
pub const TYPE_ACK: u8 = 2;
pub const TYPE_CMD: u8 = 3;
pub const TYPE_MULTIPURPOSE: u8 = 5;
pub const TYPE_FRAK: u8 = 6;
pub const TYPE_EXTENDED: u8 = 7;
pub const VERSION_2003: u8 = 0;
pub const VERSION_2006: u8 = 1;
pub const VERSION_2015: u8 = 2;
const MODE_SHORT: u8 = 2;
const MODE_EXT: u8 = 3;

impl MacHeader {
    /// The PAN a source address belongs to: its own, or the destination PAN when compressed.
    pub fn effective_src_pan(&self) -> u16 {
        self.src_pan.or(self.dst_pan).unwrap_or(0xffff)
    }

    fn effective_dst_pan(&self) -> u16 {
        self.dst_pan.or(self.src_pan).unwrap_or(0xffff)
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let mode = FcsMode::from_pref(cx);
    dissect_mode(tvb, cx, parent, mode)
}

fn dissect_nonask_phy(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &NONASK_PHY, tvb.whole());
    cx.add_le_u32(node, &NONASK_PREAMBLE, tvb, 0)?;
    cx.add_u8(node, &NONASK_SFD, tvb, 4)?;
    let phr = tvb.u8(5)?;
    let p = cx.add_uint(node, &NONASK_PHR, tvb.range(5, 1), phr as u64);
    cx.add_uint(p, &NONASK_LENGTH, tvb.range(5, 1), phr as u64);
    let len = (phr & 0x7f) as usize;
    let mac = tvb.sub_clamped(6, len);
    cx.call(&PROTOCOL, &mac, node);
    Ok(())
}

/// The MAC frame's length on the wire: the captured bytes, or more when the link layer frame was
/// cut by a snapshot length (then the FCS is reported but not captured).
fn reported_len(tvb: &Tvb, cx: &Cx) -> usize {
    // Only where the MAC frame runs to the end of the captured frame (195, and 283 after the TAP
    // header); the non-ASK PHY (215) gives the length in its PHR.
    let link_layer = matches!(cx.meta.link_type, 195 | 283) && tvb.source() == 0;
    if link_layer {
        (cx.meta.orig_len as usize)
            .saturating_sub(tvb.offset() as usize)
            .max(tvb.len())
    } else {
        tvb.len()
    }
}

/// Dissects a MAC frame followed by `mode`'s trailer.
pub fn dissect_mode(tvb: &Tvb, cx: &mut Cx, parent: NodeId, mode: FcsMode) -> Result<()> {
    let reported = reported_len(tvb, cx);
    let fcs_len = mode.len();
    // Which FCS we can check: (present, ok). A frame shorter than its FCS, or whose FCS was not
    // captured, is assumed good (as Wireshark does) so its payload is still dissected.
    let (mac, fcs_present, fcs_ok) = if fcs_len == 0 || reported < fcs_len {
        (*tvb, false, true)
    } else {
        let mac_len = reported - fcs_len;
        let mac = tvb.sub_clamped(0, mac_len);
        if tvb.len() >= reported {
            let ok = match mode {
                FcsMode::Crc16 => tvb.le_u16(mac_len)? == crc16(tvb.bytes(0, mac_len)?),
                FcsMode::Crc32 => tvb.le_u32(mac_len)? == crc32(tvb.bytes(0, mac_len)?),
                FcsMode::Cc24xx => tvb.u8(mac_len + 1)? & 0x80 != 0,
                FcsMode::None => true,
            };
            (mac, true, ok)
        } else {
            (mac, false, true)
        }
    };
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.add_hidden(
        node,
        &FRAME_LENGTH,
        ByteRange::default(),
        Value::UInt(if fcs_len > 0 && reported >= fcs_len {
            (reported - fcs_len) as u64
        } else {
            reported as u64
        }),
    );
    let mut summary = Label::new(cx, node, "IEEE 802.15.4");
    let (h, mhr_len) = match dissect_header(&mac, cx, node, &mut summary) {
        Ok(Some(h)) => h,
        Ok(None) => {
            summary.set(cx, node);
            return Ok(());
        }
        Err(e) => {
            summary.set(cx, node);
            return Err(e);
        }
    };
    let r = dissect_payload(&mac, cx, node, parent, &h, mhr_len, fcs_ok);
    if r.is_ok() && cx.prefs.bool("wpan.802154_ack_tracking", false) {
        track_ack(cx, node, &h);
    }
    if r.is_err() {
        // Like Wireshark: an error inside the frame's own fields ends the layer there.
        summary.set(cx, node);
        return r;
    }
    if fcs_len > 0 {
        let fcs = FcsInfo {
            mode,
            reported,
            present: fcs_present,
            ok: fcs_ok,
        };
        add_fcs(tvb, cx, node, &fcs, &mut summary);
    } else {
        // Wireshark adds the (hidden) flag to every frame it got this far in, FCS or not.
        cx.add_hidden(node, &FCS_OK, ByteRange::default(), Value::Bool(true));
    }
    summary.set(cx, node);
    r
}

/// The layer's label (`IEEE 802.15.4 Data, Dst: 0xffff, Src: 0x0001`), gathered as the
/// header is read, and only when the tree keeps it.
struct Label(Option<String>);

impl Label {
    fn new(cx: &Cx, node: NodeId, start: &str) -> Label {
        Label(cx.tree.wants_text(node).then(|| start.to_string()))
    }

    fn push_str(&mut self, s: &str) {
        if let Some(l) = &mut self.0 {
            l.push_str(s);
        }
    }

    /// Appends `head` and an address to the Info column and to the label.
    fn push_info_addr(&mut self, cx: &mut Cx, head: &str, a: &MacAddr) {
        let at = cx.columns.info.len();
        cx.columns.info.s(head);
        push_addr(&mut cx.columns.info, a);
        self.push_str(&cx.columns.info[at..]);
    }

    fn set(self, cx: &mut Cx, node: NodeId) {
        if let Some(l) = self.0 {
            cx.set_text(node, l);
        }
    }
}

/// Ack tracking (`wpan.802154_ack_tracking`, off by default as in tshark): an ack points back to
/// the latest frame that asked for one with its sequence number. Single pass, like tshark
/// without `-2`: requests do not point forward to their ack.
fn track_ack(cx: &mut Cx, node: NodeId, h: &MacHeader) {
    let Some(seq) = h.seq else { return };
    let (frame, ts) = (cx.meta.number, cx.meta.ts_ns);
    let st = cx.session.get::<WpanState>();
    if h.frame_type == TYPE_ACK {
        if let Some((req, req_ts)) = st.ack_request(seq) {
            cx.add_generated(node, &ACK_TO, Value::UInt(req));
            cx.add_generated(node, &ACK_TIME, Value::RelTime(ts - req_ts));
        }
    } else if h.ack_request {
        st.note_ack_request(seq, frame, ts);
    }
}

/// What is known about a frame's FCS.
struct FcsInfo {
    mode: FcsMode,
    /// Length of the frame on the wire, FCS included.
    reported: usize,
    /// The FCS was captured.
    present: bool,
    ok: bool,
}

/// Adds the FCS (or CC24xx metadata) and flags a bad one.
fn add_fcs(tvb: &Tvb, cx: &mut Cx, node: NodeId, fcs: &FcsInfo, summary: &mut Label) {
    let (mode, reported, present, ok) = (fcs.mode, fcs.reported, fcs.present, fcs.ok);
    let off = reported.saturating_sub(mode.len());
    if present {
        match mode {
            FcsMode::Cc24xx => {
                let (Ok(rssi), Ok(b)) = (tvb.u8(off), tvb.u8(off + 1)) else {
                    return;
                };
                let t = cx.add_text(
                    node,
                    tvb.range(off, 2),
                    format!(
                        "TI CC24xx-format metadata: FCS {}",
                        if ok { "OK" } else { "Bad" }
                    ),
                );
                cx.add(t, &FCS_OK, tvb.range(off + 1, 1), Value::Bool(ok));
                cx.add(t, &RSSI, tvb.range(off, 1), Value::Int(rssi as i8 as i64));
                cx.add(
                    t,
                    &CORRELATION,
                    tvb.range(off + 1, 1),
                    Value::UInt((b & 0x7f) as u64),
                );
            }
            mode => {
                let len = if mode == FcsMode::Crc32 { 4 } else { 2 };
                if add_crc(tvb, cx, node, off, ok, len).is_none() {
                    return;
                }
            }
        }
    } else {
        // The FCS was not captured: still say "valid" (unknown) so filters on it work.
        cx.add_hidden(node, &FCS_OK, ByteRange::default(), Value::Bool(ok));
    }
    if !ok {
        info_push(cx, ", Bad FCS");
        summary.push_str(", Bad FCS");
        cx.expert(node, &FCS_BAD, None);
    }
}

/// A 2- or 4-octet FCS at `off`, with the expected value when it is wrong; None when it is
/// not all there.
fn add_crc(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize, ok: bool, len: usize) -> Option<()> {
    let (field, fcs, crc): (_, _, fn(&[u8]) -> u32) = if len == 4 {
        (&FCS32, tvb.le_u32(off).ok()?, crc32)
    } else {
        (&FCS, tvb.le_u16(off).ok()? as u32, |d| crc16(d) as u32)
    };
    let n = cx.add(node, field, tvb.range(off, len), Value::UInt(fcs as u64));
    let w = len * 2;
    if ok {
        cx.set_text(n, format_args!("FCS: 0x{fcs:0w$x} (Correct)"));
    } else {
        let want = tvb.bytes(0, off).map(crc).unwrap_or(0);
        cx.set_text(
            n,
            format_args!("FCS: 0x{fcs:0w$x} (Incorrect, expected FCS=0x{want:0w$x})"),
        );
    }
    cx.add_hidden(node, &FCS_OK, tvb.range(off, len), Value::Bool(ok));
    Some(())
}

/// Appends to the Info column without a separator (", Dst: …").
fn info_push(cx: &mut Cx, s: &str) {
    cx.columns.info.push_str(s);
}

/// Adds a Wireshark-style "this is malformed" mark inside the layer (expert items of the
/// Malformed group make the packet match `_ws.malformed`), and says why.
fn invalid(cx: &mut Cx, node: NodeId, def: &'static ExpertDef) {
    let e = cx.expert(node, def, None);
    let r = cx.tree.node(e).range;
    cx.add_hidden(node, &ws::MALFORMED, r, Value::None);
}

/// A short or extended address in addressing `mode` at `off`, under its own field (`fields`:
/// the short and the extended one) and the hidden `wpan.addr16`/`wpan.addr64`; returns it and
/// the octets it takes.
fn add_mac_addr(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    off: usize,
    mode: u8,
    fields: [&'static FieldDef; 2],
) -> Result<(MacAddr, usize)> {
    match mode {
        MODE_SHORT => {
            let a = tvb.le_u16(off)?;
            let r = tvb.range(off, 2);
            cx.add(node, fields[0], r, Value::UInt(a as u64));
            cx.add_hidden(node, &ADDR16, r, Value::UInt(a as u64));
            Ok((MacAddr::Short(a), 2))
        }
        MODE_EXT => {
            let a = ext_addr(tvb, off)?;
            let r = tvb.range(off, 8);
            cx.add(node, fields[1], r, Value::Eui64(a));
            cx.add_hidden(node, &ADDR64, r, Value::Eui64(a));
            Ok((MacAddr::Ext(a), 8))
        }
        _ => Ok((MacAddr::None, 0)),
    }
}

/// Parses and shows the MAC header up to the payload (Wireshark's `ieee802154_dissect_header`).
/// Ok(None) when the frame cannot be dissected further (invalid modes or version).
fn dissect_header(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    summary: &mut Label,
) -> Result<Option<(MacHeader, usize)>> {
    let fcf = tvb.le_u16(0)?;
    let mut h = MacHeader {
        fcf,
        frame_type: (fcf & 7) as u8,
        ..Default::default()
    };
    let mut off = if h.frame_type == TYPE_MULTIPURPOSE {
        dissect_mpf_fcf(tvb, cx, node, &mut h)?
    } else {
        dissect_fcf(tvb, cx, node, &mut h)?
    };
    let type_name = if h.version == VERSION_2015 && h.frame_type == TYPE_BEACON {
        "Enhanced Beacon"
    } else {
        FRAME_TYPES
            .iter()
            .find(|(k, _)| *k == h.frame_type as u64)
            .map(|(_, n)| *n)
            .unwrap_or("Reserved")
    };
    summary.push_str(" ");
    summary.push_str(type_name);
    cx.columns.info.reset().s(type_name);

    if h.seqno_suppression {
        if h.version != VERSION_2015 && h.frame_type != TYPE_MULTIPURPOSE {
            invalid(cx, node, &SEQNO_SUPPRESSION_INVALID);
        }
    } else {
        let seq = cx.add_u8(node, &SEQ_NO, tvb, off)?;
        h.seq = Some(seq);
        if h.frame_type == TYPE_ACK {
            if let Some(l) = &mut summary.0 {
                let _ = write!(l, ", Sequence Number: {seq}");
            }
        }
        off += 1;
    }
    let Some(off) = dissect_addressing(tvb, cx, node, &mut h, summary, off)? else {
        return Ok(None);
    };
    let off = dissect_header_tail(tvb, cx, node, &mut h, off)?;
    Ok(Some((h, off)))
}

/// The two-octet frame control field of every frame type but multipurpose (§7.2.2).
fn dissect_fcf(tvb: &Tvb, cx: &mut Cx, node: NodeId, h: &mut MacHeader) -> Result<usize> {
    let fcf = h.fcf;
    h.security = fcf & 0x8 != 0;
    h.pending = fcf & 0x10 != 0;
    h.ack_request = fcf & 0x20 != 0;
    h.pan_id_compression = fcf & 0x40 != 0;
    h.seqno_suppression = fcf & 0x100 != 0;
    h.ie_present = fcf & 0x200 != 0;
    h.dst_mode = ((fcf >> 10) & 3) as u8;
    h.version = ((fcf >> 12) & 3) as u8;
    h.src_mode = ((fcf >> 14) & 3) as u8;
    let f = cx.add(node, &FCF, tvb.range(0, 2), Value::UInt(fcf as u64));
    cx.add_bits(
        f,
        &[
            &FRAME_TYPE,
            &SECURITY,
            &PENDING,
            &ACK_REQUEST,
            &PAN_ID_COMPRESSION,
            &FCF_RESERVED,
            &SEQNO_SUPPRESSION,
            &IE_PRESENT,
            &DST_ADDR_MODE,
            &VERSION,
            &SRC_ADDR_MODE,
        ],
        tvb.range(0, 2),
        fcf as u64,
    );
    Ok(2)
}

/// PAN IDs and addresses (§7.2.2.4–7.2.2.9); Ok(None) when their modes rule the frame out.
fn dissect_addressing(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    h: &mut MacHeader,
    summary: &mut Label,
    mut off: usize,
) -> Result<Option<usize>> {
    if h.dst_mode == 1 {
        invalid(cx, node, &DST_INVALID);
        return Ok(None);
    }
    if h.src_mode == 1 {
        invalid(cx, node, &SRC_INVALID);
        return Ok(None);
    }
    let Some((dst_pan_present, src_pan_present)) = pan_id_presence(cx, node, h) else {
        return Ok(None);
    };
    if dst_pan_present {
        h.dst_pan = Some(cx.add_le_u16(node, &DST_PAN, tvb, off)?);
        cx.info.wpan_dst_pan = h.dst_pan;
        off += 2;
    }
    let (dst, len) = add_mac_addr(cx, node, tvb, off, h.dst_mode, [&DST16, &DST64])?;
    h.dst = dst;
    off += len;
    if h.dst != MacAddr::None {
        summary.push_info_addr(cx, ", Dst: ", &h.dst);
    }
    if src_pan_present {
        h.src_pan = Some(cx.add_le_u16(node, &SRC_PAN, tvb, off)?);
        cx.info.wpan_src_pan = h.src_pan;
        off += 2;
    }
    let (src, len) = add_mac_addr(cx, node, tvb, off, h.src_mode, [&SRC16, &SRC64])?;
    h.src = src;
    if let MacAddr::Short(a) = src {
        add_learned_ext(cx, node, tvb, off, h.src_pan.or(h.dst_pan), a);
    }
    off += len;
    if h.src != MacAddr::None {
        summary.push_info_addr(cx, ", Src: ", &h.src);
    }
    set_packet_addresses(cx, h);
    Ok(Some(off))
}

/// The extended address a short source address was given (association response or
/// coordinator realignment seen earlier in the capture), as a generated item.
fn add_learned_ext(cx: &mut Cx, node: NodeId, tvb: &Tvb, off: usize, pan: Option<u16>, a: u16) {
    let pan = pan.unwrap_or(0xffff);
    if let Some((ext, origin)) = cx.session.get::<WpanState>().lookup(pan, a) {
        let r = tvb.range(off, 2);
        let n = cx.add(node, &SRC64, r, Value::Eui64(ext));
        cx.tree.node_mut(n).flags.generated = true;
        cx.add_hidden(node, &ADDR64, r, Value::Eui64(ext));
        cx.add_generated(node, &SRC64_ORIGIN, Value::UInt(origin));
    }
}

/// What follows the addresses: the auxiliary security header, then the beacon or command
/// header (2003/2006) or the header IEs (2015), and the 2003 security counters.
fn dissect_header_tail(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    h: &mut MacHeader,
    mut off: usize,
) -> Result<usize> {
    // The auxiliary security header exists from 2006 on; 2003 frames carry their counters just
    // before the payload (below).
    if h.security && h.version != VERSION_2003 {
        let (aux, end) = wpan_cmd::dissect_aux_sec(tvb, cx, node, h.version, off)?;
        h.aux = Some(aux);
        off = end;
    }
    if h.version == VERSION_2003 || h.version == VERSION_2006 {
        if h.frame_type == TYPE_BEACON {
            off = wpan_cmd::dissect_beacon_header(tvb, cx, node, off)?;
        }
        if h.frame_type == TYPE_CMD {
            // Up to 2006 the command identifier belongs to the (unencrypted) header.
            let id = cx.add_u8(node, &CMD, tvb, off)?;
            h.command = Some(id);
            off += 1;
            cx.set_info(wpan_cmd::cmd_name(id));
        }
    } else if h.ie_present {
        off = wpan_ie::dissect_header_ies(tvb, cx, node, h, off)?;
    }
    if h.security && h.version == VERSION_2003 {
        // 802.15.4-2003 (§7.6.1): frame counter and key sequence counter precede the ciphertext
        // under the default AES-CCM-64 suite.
        cx.add_le_u32(node, &SEC_FRAME_COUNTER, tvb, off)?;
        cx.add_u8(node, &SEC_KEY_SEQUENCE_COUNTER, tvb, off + 4)?;
        off += 5;
        h.aux = Some(AuxSec {
            level: 6,
            ..Default::default()
        });
    }
    Ok(off)
}

/// Multipurpose frame control (§7.3.5): one octet, or two when Long Frame Control is set.
fn dissect_mpf_fcf(tvb: &Tvb, cx: &mut Cx, node: NodeId, h: &mut MacHeader) -> Result<usize> {
    let first = tvb.u8(0)? as u16;
    let long = first & 0x8 != 0;
    let (fcf, len) = if long {
        (tvb.le_u16(0)?, 2)
    } else {
        (first, 1)
    };
    h.fcf = fcf;
    h.dst_mode = ((fcf >> 4) & 3) as u8;
    h.src_mode = ((fcf >> 6) & 3) as u8;
    // Wireshark reports multipurpose frames as the 2015 version they belong to.
    h.version = VERSION_2015;
    let r = tvb.range(0, len);
    let f = cx.add(node, &FCF, r, Value::UInt(fcf as u64));
    cx.add_bits(
        f,
        &[
            &FRAME_TYPE,
            &LONG_FRAME_CONTROL,
            &MPF_DST_ADDR_MODE,
            &MPF_SRC_ADDR_MODE,
        ],
        r,
        fcf as u64,
    );
    if long {
        h.pan_id_compression = fcf & 0x100 != 0; // "PAN ID Present"
        h.security = fcf & 0x200 != 0;
        h.seqno_suppression = fcf & 0x400 != 0;
        h.pending = fcf & 0x800 != 0;
        h.ack_request = fcf & 0x4000 != 0;
        h.ie_present = fcf & 0x8000 != 0;
        cx.add_bits(
            f,
            &[
                &PAN_ID_PRESENT,
                &MPF_SECURITY,
                &MPF_SEQNO_SUPPRESSION,
                &MPF_PENDING,
                &MPF_VERSION,
                &MPF_ACK_REQUEST,
                &MPF_IE_PRESENT,
            ],
            r,
            fcf as u64,
        );
    }
    Ok(len)
}

/// Which PAN IDs the frame carries (§7.2.2.6 for 2003/2006, Table 7-2 of 802.15.4-2015); None,
/// with an expert item, for combinations the standard does not allow.
fn pan_id_presence(cx: &mut Cx, node: NodeId, h: &MacHeader) -> Option<(bool, bool)> {
    let (d, s, c) = (h.dst_mode, h.src_mode, h.pan_id_compression);
    if h.frame_type == TYPE_MULTIPURPOSE {
        // The "PAN ID Present" bit governs the destination PAN alone.
        return Some((c && d != 0, false));
    }
    match h.version {
        VERSION_2003 | VERSION_2006 => {
            if d != 0 && s != 0 {
                Some((true, !c))
            } else if c {
                invalid(cx, node, &INVALID_PANID_COMPRESSION);
                None
            } else {
                Some((d != 0, s != 0))
            }
        }
        VERSION_2015 => {
            if !matches!(h.frame_type, TYPE_BEACON | TYPE_DATA | TYPE_ACK | TYPE_CMD) {
                return Some((false, false));
            }
            Some(match (d, s, c) {
                (0, 0, false) => (false, false),
                (0, 0, true) => (true, false),
                (_, 0, false) => (true, false),
                (_, 0, true) => (false, false),
                (0, _, false) => (false, true),
                (0, _, true) => (false, false),
                (MODE_EXT, MODE_EXT, false) => (true, false),
                (MODE_EXT, MODE_EXT, true) => (false, false),
                (_, _, false) => (true, true),
                (_, _, true) => (true, false),
            })
        }
        _ => {
            invalid(cx, node, &FRAME_VERSION_UNKNOWN);
            None
        }
    }
}

/// An extended address, turned from the frame's little-endian order into EUI-64 order.
fn ext_addr(tvb: &Tvb, off: usize) -> Result<[u8; 8]> {
    let mut a: [u8; 8] = tvb.array(off)?;
    a.reverse();
    Ok(a)
}

/// How the Info column writes an address: short ones as 0x1234 (0xffff as "Broadcast"), long
/// ones as colon hex.
pub fn addr_text(a: &MacAddr) -> String {
    let mut s = String::new();
    push_addr(&mut s, a);
    s
}

/// Appends a MAC address as the Info column and labels show it (`Broadcast`, `0x0001`, an
/// EUI-64), without `core::fmt`: every frame's Info column names one or two.
pub fn push_addr(s: &mut String, a: &MacAddr) {
    match a {
        MacAddr::None => {}
        MacAddr::Short(0xffff) => s.push_str("Broadcast"),
        MacAddr::Short(v) => {
            s.hex(*v as u64, 4);
        }
        MacAddr::Ext(e) => {
            s.addr(&Address::Eui64(*e));
        }
    }
}

fn set_packet_addresses(cx: &mut Cx, h: &MacHeader) {
    let conv = |a: &MacAddr, pan: u16| match a {
        MacAddr::None => Address::None,
        MacAddr::Short(s) => Address::Wpan16 { pan, addr: *s },
        MacAddr::Ext(e) => Address::Eui64(*e),
    };
    let src = conv(&h.src, h.effective_src_pan());
    let dst = conv(&h.dst, h.effective_dst_pan());
    cx.info.dl_src = src;
    cx.info.dl_dst = dst;
    cx.set_addresses(src, dst);
}

/// Everything after the MAC header: MIC and ciphertext of secured frames, payload IEs, command
/// bodies, beacon payloads, and the hand-off of data payloads.
fn dissect_payload(
    mac: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    h: &MacHeader,
    mhr_len: usize,
    fcs_ok: bool,
) -> Result<()> {
    if mhr_len > mac.len() {
        return Err(Error::Short);
    }
    let mut payload = mac.sub_from(mhr_len)?;
    if h.security {
        // No keys: show the MIC and hand the ciphertext on as data (it cannot be parsed).
        let mic_len = h.aux.map(|a| a.mic_len()).unwrap_or(0);
        let end = mac.len().saturating_sub(mic_len).max(mhr_len);
        let cipher = mac.sub_clamped(mhr_len, end - mhr_len);
        if mic_len > 0 && mac.len() >= mhr_len + mic_len {
            cx.add_bytes(node, &MIC, mac, mac.len() - mic_len, mic_len)?;
        }
        cx.expert(
            node,
            &DECRYPT_ERROR,
            Some("No encryption key set - can't decrypt".into()),
        );
        cx.call_data(&cipher, parent);
        return Ok(());
    }
    if h.payload_ie_present {
        if payload.len() > 2 {
            let used = wpan_ie::dissect_payload_ies(&payload, cx, node, h)?;
            payload = payload.sub_from(used.min(payload.len()))?;
        } else {
            cx.expert(node, &PAYLOAD_IE_MISSING, None);
        }
    }
    match h.frame_type {
        TYPE_BEACON => {
            if payload.is_empty() {
                return Ok(());
            }
            if cx.call_table(tables::WPAN_PAYLOAD, 0, &payload, parent)
                || cx.call_heuristics(tables::WPAN_BEACON_HEUR, &payload, parent)
            {
                return Ok(());
            }
            cx.call_data(&payload, parent);
        }
        TYPE_CMD => {
            // Wireshark catches errors in the command body and still shows the FCS after it.
            if let Err(e) = wpan_cmd::dissect_command(&payload, cx, node, parent, h) {
                cx.malformed(&PROTOCOL, &payload, &e);
            }
        }
        TYPE_DATA => dispatch_data(cx, &payload, parent, fcs_ok),
        _ => cx.call_data(&payload, parent),
    }
    Ok(())
}

/// Hands a data frame's payload on: a `-d wpan.payload==0,PROTO` rule first, then the heuristics
/// (6LoWPAN, ZigBee…), then raw data. A frame with a bad FCS is not trusted with more than data
/// unless `wpan.802154_fcs_ok` is off.
pub fn dispatch_data(cx: &mut Cx, payload: &Tvb, parent: NodeId, fcs_ok: bool) {
    if payload.is_empty() {
        return;
    }
    if !fcs_ok && cx.prefs.bool("wpan.802154_fcs_ok", true) {
        cx.call_data(payload, parent);
        return;
    }
    if cx.call_table(tables::WPAN_PAYLOAD, 0, payload, parent) {
        return;
    }
    if cx.call_heuristics(tables::WPAN_HEUR, payload, parent) {
        return;
    }
    cx.call_data(payload, parent);
}

pub mod command;
pub mod fields;
pub mod ie;
pub mod tap;
pub mod zep;

#[cfg(test)]
mod tests;
