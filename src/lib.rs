//! The lowshark application library: capture sources, output formats and statistics. The
//! `lowshark` binary (src/main.rs) wires them to the `dissectors` engine; tests and the TUI use
//! them directly.

pub mod capture;
pub mod output;
pub mod stats;
pub mod tui;

/// The tshark release whose command line and output formats lowshark follows (what `-v`
/// names and what the PDML/PSML `creator` attributes carry).
pub const TSHARK_COMPAT: &str = "4.0.17";
