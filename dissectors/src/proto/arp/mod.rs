//! ARP (RFC 826) and its relatives that share the packet format: RARP (RFC 903), Inverse ARP
//! (RFC 2390), with the probe/announcement forms of IPv4 address conflict detection (RFC 5227
//! §2.1.1, §2.3) and Wireshark's duplicate-address check.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Hardware type          |         Protocol type         |
//! | HW size (hln) | Proto size(pln)|            Opcode            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Sender hardware address (hln) | Sender protocol address (pln) |
//! | Target hardware address (hln) | Target protocol address (pln) |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Addresses are shown as MAC/IPv4 when the sizes say Ethernet (6) and IPv4 (4), as bytes
//! otherwise. Like tshark, an IP address seen with two different MAC addresses is reported as a
//! duplicate (`arp.duplicate-address-frame`), with a bounded table of the bindings seen.

use crate::engine::address::Address;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use foldhash::HashMap;

const REQUEST: u16 = 1;
const REPLY: u16 = 2;
const RREQUEST: u16 = 3;
const RREPLY: u16 = 4;
const DRARP_REQUEST: u16 = 5;
const DRARP_REPLY: u16 = 6;
const DRARP_ERROR: u16 = 7;
const IREQUEST: u16 = 8;
const IREPLY: u16 = 9;

static OPCODES: &[(u64, &str)] = &[
    (1, "request"),
    (2, "reply"),
    (3, "reverse request"),
    (4, "reverse reply"),
    (5, "drarp request"),
    (6, "drarp reply"),
    (7, "drarp error"),
    (8, "inverse request"),
    (9, "inverse reply"),
    (10, "arp nak"),
    (11, "mars request"),
    (12, "mars multi"),
    (13, "mars mserv"),
    (14, "mars join"),
    (15, "mars leave"),
    (16, "mars nak"),
    (17, "mars unserv"),
    (18, "mars sjoin"),
    (19, "mars sleave"),
    (20, "mars grouplist request"),
    (21, "mars gruoplist reply"),
    (22, "mars redirect map"),
    (23, "mapos unarp"),
    (24, "experimental 1"),
    (25, "experimental 2"),
    (0, "reserved"),
    (65535, "reserved"),
];

/// Hardware types (IANA "ARP Parameters", as Wireshark names the common ones).
static HW_TYPES: &[(u64, &str)] = &[
    (0, "NET/ROM pseudo"),
    (1, "Ethernet"),
    (2, "Experimental Ethernet"),
    (3, "AX.25"),
    (4, "ProNET"),
    (5, "Chaos"),
    (6, "IEEE 802"),
    (7, "ARCNET"),
    (8, "Hyperchannel"),
    (9, "Lanstar"),
    (10, "Autonet Short Address"),
    (11, "Localtalk"),
    (12, "LocalNet"),
    (13, "Ultra link"),
    (14, "SMDS"),
    (15, "Frame Relay DLCI"),
    (16, "ATM"),
    (17, "HDLC"),
    (18, "Fibre Channel"),
    (19, "ATM (RFC 2225)"),
    (20, "Serial Line"),
    (21, "ATM"),
    (22, "MIL-STD-188-220"),
    (23, "Metricom STRIP"),
    (24, "IEEE 1394.1995"),
    (25, "MAPOS"),
    (26, "Twinaxial"),
    (27, "EUI-64"),
    (28, "HIPARP"),
    (29, "IP and ARP over ISO 7816-3"),
    (30, "ARPSec"),
    (31, "IPsec tunnel"),
    (32, "InfiniBand"),
    (33, "TIA-102 Project 25 CAI"),
    (34, "Wiegand Interface"),
    (35, "Pure IP"),
    (36, "Experimental 1"),
    (37, "HFI"),
    (256, "Experimental 2"),
    (772, "Loopback"),
    (778, "GRE over IP"),
    (804, "IEEE 802.15.4"),
];

