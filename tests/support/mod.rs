//! The one support module of the tests: each test file says `mod support;` and uses what it
//! needs.
//!
//! - [`external`]: the shared captures, tshark and real peers, each skipped with a printed
//!   reason when absent.
//! - [`tshark`]: running tshark and reading its field tables.
//! - [`dissect`]: dissecting captures in the test process and comparing with tshark.
//! - [`build`]: hand-made pcap/pcapng files and packets.
//! - [`run`]: running the lowshark binary and reading its JSON.
//! - [`tmux`]: driving a terminal program in a tmux server of the test's own.
#![allow(dead_code, unused_imports)]

pub mod build;
pub mod dissect;
pub mod external;
pub mod run;
pub mod tmux;
pub mod tshark;

pub use build::*;
pub use dissect::*;
pub use external::*;
pub use run::*;
pub use tmux::Tmux;
pub use tshark::*;
