//! `-i zep:[ADDR:]PORT`: a ZEP (ZigBee Encapsulation Protocol) listener on UDP, for simulators
//! (Cooja, Renode, OpenWSN) and Ethernet-attached sniffers that forward what they hear as ZEP
//! datagrams. Each datagram's 802.15.4 frame becomes one TAP record, like a dongle's, through
//! the same supervisor (status, host clock, merge with other `-i`).
//!
//! There is no formal standard; the layout is Wireshark's packet-zep.c (see also
//! `dissectors/src/proto/ieee802154/zep.rs`, which decodes the datagrams themselves):
//!
//! ```text
//! v1:      | "EX" | 1 | channel | device id(2) | mode | LQI | reserved(7) | len | PSDU |
//! v2 data: | "EX" | 2 | 1 | channel | device id(2) | mode | LQI |
//!          | NTP time(8) | sequence(4) | reserved(10) | len | PSDU |
//! v2 ack:  | "EX" | 2 | 2 | sequence(4) |                     (no frame: ignored)
//! ```
//!
//! `mode` 1 (CRC): the PSDU ends with its FCS. `mode` 0 (LQI): the last two octets are TI
//! CC24xx metadata instead (RSSI as i8 dBm; CRC-OK in bit 7 of the second octet), so the
//! frame gets the radio's verdict and RSSI. The v2 time stamp is the sender's clock: its
//! spacing is kept and mapped onto the host clock, as a dongle's is.

use super::dongle::supervisor::{Connector, Device};
use super::dongle::{DongleError, Fcs, RadioFrame, StreamStats, MAX_PSDU};
use super::source::Channel;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

/// The port simulators and sniffers send ZEP to (the one the ZEP dissector is registered on).
pub const DEFAULT_PORT: u16 = dissectors::proto::ieee802154::zep::UDP_PORT;
/// Header lengths of ZEP v1 and v2 data packets, and the v2 types (see the module's diagram).
const V1_HEADER: usize = 16;
const V2_HEADER: usize = 32;
const TYPE_DATA: u8 = 1;
const TYPE_ACK: u8 = 2;
/// Senders whose sequence numbers are followed (for the drop count); more are not tracked.
const MAX_SENDERS: usize = 64;
/// A sequence jump larger than this is a restarted sender, not lost datagrams.
const MAX_GAP: u32 = 10_000;

/// `ADDR:PORT`, `PORT` or `ADDR` (port 17754), or nothing (every IPv4 address, port 17754).
pub fn parse_listen(s: &str) -> Option<SocketAddr> {
    let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    if s.is_empty() {
        return Some(SocketAddr::new(any, DEFAULT_PORT));
    }
    if let Ok(port) = s.parse::<u16>() {
        return Some(SocketAddr::new(any, port));
    }
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Some(addr);
    }
    let ip = s.trim_start_matches('[').trim_end_matches(']');
    ip.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, DEFAULT_PORT))
}

/// What one datagram holds.
#[derive(Debug, PartialEq)]
pub enum Datagram {
    Frame(RadioFrame),
    /// A v2 ack (carries no frame).
    Ack,
}

/// One ZEP frame: the 802.15.4 frame with the channel, LQI, RSSI (LQI mode) and the sender's
/// time stamp (v2) it came with. `(datagram, sequence)`; None when it is not ZEP or is cut.
pub fn decode(d: &[u8]) -> Option<(Datagram, Option<u32>)> {
    if d.len() < 4 || &d[..2] != b"EX" {
        return None;
    }
    let (version, hdr) = match d[2] {
        1 => (1, V1_HEADER),
        2 if d[3] == TYPE_ACK => {
            let seq = d.get(4..8)?;
            let seq = u32::from_be_bytes(seq.try_into().ok()?);
            return Some((Datagram::Ack, Some(seq)));
        }
        2 if d[3] == TYPE_DATA => (2, V2_HEADER),
        _ => return None,
    };
    let h = d.get(..hdr)?;
    // Fields after the version; v2 has its type octet in between.
    let b = if version == 1 { 3 } else { 4 };
    let channel = h[b];
    let crc_mode = h[b + 3] != 0;
    let lqi = h[b + 4];
    let len = (h[hdr - 1] & 0x7f) as usize;
    let psdu = d.get(hdr..hdr + len)?;
    if psdu.len() < 2 || psdu.len() > MAX_PSDU {
        return None;
    }
    let (mpdu, tail) = psdu.split_at(len - 2);
    let (fcs, rssi_dbm) = if crc_mode {
        (Fcs::Received([tail[0], tail[1]]), None)
    } else {
        (
            Fcs::Checked(tail[1] & 0x80 != 0),
            Some(tail[0] as i8 as f32),
        )
    };
    let (device_us, seq) = if version == 2 {
        let secs = u32::from_be_bytes(h[9..13].try_into().ok()?);
        let frac = u32::from_be_bytes(h[13..17].try_into().ok()?);
        let seq = u32::from_be_bytes(h[17..21].try_into().ok()?);
        (ntp_us(secs, frac), Some(seq))
    } else {
        (None, None)
    };
    let frame = RadioFrame {
        mpdu: mpdu.to_vec(),
        fcs,
        rssi_dbm,
        lqi: Some(lqi),
        channel: Some(Channel::oqpsk(channel as u16)),
        device_us,
    };
    Some((Datagram::Frame(frame), seq))
}

