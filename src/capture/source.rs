//! What `-i` names: a libpcap interface or an 802.15.4 sniffer dongle, parsed into a
//! [`SourceSpec`], with the live-capture options every source shares ([`LiveOptions`]) and the
//! list of sources `-D` shows ([`available`]).
//!
//! | `-i`                 | source                                                   |
//! |----------------------|----------------------------------------------------------|
//! | `nrf802154:PATH`     | Nordic nRF Sniffer for 802.15.4 (text over CDC-ACM)      |
//! | `spinel:PATH`        | OpenThread RCP, Spinel over HDLC-lite                    |
//! | `sensniff:PATH`      | Contiki-NG sensniff                                      |
//! | `ti-sniffer2:PATH`   | TI SmartRF Packet Sniffer 2 firmware (CC13xx/CC26xx)     |
//! | `cc2531[:BUS.ADDR]`  | CC2531 USB dongle with TI's stock sniffer firmware       |
//! | `zep[:[ADDR:]PORT]`  | ZEP v1/v2 datagrams on UDP (default port 17754)          |
//! | anything else        | a libpcap interface (feature `live`)                     |

use super::dongle::SerialFirmware;
use std::path::PathBuf;
use std::time::Duration;

/// One capture source, as `-i` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceSpec {
    /// A libpcap interface (`eth0`, `any`).
    Pcap(String),
    /// A sniffer dongle on a serial port (CDC-ACM or UART).
    Serial {
        firmware: SerialFirmware,
        path: PathBuf,
    },
    /// A CC2531 on USB: the first one found, or the one at this bus number and address.
    Cc2531(Option<(u8, u8)>),
    /// A ZEP listener on this UDP address (simulators, Ethernet-attached sniffers).
    Zep(std::net::SocketAddr),
}

impl SourceSpec {
    /// The name as the user wrote it (pcapng interface name, status line, messages).
    pub fn name(&self) -> String {
        match self {
            SourceSpec::Pcap(name) => name.clone(),
            SourceSpec::Serial { firmware, path } => {
                format!("{}:{}", firmware.name(), path.display())
            }
            SourceSpec::Cc2531(None) => "cc2531".into(),
            SourceSpec::Cc2531(Some((bus, addr))) => format!("cc2531:{bus}.{addr}"),
            SourceSpec::Zep(addr) => format!("zep:{addr}"),
        }
    }

    /// True for the 802.15.4 dongles and ZEP (their frames are TAP records).
    pub fn is_dongle(&self) -> bool {
        !matches!(self, SourceSpec::Pcap(_))
    }
}

/// Parses what `-i` says. A name with none of the dongle prefixes is a libpcap interface.
pub fn parse(spec: &str) -> Result<SourceSpec, String> {
    if let Some((prefix, rest)) = spec.split_once(':') {
        if let Some(firmware) = SerialFirmware::from_name(prefix) {
            if rest.is_empty() {
                return Err(format!(
                    "-i {spec}: give the serial device, e.g. -i {prefix}:/dev/ttyACM0"
                ));
            }
            return Ok(SourceSpec::Serial {
                firmware,
                path: PathBuf::from(rest),
            });
        }
        if prefix == "zep" {
            return super::zep::parse_listen(rest)
                .map(SourceSpec::Zep)
                .ok_or_else(|| {
                    format!("-i {spec}: expected zep:PORT or zep:ADDR:PORT, e.g. zep:17754")
                });
        }
        if prefix == "cc2531" {
            return parse_usb_address(rest)
                .map(|a| SourceSpec::Cc2531(Some(a)))
                .ok_or_else(|| {
                    format!("-i {spec}: expected cc2531 or cc2531:BUS.ADDR, e.g. cc2531:1.7 (lowshark -D lists them)")
                });
        }
    }
    if spec == "cc2531" {
        return Ok(SourceSpec::Cc2531(None));
    }
    if spec == "zep" {
        return parse("zep:");
    }
    if spec.is_empty() {
        return Err("-i: empty interface name".into());
    }
    Ok(SourceSpec::Pcap(spec.to_string()))
}

fn parse_usb_address(s: &str) -> Option<(u8, u8)> {
    let (bus, addr) = s.split_once('.')?;
    Some((bus.parse().ok()?, addr.parse().ok()?))
}

/// A radio channel: 802.15.4 channel page and number (page 0, 11–26 at 2.4 GHz).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel {
    pub page: u8,
    pub number: u16,
}

