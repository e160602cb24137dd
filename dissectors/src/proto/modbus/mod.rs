//! Modbus/TCP (`mbtcp`, TCP 502) and the Modbus application PDU (`modbus`): Modbus Messaging on
//! TCP/IP Implementation Guide v1.0b §3.1 (MBAP header) and Modbus Application Protocol
//! Specification v1.1b3 §6-7 (function codes, exception responses). Modbus RTU framing over TCP
//! (`mbrtu`, unit id + PDU + CRC-16, MODBUS over Serial Line v1.02 §2.5.1) is a decode-as choice
//! (`-d tcp.port==N,mbrtu`).
//!
//! ```text
//!  MBAP header (7 bytes)                                    Modbus PDU
//! +----------------+----------------+----------------+------+------+---------------+
//! | transaction id | protocol id = 0| length (unit id| unit | func | data ...      |
//! | (16, BE)       | (16, BE)       |  + PDU), 16 BE | id   | code |               |
//! +----------------+----------------+----------------+------+------+---------------+
//!  func code bit 7 set = exception response; the next byte is the exception code.
//! ```
//! As tshark: a segment is Modbus/TCP only when it has 8 bytes, protocol id 0 and a length of
//! at least 2 (else it goes to TCP's heuristics or data); queries go to port 502, responses
//! come from it. A response is matched with the latest earlier query of its connection with the
//! same transaction id, unit id and function code (`modbus.request_frame`,
//! `modbus.response_time`); the table of queries is bounded per connection.

mod pdu;
pub mod rtu;

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, PduLen, Protocol, Registry, StreamPdus};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::Cx;

/// The Modbus/TCP port (tshark's `mbtcp.tcp.port` default).
pub const PORT: u16 = 502;

pub(crate) static FUNCTION_CODES: &[(u64, &str)] = &[
    (1, "Read Coils"),
    (2, "Read Discrete Inputs"),
    (3, "Read Holding Registers"),
    (4, "Read Input Registers"),
    (5, "Write Single Coil"),
    (6, "Write Single Register"),
    (7, "Read Exception Status"),
    (8, "Diagnostics"),
    (11, "Get Comm. Event Counters"),
    (12, "Get Comm. Event Log"),
    (15, "Write Multiple Coils"),
    (16, "Write Multiple Registers"),
    (17, "Report Slave ID"),
    (20, "Read File Record"),
    (21, "Write File Record"),
    (22, "Mask Write Register"),
    (23, "Read Write Register"),
    (24, "Read FIFO Queue"),
    (43, "Encapsulated Interface Transport"),
    (90, "Unity (Schneider)"),
];

pub(crate) static EXCEPTION_CODES: &[(u64, &str)] = &[
    (1, "Illegal function"),
    (2, "Illegal data address"),
    (3, "Illegal data value"),
    (4, "Slave device failure"),
    (5, "Acknowledge"),
    (6, "Slave device busy"),
    (8, "Memory parity error"),
    (10, "Gateway path unavailable"),
    (11, "Gateway target device failed to respond"),
];

pub(crate) static MEI_CODES: &[(u64, &str)] = &[
    (13, "CANopen Request/Response "),
    (14, "Read Device Identification"),
];

pub(crate) static DIAGNOSTIC_CODES: &[(u64, &str)] = &[
    (0, "Return Query Data"),
    (1, "Restart Communications Option"),
    (2, "Return Diagnostic Register"),
    (3, "Change ASCII Input Delimiter"),
    (4, "Force Listen Only Mode"),
    (10, "Clear Counters and Diagnostic Register"),
    (11, "Return Bus Message Count"),
    (12, "Return Bus Communication Error Count"),
    (13, "Return Bus Exception Error Count"),
    (14, "Return Slave Message Count"),
    (15, "Return Slave No Response Count"),
    (16, "Return Slave NAK Count"),
    (17, "Return Slave Busy Count"),
    (18, "Return Bus Character Overrun Count"),
    (20, "Clear Overrun Counter and Flag"),
];

static RESTART_OPTIONS: &[(u64, &str)] = &[(0, "Leave Log"), (0xff, "Clear Log")];

static READ_DEVICE_IDS: &[(u64, &str)] = &[
    (1, "Basic Device Identification"),
    (2, "Regular Device Identification"),
    (3, "Extended Device Identification"),
    (4, "Specific Identification Object"),
];

static OBJECT_IDS: &[(u64, &str)] = &[
    (0, "VendorName"),
    (1, "ProductCode"),
    (2, "MajorMinorRevision"),
    (3, "VendorURL"),
    (4, "ProductName"),
    (5, "ModelName"),
    (6, "UserApplicationName"),
];