/// An NTP time stamp as µs since 1970 (RFC 5905 §6; seconds with the top bit clear are era 1,
/// from 2036). A zero stamp means the sender has no clock: None.
fn ntp_us(secs: u32, frac: u32) -> Option<u64> {
    const NTP_TO_UNIX: i64 = 2_208_988_800;
    if secs == 0 && frac == 0 {
        return None;
    }
    let mut s = secs as i64;
    if secs & 0x8000_0000 == 0 {
        s += 1 << 32;
    }
    let us = (frac as u64 * 1_000_000) >> 32;
    u64::try_from(s - NTP_TO_UNIX)
        .ok()
        .map(|s| s * 1_000_000 + us)
}

/// Binds the listening socket (again, for the supervisor's reconnect).
pub struct ZepConnector {
    pub addr: SocketAddr,
}

impl Connector for ZepConnector {
    fn name(&self) -> String {
        format!("zep:{}", self.addr)
    }

    fn description(&self) -> String {
        "ZEP listener (UDP)".into()
    }

    fn tunes(&self) -> bool {
        false
    }

    fn connect(&mut self, _channel: Channel) -> Result<Box<dyn Device>, DongleError> {
        let socket = UdpSocket::bind(self.addr).map_err(|e| {
            DongleError::Fatal(format!(
                "zep:{}: cannot listen: {e} (another listener on the port? use zep:PORT)",
                self.addr
            ))
        })?;
        Ok(Box::new(ZepListener {
            socket,
            timeout: None,
            buf: vec![0; 2048],
            stats: StreamStats::default(),
            dropped: 0,
            last_seq: Vec::new(),
        }))
    }
}

struct ZepListener {
    socket: UdpSocket,
    /// The read timeout set on the socket (set again only when the supervisor asks another).
    timeout: Option<Duration>,
    buf: Vec<u8>,
    stats: StreamStats,
    /// Datagrams lost by the sequence numbers.
    dropped: u64,
    /// Last sequence number per sender, at most [`MAX_SENDERS`].
    last_seq: Vec<(SocketAddr, u32)>,
}

impl ZepListener {
    /// Counts the datagrams a gap in `from`'s sequence numbers says were lost.
    fn follow(&mut self, from: SocketAddr, seq: u32) {
        if let Some((_, last)) = self.last_seq.iter_mut().find(|(a, _)| *a == from) {
            let gap = seq.wrapping_sub(*last);
            if gap > 1 && gap <= MAX_GAP {
                self.dropped += (gap - 1) as u64;
            }
            *last = seq;
        } else if self.last_seq.len() < MAX_SENDERS {
            self.last_seq.push((from, seq));
        }
    }
}

impl Device for ZepListener {
    fn next_frame(&mut self, timeout: Duration) -> Result<Option<RadioFrame>, DongleError> {
        let timeout = timeout.max(Duration::from_millis(1));
        if self.timeout != Some(timeout) && self.socket.set_read_timeout(Some(timeout)).is_ok() {
            self.timeout = Some(timeout);
        }
        let (n, from) = match self.socket.recv_from(&mut self.buf) {
            Ok(r) => r,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock) => return Ok(None),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut) => return Ok(None),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::Interrupted) => return Ok(None),
            Err(e) => return Err(DongleError::Fatal(format!("zep: {e}"))),
        };
        self.stats.bytes += n as u64;
        match decode(&self.buf[..n]) {
            Some((d, seq)) => {
                self.stats.valid += 1;
                if let Some(seq) = seq {
                    self.follow(from, seq);
                }
                Ok(match d {
                    Datagram::Frame(f) => Some(f),
                    Datagram::Ack => None,
                })
            }
            None => {
                self.stats.framing_errors += 1;
                self.stats.skipped += n as u64;
                Ok(None)
            }
        }
    }

    /// A socket has nothing to check or set up again.
    fn check(&mut self, _channel: Channel) -> Result<(), DongleError> {
        Ok(())
    }

    fn restart(&mut self, _channel: Channel) -> Result<(), DongleError> {
        Ok(())
    }

    fn retune(&mut self, _channel: Channel) -> Result<(), DongleError> {
        Err(DongleError::Refused(
            "zep: the sender chooses the channel".into(),
        ))
    }

    fn stats(&self) -> (StreamStats, u64) {
        (self.stats, self.dropped)
    }

    fn stop(&mut self) {}
}

