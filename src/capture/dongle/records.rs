//! The resynchronising read loop of firmwares whose stream is a sequence of records with a
//! start-of-frame marker and a length (sensniff, TI Packet Sniffer 2): bytes are buffered,
//! each firmware's parser says what the start of the buffer holds, and the loop keeps the
//! counters every deframer reports.

use super::{Deframer, Event, StreamStats};

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

/// The deframer of such a stream: buffered bytes, the firmware's parser and the counters.
pub struct RecordStream {
    buf: Vec<u8>,
    stats: StreamStats,
    parse: fn(&[u8]) -> Parse,
}

impl RecordStream {
    /// A stream whose records `parse` recognises.
    pub fn new(parse: fn(&[u8]) -> Parse) -> RecordStream {
        RecordStream {
            buf: Vec::new(),
            stats: StreamStats::default(),
            parse,
        }
    }
}

impl Deframer for RecordStream {
    /// Adds `bytes` and moves every whole record's event to `out`, resynchronising on
    /// garbage; a partial record stays buffered for the next call.
    fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.stats.bytes += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        while at < self.buf.len() {
            match (self.parse)(&self.buf[at..]) {
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

    fn stats(&self) -> StreamStats {
        self.stats
    }
}
