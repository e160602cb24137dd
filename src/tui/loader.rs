//! What the background threads share with the UI: the messages they send, the load
//! configuration, the summary row of a dissected packet and the in-order dissection loop the
//! views use. Loading itself is [`super::frames`] (reading) and [`super::rows`] (dissecting).

use crate::capture::{CaptureError, CapturedFrame};
use crate::output::text::{time_column, TimeFormat};
use dissectors::engine::expert::Severity;
use dissectors::engine::registry::Registry;
use dissectors::engine::tree::Build;
use dissectors::engine::{Engine, Packet, Prefs};
use std::sync::Arc;

/// Messages in flight to the UI (bounded, so a live capture cannot pile up packets the UI has
/// not filed yet).
pub const CHANNEL_DEPTH: usize = 4096;

/// Colouring class of a row, after Wireshark's default colouring rules (roughly).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Class {
    /// Malformed packet or an expert item of severity Error ("Bad TCP", "Checksum Errors").
    Error,
    /// TCP SYN/FIN/RST ("TCP SYN/FIN", "TCP RST").
    TcpFlags,
    Tcp,
    Udp,
    Icmp,
    /// Routing protocols (RPL, like Wireshark's "Routing" rule for OSPF/RIP).
    Routing,
    /// IEEE 802.15.4 / 6LoWPAN without a higher layer recognised.
    Wpan,
    Arp,
    Other,
}

/// One row of the packet list: the summary columns, kept for every packet.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub number: u64,
    pub time: String,
    pub src: String,
    pub dst: String,
    pub protocol: std::borrow::Cow<'static, str>,
    pub len: u32,
    pub info: String,
    pub class: Class,
    /// The values of the columns added from the detail tree (`+`), in order.
    pub extra: Vec<String>,
}

/// What the background threads tell the UI.
pub enum Msg {
    /// A packet of a live capture, fully built, for the views.
    Live(Arc<Packet>),
    /// The first pass judged these frames (0-based, ascending) to pass filter `generation`.
    Matched { generation: u64, indices: Vec<u32> },
    /// The first pass has dissected every frame.
    Done,
    /// A filter pass ended: the 0-based indices, ascending, of the frames that passed.
    Filtered { generation: u64, matches: Vec<u32> },
}

/// What the loader needs besides the file.
#[derive(Clone)]
pub struct LoadConfig {
    pub registry: Arc<Registry>,
    pub prefs: Prefs,
    pub time_format: TimeFormat,
}

/// Builds a row from a dissected packet; `delta_ns` is the time since the previous packet.
pub fn summarize(p: &Packet, time_format: TimeFormat, delta_ns: i64) -> Summary {
    let c = &p.columns;
    Summary {
        number: p.meta.number,
        // "Delta displayed" would depend on the filter; the list shows plain delta for it.
        time: time_column(p, time_format, delta_ns, delta_ns),
        src: c.src.to_string(),
        dst: c.dst.to_string(),
        protocol: c.protocol.clone(),
        len: p.meta.orig_len,
        info: dissectors::engine::value::escape_text(&c.info).into_owned(),
        class: classify(p),
        extra: vec![],
    }
}

fn classify(p: &Packet) -> Class {
    // Rows are built with the layers only: the engine's record of the worst expert item
    // stands for the severity nodes.
    let error = p.is_malformed() || p.max_severity.is_some_and(|s| s >= Severity::Error);
    if error {
        return Class::Error;
    }
    let has = |name: &str| p.protocols.contains(&name);
    if has("rpl") || has("icmpv6.rpl") {
        return Class::Routing;
    }
    if has("tcp") {
        let flags = p
            .tree
            .by_abbrev("tcp.flags")
            .next()
            .and_then(|n| n.value.as_u64())
            .unwrap_or(0);
        // SYN 0x02, FIN 0x01, RST 0x04.
        return if flags & 0x07 != 0 {
            Class::TcpFlags
        } else {
            Class::Tcp
        };
    }
    if has("udp") {
        return Class::Udp;
    }
    if has("icmp") || has("icmpv6") {
        return Class::Icmp;
    }
    if has("arp") {
        return Class::Arp;
    }
    if has("wpan") || has("6lowpan") {
        return Class::Wpan;
    }
    Class::Other
}

/// Frames to dissect: a capture file's reader, or a live capture.
pub type Frames = Box<dyn Iterator<Item = Result<CapturedFrame, CaptureError>> + Send>;

/// Dissects every frame of `reader` in order, calling `each` with the packet and its time delta
/// until it returns false. Returns the read error that ended the capture early, if any.
pub fn dissect_all(
    reader: impl Iterator<Item = Result<CapturedFrame, CaptureError>>,
    cfg: &LoadConfig,
    each: impl FnMut(Packet, i64) -> bool,
) -> Option<String> {
    dissect_all_with(reader, cfg, Build::All, each)
}

/// [`dissect_all`] building only the tree nodes `build` asks for (a view's statistics read a
/// few fields; building every node would cost them most of their time).
pub fn dissect_all_with(
    reader: impl Iterator<Item = Result<CapturedFrame, CaptureError>>,
    cfg: &LoadConfig,
    build: Build,
    mut each: impl FnMut(Packet, i64) -> bool,
) -> Option<String> {
    let mut engine = Engine::new(cfg.registry.clone(), cfg.prefs.clone());
    engine.set_build(build);
    let mut prev_ts = None;
    for item in reader {
        let frame = match item {
            Ok(f) => f,
            Err(e) => return Some(e.to_string()),
        };
        let ts = frame.meta.ts_ns;
        let packet = engine.dissect(frame.meta, &frame.data);
        engine.mark_displayed(ts);
        let delta = ts - prev_ts.unwrap_or(ts);
        prev_ts = Some(ts);
        if !each(packet, delta) {
            break;
        }
    }
    None
}