/// A ZEP v2 data datagram (CRC mode) carrying `psdu` (frame and FCS), for tests and tools.
pub fn encode_v2(channel: u8, lqi: u8, ntp: (u32, u32), seq: u32, psdu: &[u8]) -> Vec<u8> {
    let mut d = Vec::with_capacity(V2_HEADER + psdu.len());
    d.extend(b"EX");
    d.extend([2, TYPE_DATA, channel, 0, 1, 1, lqi]);
    d.extend(ntp.0.to_be_bytes());
    d.extend(ntp.1.to_be_bytes());
    d.extend(seq.to_be_bytes());
    d.extend([0; 10]);
    d.push(psdu.len() as u8);
    d.extend(psdu);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        let any = |p| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), p);
        assert_eq!(parse_listen(""), Some(any(17754)));
        assert_eq!(parse_listen("5000"), Some(any(5000)));
        assert_eq!(
            parse_listen("127.0.0.1:9"),
            Some("127.0.0.1:9".parse().unwrap())
        );
        assert_eq!(parse_listen("::1"), Some("[::1]:17754".parse().unwrap()));
        assert_eq!(parse_listen("[::1]:7"), Some("[::1]:7".parse().unwrap()));
        assert_eq!(parse_listen("x:1"), None);
    }

    #[test]
    fn v2_crc_mode_with_time_and_sequence() {
        let d = encode_v2(
            15,
            200,
            (0xeb00_0000, 0x8000_0000),
            7,
            &[2, 0, 42, 0x11, 0x22],
        );
        let (Datagram::Frame(f), Some(7)) = decode(&d).unwrap() else {
            panic!("not a frame")
        };
        assert_eq!(f.mpdu, [2, 0, 42]);
        assert_eq!(f.fcs, Fcs::Received([0x11, 0x22]));
        assert_eq!(f.channel, Some(Channel::oqpsk(15)));
        assert_eq!(f.lqi, Some(200));
        assert_eq!(f.rssi_dbm, None);
        let secs = 0xeb00_0000u64 - 2_208_988_800;
        assert_eq!(f.device_us, Some(secs * 1_000_000 + 500_000));
    }

    #[test]
    fn v1_lqi_mode_takes_the_radio_verdict_and_rssi() {
        let mut d = b"EX".to_vec();
        d.extend([1, 20, 0, 1, 0, 99, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0, 9]);
        d.extend([(-60i8) as u8, 0x80 | 40]);
        d[15] = 5;
        let (Datagram::Frame(f), None) = decode(&d).unwrap() else {
            panic!("not a frame")
        };
        assert_eq!(f.mpdu, [2, 0, 9]);
        assert_eq!(f.fcs, Fcs::Checked(true));
        assert_eq!(f.rssi_dbm, Some(-60.0));
        assert_eq!(f.channel, Some(Channel::oqpsk(20)));
        assert_eq!(f.device_us, None);
    }

    proptest::proptest! {
        /// Any datagram: no panic, and a frame only within 802.15.4's limits.
        #[test]
        fn any_datagram_is_safe(mut d in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            if d.len() > 4 {
                // Often ZEP-looking, so the header paths run too.
                d[0] = b'E';
                d[1] = b'X';
                d[2] = 1 + d[2] % 2;
            }
            if let Some((Datagram::Frame(f), _)) = decode(&d) {
                proptest::prop_assert!(f.mpdu.len() + 2 <= MAX_PSDU);
            }
        }
    }

    #[test]
    fn acks_junk_and_cut_datagrams() {
        let ack = [b'E', b'X', 2, 2, 0, 0, 0, 9];
        assert_eq!(decode(&ack), Some((Datagram::Ack, Some(9))));
        assert_eq!(decode(b"EX"), None);
        assert_eq!(decode(b"GET / HTTP/1.1"), None);
        let d = encode_v2(11, 0, (0, 0), 1, &[1, 2, 3, 4]);
        assert_eq!(decode(&d[..d.len() - 1]), None);
        // Length octet says 1: no room for the FCS.
        let mut short = encode_v2(11, 0, (0, 0), 1, &[1]);
        short[31] = 1;
        assert_eq!(decode(&short), None);
        for n in 0..d.len() {
            let _ = decode(&d[..n]);
        }
    }
}
