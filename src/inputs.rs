//! Opening what `-r`, `-i` and a bare file name ask for, and `-D`.

use crate::cli::Args;
use crate::{arg_error, file_error, Failure};
use lowshark::capture::{self, CaptureReader, CapturedFrame};
use std::process::ExitCode;

/// Frames from whatever the user asked to read.
pub type FrameSource =
    Box<dyn Iterator<Item = Result<CapturedFrame, capture::CaptureError>> + Send>;

/// An opened input: its frames, the link type of its first interface and its snap length
/// (for `-w`).
pub struct Input {
    pub frames: FrameSource,
    pub link_type: u32,
    pub snaplen: u32,
}

/// Opens `-r FILE`, a bare `FILE`, or `-i IFACE`.
pub fn open(args: &Args) -> Result<Input, Failure> {
    match (&args.read, &args.file, &args.interface) {
        (Some(path), _, _) | (None, Some(path), None) => {
            let reader = CaptureReader::open(std::path::Path::new(path))
                .map_err(|e| file_error(e.to_string()))?;
            Ok(Input {
                link_type: reader.link_types().first().copied().unwrap_or(1),
                snaplen: reader.snaplen(),
                frames: Box::new(reader),
            })
        }
        (None, _, Some(iface)) => {
            let (frames, link_type) = open_live(iface, args.capture_filter.as_deref())?;
            Ok(Input {
                frames,
                link_type,
                snaplen: 262_144,
            })
        }
        (None, None, None) => Err(arg_error(
            "no capture to read: use -r FILE (or lowshark FILE); lowshark --help lists the flags",
        )),
    }
}

/// What to show in the TUI: a capture file (not standard input) or a live capture, when stdout
/// is a terminal and no option asks for printed output; `--no-tui` forces printing.
pub fn tui_input(args: &Args) -> Result<Option<lowshark::tui::Input>, Failure> {
    use std::io::IsTerminal;
    let output_option = args.format.is_some()
        || args.verbose
        || args.hex
        || args.print_summary
        || !args.fields.is_empty()
        || args.quiet
        || !args.stats.is_empty()
        || args.write.is_some()
        || args.count.is_some();
    if args.no_tui || output_option || !std::io::stdout().is_terminal() {
        return Ok(None);
    }
    if let Some(path) = args.read.as_deref().or(args.file.as_deref()) {
        return Ok((path != "-").then(|| lowshark::tui::Input::File(path.into())));
    }
    match &args.interface {
        Some(iface) => {
            let (frames, _) = open_live(iface, args.capture_filter.as_deref())?;
            Ok(Some(lowshark::tui::Input::Live {
                name: format!("live: {iface}"),
                frames,
            }))
        }
        None => Ok(None),
    }
}

#[cfg(feature = "live")]
pub fn list_interfaces() -> Result<ExitCode, Failure> {
    let devices = capture::live::LiveCapture::list()
        .map_err(|e| file_error(format!("listing interfaces: {e}")))?;
    for (i, (name, desc)) in devices.iter().enumerate() {
        match desc {
            Some(desc) => println!("{}. {name} ({desc})", i + 1),
            None => println!("{}. {name}", i + 1),
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "live"))]
pub fn list_interfaces() -> Result<ExitCode, Failure> {
    Err(arg_error(NO_LIVE))
}

#[cfg(not(feature = "live"))]
const NO_LIVE: &str = "live capture needs a build with the `live` feature \
     (cargo build --features live, with libpcap-dev installed)";

#[cfg(feature = "live")]
fn open_live(iface: &str, filter: Option<&str>) -> Result<(FrameSource, u32), Failure> {
    let live =
        capture::live::LiveCapture::open(iface, filter).map_err(|e| file_error(e.to_string()))?;
    let link_type = live.link_type();
    Ok((Box::new(live), link_type))
}

#[cfg(not(feature = "live"))]
fn open_live(iface: &str, _filter: Option<&str>) -> Result<(FrameSource, u32), Failure> {
    Err(arg_error(format!("-i {iface}: {NO_LIVE}")))
}