static CONFORMITY_LEVELS: &[(u64, &str)] = &[
    (0x01, "Basic Device Identification (stream)"),
    (0x02, "Regular Device Identification (stream)"),
    (0x03, "Extended Device Identification (stream)"),
    (0x81, "Basic Device Identification (stream and individual)"),
    (
        0x82,
        "Regular Device Identification (stream and individual)",
    ),
    (
        0x83,
        "Extended Device Identification (stream and individual)",
    ),
];

crate::fields! {
    MBTCP = FieldDef::protocol("mbtcp", "Modbus/TCP");
    TRANS_ID = FieldDef::new("mbtcp.trans_id", "Transaction Identifier", T::U16);
    PROT_ID = FieldDef::new("mbtcp.prot_id", "Protocol Identifier", T::U16);
    LEN = FieldDef::new("mbtcp.len", "Length", T::U16);
    UNIT_ID = FieldDef::new("mbtcp.unit_id", "Unit Identifier", T::U8);
}

/// The `modbus` layer's fields (shared by Modbus/TCP and Modbus RTU).
pub mod f {
    use super::*;
    crate::fields! {
        MODBUS = FieldDef::protocol("modbus", "Modbus");
        REQUEST_FRAME = FieldDef::new("modbus.request_frame", "Request Frame", T::FrameNum);
        RESPONSE_TIME = FieldDef::new("modbus.response_time", "Time from request", T::RelTime).blurb("Time between request and reply");
        FUNC_CODE = FieldDef::new("modbus.func_code", "Function Code", T::U8).mask(0x7f).vals(FUNCTION_CODES);
        REFERENCE = FieldDef::new("modbus.reference_num", "Reference Number", T::U16);
        PADDING = FieldDef::new("modbus.padding", "Padding", T::U8).hex();
        LREFERENCE = FieldDef::new("modbus.reference_num_32", "Reference Number (32 bit)", T::U32);
        REFTYPE = FieldDef::new("modbus.reference_type", "Reference Type", T::U8);
        READ_REF = FieldDef::new("modbus.read_reference_num", "Read Reference Number", T::U16);
        WRITE_REF = FieldDef::new("modbus.write_reference_num", "Write Reference Number", T::U16);
        WORD_CNT = FieldDef::new("modbus.word_cnt", "Word Count", T::U16);
        READ_WORD_CNT = FieldDef::new("modbus.read_word_cnt", "Read Word Count", T::U16);
        WRITE_WORD_CNT = FieldDef::new("modbus.write_word_cnt", "Write Word Count", T::U16);
        BIT_CNT = FieldDef::new("modbus.bit_cnt", "Bit Count", T::U16);
        BYTE_CNT = FieldDef::new("modbus.byte_cnt", "Byte Count", T::U8);
        BYTE_CNT_16 = FieldDef::new("modbus.byte_cnt_16", "Byte Count (16-bit)", T::U8);
        EXCEPTION_CODE = FieldDef::new("modbus.exception_code", "Exception Code", T::U8).vals(EXCEPTION_CODES);
        DIAG_CODE = FieldDef::new("modbus.diagnostic_code", "Diagnostic Code", T::U16).vals(DIAGNOSTIC_CODES);
        DIAG_QUERY_REQUEST = FieldDef::new("modbus.diagnostic.return_query_data.request", "Request Data", T::Bytes);
        DIAG_QUERY_ECHO = FieldDef::new("modbus.diagnostic.return_query_data.echo", "Echo Data", T::Bytes);
        DIAG_RESTART = FieldDef::new("modbus.diagnostic.restart_communication_option", "Restart Communication Option", T::U16).hex().vals(RESTART_OPTIONS);
        DIAG_REGISTER = FieldDef::new("modbus.diagnostic.return_diag_register", "Diagnostic Register Contents", T::U16).hex();
        DIAG_ASCII_DELIM = FieldDef::new("modbus.diagnostic.ascii_input_delimiter", "CHAR", T::U8).hex();
        DIAG_CLEAR_CTR = FieldDef::new("modbus.diagnostic.clear_ctr_diag_reg", "Clear Counters & Diag Register Echo", T::U16);
        DIAG_BUS_MSG = FieldDef::new("modbus.diagnostic.bus_message_count", "Total Message Count", T::U16);
        DIAG_BUS_COMM_ERR = FieldDef::new("modbus.diagnostic.bus_comm_error_count", "CRC Error Count", T::U16);
        DIAG_BUS_EXC_ERR = FieldDef::new("modbus.diagnostic.bus_exception_error_count", "Exception Error Count", T::U16);
        DIAG_SLAVE_MSG = FieldDef::new("modbus.diagnostic.slave_message_count", "Slave Message Count", T::U16);
        DIAG_NO_RESP = FieldDef::new("modbus.diagnostic.no_slave_response_count", "Slave No Response Count", T::U16);
        DIAG_NAK = FieldDef::new("modbus.diagnostic.slave_nak_count", "Slave NAK Count", T::U16);
        DIAG_BUSY = FieldDef::new("modbus.diagnostic.slave_busy_count", "Slave Device Busy Count", T::U16);
        DIAG_OVERRUN = FieldDef::new("modbus.diagnostic.bus_char_overrun_count", "Slave Character Overrun Count", T::U16);
        EV_STATUS = FieldDef::new("modbus.ev_status", "Status", T::U16).hex();
        EVENT = FieldDef::new("modbus.event", "Event", T::U8);
        EV_COUNT = FieldDef::new("modbus.ev_count", "Event Count", T::U16);
        EV_MSG_COUNT = FieldDef::new("modbus.ev_msg_count", "Message Count", T::U16);
        AND_MASK = FieldDef::new("modbus.and_mask", "AND mask", T::U16).hex();
        OR_MASK = FieldDef::new("modbus.or_mask", "OR mask", T::U16).hex();
        DATA = FieldDef::new("modbus.data", "Data", T::Bytes);
        MEI = FieldDef::new("modbus.mei", "MEI type", T::U8).vals(MEI_CODES);
        READ_DEVICE_ID = FieldDef::new("modbus.read_device_id", "Read Device ID", T::U8).vals(READ_DEVICE_IDS);
        OBJECT_ID = FieldDef::new("modbus.object_id", "Object ID", T::U8).vals(OBJECT_IDS);
        NUM_OBJECTS = FieldDef::new("modbus.num_objects", "Number of Objects", T::U8);
        OBJECT_LEN = FieldDef::new("modbus.objects_len", "Object length", T::U8);
        CONFORMITY = FieldDef::new("modbus.conformity_level", "Conformity Level", T::U8).hex().vals(CONFORMITY_LEVELS);
        MORE_FOLLOWS = FieldDef::new("modbus.more_follows", "More Follows", T::U8).hex();
        NEXT_OBJECT_ID = FieldDef::new("modbus.next_object_id", "Next Object ID", T::U8);
        OBJECT_STR = FieldDef::new("modbus.object_str_value", "Object String Value", T::String);
        OBJECT_VALUE = FieldDef::new("modbus.object_value", "Object Value", T::Bytes);
        BITNUM = FieldDef::new("modbus.bitnum", "Bit Number", T::U16);
        BITVAL = FieldDef::new("modbus.bitval", "Bit Value", T::Bool).mask(0x01);
        REGNUM16 = FieldDef::new("modbus.regnum16", "Register Number", T::U16);
        REGVAL_UINT16 = FieldDef::new("modbus.regval_uint16", "Register Value (UINT16)", T::U16);
    }
}

