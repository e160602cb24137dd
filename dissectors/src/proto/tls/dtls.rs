//! A minimal DTLS record layer (RFC 6347 §4.1, RFC 9147 for the 1.3 version number), enough to
//! show CoAPS traffic (UDP port 5684, RFC 7252 §9) as records: lowshark does not decrypt, so
//! application data stays opaque.
//!
//! ```text
//! +--------+--------+--------+--------+--------+--------+--------+--------+
//! |  type  |     version     |      epoch      |  sequence number …       |
//! +--------+--------+--------+--------+--------+--------+--------+--------+
//! |   … sequence number (48 bits)     |     length      |  fragment …     |
//! +--------+--------+--------+--------+--------+--------+--------+--------+
//! ```
//! A datagram may hold several records. Bytes that do not look like a record (unknown content
//! type or version) leave the `dtls` layer empty, as tshark does for such payloads.
//! `dtls.record.fragment` (the bytes of a non-application record) is lowshark's own field.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Protocol, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

const CONTENT_TYPES: &[(u64, &str)] = &[
    (20, "Change Cipher Spec"),
    (21, "Alert"),
    (22, "Handshake"),
    (23, "Application Data"),
    (24, "Heartbeat"),
    (25, "Connection ID"),
];

const VERSIONS: &[(u64, &str)] = &[
    (0x0100, "DTLS 1.0 (OpenSSL pre 0.9.8f)"),
    (0xfeff, "DTLS 1.0"),
    (0xfefd, "DTLS 1.2"),
    (0xfefc, "DTLS 1.3"),
];

crate::fields! {
    PROTO = FieldDef::protocol("dtls", "Datagram Transport Layer Security");
    RECORD = FieldDef::new("dtls.record", "Record Layer", T::None);
    CONTENT_TYPE = FieldDef::new("dtls.record.content_type", "Content Type", T::U8).vals(CONTENT_TYPES);
    VERSION = FieldDef::new("dtls.record.version", "Version", T::U16).hex().vals(VERSIONS)
        .blurb("Record layer version");
    EPOCH = FieldDef::new("dtls.record.epoch", "Epoch", T::U16);
    SEQUENCE = FieldDef::new("dtls.record.sequence_number", "Sequence Number", T::U64);
    LENGTH = FieldDef::new("dtls.record.length", "Length", T::U16).blurb("Length of DTLS record data");
    APP_DATA = FieldDef::new("dtls.app_data", "Encrypted Application Data", T::Bytes)
        .blurb("Payload is encrypted application data");
    FRAGMENT = FieldDef::new("dtls.record.fragment", "Record Data", T::Bytes);
}

pub static PROTOCOL: Protocol = Protocol {
    name: "dtls",
    short_name: "DTLS",
    field: &PROTO,
    fields: FIELDS,
    experts: &[],
    prefs: &[],
    dissect,
    register,
};

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, 5684, &PROTOCOL);
}

fn looks_like_record(d: &[u8]) -> bool {
    d.len() >= 13
        && (20..=25).contains(&d[0])
        && VERSIONS
            .iter()
            .any(|(v, _)| *v == u16::from_be_bytes([d[1], d[2]]) as u64)
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let mut off = 0;
    let mut infos = vec![];
    while off < tvb.len() && looks_like_record(tvb.rest(off)?) {
        let ct = tvb.u8(off)?;
        let len = tvb.be_u16(off + 11)? as usize;
        let rec_len = 13 + len.min(tvb.remaining(off + 13));
        let rec = cx.add(node, &RECORD, tvb.range(off, rec_len), Value::None);
        let ver = tvb.be_u16(off + 1)?;
        let vname = crate::engine::field::val_to_str(VERSIONS, ver as u64).unwrap_or("DTLS");
        let cname = crate::engine::field::val_to_str(CONTENT_TYPES, ct as u64).unwrap_or("Unknown");
        cx.set_text(rec, format_args!("{vname} Record Layer: {cname}"));
        cx.add_u8(rec, &CONTENT_TYPE, tvb, off)?;
        cx.add_be_u16(rec, &VERSION, tvb, off + 1)?;
        cx.add_be_u16(rec, &EPOCH, tvb, off + 3)?;
        let seq = tvb.bytes(off + 5, 6)?;
        let seq = seq.iter().fold(0u64, |a, &b| (a << 8) | b as u64);
        cx.add(rec, &SEQUENCE, tvb.range(off + 5, 6), Value::UInt(seq));
        cx.add_be_u16(rec, &LENGTH, tvb, off + 11)?;
        let f = if ct == 23 { &APP_DATA } else { &FRAGMENT };
        // A record cut by the capture shows what there is, then the packet is malformed.
        cx.add_bytes(rec, f, tvb, off + 13, len)?;
        infos.push(cname);
        off += 13 + len;
    }
    if !infos.is_empty() {
        cx.set_info(infos.join(", "));
    } else {
        cx.set_info("Continuation Data");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::dissect_one;

    /// IPv4/UDP to port 5684 with one DTLS 1.2 application data record.
    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut f = vec![
            0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let total = 20 + 8 + payload.len();
        f[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        f.extend_from_slice(&40000u16.to_be_bytes());
        f.extend_from_slice(&5684u16.to_be_bytes());
        f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn application_data_record() {
        let rec = [
            23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5, 0, 4, 0xde, 0xad, 0xbe, 0xef,
        ];
        let p = dissect_one(228, &frame(&rec));
        assert_eq!(p.show("dtls.record.content_type"), ["23"]);
        assert_eq!(p.show("dtls.record.version"), ["0xfefd"]);
        assert_eq!(p.show("dtls.record.epoch"), ["1"]);
        assert_eq!(p.show("dtls.record.sequence_number"), ["5"]);
        assert_eq!(p.show("dtls.app_data"), ["de:ad:be:ef"]);
        assert_eq!(p.info(), "Application Data");
        let mut cut = frame(&rec);
        cut.truncate(cut.len() - 2);
        assert!(dissect_one(228, &cut).packet.is_malformed());
    }
}
