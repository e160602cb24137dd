//! 802.15.4 link health: one entry per link (MAC source → MAC destination) with what the
//! sniffer saw of it: frames and bytes, FCS failures, retransmissions (the sender's next frame
//! to the same destination repeats its sequence number), acknowledgements requested but not
//! seen, and the radio metadata the capture carries (RSSI and LQI from an 802.15.4 TAP header,
//! ZEP, TI CC24xx metadata or a dongle's [`RadioMeta`](crate::engine::packet::RadioMeta)).
//!
//! The radio numbers are the sniffer's reception of the sender, not the receiver's: they say
//! how the link sounds where the sniffer is, which is the usual proxy when it sits by the
//! receiver. Acks carry no addresses (802.15.4-2006 §7.2.2.3): an ack answers the latest frame
//! that asked for one with its sequence number, if it comes within [`ACK_WAIT_NS`]; a frame
//! with a bad FCS is counted as such and expects no ack (no receiver accepts it).
//!
//! Also here: which MAC addresses a node's IPv6 interface identifier goes with
//! ([`LinkStats::macs_of`]), so the RPL topology can show the links under its edges. EUI-64
//! and short addresses map to IIDs by RFC 4944 §6; other pairs are learned from packets whose
//! IPv6 source is link-local (one hop by definition) or that carry the highest hop limit seen
//! from that source (its first hop, when the sniffer hears every hop).
//!
//! Bounded: at most [`MAX_LINKS`] links and as many learned addresses.

use crate::engine::address::Address;
use crate::engine::field::FieldDef;
use crate::engine::tree::Build;
use crate::engine::value::Value;
use crate::engine::Packet;
use crate::proto::ieee802154::{self as wpan, tap, zep};
use foldhash::HashMap;
use std::fmt::Write;

/// Most links (and learned node addresses) kept.
pub const MAX_LINKS: usize = 65_536;
/// An ack must come this soon after the frame that asked for it (macAckWaitDuration is under
/// a millisecond at 2.4 GHz; sniffers time stamp loosely).
pub const ACK_WAIT_NS: i64 = 20_000_000;
/// A link whose mean RSSI is below this (dBm) is weak.
pub const WEAK_RSSI_DBM: f64 = -85.0;
/// A link whose mean LQI is below this is weak.
pub const WEAK_LQI: f64 = 100.0;
/// A link losing more than this share of its frames (bad FCS, retries, missing acks) is weak.
pub const WEAK_LOSS: f64 = 0.2;
/// Two directions whose mean RSSI differ by this many dB or more are asymmetric.
pub const ASYMMETRIC_DB: f64 = 10.0;

const TYPE_ACK: u64 = 2;

/// The fields the link statistics read (addresses come from the packet's info).
pub fn build() -> Build {
    let f: [&'static FieldDef; 9] = [
        &wpan::FRAME_TYPE,
        &wpan::SEQ_NO,
        &wpan::ACK_REQUEST,
        &wpan::FCS_OK,
        &wpan::RSSI,
        &wpan::CORRELATION,
        &tap::RSS,
        &tap::LQI,
        &zep::LQI,
    ];
    Build::fields(f)
}

/// Minimum, maximum and mean of samples.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub count: u64,
}

impl Range {
    fn add(&mut self, v: f64) {
        if self.count == 0 || v < self.min {
            self.min = v;
        }
        if self.count == 0 || v > self.max {
            self.max = v;
        }
        self.sum += v;
        self.count += 1;
    }

    fn merge(&mut self, o: &Range) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *o;
            return;
        }
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.sum += o.sum;
        self.count += o.count;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// `min/mean/max`, or `-` without samples.
    pub fn text(&self) -> String {
        match self.mean() {
            Some(m) => format!("{:.0}/{m:.0}/{:.0}", self.min, self.max),
            None => "-".into(),
        }
    }
}

/// What was seen of one link.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub src: Address,
    pub dst: Address,
    pub frames: u64,
    pub bytes: u64,
    pub fcs_bad: u64,
    pub retries: u64,
    pub acks_requested: u64,
    pub acks_missing: u64,
    pub rssi: Range,
    pub lqi: Range,
    pub first_frame: u64,
    pub last_frame: u64,
}

impl Link {
    /// Share of the frames lost or repeated.
    pub fn loss(&self) -> f64 {
        let bad = self.fcs_bad + self.retries + self.acks_missing;
        bad as f64 / self.frames.max(1) as f64
    }

    /// Low RSSI or LQI, or much loss.
    pub fn is_weak(&self) -> bool {
        self.rssi.mean().is_some_and(|m| m < WEAK_RSSI_DBM)
            || self.lqi.mean().is_some_and(|m| m < WEAK_LQI)
            || (self.frames >= 5 && self.loss() > WEAK_LOSS)
    }

    /// The two directions sound very different.
    pub fn is_asymmetric_with(&self, back: &Link) -> bool {
        match (self.rssi.mean(), back.rssi.mean()) {
            (Some(a), Some(b)) => (a - b).abs() >= ASYMMETRIC_DB,
            _ => false,
        }
    }

