//! 6LoWPAN fragmentation statistics (RFC 4944 §5.3): per sender, the datagrams it sent in
//! fragments, how many were completed and how long that took, the fragments that never came,
//! and tags reused while a datagram with the same tag was still incomplete (a receiver then
//! mixes the two up). Read from the fragment headers and the dissector's reassembly results
//! (`6lowpan.reassembled.length` on the completing fragment, `6lowpan.reassembled.in` on a
//! fragment repeated after it), so the counts agree with what the packet list shows.
//!
//! A datagram is the tuple <source, destination, datagram_size, datagram_tag>, as in the
//! dissector. Missing fragments of an incomplete datagram are estimated from the holes in the
//! byte ranges its FRAGNs covered, in fragments of the size its other FRAGNs had.
//!
//! Bounded: at most [`MAX_DATAGRAMS`] datagrams are listed (the per-sender counts go on).

use crate::engine::address::Address;
use crate::engine::field::FieldDef;
use crate::engine::tree::Build;
use crate::engine::Packet;
use crate::proto::sixlowpan as lowpan;
use foldhash::HashMap;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Most datagrams kept in the list.
pub const MAX_DATAGRAMS: usize = 65_536;
/// Most FRAGN ranges remembered per datagram.
const MAX_RANGES: usize = 64;

/// The fields read.
pub fn build() -> Build {
    let f: [&'static FieldDef; 5] = [
        &lowpan::FRAG_SIZE,
        &lowpan::FRAG_TAG,
        &lowpan::FRAG_OFFSET,
        &lowpan::REASSEMBLED_IN,
        &lowpan::REASSEMBLED_LENGTH,
    ];
    Build::fields(f)
}

/// One fragmented datagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Datagram {
    pub src: Address,
    pub dst: Address,
    pub tag: u16,
    pub size: u16,
    pub first_frame: u64,
    pub first_ts: i64,
    pub fragments: u32,
    pub has_first: bool,
    /// (offset, length) of the FRAGNs received.
    ranges: Vec<(usize, usize)>,
    /// (frame, time) of the fragment that completed it.
    pub completed: Option<(u64, i64)>,
    /// It started while another datagram of the same sender and tag was incomplete.
    pub reused_tag: bool,
}

impl Datagram {
    /// Time from the first fragment to the completing one.
    pub fn reassembly_ns(&self) -> Option<i64> {
        self.completed.map(|(_, t)| t - self.first_ts)
    }

    /// Fragments that never came (0 when complete; an estimate otherwise).
    pub fn missing(&self) -> u32 {
        if self.completed.is_some() {
            return 0;
        }
        let step = self.ranges.iter().map(|r| r.1).max().unwrap_or(0);
        let mut r = self.ranges.clone();
        r.sort_unstable();
        // FRAG1 covers up to the first FRAGN.
        let mut covered = r.first().map_or(0, |f| f.0);
        let mut holes = 0usize;
        let mut count_hole = |from: usize, to: usize| {
            if to > from && step > 0 {
                holes += (to - from).div_ceil(step);
            } else if to > from {
                holes += 1;
            }
        };
        for (off, len) in &r {
            count_hole(covered, *off);
            covered = covered.max(off + len);
        }
        count_hole(covered, self.size as usize);
        (holes + usize::from(!self.has_first)).max(1) as u32
    }

    /// The display filter that shows this datagram's fragments.
    pub fn filter(&self) -> String {
        format!(
            "6lowpan.frag.tag == 0x{:04x} && 6lowpan.frag.size == {} && {}",
            self.tag,
            self.size,
            super::links::address_filter("src", &self.src)
        )
    }
}

/// Per-sender totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SenderStats {
    pub datagrams: u64,
    pub completed: u64,
    pub fragments: u64,
    pub missing: u64,
    pub reused_tags: u64,
    pub reassembly_sum_ns: i64,
    pub reassembly_max_ns: i64,
}

impl SenderStats {
    pub fn mean_reassembly_ns(&self) -> Option<i64> {
        (self.completed > 0).then(|| self.reassembly_sum_ns / self.completed as i64)
    }
}

type Key = (Address, Address, u16, u16);

/// Feed it every packet in order with [`FragStats::add_packet`].
#[derive(Clone, Default)]
pub struct FragStats {
    datagrams: Vec<Datagram>,
    /// Open (incomplete) datagrams by key → index.
    open: HashMap<Key, usize>,
    /// The last datagram of each (sender, tag) → key.
    by_tag: HashMap<(Address, u16), Key>,
    /// Totals per sender; the incomplete ones' missing counts are added when rendered.
    senders: BTreeMap<Address, SenderStats>,
}

/// The fragment header and reassembly facts of one frame.
#[derive(Default)]
struct Seen {
    size: Option<u16>,
    tag: Option<u16>,
    offset: Option<usize>,
    reassembled: bool,
    repeat: bool,
    layer_len: usize,
}

fn seen(p: &Packet) -> Seen {
    let mut s = Seen::default();
    for (_, n) in p.tree.iter() {
        let Some(f) = n.field else { continue };
        let v = n.value.as_u64();
        match f.abbrev {
            "6lowpan" if s.layer_len == 0 => s.layer_len = n.range.len as usize,
            "6lowpan.frag.size" if s.size.is_none() => s.size = v.map(|x| x as u16),
            "6lowpan.frag.tag" if s.tag.is_none() => s.tag = v.map(|x| x as u16),
            "6lowpan.frag.offset" if s.offset.is_none() => s.offset = v.map(|x| x as usize),
            "6lowpan.reassembled.length" => s.reassembled = true,
            "6lowpan.reassembled.in" => s.repeat = true,
            _ => {}
        }
    }
    s
}