crate::fields! {
    PROTO = FieldDef::protocol("arp", "Address Resolution Protocol");
    HW_TYPE = FieldDef::new("arp.hw.type", "Hardware type", T::U16).vals(HW_TYPES);
    PROTO_TYPE = FieldDef::new("arp.proto.type", "Protocol type", T::U16).hex().vals(crate::proto::link::eth::ETHERTYPES);
    HW_SIZE = FieldDef::new("arp.hw.size", "Hardware size", T::U8);
    PROTO_SIZE = FieldDef::new("arp.proto.size", "Protocol size", T::U8);
    OPCODE = FieldDef::new("arp.opcode", "Opcode", T::U16).vals(OPCODES);
    IS_GRATUITOUS = FieldDef::new("arp.isgratuitous", "Is gratuitous", T::Bool);
    IS_PROBE = FieldDef::new("arp.isprobe", "Is probe", T::Bool);
    IS_ANNOUNCEMENT = FieldDef::new("arp.isannouncement", "Is announcement", T::Bool);
    SRC_HW = FieldDef::new("arp.src.hw", "Sender hardware address", T::Bytes);
    SRC_HW_MAC = FieldDef::new("arp.src.hw_mac", "Sender MAC address", T::Ether);
    SRC_PROTO = FieldDef::new("arp.src.proto", "Sender protocol address", T::Bytes);
    SRC_PROTO_IPV4 = FieldDef::new("arp.src.proto_ipv4", "Sender IP address", T::Ipv4);
    DST_HW = FieldDef::new("arp.dst.hw", "Target hardware address", T::Bytes);
    DST_HW_MAC = FieldDef::new("arp.dst.hw_mac", "Target MAC address", T::Ether);
    DST_PROTO = FieldDef::new("arp.dst.proto", "Target protocol address", T::Bytes);
    DST_PROTO_IPV4 = FieldDef::new("arp.dst.proto_ipv4", "Target IP address", T::Ipv4);
    DRARP_ERROR_STATUS = FieldDef::new("arp.dst.drarp_error_status", "DRARP error status", T::U16).vals(&[
        (1, "restricted"), (2, "no address"), (3, "serverdown"), (4, "moved"), (5, "failure"),
    ]);
    DUPLICATE_FRAME = FieldDef::new("arp.duplicate-address-frame", "Frame showing earlier use of IP address", T::FrameNum);
    DUPLICATE_SECONDS = FieldDef::new("arp.seconds-since-duplicate-address-frame", "Seconds since earlier frame seen", T::U32);
}

crate::experts! {
    DUPLICATE_DETECTED = ExpertDef::new("arp.duplicate-address-detected", Group::Sequence, Severity::Warn, "Duplicate IP address configured");
}

crate::protocol!("arp", "ARP", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(tables::ETHERTYPE, 0x0806, &PROTOCOL);
    // RARP uses the same format under its own EtherType.
    r.add(tables::ETHERTYPE, 0x8035, &PROTOCOL);
}

/// The fixed part of an ARP packet and where its four addresses are.
struct Header {
    hrd: u16,
    pro: u16,
    hln: usize,
    pln: usize,
    op: u16,
}

impl Header {
    fn sha(&self) -> usize {
        8
    }
    fn spa(&self) -> usize {
        8 + self.hln
    }
    fn tha(&self) -> usize {
        8 + self.hln + self.pln
    }
    fn tpa(&self) -> usize {
        8 + 2 * self.hln + self.pln
    }
    fn len(&self) -> usize {
        8 + 2 * (self.hln + self.pln)
    }
    /// Hardware addresses are Ethernet MACs (Ethernet or IEEE 802 with 6 bytes).
    fn hw_is_ether(&self) -> bool {
        (self.hrd == 1 || self.hrd == 6) && self.hln == 6
    }
    /// Protocol addresses are IPv4 (IP, or AX.25's IP protocol id, with 4 bytes).
    fn proto_is_ipv4(&self) -> bool {
        (self.pro == 0x0800 || self.pro == 0xcc) && self.pln == 4
    }
}

