//! Wireshark extcap mode: the same binary, installed (or linked) into Wireshark's extcap
//! folder, offers every dongle kind and the ZEP listener as capture interfaces.
//!
//! Protocol (Wireshark's doc/extcap.adoc, extcap_example.py): Wireshark runs
//!
//! ```text
//!  --extcap-interfaces [--extcap-version=4.0]    → extcap {version}…, interface {value}{display}…
//!  --extcap-dlts --extcap-interface X            → dlt {number=283}{name}{display}
//!  --extcap-config --extcap-interface X          → arg {number}{call}{display}{type}…, value …
//!  --capture --extcap-interface X --fifo PATH [--channel N] [--baud B] [--device D]
//!                                                → pcap (LINKTYPE 283) written to PATH
//! ```
//!
//! Interfaces: `lowshark-KIND` for each kind (its `--device` option names the port, defaulting
//! to the first such dongle found), plus `lowshark-KIND-PORT` for each dongle found by USB id
//! and each `-i` spec listed in `LOWSHARK_EXTCAP_DEVICES` (comma separated, for ports no USB id
//! identifies: UART adapters, emulators). Wireshark stops a capture by SIGTERM, so every frame
//! is flushed to the fifo as it comes.

use crate::cli::Args;
use crate::{arg_error, file_error, inputs, Failure};
use lowshark::capture::dongle::SerialFirmware;
use lowshark::capture::source;
use lowshark::capture::{dongle::tap::LINKTYPE_IEEE802_15_4_TAP, SaveFile, SaveFormat};
use std::process::ExitCode;

/// Extra `-i` specs to offer as interfaces.
pub const DEVICES_ENV: &str = "LOWSHARK_EXTCAP_DEVICES";
const PREFIX: &str = "lowshark-";
/// Wireshark's help link for the interfaces: the crate's repository (README, extcap section).
const HELP: &str = env!("CARGO_PKG_REPOSITORY");

/// One interface offered to Wireshark.
struct Iface {
    value: String,
    display: String,
    kind: &'static str,
    /// The `-i` spec; None for a kind's generic interface (its `--device` says).
    spec: Option<String>,
}

/// The kinds, as `-i` prefixes, with what they are.
fn kinds() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = SerialFirmware::ALL
        .iter()
        .map(|f| (f.name(), f.description()))
        .collect();
    v.push(("cc2531", "TI CC2531 USB dongle"));
    v.push(("zep", "ZEP listener on UDP"));
    v
}

fn kind_of(spec: &str) -> Option<&'static str> {
    let prefix = spec.split(':').next()?;
    kinds().into_iter().map(|(k, _)| k).find(|k| *k == prefix)
}

/// A spec's interface name: the kind and the port without `/dev/`, in letters Wireshark
/// keeps in file and preference names.
fn value_of(kind: &str, spec: &str) -> String {
    let rest = spec.split_once(':').map_or("", |(_, r)| r);
    let rest = rest.strip_prefix("/dev/").unwrap_or(rest);
    let clean: String = rest
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{PREFIX}{kind}-{clean}")
}

fn interfaces() -> Vec<Iface> {
    let mut out: Vec<Iface> = kinds()
        .into_iter()
        .map(|(kind, desc)| Iface {
            value: format!("{PREFIX}{kind}"),
            display: format!("lowshark: {desc}"),
            kind,
            spec: None,
        })
        .collect();
    let listed = std::env::var(DEVICES_ENV).unwrap_or_default();
    let found = source::available()
        .into_iter()
        .map(|(name, desc)| (name, Some(desc)));
    let extra = listed
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| (s.to_string(), None));
    for (spec, desc) in found.chain(extra) {
        let Some(kind) = kind_of(&spec) else { continue };
        // The generic ZEP interface already listens on the default port.
        if kind == "zep" && desc.is_some() {
            continue;
        }
        let value = value_of(kind, &spec);
        if out.iter().any(|i| i.value == value) {
            continue;
        }
        out.push(Iface {
            display: format!(
                "lowshark: {spec}{}",
                desc.map(|d| format!(" ({d})")).unwrap_or_default()
            ),
            value,
            kind,
            spec: Some(spec),
        });
    }
    out
}

/// Whether the arguments are an extcap call.
pub fn requested(args: &Args) -> bool {
    args.extcap_interfaces
        || args.extcap_dlts
        || args.extcap_config
        || args.extcap_capture
        || (args.extcap_version.is_some() && args.extcap_interface.is_none())
}

