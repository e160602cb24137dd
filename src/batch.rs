//! The printing run: every frame of the input is dissected in order, the display filter picks
//! the packets to show, and each shown packet goes to the statistics taps, the `-w` file and
//! the printed output, as it comes (nothing holds the capture).

use crate::cli::Args;
use crate::setup::{Format, Setup};
use crate::{arg_error, file_error, inputs, Failure, EXIT_FILE};
use dissectors::engine::colfmt::plural;
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

/// Batches in flight between two threads, and frames per batch: handing frames over one by
/// one would cost more in wake-ups (a futex call each time the other side sleeps) than it
/// saves. Packets with whole trees (JSON, PDML, -V) go in batches of 128: larger ones buy
/// no speed and cost memory, as every packet in flight holds its tree (JSON peak 19 MiB at
/// 128x2, 30 MiB at 256x2). Packets with layers or a few fields go 512 at a time, which
/// halves the wake-ups again (-T fields 6% faster than at 128).
const PIPELINE_DEPTH: usize = 2;
const BATCH_WHOLE_TREES: usize = 128;
const BATCH: usize = 512;

/// Frames per batch for a run that builds `build`, and prints each at once or not.
fn batch_size(build: &Build, flush_each: bool) -> usize {
    match build {
        _ if flush_each => 1,
        Build::All => BATCH_WHOLE_TREES,
        Build::Only(_) | Build::Layers => BATCH,
    }
}

/// A packet on its way from dissection to the outputs, with what the outputs need besides it.
struct Shown {
    /// Boxed: a packet is some 600 bytes, and a `Shown` moves three times on its way.
    packet: Box<Packet>,
    /// The frame's bytes and metadata, for `-w`.
    frame: CapturedFrame,
    /// Time since the previous frame and since the previous displayed frame (ns).
    delta: i64,
    delta_displayed: i64,
    /// False for a frame the display filter hid: as in tshark, the statistics still see it.
    displayed: bool,
}

/// Frames from the reading thread: a batch, and after the last one, why reading stopped
/// early (a cut file), if it did.
enum FromReader {
    Frames(Vec<CapturedFrame>),
    Failed(String),
}

/// Three threads, so both cores work: one reads the input, one dissects frames in order
/// (dissection carries state from frame to frame) and applies the display filter, one feeds
/// the statistics, writes `-w` and formats and prints, in the same order. Dissection is the
/// longest stage and has a core to itself; reading and printing share the other. Batches
/// go back to the thread that filled them, so their allocations are reused.
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
    let build = tree_build(args, &setup, &taps);
    let batch = batch_size(&build, flush_each);
    engine.set_build(build);
    let dissector = Dissector {
        setup: &setup,
        taps_see_hidden: !taps.is_empty(),
        engine,
        batch,
    };
    let (to_dissect, frames) = sync_channel::<FromReader>(PIPELINE_DEPTH);
    let (to_output, shown) = sync_channel::<Vec<Shown>>(PIPELINE_DEPTH);
    let (recycle, recycled) = channel::<Vec<Shown>>();
    let (read_error, captured, output) = std::thread::scope(|scope| {
        let setup = &setup;
        let filesize = stop.filesize_kb.map(|kb| kb * 1000);
        let limit = stop.packets;
        scope.spawn(move || read_stage(input.frames, limit, batch, to_dissect));
        let output = scope.spawn(move || {
            let stage = OutputStage::new(args, setup, taps, save, filesize, flush_each);
            stage.run(shown, recycle)
        });
        let (error, read) = dissector.run(frames, to_output, recycled);
        (error, read, output.join())
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

/// Reads up to `limit` frames (-c counts frames read, as in tshark, not frames displayed;
/// -a packets:N likewise for a live capture) and sends them on in batches of `size`. A read
/// error ends the input after the frames before it.
fn read_stage(
    frames: inputs::FrameSource,
    limit: Option<u64>,
    size: usize,
    to_dissect: SyncSender<FromReader>,
) {
    let limit = limit.map_or(usize::MAX, |c| usize::try_from(c).unwrap_or(usize::MAX));
    let mut batch = Vec::with_capacity(size);
    for item in frames.take(limit) {
        match item {
            Ok(frame) => batch.push(frame),
            Err(e) => {
                let _ = to_dissect.send(FromReader::Frames(batch));
                let _ = to_dissect.send(FromReader::Failed(e.to_string()));
                return;
            }
        }
        if batch.len() == size {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(size));
            if to_dissect.send(FromReader::Frames(full)).is_err() {
                // Dissection stopped (the output failed).
                return;
            }
        }
    }
    let _ = to_dissect.send(FromReader::Frames(batch));
}

/// The dissecting thread's state: the engine, and what decides which packets go on.
struct Dissector<'a> {
    setup: &'a Setup,
    /// Statistics see the frames the display filter hides, so those go on too (marked).
    taps_see_hidden: bool,
    engine: Engine,
    /// Packets per batch sent on (1 when each is printed at once).
    batch: usize,
}

