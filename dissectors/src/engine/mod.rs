//! The engine core, which names no protocol: the protocol set is handed to it in a
//! [`Registry`].
//!
//! - [`field`]: field declarations ([`field::FieldDef`]) with Wireshark's abbreviations, and
//!   [`field::FieldSet`]s of them.
//! - [`tree`]: the protocol tree, built whole or only for the fields an output needs.
//! - [`tvb`]: bounds-checked reads; a short buffer is an error value, never a panic.
//! - [`value`], [`address`], [`expert`], [`checksum`]: what nodes hold.
//! - [`registry`]: protocols, dispatch tables, decode-as, heuristics, PDU framing.
//! - [`context`]: [`Cx`], what a dissector works with.
//! - [`packet`]: what a source says about a frame and what dissecting it gives.
//! - [`session`]: state across frames, and preferences.
//! - [`tlv`]: one walker for type-length-value lists (options, IEs, TLVs), shaped per format.
//!
//! [`Engine`] runs the chain over one frame at a time, in capture order. A dissector hands
//! what follows to the next protocol through the engine ([`Cx::call_table`], [`Cx::call`])
//! rather than returning a "what comes next" answer to an engine loop (the design sketch's
//! first idea): dispatch, decode-as and the nesting bound stay in one place, while TCP can hand
//! several PDUs of one segment on and ICMP can decode the packet it quotes.

pub mod address;
pub mod checksum;
pub mod colfmt;
pub mod context;
pub mod expert;
pub mod field;
pub mod packet;
pub mod registry;
pub mod session;
pub mod tlv;
pub mod tree;
pub mod tvb;
pub mod value;

pub use context::{Cx, Endian, Item, NewSource, MAX_DEPTH};
pub use packet::{
    protocol_path, Columns, DataSource, FrameMeta, FrameTimes, Ipv6Header, Packet, PacketInfo,
    RadioMeta,
};
pub use session::{Prefs, Session};

use registry::Registry;
use std::sync::Arc;
use tree::Build;
use tvb::Tvb;

/// Time stamps are clamped to ±this many ns (~146 years around 1970) before dissection, so the
/// difference of any two (relative time, deltas, conversation times in udp/tcp) fits an i64.
pub const MAX_TS_NS: i64 = i64::MAX / 2;

/// The bytes of a frame as [`Engine::dissect_into`] takes them: shared as they are when
/// they already are (`Arc<[u8]>`), else copied once into a shared buffer.
pub trait FrameBytes {
    fn shared(&self) -> Arc<[u8]>;
}

impl FrameBytes for Arc<[u8]> {
    fn shared(&self) -> Arc<[u8]> {
        self.clone()
    }
}

impl FrameBytes for [u8] {
    fn shared(&self) -> Arc<[u8]> {
        Arc::from(self)
    }
}

impl FrameBytes for Vec<u8> {
    fn shared(&self) -> Arc<[u8]> {
        Arc::from(self.as_slice())
    }
}

impl<const N: usize> FrameBytes for [u8; N] {
    fn shared(&self) -> Arc<[u8]> {
        Arc::from(&self[..])
    }
}

/// Runs the dissector chain; one per capture (its session state spans frames).
#[derive(Clone)]
pub struct Engine {
    pub registry: Arc<Registry>,
    pub prefs: Prefs,
    pub session: Session,
    build: Build,
    first_ts: Option<i64>,
    prev_ts: Option<i64>,
    prev_displayed_ts: Option<i64>,
}

impl Engine {
    pub fn new(registry: Arc<Registry>, prefs: Prefs) -> Engine {
        Engine {
            registry,
            prefs,
            session: Session::default(),
            build: Build::All,
            first_ts: None,
            prev_ts: None,
            prev_displayed_ts: None,
        }
    }

    /// An engine with every built-in protocol and default preferences.
    pub fn with_defaults() -> Engine {
        Engine::new(Arc::new(Registry::builtin()), Prefs::default())
    }

    /// Which tree nodes the packets of this engine get (every one by default). Columns,
    /// addresses, layers and session state are the same whatever is built.
    pub fn set_build(&mut self, build: Build) {
        self.build = build;
    }

    /// Dissects one frame. Frames must come in capture order: state such as reassembly and
    /// relative times carries from one to the next.
    pub fn dissect(&mut self, meta: FrameMeta, data: &[u8]) -> Packet {
        let mut p = Packet::default();
        self.dissect_into(&mut p, meta, data);
        p
    }

    /// Dissects one frame into `packet`, reusing its allocations (the tree's arena, the Info
    /// column, the layer list) from the frame it held before. A frame already in an
    /// `Arc<[u8]>` (as capture readers hand them out) becomes the packet's first data source
    /// without a copy; a plain slice is copied once.
    pub fn dissect_into<D: FrameBytes + ?Sized>(
        &mut self,
        packet: &mut Packet,
        mut meta: FrameMeta,
        data: &D,
    ) {
        // A hostile pcapng (if_tsoffset) can put time stamps at i64::MIN and i64::MAX in one
        // file; their difference does not fit an i64 (found by the hostile-input tests).
        meta.ts_ns = meta.ts_ns.clamp(-MAX_TS_NS, MAX_TS_NS);
        let times = self.times(meta.ts_ns);
        packet.reset(meta);
        if !packet.tree.build().is_same(&self.build) {
            packet.tree.set_build(self.build.clone());
        }
        packet.rel_ns = times.relative;
        packet.sources.push(DataSource {
            label: std::borrow::Cow::Borrowed(""),
            data: data.shared(),
        });
        let frame_data = packet.sources[0].data.clone();
        let Some(root) = self.registry.frame_protocol() else {
            return;
        };
        let mut cx = Cx::for_packet(
            packet,
            times,
            &self.registry,
            &mut self.session,
            &self.prefs,
        );
        let tvb = Tvb::new(&frame_data, 0);
        // The frame layer is the root of every tree, not a nested call: errors inside it are
        // handled by the layers it calls.
        let _ = (root.dissect)(&tvb, &mut cx, tree::NodeId::ROOT);
        let facts = cx.facts;
        packet.malformed = facts.malformed > 0;
        packet.max_severity = facts.max_severity;
    }

    fn times(&mut self, ts: i64) -> FrameTimes {
        let first = *self.first_ts.get_or_insert(ts);
        let delta = ts.saturating_sub(self.prev_ts.unwrap_or(ts));
        let delta_displayed = ts.saturating_sub(self.prev_displayed_ts.unwrap_or(ts));
        self.prev_ts = Some(ts);
        FrameTimes {
            relative: ts.saturating_sub(first),
            delta,
            delta_displayed,
        }
    }

    /// Tells the engine a frame was displayed (passed the display filter), for
    /// `frame.time_delta_displayed` of the next one.
    pub fn mark_displayed(&mut self, ts_ns: i64) {
        self.prev_displayed_ts = Some(ts_ns);
    }
}