/// What a request or reply says about itself (RFC 5227): computed from the addresses only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Gratuitous,
    /// A gratuitous request with an all-zero target MAC.
    Announcement,
    /// A request from 0.0.0.0 with an all-zero target MAC.
    Probe,
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    cx.columns.protocol = "ARP".into();
    cx.set_info("");
    let h = Header {
        hrd: tvb.be_u16(0)?,
        pro: tvb.be_u16(2)?,
        hln: tvb.u8(4)? as usize,
        pln: tvb.u8(5)? as usize,
        op: tvb.be_u16(6)?,
    };
    // The rest of the frame is link-layer padding.
    let tvb = tvb.sub_clamped(0, h.len());
    let kind = classify(&h, &tvb);
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.columns.protocol = protocol_column(h.op).into();
    cx.set_text(node, title(&h, kind));
    cx.add_uint(node, &HW_TYPE, tvb.range(0, 2), h.hrd as u64);
    cx.add_uint(node, &PROTO_TYPE, tvb.range(2, 2), h.pro as u64);
    cx.add_uint(node, &HW_SIZE, tvb.range(4, 1), h.hln as u64);
    cx.add_uint(node, &PROTO_SIZE, tvb.range(5, 1), h.pln as u64);
    cx.add_uint(node, &OPCODE, tvb.range(6, 2), h.op as u64);
    add_kind(cx, node, kind);
    add_addresses(cx, node, &h, &tvb)?;
    cx.set_info(info(&h, kind, &tvb)?);
    if let Some(ip) = check_duplicates(cx, node, &h, &tvb)? {
        cx.append_info(format_args!("(duplicate use of {ip} detected!)"));
    }
    Ok(())
}

fn classify(h: &Header, tvb: &Tvb) -> Kind {
    if h.op != REQUEST && h.op != REPLY {
        return Kind::Plain;
    }
    let (Ok(spa), Ok(tpa)) = (tvb.bytes(h.spa(), h.pln), tvb.bytes(h.tpa(), h.pln)) else {
        return Kind::Plain;
    };
    let zero_target_mac = tvb.bytes(h.tha(), 6).is_ok_and(|m| m == [0; 6]);
    if spa == tpa {
        if h.op == REQUEST && zero_target_mac {
            return Kind::Announcement;
        }
        return Kind::Gratuitous;
    }
    let zero_sender_ip = tvb.be_u32(h.spa()).is_ok_and(|ip| ip == 0);
    if h.op == REQUEST && zero_target_mac && zero_sender_ip {
        return Kind::Probe;
    }
    Kind::Plain
}

fn protocol_column(op: u16) -> &'static str {
    match op {
        RREQUEST | RREPLY => "RARP",
        DRARP_REQUEST | DRARP_REPLY | DRARP_ERROR => "DRARP",
        IREQUEST | IREPLY => "Inverse ARP",
        11..=22 => "MARS",
        23 => "MAPOS",
        _ => "ARP",
    }
}

fn title(h: &Header, kind: Kind) -> String {
    let Some(op) = crate::engine::field::val_to_str(OPCODES, h.op as u64) else {
        return format!("Address Resolution Protocol (opcode 0x{:04x})", h.op);
    };
    let op = match (kind, h.op) {
        (Kind::Announcement, _) => "ARP Announcement",
        (Kind::Probe, _) => "ARP Probe",
        (Kind::Gratuitous, REQUEST) => "request/gratuitous ARP",
        (Kind::Gratuitous, REPLY) => "reply/gratuitous ARP",
        _ => op,
    };
    format!("Address Resolution Protocol ({op})")
}

fn add_kind(cx: &mut Cx, node: NodeId, kind: Kind) {
    // An announcement is also gratuitous; a probe is not.
    if matches!(kind, Kind::Gratuitous | Kind::Announcement) {
        cx.add_generated(node, &IS_GRATUITOUS, Value::Bool(true));
    }
    if kind == Kind::Probe {
        cx.add_generated(node, &IS_PROBE, Value::Bool(true));
    }
    if kind == Kind::Announcement {
        cx.add_generated(node, &IS_ANNOUNCEMENT, Value::Bool(true));
    }
}

