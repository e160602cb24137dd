//! 6LoWPAN fragment reassembly (RFC 4944 §5.3).
//!
//! ```text
//!  FRAG1:                       FRAGN:
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |1 1 0 0 0|    datagram_size    |         datagram_tag          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |1 1 1 0 0|    datagram_size    |         datagram_tag          |
//! |datagram_offset|  (FRAGN only, in units of 8 octets)
//! +-+-+-+-+-+-+-+-+
//! ```
//! A datagram is identified by the link-layer source and destination, the tag and the size
//! (RFC 4944 §5.3: "the tuple <source, destination, datagram_size, datagram_tag>"). Offsets and
//! sizes count the *uncompressed* IPv6 datagram, so the first fragment is stored after its
//! headers have been decompressed.
//!
//! The table is single-pass: a datagram is known to be complete only when its last missing
//! fragment arrives; fragments seen after that (duplicates, retransmissions) can name the frame
//! it was reassembled in. State is bounded in entries, bytes and age; an incomplete datagram that
//! is dropped is reported to the caller so it can be shown as an expert note.

use crate::engine::address::Address;
use foldhash::HashMap;

/// Most datagrams kept at once (complete ones are kept to answer "reassembled in").
pub const MAX_ENTRIES: usize = 1024;
/// Most bytes of datagram buffers kept at once.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Datagrams not touched for this long (capture time) are dropped. RFC 4944 §5.3 gives a
/// reassembly timeout of at most 60 seconds.
pub const MAX_AGE_NS: i64 = 60_000_000_000;

/// What identifies one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FragKey {
    pub src: Address,
    pub dst: Address,
    pub tag: u16,
    pub size: u16,
}

/// An IPv6 header whose UDP checksum was elided and must be computed once the datagram is whole:
/// offsets of the IPv6 header and of the UDP header in the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpFix {
    pub ip_off: usize,
    pub udp_off: usize,
}

#[derive(Clone, Debug)]
struct Entry {
    buf: Vec<u8>,
    /// One flag per byte of `buf`: received.
    have: Vec<bool>,
    missing: usize,
    /// (frame, offset, length) of each fragment, in arrival order.
    frags: Vec<(u64, usize, usize)>,
    completed_in: Option<u64>,
    last_ts: i64,
    /// Order of creation, for evicting the oldest.
    serial: u64,
    fixes: Vec<UdpFix>,
}

/// What adding one fragment did.
#[derive(Debug, Default)]
pub struct AddResult {
    /// The whole datagram, when this fragment completed it.
    pub reassembled: Option<Vec<u8>>,
    /// Frames of the fragments (in order of their offsets) when complete.
    pub frames: Vec<u64>,
    /// (frame, offset, length) of every fragment received, in order of their offsets.
    pub pieces: Vec<(u64, usize, usize)>,
    /// Elided UDP checksums to fill in the reassembled datagram.
    pub fixes: Vec<UdpFix>,
    /// This fragment repeats bytes already received, with the same data.
    pub overlap: bool,
    /// This fragment repeats bytes already received, with different data (the first data wins).
    pub conflict: bool,
    /// The fragment runs past the datagram size (the excess was dropped).
    pub too_long: bool,
    /// The datagram had already been reassembled, in this frame.
    pub reassembled_in: Option<u64>,
    /// Descriptions of incomplete datagrams dropped to stay within bounds (or replaced).
    pub dropped: Vec<String>,
}

/// All datagrams being reassembled in a capture.
#[derive(Clone, Debug, Default)]
pub struct FragTable {
    map: HashMap<FragKey, Entry>,
    bytes: usize,
    serial: u64,
}

fn describe(key: &FragKey, e: &Entry, why: &str) -> String {
    let frames: Vec<String> = e.frags.iter().map(|f| f.0.to_string()).collect();
    format!(
        "6LoWPAN datagram tag 0x{:04x} size {} (fragments in frames {}) was never completed: {} of {} bytes missing; {}",
        key.tag,
        key.size,
        frames.join(", "),
        e.missing,
        key.size,
        why
    )
}

