//! IPv6 base header (RFC 8200 §3). Extension headers are protocols of their own in the IP
//! protocol table, so the chain follows Next Header through them like any other layer.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Traffic Class |           Flow Label                  |
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! |                  Source Address (128 bits)                    |
//! |               Destination Address (128 bits)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use crate::engine::address::Address;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{val_to_str, FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::{Cx, Ipv6Header};
use crate::proto::ipv4::IP_PROTOCOLS;

crate::fields! {
    PROTO = FieldDef::protocol("ipv6", "Internet Protocol Version 6");
    VERSION = FieldDef::new("ipv6.version", "Version", T::U8).mask(0xf0);
    TCLASS = FieldDef::new("ipv6.tclass", "Traffic Class", T::U32).hex().mask(0x0ff0_0000);
    TCLASS_DSCP = FieldDef::new("ipv6.tclass.dscp", "Differentiated Services Codepoint", T::U32).mask(0x0fc0_0000);
    TCLASS_ECN = FieldDef::new("ipv6.tclass.ecn", "Explicit Congestion Notification", T::U32).mask(0x0030_0000);
    FLOW = FieldDef::new("ipv6.flow", "Flow Label", T::U24).hex().mask(0x0f_ffff);
    PLEN = FieldDef::new("ipv6.plen", "Payload Length", T::U16);
    NXT = FieldDef::new("ipv6.nxt", "Next Header", T::U8).vals(crate::proto::ipv4::IP_PROTOCOLS);
    HLIM = FieldDef::new("ipv6.hlim", "Hop Limit", T::U8);
    SRC = FieldDef::new("ipv6.src", "Source Address", T::Ipv6);
    ADDR = FieldDef::new("ipv6.addr", "Source or Destination Address", T::Ipv6);
    SRC_HOST = FieldDef::new("ipv6.src_host", "Source Host", T::String);
    HOST = FieldDef::new("ipv6.host", "Source or Destination Host", T::String);
    DST = FieldDef::new("ipv6.dst", "Destination Address", T::Ipv6);
    DST_HOST = FieldDef::new("ipv6.dst_host", "Destination Host", T::String);
    SRC_SLAAC_MAC = FieldDef::new("ipv6.src_slaac_mac", "Source SLAAC MAC", T::Ether);
    DST_SLAAC_MAC = FieldDef::new("ipv6.dst_slaac_mac", "Destination SLAAC MAC", T::Ether);
    SLAAC_MAC = FieldDef::new("ipv6.slaac_mac", "SLAAC MAC", T::Ether);
}

crate::experts! {
    BOGUS_VERSION = ExpertDef::new("ipv6.bogus_ipv6_version", Group::Malformed, Severity::Error, "Bogus IPv6 version");
    PLEN_EXCEEDS = ExpertDef::new("ipv6.plen_exceeds_framing", Group::Protocol, Severity::Warn, "IPv6 payload length does not match expected framing length");
}

crate::protocol!("ipv6", "IPv6", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(tables::ETHERTYPE, 0x86dd, &PROTOCOL);
    r.add(tables::LINK_TYPE, 229, &PROTOCOL);
    r.add(tables::IP_PROTO, 41, &PROTOCOL);
}

