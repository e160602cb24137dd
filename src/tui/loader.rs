//! Background loading: one thread reads the capture and dissects every frame in order with one
//! [`Engine`] (reassembly and conversations need them in order), and sends each packet with its
//! summary row over a bounded channel, so the UI thread only files them away and stays
//! responsive. A second kind of thread re-reads the file to evaluate a display filter on packets
//! whose trees the UI no longer keeps (see [`super::Store`]).

use crate::capture::{CaptureError, CaptureReader, CapturedFrame};
use crate::output::text::{time_column, TimeFormat};
use dissectors::engine::expert::{ws, Severity};
use dissectors::engine::registry::Registry;
use dissectors::engine::tree::Build;
use dissectors::engine::{Engine, FrameMeta, Packet, Prefs};
use dissectors::filter::Filter;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

/// Packets in flight between the loader and the UI (the channel is bounded so a fast loader
/// cannot pile up trees the UI has not filed yet).
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
}

/// What the background threads tell the UI.
pub enum Msg {
    Packet(Summary, Arc<Packet>),
    /// The capture could not be read to its end (a cut file); packets before it were sent.
    Error(String),
    /// Loading finished.
    Done,
    /// A re-filter pass ended: `matches[i]` is whether packet `i` (0-based) passes.
    Filtered {
        generation: u64,
        matches: Vec<bool>,
    },
    /// A re-filter pass failed (file gone, filter did not compile).
    FilterFailed {
        generation: u64,
        message: String,
    },
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
    }
}

fn classify(p: &Packet) -> Class {
    let error = p.is_malformed()
        || p.tree.nodes_unordered().any(|(_, n)| {
            n.field.is_some_and(|f| std::ptr::eq(f, &ws::SEVERITY))
                && n.value.as_u64().unwrap_or(0) >= Severity::Error as u64
        });
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

fn frame_meta(f: CapturedFrame) -> FrameMeta {
    FrameMeta {
        number: f.number,
        ts_ns: f.ts_ns,
        orig_len: f.orig_len,
        link_type: f.link_type,
        interface_id: f.interface_id,
        interface_name: f.interface_name,
        interface_description: f.interface_description,
        comments: f.comments,
        radio: Default::default(),
    }
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
        let mut frame = match item {
            Ok(f) => f,
            Err(e) => return Some(e.to_string()),
        };
        let data = std::mem::take(&mut frame.data);
        let ts = frame.ts_ns;
        let packet = engine.dissect(frame_meta(frame), &data);
        engine.mark_displayed(ts);
        let delta = ts - prev_ts.unwrap_or(ts);
        prev_ts = Some(ts);
        if !each(packet, delta) {
            break;
        }
    }
    None
}

/// Starts the loader thread. It stops early when the UI has gone (the channel is closed).
pub fn spawn_loader(
    reader: Frames,
    cfg: LoadConfig,
    tx: SyncSender<Msg>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("lowshark-loader".into())
        .spawn(move || {
            let err = dissect_all(reader, &cfg, |p, delta| {
                let s = summarize(&p, cfg.time_format, delta);
                tx.send(Msg::Packet(s, Arc::new(p))).is_ok()
            });
            if let Some(e) = err {
                let _ = tx.send(Msg::Error(e));
            }
            let _ = tx.send(Msg::Done);
        })
        .expect("spawning the loader thread")
}

/// Starts a re-filter pass: reads `path` again from the start with a fresh engine (so
/// reassembly sees the same frames in the same order), evaluates `filter` on the first `count`
/// packets and sends the verdicts.
pub fn spawn_refilter(
    path: PathBuf,
    cfg: LoadConfig,
    filter: String,
    count: usize,
    generation: u64,
    tx: SyncSender<Msg>,
) {
    let _ = std::thread::Builder::new()
        .name("lowshark-refilter".into())
        .spawn(move || {
            let fail = |message: String| {
                let _ = tx.send(Msg::FilterFailed {
                    generation,
                    message,
                });
            };
            let f = match Filter::compile(&filter, &cfg.registry) {
                Ok(f) => f,
                Err(e) => return fail(e.message),
            };
            let reader = match CaptureReader::open(&path) {
                Ok(r) => r,
                Err(e) => return fail(e.to_string()),
            };
            let mut matches = Vec::with_capacity(count);
            dissect_all(reader, &cfg, |p, _| {
                matches.push(f.matches(&p));
                matches.len() < count
            });
            matches.resize(count, false);
            let _ = tx.send(Msg::Filtered {
                generation,
                matches,
            });
        });
}
