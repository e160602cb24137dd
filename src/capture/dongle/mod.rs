//! Live 802.15.4 capture from sniffer dongles.
//!
//! ```text
//!  device ──bytes──▶ Port ──▶ Deframer ──Event──▶ Link ──RadioFrame──▶ supervisor ──▶ TAP frame
//!  (tty, pty,        (byte    (one per           (replies to the       (reconnects,     (283, with
//!   recorded file)    stream)  firmware)          setup, frames         health checks,   channel,
//!                                                 queued)               host clock)      RSSI, LQI)
//! ```
//!
//! - [`port`]: the byte-stream trait ([`port::Port`]) a serial device, a pseudo-terminal and a
//!   recorded byte file all implement, and opening a serial device with messages that say what
//!   to do.
//! - [`link`]: a port with its firmware's deframer: send commands, wait for a reply, read
//!   frames (frames that arrive while waiting for a reply are kept, not lost).
//! - One module per firmware: [`nrf802154`], [`spinel`] (with [`hdlc`]), [`sensniff`],
//!   [`ti_sniffer2`], and [`cc2531`] (USB bulk, behind its own trait, see [`usb`]).
//! - [`supervisor`]: one thread per dongle; the only place that knows about unplug, replug and
//!   firmware resets, shared by every firmware.
//! - [`tap`]: a [`RadioFrame`] as a LINKTYPE_IEEE802_15_4_TAP record, and the mapping of the
//!   dongle's clock onto the host's.
//!
//! Wire protocols: ../shared/dongles.md, checked against the sources each module names.

pub mod cc2531;
pub mod detect;
pub mod hdlc;
pub mod link;
pub mod nrf802154;
pub mod port;
pub mod records;
pub mod sensniff;
pub mod spinel;
pub mod supervisor;
pub mod survey;
pub mod tap;
pub mod ti_sniffer2;
pub mod usb;

use super::source::Channel;
use link::Link;
use std::time::Duration;

/// Longest PSDU 802.15.4 allows (aMaxPhyPacketSize): larger "frames" are framing errors.
pub const MAX_PSDU: usize = 127;

/// The 2.4 GHz O-QPSK channels (page 0) a CC24xx or nRF radio tunes.
pub const OQPSK_2450: std::ops::RangeInclusive<u16> = 11..=26;

/// Refuses a channel the dongle `name` cannot tune: anything off page 0 or outside `numbers`;
/// `tunes` says what it does tune ("the CC2531 tunes 2.4 GHz channels 11 to 26").
pub fn page0_channel(
    name: &str,
    channel: Channel,
    numbers: std::ops::RangeInclusive<u16>,
    tunes: &str,
) -> Result<(), DongleError> {
    if channel.page != 0 || !numbers.contains(&channel.number) {
        return Err(DongleError::Refused(format!(
            "{name}: {tunes}, not {channel}"
        )));
    }
    Ok(())
}

/// How a frame's FCS reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fcs {
    /// The two FCS octets as received (nRF, Spinel, TI Sniffer 2).
    Received([u8; 2]),
    /// The radio checked the CRC and replaced the FCS by its verdict (TI CC24xx format:
    /// sensniff, CC2531).
    Checked(bool),
}

/// One frame as a dongle delivered it, with the metadata it gave.
#[derive(Clone, Debug, PartialEq)]
pub struct RadioFrame {
    /// The MAC frame without its FCS.
    pub mpdu: Vec<u8>,
    pub fcs: Fcs,
    pub rssi_dbm: Option<f32>,
    pub lqi: Option<u8>,
    /// The channel the frame says it was received on (Spinel); others take the tuned one.
    pub channel: Option<Channel>,
    /// The dongle's receive time stamp, µs on its own clock (already unwrapped).
    pub device_us: Option<u64>,
}