impl Channel {
    /// A 2.4 GHz O-QPSK channel (page 0).
    pub const fn oqpsk(number: u16) -> Channel {
        Channel { page: 0, number }
    }

    /// `N` (page 0) or `PAGE:N`. Page 0 channels must be 11–26 (2.4 GHz); other pages are
    /// checked by the firmware that has to tune them.
    pub fn parse(s: &str) -> Result<Channel, String> {
        let (page, number) = match s.split_once(':') {
            Some((p, n)) => (p.trim().parse::<u8>().ok(), n.trim().parse::<u16>().ok()),
            None => (Some(0), s.trim().parse::<u16>().ok()),
        };
        match (page, number) {
            (Some(0), Some(n)) if (11..=26).contains(&n) => Ok(Channel::oqpsk(n)),
            (Some(page), Some(number)) if page > 0 && page <= 31 => Ok(Channel { page, number }),
            _ => Err(format!(
                "--channel {s}: expected 11 to 26 (2.4 GHz), or PAGE:NUMBER for a sub-GHz page"
            )),
        }
    }

    /// Centre frequency in MHz of a 2.4 GHz channel (§10.1.3.3: 2405 + 5·(k−11)).
    pub fn mhz_2450(self) -> Option<f64> {
        (self.page == 0 && (11..=26).contains(&self.number))
            .then_some(2405.0 + 5.0 * (self.number as f64 - 11.0))
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.page == 0 {
            write!(f, "{}", self.number)
        } else {
            write!(f, "{}:{}", self.page, self.number)
        }
    }
}

/// The channel a dongle starts on when `--channel` is not given (the Nordic extcap's default).
pub const DEFAULT_CHANNEL: Channel = Channel::oqpsk(11);

/// Options of a live capture that every source reads what it needs from.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// `--channel` (dongles).
    pub channel: Option<Channel>,
    /// `--baud` (serial dongles; the firmware's default otherwise).
    pub baud: Option<u32>,
    /// `--survey`: hop channels 11–26, this long on each.
    pub survey_dwell: Option<Duration>,
    /// `-s`: bytes kept of each packet (libpcap interfaces; dongle frames are whole).
    pub snaplen: Option<u32>,
    /// `-p`: leave the interface out of promiscuous mode.
    pub no_promisc: bool,
}

impl LiveOptions {
    pub fn channel(&self) -> Channel {
        self.channel.unwrap_or(DEFAULT_CHANNEL)
    }
}

/// The dongle sources present on this machine, by USB vendor and product id, as (name to pass
/// to `-i`, description). libpcap interfaces are listed by the caller (feature `live`).
pub fn available() -> Vec<(String, String)> {
    let mut out = super::dongle::detect::serial_dongles();
    out.extend(super::dongle::cc2531::detect());
    out.push((
        format!("zep:{}", super::zep::DEFAULT_PORT),
        "ZEP listener on UDP (simulators, Ethernet sniffers)".into(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dongle_prefixes_and_pcap_names() {
        let s = parse("nrf802154:/dev/ttyACM0").unwrap();
        assert_eq!(s.name(), "nrf802154:/dev/ttyACM0");
        assert!(s.is_dongle());
        assert_eq!(parse("eth0").unwrap(), SourceSpec::Pcap("eth0".into()));
        assert_eq!(parse("cc2531").unwrap(), SourceSpec::Cc2531(None));
        assert_eq!(
            parse("cc2531:3.12").unwrap(),
            SourceSpec::Cc2531(Some((3, 12)))
        );
        assert!(parse("cc2531:x").is_err());
        assert!(parse("spinel:").is_err());
        assert_eq!(parse("zep").unwrap().name(), "zep:0.0.0.0:17754");
        assert_eq!(parse("zep:127.0.0.1:9").unwrap().name(), "zep:127.0.0.1:9");
        assert!(parse("zep:nope").is_err());
        for p in ["spinel", "sensniff", "ti-sniffer2"] {
            assert_eq!(
                parse(&format!("{p}:/dev/x")).unwrap().name(),
                format!("{p}:/dev/x")
            );
        }
    }

    #[test]
    fn channels() {
        assert_eq!(Channel::parse("15").unwrap(), Channel::oqpsk(15));
        assert_eq!(
            Channel::parse("2:1").unwrap(),
            Channel { page: 2, number: 1 }
        );
        assert!(Channel::parse("10").is_err());
        assert!(Channel::parse("27").is_err());
        assert!(Channel::parse("x").is_err());
        assert_eq!(Channel::oqpsk(26).mhz_2450(), Some(2480.0));
    }
}
