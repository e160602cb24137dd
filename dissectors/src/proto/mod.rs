//! One folder per protocol family. Each declares its fields once (`fields!`), its expert items
//! (`experts!`), a [`Protocol`](crate::engine::registry::Protocol) value named `PROTOCOL`
//! (usually through [`protocol!`](crate::protocol!)), and a `register` function that adds it
//! to the dispatch tables it belongs in. Protocols carried in TCP streams describe their PDUs
//! with [`tcp_pdus`] (or their own `StreamPdus`) and register them beside their port.
//!
//! To add a protocol: write the module, then list its `PROTOCOL` in [`ALL`].

use crate::engine::registry::{PduLenFn, Protocol, Registry, StreamPdus};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::value::Value;
use crate::engine::Cx;

pub mod arp;
pub mod base;
pub mod coap;
pub mod dhcp;
pub mod dnp3;
pub mod dns;
pub mod http;
pub mod iec104;
pub mod ieee802154;
pub mod ipv4;
pub mod ipv6;
pub mod link;
pub mod media;
pub mod modbus;
pub mod mqtt;
pub mod ntp;
pub mod sixlowpan;
pub mod tcp;
pub mod tls;
pub mod udp;
pub mod x509;
pub mod xml;
pub mod xmpp;

/// Every protocol lowshark dissects, in registration order.
pub static ALL: &[&Protocol] = &[
    &base::frame::PROTOCOL,
    &base::data::PROTOCOL,
    &link::eth::PROTOCOL,
    &link::eth::VLAN,
    &link::null::PROTOCOL,
    &link::sll::PROTOCOL,
    &arp::PROTOCOL,
    &ipv4::PROTOCOL,
    &ipv4::RAW,
    &ipv6::PROTOCOL,
    &ipv6::ext::HOPOPTS,
    &ipv6::ext::ROUTING,
    &ipv6::ext::FRAGMENT_HDR,
    &ipv6::ext::DSTOPTS,
    &udp::PROTOCOL,
    &tcp::PROTOCOL,
    &ipv4::icmp::PROTOCOL,
    &ipv6::icmpv6::PROTOCOL,
    &ipv6::nd::PROTOCOL,
    &ipv6::rpl::PROTOCOL,
    &ieee802154::PROTOCOL,
    &ieee802154::NONASK_PHY,
    &ieee802154::tap::PROTOCOL,
    &ieee802154::zep::PROTOCOL,
    &sixlowpan::PROTOCOL,
    &coap::PROTOCOL,
    &dns::PROTOCOL,
    &dns::MDNS,
    &dhcp::PROTOCOL,
    &dhcp::v6::PROTOCOL,
    &ntp::PROTOCOL,
    &tls::PROTOCOL,
    &tls::dtls::PROTOCOL,
    &x509::X509AF,
    &x509::X509IF,
    &x509::X509SAT,
    &x509::X509CE,
    &x509::PKIX1IMPLICIT,
    &x509::PKIX1EXPLICIT,
    &x509::PKCS1,
    &x509::BER,
    &x509::NS_CERT_EXTS,
    &mqtt::PROTOCOL,
    &dnp3::PROTOCOL,
    &http::PROTOCOL,
    &xmpp::PROTOCOL,
    &media::PROTOCOL,
    &media::text::PROTOCOL,
    &media::json::PROTOCOL,
    &media::cbor::PROTOCOL,
    &xml::PROTOCOL,
    &xml::presence::PROTOCOL,
    &modbus::PROTOCOL,
    &modbus::MODBUS,
    &modbus::rtu::PROTOCOL,
    &iec104::PROTOCOL,
    &iec104::asdu::PROTOCOL,
];