impl RadioFrame {
    /// A frame from a PSDU that ends with its two FCS octets; None when it is too short to
    /// have them or longer than 802.15.4 allows.
    pub fn from_psdu(psdu: &[u8]) -> Option<RadioFrame> {
        if psdu.len() < 2 || psdu.len() > MAX_PSDU {
            return None;
        }
        let (mpdu, fcs) = psdu.split_at(psdu.len() - 2);
        Some(RadioFrame {
            mpdu: mpdu.to_vec(),
            fcs: Fcs::Received([fcs[0], fcs[1]]),
            rssi_dbm: None,
            lqi: None,
            channel: None,
            device_us: None,
        })
    }

    /// Whether the FCS is right: checked here for received octets, the radio's verdict else.
    pub fn fcs_ok(&self) -> bool {
        match self.fcs {
            Fcs::Received(b) => u16::from_le_bytes(b) == crate_crc16(&self.mpdu),
            Fcs::Checked(ok) => ok,
        }
    }
}

pub(crate) fn crate_crc16(data: &[u8]) -> u16 {
    dissectors::proto::ieee802154::crc16(data)
}

/// A firmware's answer to a command (what the setup waits for).
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// A text line that is not a frame (nRF shell output: command echo, `channel` answer).
    Line(String),
    /// The current channel (sensniff CHANNEL).
    Channel(u8),
    /// A command was refused (sensniff ERR_NOT_SUPPORTED).
    NotSupported,
    /// A command response with its status and payload (TI Sniffer 2).
    Response { status: u8, payload: Vec<u8> },
    /// A property value (Spinel PROP_IS): transaction id, property, value bytes.
    Property { tid: u8, prop: u32, value: Vec<u8> },
    /// The firmware says it restarted (Spinel LAST_STATUS reset): its setup is lost.
    Reset,
    /// The firmware reports an error (TI error packet) or lost frames.
    Error(u8),
}

/// What a deframer finds in the byte stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Frame(RadioFrame),
    Reply(Reply),
}

/// Counts a deframer keeps about the byte stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Frames and replies recognised.
    pub valid: u64,
    /// Times the stream had to be resynchronised (a damaged or unknown record).
    pub framing_errors: u64,
    /// Bytes skipped while looking for the next record.
    pub skipped: u64,
    /// Bytes received in all.
    pub bytes: u64,
}

/// Splits a firmware's byte stream into events. Pure: no I/O, never panics on any input, and
/// holds at most one record's worth of bytes while it waits for the rest.
pub trait Deframer: Send {
    /// Consumes `bytes`, appending what they complete to `out`.
    fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>);
    fn stats(&self) -> StreamStats;
}

/// Why a dongle could not be used (or stopped being usable).
#[derive(Debug)]
pub enum DongleError {
    /// The device is not there (any more): not found, unplugged, hung up.
    Gone(String),
    /// It is there but does not speak the firmware's protocol (wrong device, baud rate or
    /// firmware), or a setup command was not answered.
    NoAnswer(String),
    /// It refused a setting (channel out of range for this firmware).
    Refused(String),
    /// It cannot be opened and waiting will not help (permission, not a serial device).
    Fatal(String),
}

impl std::fmt::Display for DongleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DongleError::Gone(m)
            | DongleError::NoAnswer(m)
            | DongleError::Refused(m)
            | DongleError::Fatal(m) => f.write_str(m),
        }
    }
}

impl DongleError {
    /// An I/O error on an open device: it went away.
    pub fn io(what: &str, e: std::io::Error) -> DongleError {
        DongleError::Gone(format!("{what}: {e}"))
    }
}

/// How long a setup command may take to be answered.
pub const REPLY_TIMEOUT: Duration = Duration::from_millis(1500);

