//! Contiki-NG "sensniff": a small binary protocol over a UART or USB CDC-ACM, 460800 baud by
//! default.
//!
//! ```text
//! | C1 1F FE 72 | 02 | CMD | LEN (2, big endian) | DATA |      LEN is absent for GET commands
//!
//! CMD  00 FRAME        DATA = MPDU without FCS | RSSI (i8 dBm) | 0x80 | LQI (7 bits)
//!                      (TI CC24xx trailer, LEN = n + 2; the CRC-OK bit is always set)
//!      01 CHANNEL      DATA = channel            02/03 CHANNEL_MIN/MAX
//!      7F ERR_NOT_SUPPORTED (LEN 0)
//!      81 GET_CHANNEL  82/83 GET_CHANNEL_MIN/MAX (no LEN)
//!      84 SET_CHANNEL  LEN 00 01, DATA = channel → answered by CHANNEL (or 7F)
//! legacy v1: | 53 6E 69 66 ("Snif") | LEN (1) | frame as above |
//! ```
//!
//! Bytes outside these records are the peripheral's debug text, skipped (and counted). Read
//! from g-oikonomou/sensniff `sensniff.py` and its README protocol description (HEAD 70029fc)
//! and contiki-ng `examples/sensniff/sensniff.c` (the peripheral answers SET_CHANNEL with the
//! channel it is on, or ERR_NOT_SUPPORTED).

use super::link::Link;
use super::records::{Parse, RecordStream};
use super::{
    Deframer, DongleError, Event, Fcs, Firmware, RadioFrame, Reply, MAX_PSDU, REPLY_TIMEOUT,
};
use crate::capture::source::Channel;

pub const MAGIC: [u8; 4] = [0xc1, 0x1f, 0xfe, 0x72];
pub const LEGACY_MAGIC: [u8; 4] = *b"Snif";
pub const VERSION: u8 = 2;

pub const CMD_FRAME: u8 = 0x00;
pub const CMD_CHANNEL: u8 = 0x01;
pub const CMD_CHANNEL_MIN: u8 = 0x02;
pub const CMD_CHANNEL_MAX: u8 = 0x03;
pub const CMD_ERR_NOT_SUPPORTED: u8 = 0x7f;
pub const CMD_GET_CHANNEL: u8 = 0x81;
pub const CMD_SET_CHANNEL: u8 = 0x84;

pub struct Sensniff;
pub static SENSNIFF: Sensniff = Sensniff;

/// A host→peripheral command: GETs carry no length.
pub fn command(cmd: u8, data: Option<u8>) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.extend([VERSION, cmd]);
    if let Some(d) = data {
        v.extend([0, 1, d]);
    }
    v
}

impl Firmware for Sensniff {
    fn name(&self) -> &'static str {
        "sensniff"
    }

    fn bauds(&self) -> &'static [u32] {
        &[460_800]
    }

    fn deframer(&self) -> Box<dyn Deframer> {
        Box::new(deframer())
    }

    fn start(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        let tunes = "sensniff tunes channels of page 0 only";
        super::page0_channel(&link.name, channel, 0..=255, tunes)?;
        link.clear_replies();
        link.send(&command(CMD_SET_CHANNEL, Some(channel.number as u8)))?;
        let got = link.expect("SET_CHANNEL", REPLY_TIMEOUT, |r| match r {
            Reply::Channel(c) => Some(Some(*c)),
            Reply::NotSupported => Some(None),
            _ => None,
        })?;
        match got {
            Some(c) if c as u16 == channel.number => Ok(()),
            Some(c) => Err(DongleError::NoAnswer(format!(
                "{}: asked for channel {channel}, the peripheral stays on {c}",
                link.name
            ))),
            None => Err(DongleError::Refused(format!(
                "{}: the peripheral refused channel {channel}",
                link.name
            ))),
        }
    }

    fn check(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        link.clear_replies();
        link.send(&command(CMD_GET_CHANNEL, None))?;
        let c = link.expect("GET_CHANNEL", REPLY_TIMEOUT, |r| match r {
            Reply::Channel(c) => Some(*c),
            _ => None,
        })?;
        if c as u16 == channel.number {
            Ok(())
        } else {
            Err(DongleError::NoAnswer(format!(
                "{}: on channel {c} instead of {channel} (peripheral reset?)",
                link.name
            )))
        }
    }

    fn stop(&self, _link: &mut Link) {
        // sensniff has no stop command: the peripheral always captures.
    }
}

/// Finds sensniff records in the stream.
pub fn deframer() -> RecordStream {
    RecordStream::new(parse)
}

