//! The nRF Sniffer for 802.15.4 firmware as the emulator plays it: a shell that echoes until
//! `shell echo off`, `channel [N]`, `receive`, `sleep`, frame lines with the PSDU in lowercase
//! hex, RSSI, LQI and the µs clock, CR LF line ends (see `dongle::nrf802154`).

use super::{AirFrame, Model};
use std::fmt::Write;

pub(crate) struct Nrf {
    echo: bool,
    receiving: bool,
    channel: u16,
    line: Vec<u8>,
    quirks: bool,
}

impl Nrf {
    pub(crate) fn new(quirks: bool) -> Nrf {
        Nrf {
            echo: true,
            receiving: false,
            channel: 11,
            line: vec![],
            quirks,
        }
    }

    fn command(&mut self, cmd: &str, out: &mut Vec<u8>) {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["sleep"] => self.receiving = false,
            ["receive"] => self.receiving = true,
            ["shell", "echo", "off"] => self.echo = false,
            ["shell", "echo", "on"] => self.echo = true,
            ["channel"] => out.extend(format!("{}\r\n", self.channel).as_bytes()),
            ["channel", n] => {
                if let Ok(c @ 11..=26) = n.parse::<u16>() {
                    self.channel = c;
                }
            }
            [other, ..] => out.extend(format!("{other}: command not found\r\n").as_bytes()),
        }
    }
}

impl Model for Nrf {
    fn input(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                if self.echo && !line.is_empty() {
                    out.extend(line.as_bytes());
                    out.extend(b"\r\n");
                }
                self.command(line.trim(), out);
            } else if self.line.len() < 256 {
                self.line.push(b);
            }
        }
    }

    fn capturing(&self) -> Option<u16> {
        self.receiving.then_some(self.channel)
    }

    fn frame(&mut self, f: &AirFrame, time_us: u64, n: u64, out: &mut Vec<u8>) {
        let mut line = String::new();
        if self.quirks && n % 7 == 3 {
            // Shell text that lands in front of a frame line.
            line.push_str("uart:~$ ");
        }
        line.push_str("received: ");
        for b in f.psdu() {
            let _ = write!(line, "{b:02x}");
        }
        let _ = write!(line, " power: {} lqi: {} time: {time_us}", f.rssi, f.lqi);
        if self.quirks && n % 5 == 4 {
            // The fork that appends CRC fields.
            line.push_str(" crc: 0x0000 crcreversed: 0x0000 crcstatus: 1");
        }
        line.push_str("\r\n");
        out.extend(line.as_bytes());
    }

    fn reset(&mut self, out: &mut Vec<u8>) {
        *self = Nrf::new(self.quirks);
        out.extend(b"*** Booting nRF Connect SDK ***\r\n");
    }
}