    fn merge(&mut self, o: &Link) {
        self.frames += o.frames;
        self.bytes += o.bytes;
        self.fcs_bad += o.fcs_bad;
        self.retries += o.retries;
        self.acks_requested += o.acks_requested;
        self.acks_missing += o.acks_missing;
        self.rssi.merge(&o.rssi);
        self.lqi.merge(&o.lqi);
    }

    /// The display filter that shows this link's frames.
    pub fn filter(&self) -> String {
        format!(
            "{} && {}",
            address_filter("src", &self.src),
            address_filter("dst", &self.dst)
        )
    }
}

/// `wpan.src16 == 0x0002`, `wpan.dst64 == 00:12:…`.
pub fn address_filter(dir: &str, a: &Address) -> String {
    match a {
        Address::Wpan16 { addr, .. } => format!("wpan.{dir}16 == 0x{addr:04x}"),
        Address::Eui64(_) => format!("wpan.{dir}64 == {a}"),
        _ => format!("!wpan.{dir}16 && !wpan.{dir}64"),
    }
}

/// What one frame says, read from its tree.
#[derive(Default)]
struct Seen {
    frame_type: Option<u64>,
    seq: Option<u8>,
    ack_request: bool,
    fcs_ok: bool,
    rssi: Option<f64>,
    lqi: Option<f64>,
}

fn number(v: &Value) -> Option<f64> {
    match *v {
        Value::UInt(u) => Some(u as f64),
        Value::Int(i) => Some(i as f64),
        Value::Double(d) if d.is_finite() => Some(d),
        _ => None,
    }
}

fn seen(p: &Packet) -> Seen {
    let mut s = Seen {
        fcs_ok: true,
        rssi: p.meta.radio.rssi_dbm.map(f64::from),
        lqi: p.meta.radio.lqi.map(f64::from),
        ..Default::default()
    };
    if p.meta.radio.fcs_ok == Some(false) {
        s.fcs_ok = false;
    }
    for (_, n) in p.tree.iter() {
        let Some(f) = n.field else { continue };
        let v = &n.value;
        match f.abbrev {
            "wpan.frame_type" => s.frame_type = v.as_u64(),
            "wpan.seq_no" => s.seq = v.as_u64().map(|x| x as u8),
            "wpan.ack_request" => s.ack_request = v.as_u64() == Some(1),
            "wpan.fcs_ok" => s.fcs_ok &= v.as_u64() != Some(0),
            "wpan-tap.rss" | "wpan.rssi" => s.rssi = s.rssi.or(number(v)),
            "wpan-tap.lqi" | "zep.lqi" | "wpan.correlation" => s.lqi = s.lqi.or(number(v)),
            _ => {}
        }
    }
    s
}

type Key = (Address, Address);

/// An interface identifier (the low 64 bits of an IPv6 address).
pub type Iid = [u8; 8];

/// The IID a MAC address gives by RFC 4944 §6 (EUI-64 with the U/L bit flipped; short
/// address as 0000:00ff:fe00:XXXX).
pub fn iid_of_mac(a: &Address) -> Option<Iid> {
    match a {
        Address::Eui64(e) => {
            let mut i = *e;
            i[0] ^= 0x02;
            Some(i)
        }
        Address::Wpan16 { addr, .. } => {
            let [h, l] = addr.to_be_bytes();
            Some([0, 0, 0, 0xff, 0xfe, 0, h, l])
        }
        _ => None,
    }
}

/// The link table. Feed it every packet in order with [`LinkStats::add_packet`].
#[derive(Clone, Default)]
pub struct LinkStats {
    links: HashMap<Key, Link>,
    /// The latest frame that asked for an ack: (link, sequence number, time).
    pending: Option<(Key, u8, i64)>,
    /// Each sender's latest frame: (destination, sequence number).
    last_seq: HashMap<Address, (Address, u8)>,
    /// IID → (MAC, highest hop limit it sent that IID's packets with; 255 for link-local).
    learned: HashMap<Iid, (Address, u8)>,
}

impl LinkStats {
    /// Adds one frame.
    pub fn add_packet(&mut self, p: &Packet) {
        let s = seen(p);
        // No 802.15.4 header (TAP frames list only `wpan-tap` among their layers).
        if s.frame_type.is_none() {
            return;
        }
        let ts = p.meta.ts_ns;
        let (src, dst) = (p.info.dl_src, p.info.dl_dst);
        if s.frame_type == Some(TYPE_ACK) {
            if let Some((key, seq, at)) = self.pending.take() {
                let answered = Some(seq) == s.seq && ts - at <= ACK_WAIT_NS;
                if !answered {
                    self.count_missing(&key);
                }
            }
            return;
        }
        // Any other frame: an ack still awaited will not come.
        if let Some((key, _, _)) = self.pending.take() {
            self.count_missing(&key);
        }
        if src.is_none() {
            return;
        }
        let key = (src, dst);
        if !self.links.contains_key(&key) && self.links.len() >= MAX_LINKS {
            return;
        }
        let l = self.links.entry(key).or_insert_with(|| Link {
            src,
            dst,
            first_frame: p.meta.number,
            ..Default::default()
        });
        l.frames += 1;
        l.bytes += p.meta.orig_len as u64;
        l.last_frame = p.meta.number;
        if let Some(r) = s.rssi {
            l.rssi.add(r);
        }
        if let Some(q) = s.lqi {
            l.lqi.add(q);
        }
        if let Some(seq) = s.seq {
            if self.last_seq.get(&src) == Some(&(dst, seq)) {
                l.retries += 1;
            }
            if self.last_seq.len() < MAX_LINKS || self.last_seq.contains_key(&src) {
                self.last_seq.insert(src, (dst, seq));
            }
        }
        if !s.fcs_ok {
            l.fcs_bad += 1;
        } else if s.ack_request {
            l.acks_requested += 1;
            self.pending = s.seq.map(|seq| (key, seq, ts));
        }
        self.learn(p, src);
    }

