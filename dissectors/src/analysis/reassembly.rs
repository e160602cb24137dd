//! Bounded fragment reassembly shared by the layers that fragment datagrams (IPv4, and any
//! other whose fragments carry an offset and a "last fragment" mark).
//!
//! A [`FragmentTable`] holds incomplete datagrams by key. It is bounded in datagrams, in bytes
//! held and in age: when a limit is hit the oldest datagrams are dropped and the caller is told,
//! so it can add an expert note. Overlapping fragments must agree byte for byte; a conflict is
//! reported and the datagram dropped rather than guessed.

use foldhash::HashMap;
use std::hash::Hash;

/// Most fragments one datagram may have (duplicates included).
pub const MAX_FRAGMENTS: usize = 4096;

/// Limits of one table.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_datagrams: usize,
    pub max_bytes: usize,
    /// Datagrams older than this (capture time, ns) are dropped.
    pub max_age_ns: i64,
    /// Largest datagram accepted.
    pub max_datagram_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_datagrams: 4096,
            max_bytes: 16 << 20,
            max_age_ns: 60_000_000_000,
            max_datagram_len: 65_535,
        }
    }
}

/// One fragment as received.
#[derive(Clone, Debug)]
pub struct Fragment {
    pub frame: u64,
    pub offset: usize,
    pub len: usize,
}

#[derive(Clone)]
struct Pending {
    first_ts: i64,
    data: Vec<u8>,
    /// Which bytes of `data` were received.
    /// Which byte ranges of `data` were received: sorted, disjoint, merged `(start, end)`.
    have: Vec<(usize, usize)>,
    total: Option<usize>,
    fragments: Vec<Fragment>,
}

/// What adding a fragment led to.
#[derive(Debug)]
pub enum Outcome {
    /// More fragments are needed.
    Incomplete,
    /// The datagram is whole.
    Complete {
        data: Vec<u8>,
        fragments: Vec<Fragment>,
    },
    /// The fragment contradicts bytes already received, or the datagram is impossible
    /// (beyond the length limit, data past the end): the datagram was dropped.
    Conflict(&'static str),
}

#[derive(Clone)]
pub struct FragmentTable<K> {
    pending: HashMap<K, Pending>,
    limits: Limits,
    bytes: usize,
    /// Datagrams dropped to stay within limits since the last `take_evicted`.
    evicted: usize,
}

impl<K: Hash + Eq + Clone> FragmentTable<K> {
    pub fn new(limits: Limits) -> Self {
        FragmentTable {
            pending: HashMap::default(),
            limits,
            bytes: 0,
            evicted: 0,
        }
    }

