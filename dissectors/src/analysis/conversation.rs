//! Transport conversations: the address/port pairs that UDP and TCP number as streams
//! (`udp.stream`, `tcp.stream`). Both directions of a conversation share one key.

use crate::engine::address::Address;
use foldhash::HashMap;

/// A conversation key with its endpoints in a canonical order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConvKey {
    a: (Address, u16),
    b: (Address, u16),
}

impl ConvKey {
    /// The key for a packet from `src:sport` to `dst:dport`, and whether the packet goes from the
    /// key's first endpoint to its second (its direction within the conversation).
    pub fn new(src: Address, sport: u16, dst: Address, dport: u16) -> (ConvKey, bool) {
        let s = (src, sport);
        let d = (dst, dport);
        if s <= d {
            (ConvKey { a: s, b: d }, true)
        } else {
            (ConvKey { a: d, b: s }, false)
        }
    }
}

/// A bounded table of conversations, each with an index in order of first appearance and a
/// state of the caller's type. When full, the oldest conversations are forgotten (a packet of
/// one of them later starts a new index) so memory stays bounded on any capture.
#[derive(Clone)]
pub struct ConvTable<S> {
    map: HashMap<ConvKey, (u32, S)>,
    next_index: u32,
    limit: usize,
}

impl<S> ConvTable<S> {
    pub fn new(limit: usize) -> Self {
        ConvTable {
            map: HashMap::default(),
            next_index: 0,
            limit: limit.max(1),
        }
    }

    /// The conversation for `key`, created with `init` if new; returns its index and state.
    pub fn get_or_insert(&mut self, key: ConvKey, init: impl FnOnce() -> S) -> (u32, &mut S) {
        // The size test first: a full table is rare, and the key lookup costs a hash.
        if self.map.len() >= self.limit && !self.map.contains_key(&key) {
            self.evict_oldest_half();
        }
        let next = &mut self.next_index;
        let entry = self.map.entry(key).or_insert_with(|| {
            let i = *next;
            *next += 1;
            (i, init())
        });
        (entry.0, &mut entry.1)
    }

    /// Removes the conversation.
    pub fn remove(&mut self, key: &ConvKey) {
        self.map.remove(key);
    }

    fn evict_oldest_half(&mut self) {
        let mut idx: Vec<u32> = self.map.values().map(|(i, _)| *i).collect();
        idx.sort_unstable();
        let cut = idx[idx.len() / 2];
        self.map.retain(|_, (i, _)| *i >= cut);
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_share_a_key_and_the_table_is_bounded() {
        let a = Address::Ipv4([10, 0, 0, 1]);
        let b = Address::Ipv4([10, 0, 0, 2]);
        let (k1, d1) = ConvKey::new(a, 1000, b, 80);
        let (k2, d2) = ConvKey::new(b, 80, a, 1000);
        assert_eq!(k1, k2);
        assert_ne!(d1, d2);
        let mut t: ConvTable<()> = ConvTable::new(4);
        for p in 0..100u16 {
            let (k, _) = ConvKey::new(a, p, b, 80);
            let (i, _) = t.get_or_insert(k, || ());
            assert_eq!(i, p as u32);
            assert!(t.len() <= 4);
        }
    }
}