/// The MAC address a SLAAC (modified EUI-64) interface identifier was built from.
pub fn slaac_mac(a: &[u8; 16]) -> Option<[u8; 6]> {
    (a[11] == 0xff && a[12] == 0xfe).then(|| [a[8] ^ 0x02, a[9], a[10], a[13], a[14], a[15]])
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    // Like tshark, a packet whose version is not 6 gets the version and a malformed mark,
    // and is then refused: it does not count as an IPv6 layer and its bytes go to the caller.
    if let Ok(first) = tvb.u8(0) {
        if first >> 4 != 6 {
            let node = cx
                .tree
                .push(parent, Some(&PROTO), Value::None, tvb.range(0, 40));
            let vr = tvb.range(0, 1);
            let v = cx.add_uint(node, &VERSION, vr, first as u64);
            cx.expert(v, &BOGUS_VERSION, None);
            cx.add(v, &crate::engine::expert::ws::MALFORMED, vr, Value::None);
            cx.add_hidden(
                node,
                &crate::proto::ipv4::VERSION,
                vr,
                Value::UInt((first >> 4) as u64),
            );
            cx.reject();
            return Ok(());
        }
    }
    let node = cx.add_proto(parent, &PROTOCOL, tvb.range(0, 40));
    let w = tvb.be_u32(0)?;
    let vr = tvb.range(0, 1);
    cx.add_uint(node, &VERSION, vr, (w >> 24) as u64);
    // tshark also adds the version as ip.version, hidden, so `ip.version == 6` works.
    cx.add_hidden(
        node,
        &crate::proto::ipv4::VERSION,
        vr,
        Value::UInt((w >> 28) as u64),
    );
    let tc = cx.add_uint(node, &TCLASS, tvb.range(0, 4), w as u64);
    cx.add_bits(tc, &[&TCLASS_DSCP, &TCLASS_ECN], tvb.range(0, 4), w as u64);
    cx.add_uint(node, &FLOW, tvb.range(1, 3), (w & 0x00ff_ffff) as u64);
    let plen = cx.add_be_u16(node, &PLEN, tvb, 4)? as usize;
    let nxt = cx.add_u8(node, &NXT, tvb, 6)?;
    cx.info.hop_limit = Some(cx.add_u8(node, &HLIM, tvb, 7)?);
    let src: [u8; 16] = tvb.array(8)?;
    let dst: [u8; 16] = tvb.array(24)?;
    add_address(cx, node, tvb, 8, &src, &SRC, &SRC_HOST);
    add_address(cx, node, tvb, 24, &dst, &DST, &DST_HOST);
    if let Some(mac) = slaac_mac(&src) {
        cx.add(node, &SRC_SLAAC_MAC, tvb.range(16, 8), Value::Ether(mac));
        cx.add_hidden(node, &SLAAC_MAC, tvb.range(16, 8), Value::Ether(mac));
    }
    if let Some(mac) = slaac_mac(&dst) {
        cx.add(node, &DST_SLAAC_MAC, tvb.range(32, 8), Value::Ether(mac));
        cx.add_hidden(node, &SLAAC_MAC, tvb.range(32, 8), Value::Ether(mac));
    }
    let (s, d) = (Address::Ipv6(src), Address::Ipv6(dst));
    crate::proto::ipv4::set_network_addresses(cx, node, "Internet Protocol Version 6", s, d);
    cx.info.ipv6 = Some(Ipv6Header {
        node,
        range: tvb.range(0, 40),
        payload_len: plen as u16,
        src,
        dst,
        ext_headers: 0,
    });
    let available = tvb.remaining(40);
    // A zero payload length with data behind it is a jumbogram or TSO; take what is there.
    let len = if plen == 0 { available } else { plen };
    if plen > available && tvb.len() >= 40 && !cx.frame_truncated() && !cx.in_error {
        cx.expert(node, &PLEN_EXCEEDS, None);
    }
    let payload = tvb.sub_clamped(40, len);
    dispatch_next(cx, nxt, &payload, parent);
    Ok(())
}

/// Hands an IPv6 payload (after the base header or an extension header) to `next_header`'s
/// protocol. Used by the extension headers too.
pub fn dispatch_next(cx: &mut Cx, next_header: u8, payload: &Tvb, parent: NodeId) {
    if next_header == 59 {
        // No Next Header: whatever follows is not a protocol.
        if !payload.is_empty() {
            cx.call_data(payload, parent);
        }
        return;
    }
    if !cx.call_table(tables::IP_PROTO, next_header as u64, payload, parent) {
        // As tshark: the Info column names what nothing took (or what was turned off).
        let name = val_to_str(IP_PROTOCOLS, next_header as u64).unwrap_or("Unknown");
        cx.set_info(format_args!("Unknown IP Protocol: {name} ({next_header})"));
        cx.call_data(payload, parent);
    }
}

fn add_address(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    off: usize,
    a: &[u8; 16],
    field: &'static FieldDef,
    host: &'static FieldDef,
) {
    let r = tvb.range(off, 16);
    cx.add(node, field, r, Value::Ipv6(*a));
    cx.add_hidden(node, &ADDR, r, Value::Ipv6(*a));
    // The host names are the address as text, made only for a tree that keeps them.
    let text = || Value::str(Address::Ipv6(*a).to_string());
    cx.add_hidden_with(node, host, r, text);
    cx.add_hidden_with(node, &HOST, r, text);
}

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_truncations_are_malformed, dissect_one};

    /// IPv6 + UDP (DNS query header only), raw IPv6 link type.
    pub fn ipv6_udp() -> Vec<u8> {
        let mut v = vec![0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 17, 64];
        v.extend_from_slice(&[
            0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xb2, 0x99, 0x28, 0xff, 0xfe, 0xc8, 0xd6, 0x6c,
        ]);
        v.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        // Port 1234: no dissector claims it, so the payload stays data.
        v.extend_from_slice(&[0x12, 0x34, 0x04, 0xd2, 0x00, 0x0c, 0x00, 0x00, 1, 2, 3, 4]);
        v
    }

    #[test]
    fn base_header() {
        let p = dissect_one(229, &ipv6_udp());
        assert_eq!(p.show("ipv6.version"), ["6"]);
        assert_eq!(p.show("ipv6.tclass"), ["0x00000000"]);
        assert_eq!(p.show("ipv6.flow"), ["0x000000"]);
        assert_eq!(p.show("ipv6.src"), ["fe80::b299:28ff:fec8:d66c"]);
        assert_eq!(p.show("ipv6.src_slaac_mac"), ["b0:99:28:c8:d6:6c"]);
        assert_eq!(
            p.show("ipv6.addr"),
            ["fe80::b299:28ff:fec8:d66c", "ff02::1"]
        );
        assert_eq!(p.show("udp.srcport"), ["4660"]);
        assert_eq!(p.packet.protocol_path(), "ipv6:udp:data");
    }

    #[test]
    fn truncation_never_panics() {
        assert_truncations_are_malformed(229, &ipv6_udp(), 48);
    }
}

pub mod ext;
pub mod icmpv6;
pub mod nd;
pub mod rpl;