/// Declares the calling module's `pub static PROTOCOL` from its `PROTO` field and `FIELDS`
/// list (both from `fields!`), its expert items when given (`EXPERTS` from `experts!`) and its
/// preferences when given: the shape almost every protocol has.
///
/// ```ignore
/// crate::protocol!("ntp", "NTP", dissect, register);
/// crate::protocol!("http", "HTTP", dissect, register, EXPERTS);
/// ```
#[macro_export]
macro_rules! protocol {
    ($(#[$meta:meta])* $name:literal, $short:literal, $dissect:expr, $register:expr $(,)?) => {
        $crate::protocol!($(#[$meta])* $name, $short, $dissect, $register, &[]);
    };
    ($(#[$meta:meta])* $name:literal, $short:literal, $dissect:expr, $register:expr, $experts:expr $(,)?) => {
        $crate::protocol!($(#[$meta])* $name, $short, $dissect, $register, $experts, &[]);
    };
    ($(#[$meta:meta])* $name:literal, $short:literal, $dissect:expr, $register:expr, $experts:expr, $prefs:expr $(,)?) => {
        $(#[$meta])*
        pub static PROTOCOL: $crate::engine::registry::Protocol =
            $crate::engine::registry::Protocol {
                name: $name,
                short_name: $short,
                field: &PROTO,
                fields: FIELDS,
                experts: $experts,
                prefs: $prefs,
                dissect: $dissect,
                register: $register,
            };
    };
}

/// How a protocol whose tshark dissector cuts TCP streams with `tcp_dissect_pdus` (so each
/// PDU shows `tcp.pdu.size`) finds its PDUs; `clears_info` as in [`StreamPdus`].
pub const fn tcp_pdus(pdu_len: PduLenFn, clears_info: bool) -> StreamPdus {
    StreamPdus {
        pdu_len,
        clears_info,
        shows_pdu_size: true,
        partial: None,
    }
}

/// True when the TCP segment being dissected already carried a PDU of the protocol `name`
/// (a layer of that name since the last `tcp`).
pub fn again_in_segment(cx: &Cx, name: &str) -> bool {
    cx.layers()
        .iter()
        .rev()
        .take_while(|l| **l != "tcp")
        .any(|l| *l == name)
}

/// The layer of a PDU of `proto` cut from a TCP stream: a protocol layer for the first in a
/// segment; for later ones (`again`) a plain item of the protocol's field, since tshark lists
/// the protocol once in `frame.protocols`, that still names the Protocol column.
pub fn stream_pdu_layer(
    cx: &mut Cx,
    parent: NodeId,
    proto: &'static Protocol,
    again: bool,
    range: ByteRange,
) -> NodeId {
    if !again {
        return cx.add_proto(parent, proto, range);
    }
    cx.columns.protocol = proto.short_name.into();
    cx.add(parent, proto.field, range, Value::None)
}

impl Registry {
    /// Every protocol lowshark knows, registered.
    pub fn builtin() -> Registry {
        Registry::with_protocols(ALL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::registry::tables;

    #[test]
    fn every_field_abbrev_is_unique_and_prefixed_by_its_protocol() {
        let mut seen = foldhash::HashSet::default();
        for p in ALL {
            for f in p.fields {
                assert!(seen.insert(f.abbrev), "field {} declared twice", f.abbrev);
            }
        }
    }

    #[test]
    fn decode_as_parses_tshark_syntax() {
        let mut r = Registry::builtin();
        r.decode_as("udp.port==61616,data").unwrap();
        assert_eq!(r.lookup(tables::UDP_PORT, 61616).unwrap().name, "data");
        r.decode_as("tcp.port==8000-8002,data").unwrap();
        assert!(r.lookup(tables::TCP_PORT, 8001).is_some());
        assert!(r.decode_as("udp.port=1,data").unwrap_err().contains("=="));
        assert!(r
            .decode_as("foo.bar==1,data")
            .unwrap_err()
            .contains("not a table"));
        assert!(r
            .decode_as("udp.port==1,nosuch")
            .unwrap_err()
            .contains("unknown protocol"));
        assert!(r
            .decode_as("udp.port==x,data")
            .unwrap_err()
            .contains("not a number"));
    }
}