/// A typed address field and how to build its value from the address bytes.
type TypedAddress = (&'static FieldDef, fn(&[u8]) -> Value);

/// One address of `len` bytes: `typed` (a MAC or IPv4 address, built by `value`) when the
/// header says the type and size match, bytes (`raw`) otherwise.
fn add_address(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    (off, len): (usize, usize),
    typed: Option<TypedAddress>,
    raw: &'static FieldDef,
) -> Result<()> {
    if len == 0 {
        return Ok(());
    }
    match typed {
        Some((field, value)) => {
            let b = tvb.bytes(off, len)?;
            cx.add(node, field, tvb.range(off, len), value(b));
        }
        None => {
            cx.add_bytes(node, raw, tvb, off, len)?;
        }
    }
    Ok(())
}

fn mac(b: &[u8]) -> Value {
    Value::Ether(b.try_into().unwrap_or_default())
}

fn ipv4(b: &[u8]) -> Value {
    Value::Ipv4(b.try_into().unwrap_or_default())
}

fn add_addresses(cx: &mut Cx, node: NodeId, h: &Header, tvb: &Tvb) -> Result<()> {
    let hw = h
        .hw_is_ether()
        .then_some((&SRC_HW_MAC, mac as fn(&[u8]) -> Value));
    let pr = h
        .proto_is_ipv4()
        .then_some((&SRC_PROTO_IPV4, ipv4 as fn(&[u8]) -> Value));
    add_address(cx, node, tvb, (h.sha(), h.hln), hw, &SRC_HW)?;
    add_address(cx, node, tvb, (h.spa(), h.pln), pr, &SRC_PROTO)?;
    let hw = hw.map(|(_, v)| (&DST_HW_MAC, v));
    add_address(cx, node, tvb, (h.tha(), h.hln), hw, &DST_HW)?;
    if h.op == DRARP_ERROR && h.pln != 0 {
        // The first bytes of the target protocol address carry the error status.
        let st = tvb.be_u16(h.tpa())?;
        cx.add_uint(node, &DRARP_ERROR_STATUS, tvb.range(h.tpa(), 2), st as u64);
        return Ok(());
    }
    let pr = pr.map(|(_, v)| (&DST_PROTO_IPV4, v));
    add_address(cx, node, tvb, (h.tpa(), h.pln), pr, &DST_PROTO)
}

/// A hardware address as the Info column shows it.
fn hw_str(h: &Header, tvb: &Tvb, off: usize) -> Result<String> {
    if h.hln == 0 {
        return Ok("<No address>".into());
    }
    let b = tvb.bytes(off, h.hln)?;
    if h.hw_is_ether() {
        let mut a = [0u8; 6];
        a.copy_from_slice(b);
        return Ok(Address::Ether(a).to_string());
    }
    Ok(crate::engine::value::hex_string(b))
}

/// A protocol address as the Info column shows it.
fn proto_str(h: &Header, tvb: &Tvb, off: usize) -> Result<String> {
    if h.pln == 0 {
        return Ok("<No address>".into());
    }
    let b = tvb.bytes(off, h.pln)?;
    if h.proto_is_ipv4() {
        return Ok(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string());
    }
    Ok(crate::engine::value::hex_string(b))
}

fn info(h: &Header, kind: Kind, tvb: &Tvb) -> Result<String> {
    let (spa, tpa) = (|| proto_str(h, tvb, h.spa()), || proto_str(h, tvb, h.tpa()));
    let (sha, tha) = (|| hw_str(h, tvb, h.sha()), || hw_str(h, tvb, h.tha()));
    Ok(match (h.op, kind) {
        (REQUEST, Kind::Announcement) => format!("ARP Announcement for {}", tpa()?),
        (REQUEST, Kind::Gratuitous) => format!("Gratuitous ARP for {} (Request)", tpa()?),
        (REQUEST, Kind::Probe) => format!("Who has {}? (ARP Probe)", tpa()?),
        (REQUEST, _) => format!("Who has {}? Tell {}", tpa()?, spa()?),
        (REPLY, Kind::Gratuitous) => format!("Gratuitous ARP for {} (Reply)", spa()?),
        (REPLY, _) => format!("{} is at {}", spa()?, sha()?),
        (RREQUEST | IREQUEST | DRARP_REQUEST, _) => format!("Who is {}? Tell {}", tha()?, sha()?),
        (RREPLY | DRARP_REPLY, _) => format!("{} is at {}", tha()?, tpa()?),
        (DRARP_ERROR, _) => "DRARP Error".into(),
        (IREPLY, _) => format!("{} is at {}", sha()?, spa()?),
        (10, _) => "ARP NAK".into(),
        (24, _) => "Experimental 1 ( opcode 24 )".into(),
        (25, _) => "Experimental 2 ( opcode 25 )".into(),
        (0 | 65535, _) => format!("Reserved opcode {}", h.op),
        (op @ 11..=23, _) => format!("{} from {} at {}", mars_name(op), sha()?, spa()?),
        _ => format!("Unknown ARP opcode 0x{:04x}", h.op),
    })
}

fn mars_name(op: u16) -> &'static str {
    match op {
        11 => "MARS request",
        12 => "MARS MULTI request",
        13 => "MARS MSERV request",
        14 => "MARS JOIN request",
        15 => "MARS LEAVE",
        16 => "MARS NAK",
        17 => "MARS UNSERV request",
        18 => "MARS SJOIN request",
        19 => "MARS SLEAVE",
        20 => "MARS grouplist request",
        21 => "MARS grouplist reply",
        22 => "MARS redirect map",
        _ => "MAPOS UNARP request",
    }
}