impl Dissector<'_> {
    /// Dissects and filters every frame read, sending the packets the outputs need on in
    /// batches. Returns the error that ended the input early (a cut file), if any, and how
    /// many frames were read.
    fn run(
        mut self,
        frames: Receiver<FromReader>,
        to_output: SyncSender<Vec<Shown>>,
        recycled: Receiver<Vec<Shown>>,
    ) -> (Option<String>, u64) {
        let size = self.batch;
        let mut read = 0u64;
        // Packets come back in batches; `spare` holds the ones not yet reused.
        let mut spare: Vec<Shown> = Vec::new();
        let mut batch: Vec<Shown> = Vec::with_capacity(size);
        let mut times = Deltas::default();
        for message in frames {
            let frames = match message {
                FromReader::Frames(frames) => frames,
                FromReader::Failed(e) => {
                    if !batch.is_empty() {
                        let _ = to_output.send(batch);
                    }
                    return (Some(e), read);
                }
            };
            read += frames.len() as u64;
            for frame in frames {
                if spare.is_empty() {
                    spare = recycled.try_recv().unwrap_or_default();
                }
                let mut shown = spare.pop().unwrap_or_else(blank_shown);
                if !self.dissect(&mut shown, frame, &mut times) {
                    // Hidden and not wanted: its allocations serve the next frame.
                    spare.push(shown);
                    continue;
                }
                batch.push(shown);
                if batch.len() == size {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(size));
                    if to_output.send(full).is_err() {
                        // The output stopped (a write error it reports itself).
                        return (None, read);
                    }
                }
            }
        }
        if !batch.is_empty() {
            let _ = to_output.send(batch);
        }
        (None, read)
    }

    /// Dissects `frame` into `shown`, and says whether it goes on: displayed, or hidden but
    /// wanted by the statistics.
    fn dissect(&mut self, shown: &mut Shown, frame: CapturedFrame, times: &mut Deltas) -> bool {
        let ts = frame.meta.ts_ns;
        self.engine
            .dissect_into(&mut shown.packet, frame.meta.clone(), &frame.data);
        shown.delta = ts - times.previous.unwrap_or(ts);
        times.previous = Some(ts);
        shown.displayed = self
            .setup
            .filter
            .as_ref()
            .is_none_or(|f| f.matches(&shown.packet));
        if !shown.displayed && !self.taps_see_hidden {
            return false;
        }
        if shown.displayed {
            self.engine.mark_displayed(ts);
            shown.delta_displayed = ts - times.previous_displayed.unwrap_or(ts);
            times.previous_displayed = Some(ts);
        }
        shown.frame = frame;
        true
    }
}

/// The time stamps the delta columns count from.
#[derive(Default)]
struct Deltas {
    previous: Option<i64>,
    previous_displayed: Option<i64>,
}

fn blank_shown() -> Shown {
    Shown {
        packet: Box::default(),
        frame: CapturedFrame::default(),
        delta: 0,
        delta_displayed: 0,
        displayed: true,
    }
}

/// The output thread's state: the statistics, the `-w` file and the printer.
struct OutputStage<'a> {
    taps: Vec<Box<dyn stats::Tap>>,
    save: Option<Output>,
    /// `-a filesize`: stop once the file being written reaches this many bytes.
    filesize: Option<u64>,
    flush_each: bool,
    quiet: bool,
    printer: Printer<'a>,
}

impl<'a> OutputStage<'a> {
    fn new(
        args: &'a Args,
        setup: &'a Setup,
        taps: Vec<Box<dyn stats::Tap>>,
        save: Option<Output>,
        filesize: Option<u64>,
        flush_each: bool,
    ) -> OutputStage<'a> {
        let quiet = args.quiet || (args.write.is_some() && !args.verbose && args.format.is_none());
        OutputStage {
            taps,
            save,
            filesize,
            flush_each,
            quiet,
            printer: Printer::new(args, setup, quiet),
        }
    }

    /// Feeds each shown packet to the statistics, the `-w` file and the printed output, then
    /// hands its batch back for reuse. Stops early once the `-w` file is full (the other
    /// threads then stop as their next send fails).
    fn run(
        mut self,
        shown: Receiver<Vec<Shown>>,
        recycle: Sender<Vec<Shown>>,
    ) -> Result<(), Failure> {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
        for batch in shown {
            for s in &batch {
                if self.packet(s, &mut out)? {
                    return self.finish(&mut out);
                }
            }
            let _ = recycle.send(batch);
        }
        self.finish(&mut out)
    }

    /// One packet through every output; true once the `-w` file is full.
    fn packet(&mut self, s: &Shown, out: &mut impl Write) -> Result<bool, Failure> {
        for t in self.taps.iter_mut() {
            t.packet(&s.packet);
        }
        if !s.displayed {
            return Ok(false);
        }
        let mut full = false;
        if let Some(w) = self.save.as_mut() {
            let flush_each = self.flush_each;
            let written = w
                .write(&s.frame)
                .and_then(|()| if flush_each { w.flush() } else { Ok(()) });
            written.map_err(|e| file_error(format!("writing capture: {e}")))?;
            if let Some(limit) = self.filesize {
                full = w.bytes_written().is_ok_and(|n| n >= limit);
            }
        }
        if !self.quiet {
            self.printer.format(&s.packet, s.delta, s.delta_displayed);
        }
        if self.printer.buf.len() > FLUSH_BYTES || self.flush_each {
            write_out(out, &mut self.printer.buf)?;
            if self.flush_each {
                let _ = out.flush();
            }
        }
        Ok(full)
    }

    /// Closes the printed document, prints the statistics and closes the `-w` file.
    fn finish(mut self, out: &mut impl Write) -> Result<(), Failure> {
        let printer = &mut self.printer;
        printer.finish();
        // tshark prints statistics in reverse order of their -z options.
        for t in self.taps.iter().rev() {
            t.render(&mut printer.buf);
        }
        write_out(out, &mut printer.buf)?;
        let _ = out.flush();
        if let Some(w) = self.save {
            w.finish()
                .map_err(|e| file_error(format!("writing capture: {e}")))?;
        }
        Ok(())
    }
}

/// What tshark prints at the end of a live capture: the packet count, and the drops of each
/// interface that had some.
fn report_live_counts(st: &lowshark::capture::status::LiveStatus, captured: u64) {
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
