//! The resynchronising read loop of firmwares whose stream is a sequence of records with a
//! start-of-frame marker and a length (sensniff, TI Packet Sniffer 2): bytes are buffered,
//! each firmware's parser says what the start of the buffer holds, and the loop keeps the
//! counters every deframer reports.

use super::{Event, StreamStats};

/// What the start of the buffer holds.
pub enum Parse {
    /// A whole record of this many bytes (its event, if any).
    Record(usize, Option<Event>),
    /// Could be a record; more bytes needed.
    Incomplete,
    /// Not a record here: skip a byte.
    Skip,
    /// A damaged record header: skip a byte (a framing error).
    Bad,
}

/// Buffered bytes and the stream's counters.
#[derive(Default)]
pub struct RecordStream {
    buf: Vec<u8>,
    stats: StreamStats,
}

impl RecordStream {
    /// Adds `bytes` and moves every whole record's event to `out`, resynchronising on
    /// garbage; a partial record stays buffered for the next call.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>, parse: fn(&[u8]) -> Parse) {
        self.stats.bytes += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        while at < self.buf.len() {
            match parse(&self.buf[at..]) {
                Parse::Record(n, ev) => {
                    at += n;
                    if let Some(ev) = ev {
                        self.stats.valid += 1;
                        out.push(ev);
                    }
                }
                Parse::Incomplete => break,
                Parse::Skip => {
                    at += 1;
                    self.stats.skipped += 1;
                }
                Parse::Bad => {
                    at += 1;
                    self.stats.skipped += 1;
                    self.stats.framing_errors += 1;
                }
            }
        }
        self.buf.drain(..at);
    }

    pub fn stats(&self) -> StreamStats {
        self.stats
    }
}
