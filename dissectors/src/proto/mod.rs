//! One module per protocol. Each declares its fields once (`fields!`), its expert items
//! (`experts!`), a [`Protocol`](crate::registry::Protocol) value named `PROTOCOL`, and a
//! `register` function that adds it to the dispatch tables it belongs in.
//!
//! To add a protocol: write the module, then list its `PROTOCOL` in [`ALL`].

use crate::registry::Protocol;

pub mod data;
pub mod eth;
pub mod frame;
pub mod icmp;
pub mod icmpv6;
pub mod ip;
pub mod ipv6;
pub mod mqtt;
pub mod null;
pub mod sll;
pub mod tcp;
pub mod tcp_analysis;
pub mod tcp_reassembly;
pub mod udp;
pub mod wpan;
pub mod xmpp;

/// Every protocol lowshark dissects, in registration order.
pub static ALL: &[&Protocol] = &[
    &frame::PROTOCOL,
    &data::PROTOCOL,
    &eth::PROTOCOL,
    &eth::VLAN,
    &null::PROTOCOL,
    &sll::PROTOCOL,
    &ip::PROTOCOL,
    &ipv6::PROTOCOL,
    &udp::PROTOCOL,
    &tcp::PROTOCOL,
    &icmp::PROTOCOL,
    &icmpv6::PROTOCOL,
    &wpan::PROTOCOL,
    &mqtt::PROTOCOL,
    &mqtt::SECURE,
    &xmpp::PROTOCOL,
];
