//! The printing run: every frame of the input is dissected in order, the display filter picks
//! the packets to show, and each shown packet goes to the statistics taps, the `-w` file and
//! the printed output, as it comes (nothing holds the capture).

use crate::cli::Args;
use crate::setup::{Format, Setup};
use crate::{arg_error, file_error, inputs, Failure, EXIT_FILE};
use dissectors::engine::tree::Build;
use dissectors::engine::{Engine, Packet};
use lowshark::capture::ring::{Output, Ring, RingOptions};
use lowshark::capture::{CapturedFrame, SaveFile, SaveFormat};
use lowshark::output::coloring::Colors;
use lowshark::{output, stats};
use std::io::Write;
use std::process::ExitCode;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

/// Output is handed to stdout in chunks of about this size (or per packet with `-l`).
const FLUSH_BYTES: usize = 1 << 15;

/// Batches in flight between the dissecting thread and the output thread, and packets per
/// batch: handing packets over one by one would cost more in wake-ups than it saves.
const PIPELINE_DEPTH: usize = 8;
const BATCH: usize = 64;

/// A packet on its way from dissection to the outputs, with what the outputs need besides it.
struct Shown {
    packet: Packet,
    /// The frame's bytes and metadata, for `-w`.
    frame: CapturedFrame,
    /// Time since the previous frame and since the previous displayed frame (ns).
    delta: i64,
    delta_displayed: i64,
    /// False for a frame the display filter hid: as in tshark, the statistics still see it.
    displayed: bool,
}

