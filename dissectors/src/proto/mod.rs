//! One module per protocol. Each declares its fields once (`fields!`), its expert items
//! (`experts!`), a [`Protocol`](crate::registry::Protocol) value named `PROTOCOL`, and a
//! `register` function that adds it to the dispatch tables it belongs in.
//!
//! To add a protocol: write the module, then list its `PROTOCOL` in [`ALL`].

use crate::registry::Protocol;

pub mod coap;
pub mod coap_payload;
pub mod coap_track;
pub mod data;
pub mod dtls;
pub mod eth;
pub mod frame;
pub mod icmp;
pub mod icmpv6;
pub mod icmpv6_nd;
pub mod ip;
pub mod ipv6;
pub mod ipv6_ext;
pub mod mqtt;
pub mod null;
pub mod rpl;
pub mod sixlowpan;
pub mod sixlowpan_frag;
pub mod sll;
pub mod tcp;
pub mod tcp_analysis;
pub mod tcp_reassembly;
pub mod udp;
pub mod wpan;
pub mod wpan_cmd;
pub mod wpan_fields;
pub mod wpan_ie;
pub mod wpan_tap;
pub mod xmpp;
pub mod zep;

/// Every protocol lowshark dissects, in registration order.
pub static ALL: &[&Protocol] = &[
    &frame::PROTOCOL,
    &data::PROTOCOL,
    &eth::PROTOCOL,
    &eth::VLAN,
    &null::PROTOCOL,
    &sll::PROTOCOL,
    &ip::PROTOCOL,
    &ip::RAW,
    &ipv6::PROTOCOL,
    &ipv6_ext::HOPOPTS,
    &ipv6_ext::ROUTING,
    &ipv6_ext::FRAGMENT_HDR,
    &ipv6_ext::DSTOPTS,
    &udp::PROTOCOL,
    &tcp::PROTOCOL,
    &icmp::PROTOCOL,
    &icmpv6::PROTOCOL,
    &icmpv6_nd::PROTOCOL,
    &rpl::PROTOCOL,
    &wpan::PROTOCOL,
    &wpan::NONASK_PHY,
    &wpan_tap::PROTOCOL,
    &zep::PROTOCOL,
    &sixlowpan::PROTOCOL,
    &coap::PROTOCOL,
    &dtls::PROTOCOL,
    &mqtt::PROTOCOL,
    &mqtt::SECURE,
    &xmpp::PROTOCOL,
];
