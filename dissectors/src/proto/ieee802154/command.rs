//! IEEE 802.15.4 beacon contents and MAC command frames (IEEE Std 802.15.4-2020 §7.3.1 and §7.5),
//! part of the `wpan` layer (fields are declared in [`crate::proto::ieee802154`]).
//!
//! ```text
//! Beacon (2003/2006):  | Superframe Spec (2) | GTS (1 + 1 + 3n) | Pending Addr (1 + 2s + 8l) | payload |
//! Superframe Spec:     b0-3 beacon order | b4-7 superframe order | b8-11 final CAP slot |
//!                      b12 battery ext | b13 reserved | b14 PAN coordinator | b15 assoc permit
//! Command:             | Command Id (1) | command payload |
//! ```
//! The auxiliary security header (§9.4) is here too.
//! Up to 802.15.4-2006 the command identifier is part of the MAC header (it is not encrypted);
//! from 2015 on it follows the payload IEs.

use crate::engine::field::FieldDef;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use crate::engine::Endian;
use crate::proto::ieee802154::{self as w, AuxSec, MacAddr, MacHeader};

/// Command identifiers (Table 7-49 of 802.15.4-2015 and later additions).
pub static CMD_NAMES: &[(u64, &str)] = &[
    (0x01, "Association Request"),
    (0x02, "Association Response"),
    (0x03, "Disassociation Notification"),
    (0x04, "Data Request"),
    (0x05, "PAN ID Conflict"),
    (0x06, "Orphan Notification"),
    (0x07, "Beacon Request"),
    (0x08, "Coordinator Realignment"),
    (0x09, "GTS Request"),
    (0x0a, "TRLE Management Request"),
    (0x0b, "TRLE Management Response"),
    (0x13, "DSME Association Request"),
    (0x14, "DSME Association Response"),
    (0x15, "DSME GTS Request"),
    (0x16, "DSME GTS Response"),
    (0x17, "DSME GTS Notify"),
    (0x18, "DSME Information Request"),
    (0x19, "DSME Information Response"),
    (0x1a, "DSME Beacon Allocation Notification"),
    (0x1b, "DSME Beacon Collision Notification"),
    (0x1c, "DSME Link Report"),
    (0x20, "RIT Data Request"),
    (0x21, "DBS Request"),
    (0x22, "DBS Response"),
    (0x23, "RIT Data Response"),
    (0x24, "Vendor Specific"),
];

const CMD_ASSOC_REQ: u8 = 0x01;
const CMD_ASSOC_RSP: u8 = 0x02;
const CMD_DISASSOC: u8 = 0x03;
const CMD_DATA_REQ: u8 = 0x04;
const CMD_PANID_CONFLICT: u8 = 0x05;
const CMD_ORPHAN: u8 = 0x06;
const CMD_BEACON_REQ: u8 = 0x07;
const CMD_REALIGN: u8 = 0x08;
const CMD_GTS_REQ: u8 = 0x09;
const CMD_VENDOR: u8 = 0x24;

/// A command's name for the Info column.
pub fn cmd_name(id: u8) -> &'static str {
    crate::engine::field::val_to_str(CMD_NAMES, id as u64).unwrap_or("Unknown Command")
}

/// Superframe specification, GTS fields and pending address list of a 2003/2006 beacon;
/// returns the offset of the beacon payload.
pub fn dissect_beacon_header(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    superframe_spec(tvb, cx, node, off)?;
    let o = gts_fields(tvb, cx, node, off + 2)?;
    pending_addresses(tvb, cx, node, o)
}