    fn count_missing(&mut self, key: &Key) {
        if let Some(l) = self.links.get_mut(key) {
            l.acks_missing += 1;
        }
    }

    /// Learns which MAC sends for the packet's IPv6 source (see the module doc).
    fn learn(&mut self, p: &Packet, mac: Address) {
        let (Address::Ipv6(ip), Some(hl)) = (p.info.net_src, p.info.hop_limit) else {
            return;
        };
        let mut iid = [0u8; 8];
        iid.copy_from_slice(&ip[8..]);
        if iid_of_mac(&mac) == Some(iid) {
            return;
        }
        let weight = if ip[0] == 0xfe && ip[1] & 0xc0 == 0x80 {
            255
        } else {
            hl
        };
        match self.learned.get(&iid) {
            Some((_, w)) if *w >= weight => {}
            None if self.learned.len() >= MAX_LINKS => {}
            _ => {
                self.learned.insert(iid, (mac, weight));
            }
        }
    }

    /// The MAC addresses the node with this IID sends from: those its IID derives from
    /// (among the links seen) and the learned one.
    pub fn macs_of(&self, iid: &Iid) -> Vec<Address> {
        let mut out: Vec<Address> = vec![];
        for (src, _) in self.links.keys() {
            if iid_of_mac(src).as_ref() == Some(iid) && !out.contains(src) {
                out.push(*src);
            }
        }
        if let Some((mac, _)) = self.learned.get(iid) {
            if !out.contains(mac) {
                out.push(*mac);
            }
        }
        out
    }

    /// The two directions between two nodes given by their MAC addresses, each the sum over
    /// their address pairs (a node may use its short and its long address).
    pub fn between(&self, a: &[Address], b: &[Address]) -> (Link, Link) {
        let (mut ab, mut ba) = (Link::default(), Link::default());
        for x in a {
            for y in b {
                if let Some(l) = self.links.get(&(*x, *y)) {
                    ab.merge(l);
                }
                if let Some(l) = self.links.get(&(*y, *x)) {
                    ba.merge(l);
                }
            }
        }
        (ab, ba)
    }

    /// Every link, the busiest first (then by addresses).
    pub fn links(&self) -> Vec<&Link> {
        let mut v: Vec<&Link> = self.links.values().collect();
        v.sort_by(|a, b| {
            b.frames
                .cmp(&a.frames)
                .then_with(|| (a.src, a.dst).cmp(&(b.src, b.dst)))
        });
        v
    }

    /// The reverse direction of a link, if seen.
    pub fn reverse(&self, l: &Link) -> Option<&Link> {
        self.links.get(&(l.dst, l.src))
    }

    /// Notes on a link: `weak`, `asymmetric`.
    pub fn flags(&self, l: &Link) -> Vec<&'static str> {
        let mut f = vec![];
        if l.is_weak() {
            f.push("weak");
        }
        if self.reverse(l).is_some_and(|r| l.is_asymmetric_with(r)) {
            f.push("asymmetric");
        }
        f
    }

    /// `-z wpan,links`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let rule = "=".repeat(120);
        let _ = writeln!(out, "{rule}\nIEEE 802.15.4 Links:");
        let _ = writeln!(
            out,
            "{:<23} -> {:<23} {:>7} {:>8} {:>7} {:>7} {:>6} {:>14} {:>12}  Notes",
            "Source",
            "Destination",
            "Frames",
            "Bytes",
            "BadFCS",
            "Retries",
            "NoACK",
            "RSSI dBm",
            "LQI"
        );
        let _ = writeln!(out, "{:>98}", "min/mean/max   min/mean/max");
        for l in self.links() {
            let dst = match l.dst {
                Address::None => "(none)".to_string(),
                d => d.to_string(),
            };
            let _ = writeln!(
                out,
                "{:<23} -> {:<23} {:>7} {:>8} {:>7} {:>7} {:>6} {:>14} {:>12}  {}",
                l.src.to_string(),
                dst,
                l.frames,
                l.bytes,
                l.fcs_bad,
                l.retries,
                l.acks_missing,
                l.rssi.text(),
                l.lqi.text(),
                self.flags(l).join(", ")
            );
        }
        let _ = writeln!(out, "{rule}");
        out
    }
}
