//! Packets and bytes per time interval (the TUI's I/O graph). The interval starts at 100 ms and
//! doubles (merging neighbours) whenever the capture would need more than [`MAX_BINS`] bins, so
//! memory stays bounded whatever the capture's length.

use dissectors::engine::Packet;

/// Most bins kept.
pub const MAX_BINS: usize = 2048;
const FIRST_INTERVAL_NS: i64 = 100_000_000;

/// Packets and bytes per interval since the first packet.
#[derive(Clone, Debug)]
pub struct IoGraph {
    interval_ns: i64,
    /// (packets, bytes) per interval.
    bins: Vec<(u64, u64)>,
}

impl Default for IoGraph {
    fn default() -> Self {
        IoGraph {
            interval_ns: FIRST_INTERVAL_NS,
            bins: vec![],
        }
    }
}

impl IoGraph {
    /// Counts a packet at `rel_ns` (time since the first packet).
    pub fn add(&mut self, rel_ns: i64, bytes: u64) {
        let rel = rel_ns.max(0);
        while rel / self.interval_ns >= MAX_BINS as i64 {
            self.coarsen();
        }
        let i = (rel / self.interval_ns) as usize;
        if self.bins.len() <= i {
            self.bins.resize(i + 1, (0, 0));
        }
        self.bins[i].0 += 1;
        self.bins[i].1 += bytes;
    }

    pub fn add_packet(&mut self, p: &Packet) {
        self.add(p.rel_ns, p.meta.orig_len as u64);
    }

    fn coarsen(&mut self) {
        self.interval_ns = self.interval_ns.saturating_mul(2);
        self.bins = self
            .bins
            .chunks(2)
            .map(|c| c.iter().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)))
            .collect();
    }

    pub fn interval_ns(&self) -> i64 {
        self.interval_ns
    }

    pub fn bins(&self) -> &[(u64, u64)] {
        &self.bins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_double_to_stay_bounded() {
        let mut g = IoGraph::default();
        g.add(0, 10);
        g.add(150_000_000, 20);
        assert_eq!(g.bins(), &[(1, 10), (1, 20)]);
        // An hour later: the interval grows, the counts are kept.
        g.add(3_600_000_000_000, 5);
        assert!(g.bins().len() <= MAX_BINS);
        assert_eq!(g.bins().iter().map(|b| b.0).sum::<u64>(), 3);
        assert_eq!(g.bins()[0], (2, 30));
        assert!(g.interval_ns() >= 3_600_000_000_000 / MAX_BINS as i64);
    }
}
