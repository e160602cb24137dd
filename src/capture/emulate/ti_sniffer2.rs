//! The TI SmartRF Packet Sniffer 2 firmware as the emulator plays it: every command answered
//! by a response packet with a status, PING with chip and firmware ids, CFG_PHY checked against
//! the board's PHY table, data packets with the µs time, PHR, PSDU, RSSI and the CC1200-format
//! status byte (bit 7 CRC OK).

use super::{AirFrame, Model};
use crate::capture::dongle::ti_sniffer2::*;

/// The ids the emulated board reports (a CC1352P7 LaunchPad, firmware 1.10).
const CHIP_ID: u16 = 0x1352;
const FIRMWARE_ID: u8 = 51;

pub(crate) struct Sniffer {
    buf: Vec<u8>,
    phy_ok: bool,
    mhz: Option<u16>,
    started: bool,
}

impl Sniffer {
    pub(crate) fn new() -> Sniffer {
        Sniffer {
            buf: vec![],
            phy_ok: false,
            mhz: None,
            started: false,
        }
    }

    fn command(&mut self, info: u8, payload: &[u8], out: &mut Vec<u8>) {
        let mut answer = vec![0u8];
        let ok = match info {
            PING => {
                answer.extend(CHIP_ID.to_le_bytes());
                answer.extend([0x21, FIRMWARE_ID, 0x10, 0x01]);
                true
            }
            CFG_PHY => {
                self.phy_ok = payload.first() == Some(&oqpsk_phy(FIRMWARE_ID));
                self.phy_ok
            }
            CFG_FREQUENCY if payload.len() == 4 => {
                self.mhz = Some(u16::from_le_bytes([payload[0], payload[1]]));
                true
            }
            START if self.phy_ok && self.mhz.is_some() => {
                self.started = true;
                true
            }
            STOP => {
                self.started = false;
                true
            }
            _ => false,
        };
        if !ok {
            answer = vec![1];
        }
        out.extend(packet(RESPONSE, &answer));
    }
}

impl Model for Sniffer {
    fn input(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.buf.extend_from_slice(bytes);
        loop {
            let Some(start) = self.buf.windows(2).position(|w| w == SOF) else {
                self.buf.clear();
                return;
            };
            self.buf.drain(..start);
            if self.buf.len() < 5 {
                return;
            }
            let (info, len) = (
                self.buf[2],
                u16::from_le_bytes([self.buf[3], self.buf[4]]) as usize,
            );
            if self.buf.len() < 5 + len + 3 {
                if len > 64 {
                    self.buf.drain(..2);
                    continue;
                }
                return;
            }
            let payload = self.buf[5..5 + len].to_vec();
            let good =
                self.buf[5 + len] == checksum(info, &payload) && self.buf[6 + len..8 + len] == EOF;
            self.buf.drain(..8 + len);
            if good {
                self.command(info, &payload, out);
            }
        }
    }

    fn capturing(&self) -> Option<u16> {
        let mhz = self.mhz?;
        (self.started && mhz >= 2405).then(|| (mhz - 2405) / 5 + 11)
    }

    fn frame(&mut self, f: &AirFrame, time_us: u64, _n: u64, out: &mut Vec<u8>) {
        let psdu = f.psdu();
        let mut p = time_us.to_le_bytes()[..6].to_vec();
        p.push(psdu.len() as u8);
        p.extend(&psdu);
        p.push(f.rssi as u8);
        p.push(if f.bad_fcs { 0 } else { 0x80 });
        let len = (p.len() as u16).to_le_bytes();
        out.extend([SOF[0], SOF[1], DATA, len[0], len[1]]);
        out.extend(p);
        out.extend(EOF);
    }

    fn reset(&mut self, _out: &mut Vec<u8>) {
        *self = Sniffer::new();
    }
}