/// A serial sniffer firmware: its protocol's deframer and how to drive it.
pub trait Firmware: Send + Sync {
    /// The `-i` prefix.
    fn name(&self) -> &'static str;
    /// The baud rates to try, in order, when `--baud` is not given (USB CDC ignores it).
    fn bauds(&self) -> &'static [u32];
    fn deframer(&self) -> Box<dyn Deframer>;
    /// Configures the channel and starts the radio; replies are checked.
    fn start(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError>;
    /// Asks the firmware something that proves it is alive and still set up (tuned to
    /// `channel`); `Err(NoAnswer)` means it was reset or is not answering.
    fn check(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError>;
    /// Moves to another channel while capturing (survey); by default, the whole setup again.
    fn retune(&self, link: &mut Link, channel: Channel) -> Result<(), DongleError> {
        self.start(link, channel)
    }
    /// Stops the radio (best effort, at the end of a capture).
    fn stop(&self, link: &mut Link);
}

/// The serial firmwares `-i` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SerialFirmware {
    Nrf802154,
    Spinel,
    Sensniff,
    TiSniffer2,
}

impl SerialFirmware {
    pub const ALL: [SerialFirmware; 4] = [
        SerialFirmware::Nrf802154,
        SerialFirmware::Spinel,
        SerialFirmware::Sensniff,
        SerialFirmware::TiSniffer2,
    ];

    pub fn name(self) -> &'static str {
        self.driver().name()
    }

    pub fn from_name(name: &str) -> Option<SerialFirmware> {
        SerialFirmware::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn driver(self) -> &'static dyn Firmware {
        match self {
            SerialFirmware::Nrf802154 => &nrf802154::NRF802154,
            SerialFirmware::Spinel => &spinel::SPINEL,
            SerialFirmware::Sensniff => &sensniff::SENSNIFF,
            SerialFirmware::TiSniffer2 => &ti_sniffer2::TI_SNIFFER2,
        }
    }

    /// What it is, for `-D` and messages.
    pub fn description(self) -> &'static str {
        match self {
            SerialFirmware::Nrf802154 => "Nordic nRF Sniffer for 802.15.4",
            SerialFirmware::Spinel => "OpenThread RCP (Spinel)",
            SerialFirmware::Sensniff => "Contiki-NG sensniff",
            SerialFirmware::TiSniffer2 => "TI SmartRF Packet Sniffer 2",
        }
    }
}

/// The connector for a dongle source (None for a libpcap interface).
pub fn connector(
    spec: &super::source::SourceSpec,
    opts: &super::source::LiveOptions,
) -> Option<Box<dyn supervisor::Connector>> {
    use super::source::SourceSpec;
    match spec {
        SourceSpec::Serial { firmware, path } => Some(Box::new(supervisor::SerialConnector::new(
            *firmware,
            path.clone(),
            opts.baud,
        ))),
        SourceSpec::Cc2531(at) => Some(Box::new(cc2531::Cc2531Connector {
            bus: Box::new(usb::NusbBus),
            at: *at,
        })),
        SourceSpec::Zep(addr) => Some(Box::new(crate::capture::zep::ZepConnector { addr: *addr })),
        SourceSpec::Pcap(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random bytes in random chunks: no panic, frames within 802.15.4 limits, and the
    /// parsers hold no more than a record's worth of bytes.
    #[test]
    fn random_streams_never_panic() {
        let mut x: u32 = 0x9e37_79b9;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for round in 0..200 {
            let mut d: Box<dyn Deframer> = match round % 5 {
                4 => Box::new(cc2531::RecordDeframer::default()),
                i => SerialFirmware::ALL[i].driver().deframer(),
            };
            let mut out = vec![];
            for _ in 0..50 {
                let n = (rnd() % 300) as usize;
                // Mostly noise, with the firmwares' special bytes more often than chance.
                let bytes: Vec<u8> = (0..n)
                    .map(|_| match rnd() % 8 {
                        0 => {
                            [0x7e, 0x7d, 0x40, 0x53, 0xc1, b'\n', 0x00, 0x01][(rnd() % 8) as usize]
                        }
                        _ => rnd() as u8,
                    })
                    .collect();
                d.push(&bytes, &mut out);
            }
            for ev in out {
                if let Event::Frame(f) = ev {
                    assert!(f.mpdu.len() <= MAX_PSDU);
                }
            }
        }
    }
}