impl FragStats {
    pub fn add_packet(&mut self, p: &Packet) {
        if !p.protocols.contains(&"6lowpan") {
            return;
        }
        let s = seen(p);
        let (Some(size), Some(tag)) = (s.size, s.tag) else {
            return;
        };
        if s.repeat {
            // A fragment of a datagram already reassembled: a MAC-level repeat.
            return;
        }
        let (src, dst) = (p.info.dl_src, p.info.dl_dst);
        let key = (src, dst, tag, size);
        let (frame, ts) = (p.meta.number, p.meta.ts_ns);
        let idx = match self.open.get(&key) {
            Some(&i) => Some(i),
            None => self.start(key, frame, ts),
        };
        let sender = self.senders.entry(src).or_default();
        sender.fragments += 1;
        let Some(i) = idx else { return };
        let d = &mut self.datagrams[i];
        d.fragments += 1;
        match s.offset {
            None => d.has_first = true,
            Some(off) if d.ranges.len() < MAX_RANGES => {
                // The FRAGN header is 5 bytes; the rest of the layer is the payload.
                d.ranges.push((off, s.layer_len.saturating_sub(5)));
            }
            Some(_) => {}
        }
        if s.reassembled {
            d.completed = Some((frame, ts));
            self.open.remove(&key);
            let dt = ts - d.first_ts;
            sender.completed += 1;
            sender.reassembly_sum_ns = sender.reassembly_sum_ns.saturating_add(dt);
            sender.reassembly_max_ns = sender.reassembly_max_ns.max(dt);
        }
    }

    /// A new datagram; None when the list is full (it is still counted).
    fn start(&mut self, key: Key, frame: u64, ts: i64) -> Option<usize> {
        let (src, dst, tag, size) = key;
        let sender = self.senders.entry(src).or_default();
        sender.datagrams += 1;
        let reused = self
            .by_tag
            .get(&(src, tag))
            .is_some_and(|k| self.open.contains_key(k));
        if reused {
            sender.reused_tags += 1;
        }
        if self.datagrams.len() >= MAX_DATAGRAMS {
            return None;
        }
        if self.by_tag.len() < MAX_DATAGRAMS || self.by_tag.contains_key(&(src, tag)) {
            self.by_tag.insert((src, tag), key);
        }
        self.datagrams.push(Datagram {
            src,
            dst,
            tag,
            size,
            first_frame: frame,
            first_ts: ts,
            fragments: 0,
            has_first: false,
            ranges: vec![],
            completed: None,
            reused_tag: reused,
        });
        self.open.insert(key, self.datagrams.len() - 1);
        Some(self.datagrams.len() - 1)
    }

    pub fn datagrams(&self) -> &[Datagram] {
        &self.datagrams
    }

    /// Totals per sender, the missing fragments of incomplete datagrams included.
    pub fn senders(&self) -> BTreeMap<Address, SenderStats> {
        let mut out = self.senders.clone();
        for d in self.datagrams.iter().filter(|d| d.completed.is_none()) {
            if let Some(s) = out.get_mut(&d.src) {
                s.missing += d.missing() as u64;
            }
        }
        out
    }

    /// `-z 6lowpan,frag`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let rule = "=".repeat(100);
        let ms = |ns: i64| format!("{:.3}", ns as f64 / 1e6);
        let _ = writeln!(out, "{rule}\n6LoWPAN Fragmentation:");
        let _ = writeln!(
            out,
            "{:<24} {:>9} {:>9} {:>9} {:>8} {:>10} {:>13} {:>13}",
            "Sender",
            "Datagrams",
            "Complete",
            "Fragments",
            "Missing",
            "Tag reuse",
            "Mean reas. ms",
            "Max reas. ms"
        );
        for (src, s) in self.senders() {
            let _ = writeln!(
                out,
                "{:<24} {:>9} {:>9} {:>9} {:>8} {:>10} {:>13} {:>13}",
                src.to_string(),
                s.datagrams,
                s.completed,
                s.fragments,
                s.missing,
                s.reused_tags,
                s.mean_reassembly_ns().map_or("-".into(), ms),
                if s.completed > 0 {
                    ms(s.reassembly_max_ns)
                } else {
                    "-".into()
                },
            );
        }
        let odd: Vec<&Datagram> = self
            .datagrams
            .iter()
            .filter(|d| d.completed.is_none() || d.reused_tag)
            .collect();
        if !odd.is_empty() {
            out.push_str("Incomplete datagrams and reused tags:\n");
        }
        for d in odd {
            let state = match d.completed {
                Some((f, _)) => format!("complete in frame {f}"),
                None => format!("incomplete, {} fragment(s) missing", d.missing()),
            };
            let reuse = if d.reused_tag { ", tag reused" } else { "" };
            let _ = writeln!(
                out,
                "  {} -> {} tag 0x{:04x} size {}: first frame {}, {} fragment(s), {state}{reuse}",
                d.src, d.dst, d.tag, d.size, d.first_frame, d.fragments
            );
        }
        let _ = writeln!(out, "{rule}");
        out
    }
}
