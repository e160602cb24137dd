//! The printing run: every frame of the input is dissected in order, the display filter picks
//! the packets to show, and each shown packet goes to the statistics taps, the `-w` file and
//! the printed output, as it comes (nothing holds the capture).

use crate::cli::Args;
use crate::setup::{Format, Setup};
use crate::{arg_error, file_error, inputs, Failure, EXIT_FILE};
use dissectors::engine::{Engine, FrameMeta, Packet};
use lowshark::capture::{CapturedFrame, SaveFile, SaveFormat};
use lowshark::{output, stats};
use std::io::Write;
use std::process::ExitCode;

/// Output is handed to stdout in chunks of about this size (or per packet with `-l`).
const FLUSH_BYTES: usize = 1 << 15;

pub fn run(args: &Args, setup: Setup) -> Result<ExitCode, Failure> {
    let mut taps = Vec::new();
    for z in &args.stats {
        taps.push(stats::make(z).map_err(arg_error)?);
    }
    let input = inputs::open(args)?;
    let live = input.live.clone();
    if live.is_some() {
        let names: Vec<String> = args.interface.iter().map(|i| format!("'{i}'")).collect();
        eprintln!("Capturing on {}", names.join(" and "));
    }
    let mut save = match &args.write {
        Some(path) => Some(create_save_file(args, path, &input)?),
        None => None,
    };
    let mut engine = Engine::new(setup.registry.clone(), setup.prefs.clone());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let quiet = args.quiet || (args.write.is_some() && !args.verbose && args.format.is_none());
    let mut printer = Printer::new(args, &setup, quiet);
    let mut file_error_msg = None;
    // -c counts packets read, as in tshark (not packets displayed).
    let limit = args
        .count
        .map_or(usize::MAX, |c| usize::try_from(c).unwrap_or(usize::MAX));
    // Live: every packet goes out as it comes (a pipe reader sees it, -w keeps it through an
    // unplug or a kill).
    let flush_each = args.line_buffered || live.is_some();
    let mut captured_count = 0u64;
    for item in input.frames.take(limit) {
        captured_count += 1;
        let mut frame = match item {
            Ok(f) => f,
            Err(e) => {
                file_error_msg = Some(e.to_string());
                break;
            }
        };
        let data = std::mem::take(&mut frame.data);
        let ts = frame.ts_ns;
        let packet = engine.dissect(frame_meta(frame), &data);
        if setup.filter.as_ref().is_some_and(|f| !f.matches(&packet)) {
            printer.skipped(ts);
            continue;
        }
        engine.mark_displayed(ts);
        for t in taps.iter_mut() {
            t.packet(&packet);
        }
        if let Some(w) = save.as_mut() {
            w.write(&captured(&packet, data))
                .map_err(|e| file_error(format!("writing capture: {e}")))?;
            if live.is_some() {
                w.flush()
                    .map_err(|e| file_error(format!("writing capture: {e}")))?;
            }
        }
        printer.packet(&packet);
        if printer.buf.len() > FLUSH_BYTES || flush_each {
            write_out(&mut out, &mut printer.buf)?;
            if flush_each {
                let _ = out.flush();
            }
        }
    }
    if let Some(st) = &live {
        st.stop_all();
        report_live_counts(st, captured_count);
    }
    printer.finish();
    // tshark prints statistics in reverse order of their -z options.
    for t in taps.iter().rev() {
        t.render(&mut printer.buf);
    }
    write_out(&mut out, &mut printer.buf)?;
    let _ = out.flush();
    if let Some(w) = save {
        w.finish()
            .map_err(|e| file_error(format!("writing capture: {e}")))?;
    }
    if let Some(e) = file_error_msg {
        eprintln!("lowshark: {e}");
        return Ok(ExitCode::from(EXIT_FILE));
    }
    Ok(ExitCode::SUCCESS)
}

/// What tshark prints at the end of a live capture: the packet count, and the drops of each
/// interface that had some.
fn report_live_counts(st: &lowshark::capture::status::LiveStatus, captured: u64) {
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    eprintln!("{captured} packet{} captured", plural(captured));
    for s in st.snapshot() {
        if s.drops > 0 {
            eprintln!(
                "{} packet{} dropped from {}",
                s.drops,
                plural(s.drops),
                s.name
            );
        }
    }
}

fn create_save_file(args: &Args, path: &str, input: &inputs::Input) -> Result<SaveFile, Failure> {
    let format =
        SaveFormat::parse(args.write_format.as_deref().unwrap_or("pcapng")).map_err(arg_error)?;
    SaveFile::create(path.as_ref(), format, input.link_type, input.snaplen)
        .map_err(|e| file_error(format!("{path}: {e}")))
}

