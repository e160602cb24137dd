//! Link layers other than IEEE 802.15.4: Ethernet (with 802.1Q), BSD loopback and Linux cooked
//! capture (SLL, SLL2).

pub mod eth;
pub mod null;
pub mod sll;
