//! Which serial ports are sniffer dongles, by USB vendor and product id (for `-D`).
//!
//! The ids are those the firmwares enumerate with (dongles.md §2.1 for Nordic; the
//! LaunchPads' XDS110 bridge for TI; OpenThread's nRF52840 USB transport; TI's CC2538 USB
//! stack that Contiki-NG uses). A port with another id may still be a dongle (a UART adapter):
//! `-i FIRMWARE:PATH` works on any serial device.

use super::SerialFirmware;

/// (vendor, product, firmware, what it is).
const KNOWN: &[(u16, u16, SerialFirmware, &str)] = &[
    (
        0x1915,
        0x154b,
        SerialFirmware::Nrf802154,
        "nRF Sniffer for 802.15.4",
    ),
    (
        0x1915,
        0x154a,
        SerialFirmware::Nrf802154,
        "nRF Sniffer for 802.15.4 (nRF5 SDK firmware)",
    ),
    (
        0x1915,
        0xcafe,
        SerialFirmware::Spinel,
        "OpenThread RCP on nRF52840 USB",
    ),
    (
        0x0451,
        0xbef3,
        SerialFirmware::TiSniffer2,
        "TI LaunchPad (XDS110), if it runs Packet Sniffer 2",
    ),
    (
        0x0451,
        0x16c8,
        SerialFirmware::Sensniff,
        "CC2538 USB (Contiki-NG), if it runs sensniff",
    ),
];

/// The firmware a USB serial device with these ids most likely runs.
pub fn firmware_for(vid: u16, pid: u16) -> Option<(SerialFirmware, &'static str)> {
    KNOWN
        .iter()
        .find(|k| k.0 == vid && k.1 == pid)
        .map(|k| (k.2, k.3))
}

/// (name for `-i`, description) of each serial port that looks like a known dongle.
pub fn serial_dongles() -> Vec<(String, String)> {
    // serialport's sysfs scan panics when /sys/class/tty is missing (some containers).
    if cfg!(target_os = "linux") && !std::path::Path::new("/sys/class/tty").is_dir() {
        return vec![];
    }
    let Ok(ports) = serialport::available_ports() else {
        return vec![];
    };
    let mut out = vec![];
    for p in ports {
        if let serialport::SerialPortType::UsbPort(usb) = &p.port_type {
            if let Some((fw, what)) = firmware_for(usb.vid, usb.pid) {
                let product = usb.product.as_deref().unwrap_or(what);
                out.push((
                    format!("{}:{}", fw.name(), p.port_name),
                    format!(
                        "{product} ({:04x}:{:04x}, {})",
                        usb.vid,
                        usb.pid,
                        fw.description()
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn nordic_ids() {
        let (fw, _) = super::firmware_for(0x1915, 0x154b).unwrap();
        assert_eq!(fw.name(), "nrf802154");
        assert!(super::firmware_for(0x1234, 0x5678).is_none());
        // Runs on any machine: no dongle is not an error.
        let _ = super::serial_dongles();
    }
}