/// The frame again, for `-w`.
fn captured(p: &Packet, data: Vec<u8>) -> CapturedFrame {
    CapturedFrame {
        number: p.meta.number,
        ts_ns: p.meta.ts_ns,
        orig_len: p.meta.orig_len,
        link_type: p.meta.link_type,
        interface_id: p.meta.interface_id,
        interface_name: p.meta.interface_name.clone(),
        interface_description: p.meta.interface_description.clone(),
        comments: p.meta.comments.clone(),
        data,
    }
}

fn frame_meta(f: CapturedFrame) -> FrameMeta {
    FrameMeta {
        number: f.number,
        ts_ns: f.ts_ns,
        orig_len: f.orig_len,
        link_type: f.link_type,
        interface_id: f.interface_id,
        interface_name: f.interface_name,
        interface_description: f.interface_description,
        comments: f.comments,
        radio: Default::default(),
    }
}

/// Formats shown packets into `buf` in the chosen format, keeping what spans packets (the
/// JSON array's commas, the times of the previous packets for delta columns).
struct Printer<'a> {
    buf: String,
    args: &'a Args,
    setup: &'a Setup,
    quiet: bool,
    first_json: bool,
    prev_ts: Option<i64>,
    prev_displayed_ts: Option<i64>,
}

impl<'a> Printer<'a> {
    fn new(args: &'a Args, setup: &'a Setup, quiet: bool) -> Printer<'a> {
        let mut buf = String::with_capacity(4096);
        if !quiet && matches!(setup.format, Format::Json) {
            buf.push_str("[\n");
        }
        if !quiet && matches!(setup.format, Format::Fields) && setup.field_opts.header {
            buf.push_str(&output::fields::header_line(
                &args.fields,
                &setup.field_opts,
            ));
            buf.push('\n');
        }
        Printer {
            buf,
            args,
            setup,
            quiet,
            first_json: true,
            prev_ts: None,
            prev_displayed_ts: None,
        }
    }

    /// A packet the display filter hid: it still counts for the next packet's delta time.
    fn skipped(&mut self, ts: i64) {
        self.prev_ts = Some(ts);
    }

    fn packet(&mut self, p: &Packet) {
        let ts = p.meta.ts_ns;
        if !self.quiet {
            let delta = ts - self.prev_ts.unwrap_or(ts);
            let delta_displayed = ts - self.prev_displayed_ts.unwrap_or(ts);
            self.format(p, delta, delta_displayed);
        }
        self.prev_ts = Some(ts);
        self.prev_displayed_ts = Some(ts);
    }

    fn format(&mut self, p: &Packet, delta: i64, delta_displayed: i64) {
        let (args, buf) = (self.args, &mut self.buf);
        match self.setup.format {
            Format::Summary | Format::Detail => {
                let detail = matches!(self.setup.format, Format::Detail);
                if !detail || args.print_summary {
                    let t = output::text::time_column(
                        p,
                        self.setup.time_format,
                        delta,
                        delta_displayed,
                    );
                    buf.push_str(&output::text::summary_line(p, &t));
                    buf.push('\n');
                }
                if detail {
                    output::text::write_detail(buf, p);
                }
                if args.hex {
                    output::text::write_sources(buf, p);
                }
                if detail || args.hex {
                    buf.push('\n');
                }
            }
            Format::Json => {
                if !self.first_json {
                    buf.push_str(",\n");
                }
                self.first_json = false;
                output::json::write_json_packet(buf, p, args.hex);
            }
            Format::Ek => output::json::write_ek_packet(buf, p),
            Format::Fields => {
                buf.push_str(&output::fields::fields_line(
                    p,
                    &args.fields,
                    &self.setup.field_opts,
                ));
                buf.push('\n');
            }
        }
    }

    /// Closes what the format opened (the JSON array).
    fn finish(&mut self) {
        if !self.quiet && matches!(self.setup.format, Format::Json) {
            self.buf
                .push_str(if self.first_json { "]\n" } else { "\n]\n" });
        }
    }
}

/// Writes `buf` to `out` and empties it.
pub fn write_out(out: &mut impl Write, buf: &mut String) -> Result<(), Failure> {
    match out.write_all(buf.as_bytes()) {
        Ok(()) => {
            buf.clear();
            Ok(())
        }
        // A closed pipe (`lowshark … | head`) ends the run quietly, as tshark does.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(file_error(format!("writing output: {e}"))),
    }
}
