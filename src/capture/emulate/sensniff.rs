//! The Contiki-NG sensniff peripheral as the emulator plays it: a byte-level command parser
//! (GET commands run as soon as their command byte arrives, others need LEN 1, unknown ones get
//! ERR_NOT_SUPPORTED, half a second without input resets the parser), frames with the CC24xx
//! trailer, debug text between them, and bad-CRC frames dropped by the radio.

use super::{AirFrame, Model};
use crate::capture::dongle::sensniff::*;
use std::time::{Duration, Instant};

pub(crate) struct Peripheral {
    channel: u16,
    /// Bytes of the command being received.
    cmd: Vec<u8>,
    last_byte: Instant,
    quirks: bool,
}

fn record(cmd: u8, data: &[u8]) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.extend([VERSION, cmd]);
    v.extend((data.len() as u16).to_be_bytes());
    v.extend(data);
    v
}

impl Peripheral {
    pub(crate) fn new(quirks: bool) -> Peripheral {
        Peripheral {
            channel: 26,
            cmd: vec![],
            last_byte: Instant::now(),
            quirks,
        }
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        if self.last_byte.elapsed() > Duration::from_millis(500) {
            self.cmd.clear();
        }
        self.last_byte = Instant::now();
        let i = self.cmd.len();
        let expected = match i {
            0..=3 => Some(MAGIC[i]),
            4 => Some(VERSION),
            _ => None,
        };
        if expected.is_some_and(|e| e != b) {
            self.cmd.clear();
            return;
        }
        self.cmd.push(b);
        let c = &self.cmd;
        match c.len() {
            6 => match c[5] {
                CMD_GET_CHANNEL => self.reply(CMD_CHANNEL, self.channel as u8, out),
                0x82 => self.reply(CMD_CHANNEL_MIN, 11, out),
                0x83 => self.reply(CMD_CHANNEL_MAX, 26, out),
                CMD_SET_CHANNEL => {}
                _ => {
                    out.extend(record(CMD_ERR_NOT_SUPPORTED, &[]));
                    self.cmd.clear();
                }
            },
            8 if u16::from_be_bytes([c[6], c[7]]) != 1 => self.cmd.clear(),
            9 => {
                let ch = c[8] as u16;
                if (11..=26).contains(&ch) {
                    self.channel = ch;
                    self.reply(CMD_CHANNEL, ch as u8, out);
                } else {
                    out.extend(record(CMD_ERR_NOT_SUPPORTED, &[]));
                    self.cmd.clear();
                }
            }
            _ => {}
        }
    }

    fn reply(&mut self, cmd: u8, v: u8, out: &mut Vec<u8>) {
        out.extend(record(cmd, &[v]));
        self.cmd.clear();
    }
}

impl Model for Peripheral {
    fn input(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        for &b in bytes {
            self.byte(b, out);
        }
    }

    fn capturing(&self) -> Option<u16> {
        Some(self.channel)
    }

    fn frame(&mut self, f: &AirFrame, _time_us: u64, n: u64, out: &mut Vec<u8>) {
        if self.quirks && n % 6 == 5 {
            out.extend(b"sensniff: rx ok\r\n");
        }
        let mut data = f.mpdu.clone();
        data.extend([f.rssi as u8, 0x80 | (f.lqi & 0x7f)]);
        out.extend(record(CMD_FRAME, &data));
    }

    fn reset(&mut self, out: &mut Vec<u8>) {
        *self = Peripheral::new(self.quirks);
        out.extend(b"Contiki-NG\r\nsensniff started\r\n");
    }

    fn passes_bad_fcs(&self) -> bool {
        false
    }
}