/// IPv4 → MAC bindings seen in ARP, to flag an address used by two machines.
#[derive(Clone, Default)]
pub struct ArpState {
    bindings: HashMap<[u8; 4], Binding>,
}

#[derive(Clone, Copy)]
struct Binding {
    mac: [u8; 6],
    frame: u64,
    secs: i64,
}

/// More bindings than any LAN has; past it the table starts over.
const MAX_BINDINGS: usize = 65_536;

/// Checks the sender's (and, for replies, the target's) binding against those seen before;
/// returns the address reported as duplicate, if any.
fn check_duplicates(
    cx: &mut Cx,
    node: NodeId,
    h: &Header,
    tvb: &Tvb,
) -> Result<Option<std::net::Ipv4Addr>> {
    if !(h.op == REQUEST || h.op == REPLY) || !h.hw_is_ether() || !h.proto_is_ipv4() || cx.in_error
    {
        return Ok(None);
    }
    let mut found = None;
    let sender = (tvb.array::<6>(h.sha())?, tvb.array::<4>(h.spa())?);
    if usable(&sender) {
        found = check_one(cx, node, sender);
    }
    // Target addresses of a request mean nothing (RFC 826).
    let target = (tvb.array::<6>(h.tha())?, tvb.array::<4>(h.tpa())?);
    if h.op != REQUEST && usable(&target) && found != Some(target.1) {
        // As in tshark, the target's verdict replaces the sender's for the Info column.
        found = check_one(cx, node, target);
    }
    Ok(found.map(std::net::Ipv4Addr::from))
}

/// A binding worth remembering: a unicast, non-zero MAC and a non-zero address.
fn usable((mac, ip): &([u8; 6], [u8; 4])) -> bool {
    mac[0] & 1 == 0 && *mac != [0; 6] && *ip != [0; 4]
}

fn check_one(cx: &mut Cx, node: NodeId, (mac, ip): ([u8; 6], [u8; 4])) -> Option<[u8; 4]> {
    let frame = cx.meta.number;
    let secs = cx.meta.ts_ns.div_euclid(1_000_000_000);
    let state = cx.session.get::<ArpState>();
    if state.bindings.len() >= MAX_BINDINGS && !state.bindings.contains_key(&ip) {
        state.bindings.clear();
    }
    let b = state
        .bindings
        .entry(ip)
        .or_insert(Binding { mac, frame, secs });
    if b.mac == mac {
        if frame > b.frame {
            *b = Binding { mac, frame, secs };
        }
        return None;
    }
    let earlier = *b;
    let text = format!(
        "Duplicate IP address detected for {} ({}) - also in use by {} (frame {})",
        std::net::Ipv4Addr::from(ip),
        Address::Ether(mac),
        Address::Ether(earlier.mac),
        earlier.frame
    );
    let t = cx.add_text(node, ByteRange::default(), text);
    cx.tree.node_mut(t).flags.generated = true;
    let f = cx.add_generated(t, &DUPLICATE_FRAME, Value::UInt(earlier.frame));
    let msg = format!(
        "Duplicate IP address configured ({})",
        std::net::Ipv4Addr::from(ip)
    );
    cx.expert(f, &DUPLICATE_DETECTED, Some(msg));
    let since = (secs - earlier.secs).clamp(0, u32::MAX as i64) as u64;
    cx.add_generated(t, &DUPLICATE_SECONDS, Value::UInt(since));
    Some(ip)
}

#[cfg(test)]
mod tests;
