//! Opening what `-r`, `-i` and a bare file name ask for, and `-D`.

use crate::cli::Args;
use crate::{arg_error, file_error, Failure};
use lowshark::capture::source::{self, Channel, LiveOptions, SourceSpec};
use lowshark::capture::status::LiveStatus;
use lowshark::capture::{self, dongle, merge, CaptureReader, CapturedFrame};
use std::process::ExitCode;
use std::time::Duration;

/// Frames from whatever the user asked to read.
pub type FrameSource =
    Box<dyn Iterator<Item = Result<CapturedFrame, capture::CaptureError>> + Send>;

/// An opened input: its frames, the link type of its first interface and its snap length
/// (for `-w`), and for a live capture its shared status.
pub struct Input {
    pub frames: FrameSource,
    pub link_type: u32,
    pub snaplen: u32,
    pub live: Option<LiveStatus>,
}

/// Opens `-r FILE`, a bare `FILE`, or the `-i` sources.
pub fn open(args: &Args) -> Result<Input, Failure> {
    match (&args.read, &args.file, args.interface.is_empty()) {
        (Some(path), _, _) | (None, Some(path), true) => {
            let reader = CaptureReader::open(std::path::Path::new(path))
                .map_err(|e| file_error(e.to_string()))?;
            Ok(Input {
                link_type: reader.link_types().first().copied().unwrap_or(1),
                snaplen: reader.snaplen(),
                frames: Box::new(reader),
                live: None,
            })
        }
        (None, _, false) => open_live_sources(args, LiveStatus::printing()),
        (None, None, true) => Err(arg_error(
            "no capture to read: use -r FILE (or lowshark FILE); lowshark --help lists the flags",
        )),
    }
}

/// `-a`: what ends a capture (the first reached).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AutoStop {
    pub duration: Option<Duration>,
    pub packets: Option<u64>,
    pub filesize_kb: Option<u64>,
}

impl AutoStop {
    pub fn parse(conditions: &[String]) -> Result<AutoStop, Failure> {
        let mut a = AutoStop::default();
        for c in conditions {
            let bad = || {
                arg_error(format!(
                    "-a {c}: expected duration:SECONDS, packets:N or filesize:KB"
                ))
            };
            let (name, value) = c.split_once(':').ok_or_else(bad)?;
            let n: u64 = value.parse().ok().filter(|&n| n > 0).ok_or_else(bad)?;
            match name {
                "duration" => a.duration = Some(Duration::from_secs(n)),
                "packets" => a.packets = Some(n),
                "filesize" => a.filesize_kb = Some(n),
                _ => return Err(bad()),
            }
        }
        Ok(a)
    }
}

/// `--channel`, `--baud`, `--survey`, `-s`, `-p` checked.
pub fn live_options(args: &Args) -> Result<LiveOptions, Failure> {
    let channel = match &args.channel {
        Some(c) => Some(Channel::parse(c).map_err(arg_error)?),
        None => None,
    };
    if args.baud == Some(0) {
        return Err(arg_error("--baud 0: give a rate such as 115200"));
    }
    if args.snaplen == Some(0) {
        return Err(arg_error("-s 0: give a snap length such as 65535"));
    }
    Ok(LiveOptions {
        channel,
        baud: args.baud,
        survey_dwell: args.survey.map(Duration::from_millis),
        snaplen: args.snaplen,
        no_promisc: args.no_promisc,
    })
}

