//! Nordic "nRF Sniffer for 802.15.4" (nRF52840 dongle and DK, nRF5340): a Zephyr shell over
//! USB CDC-ACM, plain text, lines ending in CR LF.
//!
//! ```text
//! host → dongle   sleep␍␊  shell echo off␍␊  channel 15␍␊  channel␍␊  receive␍␊
//! dongle → host   15␍␊                                     (the answer to the bare `channel`)
//!                 received: <PSDU hex incl. FCS> power: <dBm> lqi: <0..255> time: <µs>␍␊
//! ```
//!
//! The frame line's hex is the whole PSDU, FCS included (the radio runs in raw mode); `time`
//! is the radio's receive time in µs since boot (64-bit in the nRF Connect SDK firmware, 32-bit
//! and wrapping every ~71.6 min in the older nRF5 SDK one, unwrapped here). Text before
//! `received:` and fields after `time:` are tolerated, as the official extcap's unanchored
//! regex does. Read from sdk-nrf `samples/peripheral/802154_sniffer/src/main.c` (commit
//! 41a8e0d: `channel` with no argument prints `nrf_802154_channel_get()`, frames are printed by
//! `shell_print` one line each) and the extcap `nrf802154_sniffer.py` (0.7.x: `sleep`,
//! `channel N`, `receive`; 0.8.0 adds `shell echo off`).
//!
//! Reset detection: the firmware boots with echo on and the radio asleep; the periodic check
//! asks `channel` and sees either a different channel or its own command echoed back.

use super::link::Link;
use super::{
    Deframer, DongleError, Event, Firmware, RadioFrame, Reply, StreamStats, REPLY_TIMEOUT,
};
use crate::capture::source::Channel;
use std::time::Duration;

/// Longest line kept: a 127-byte frame line is about 320 characters.
const MAX_LINE: usize = 1024;

pub struct Nrf802154;
pub static NRF802154: Nrf802154 = Nrf802154;

impl Firmware for Nrf802154 {
    fn name(&self) -> &'static str {
        "nrf802154"
    }

    fn bauds(&self) -> &'static [u32] {
        // USB CDC-ACM: the rate is ignored; pyserial's default, as the extcap opens it.
        &[115_200]
    }

    fn deframer(&self) -> Box<dyn Deframer> {
        Box::new(LineDeframer::default())
    }

    fn start(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        check_channel(link, channel)?;
        link.send(b"\r\nsleep\r\nshell echo off\r\n")?;
        // The echo of the lines above (echo was still on) and any shell noise.
        link.drain(Duration::from_millis(200))?;
        link.send(format!("channel {}\r\n", channel.number).as_bytes())?;
        self.check(link, channel)?;
        link.send(b"receive\r\n")
    }

    fn check(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        link.clear_replies();
        link.send(b"channel\r\n")?;
        let got = link.expect("`channel`", REPLY_TIMEOUT, |r| match r {
            Reply::Line(l) if l == "channel" => Some(None),
            Reply::Line(l) => l.parse::<u16>().ok().map(Some),
            _ => None,
        })?;
        match got {
            Some(n) if n == channel.number => Ok(()),
            Some(n) => Err(DongleError::NoAnswer(format!(
                "{}: on channel {n} instead of {channel} (firmware reset?)",
                link.name
            ))),
            None => Err(DongleError::NoAnswer(format!(
                "{}: the shell echoes commands again (firmware reset?)",
                link.name
            ))),
        }
    }

    fn retune(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        link.send(format!("channel {}\r\n", channel.number).as_bytes())?;
        self.check(link, channel)
    }

    fn stop(&self, link: &mut Link) {
        let _ = link.send(b"\r\nsleep\r\n");
    }
}

fn check_channel(link: &Link, channel: Channel) -> Result<(), DongleError> {
    let tunes = "the nRF sniffer only tunes 2.4 GHz channels 11 to 26";
    super::page0_channel(&link.name, channel, super::OQPSK_2450, tunes)
}

/// Splits the shell's output into lines and parses frame lines.
#[derive(Default)]
pub struct LineDeframer {
    line: Vec<u8>,
    /// The current line is over [`MAX_LINE`]: drop it up to its end.
    overflow: bool,
    stats: StreamStats,
    clock: Wrap32,
}

impl Deframer for LineDeframer {
    fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.stats.bytes += bytes.len() as u64;
        for &b in bytes {
            if b == b'\n' {
                if self.overflow {
                    self.overflow = false;
                } else {
                    let line = std::mem::take(&mut self.line);
                    self.line_done(&line, out);
                }
                self.line.clear();
            } else if self.line.len() >= MAX_LINE {
                if !self.overflow {
                    self.overflow = true;
                    self.stats.framing_errors += 1;
                    self.stats.skipped += self.line.len() as u64;
                    self.line.clear();
                }
                self.stats.skipped += 1;
            } else if !self.overflow {
                self.line.push(b);
            } else {
                self.stats.skipped += 1;
            }
        }
    }

    fn stats(&self) -> StreamStats {
        self.stats
    }
}

