//! `data-text-lines`: a text payload shown line by line (tshark's "Line-based text data"), for
//! `text/*` media types and the CoAP diagnostic payload (RFC 7252 §5.5.2).
//!
//! ```text
//! Line-based text data: text/plain (2 lines)
//!     first line\r\n          one text item per line, its end of line included
//!     second line
//! ```
//! The layer has no fields of its own, only text items; the lines end at `\n` (`\r\n`
//! included in the line).

use crate::engine::colfmt::plural;
use crate::engine::field::FieldDef;
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::bytes_to_text;
use crate::engine::Cx;

crate::fields! {
    PROTO = FieldDef::protocol("data-text-lines", "Line-based text data");
}

crate::protocol!("data-text-lines", "Line-based text data", dissect, register);

/// Media types shown as lines of text (those tshark 4.0 registers for its text dissector that
/// an IoT gateway's traffic carries).
const TEXT_TYPES: &[&str] = &[
    "text/plain",
    "text/html",
    "text/css",
    "text/csv",
    "text/javascript",
    "text/richtext",
    "text/vnd.wap.wml",
    "text/vnd.wap.wmlscript",
    "text/vcard",
    "text/calendar",
    "text/x-vcard",
    "text/xsl",
    "application/javascript",
    "application/x-javascript",
    "application/x-www-form-urlencoded",
    "application/x-ns-proxy-autoconfig",
    "application/sdp-text",
    "application/vnd.oma.drm.message",
    "application/x-wms-logplaystats",
    "message/sipfrag",
];

fn register(r: &mut Registry) {
    crate::proto::media::register_types(r, TEXT_TYPES, &PROTOCOL);
}

/// Where each line of `b` ends (after its `\n`, or at the end of the data).
pub fn line_ends(b: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= b.len() {
            return None;
        }
        let end = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| start + i + 1);
        let line = (start, end);
        start = end;
        Some(line)
    })
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    // The layer leaves the Protocol column to the protocol carrying it.
    let keep = cx.columns.protocol.clone();
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.columns.protocol = keep;
    let data = tvb.data();
    let mut lines = 0usize;
    for (start, end) in line_ends(data) {
        cx.add_text(
            node,
            tvb.range(start, end - start),
            bytes_to_text(&data[start..end]),
        );
        lines += 1;
    }
    let ending = plural(lines);
    let label = match cx.match_string.as_deref() {
        Some(t) => format!("Line-based text data: {t} ({lines} line{ending})"),
        None => format!("Line-based text data ({lines} line{ending})"),
    };
    cx.set_text(node, label);
    super::info_media_type(cx);
    Ok(())
}
