//! What the flags ask for, checked before anything is read: the registry with decode-as rules
//! and heuristic switches, preferences, the display filter, the output format and its options.

use crate::cli::Args;
use crate::{arg_error, Failure};
use dissectors::engine::registry::Registry;
use dissectors::engine::Prefs;
use dissectors::filter::Filter;
use lowshark::output::coloring::Coloring;
use lowshark::output::fields::{Column, FieldsOptions};
use lowshark::output::text::TimeFormat;
use std::sync::Arc;

/// The printed output format (`-T`, `-V`).
pub enum Format {
    Summary,
    Detail,
    Json,
    Ek,
    Fields,
    Pdml,
    Psml,
}

/// Everything a run needs besides its input.
pub struct Setup {
    pub registry: Arc<Registry>,
    pub prefs: Prefs,
    pub filter: Option<Filter>,
    pub format: Format,
    pub field_opts: FieldsOptions,
    /// `-e` names resolved, in order.
    pub columns: Vec<Column>,
    pub time_format: TimeFormat,
    /// The packet-list columns of `-T psml` (`-o gui.column.format:…`).
    pub psml_columns: lowshark::output::pdml::Columns,
    /// `-j`/`-J`: the protocols JSON expands.
    pub json_filter: Option<lowshark::output::json::ProtoFilter>,
    /// `--color`: the colouring rules.
    pub coloring: Option<Coloring>,
}

/// The built-in registry with the user's decode-as rules and heuristic switches applied.
pub fn registry(args: &Args) -> Result<Registry, Failure> {
    let mut registry = Registry::builtin();
    for rule in &args.decode_as {
        registry.decode_as(rule).map_err(arg_error)?;
    }
    // tshark applies the disables, then the enables.
    let protocols = (args.disable_protocol.iter().map(|p| (p, false)))
        .chain(args.enable_protocol.iter().map(|p| (p, true)));
    for (list, on) in protocols {
        for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if !registry.set_protocol_enabled(&p.to_ascii_lowercase(), on) {
                // tshark ignores an unknown name without a word; say it, but go on as it does.
                eprintln!(
                    "lowshark: --{}-protocol {p}: unknown protocol, ignored",
                    if on { "enable" } else { "disable" }
                );
            }
        }
    }
    let switches = (args.enable_heuristic.iter().map(|p| (p, true)))
        .chain(args.disable_heuristic.iter().map(|p| (p, false)));
    for (p, on) in switches {
        if !registry.set_heuristic_enabled(p, on) {
            let flag = if on { "enable" } else { "disable" };
            return Err(arg_error(format!(
                "--{flag}-heuristic {p}: unknown protocol"
            )));
        }
    }
    Ok(registry)
}

impl Setup {
    pub fn from_args(args: &Args, registry: Registry) -> Result<Setup, Failure> {
        let prefs = prefs(args, &registry)?;
        let registry = Arc::new(registry);
        let filter = match args.filter_text() {
            Some(t) => Some(Filter::compile(t, &registry).map_err(|e| arg_error(e.render(t)))?),
            None => None,
        };
        let format = format(args)?;
        let columns = check_fields(args, &registry, &format)?;
        let mut field_opts = FieldsOptions::default();
        for o in &args.field_opts {
            field_opts.set(o).map_err(arg_error)?;
        }
        let time_format = match &args.time_format {
            Some(t) => TimeFormat::parse(t).map_err(arg_error)?,
            None => TimeFormat::Relative,
        };
        let psml_columns = match args
            .prefs
            .iter()
            .find_map(|o| o.strip_prefix("gui.column.format:"))
        {
            Some(v) => lowshark::output::pdml::Columns::parse(v).map_err(arg_error)?,
            None => Default::default(),
        };
        use lowshark::output::json::ProtoFilter;
        let json_filter = match (&args.json_filter_all, &args.json_filter) {
            (Some(all), _) => Some(ProtoFilter::parse(all, true)),
            (None, Some(list)) => Some(ProtoFilter::parse(list, false)),
            (None, None) => None,
        };
        let coloring = match args.color {
            true => Some(Coloring::defaults(&registry).map_err(arg_error)?),
            false => None,
        };
        Ok(Setup {
            coloring,
            json_filter,
            psml_columns,
            registry,
            prefs,
            filter,
            format,
            field_opts,
            columns,
            time_format,
        })
    }
}

fn format(args: &Args) -> Result<Format, Failure> {
    Ok(match args.format.as_deref() {
        None | Some("text") | Some("tabs") if args.verbose => Format::Detail,
        None | Some("text") | Some("tabs") => Format::Summary,
        Some("json") | Some("jsonraw") => Format::Json,
        Some("ek") => Format::Ek,
        Some("fields") => Format::Fields,
        Some("pdml") => Format::Pdml,
        Some("psml") => Format::Psml,
        Some(other) => {
            return Err(arg_error(format!(
                "-T {other}: unknown output format; use text, json, ek, fields, pdml or psml"
            )))
        }
    })
}

fn check_fields(args: &Args, registry: &Registry, format: &Format) -> Result<Vec<Column>, Failure> {
    if matches!(format, Format::Fields) && args.fields.is_empty() {
        return Err(arg_error("-T fields needs at least one -e FIELD"));
    }
    args.fields
        .iter()
        .map(|f| {
            Column::resolve(f, registry).ok_or_else(|| {
                arg_error(format!(
                    "-e {f}: unknown field (lowshark -G fields lists them)"
                ))
            })
        })
        .collect()
}

/// `-o name:value` (and `--6lowpan-context`) into preferences; unknown names warn, so tshark
/// command lines with preferences lowshark lacks keep working.
fn prefs(args: &Args, registry: &Registry) -> Result<Prefs, Failure> {
    let mut prefs = Prefs::default();
    for o in &args.prefs {
        let (name, value) = o.split_once(':').ok_or_else(|| {
            arg_error(format!(
                "-o {o}: expected name:value, e.g. -o tcp.check_checksum:TRUE"
            ))
        })?;
        // gui.column.format is the packet list's, read by Setup (not a dissector's).
        if registry.pref(name).is_none() && name != "gui.column.format" {
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