impl FragTable {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Bytes held in datagram buffers.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn remove(&mut self, key: &FragKey, why: &str, dropped: &mut Vec<String>) {
        if let Some(e) = self.map.remove(key) {
            self.bytes = self.bytes.saturating_sub(e.buf.len());
            if e.completed_in.is_none() {
                dropped.push(describe(key, &e, why));
            }
        }
    }

    /// Drops old datagrams, then the oldest ones until a new one of `size` bytes fits.
    fn make_room(&mut self, now: i64, size: usize, dropped: &mut Vec<String>) {
        let old: Vec<FragKey> = self
            .map
            .iter()
            .filter(|(_, e)| now.saturating_sub(e.last_ts) > MAX_AGE_NS)
            .map(|(k, _)| *k)
            .collect();
        for k in old {
            self.remove(&k, "reassembly timed out (60 s)", dropped);
        }
        while !self.map.is_empty()
            && (self.map.len() >= MAX_ENTRIES || self.bytes.saturating_add(size) > MAX_BYTES)
        {
            // Prefer dropping complete datagrams: they only serve "reassembled in".
            let victim = self
                .map
                .iter()
                .min_by_key(|(_, e)| (e.completed_in.is_none(), e.serial))
                .map(|(k, _)| *k);
            match victim {
                Some(k) => self.remove(
                    &k,
                    "dropped to keep reassembly state within its limits",
                    dropped,
                ),
                None => break,
            }
        }
    }

    /// Adds the fragment `data` at byte `offset` of the datagram `key`, seen in `frame` at time
    /// `ts`. `fixes` (first fragment only) lists elided UDP checksums to compute at the end.
    pub fn add(
        &mut self,
        key: FragKey,
        frame: u64,
        ts: i64,
        offset: usize,
        data: &[u8],
        fixes: Vec<UdpFix>,
    ) -> AddResult {
        let mut r = AddResult::default();
        let size = key.size as usize;
        let data = clip_to_size(data, offset, size, &mut r);
        if self.settle_existing(&key, offset, data, &mut r) {
            return r;
        }
        if !self.map.contains_key(&key) {
            self.make_room(ts, size, &mut r.dropped);
            self.serial += 1;
            self.bytes += size;
            self.map.insert(key, Entry::new(size, ts, self.serial));
        }
        let Some(e) = self.map.get_mut(&key) else {
            return r;
        };
        e.last_ts = ts;
        if offset == 0 && !fixes.is_empty() {
            e.fixes = fixes;
        }
        e.frags.push((frame, offset, data.len()));
        e.fill(offset, data, &mut r);
        if e.missing == 0 && e.completed_in.is_none() {
            e.complete(frame, &mut r);
        }
        r
    }

    /// What an entry already under `key` means for this fragment: a retransmission of a
    /// completed datagram (true: nothing more to do), a reused tag, or a new first fragment
    /// replacing an unfinished datagram (both drop the old entry).
    fn settle_existing(
        &mut self,
        key: &FragKey,
        offset: usize,
        data: &[u8],
        r: &mut AddResult,
    ) -> bool {
        let Some(e) = self.map.get(key) else {
            return false;
        };
        let same = e.buf.get(offset..offset + data.len()) == Some(data)
            && e.have[offset..offset + data.len()].iter().all(|h| *h);
        if let Some(done) = e.completed_in {
            if same {
                // A retransmission of a fragment of a datagram already rebuilt.
                r.overlap = true;
                r.reassembled_in = Some(done);
                return true;
            }
            // The same tag reused for a new datagram.
            let mut d = vec![];
            self.remove(key, "", &mut d);
        } else if offset == 0 && !same && e.have.first() == Some(&true) {
            // A different first fragment: the sender started a new datagram with this tag
            // before the previous one was complete.
            self.remove(
                key,
                "a new first fragment with the same tag replaced it",
                &mut r.dropped,
            );
        }
        false
    }
}