fn parse(b: &[u8]) -> Parse {
    let n = b.len().min(4);
    if b[..n] == LEGACY_MAGIC[..n] {
        return parse_legacy(b);
    }
    if b[..n] != MAGIC[..n] {
        return Parse::Skip;
    }
    if b.len() < 8 {
        return Parse::Incomplete;
    }
    let (version, cmd) = (b[4], b[5]);
    let len = u16::from_be_bytes([b[6], b[7]]) as usize;
    if version != VERSION || len > MAX_PSDU + 2 {
        return Parse::Bad;
    }
    if b.len() < 8 + len {
        return Parse::Incomplete;
    }
    let data = &b[8..8 + len];
    let ev = match (cmd, len) {
        (CMD_FRAME, _) => match frame(data) {
            Some(f) => Some(Event::Frame(f)),
            None => return Parse::Bad,
        },
        (CMD_CHANNEL, 1) => Some(Event::Reply(Reply::Channel(data[0]))),
        (CMD_CHANNEL_MIN | CMD_CHANNEL_MAX, 1) => None,
        (CMD_ERR_NOT_SUPPORTED, _) => Some(Event::Reply(Reply::NotSupported)),
        _ => return Parse::Bad,
    };
    Parse::Record(8 + len, ev)
}

fn parse_legacy(b: &[u8]) -> Parse {
    if b.len() < 5 {
        return Parse::Incomplete;
    }
    let len = b[4] as usize;
    if len > MAX_PSDU + 2 {
        return Parse::Bad;
    }
    if b.len() < 5 + len {
        return Parse::Incomplete;
    }
    match frame(&b[5..5 + len]) {
        Some(f) => Parse::Record(5 + len, Some(Event::Frame(f))),
        None => Parse::Bad,
    }
}

/// `MPDU | RSSI | CRC_OK<<7 | LQI`: CC24xx metadata in place of the FCS.
fn frame(data: &[u8]) -> Option<RadioFrame> {
    if data.len() < 3 + 2 {
        return None;
    }
    let (mpdu, meta) = data.split_at(data.len() - 2);
    Some(RadioFrame {
        mpdu: mpdu.to_vec(),
        fcs: Fcs::Checked(meta[1] & 0x80 != 0),
        rssi_dbm: Some(meta[0] as i8 as f32),
        lqi: Some(meta[1] & 0x7f),
        channel: None,
        device_us: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::dongle::StreamStats;

    fn all(input: &[u8], chunk: usize) -> (Vec<Event>, StreamStats) {
        let mut d = deframer();
        let mut out = vec![];
        for c in input.chunks(chunk) {
            d.push(c, &mut out);
        }
        (out, d.stats())
    }

    #[test]
    fn readme_examples() {
        assert_eq!(
            command(CMD_SET_CHANNEL, Some(15)),
            [0xc1, 0x1f, 0xfe, 0x72, 2, 0x84, 0, 1, 15]
        );
        assert_eq!(
            command(CMD_GET_CHANNEL, None),
            [0xc1, 0x1f, 0xfe, 0x72, 2, 0x81]
        );
        let (ev, _) = all(&[0xc1, 0x1f, 0xfe, 0x72, 2, 0x01, 0, 1, 15], 1);
        assert_eq!(ev, [Event::Reply(Reply::Channel(15))]);
    }

    #[test]
    fn frames_debug_text_and_legacy_records() {
        let mut input = b"Rime started\r\n".to_vec();
        input.extend([
            0xc1, 0x1f, 0xfe, 0x72, 2, 0, 0, 5, 0x02, 0x00, 0x2a, 0xd8, 0xec,
        ]);
        input.extend(b"Snif\x05\x02\x00\x2b\xd8\xec");
        // A damaged header (version 9) resynchronises on the next record.
        input.extend([0xc1, 0x1f, 0xfe, 0x72, 9, 0, 0, 6]);
        input.extend([0xc1, 0x1f, 0xfe, 0x72, 2, 0x7f, 0, 0]);
        let (ev, st) = all(&input, 3);
        assert_eq!(ev.len(), 3, "{ev:?}");
        let Event::Frame(f) = &ev[0] else { panic!() };
        assert_eq!(f.mpdu, [0x02, 0x00, 0x2a]);
        assert_eq!(f.rssi_dbm, Some(-40.0));
        assert_eq!(f.lqi, Some(0x6c));
        assert_eq!(f.fcs, Fcs::Checked(true));
        assert!(matches!(&ev[1], Event::Frame(f) if f.mpdu[2] == 0x2b));
        assert_eq!(ev[2], Event::Reply(Reply::NotSupported));
        assert_eq!(st.framing_errors, 1);
    }
}
