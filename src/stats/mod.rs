//! Statistics over dissected packets (`-z`), shared by the CLI and the TUI: each statistic is a
//! [`Tap`] that sees every displayed packet and renders a report at the end.

pub mod coap;
pub mod conv;
pub mod expert;
pub mod follow;
pub mod frag;
pub mod io;
pub mod io_stat;
pub mod links;
pub mod mqtt;
pub mod phs;
pub mod rpl;

use dissectors::engine::registry::Registry;
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use std::sync::Arc;

pub trait Tap: Send {
    /// The tree nodes the statistic reads (every node unless it says less).
    fn build(&self) -> Build {
        Build::All
    }
    /// Sees one packet (after the display filter).
    fn packet(&mut self, p: &Packet);
    /// Appends the finished report.
    fn render(&self, out: &mut String);
}

/// Names `-z` accepts, for the error message.
pub const KNOWN: &str =
    "io,phs  expert[,error|warn|note|chat|comment][,FILTER]  io,stat,INTERVAL[,FILTER|COUNT(f)FILTER|SUM|MIN|MAX|AVG(f)FILTER…]  conv,TYPE  endpoints,TYPE (TYPE: eth, ip, ipv6, udp, tcp, wpan)  rpl,tree[,dot]  rpl,events  wpan,links  6lowpan,frag  coap,srt  coap,observe  mqtt,topics  follow,tcp|udp,ascii|raw,N";

/// Builds the statistic a `-z` argument names (the registry compiles the filters in it).
pub fn make(spec: &str, registry: &Arc<Registry>) -> Result<Box<dyn Tap>, String> {
    if spec.starts_with("io,stat,") {
        return io_stat::IoStat::parse(spec, registry).map(|t| Box::new(t) as Box<dyn Tap>);
    }
    if spec == "expert" || spec.starts_with("expert,") {
        return expert::Expert::parse(spec, registry.clone()).map(|t| Box::new(t) as Box<dyn Tap>);
    }
    let parts: Vec<&str> = spec.split(',').collect();
    match parts.as_slice() {
        ["io", "phs", ..] => Ok(Box::new(phs::ProtocolHierarchy::default())),
        ["conv", kind, ..] => conv::ConvKind::parse(kind)
            .map(|k| Box::new(conv::Conversations::new(k)) as Box<dyn Tap>),
        ["endpoints", kind, ..] => {
            conv::ConvKind::parse(kind).map(|k| Box::new(conv::Endpoints::new(k)) as Box<dyn Tap>)
        }
        ["coap", "srt"] => Ok(Box::new(coap::Coap::new(false))),
        ["coap", "observe"] => Ok(Box::new(coap::Coap::new(true))),
        ["mqtt", "topics"] => Ok(Box::<mqtt::Topics>::default()),
        ["wpan", "links"] => Ok(Box::<links::Links>::default()),
        ["6lowpan", "frag"] => Ok(Box::<frag::Frag>::default()),
        ["follow", rest @ ..] => follow::Follow::parse(rest).map(|f| Box::new(f) as Box<dyn Tap>),
        ["rpl", "tree"] => Ok(Box::new(rpl::RplTree::new(rpl::Output::Tree))),
        ["rpl", "tree", "dot"] => Ok(Box::new(rpl::RplTree::new(rpl::Output::Dot))),
        ["rpl", "events"] => Ok(Box::new(rpl::RplTree::new(rpl::Output::Events))),
        _ => Err(format!(
            "-z {spec}: unknown statistic; lowshark knows {KNOWN}"
        )),
    }
}

/// Bytes as tshark's tables print them (`5301 bytes`, `12 kB`).
pub fn format_bytes(n: u64) -> String {
    if n < 10_000 {
        format!("{n} bytes")
    } else if n < 10_000_000 {
        format!("{} kB", n / 1000)
    } else if n < 10_000_000_000 {
        format!("{} MB", n / 1_000_000)
    } else {
        format!("{} GB", n / 1_000_000_000)
    }
}
