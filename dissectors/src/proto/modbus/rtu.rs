//! Modbus RTU framing carried over TCP (`mbrtu`; MODBUS over Serial Line v1.02 §2.5.1), a
//! decode-as choice (`-d tcp.port==N,mbrtu`): unit id, PDU, CRC-16 (polynomial 0xA001
//! reflected, initial 0xFFFF, low byte first).
//!
//! ```text
//! +---------+-----------+---------------------+--------+--------+
//! | unit id | func code | data                | CRC lo | CRC hi |
//! +---------+-----------+---------------------+--------+--------+
//! ```
//! Each segment is taken as one frame (RTU has no length field). The CRC is verified unless
//! `mbrtu.crc_verification` is off; a wrong CRC gets an expert warning.

use super::{classify, pdu, Framing, InfoLine};
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{PrefDef, Protocol};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

static CHECKSUM_STATUS: &[(u64, &str)] = &[(0, "Bad"), (1, "Good"), (2, "Unverified")];

crate::fields! {
    MBRTU = FieldDef::protocol("mbrtu", "Modbus RTU");
    UNIT_ID = FieldDef::new("mbrtu.unit_id", "Unit ID", T::U8);
    CRC16 = FieldDef::new("mbrtu.crc16", "CRC-16", T::U16).hex();
    CRC16_STATUS = FieldDef::new("mbrtu.crc16.status", "CRC-16 Status", T::U8).vals(CHECKSUM_STATUS);
}

crate::experts! {
    CRC_INCORRECT = ExpertDef::new("mbrtu.crc16.incorrect", Group::Checksum, Severity::Warn, "Incorrect CRC");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "mbrtu",
    short_name: "Modbus RTU",
    field: &MBRTU,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[PrefDef {
        name: "mbrtu.crc_verification",
        description: "Validate the CRC-16 of Modbus RTU frames",
        default: "TRUE",
    }],
    dissect,
    register: |_| {},
};

/// CRC-16/MODBUS of `b`.
pub fn crc16(b: &[u8]) -> u16 {
    static MODBUS: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_MODBUS);
    MODBUS.checksum(b)
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    // As tshark: at least an exception response (5 bytes), and unit 0 is not RTU.
    if tvb.len() < 5 || tvb.u8(0)? == 0 {
        cx.call_data(tvb, parent);
        return Ok(());
    }
    let len = tvb.len();
    let unit_id = tvb.u8(0)?;
    // Decode-as names the port: it plays the Modbus server's role.
    let port = decode_as_port(cx);
    let dir = classify(cx, port);
    cx.set_info(InfoLine {
        dir,
        trans_id: None,
        unit_id,
        pdu: &tvb.data()[1..len - 2],
    });
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.add_u8(node, &UNIT_ID, tvb, 0)?;
    let stored = tvb.be_u16(len - 2)?;
    let c = cx.add(
        node,
        &CRC16,
        tvb.range(len - 2, 2),
        Value::UInt(stored as u64),
    );
    let status = if cx.prefs.bool("mbrtu.crc_verification", true) {
        let good = crc16(&tvb.data()[..len - 2]).swap_bytes() == stored;
        if !good {
            cx.expert(c, &CRC_INCORRECT, None);
        }
        good as u64
    } else {
        2
    };
    cx.add_generated(node, &CRC16_STATUS, Value::UInt(status));
    let fr = Framing {
        dir,
        trans_id: 0,
        unit_id,
    };
    pdu::dissect_pdu(&tvb.sub(1, len - 3)?, cx, parent, fr)
}

/// The TCP port a decode-as rule gave to Modbus RTU (the lower port when none matches).
fn decode_as_port(cx: &Cx) -> u16 {
    let (s, d) = (cx.info.src_port, cx.info.dst_port);
    let is_rtu = |p: u16| {
        cx.registry
            .lookup(crate::engine::registry::tables::TCP_PORT, p as u64)
            .is_some_and(|pr| pr.name == "mbrtu")
    };
    match (is_rtu(s), is_rtu(d)) {
        (true, false) => s,
        (false, true) => d,
        _ => s.min(d),
    }
}