/// The part of a fragment within the datagram size (`too_long` when some was cut).
fn clip_to_size<'a>(data: &'a [u8], offset: usize, size: usize, r: &mut AddResult) -> &'a [u8] {
    if offset >= size && size > 0 || offset > size {
        r.too_long = true;
        &[]
    } else if offset + data.len() > size {
        r.too_long = true;
        &data[..size - offset]
    } else {
        data
    }
}

impl Entry {
    fn new(size: usize, ts: i64, serial: u64) -> Entry {
        Entry {
            buf: vec![0; size],
            have: vec![false; size],
            missing: size,
            frags: vec![],
            completed_in: None,
            last_ts: ts,
            serial,
            fixes: vec![],
        }
    }

    /// Copies the fragment's bytes in; bytes already there count as overlap (same) or
    /// conflict (different, the first data wins).
    fn fill(&mut self, offset: usize, data: &[u8], r: &mut AddResult) {
        for (i, b) in data.iter().enumerate() {
            let p = offset + i;
            if self.have[p] {
                if self.buf[p] == *b {
                    r.overlap = true;
                } else {
                    r.conflict = true;
                }
            } else {
                self.have[p] = true;
                self.buf[p] = *b;
                self.missing -= 1;
            }
        }
    }

    /// Marks the datagram complete in `frame` and hands it out with its fragments.
    fn complete(&mut self, frame: u64, r: &mut AddResult) {
        self.completed_in = Some(frame);
        let mut frags = self.frags.clone();
        frags.sort_by_key(|f| (f.1, f.0));
        let mut frames: Vec<u64> = vec![];
        for f in &frags {
            if !frames.contains(&f.0) {
                frames.push(f.0);
            }
        }
        r.pieces = frags;
        r.frames = frames;
        r.fixes = self.fixes.clone();
        r.reassembled = Some(self.buf.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tag: u16, size: u16) -> FragKey {
        FragKey {
            src: Address::Wpan16 { pan: 1, addr: 2 },
            dst: Address::Wpan16 { pan: 1, addr: 3 },
            tag,
            size,
        }
    }

    #[test]
    fn out_of_order_duplicate_and_conflict() {
        let mut t = FragTable::default();
        let k = key(7, 24);
        let r = t.add(k, 1, 0, 16, &[3; 8], vec![]);
        assert!(r.reassembled.is_none());
        let r = t.add(k, 2, 0, 16, &[3; 8], vec![]);
        assert!(r.overlap && !r.conflict);
        let r = t.add(k, 3, 0, 8, &[2; 8], vec![]);
        assert!(r.reassembled.is_none());
        let r = t.add(k, 4, 0, 8, &[9; 8], vec![]);
        assert!(r.conflict);
        let r = t.add(k, 5, 0, 0, &[1; 8], vec![]);
        let d = r.reassembled.unwrap();
        assert_eq!(&d[..8], &[1; 8]);
        assert_eq!(&d[8..16], &[2; 8]);
        assert_eq!(r.frames, vec![5, 3, 4, 1, 2]);
        // A later retransmission knows where it was reassembled.
        let r = t.add(k, 6, 0, 8, &[2; 8], vec![]);
        assert_eq!(r.reassembled_in, Some(5));
    }

    #[test]
    fn too_long_and_bounded() {
        let mut t = FragTable::default();
        let r = t.add(key(1, 8), 1, 0, 0, &[0; 20], vec![]);
        assert!(r.too_long);
        assert!(r.reassembled.is_some());
        let mut dropped = 0;
        for i in 0..(MAX_ENTRIES as u16 + 10) {
            let r = t.add(key(i, 2000), i as u64, 0, 8, &[1], vec![]);
            dropped += r.dropped.len();
            assert!(t.len() <= MAX_ENTRIES);
            assert!(t.bytes() <= MAX_BYTES);
        }
        assert!(dropped > 0);
        // Age: a fragment an hour later drops everything incomplete.
        let r = t.add(key(60000, 100), 99999, 3_600_000_000_000, 0, &[1], vec![]);
        assert!(!r.dropped.is_empty());
        assert_eq!(t.len(), 1);
    }
}
