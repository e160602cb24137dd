//! lowshark's dissection engine.
//!
//! - [`engine`]: the core, which names no protocol: the field registry's declarations
//!   ([`engine::field::FieldDef`]), the protocol tree ([`engine::tree`]), bounds-checked reads
//!   ([`engine::tvb`]), the registry of protocols and dispatch tables ([`engine::registry`]), and
//!   the engine that runs the chain frame by frame.
//! - [`proto`]: one folder per protocol family.
//! - [`analysis`]: capture-wide models the dissectors feed (conversations, reassembly tables,
//!   the RPL topology).
//! - [`filter`]: display filters.
//!
//! This crate does no I/O and never panics on packet data.

pub mod analysis;
pub mod engine;
pub mod filter;
pub mod proto;

#[doc(hidden)]
pub mod testutil;

pub use engine::address::Address;
pub use engine::field::{FieldDef, FieldType};
pub use engine::registry::{Protocol, Registry};
pub use engine::tree::{NodeId, Tree};
pub use engine::tvb::{Error, Result, Tvb};
pub use engine::value::Value;
pub use engine::{Cx, Engine, FrameMeta, Packet};
