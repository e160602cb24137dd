//! UDP (RFC 768), with the conversation index and per-stream times tshark shows.
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |   Source Port   |  Destination    |
//! |                 |     Port        |
//! +--------+--------+--------+--------+
//! |     Length      |    Checksum     |
//! +--------+--------+--------+--------+
//! ```
//! The payload goes to the protocol registered for the lower port, then the higher one, then to
//! the UDP heuristics, as in Wireshark. The checksum is verified (with the IPv4/IPv6
//! pseudo-header) only when `udp.check_checksum` is on, which is tshark's default too.

use crate::analysis::conversation::{ConvKey, ConvTable};
use crate::engine::address::Address;
use crate::engine::checksum::{self, status};
use crate::engine::colfmt::ColWrite;
use crate::engine::context::ChecksumFields;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PrefDef, Protocol, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

crate::fields! {
    PROTO = FieldDef::protocol("udp", "User Datagram Protocol");
    SRCPORT = FieldDef::new("udp.srcport", "Source Port", T::U16);
    DSTPORT = FieldDef::new("udp.dstport", "Destination Port", T::U16);
    PORT = FieldDef::new("udp.port", "Source or Destination Port", T::U16);
    LENGTH = FieldDef::new("udp.length", "Length", T::U16);
    CHECKSUM = FieldDef::new("udp.checksum", "Checksum", T::U16).hex();
    CHECKSUM_CALCULATED = FieldDef::new("udp.checksum_calculated", "Calculated Checksum", T::U16).hex();
    CHECKSUM_STATUS = FieldDef::new("udp.checksum.status", "Checksum Status", T::U8).vals(status::NAMES);
    STREAM = FieldDef::new("udp.stream", "Stream index", T::U32);
    TIME_RELATIVE = FieldDef::new("udp.time_relative", "Time since first frame", T::RelTime);
    TIME_DELTA = FieldDef::new("udp.time_delta", "Time since previous frame", T::RelTime);
    PAYLOAD = FieldDef::new("udp.payload", "Payload", T::Bytes);
}

crate::experts! {
    LENGTH_BAD = ExpertDef::new("udp.length.bad", Group::Malformed, Severity::Error, "Bad length value");
    CHECKSUM_BAD = ExpertDef::new("udp.checksum.bad", Group::Checksum, Severity::Error, "Bad checksum");
    CHECKSUM_ZERO = ExpertDef::new("udp.checksum.zero", Group::Checksum, Severity::Error, "Illegal checksum value (0)");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "udp",
    short_name: "UDP",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[
        PrefDef {
            name: "udp.check_checksum",
            description: "Validate the UDP checksum if possible",
            default: "FALSE",
        },
        PrefDef {
            name: "udp.try_heuristic_first",
            description: "Try heuristic sub-dissectors before port-based ones",
            default: "FALSE",
        },
    ],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    r.add(tables::IP_PROTO, 17, &PROTOCOL);
}

/// Conversations of UDP: index, first and last time seen.
#[derive(Clone)]
pub struct UdpState {
    convs: ConvTable<(i64, i64)>,
}

impl Default for UdpState {
    fn default() -> Self {
        UdpState {
            convs: ConvTable::new(1 << 20),
        }
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, 8));
    let sport = cx.add_be_u16(node, &SRCPORT, tvb, 0)?;
    let dport = cx.add_be_u16(node, &DSTPORT, tvb, 2)?;
    cx.add_hidden(node, &PORT, tvb.range(0, 2), Value::UInt(sport as u64));
    cx.add_hidden(node, &PORT, tvb.range(2, 2), Value::UInt(dport as u64));
    let length = cx.add_be_u16(node, &LENGTH, tvb, 4)? as usize;
    cx.set_text(
        node,
        format_args!("User Datagram Protocol, Src Port: {sport}, Dst Port: {dport}"),
    );
    cx.columns
        .info
        .reset()
        .u(sport)
        .s(" → ")
        .u(dport)
        .s(" Len=")
        .u(length.saturating_sub(8) as u64);
    cx.info.src_port = sport;
    cx.info.dst_port = dport;
    cx.info.transport = 17;
    let csum = cx.add_be_u16(node, &CHECKSUM, tvb, 6)?;
    let (src, dst) = (cx.info.net_src, cx.info.net_dst);
    if length < 8 {
        let msg = format!("Bad length value {length} < UDP header length 8");
        cx.expert(node, &LENGTH_BAD, Some(msg));
        return Err(Error::Malformed("bad UDP length".into()));
    }
    // Like tshark: flag a length beyond the payload, decode the bytes that are there, and
    // end the packet as malformed (the datagram is cut short).
    let cut_short = length > tvb.len() && !cx.frame_truncated() && !cx.in_error;
    if cut_short {
        let msg = format!(
            "Bad length value {length} > IP payload length {}",
            tvb.len()
        );
        cx.expert(node, &LENGTH_BAD, Some(msg));
    }
    add_checksum_status(cx, node, tvb, csum, length, &src, &dst);

    let (key, _) = ConvKey::new(src, sport, dst, dport);
    let ts = cx.meta.ts_ns;
    let in_error = cx.in_error;
    let state = cx.session.get::<UdpState>();
    let (stream, times) = state.convs.get_or_insert(key, || (ts, ts));
    let (first, last) = *times;
    if !in_error {
        *times = (first, ts);
    }
    cx.info.stream = Some(stream);
    cx.add_generated(node, &STREAM, Value::UInt(stream as u64));
    let t = cx.add_text(node, ByteRange::default(), "Timestamps");
    cx.add_generated(t, &TIME_RELATIVE, Value::RelTime(ts - first));
    cx.add_generated(t, &TIME_DELTA, Value::RelTime(ts - last));

    let payload = tvb.sub_clamped(8, length - 8);
    let malformed_before = cx.malformed_count();
    if !payload.is_empty() {
        cx.add_with(node, &PAYLOAD, payload.whole(), || {
            Value::bytes(payload.data())
        });
        dispatch_ports(
            cx,
            tables::UDP_PORT,
            tables::UDP_HEUR,
            sport,
            dport,
            &payload,
            parent,
        );
    }
    if cut_short && cx.malformed_count() == malformed_before {
        return Err(Error::Short);
    }
    Ok(())
}

