//! HDLC-lite framing as OpenThread's Spinel serial transport uses it.
//!
//! ```text
//! 7E | body with escapes | FCS (2, LE) | 7E          (repeated 7E between frames allowed)
//! escape: 7D, then the byte XOR 20; senders escape 7E 7D (pyspinel) and 11 13 F8 (OpenThread)
//! FCS: CRC-16/X.25 (reflected 0x8408, init FFFF, final XOR FFFF) over the unescaped body
//! ```
//! Read from pyspinel `spinel/hdlc.py` (HEAD 5e0627a) and OpenThread `src/lib/hdlc/hdlc.cpp`
//! and `tests/unit/test_hdlc.cpp` (the escaped set).

pub const FLAG: u8 = 0x7e;
pub const ESCAPE: u8 = 0x7d;

/// Largest unescaped body kept: a Spinel frame with a 127-byte PSDU and its metadata is far
/// below; anything longer is noise.
pub const MAX_BODY: usize = 2048;

/// The FCS of `body`: CRC-16/X.25 (the catalogue's CRC-16/IBM-SDLC).
pub fn fcs(body: &[u8]) -> u16 {
    static X25: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_SDLC);
    X25.checksum(body)
}

/// Frames `body`: flag, escaped body and FCS, flag. `escape_all` also escapes 11 13 F8 as
/// OpenThread does.
pub fn encode(body: &[u8], escape_all: bool) -> Vec<u8> {
    let fcs = fcs(body);
    let mut out = Vec::with_capacity(body.len() + 8);
    out.push(FLAG);
    for &b in body.iter().chain(&fcs.to_le_bytes()) {
        let special = b == FLAG || b == ESCAPE || (escape_all && matches!(b, 0x11 | 0x13 | 0xf8));
        if special {
            out.extend([ESCAPE, b ^ 0x20]);
        } else {
            out.push(b);
        }
    }
    out.push(FLAG);
    out
}

/// What [`Decoder::push_byte`] completed.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A frame body with a good FCS.
    Frame(Vec<u8>),
    /// A frame that failed its FCS, was too short or too long.
    Bad,
}

/// Unframes bytes one at a time.
#[derive(Default)]
pub struct Decoder {
    body: Vec<u8>,
    escaped: bool,
    /// The current frame grew past [`MAX_BODY`]: drop it up to the next flag.
    overflow: bool,
    /// Bytes seen since the last flag (including those dropped).
    in_frame: bool,
}

impl Decoder {
    pub fn push_byte(&mut self, b: u8) -> Option<Decoded> {
        if b == FLAG {
            let body = std::mem::take(&mut self.body);
            let had = std::mem::take(&mut self.in_frame);
            let overflow = std::mem::take(&mut self.overflow);
            self.escaped = false;
            if !had {
                return None;
            }
            if overflow || body.len() < 3 {
                return Some(Decoded::Bad);
            }
            let n = body.len() - 2;
            if u16::from_le_bytes([body[n], body[n + 1]]) != fcs(&body[..n]) {
                return Some(Decoded::Bad);
            }
            let mut body = body;
            body.truncate(n);
            return Some(Decoded::Frame(body));
        }
        self.in_frame = true;
        if self.overflow {
            return None;
        }
        if b == ESCAPE {
            self.escaped = true;
            return None;
        }
        let b = if std::mem::take(&mut self.escaped) {
            b ^ 0x20
        } else {
            b
        };
        if self.body.len() >= MAX_BODY {
            self.overflow = true;
            self.body.clear();
        } else {
            self.body.push(b);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcs_is_x25() {
        // The catalogue's check value of CRC-16/X.25 (init FFFF, final XOR FFFF).
        assert_eq!(fcs(b"123456789"), 0x906e);
        // A frame whose FCS is off by a bit is refused.
        let mut frame = encode(b"\x81\x06", false);
        let mut d = Decoder::default();
        let good: Vec<_> = frame.iter().filter_map(|&b| d.push_byte(b)).collect();
        assert_eq!(good, [Decoded::Frame(b"\x81\x06".to_vec())]);
        frame[1] ^= 1;
        let bad: Vec<_> = frame.iter().filter_map(|&b| d.push_byte(b)).collect();
        assert_eq!(bad, [Decoded::Bad]);
    }

    #[test]
    fn round_trip_with_both_escape_sets() {
        let body = [0x80, 0x06, 0x71, 0x7e, 0x7d, 0x11, 0x13, 0xf8, 0x00];
        for all in [false, true] {
            let wire = encode(&body, all);
            let mut d = Decoder::default();
            // A repeated flag in front is allowed.
            let mut got = d.push_byte(FLAG);
            for &b in &wire {
                if let Some(x) = d.push_byte(b) {
                    got = Some(x);
                }
            }
            assert_eq!(got, Some(Decoded::Frame(body.to_vec())));
        }
        assert_eq!(encode(&[0x11], true)[1..3], [0x7d, 0x31]);
    }

    #[test]
    fn damaged_frame_is_bad() {
        let mut wire = encode(&[0x81, 0x06, 0x21, 0x0f], false);
        wire[2] ^= 1;
        let mut d = Decoder::default();
        let got: Vec<_> = wire.iter().filter_map(|&b| d.push_byte(b)).collect();
        assert_eq!(got, [Decoded::Bad]);
    }
}