/// The superframe specification (§7.3.1.4).
fn superframe_spec(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<()> {
    let spec = tvb.le_u16(off)?;
    let r = tvb.range(off, 2);
    // Wireshark's label names the flags that are set ("Superframe Specification: PAN
    // Coordinator, Association Permit"); tshark's JSON uses it as the key.
    let set: Vec<&str> = [
        (0x1000, "Battery Extension"),
        (0x4000, "PAN Coordinator"),
        (0x8000, "Association Permit"),
    ]
    .iter()
    .filter(|(m, _)| spec & m != 0)
    .map(|(_, n)| *n)
    .collect();
    let t = cx.add_text(
        node,
        r,
        format_args!("Superframe Specification: {}", set.join(", ")),
    );
    cx.add_bits(
        t,
        &[
            &w::BEACON_ORDER,
            &w::SUPERFRAME_ORDER,
            &w::CAP,
            &w::BATTERY_EXT,
            &w::BCN_COORD,
            &w::ASSOC_PERMIT,
        ],
        r,
        spec as u64,
    );
    Ok(())
}

/// GTS specification (b0-2 descriptor count, b7 permit), then directions and descriptors
/// (§7.3.1.5); returns the offset after them.
fn gts_fields(tvb: &Tvb, cx: &mut Cx, node: NodeId, mut o: usize) -> Result<usize> {
    let gts = tvb.u8(o)?;
    let count = (gts & 7) as usize;
    let glen = if count > 0 { 2 + 3 * count } else { 1 };
    let g = cx.add_text(node, tvb.range(o, glen), "GTS");
    cx.add(g, &w::GTS_COUNT, tvb.range(o, 1), Value::UInt(count as u64));
    cx.add(
        g,
        &w::GTS_PERMIT,
        tvb.range(o, 1),
        Value::Bool(gts & 0x80 != 0),
    );
    o += 1;
    if count == 0 {
        return Ok(o);
    }
    let dirs = tvb.u8(o)?;
    let rx = (0..count).filter(|i| dirs & (1 << i) != 0).count();
    let d = cx.add_text(
        g,
        tvb.range(o, 1),
        format!("GTS Directions: {rx} Receive & {} Transmit", count - rx),
    );
    for i in 0..count {
        let dir = dirs & (1 << i) != 0;
        let n = cx.add(d, &w::GTS_DIRECTION, tvb.range(o, 1), Value::Bool(dir));
        cx.set_text(
            n,
            format_args!(
                "GTS Slot {}: {}",
                i + 1,
                if dir { "Receive Only" } else { "Transmit Only" }
            ),
        );
    }
    o += 1;
    let ds = cx.add_text(g, tvb.range(o, 3 * count), "GTS Descriptors");
    for _ in 0..count {
        let addr = tvb.le_u16(o)?;
        let slot = tvb.u8(o + 2)?;
        let n = cx.add(
            ds,
            &w::GTS_ADDRESS,
            tvb.range(o, 3),
            Value::UInt(addr as u64),
        );
        cx.set_text(
            n,
            format_args!(
                "Address: 0x{addr:04x}, Slot: {}, Length: {}",
                slot & 0x0f,
                slot >> 4
            ),
        );
        o += 3;
    }
    Ok(o)
}

/// Pending address specification (b0-2 short count, b4-6 long count) and the addresses
/// (§7.3.1.6); returns the offset of the beacon payload.
fn pending_addresses(tvb: &Tvb, cx: &mut Cx, node: NodeId, mut o: usize) -> Result<usize> {
    let pend = tvb.u8(o)?;
    let (n16, n64) = ((pend & 7) as usize, ((pend >> 4) & 7) as usize);
    let p = cx.add_text(
        node,
        tvb.range(o, 1 + 2 * n16 + 8 * n64),
        format!("Pending Addresses: {n16} Short and {n64} Long"),
    );
    o += 1;
    for _ in 0..n16 {
        cx.add_le_u16(p, &w::PENDING16, tvb, o)?;
        o += 2;
    }
    for _ in 0..n64 {
        let mut a: [u8; 8] = tvb.array(o)?;
        a.reverse();
        cx.add(p, &w::PENDING64, tvb.range(o, 8), Value::Eui64(a));
        o += 8;
    }
    Ok(o)
}

/// Checks a command's addressing against the standard and notes a mismatch (Wireshark's
/// IEEE802154_CMD_ADDR_CHECK).
fn addr_check(cx: &mut Cx, node: NodeId, id: u8, ok: bool) {
    if !ok {
        cx.expert_with(node, &w::INVALID_ADDRESSING, || {
            format!("Invalid Addressing for {}", cmd_name(id))
        });
    }
}

/// The command payload (after the identifier, and after payload IEs in 2015 frames).
pub fn dissect_command(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    h: &MacHeader,
) -> Result<()> {
    let mut tvb = *tvb;
    let id = match h.command {
        Some(id) => id,
        None => {
            // 2015 and later: the identifier is the first payload octet.
            let id = cx.add_u8(node, &w::CMD, &tvb, 0)?;
            if id == CMD_BEACON_REQ {
                cx.set_info("Enhanced Beacon Request");
            } else {
                cx.set_info(cmd_name(id));
            }
            tvb = tvb.sub_from(1)?;
            id
        }
    };
    if crate::engine::field::val_to_str(CMD_NAMES, id as u64).is_none() {
        cx.expert(node, &w::CMD_UNKNOWN, None);
    }
    if let Some(ok) = addressing_ok(id, h) {
        addr_check(cx, node, id, ok);
    }
    let used = match id {
        CMD_ASSOC_REQ => {
            let c = tvb.u8(0)?;
            let t = cx.add_text(node, tvb.range(0, 1), cmd_name(id));
            cx.add_bits(
                t,
                &[
                    &w::CINFO_ALT_COORD,
                    &w::CINFO_DEVICE_TYPE,
                    &w::CINFO_POWER_SRC,
                    &w::CINFO_IDLE_RX,
                    &w::CINFO_SEC_CAPABLE,
                    &w::CINFO_ALLOC_ADDR,
                ],
                tvb.range(0, 1),
                c as u64,
            );
            cx.columns
                .info
                .push_str(if c & 0x02 != 0 { ", FFD" } else { ", RFD" });
            1
        }
        CMD_ASSOC_RSP => assoc_response(cx, node, &tvb, h, id)?,
        CMD_DISASSOC => disassociation(cx, node, &tvb, h, id)?,
        CMD_REALIGN => realignment(cx, node, &tvb, h, id)?,
        CMD_GTS_REQ => {
            let c = tvb.u8(0)?;
            let t = cx.add_text(node, tvb.range(0, 1), cmd_name(id));
            cx.add_bits(
                t,
                &[&w::GTSREQ_LEN, &w::GTSREQ_DIR, &w::GTSREQ_TYPE],
                tvb.range(0, 1),
                c as u64,
            );
            1
        }
        CMD_VENDOR => {
            cx.add_int(node, &w::CMD_VENDOR_OUI, &tvb, 0, 3, Endian::Little)?;
            3
        }
        _ => 0,
    };
    let rest = tvb.sub_from(used.min(tvb.len()))?;
    cx.call_data(&rest, parent);
    Ok(())
}

/// Whether the addressing of a command without its own checker is what the standard asks
/// (§7.5); None when there is no rule for it here.
fn addressing_ok(id: u8, h: &MacHeader) -> Option<bool> {
    let short_bcast = |a: &MacAddr| matches!(a, MacAddr::Short(0xffff));
    Some(match id {
        CMD_ASSOC_REQ => is_ext(&h.src) && h.dst != MacAddr::None,
        CMD_DATA_REQ => h.src != MacAddr::None,
        CMD_PANID_CONFLICT => is_ext(&h.src) && is_ext(&h.dst),
        CMD_ORPHAN => {
            is_ext(&h.src)
                && short_bcast(&h.dst)
                && h.effective_src_pan() == 0xffff
                && h.dst_pan == Some(0xffff)
        }
        CMD_BEACON_REQ if h.version <= w::VERSION_2006 => {
            short_bcast(&h.dst) && h.src == MacAddr::None && h.dst_pan == Some(0xffff)
        }
        CMD_GTS_REQ => {
            matches!(h.src, MacAddr::Short(s) if s != 0xffff && s != 0xfffe)
                && h.dst == MacAddr::None
        }
        _ => return None,
    })
}

/// A one-octet code shown as `Name: 0xNN (meaning)`.
fn add_code(
    cx: &mut Cx,
    parent: NodeId,
    f: &'static FieldDef,
    tvb: &Tvb,
    off: usize,
    meaning: fn(u8) -> &'static str,
) -> Result<u8> {
    let v = tvb.u8(off)?;
    let n = cx.add(parent, f, tvb.range(off, 1), Value::UInt(v as u64));
    cx.set_text(n, format_args!("{}: 0x{v:02x} ({})", f.name, meaning(v)));
    Ok(v)
}

/// Association Response (IEEE 802.15.4-2020 §7.5.3): learns the short address given.
fn assoc_response(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &MacHeader, id: u8) -> Result<usize> {
    addr_check(cx, node, id, is_ext(&h.src) && is_ext(&h.dst));
    let t = cx.add_text(node, tvb.range(0, 3), cmd_name(id));
    let addr = cx.add_le_u16(t, &w::ASSOC_ADDR, tvb, 0)?;
    let status = add_code(cx, t, &w::ASSOC_STATUS, tvb, 2, |v| match v {
        0 => "Association Successful",
        1 => "PAN Full",
        2 => "Association Denied",
        _ => "Reserved",
    })?;
    if status == 0 && addr != 0xfffe {
        if let MacAddr::Ext(e) = h.dst {
            w::learn_address(cx, node, h.dst_pan.unwrap_or(0xffff), addr, e);
        }
    }
    if status == 0 {
        if !matches!(h.src, MacAddr::Short(_)) {
            let pan = h.dst_pan.unwrap_or(0);
            cx.columns.info.push_str(&format!(", PAN: 0x{pan:04x}"));
        }
        if addr != 0xfffe {
            cx.columns.info.push_str(&format!(" Addr: 0x{addr:04x}"));
        }
    } else {
        cx.columns.info.push_str(", Unsuccessful");
    }
    Ok(3)
}

/// Disassociation Notification (§7.5.4): forgets the device's short address.
fn disassociation(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &MacHeader, id: u8) -> Result<usize> {
    addr_check(cx, node, id, is_ext(&h.src) && is_ext(&h.dst));
    let t = cx.add_text(node, tvb.range(0, 1), cmd_name(id));
    add_code(cx, t, &w::DISASSOC_REASON, tvb, 0, |v| match v {
        1 => "Coordinator requests device to leave",
        2 => "Device wishes to leave",
        _ => "Reserved",
    })?;
    let pan = h.dst_pan.unwrap_or(0xffff);
    cx.session.get::<w::WpanState>().invalidate(&h.dst, pan);
    Ok(1)
}

/// Coordinator Realignment (§7.5.10): learns the short address given.
fn realignment(cx: &mut Cx, node: NodeId, tvb: &Tvb, h: &MacHeader, id: u8) -> Result<usize> {
    addr_check(
        cx,
        node,
        id,
        is_ext(&h.src) && h.dst_pan == Some(0xffff) && h.dst != MacAddr::None,
    );
    if matches!(h.dst, MacAddr::Short(_)) {
        addr_check(cx, node, id, matches!(h.dst, MacAddr::Short(0xffff)));
    }
    let page = tvb.len() >= 8;
    let t = cx.add_text(node, tvb.range(0, if page { 8 } else { 7 }), cmd_name(id));
    let pan = cx.add_le_u16(t, &w::REALIGN_PAN, tvb, 0)?;
    cx.columns.info.push_str(&format!(", PAN: 0x{pan:04x}"));
    let coord = cx.add_le_u16(t, &w::REALIGN_CADDR, tvb, 2)?;
    cx.columns
        .info
        .push_str(&format!(", Coordinator: 0x{coord:04x}"));
    let ch = cx.add_u8(t, &w::REALIGN_CHANNEL, tvb, 4)?;
    cx.columns.info.push_str(&format!(", Channel: {ch}"));
    let addr = cx.add_le_u16(t, &w::REALIGN_ADDR, tvb, 5)?;
    if let (MacAddr::Ext(e), true) = (h.dst, addr != 0xfffe) {
        cx.columns.info.push_str(&format!(", Addr: 0x{addr:04x}"));
        w::learn_address(cx, node, h.dst_pan.unwrap_or(0xffff), addr, e);
    }
    // The channel page was added in 2006.
    if page {
        cx.add_u8(t, &w::REALIGN_CHANNEL_PAGE, tvb, 7)?;
    }
    Ok(if page { 8 } else { 7 })
}

fn is_ext(a: &MacAddr) -> bool {
    matches!(a, MacAddr::Ext(_))
}

/// Auxiliary security header (§9.4) of a frame of `version`: security control, frame counter,
/// key identifier. Returns what it says and the offset after it.
pub fn dissect_aux_sec(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    version: u8,
    off: usize,
) -> Result<(AuxSec, usize)> {
    let sc = tvb.u8(off)?;
    let level = sc & 7;
    let key_id_mode = (sc >> 3) & 3;
    // Frame counter suppression exists from 2015 on (TSCH uses the ASN instead).
    let fc_suppressed = version == w::VERSION_2015 && sc & 0x20 != 0;
    let mut len = 1;
    if !fc_suppressed {
        len += 4;
    }
    len += match key_id_mode {
        0 => 0,
        1 => 1,
        2 => 5,
        _ => 9,
    };
    let hdr = cx.add(node, &w::AUX_SEC_HDR, tvb.range(off, len), Value::None);
    let c = cx
        .add_int(hdr, &w::AUX_SEC_CONTROL, tvb, off, 1, Endian::Big)?
        .node;
    cx.add_bits(
        c,
        &[
            &w::AUX_SEC_LEVEL,
            &w::AUX_SEC_KEY_ID_MODE,
            &w::AUX_SEC_FC_SUPPRESSION,
            &w::AUX_SEC_ASN_IN_NONCE,
            &w::AUX_SEC_RESERVED,
        ],
        tvb.range(off, 1),
        sc as u64,
    );
    let mut o = off + 1;
    let mut aux = AuxSec {
        level,
        key_id_mode,
        ..Default::default()
    };
    if !fc_suppressed {
        aux.frame_counter = Some(cx.add_le_u32(hdr, &w::AUX_SEC_FRAME_COUNTER, tvb, o)?);
        o += 4;
    }
    if key_id_mode != 0 {
        let src_len = match key_id_mode {
            2 => 4,
            3 => 8,
            _ => 0,
        };
        let k = cx.add_text(hdr, tvb.range(o, 1 + src_len), "Key Identifier Field");
        if src_len > 0 {
            // Wireshark reads the key source in network order.
            let v = match src_len {
                4 => tvb.be_u32(o)? as u64,
                _ => tvb.be_u64(o)?,
            };
            cx.add(
                k,
                &w::AUX_SEC_KEY_SOURCE,
                tvb.range(o, src_len),
                Value::UInt(v),
            );
            let b = tvb.bytes(o, src_len)?;
            cx.add_hidden_with(
                k,
                &w::AUX_SEC_KEY_SOURCE_BYTES,
                tvb.range(o, src_len),
                || Value::bytes(b),
            );
            o += src_len;
        }
        aux.key_index = Some(cx.add_u8(k, &w::AUX_SEC_KEY_INDEX, tvb, o)?);
        o += 1;
    }
    Ok((aux, o))
}

/// Short-to-extended address mappings learnt from association responses and coordinator
/// realignments (Wireshark's `ieee802154_map`), so frames from a short address can show the
/// device's EUI-64. Keyed by (PAN, short address); bounded.
#[derive(Clone, Default)]
pub struct WpanState {
    map: foldhash::HashMap<(u16, u16), ([u8; 8], u64)>,
    /// Latest frame (number, time) that requested an ack, per sequence number (so at most 256).
    ack_requests: foldhash::HashMap<u8, (u64, i64)>,
}

/// At most this many mappings are kept; the oldest goes first.
pub const ADDR_MAP_MAX: usize = 4096;

impl WpanState {
    pub fn lookup(&self, pan: u16, short: u16) -> Option<([u8; 8], u64)> {
        self.map.get(&(pan, short)).copied()
    }

    /// Records that `short` on `pan` is `ext` since frame `frame`; true when an older mapping
    /// had to be dropped to stay within [`ADDR_MAP_MAX`].
    pub fn update(&mut self, pan: u16, short: u16, ext: [u8; 8], frame: u64) -> bool {
        let mut evicted = false;
        if self.map.len() >= ADDR_MAP_MAX && !self.map.contains_key(&(pan, short)) {
            if let Some(oldest) = self.map.iter().min_by_key(|(_, v)| v.1).map(|(k, _)| *k) {
                self.map.remove(&oldest);
                evicted = true;
            }
        }
        self.map.insert((pan, short), (ext, frame));
        evicted
    }

    /// Remembers that frame `frame` (at `ts` ns) asked for an ack with sequence number `seq`.
    pub fn note_ack_request(&mut self, seq: u8, frame: u64, ts: i64) {
        self.ack_requests.insert(seq, (frame, ts));
    }

    /// The request an ack with sequence number `seq` answers.
    pub fn ack_request(&self, seq: u8) -> Option<(u64, i64)> {
        self.ack_requests.get(&seq).copied()
    }

    /// Forgets a device that left the PAN (disassociation).
    pub fn invalidate(&mut self, addr: &MacAddr, pan: u16) {
        match addr {
            MacAddr::Short(s) => {
                self.map.remove(&(pan, *s));
            }
            MacAddr::Ext(e) => self.map.retain(|_, v| v.0 != *e),
            MacAddr::None => {}
        }
    }
}

/// Records a short address assignment, noting an eviction on `node`.
pub fn learn_address(cx: &mut Cx, node: NodeId, pan: u16, short: u16, ext: [u8; 8]) {
    let frame = cx.meta.number;
    if cx.session.get::<WpanState>().update(pan, short, ext, frame) {
        cx.expert(
            node,
            &crate::engine::expert::ws::UNREASSEMBLED,
            Some(
                "802.15.4 address table full: the oldest short-to-extended mapping was dropped"
                    .into(),
            ),
        );
    }
}
