//! lowshark: a Wireshark-like packet analyzer for low-power IoT networks.
//!
//! The binary wires the pieces together: a capture source yields frames, the engine
//! (`dissectors` crate) dissects them, an output writes each packet as it comes, and statistics
//! taps see every displayed packet.

mod cli;

use clap::Parser;
use cli::Args;
use dissectors::engine::registry::Registry;
use dissectors::engine::{Engine, FrameMeta, Packet, Prefs};
use dissectors::filter::Filter;
use lowshark::capture::{self, CaptureReader, CapturedFrame};
use lowshark::{output, stats};
use output::fields::FieldsOptions;
use output::text::TimeFormat;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes, as tshark uses them: 1 for bad arguments, 2 for capture-file errors.
const EXIT_ARGS: u8 = 1;
const EXIT_FILE: u8 = 2;

enum Format {
    Summary,
    Detail,
    Json,
    Ek,
    Fields,
}

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

struct Failure {
    message: String,
    code: u8,
}

fn arg_error(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: EXIT_ARGS,
    }
}

fn run(args: Args) -> Result<ExitCode, Failure> {
    if args.version {
        println!("lowshark {}", env!("CARGO_PKG_VERSION"));
        return Ok(ExitCode::SUCCESS);
    }
    let mut registry = Registry::builtin();
    for rule in &args.decode_as {
        registry.decode_as(rule).map_err(arg_error)?;
    }
    for p in &args.enable_heuristic {
        if !registry.set_heuristic_enabled(p, true) {
            return Err(arg_error(format!(
                "--enable-heuristic {p}: unknown protocol"
            )));
        }
    }
    for p in &args.disable_heuristic {
        if !registry.set_heuristic_enabled(p, false) {
            return Err(arg_error(format!(
                "--disable-heuristic {p}: unknown protocol"
            )));
        }
    }
    if let Some(report) = &args.glossary {
        return glossary(&registry, report);
    }
    if args.list_interfaces {
        return list_interfaces();
    }
    let prefs = build_prefs(&args, &registry)?;
    let registry = Arc::new(registry);

    let filter_text = args.display_filter.as_ref().or(args.read_filter.as_ref());
    let filter = match filter_text {
        Some(t) => Some(Filter::compile(t, &registry).map_err(|e| arg_error(e.render(t)))?),
        None => None,
    };
    let format = match args.format.as_deref() {
        None if args.verbose => Format::Detail,
        None | Some("text") | Some("tabs") => {
            if args.verbose {
                Format::Detail
            } else {
                Format::Summary
            }
        }
        Some("json") | Some("jsonraw") => Format::Json,
        Some("ek") => Format::Ek,
        Some("fields") => Format::Fields,
        Some(other) => {
            return Err(arg_error(format!(
                "-T {other}: unknown output format; use text, json, ek or fields"
            )))
        }
    };
    if matches!(format, Format::Fields) && args.fields.is_empty() {
        return Err(arg_error("-T fields needs at least one -e FIELD"));
    }
    for f in &args.fields {
        if !f.starts_with("_ws.col.") && registry.field(f).is_none() {
            return Err(arg_error(format!(
                "-e {f}: unknown field (lowshark -G fields lists them)"
            )));
        }
    }
    let mut field_opts = FieldsOptions::default();
    for o in &args.field_opts {
        field_opts.set(o).map_err(arg_error)?;
    }
    let time_format = match &args.time_format {
        Some(t) => TimeFormat::parse(t).map_err(arg_error)?,
        None => TimeFormat::Relative,
    };
    if let Some(input) = tui_input(&args)? {
        let opts = lowshark::tui::Options {
            input,
            registry: registry.clone(),
            prefs,
            time_format,
            filter: filter_text.cloned(),
        };
        return match lowshark::tui::run(opts) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(lowshark::tui::RunError::Capture(e)) => Err(Failure {
                message: e.to_string(),
                code: EXIT_FILE,
            }),
            Err(lowshark::tui::RunError::Terminal(e)) => Err(Failure {
                message: format!("terminal: {e}"),
                code: EXIT_FILE,
            }),
        };
    }
    let mut taps = Vec::new();
    for z in &args.stats {
        taps.push(stats::make(z).map_err(arg_error)?);
    }

    let source: FrameSource;
    let (first_link_type, snaplen) = match (&args.read, &args.file, &args.interface) {
        (Some(path), _, _) | (None, Some(path), None) => {
            let reader = CaptureReader::open(std::path::Path::new(path)).map_err(|e| Failure {
                message: e.to_string(),
                code: EXIT_FILE,
            })?;
            let info = (
                reader.link_types().first().copied().unwrap_or(1),
                reader.snaplen(),
            );
            source = Box::new(reader);
            info
        }
        (None, _, Some(iface)) => {
            let (live, link_type) = open_live(iface, args.capture_filter.as_deref())?;
            source = live;
            (link_type, 262_144)
        }
        (None, None, None) => return Err(arg_error(
            "no capture to read: use -r FILE (or lowshark FILE); lowshark --help lists the flags",
        )),
    };

    let mut writer = match &args.write {
        Some(w) => Some(PacketWriter::create(
            w,
            args.write_format.as_deref(),
            first_link_type,
            snaplen,
        )?),
        None => None,
    };
    let mut engine = Engine::new(registry.clone(), prefs);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let quiet = args.quiet || (args.write.is_some() && !args.verbose && args.format.is_none());
    let mut buf = String::with_capacity(4096);
    let mut first_json = true;
    if !quiet && matches!(format, Format::Json) {
        buf.push_str("[\n");
    }
    if !quiet && matches!(format, Format::Fields) && field_opts.header {
        buf.push_str(&output::fields::header_line(&args.fields, &field_opts));
        buf.push('\n');
    }
    let mut prev_ts: Option<i64> = None;
    let mut prev_displayed_ts: Option<i64> = None;
    let mut file_error = None;
    // -c counts packets read, as in tshark (not packets displayed).
    let limit = args
        .count
        .map_or(usize::MAX, |c| usize::try_from(c).unwrap_or(usize::MAX));
    for item in source.take(limit) {
        let mut frame = match item {
            Ok(f) => f,
            Err(e) => {
                file_error = Some(e.to_string());
                break;
            }
        };
        let data = std::mem::take(&mut frame.data);
        let ts = frame.ts_ns;
        let meta = frame_meta(frame);
        let packet = engine.dissect(meta, &data);
        if let Some(f) = &filter {
            if !f.matches(&packet) {
                prev_ts = Some(ts);
                continue;
            }
        }
        engine.mark_displayed(ts);
        for t in taps.iter_mut() {
            t.packet(&packet);
        }
        if let Some(w) = writer.as_mut() {
            w.write(&packet, &data)?;
        }
        if !quiet {
            let delta = ts - prev_ts.unwrap_or(ts);
            let delta_displayed = ts - prev_displayed_ts.unwrap_or(ts);
            format_packet(
                &mut buf,
                &packet,
                &format,
                &args,
                &field_opts,
                time_format,
                delta,
                delta_displayed,
                &mut first_json,
            );
        }
        prev_ts = Some(ts);
        prev_displayed_ts = Some(ts);
        if buf.len() > 1 << 15 || args.line_buffered {
            write_out(&mut out, &mut buf)?;
            if args.line_buffered {
                let _ = out.flush();
            }
        }
    }
    if !quiet && matches!(format, Format::Json) {
        buf.push_str(if first_json { "]\n" } else { "\n]\n" });
    }
    // tshark prints statistics in reverse order of their -z options.
    for t in taps.iter().rev() {
        t.render(&mut buf);
    }
    write_out(&mut out, &mut buf)?;
    let _ = out.flush();
    if let Some(w) = writer {
        w.finish()?;
    }
    if let Some(e) = file_error {
        eprintln!("lowshark: {e}");
        return Ok(ExitCode::from(EXIT_FILE));
    }
    Ok(ExitCode::SUCCESS)
}