/// Opens every `-i` (dongles are set up now, so a wrong device fails before anything runs) and
/// merges them in time order, one pcapng interface each; `-a duration` ends the merged stream.
pub fn open_live_sources(args: &Args, status: LiveStatus) -> Result<Input, Failure> {
    let opts = live_options(args)?;
    let stop = AutoStop::parse(&args.autostop)?;
    let specs = args
        .interface
        .iter()
        .map(|s| source::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(arg_error)?;
    if (opts.channel.is_some() || opts.baud.is_some()) && !specs.iter().any(SourceSpec::is_dongle) {
        return Err(arg_error(
            "--channel and --baud apply to sniffer dongles (-i nrf802154:PATH, …)",
        ));
    }
    let mut sources: Vec<merge::Frames> = vec![];
    let mut link_type = None;
    for (i, spec) in specs.iter().enumerate() {
        let (frames, lt) = open_one(spec, &opts, &status, i as u32, args)?;
        link_type.get_or_insert(lt);
        sources.push(frames);
    }
    let frames: FrameSource = match stop.duration {
        Some(d) => Box::new(merge::merge(sources).until(std::time::Instant::now() + d)),
        None if sources.len() == 1 && !specs[0].is_dongle() => sources.pop().expect("one source"),
        None => Box::new(merge::merge(sources)),
    };
    Ok(Input {
        frames,
        link_type: link_type.unwrap_or(1),
        snaplen: opts.snaplen.unwrap_or(262_144),
        live: Some(status),
    })
}

fn open_one(
    spec: &SourceSpec,
    opts: &LiveOptions,
    status: &LiveStatus,
    interface: u32,
    args: &Args,
) -> Result<(merge::Frames, u32), Failure> {
    match dongle::connector(spec, opts) {
        Some(c) => {
            let frames = dongle::supervisor::spawn(c, opts, status.clone(), interface)
                .map_err(|e| file_error(e.to_string()))?;
            Ok((Box::new(frames), dongle::tap::LINKTYPE_IEEE802_15_4_TAP))
        }
        None => {
            let SourceSpec::Pcap(name) = spec else {
                unreachable!("connector() covers every dongle")
            };
            let (frames, lt) = open_pcap(name, args.capture_filter.as_deref(), opts, status)?;
            // Several sources: each keeps its own pcapng interface.
            let frames = frames.map(move |f| {
                f.map(|mut f| {
                    f.meta.interface_id = Some(interface);
                    f
                })
            });
            Ok((Box::new(frames), lt))
        }
    }
}

/// What to show in the TUI: a capture file (not standard input) or a live capture, when stdout
/// is a terminal and no option asks for printed output; `--no-tui` forces printing.
pub fn tui_input(
    args: &Args,
) -> Result<Option<(lowshark::tui::Input, Option<LiveStatus>)>, Failure> {
    use std::io::IsTerminal;
    let output_option = args.format.is_some()
        || args.verbose
        || args.hex
        || args.print_summary
        || !args.fields.is_empty()
        || args.quiet
        || !args.stats.is_empty()
        || args.write.is_some()
        || args.count.is_some()
        || args.survey.is_some();
    if args.no_tui || output_option || !std::io::stdout().is_terminal() {
        return Ok(None);
    }
    if let Some(path) = args.read.as_deref().or(args.file.as_deref()) {
        return Ok((path != "-").then(|| (lowshark::tui::Input::File(path.into()), None)));
    }
    if args.interface.is_empty() {
        return Ok(None);
    }
    // The TUI shows the sources' messages in its status line, not on the screen it draws.
    let input = open_live_sources(args, LiveStatus::new())?;
    Ok(Some((
        lowshark::tui::Input::Live {
            name: format!("live: {}", args.interface.join(", ")),
            frames: input.frames,
        },
        input.live,
    )))
}

/// `-D`: the libpcap interfaces (feature `live`), then the dongles found by USB id.
pub fn list_interfaces() -> Result<ExitCode, Failure> {
    let mut n = 0;
    for (name, desc) in pcap_interfaces()? {
        n += 1;
        match desc {
            Some(desc) => println!("{n}. {name} ({desc})"),
            None => println!("{n}. {name}"),
        }
    }
    for (name, desc) in source::available() {
        n += 1;
        println!("{n}. {name} ({desc})");
    }
    if n == 0 {
        eprintln!(
            "lowshark: no interfaces found (no sniffer dongle by a known USB id{})",
            if cfg!(feature = "live") {
                ""
            } else {
                "; libpcap interfaces need the `live` feature"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "live")]
fn pcap_interfaces() -> Result<Vec<(String, Option<String>)>, Failure> {
    capture::live::LiveCapture::list().map_err(|e| file_error(format!("listing interfaces: {e}")))
}

#[cfg(not(feature = "live"))]
fn pcap_interfaces() -> Result<Vec<(String, Option<String>)>, Failure> {
    Ok(vec![])
}

#[cfg(not(feature = "live"))]
const NO_LIVE: &str = "live capture from a network interface needs a build with the `live` \
     feature (cargo build --features live, with libpcap-dev installed); sniffer dongles work \
     without it (-i nrf802154:/dev/ttyACM0, lowshark -D)";

#[cfg(feature = "live")]
fn open_pcap(
    iface: &str,
    filter: Option<&str>,
    opts: &LiveOptions,
    status: &LiveStatus,
) -> Result<(FrameSource, u32), Failure> {
    let mut live = capture::live::LiveCapture::open(iface, filter, opts)
        .map_err(|e| file_error(e.to_string()))?;
    live.report_to(status.clone());
    let link_type = live.link_type();
    Ok((Box::new(live), link_type))
}

#[cfg(not(feature = "live"))]
fn open_pcap(
    iface: &str,
    _filter: Option<&str>,
    _opts: &LiveOptions,
    _status: &LiveStatus,
) -> Result<(FrameSource, u32), Failure> {
    Err(arg_error(format!("-i {iface}: {NO_LIVE}")))
}
