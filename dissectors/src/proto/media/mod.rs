//! Payloads named by a media type (RFC 6838): the layers CoAP (Content-Format, RFC 7252
//! §12.3), HTTP (Content-Type, RFC 9110 §8.3) and MQTT 5 (Content Type property) hand their
//! payload to through the [`MEDIA_TYPE`](crate::engine::registry::tables::MEDIA_TYPE) table,
//! as Wireshark's `media_type` dissector table does:
//!
//! | media types | layer |
//! |---|---|
//! | `text/*`, `application/x-www-form-urlencoded`, … | [`text`] (`data-text-lines`) |
//! | `application/json`, `+json` types tshark knows | [`json`] |
//! | `application/cbor`, SenML CBOR | [`cbor`] |
//! | `application/xml`, `text/xml`, `+xml` types | [`crate::proto::xml`] |
//! | anything else in an HTTP body | [`PROTOCOL`] (`media`: the bytes, with their type) |
//!
//! The caller passes the media type as [`Cx::match_string`] (through
//! [`Cx::call_string_table`]); the layers name it in their label and Info text.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub mod cbor;
pub mod json;
pub mod text;

#[cfg(test)]
mod tests;

crate::fields! {
    PROTO = FieldDef::protocol("media", "Media Type");
    TYPE = FieldDef::new("media.type", "Media type", T::Bytes);
}

crate::protocol!(
    /// Bytes of a media type no layer decodes (tshark's `media`), for HTTP bodies.
    "media",
    "Media",
    dissect,
    |_: &mut Registry| {},
);

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    // Like `data`, the media layer leaves the Protocol column to the protocol carrying it.
    let keep = cx.columns.protocol.clone();
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.columns.protocol = keep;
    let label = match cx.match_string.as_deref() {
        Some(t) => format!("Media Type: {t} ({} bytes)", tvb.len()),
        None => format!("Media Type ({} bytes)", tvb.len()),
    };
    cx.set_text(node, label);
    cx.add(node, &TYPE, tvb.whole(), Value::bytes(tvb.data()));
    Ok(())
}

/// Adds `proto` to the media-type table for each of `types`.
pub fn register_types(
    r: &mut Registry,
    types: &[&'static str],
    proto: &'static crate::engine::registry::Protocol,
) {
    for t in types {
        r.add_str(crate::engine::registry::tables::MEDIA_TYPE, t, proto);
    }
}

/// Hands a payload to the layer its media type names; false when no layer knows the type
/// (the caller then shows the bytes its own way). Parameters after `;` (`charset=utf-8`) do not
/// take part in the look-up, as in Wireshark.
pub fn call(cx: &mut Cx, media_type: &str, tvb: &Tvb, parent: NodeId) -> bool {
    let bare = media_type.split(';').next().unwrap_or("").trim();
    cx.call_string_table(
        crate::engine::registry::tables::MEDIA_TYPE,
        bare,
        tvb,
        parent,
    )
}

/// Appends `(media/type)` to the Info column, as the text and JSON layers do when their
/// caller named the media type.
fn info_media_type(cx: &mut Cx) {
    if let Some(t) = cx.match_string.clone() {
        cx.append_info(format_args!("({t})"));
    }
}