/// What to show in the TUI: a capture file (not standard input) or a live capture, when stdout
/// is a terminal and no option asks for printed output; `--no-tui` forces printing.
fn tui_input(args: &Args) -> Result<Option<lowshark::tui::Input>, Failure> {
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

fn write_out(out: &mut impl Write, buf: &mut String) -> Result<(), Failure> {
    match out.write_all(buf.as_bytes()) {
        Ok(()) => {
            buf.clear();
            Ok(())
        }
        // A closed pipe (`lowshark … | head`) ends the run quietly, as tshark does.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Failure {
            message: format!("writing output: {e}"),
            code: EXIT_FILE,
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn format_packet(
    buf: &mut String,
    p: &Packet,
    format: &Format,
    args: &Args,
    field_opts: &FieldsOptions,
    time_format: TimeFormat,
    delta: i64,
    delta_displayed: i64,
    first_json: &mut bool,
) {
    match format {
        Format::Summary | Format::Detail => {
            let detail = matches!(format, Format::Detail);
            if !detail || args.print_summary {
                let t = output::text::time_column(p, time_format, delta, delta_displayed);
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
            if !*first_json {
                buf.push_str(",\n");
            }
            *first_json = false;
            output::json::write_json_packet(buf, p, args.hex);
        }
        Format::Ek => output::json::write_ek_packet(buf, p),
        Format::Fields => {
            buf.push_str(&output::fields::fields_line(p, &args.fields, field_opts));
            buf.push('\n');
        }
    }
}

/// `-o name:value` (and `--6lowpan-context`) into preferences; unknown names warn, so tshark
/// command lines with preferences lowshark lacks keep working.
fn build_prefs(args: &Args, registry: &Registry) -> Result<Prefs, Failure> {
    let mut prefs = Prefs::default();
    for o in &args.prefs {
        let (name, value) = o.split_once(':').ok_or_else(|| {
            arg_error(format!(
                "-o {o}: expected name:value, e.g. -o tcp.check_checksum:TRUE"
            ))
        })?;
        if registry.pref(name).is_none() {
            eprintln!("lowshark: warning: -o {name}: unknown preference, ignored");
        }
        prefs.set(name, value);
    }
    for c in &args.sixlowpan_contexts {
        let (id, prefix) = c.split_once('=').ok_or_else(|| {
            arg_error(format!(
                "--6lowpan-context {c}: expected ID=PREFIX, e.g. 0=fd00::/64"
            ))
        })?;
        match id.parse::<u8>() {
            Ok(n) if n < 16 => prefs.set(&format!("6lowpan.context{n}"), prefix),
            _ => {
                return Err(arg_error(format!(
                    "--6lowpan-context {c}: the context id must be 0 to 15"
                )))
            }
        }
    }
    Ok(prefs)
}

/// `-G`: the registry as tshark's glossary reports print it.
fn glossary(registry: &Registry, report: &str) -> Result<ExitCode, Failure> {
    let mut out = String::new();
    match report {
        "fields" => {
            for p in registry.protocols() {
                out.push_str(&format!("P\t{}\t{}\n", p.field.name, p.name));
                let fields = p.fields.iter().copied().filter(|f| f.abbrev != p.name);
                let experts = p.experts.iter().map(|e| &e.field);
                for f in fields.chain(experts) {
                    out.push_str(&format!(
                        "F\t{}\t{}\t{}\t{}\t{}\t0x{:x}\t{}\n",
                        f.name,
                        f.abbrev,
                        f.ftype.ws_name(),
                        p.name,
                        base_name(f),
                        f.bitmask,
                        f.blurb
                    ));
                }
            }
        }
        "protocols" => {
            for p in registry.protocols() {
                out.push_str(&format!("{}\t{}\t{}\n", p.field.name, p.short_name, p.name));
            }
        }
        "defaultprefs" => {
            for p in registry.protocols() {
                for pref in p.prefs {
                    out.push_str(&format!(
                        "# {}\n#{}: {}\n\n",
                        pref.description, pref.name, pref.default
                    ));
                }
            }
        }
        "decodes" => {
            for t in dissectors::engine::registry::tables::DECODE_AS {
                out.push_str(&format!("{t}\n"));
            }
        }
        other => {
            return Err(arg_error(format!(
                "-G {other}: unknown report; use fields, protocols, defaultprefs or decodes"
            )))
        }
    }
    let mut stdout = std::io::stdout().lock();
    write_out(&mut stdout, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

fn base_name(f: &dissectors::FieldDef) -> String {
    use dissectors::engine::field::{Base, FieldType};
    match f.base {
        Base::Bits(w) if f.ftype == FieldType::Bool => w.to_string(),
        Base::Dec => "BASE_DEC".into(),
        Base::Hex => "BASE_HEX".into(),
        Base::Oct => "BASE_OCT".into(),
        Base::DecHex => "BASE_DEC_HEX".into(),
        Base::HexDec => "BASE_HEX_DEC".into(),
        _ => String::new(),
    }
}

type FrameSource = Box<dyn Iterator<Item = Result<CapturedFrame, capture::CaptureError>> + Send>;

#[cfg(feature = "live")]
fn list_interfaces() -> Result<ExitCode, Failure> {
    let devices = capture::live::LiveCapture::list().map_err(|e| Failure {
        message: format!("listing interfaces: {e}"),
        code: EXIT_FILE,
    })?;
    for (i, (name, desc)) in devices.iter().enumerate() {
        match desc {
            Some(desc) => println!("{}. {name} ({desc})", i + 1),
            None => println!("{}. {name}", i + 1),
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "live"))]
fn list_interfaces() -> Result<ExitCode, Failure> {
    Err(arg_error(NO_LIVE))
}

#[cfg(not(feature = "live"))]
const NO_LIVE: &str = "live capture needs a build with the `live` feature \
     (cargo build --features live, with libpcap-dev installed)";

#[cfg(feature = "live")]
fn open_live(iface: &str, filter: Option<&str>) -> Result<(FrameSource, u32), Failure> {
    let live = capture::live::LiveCapture::open(iface, filter).map_err(|e| Failure {
        message: e.to_string(),
        code: EXIT_FILE,
    })?;
    let link_type = live.link_type();
    Ok((Box::new(live), link_type))
}

#[cfg(not(feature = "live"))]
fn open_live(iface: &str, _filter: Option<&str>) -> Result<(FrameSource, u32), Failure> {
    Err(arg_error(format!("-i {iface}: {NO_LIVE}")))
}

/// `-w`: writes displayed packets as pcapng (default) or pcap.
enum PacketWriter {
    PcapNg(capture::PcapNgWriter<std::io::BufWriter<std::fs::File>>),
    Pcap(capture::PcapWriter<std::io::BufWriter<std::fs::File>>),
}

impl PacketWriter {
    fn create(
        path: &str,
        format: Option<&str>,
        link_type: u32,
        snaplen: u32,
    ) -> Result<PacketWriter, Failure> {
        let file = std::fs::File::create(path).map_err(|e| Failure {
            message: format!("{path}: {e}"),
            code: EXIT_FILE,
        })?;
        let w = std::io::BufWriter::new(file);
        let io = |e: std::io::Error| Failure {
            message: format!("{path}: {e}"),
            code: EXIT_FILE,
        };
        match format.unwrap_or("pcapng") {
            "pcapng" => Ok(PacketWriter::PcapNg(
                capture::PcapNgWriter::new(w).map_err(io)?,
            )),
            "pcap" | "libpcap" => Ok(PacketWriter::Pcap(
                capture::PcapWriter::new(w, link_type, snaplen.max(65535)).map_err(io)?,
            )),
            other => Err(arg_error(format!(
                "-F {other}: unknown file format; use pcapng or pcap"
            ))),
        }
    }

    fn write(&mut self, p: &Packet, data: &[u8]) -> Result<(), Failure> {
        let f = CapturedFrame {
            number: p.meta.number,
            ts_ns: p.meta.ts_ns,
            orig_len: p.meta.orig_len,
            link_type: p.meta.link_type,
            interface_id: p.meta.interface_id,
            interface_name: p.meta.interface_name.clone(),
            interface_description: p.meta.interface_description.clone(),
            comments: p.meta.comments.clone(),
            data: data.to_vec(),
        };
        let r = match self {
            PacketWriter::PcapNg(w) => w.write(&f),
            PacketWriter::Pcap(w) => w.write(&f),
        };
        r.map_err(|e| Failure {
            message: format!("writing capture: {e}"),
            code: EXIT_FILE,
        })
    }

    fn finish(self) -> Result<(), Failure> {
        let r = match self {
            PacketWriter::PcapNg(w) => w.finish().map(|_| ()),
            PacketWriter::Pcap(w) => w.finish().map(|_| ()),
        };
        r.map_err(|e| Failure {
            message: format!("writing capture: {e}"),
            code: EXIT_FILE,
        })
    }
}
