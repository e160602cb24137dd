//! The DNP3 transport function (IEEE 1815-2012 §8): one header byte per link frame, and the
//! reassembly of transport segments into application fragments.
//!
//! ```text
//!   bit  7     6     5 .. 0
//!      +-----+-----+----------+
//!      | FIN | FIR | SEQUENCE |   then up to 249 bytes of the application fragment
//!      +-----+-----+----------+
//! ```
//! Segments are reassembled per direction (network source and destination) the way tshark 4.0
//! does: a fragment is filed under the sequence number of its FIR segment; a following segment
//! looks back up to [`MAX_SEGMENTS`] sequence numbers for it and takes the place that far from
//! the start; a FIN completes it. A segment that finds no FIR is kept under its own number,
//! and a FIR segment arriving on a number already in use joins that fragment (tshark then
//! reports the overlap). Memory is bounded: at most [`MAX_FRAGMENT`] bytes per fragment and
//! [`MAX_PENDING`] fragments waiting at once.

use crate::engine::address::Address;
use foldhash::HashMap;

/// Segments one fragment may span (tshark looks back this many sequence numbers).
pub const MAX_SEGMENTS: u32 = 60;
/// Largest fragment kept (IEEE 1815 fragments are at most 2048 bytes; leave headroom).
pub const MAX_FRAGMENT: usize = 65_536;
/// Fragments waiting for segments at once; the table is cleared when it grows past this.
pub const MAX_PENDING: usize = 16_384;

/// Where a fragment is filed: network source and destination, and its first sequence number.
#[derive(Clone, PartialEq, Eq, Hash)]
struct HeadKey {
    net_src: Address,
    net_dst: Address,
    seq: u32,
}

/// One segment of a fragment.
#[derive(Clone)]
pub struct Part {
    pub frame: u64,
    pub place: u32,
    pub len: usize,
    /// The segment repeats a place already filled, with different bytes (tshark's overlap
    /// conflict): its bytes are not used.
    pub conflict: bool,
}

/// A fragment being put together.
#[derive(Clone, Default)]
struct Head {
    /// Started by a segment that found no FIR segment before it.
    orphan: bool,
    parts: Vec<Part>,
    /// Bytes of each place, in place order.
    data: Vec<(u32, Vec<u8>)>,
    /// Place of the FIN segment once it arrived.
    last: Option<u32>,
}

/// Capture-wide transport state.
#[derive(Clone, Default)]
pub struct Reassembly {
    heads: HashMap<HeadKey, Head>,
}

/// What adding a segment gave.
pub enum Added {
    /// The fragment is complete: its segments and the bytes.
    Complete(Vec<Part>, Vec<u8>),
    /// More segments are needed.
    Incomplete,
}

impl Head {
    /// Files a segment at `place`; a place already filled keeps its bytes, and the segment is
    /// marked conflicting when its bytes differ.
    fn put(&mut self, frame: u64, place: u32, data: &[u8]) {
        let conflict = match self.data.iter().find(|(p, _)| *p == place) {
            Some((_, old)) => old != data,
            None => {
                let at = self.data.partition_point(|(p, _)| *p < place);
                self.data.insert(at, (place, data.to_vec()));
                false
            }
        };
        self.parts.push(Part {
            frame,
            place,
            len: data.len(),
            conflict,
        });
    }

    fn size(&self) -> usize {
        self.data.iter().map(|(_, d)| d.len()).sum()
    }

    /// Whether every place up to the FIN segment's is filled.
    fn complete(&self) -> bool {
        match self.last {
            Some(last) => (0..=last).all(|p| self.data.iter().any(|(q, _)| *q == p)),
            None => false,
        }
    }
}

impl Reassembly {
    /// Adds one transport segment's payload (the bytes after the transport header) sent from
    /// `net_src` to `net_dst` in `frame`.
    pub fn add(
        &mut self,
        net_src: &Address,
        net_dst: &Address,
        frame: u64,
        th: u8,
        data: &[u8],
    ) -> Added {
        if self.heads.len() >= MAX_PENDING {
            self.heads.clear();
        }
        let (fin, fir, seq) = (th & 0x80 != 0, th & 0x40 != 0, (th & 0x3f) as u32);
        let key = |seq: u32| HeadKey {
            net_src: *net_src,
            net_dst: *net_dst,
            seq,
        };
        let (k, place) = if fir {
            (key(seq), 0)
        } else {
            // Look back for the FIR segment's fragment (sequence numbers below 0 are not
            // searched, as tshark's unsigned arithmetic finds nothing there).
            match (1..MAX_SEGMENTS.min(seq + 1)).find(|d| self.heads.contains_key(&key(seq - d))) {
                Some(d) => (key(seq - d), d),
                // No start: kept under its own number, never complete by itself.
                None => {
                    // A newer orphan replaces an older one on the same number.
                    let head = self.heads.entry(key(seq)).or_default();
                    *head = Head::default();
                    head.orphan = true;
                    head.put(frame, 0, data);
                    if fin {
                        head.last = Some(0);
                    }
                    return Added::Incomplete;
                }
            }
        };
        if fir {
            // A FIR segment starts afresh, except on a number held by a finished orphan: tshark
            // 4.0 then joins the two and reports the overlap.
            let joins = self
                .heads
                .get(&k)
                .is_some_and(|h| h.orphan && h.last.is_some());
            if !joins {
                self.heads.remove(&k);
            }
        }
        let head = self.heads.entry(k.clone()).or_default();
        if head.size() + data.len() > MAX_FRAGMENT {
            self.heads.remove(&k);
            return Added::Incomplete;
        }
        head.put(frame, place, data);
        if fin {
            head.last = Some(place);
        }
        if !head.complete() {
            return Added::Incomplete;
        }
        let head = self.heads.remove(&k).unwrap_or_default();
        let last = head.last.unwrap_or(0);
        let mut bytes = Vec::with_capacity(head.size());
        for (p, d) in &head.data {
            if *p <= last {
                bytes.extend_from_slice(d);
            }
        }
        Added::Complete(head.parts, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(r: &mut Reassembly, frame: u64, th: u8, data: &[u8]) -> Added {
        r.add(&Address::None, &Address::None, frame, th, data)
    }

    #[test]
    fn segments_make_a_fragment() {
        let mut r = Reassembly::default();
        assert!(matches!(
            add(&mut r, 1, 0x40 | 10, b"ab"),
            Added::Incomplete
        ));
        assert!(matches!(add(&mut r, 2, 11, b"cd"), Added::Incomplete));
        match add(&mut r, 3, 0x80 | 12, b"e") {
            Added::Complete(parts, data) => {
                let frames: Vec<u64> = parts.iter().map(|p| p.frame).collect();
                assert_eq!(frames, vec![1, 2, 3]);
                assert_eq!(data, b"abcde");
            }
            Added::Incomplete => panic!("not complete"),
        }
        // A lone FIN segment without its start is kept, not completed.
        assert!(matches!(add(&mut r, 4, 0x80, b"x"), Added::Incomplete));
        // FIR+FIN on the same number joins it, as tshark 4.0 does (overlap conflict).
        match add(&mut r, 5, 0xc0, b"y") {
            Added::Complete(parts, data) => {
                assert_eq!(data, b"x");
                assert!(parts[1].conflict);
            }
            Added::Incomplete => panic!("not complete"),
        }
        assert!(matches!(
            add(&mut r, 6, 0xc0 | 14, b"z"),
            Added::Complete(..)
        ));
    }
}
