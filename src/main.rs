//! lowshark: a Wireshark-like packet analyzer for low-power IoT networks.
//!
//! The binary wires the pieces together: a capture source yields frames, the engine
//! (`dissectors` crate) dissects them, an output writes each packet as it comes, and statistics
//! taps see every displayed packet.
//!
//! - `cli`: the flags, spelled as tshark's.
//! - `setup`: what the flags ask for, checked: registry with decode-as rules, preferences,
//!   display filter, output format.
//! - `inputs`: opening what `-r`/`-i` name, and `-D`.
//! - `live`: `--emulate` and `--survey`.
//! - `batch`: the printing run (everything but the TUI).
//! - `glossary`: `-G` reports.
//! - `extcap`: Wireshark's extcap calls (`--extcap-interfaces`, `--capture`, …).

mod batch;
mod cli;
mod extcap;
mod glossary;
mod inputs;
mod live;
mod setup;

use clap::Parser;
use cli::Args;
use std::process::ExitCode;

/// Exit codes, as tshark uses them: 1 for bad arguments, 2 for capture-file errors.
const EXIT_ARGS: u8 = 1;
const EXIT_FILE: u8 = 2;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ARGS)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(args) {
        Ok(code) => code,
        Err(Failure { message, code }) => {
            eprintln!("lowshark: {message}");
            ExitCode::from(code)
        }
    }
}

/// Why a run stopped: the message for stderr and the exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

/// A bad argument (exit code 1).
pub fn arg_error(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: EXIT_ARGS,
    }
}

/// A capture file or output that could not be read or written (exit code 2).
pub fn file_error(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: EXIT_FILE,
    }
}

/// `-v`/`--version`. Tools that drive tshark parse the first line: termshark wants it to start
/// with `TShark ` and takes the first `N.N.N` after it; pyshark takes the last `N.N.N` that
/// follows a space. So tshark's version comes first and lowshark's own is written `v0.1.0`
/// (no space before the digits), which satisfies both and still names lowshark.
fn version_text() -> String {
    use lowshark::TSHARK_COMPAT;
    format!(
        "TShark (Wireshark) {TSHARK_COMPAT} compatible (lowshark v{})\n\n\
         lowshark is a packet analyzer for low-power IoT networks that follows the command line\n\
         and output formats of TShark {TSHARK_COMPAT}, so tools that drive tshark can drive it.\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn run(args: Args) -> Result<ExitCode, Failure> {
    if args.version {
        print!("{}", version_text());
        return Ok(ExitCode::SUCCESS);
    }
    if extcap::requested(&args) {
        return extcap::run(&args);
    }
    let registry = setup::registry(&args)?;
    if let Some(report) = &args.glossary {
        return glossary::print(&registry, report);
    }
    if args.list_interfaces {
        return inputs::list_interfaces();
    }
    if let Some(fw) = &args.emulate {
        return live::emulate(&args, fw);
    }
    let setup = setup::Setup::from_args(&args, registry)?;
    if args.survey.is_some() {
        let mut engine =
            dissectors::engine::Engine::new(setup.registry.clone(), setup.prefs.clone());
        return live::survey(&args, &mut engine);
    }
    if let Some((input, live_status)) = inputs::tui_input(&args)? {
        return run_tui(&args, setup, input, live_status);
    }
    batch::run(&args, setup)
}

fn run_tui(
    args: &Args,
    setup: setup::Setup,
    input: lowshark::tui::Input,
    live_status: Option<lowshark::capture::status::LiveStatus>,
) -> Result<ExitCode, Failure> {
    let opts = lowshark::tui::Options {
        input,
        live_status,
        registry: setup.registry,
        prefs: setup.prefs,
        time_format: setup.time_format,
        filter: args.filter_text().cloned(),
    };
    match lowshark::tui::run(opts) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(lowshark::tui::RunError::Capture(e)) => Err(file_error(e.to_string())),
        Err(lowshark::tui::RunError::Terminal(e)) => Err(file_error(format!("terminal: {e}"))),
    }
}
