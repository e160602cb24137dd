//! The RFC 3863 presence document (PIDF) as tshark's `presence.dtd` describes it: its elements
//! and attributes get `presence.*` fields instead of `xml.tag`/`xml.attribute`. tshark loads the
//! DTD with `hierarchy="yes"`, so every element exists both at the top of the namespace
//! (`presence.status`) and under its parents (`presence.tuple.status`).
//!
//! ```text
//! presence (entity, xmlns)
//!   tuple (id)
//!     status
//!       basic
//!     contact (priority)   note (lang)   timestamp
//! ```
//! XMPP's `<presence>` stanza has the same name, so tshark shows it with these fields too.

use super::Ns;
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::Cx;

/// The media type the DTD names.
pub const MEDIA_TYPE: &str = "application/cpim-pidf+xml";

crate::fields! {
    XMLNS = FieldDef::new("presence.xmlns", "xmlns", T::String);
    ENTITY = FieldDef::new("presence.entity", "entity", T::String);
    TUPLE = FieldDef::new("presence.tuple", "tuple", T::String);
    TUPLE_ID = FieldDef::new("presence.tuple.id", "id", T::String);
    TUPLE_STATUS = FieldDef::new("presence.tuple.status", "status", T::String);
    TUPLE_STATUS_BASIC = FieldDef::new("presence.tuple.status.basic", "basic", T::String);
    TUPLE_CONTACT = FieldDef::new("presence.tuple.contact", "contact", T::String);
    TUPLE_CONTACT_PRIORITY = FieldDef::new("presence.tuple.contact.priority", "priority", T::String);
    TUPLE_NOTE = FieldDef::new("presence.tuple.note", "note", T::String);
    TUPLE_NOTE_LANG = FieldDef::new("presence.tuple.note.lang", "lang", T::String);
    TUPLE_TIMESTAMP = FieldDef::new("presence.tuple.timestamp", "timestamp", T::String);
    STATUS = FieldDef::new("presence.status", "status", T::String);
    STATUS_BASIC = FieldDef::new("presence.status.basic", "basic", T::String);
    BASIC = FieldDef::new("presence.basic", "basic", T::String);
    CONTACT = FieldDef::new("presence.contact", "contact", T::String);
    CONTACT_PRIORITY = FieldDef::new("presence.contact.priority", "priority", T::String);
    NOTE = FieldDef::new("presence.note", "note", T::String);
    NOTE_LANG = FieldDef::new("presence.note.lang", "lang", T::String);
    TIMESTAMP = FieldDef::new("presence.timestamp", "timestamp", T::String);
}

static PROTO: FieldDef = FieldDef::protocol("presence", "presence XML doc (RFC 3863)");
/// Text directly inside `<presence>` (tshark's field of the same name as the protocol, which
/// the registry cannot hold twice: not filterable here).
static CDATA: FieldDef = FieldDef::new("presence", "presence", T::String);

crate::protocol!(
    /// Not a dissector of its own: the XML layer uses its fields (tshark registers the DTD as a
    /// protocol the same way).
    "presence",
    "presence",
    dissect,
    |_: &mut Registry| {},
);

fn dissect(_: &Tvb, cx: &mut Cx, _: NodeId) -> Result<()> {
    cx.reject();
    Ok(())
}

/// An element whose tag and text share one field (as tshark registers them).
const fn leaf(
    name: &'static str,
    f: &'static FieldDef,
    attrs: &'static [(&'static str, &'static FieldDef)],
    elements: &'static [&'static Ns],
) -> Ns {
    Ns {
        name,
        tag: f,
        cdata: f,
        attrs,
        elements: Some(elements),
    }
}

static TUPLE_STATUS_BASIC_NS: Ns = leaf("basic", &TUPLE_STATUS_BASIC, &[], &[]);
static TUPLE_STATUS_NS: Ns = leaf("status", &TUPLE_STATUS, &[], &[&TUPLE_STATUS_BASIC_NS]);
static TUPLE_CONTACT_NS: Ns = leaf(
    "contact",
    &TUPLE_CONTACT,
    &[("priority", &TUPLE_CONTACT_PRIORITY)],
    &[],
);
static TUPLE_NOTE_NS: Ns = leaf("note", &TUPLE_NOTE, &[("lang", &TUPLE_NOTE_LANG)], &[]);
static TUPLE_TIMESTAMP_NS: Ns = leaf("timestamp", &TUPLE_TIMESTAMP, &[], &[]);
static TUPLE_NS: Ns = leaf(
    "tuple",
    &TUPLE,
    &[("id", &TUPLE_ID)],
    &[
        &TUPLE_STATUS_NS,
        &TUPLE_CONTACT_NS,
        &TUPLE_NOTE_NS,
        &TUPLE_TIMESTAMP_NS,
    ],
);
static STATUS_BASIC_NS: Ns = leaf("basic", &STATUS_BASIC, &[], &[]);
static STATUS_NS: Ns = leaf("status", &STATUS, &[], &[&STATUS_BASIC_NS]);
static BASIC_NS: Ns = leaf("basic", &BASIC, &[], &[]);
static CONTACT_NS: Ns = leaf("contact", &CONTACT, &[("priority", &CONTACT_PRIORITY)], &[]);
static NOTE_NS: Ns = leaf("note", &NOTE, &[("lang", &NOTE_LANG)], &[]);
static TIMESTAMP_NS: Ns = leaf("timestamp", &TIMESTAMP, &[], &[]);

/// The DTD's root: `<presence>` and every element of the DTD below it.
pub static PRESENCE: Ns = Ns {
    name: "presence",
    tag: &PROTO,
    cdata: &CDATA,
    attrs: &[("xmlns", &XMLNS), ("entity", &ENTITY)],
    elements: Some(&[
        &PRESENCE,
        &TUPLE_NS,
        &STATUS_NS,
        &BASIC_NS,
        &CONTACT_NS,
        &NOTE_NS,
        &TIMESTAMP_NS,
    ]),
};
