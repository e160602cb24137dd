//! lowshark's dissection engine.
//!
//! - [`field`]: the field registry's declarations ([`field::FieldDef`]), one per display-filter
//!   field, with Wireshark's abbreviations.
//! - [`tree`]: the protocol tree with byte ranges into the packet's data sources.
//! - [`tvb`]: bounds-checked reads; a short buffer is an error value, never a panic.
//! - [`registry`]: protocols and dispatch tables (link type, EtherType, IP protocol, ports,
//!   heuristics) and decode-as overrides.
//! - [`engine`]: runs the chain frame by frame and keeps capture-wide state.
//! - [`proto`]: one module per protocol.
//!
//! This crate does no I/O and never panics on packet data.

pub mod address;
pub mod checksum;
pub mod conversation;
pub mod engine;
pub mod expert;
pub mod field;
pub mod filter;
pub mod proto;
pub mod registry;
pub mod tree;
pub mod tvb;
pub mod value;

#[doc(hidden)]
pub mod testutil;

pub use address::Address;
pub use engine::{Cx, Engine, FrameMeta, Packet};
pub use field::{FieldDef, FieldType};
pub use registry::{Protocol, Registry};
pub use tree::{NodeId, Tree};
pub use tvb::{Error, Result, Tvb};
pub use value::Value;