fn add_checksum_status(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    csum: u16,
    length: usize,
    src: &Address,
    dst: &Address,
) {
    let r = tvb.range(6, 2);
    if csum == 0 && matches!(src, Address::Ipv4(_)) {
        cx.add(node, &CHECKSUM_STATUS, r, Value::UInt(3));
        return;
    }
    if csum == 0 && matches!(src, Address::Ipv6(_)) {
        // RFC 8200 §8.1: over IPv6 the checksum is mandatory, so zero is illegal.
        let st = cx.add(node, &CHECKSUM_STATUS, r, Value::UInt(4));
        cx.expert(st, &CHECKSUM_ZERO, None);
        return;
    }
    let segment = tvb.bytes(0, length).ok();
    let check = match (cx.prefs.bool("udp.check_checksum", false), segment) {
        // 0 is sent as 0xffff (RFC 768).
        (true, Some(seg)) => checksum::compute_with_pseudo(src, dst, 17, seg, 6)
            .map(|e| if e == 0 { 0xffff } else { e })
            .map(|expected| (expected == csum, expected)),
        _ => None,
    };
    cx.add_checksum_status(node, r, &CHECKSUM_FIELDS, check);
    if check.is_some_and(|(good, _)| !good) {
        cx.append_info("[UDP CHECKSUM INCORRECT]");
    }
}

const CHECKSUM_FIELDS: ChecksumFields = ChecksumFields {
    status: &CHECKSUM_STATUS,
    bad: &CHECKSUM_BAD,
    calculated: Some(&CHECKSUM_CALCULATED),
    say_expected: true,
};

/// Port-based dispatch shared by UDP and TCP: the lower port first, then the higher, then the
/// heuristics (or the heuristics first when `<proto>.try_heuristic_first` is set); data when
/// nothing takes it.
pub fn dispatch_ports(
    cx: &mut Cx,
    table: &str,
    heur: &str,
    sport: u16,
    dport: u16,
    payload: &Tvb,
    parent: NodeId,
) {
    let heur_first = cx.prefs.bool(
        if heur == "udp" {
            "udp.try_heuristic_first"
        } else {
            "tcp.try_heuristic_first"
        },
        false,
    );
    if heur_first && cx.call_heuristics(heur, payload, parent) {
        return;
    }
    let (lo, hi) = if sport <= dport {
        (sport, dport)
    } else {
        (dport, sport)
    };
    if cx.call_table(table, lo as u64, payload, parent)
        || cx.call_table(table, hi as u64, payload, parent)
    {
        return;
    }
    if !heur_first && cx.call_heuristics(heur, payload, parent) {
        return;
    }
    cx.call_data(payload, parent);
}

#[cfg(test)]
mod tests {
    use crate::testutil::{dissect_one, dissect_with};

    #[test]
    fn udp_fields_and_stream() {
        let p = dissect_one(228, crate::proto::ipv4::tests_support::IPV4_UDP);
        assert_eq!(p.show("udp.srcport"), ["54833"]);
        assert_eq!(p.show("udp.port"), ["54833", "5683"]);
        assert_eq!(p.show("udp.length"), ["21"]);
        assert_eq!(p.show("udp.checksum"), ["0xfe28"]);
        assert_eq!(p.show("udp.checksum.status"), ["2"]);
        assert_eq!(p.show("udp.stream"), ["0"]);
        assert_eq!(
            p.show("udp.payload"),
            ["42:01:aa:01:62:da:b4:74:65:73:74:c1:02"]
        );
    }

    #[test]
    fn checksum_verified_when_asked() {
        let mut e = crate::engine::Engine::with_defaults();
        e.prefs.set("udp.check_checksum", "TRUE");
        // The capture's checksum is wrong (tshark: should be 0x35d6).
        let p = dissect_with(&mut e, 228, crate::proto::ipv4::tests_support::IPV4_UDP);
        assert_eq!(p.show("udp.checksum.status"), ["0"]);
        assert_eq!(p.show("udp.checksum_calculated"), ["0x35d6"]);
        assert!(p.has("udp.checksum.bad"));
        let mut good = crate::proto::ipv4::tests_support::IPV4_UDP.to_vec();
        good[26..28].copy_from_slice(&[0x35, 0xd6]);
        let p = dissect_with(&mut e, 228, &good);
        assert_eq!(p.show("udp.checksum.status"), ["1"]);
    }

    #[test]
    fn bad_length_is_malformed() {
        let mut bad = crate::proto::ipv4::tests_support::IPV4_UDP.to_vec();
        bad[24..26].copy_from_slice(&[0, 4]);
        let p = dissect_one(228, &bad);
        assert!(p.has("udp.length.bad"));
        assert!(p.packet.is_malformed());
    }
}
