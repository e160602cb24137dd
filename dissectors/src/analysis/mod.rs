//! Capture-wide analyses the dissectors feed, kept apart from the dissectors themselves:
//! conversation tables, bounded reassembly tables, and the RPL topology model.

pub mod conversation;
pub mod links;
pub mod lowpan_frag;
pub mod reassembly;
pub mod topology;
