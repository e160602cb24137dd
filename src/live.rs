//! The live-capture commands that are not a capture run: `--emulate` (an emulated dongle for
//! trying lowshark without hardware) and `--survey` (a channel survey on one dongle).

use crate::cli::Args;
use crate::{arg_error, file_error, inputs, Failure};
use dissectors::engine::Engine;
use lowshark::capture::dongle::{self, survey, SerialFirmware};
use lowshark::capture::emulate::{Air, Emulator, Options};
use lowshark::capture::source::{self, SourceSpec};
use std::process::ExitCode;
use std::time::Duration;

/// `--emulate FIRMWARE FILE`: runs the emulator until interrupted.
pub fn emulate(args: &Args, firmware: &str) -> Result<ExitCode, Failure> {
    let Some(fw) = SerialFirmware::from_name(firmware) else {
        let names: Vec<_> = SerialFirmware::ALL.iter().map(|f| f.name()).collect();
        return Err(arg_error(format!(
            "--emulate {firmware}: unknown firmware; one of {} (the CC2531 is USB: its fake \
             device exists for the tests only)",
            names.join(", ")
        )));
    };
    let Some(file) = args.read.as_deref().or(args.file.as_deref()) else {
        return Err(arg_error(format!(
            "--emulate {firmware}: give a capture with 802.15.4 frames to replay, e.g. \
             lowshark --emulate {firmware} captures/demo.pcapng"
        )));
    };
    let air = Air::from_capture(file.as_ref(), 10).map_err(file_error)?;
    let opts = Options {
        baud: args.baud,
        ..Options::default()
    };
    let frames = air.frames.len();
    let emu =
        Emulator::start(fw, air, opts).map_err(|e| file_error(format!("pseudo-terminal: {e}")))?;
    let path = emu.path().display().to_string();
    println!(
        "{} emulator on {path}, replaying {frames} frames from {file} (Ctrl-C stops it)",
        fw.description()
    );
    println!("try: lowshark -i {}:{path} --channel 15", fw.name());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// `--survey [DWELL_MS]`: one sweep over channels 11–26 on the one dongle given, then the table.
pub fn survey(args: &Args, engine: &mut Engine) -> Result<ExitCode, Failure> {
    let opts = inputs::live_options(args)?;
    let dwell = opts.survey_dwell.unwrap_or(Duration::from_secs(1));
    let [iface] = args.interface.as_slice() else {
        return Err(arg_error(
            "--survey needs exactly one -i dongle, e.g. -i nrf802154:/dev/ttyACM0",
        ));
    };
    let spec = source::parse(iface).map_err(arg_error)?;
    let Some(mut connector) = dongle::connector(&spec, &opts) else {
        return Err(arg_error(format!(
            "--survey: -i {iface} is not a sniffer dongle"
        )));
    };
    debug_assert!(!matches!(spec, SourceSpec::Pcap(_)));
    let channels: Vec<u16> = (11..=26).collect();
    let mut device = connector
        .connect(source::Channel::oqpsk(channels[0]))
        .map_err(|e| file_error(e.to_string()))?;
    eprintln!(
        "lowshark: surveying channels 11-26 on {iface}, {} ms each",
        dwell.as_millis()
    );
    let table = survey::run(device.as_mut(), &channels, dwell, engine, |_| {})
        .map_err(|e| file_error(e.to_string()))?;
    device.stop();
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}
