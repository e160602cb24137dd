//! The `frame` pseudo-protocol: what the capture file says about a frame (number, times,
//! lengths, interface) and the root of dispatch by link type.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::{ByteRange, NodeId};
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

crate::fields! {
    PROTO = FieldDef::protocol("frame", "Frame");
    INTERFACE_ID = FieldDef::new("frame.interface_id", "Interface id", T::U32);
    INTERFACE_NAME = FieldDef::new("frame.interface_name", "Interface name", T::String);
    INTERFACE_DESCRIPTION = FieldDef::new("frame.interface_description", "Interface description", T::String);
    ENCAP_TYPE = FieldDef::new("frame.encap_type", "Encapsulation type", T::I16);
    TIME = FieldDef::new("frame.time", "Arrival Time", T::AbsTime);
    OFFSET_SHIFT = FieldDef::new("frame.offset_shift", "Time shift for this packet", T::RelTime);
    TIME_EPOCH = FieldDef::new("frame.time_epoch", "Epoch Time", T::RelTime);
    TIME_DELTA = FieldDef::new("frame.time_delta", "Time delta from previous captured frame", T::RelTime);
    TIME_DELTA_DISPLAYED = FieldDef::new("frame.time_delta_displayed", "Time delta from previous displayed frame", T::RelTime);
    TIME_RELATIVE = FieldDef::new("frame.time_relative", "Time since reference or first frame", T::RelTime);
    NUMBER = FieldDef::new("frame.number", "Frame Number", T::U32);
    LEN = FieldDef::new("frame.len", "Frame Length", T::U32).unit("bytes");
    CAP_LEN = FieldDef::new("frame.cap_len", "Capture Length", T::U32).unit("bytes");
    MARKED = FieldDef::new("frame.marked", "Frame is marked", T::Bool);
    IGNORED = FieldDef::new("frame.ignored", "Frame is ignored", T::Bool);
    PROTOCOLS = FieldDef::new("frame.protocols", "Protocols in frame", T::String);
    COMMENT = FieldDef::new("frame.comment", "Comment", T::String);
}

crate::protocol!("frame", "FRAME", dissect_frame, |r: &mut Registry| r
    .set_frame_protocol(&PROTOCOL),);

/// Wiretap's encapsulation number for a pcap link type, as tshark prints in `frame.encap_type`.
pub fn wtap_encap(link_type: u32) -> i64 {
    match link_type {
        0 | 108 => 15,
        1 => 1,
        101 => 7,
        228 => 129,
        229 => 130,
        113 => 25,
        276 => 210,
        195 => 104,
        215 => 104,
        230 => 127,
        283 => 206,
        _ => -1,
    }
}

/// Dissects a whole frame: the frame layer, then the link layer by link type.
fn dissect_frame(tvb: &Tvb, cx: &mut Cx, _root: NodeId) -> Result<()> {
    let meta = cx.meta;
    let times = cx.times;
    let whole = tvb.whole();
    let frame = cx.add_proto(NodeId::ROOT, &PROTOCOL, whole);
    let none = ByteRange::default();
    if let Some(id) = meta.interface_id {
        let n = cx.add(frame, &INTERFACE_ID, none, Value::UInt(id as u64));
        if let Some(name) = &meta.interface_name {
            cx.add_with(n, &INTERFACE_NAME, none, || Value::str(&**name));
        }
        if let Some(d) = &meta.interface_description {
            cx.add_with(n, &INTERFACE_DESCRIPTION, none, || Value::str(&**d));
        }
    }
    for c in &meta.comments {
        cx.add_with(frame, &COMMENT, none, || Value::str(c.clone()));
    }
    cx.add(
        frame,
        &ENCAP_TYPE,
        none,
        Value::Int(wtap_encap(meta.link_type)),
    );
    cx.add(frame, &TIME, none, Value::AbsTime(meta.ts_ns));
    cx.add(frame, &OFFSET_SHIFT, none, Value::RelTime(0));
    cx.add(frame, &TIME_EPOCH, none, Value::RelTime(meta.ts_ns));
    cx.add(frame, &TIME_DELTA, none, Value::RelTime(times.delta));
    cx.add(
        frame,
        &TIME_DELTA_DISPLAYED,
        none,
        Value::RelTime(times.delta_displayed),
    );
    cx.add(frame, &TIME_RELATIVE, none, Value::RelTime(times.relative));
    cx.add(frame, &NUMBER, none, Value::UInt(meta.number));
    cx.add(frame, &LEN, none, Value::UInt(meta.orig_len as u64));
    cx.add(frame, &CAP_LEN, none, Value::UInt(tvb.len() as u64));
    cx.add(frame, &MARKED, none, Value::Bool(false));
    cx.add(frame, &IGNORED, none, Value::Bool(false));
    let protocols = cx.add(frame, &PROTOCOLS, none, Value::None);
    cx.set_text(
        frame,
        FrameLabel {
            meta,
            caplen: tvb.len(),
        },
    );

    // An unknown link type is shown as data; a known one that refuses the frame (an IPv6 link
    // carrying another IP version) shows only what it found, as tshark does.
    match cx.registry.lookup(tables::LINK_TYPE, meta.link_type as u64) {
        Some(link) => {
            cx.call(link, tvb, NodeId::ROOT);
        }
        None => cx.call_data(tvb, NodeId::ROOT),
    }

    if cx.columns.info.is_empty() && cx.columns.protocol == "FRAME" {
        cx.columns.protocol = "".into();
    }
    if protocols.is_built() {
        let path = crate::engine::protocol_path(cx.layers());
        cx.tree.node_mut(protocols).value = Value::str(path);
    }
    Ok(())
}

/// The frame layer's label: `Frame 1: 60 bytes on wire (480 bits), 60 bytes captured (480
/// bits) on interface eth0, id 0`.
struct FrameLabel<'a> {
    meta: &'a crate::engine::FrameMeta,
    caplen: usize,
}

impl std::fmt::Display for FrameLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.meta;
        write!(
            f,
            "Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)",
            m.number,
            m.orig_len,
            m.orig_len as u64 * 8,
            self.caplen,
            self.caplen * 8,
        )?;
        if let Some(i) = m.interface_id {
            let name = m.interface_name.as_deref().unwrap_or("unknown");
            write!(f, " on interface {name}, id {i}")?;
        }
        Ok(())
    }
}
