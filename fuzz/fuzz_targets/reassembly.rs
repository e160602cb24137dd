//! `dissectors::analysis::reassembly::FragmentTable` fed a sequence of adds decoded from the input,
//! checking its limits after every one.
//!
//! ```text
//!  4 bytes limits: max_datagrams (1..=8), max_bytes (1..=1024 in 4-byte steps),
//!                  max_age (0..=255 ticks), max_datagram_len (1..=2048 in 8-byte steps)
//!  then ops of 6 bytes + data:
//!      key (u8 % 8) | time step (u8 ticks) | offset (u16 LE) | len (u8) | flags
//!      flags & 1: last fragment; flags & 2: data is the next `len` input bytes,
//!      otherwise `len` copies of the flags byte
//! ```
#![no_main]

use dissectors::analysis::reassembly::{FragmentTable, Limits, Outcome};

const TICK_NS: i64 = 1_000_000;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((lim, mut rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let limits = Limits {
        max_datagrams: usize::from(lim[0] % 8) + 1,
        max_bytes: (usize::from(lim[1]) + 1) * 4,
        max_age_ns: i64::from(lim[2]) * TICK_NS,
        max_datagram_len: (usize::from(lim[3]) + 1) * 8,
    };
    let mut t = FragmentTable::<u8>::new(limits);
    let mut now = 0i64;
    let mut frame = 0u64;
    let mut fill = Vec::new();
    while let Some((op, tail)) = rest.split_first_chunk::<6>() {
        rest = tail;
        frame += 1;
        now += i64::from(op[1]) * TICK_NS;
        let key = op[0] % 8;
        let offset = usize::from(u16::from_le_bytes([op[2], op[3]]));
        let len = usize::from(op[4]);
        let flags = op[5];
        let bytes: &[u8] = if flags & 2 != 0 {
            let n = len.min(rest.len());
            let (d, tail) = rest.split_at(n);
            rest = tail;
            d
        } else {
            fill.clear();
            fill.resize(len, flags);
            &fill
        };
        match t.add(key, now, frame, offset, bytes, flags & 1 != 0) {
            Outcome::Complete { data, fragments } => {
                assert!(data.len() <= limits.max_datagram_len);
                assert!(!fragments.is_empty());
                assert!(fragments.iter().all(|f| f.offset + f.len <= data.len()));
            }
            Outcome::Incomplete | Outcome::Conflict(_) => {}
        }
        assert!(
            t.bytes_held() <= limits.max_bytes,
            "bytes_held {} > limit {}",
            t.bytes_held(),
            limits.max_bytes
        );
        assert!(
            t.len() <= limits.max_datagrams,
            "{} datagrams held",
            t.len()
        );
        if t.is_empty() {
            assert_eq!(t.bytes_held(), 0, "empty table holds bytes");
        }
        let _ = t.take_evicted();
    }
});