impl LineDeframer {
    fn line_done(&mut self, raw: &[u8], out: &mut Vec<Event>) {
        let text = match std::str::from_utf8(raw) {
            Ok(t)
                if t.bytes()
                    .all(|b| b == b'\t' || b == b'\r' || (0x20..0x7f).contains(&b)) =>
            {
                t.trim()
            }
            _ => {
                self.stats.framing_errors += 1;
                self.stats.skipped += raw.len() as u64;
                return;
            }
        };
        if text.is_empty() {
            return;
        }
        let Some(at) = text.find("received:") else {
            self.stats.valid += 1;
            out.push(Event::Reply(Reply::Line(text.to_string())));
            return;
        };
        match parse_frame_line(&text[at + "received:".len()..]) {
            Some((mut f, time)) => {
                f.device_us = Some(self.clock.unwrap(time));
                self.stats.valid += 1;
                out.push(Event::Frame(f));
            }
            None => {
                self.stats.framing_errors += 1;
                self.stats.skipped += raw.len() as u64;
            }
        }
    }
}

/// ` <hex> power: <int> lqi: <int> time: <int> [anything]`
fn parse_frame_line(rest: &str) -> Option<(RadioFrame, u64)> {
    let mut words = rest.split_whitespace();
    let psdu = hex(words.next()?)?;
    let mut f = RadioFrame::from_psdu(&psdu)?;
    let (mut power, mut lqi, mut time) = (None, None, None);
    while let Some(w) = words.next() {
        match w {
            "power:" => power = words.next()?.parse::<i16>().ok(),
            "lqi:" => lqi = words.next()?.parse::<u8>().ok(),
            "time:" => time = words.next()?.parse::<u64>().ok(),
            _ => {}
        }
    }
    f.rssi_dbm = Some(power? as f32);
    f.lqi = Some(lqi?);
    Some((f, time?))
}

/// Lower- or upper-case hex, two digits per byte.
pub fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// Unwraps a µs counter that older firmware kept in 32 bits: a value that falls by more than
/// half the range after being large is taken as a wrap.
#[derive(Default)]
struct Wrap32 {
    last: Option<u64>,
    epochs: u64,
}

impl Wrap32 {
    fn unwrap(&mut self, t: u64) -> u64 {
        if t <= u32::MAX as u64 {
            if let Some(last) = self.last {
                if last > t && last - t > 1 << 31 {
                    self.epochs += 1;
                }
            }
            self.last = Some(t);
            t + (self.epochs << 32)
        } else {
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(input: &[u8]) -> (Vec<Event>, StreamStats) {
        let mut d = LineDeframer::default();
        let mut out = vec![];
        // Byte by byte: a line split anywhere must give the same result.
        for b in input {
            d.push(std::slice::from_ref(b), &mut out);
        }
        (out, d.stats())
    }

    #[test]
    fn frame_line_from_the_firmware_readme_shape() {
        let line = b"received: 0200114a62 power: -39 lqi: 220 time: 15822687\r\n";
        let (ev, st) = events(line);
        let Event::Frame(f) = &ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(f.mpdu, [0x02, 0x00, 0x11]);
        assert_eq!(f.fcs, super::super::Fcs::Received([0x4a, 0x62]));
        assert_eq!(f.rssi_dbm, Some(-39.0));
        assert_eq!(f.lqi, Some(220));
        assert_eq!(f.device_us, Some(15822687));
        assert_eq!(st.valid, 1);
    }

    #[test]
    fn noise_before_and_fields_after_are_tolerated() {
        let (ev, _) = events(
            b"uart:~$ received: 020011 power: 5 lqi: 1 time: 9 crc: 0x1234 crcstatus: 1\r\n15\r\n",
        );
        assert!(matches!(ev[0], Event::Frame(_)));
        assert_eq!(ev[1], Event::Reply(Reply::Line("15".into())));
    }

    #[test]
    fn bad_lines_are_framing_errors_and_the_next_line_parses() {
        let mut input = b"received: 0x zz power: 1\r\n".to_vec();
        input.extend([0xff, 0x00, 0x80, b'\n']);
        input.extend(vec![b'a'; 3000]);
        input.extend(b"\nreceived: 020011 power: -1 lqi: 2 time: 3\n");
        let (ev, st) = events(&input);
        assert_eq!(st.framing_errors, 3);
        assert_eq!(ev.len(), 1);
        assert!(matches!(ev[0], Event::Frame(_)));
    }

    #[test]
    fn thirty_two_bit_time_unwraps() {
        let mut w = Wrap32::default();
        assert_eq!(w.unwrap(u32::MAX as u64 - 10), u32::MAX as u64 - 10);
        assert_eq!(w.unwrap(5), (1 << 32) + 5);
        assert_eq!(w.unwrap(1 << 40), 1 << 40);
    }
}
