//! What a capture source says about a frame ([`FrameMeta`]) and what dissecting it gives
//! ([`Packet`]): the tree, the data sources it points into, the summary columns, the addresses
//! and ports the layers found, and facts every output can read without a tree.

use crate::engine::address::Address;
use crate::engine::expert::Severity;
use crate::engine::tree::{ByteRange, NodeId, Tree};
use std::borrow::Cow;
use std::sync::Arc;

/// Radio metadata a sniffer or pseudo-header gives with a frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RadioMeta {
    pub channel: Option<u16>,
    pub rssi_dbm: Option<i16>,
    pub lqi: Option<u8>,
    pub fcs_ok: Option<bool>,
}

/// What a capture source says about a frame, before any dissection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameMeta {
    /// 1-based frame number.
    pub number: u64,
    /// Capture time, ns since the Unix epoch.
    pub ts_ns: i64,
    /// Length on the wire (captured length is the data's).
    pub orig_len: u32,
    /// pcap LINKTYPE_* of the interface.
    pub link_type: u32,
    /// pcapng interface index (None for pcap, so `frame.interface_id` is only shown for pcapng).
    pub interface_id: Option<u32>,
    pub interface_name: Option<Arc<str>>,
    pub interface_description: Option<Arc<str>>,
    pub comments: Vec<String>,
    pub radio: RadioMeta,
}

/// Times the engine computes across frames, for the `frame` layer.
#[derive(Copy, Clone, Debug, Default)]
pub struct FrameTimes {
    /// Since the first frame.
    pub relative: i64,
    /// Since the previous frame.
    pub delta: i64,
    /// Since the previous displayed frame.
    pub delta_displayed: i64,
}

/// A buffer a packet's tree points into.
#[derive(Clone, Debug)]
pub struct DataSource {
    /// The builder's label (`Decompressed 6LoWPAN IPHC`); empty for the frame itself, whose
    /// name says its length ([`DataSource::name`]). Mostly a constant: not allocated per
    /// packet.
    pub label: Cow<'static, str>,
    pub data: Arc<[u8]>,
}

impl DataSource {
    /// `Frame (60 bytes)` for the frame; the builder's label for the others.
    pub fn name(&self) -> String {
        if self.label.is_empty() {
            format!("Frame ({} bytes)", self.data.len())
        } else {
            self.label.to_string()
        }
    }
}

/// The summary columns.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Usually a protocol's short name; a layer may extend it (`CoAP/JSON`).
    pub protocol: Cow<'static, str>,
    pub info: String,
    /// Source/destination columns: the innermost layer that set them wins, as in Wireshark.
    pub src: Address,
    pub dst: Address,
}

/// The IPv6 header a packet's extension headers belong to (the innermost one so far).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Ipv6Header {
    /// Its layer node, which the extension headers nest in (as in tshark).
    pub node: NodeId,
    /// Where the 40-byte fixed header is.
    pub range: ByteRange,
    pub payload_len: u16,
    pub src: [u8; 16],
    pub dst: [u8; 16],
    /// Extension headers dissected after it so far.
    pub ext_headers: u8,
}

/// Addresses, ports and header facts of the packet as its layers found them (Wireshark's
/// `pinfo`): what a layer needs from the layers before it, typed, so that nothing reads the
/// display tree back (which may not be built).
#[derive(Clone, Debug, Default)]
pub struct PacketInfo {
    /// Link-layer addresses (Ethernet MAC, 802.15.4 short or long).
    pub dl_src: Address,
    pub dl_dst: Address,
    /// 802.15.4 PAN identifiers as the MAC header gave them (after PAN ID compression).
    pub wpan_src_pan: Option<u16>,
    pub wpan_dst_pan: Option<u16>,
    /// Network-layer addresses of the innermost IP header.
    pub net_src: Address,
    pub net_dst: Address,
    /// The innermost IPv6 header.
    pub ipv6: Option<Ipv6Header>,
    /// Hop limit (IPv6) or TTL (IPv4) of the innermost IP header.
    pub hop_limit: Option<u8>,
    pub src_port: u16,
    pub dst_port: u16,
    /// 6 (TCP) or 17 (UDP) once a transport layer ran.
    pub transport: u8,
    /// The transport conversation index (`tcp.stream`/`udp.stream`), when there is one.
    pub stream: Option<u32>,
}

/// The result of dissecting one frame.
#[derive(Clone, Debug, Default)]
pub struct Packet {
    pub meta: FrameMeta,
    pub tree: Tree,
    /// The frame (source 0), then the buffers dissectors built.
    pub sources: Vec<DataSource>,
    pub columns: Columns,
    pub info: PacketInfo,
    /// Layer names in order (`eth:ethertype:ip:udp:coap`).
    pub protocols: Vec<&'static str>,
    /// Frame time relative to the first frame (ns).
    pub rel_ns: i64,
    /// A layer failed on the packet (a top-level `_ws.malformed` item).
    pub malformed: bool,
    /// The most severe expert item any layer added.
    pub max_severity: Option<Severity>,
}

impl Packet {
    pub fn frame_data(&self) -> &[u8] {
        &self.sources[0].data
    }

    /// `frame.protocols`.
    pub fn protocol_path(&self) -> String {
        protocol_path(&self.protocols)
    }

    /// True when any layer reported a malformed packet.
    pub fn is_malformed(&self) -> bool {
        self.malformed
    }

    /// Empties the packet for the next frame, keeping its allocations.
    pub(crate) fn reset(&mut self, meta: FrameMeta) {
        self.meta = meta;
        self.tree.clear();
        self.sources.clear();
        self.columns.protocol = Cow::Borrowed("");
        self.columns.info.clear();
        self.columns.src = Address::None;
        self.columns.dst = Address::None;
        self.info = PacketInfo::default();
        self.protocols.clear();
        self.malformed = false;
        self.max_severity = None;
    }
}

/// `frame.protocols` from the layer names: every layer but the frame itself.
pub fn protocol_path(layers: &[&str]) -> String {
    let layers = layers.strip_prefix(&["frame"]).unwrap_or(layers);
    layers.join(":")
}