crate::experts! {
    CANNOT_CLASSIFY = ExpertDef::new("mbtcp.cannot_classify", Group::Protocol, Severity::Warn, "Cannot classify packet type. Try setting Modbus/TCP Port preference to this destination or source port");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "mbtcp",
    short_name: "Modbus/TCP",
    field: &MBTCP,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: &[],
    dissect,
    register,
};

pub static MODBUS: Protocol = Protocol {
    name: "modbus",
    short_name: "Modbus",
    field: &f::MODBUS,
    fields: f::FIELDS,
    experts: &[],
    prefs: &[],
    dissect: pdu::dissect_standalone,
    register: |_| {},
};

// A segment that only starts an ADU keeps TCP's Info, tagged (as tshark shows it).
static STREAM_PDUS: StreamPdus = crate::proto::tcp_pdus(pdu_len, false);

fn register(r: &mut Registry) {
    r.add(tables::TCP_PORT, PORT as u64, &PROTOCOL);
    r.add_stream_pdus(&PROTOCOL, &STREAM_PDUS);
}

/// tshark's test that a segment carries Modbus/TCP: 8 bytes, protocol id 0, length ≥ 2.
fn looks_like_mbtcp(b: &[u8]) -> bool {
    b.len() >= 8 && b[2..4] == [0, 0] && u16::from_be_bytes([b[4], b[5]]) >= 2
}

/// Length of the Modbus/TCP ADU at the start of `b`: the MBAP length plus the 6 bytes before it.
pub fn pdu_len(b: &[u8]) -> PduLen {
    if b.len() < 6 {
        return PduLen::NeedMore;
    }
    if b.len() >= 8 && !looks_like_mbtcp(b) {
        return PduLen::NotMine;
    }
    PduLen::Complete(u16::from_be_bytes([b[4], b[5]]) as usize + 6)
}