/// Two threads, so both cores work: this one reads and dissects frames in order (dissection
/// carries state from frame to frame) and applies the display filter; the output thread feeds
/// the statistics, writes `-w` and formats and prints, in the same order. Packets go back
/// and forth between them, so their allocations are reused.
pub fn run(args: &Args, setup: Setup) -> Result<ExitCode, Failure> {
    let mut taps = Vec::new();
    for z in &args.stats {
        taps.push(stats::make(z, &setup.registry).map_err(arg_error)?);
    }
    let mut stop = inputs::AutoStop::parse(&args.autostop)?;
    if !args.ring.is_empty() && args.write.is_none() {
        return Err(arg_error("-b needs -w FILE (the ring's file name)"));
    }
    let input = inputs::open(args)?;
    let live = input.live.clone();
    // -a is for captures, as in tshark; -c for both.
    if live.is_none() {
        stop = inputs::AutoStop::default();
    }
    stop.packets = stop.packets.into_iter().chain(args.count).min();
    if live.is_some() {
        let names: Vec<String> = args.interface.iter().map(|i| format!("'{i}'")).collect();
        eprintln!("Capturing on {}", names.join(" and "));
    }
    // Live: every packet goes out as it comes (a pipe reader sees it, -w keeps it through an
    // unplug or a kill).
    let flush_each = args.line_buffered || live.is_some();
    let save = match &args.write {
        Some(path) => Some(create_save_file(args, path, &input)?),
        None => None,
    };
    let mut engine = Engine::new(setup.registry.clone(), setup.prefs.clone());
    engine.set_build(tree_build(args, &setup, &taps));
    let tapping = !taps.is_empty();
    let (to_output, shown) = sync_channel::<Vec<Shown>>(PIPELINE_DEPTH);
    let (recycle, recycled) = channel::<Vec<Shown>>();
    let ((read_error, captured), output) = std::thread::scope(|scope| {
        let setup = &setup;
        let filesize = stop.filesize_kb.map(|kb| kb * 1000);
        let output = scope.spawn(move || {
            output_stage(
                args, setup, taps, save, filesize, flush_each, shown, recycle,
            )
        });
        let read = dissect_stage(
            setup, tapping, engine, input, stop, flush_each, to_output, recycled,
        );
        (read, output.join())
    });
    if let Some(st) = &live {
        st.stop_all();
        report_live_counts(st, captured);
    }
    match output {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    }
    if let Some(e) = read_error {
        eprintln!("lowshark: {e}");
        return Ok(ExitCode::from(EXIT_FILE));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads, dissects and filters every frame, sending the displayed ones on (at once when
/// `flush_each`). Returns the error that ended the input early (a cut file), if any, and how
/// many frames were read.
#[allow(clippy::too_many_arguments)]
fn dissect_stage(
    setup: &Setup,
    taps_see_hidden: bool,
    mut engine: Engine,
    input: inputs::Input,
    stop: inputs::AutoStop,
    flush_each: bool,
    to_output: SyncSender<Vec<Shown>>,
    recycled: Receiver<Vec<Shown>>,
) -> (Option<String>, u64) {
    let mut read = 0u64;
    let mut error = None;
    // Packets come back in batches; `spare` holds the ones not yet reused.
    let mut spare: Vec<Shown> = Vec::new();
    let mut batch: Vec<Shown> = Vec::with_capacity(BATCH);
    let (mut prev_ts, mut prev_displayed_ts) = (None, None);
    // -c counts packets read, as in tshark (not packets displayed); -a packets:N likewise,
    // for a live capture.
    let limit = stop
        .packets
        .map_or(usize::MAX, |c| usize::try_from(c).unwrap_or(usize::MAX));
    for item in input.frames.take(limit) {
        read += 1;
        let frame = match item {
            Ok(f) => f,
            Err(e) => {
                // Every complete frame before the error is still shown.
                read -= 1;
                error = Some(e.to_string());
                break;
            }
        };
        if spare.is_empty() {
            if let Ok(back) = recycled.try_recv() {
                spare = back;
            }
        }
        let mut shown = spare.pop().unwrap_or_else(|| Shown {
            packet: Packet::default(),
            frame: CapturedFrame::default(),
            delta: 0,
            delta_displayed: 0,
            displayed: true,
        });
        let ts = frame.meta.ts_ns;
        engine.dissect_into(&mut shown.packet, frame.meta.clone(), &frame.data);
        shown.delta = ts - prev_ts.unwrap_or(ts);
        prev_ts = Some(ts);
        shown.displayed = setup
            .filter
            .as_ref()
            .is_none_or(|f| f.matches(&shown.packet));
        if !shown.displayed && !taps_see_hidden {
            continue;
        }
        if shown.displayed {
            engine.mark_displayed(ts);
            shown.delta_displayed = ts - prev_displayed_ts.unwrap_or(ts);
            prev_displayed_ts = Some(ts);
        }
        shown.frame = frame;
        batch.push(shown);
        if batch.len() == BATCH || flush_each {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if to_output.send(full).is_err() {
                // The output stopped (a write error it reports itself).
                return (None, read);
            }
        }
    }
    if !batch.is_empty() {
        let _ = to_output.send(batch);
    }
    (error, read)
}

/// Feeds each shown packet to the statistics, the `-w` file and the printed output, then
/// hands it back for reuse. Stops early once the file being written reaches `filesize` bytes
/// (`-a filesize`; the reading side then stops as its next send fails).
#[allow(clippy::too_many_arguments)]
fn output_stage(
    args: &Args,
    setup: &Setup,
    mut taps: Vec<Box<dyn stats::Tap>>,
    mut save: Option<Output>,
    filesize: Option<u64>,
    flush_each: bool,
    shown: Receiver<Vec<Shown>>,
    recycle: Sender<Vec<Shown>>,
) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let quiet = args.quiet || (args.write.is_some() && !args.verbose && args.format.is_none());
    let mut printer = Printer::new(args, setup, quiet);
    let mut full = false;
    for batch in shown {
        if full {
            break;
        }
        for s in &batch {
            for t in taps.iter_mut() {
                t.packet(&s.packet);
            }
            if !s.displayed {
                continue;
            }
            if let Some(w) = save.as_mut() {
                let written =
                    w.write(&s.frame)
                        .and_then(|()| if flush_each { w.flush() } else { Ok(()) });
                written.map_err(|e| file_error(format!("writing capture: {e}")))?;
                if let Some(limit) = filesize {
                    full = full || w.bytes_written().is_ok_and(|n| n >= limit);
                }
            }
            if !quiet {
                printer.format(&s.packet, s.delta, s.delta_displayed);
            }
            if printer.buf.len() > FLUSH_BYTES || flush_each {
                write_out(&mut out, &mut printer.buf)?;
                if flush_each {
                    let _ = out.flush();
                }
            }
        }
        let _ = recycle.send(batch);
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
    Ok(())
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

/// The tree nodes this run needs: what the output prints, what the display filter tests and
/// what the statistics read; a summary line or `-w` alone needs only the layers.
fn tree_build(args: &Args, setup: &Setup, taps: &[Box<dyn stats::Tap>]) -> Build {
    let quiet = args.quiet || (args.write.is_some() && !args.verbose && args.format.is_none());
    let output = match setup.format {
        _ if quiet => Build::Layers,
        Format::Summary | Format::Psml => Build::Layers,
        Format::Fields => Build::fields(setup.columns.iter().filter_map(|c| c.field())),
        Format::Detail | Format::Json | Format::Ek | Format::Pdml => Build::All,
    };
    let filter = setup.filter.as_ref().map_or(Build::Layers, |f| f.build());
    let colors = setup.coloring.as_ref().map_or(Build::Layers, |c| c.build());
    taps.iter()
        .fold(output.merge(filter).merge(colors), |b, t| {
            b.merge(t.build())
        })
}

/// The `-w` file, or with `-b` the first file of the ring.
fn create_save_file(args: &Args, path: &str, input: &inputs::Input) -> Result<Output, Failure> {
    let format =
        SaveFormat::parse(args.write_format.as_deref().unwrap_or("pcapng")).map_err(arg_error)?;
    let mut ring = RingOptions::default();
    for b in &args.ring {
        ring.add(b).map_err(arg_error)?;
    }
    let created = if ring.switches() {
        Ring::create(path.as_ref(), ring, format, input.link_type, input.snaplen).map(Output::Ring)
    } else if ring.files.is_some() {
        return Err(arg_error(
            "-b files:N needs filesize:KB or duration:SECONDS to switch files",
        ));
    } else {
        SaveFile::create(path.as_ref(), format, input.link_type, input.snaplen).map(Output::One)
    };
    created.map_err(|e| file_error(format!("{path}: {e}")))
}

/// Formats shown packets into `buf` in the chosen format, keeping what spans packets (the
/// JSON array's commas).
/// The packet's `--color` colours, when asked for.
fn colors(setup: &Setup, p: &Packet) -> Option<Colors> {
    setup.coloring.as_ref().and_then(|c| c.colors(p))
}

struct Printer<'a> {
    buf: String,
    /// The Time column of the packet being printed (kept to reuse its allocation).
    time: String,
    args: &'a Args,
    setup: &'a Setup,
    quiet: bool,
    first_json: bool,
}

/// The Time column of `p`, written into the reused `time` buffer.
fn time_column<'a>(
    time: &'a mut String,
    setup: &Setup,
    p: &Packet,
    delta: i64,
    delta_displayed: i64,
) -> &'a str {
    time.clear();
    output::text::write_time_column(time, p, setup.time_format, delta, delta_displayed);
    time
}

impl<'a> Printer<'a> {
    fn new(args: &'a Args, setup: &'a Setup, quiet: bool) -> Printer<'a> {
        let mut buf = String::with_capacity(4096);
        if !quiet && matches!(setup.format, Format::Json) {
            buf.push_str("[\n");
        }
        if !quiet {
            write_xml_header(&mut buf, args, setup);
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
            time: String::new(),
            args,
            setup,
            quiet,
            first_json: true,
        }
    }

    fn format(&mut self, p: &Packet, delta: i64, delta_displayed: i64) {
        let (args, buf) = (self.args, &mut self.buf);
        match self.setup.format {
            Format::Summary | Format::Detail => {
                let detail = matches!(self.setup.format, Format::Detail);
                if !detail || args.print_summary {
                    let time = time_column(&mut self.time, self.setup, p, delta, delta_displayed);
                    output::text::write_summary_line(buf, p, time);
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
                output::json::write_json_packet_with(
                    buf,
                    p,
                    args.hex,
                    self.setup.json_filter.as_ref(),
                );
            }
            Format::Ek => output::json::write_ek_packet(buf, p),
            Format::Pdml => output::pdml::write_pdml_packet(buf, p, colors(self.setup, p)),
            Format::Psml => {
                let time = time_column(&mut self.time, self.setup, p, delta, delta_displayed);
                let colors = colors(self.setup, p);
                output::pdml::write_psml_packet(buf, p, time, &self.setup.psml_columns, colors);
            }
            Format::Fields => {
                output::fields::write_fields_line(
                    buf,
                    p,
                    &self.setup.columns,
                    &self.setup.field_opts,
                );
                buf.push('\n');
            }
        }
    }

    /// Closes what the format opened (the JSON array, the XML document).
    fn finish(&mut self) {
        if self.quiet {
            return;
        }
        match self.setup.format {
            Format::Json => self
                .buf
                .push_str(if self.first_json { "]\n" } else { "\n]\n" }),
            Format::Pdml => self.buf.push_str(output::pdml::PDML_FOOTER),
            Format::Psml => self.buf.push_str(output::pdml::PSML_FOOTER),
            _ => {}
        }
    }
}

/// The opening of a PDML or PSML document (nothing for the other formats).
fn write_xml_header(buf: &mut String, args: &Args, setup: &Setup) {
    match setup.format {
        Format::Pdml => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let file = args.read.as_deref().or(args.file.as_deref()).unwrap_or("");
            output::pdml::write_pdml_header(buf, file, now);
        }
        Format::Psml => output::pdml::write_psml_header(buf, &setup.psml_columns),
        _ => {}
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