/// Answers one extcap call.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let version = env!("CARGO_PKG_VERSION");
    if args.extcap_interfaces || args.extcap_interface.is_none() {
        println!("extcap {{version={version}}}{{help={HELP}}}");
        for i in interfaces() {
            println!("interface {{value={}}}{{display={}}}", i.value, i.display);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let name = args.extcap_interface.as_deref().unwrap_or_default();
    let Some(iface) = interfaces().into_iter().find(|i| i.value == name) else {
        return Err(arg_error(format!(
            "--extcap-interface {name}: not one of lowshark's (lowshark --extcap-interfaces)"
        )));
    };
    if args.extcap_dlts {
        println!(
            "dlt {{number={LINKTYPE_IEEE802_15_4_TAP}}}{{name=IEEE802_15_4_TAP}}{{display=IEEE 802.15.4 TAP}}"
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.extcap_config {
        print!("{}", config(&iface));
        return Ok(ExitCode::SUCCESS);
    }
    if args.extcap_capture {
        return capture(args, &iface);
    }
    Err(arg_error(
        "extcap: give --extcap-dlts, --extcap-config or --capture with --extcap-interface",
    ))
}

/// The options Wireshark shows for `iface`: channel (radios), baud (serial), device (generic).
fn config(iface: &Iface) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let mut n = 0;
    if iface.kind != "zep" {
        let _ = writeln!(
            s,
            "arg {{number={n}}}{{call=--channel}}{{display=Channel}}{{tooltip=802.15.4 channel (2.4 GHz)}}{{type=selector}}"
        );
        for ch in 11..=26 {
            let default = if ch == source::DEFAULT_CHANNEL.number {
                "{default=true}"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "value {{arg={n}}}{{value={ch}}}{{display={ch}}}{default}"
            );
        }
        n += 1;
    }
    if SerialFirmware::from_name(iface.kind).is_some() {
        let _ = writeln!(
            s,
            "arg {{number={n}}}{{call=--baud}}{{display=Baud rate}}{{tooltip=Serial baud rate; empty: the firmware's own}}{{type=unsigned}}"
        );
        n += 1;
    }
    if iface.spec.is_none() {
        let (tip, default) = match iface.kind {
            "zep" => ("UDP port or ADDR:PORT to listen on", "17754".to_string()),
            "cc2531" => ("USB BUS.ADDR; empty: the first CC2531", String::new()),
            kind => ("Serial port", default_device(kind).unwrap_or_default()),
        };
        let _ = writeln!(
            s,
            "arg {{number={n}}}{{call=--device}}{{display=Device}}{{tooltip={tip}}}{{type=string}}{{default={default}}}"
        );
    }
    s
}

/// The port of the first dongle of `kind` found by USB id.
fn default_device(kind: &str) -> Option<String> {
    source::available()
        .into_iter()
        .find_map(|(spec, _)| Some(spec.strip_prefix(kind)?.strip_prefix(':')?.to_string()))
}

/// The `-i` spec `iface` captures from, with `--device` for a generic one.
fn spec_of(args: &Args, iface: &Iface) -> Result<String, Failure> {
    if let Some(s) = &iface.spec {
        return Ok(s.clone());
    }
    let device = args
        .device
        .clone()
        .filter(|d| !d.is_empty())
        .or_else(|| default_device(iface.kind));
    match (iface.kind, device) {
        (kind, Some(d)) => Ok(format!("{kind}:{d}")),
        ("zep", None) | ("cc2531", None) => Ok(iface.kind.to_string()),
        (kind, None) => Err(arg_error(format!(
            "{}: no {kind} dongle found; set its Device option (--device /dev/ttyACM0)",
            iface.value
        ))),
    }
}

/// `--capture`: the interface's frames as pcap (LINKTYPE 283) into the fifo, flushed frame by
/// frame, until Wireshark stops us.
fn capture(args: &Args, iface: &Iface) -> Result<ExitCode, Failure> {
    let Some(fifo) = args.fifo.as_deref() else {
        return Err(arg_error("--capture needs --fifo PATH"));
    };
    let spec = spec_of(args, iface)?;
    source::parse(&spec).map_err(arg_error)?;
    let live_args = Args {
        interface: vec![spec.clone()],
        // ZEP takes each frame's channel; a channel Wireshark passes anyway is not an error.
        channel: args.channel.clone().filter(|_| iface.kind != "zep"),
        baud: args.baud.filter(|&b| b != 0),
        ..Args::default()
    };
    let input = inputs::open_live_sources(
        &live_args,
        lowshark::capture::status::LiveStatus::printing(),
    )?;
    let mut out = SaveFile::create(
        fifo.as_ref(),
        SaveFormat::Pcap,
        LINKTYPE_IEEE802_15_4_TAP,
        input.snaplen,
    )
    .map_err(|e| file_error(format!("{fifo}: {e}")))?;
    for frame in input.frames {
        let frame = frame.map_err(|e| file_error(e.to_string()))?;
        // Wireshark closing the fifo is how a capture normally ends.
        if out.write(&frame).and_then(|()| out.flush()).is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names_keep_to_safe_letters() {
        assert_eq!(
            value_of("nrf802154", "nrf802154:/dev/ttyACM0"),
            "lowshark-nrf802154-ttyACM0"
        );
        assert_eq!(value_of("cc2531", "cc2531:1.7"), "lowshark-cc2531-1_7");
        assert_eq!(kind_of("ti-sniffer2:/dev/x"), Some("ti-sniffer2"));
        assert_eq!(kind_of("eth0"), None);
    }

    #[test]
    fn every_kind_is_an_interface_with_its_options() {
        let all = interfaces();
        for (kind, _) in kinds() {
            let i = all
                .iter()
                .find(|i| i.value == format!("lowshark-{kind}"))
                .unwrap();
            let c = config(i);
            assert_eq!(c.contains("--channel"), kind != "zep", "{c}");
            assert_eq!(
                c.contains("--baud"),
                SerialFirmware::from_name(kind).is_some()
            );
            assert!(c.contains("--device"), "{c}");
        }
    }
}