    /// Number of datagrams dropped to stay within limits since the last call.
    pub fn take_evicted(&mut self) -> usize {
        std::mem::take(&mut self.evicted)
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Bytes held by incomplete datagrams.
    pub fn bytes_held(&self) -> usize {
        self.bytes
    }

    /// Adds a fragment of `key`'s datagram: `data` goes at `offset`; `last` says it ends the
    /// datagram (so the total length is known).
    pub fn add(
        &mut self,
        key: K,
        now_ns: i64,
        frame: u64,
        offset: usize,
        data: &[u8],
        last: bool,
    ) -> Outcome {
        let end = match offset.checked_add(data.len()) {
            Some(e) if e <= self.limits.max_datagram_len => e,
            _ => {
                self.remove(&key);
                return Outcome::Conflict("fragment ends beyond the largest datagram allowed");
            }
        };
        self.expire(now_ns);
        if !self.pending.contains_key(&key) {
            self.make_room(data.len());
            self.pending.insert(
                key.clone(),
                Pending {
                    first_ts: now_ns,
                    data: vec![],
                    have: vec![],
                    total: None,
                    fragments: vec![],
                },
            );
        }
        let p = self.pending.get_mut(&key).expect("inserted above");
        if let Some(t) = p.total {
            if end > t || (last && end != t) {
                self.remove(&key);
                return Outcome::Conflict("fragment does not fit the datagram's length");
            }
        }
        if last {
            if p.data.len() > end {
                self.remove(&key);
                return Outcome::Conflict("last fragment ends before data already received");
            }
            p.total = Some(end);
        }
        if p.data.len() < end {
            self.bytes += end - p.data.len();
            p.data.resize(end, 0);
        }
        // Duplicates and tiny fragments must not grow the lists without bound.
        if p.fragments.len() >= MAX_FRAGMENTS {
            self.remove(&key);
            return Outcome::Conflict("too many fragments for one datagram");
        }
        // Bytes already received must agree with the new fragment where they overlap.
        let conflict = p.have.iter().any(|&(s, e)| {
            let (lo, hi) = (s.max(offset), e.min(end));
            lo < hi && p.data[lo..hi] != data[lo - offset..hi - offset]
        });
        if conflict {
            self.remove(&key);
            return Outcome::Conflict("overlapping fragments disagree");
        }
        p.data[offset..end].copy_from_slice(data);
        add_range(&mut p.have, offset, end);
        p.fragments.push(Fragment {
            frame,
            offset,
            len: data.len(),
        });
        let complete = p.total.is_some_and(|t| p.have == [(0, t)]);
        if complete {
            let p = self.pending.remove(&key).expect("present");
            self.bytes -= p.data.len();
            let mut fragments = p.fragments;
            fragments.sort_by_key(|f| f.offset);
            return Outcome::Complete {
                data: p.data,
                fragments,
            };
        }
        self.enforce_bytes();
        Outcome::Incomplete
    }

    fn remove(&mut self, key: &K) {
        if let Some(p) = self.pending.remove(key) {
            self.bytes -= p.data.len();
        }
    }

    fn expire(&mut self, now_ns: i64) {
        let max_age = self.limits.max_age_ns;
        let before = self.pending.len();
        let mut freed = 0;
        self.pending.retain(|_, p| {
            let keep = now_ns.saturating_sub(p.first_ts) <= max_age;
            if !keep {
                freed += p.data.len();
            }
            keep
        });
        self.bytes -= freed;
        self.evicted += before - self.pending.len();
    }

    fn make_room(&mut self, incoming: usize) {
        while !self.pending.is_empty()
            && (self.pending.len() >= self.limits.max_datagrams
                || self.bytes + incoming > self.limits.max_bytes)
        {
            self.drop_oldest();
        }
    }

    fn enforce_bytes(&mut self) {
        while self.bytes > self.limits.max_bytes && !self.pending.is_empty() {
            self.drop_oldest();
        }
    }

    fn drop_oldest(&mut self) {
        let oldest = self
            .pending
            .iter()
            .min_by_key(|(_, p)| p.first_ts)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            self.remove(&k);
            self.evicted += 1;
        }
    }
}

/// Adds `[start, end)` to a sorted list of disjoint ranges, merging neighbours.
fn add_range(ranges: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    if start >= end {
        return;
    }
    let (mut s, mut e) = (start, end);
    ranges.retain(|&(rs, re)| {
        if re < s || rs > e {
            true
        } else {
            s = s.min(rs);
            e = e.max(re);
            false
        }
    });
    let at = ranges.partition_point(|&(rs, _)| rs < s);
    ranges.insert(at, (s, e));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> FragmentTable<u32> {
        FragmentTable::new(Limits {
            max_datagrams: 2,
            max_bytes: 100,
            max_age_ns: 10,
            max_datagram_len: 64,
        })
    }

    #[test]
    fn out_of_order_and_duplicates_reassemble() {
        let mut t = table();
        assert!(matches!(
            t.add(1, 0, 2, 4, b"5678", true),
            Outcome::Incomplete
        ));
        assert!(matches!(
            t.add(1, 0, 3, 4, b"5678", true),
            Outcome::Incomplete
        ));
        match t.add(1, 0, 4, 0, b"1234", false) {
            Outcome::Complete { data, fragments } => {
                assert_eq!(data, b"12345678");
                assert_eq!(fragments.len(), 3);
            }
            o => panic!("{o:?}"),
        }
        assert!(t.is_empty());
        assert_eq!(t.bytes_held(), 0);
    }

    #[test]
    fn ranges_merge() {
        let mut r = vec![];
        add_range(&mut r, 4, 8);
        add_range(&mut r, 0, 2);
        add_range(&mut r, 10, 12);
        add_range(&mut r, 2, 4);
        assert_eq!(r, [(0, 8), (10, 12)]);
        add_range(&mut r, 7, 11);
        assert_eq!(r, [(0, 12)]);
    }

    #[test]
    fn conflicts_and_limits() {
        let mut t = table();
        t.add(1, 0, 1, 0, b"abcd", false);
        assert!(matches!(
            t.add(1, 0, 2, 2, b"XX", false),
            Outcome::Conflict(_)
        ));
        assert!(matches!(
            t.add(2, 0, 1, 60, b"123456", false),
            Outcome::Conflict(_)
        ));
        t.add(3, 0, 1, 0, b"a", false);
        t.add(4, 0, 1, 0, b"a", false);
        t.add(5, 0, 1, 0, b"a", false);
        assert!(t.len() <= 2);
        assert!(t.take_evicted() >= 1);
        t.add(6, 100, 1, 0, b"a", false);
        assert_eq!(t.len(), 1, "old datagrams expire");
    }
}