/// Query, response, or neither (both or no port is the Modbus port).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Direction {
    Query,
    Response,
    Unknown,
}

/// tshark's classification by ports: to the Modbus port is a query, from it a response.
pub fn classify(cx: &Cx, port: u16) -> Direction {
    match (cx.info.src_port == port, cx.info.dst_port == port) {
        (true, false) => Direction::Response,
        (false, true) => Direction::Query,
        _ => Direction::Unknown,
    }
}

/// What the framing layer (MBAP or RTU) tells the PDU dissector.
#[derive(Copy, Clone, Debug)]
pub struct Framing {
    pub dir: Direction,
    pub trans_id: u16,
    pub unit_id: u8,
}

/// The Info column text both framings write (tshark's `%8s: Trans: %5u; ...`).
pub(crate) struct InfoLine<'a> {
    pub dir: Direction,
    pub trans_id: Option<u16>,
    pub unit_id: u8,
    pub pdu: &'a [u8],
}

impl std::fmt::Display for InfoLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.dir {
            Direction::Query => "Query",
            Direction::Response => "Response",
            Direction::Unknown => "unknown",
        };
        write!(f, "{kind:>8}: ")?;
        if let Some(t) = self.trans_id {
            write!(f, "Trans: {t:5}; ")?;
        }
        let raw = self.pdu.first().copied().unwrap_or(0);
        let func = raw & 0x7f;
        let exception = if raw & 0x80 != 0 {
            self.pdu.get(1).copied().unwrap_or(0)
        } else {
            0
        };
        write!(f, "Unit: {:3}, Func: {func:3}", self.unit_id)?;
        let sub = match func {
            43 if exception == 0 => Some(
                crate::engine::field::val_to_str(
                    MEI_CODES,
                    self.pdu.get(1).copied().unwrap_or(0) as u64,
                )
                .unwrap_or("Encapsulated Interface Transport"),
            ),
            8 if exception == 0 => {
                let code = match self.pdu.get(1..3) {
                    Some(b) => u16::from_be_bytes([b[0], b[1]]) as u64,
                    None => 0,
                };
                Some(
                    crate::engine::field::val_to_str(DIAGNOSTIC_CODES, code)
                        .unwrap_or("Diagnostics"),
                )
            }
            _ => None,
        };
        match sub {
            Some(s) => write!(f, "/  1: {s}")?,
            None => match crate::engine::field::val_to_str(FUNCTION_CODES, func as u64) {
                Some(s) => write!(f, ": {s}")?,
                None => write!(f, ": Unknown function ({func})")?,
            },
        }
        if self.dir == Direction::Unknown {
            f.write_str(". Unable to classify as query or response.")?;
        } else if exception != 0 {
            f.write_str(". Exception returned ")?;
        }
        Ok(())
    }
}

/// One Modbus/TCP ADU: the MBAP header, then the PDU as `modbus`.
fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    if !looks_like_mbtcp(tvb.data()) {
        // A reassembled buffer that is not Modbus/TCP after all (tshark's "return 0").
        cx.call_data(tvb, parent);
        return Ok(());
    }
    let again = crate::proto::again_in_segment(cx, PROTOCOL.name);
    let trans_id = tvb.be_u16(0)?;
    let len = tvb.be_u16(4)?;
    let unit_id = tvb.u8(6)?;
    let dir = classify(cx, PORT);
    let pdu_bytes = tvb.data().get(7..).unwrap_or(&[]);
    let info = InfoLine {
        dir,
        trans_id: Some(trans_id),
        unit_id,
        pdu: pdu_bytes,
    };
    // Each ADU replaces the Info text (tshark clears the column per PDU: the last one shows).
    cx.set_info(info);
    let range = tvb.range(0, (len as usize + 6).min(tvb.len()));
    let node = crate::proto::stream_pdu_layer(cx, parent, &PROTOCOL, again, range);
    if dir == Direction::Unknown {
        cx.expert(node, &CANNOT_CLASSIFY, None);
    }
    cx.add_be_u16(node, &TRANS_ID, tvb, 0)?;
    cx.add_be_u16(node, &PROT_ID, tvb, 2)?;
    cx.add_be_u16(node, &LEN, tvb, 4)?;
    cx.add_u8(node, &UNIT_ID, tvb, 6)?;
    let pdu = tvb.sub_clamped(7, (len as usize).saturating_sub(1));
    let framing = Framing {
        dir,
        trans_id,
        unit_id,
    };
    pdu::dissect_pdu(&pdu, cx, parent, framing)
}

#[cfg(test)]
mod tests;
