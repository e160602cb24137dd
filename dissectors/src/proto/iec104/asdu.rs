//! The IEC 60870-5-101/104 ASDU (`iec60870_asdu`; IEC 60870-5-101 §7.2, with the -104 field
//! sizes of IEC 60870-5-104 §9: 2-byte cause of transmission, 2-byte common address, 3-byte
//! information object address).
//!
//! ```text
//! +---------+-----+-----------+------------+------------------+--------------------------+
//! | type id | VSQ | COT       | originator | common address   | information objects ...  |
//! |         |SQ|N | T|PN|cause| address    | (16, LE)         | IOA (24, LE) + elements  |
//! +---------+-----+-----------+------------+------------------+--------------------------+
//!  SQ=1: one IOA, then N elements at consecutive addresses; SQ=0: N (IOA, elements) pairs.
//! ```
//! Elements per type id follow tshark's `dissect_iec60870_asdu` (see [`super::elements`]); type
//! ids it does not decode show the first IOA and the rest as raw data.

use super::elements as el;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{val_to_str, FieldDef, FieldType as T};
use crate::engine::registry::Protocol;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;
use std::fmt::Write as _;

/// Long names of the type identifications (IEC 60870-5-101 §7.2.1.1, -104 §8).
static LONG_NAMES: &[(u64, &str)] = &[
    (1, "single-point information"),
    (2, "single-point information with time tag"),
    (3, "double-point information"),
    (4, "double-point information with time tag"),
    (5, "step position information"),
    (6, "step position information with time tag"),
    (7, "bitstring of 32 bits"),
    (8, "bitstring of 32 bits with time tag"),
    (9, "measured value, normalized value"),
    (10, "measured value, normalized value with time tag"),
    (11, "measured value, scaled value"),
    (12, "measured value, scaled value with time tag"),
    (13, "measured value, short floating point number"),
    (
        14,
        "measured value, short floating point number with time tag",
    ),
    (15, "integrated totals"),
    (16, "integrated totals with time tag"),
    (
        20,
        "packed single-point information with status change detection",
    ),
    (
        21,
        "measured value, normalized value without quality descriptor",
    ),
    (30, "single-point information with time tag CP56Time2a"),
    (31, "double-point information with time tag CP56Time2a"),
    (32, "step position information with time tag CP56Time2a"),
    (33, "bitstring of 32 bit with time tag CP56Time2a"),
    (
        34,
        "measured value, normalized value with time tag CP56Time2a",
    ),
    (35, "measured value, scaled value with time tag CP56Time2a"),
    (
        36,
        "measured value, short floating point number with time tag CP56Time2a",
    ),
    (37, "integrated totals with time tag CP56Time2a"),
    (38, "event of protection equipment with time tag CP56Time2a"),
    (
        39,
        "packed start events of protection equipment with time tag CP56Time2a",
    ),
    (
        40,
        "packed output circuit information of protection equipment with time tag CP56Time2a",
    ),
    (
        41,
        "integrated totals containing time tagged security statistics",
    ),
    (45, "single command"),
    (46, "double command"),
    (47, "regulating step command"),
    (48, "set point command, normalized value"),
    (49, "set point command, scaled value"),
    (50, "set point command, short floating point number"),
    (51, "bitstring of 32 bits"),
    (58, "single command with time tag CP56Time2a"),
    (59, "double command with time tag CP56Time2a"),
    (60, "regulating step command with time tag CP56Time2a"),
    (
        61,
        "set point command, normalized value with time tag CP56Time2a",
    ),
    (
        62,
        "set point command, scaled value with time tag CP56Time2a",
    ),
    (
        63,
        "set point command, short floating-point number with time tag CP56Time2a",
    ),
    (64, "bitstring of 32 bits with time tag CP56Time2a"),
    (70, "end of initialization"),
    (81, "authentication challenge"),
    (82, "authentication reply"),
    (
        83,
        "aggressive mode authentication request session key status request",
    ),
    (84, "session key status request"),
    (85, "session key status"),
    (86, "session key change"),
    (87, "authentication error"),
    (90, "user status change"),
    (91, "update key change request"),
    (92, "update key change reply"),
    (93, "update key change symmetric"),
    (94, "update key change asymmetric"),
    (95, "update key change confirmation"),
    (100, "interrogation command"),
    (101, "counter interrogation command"),
    (102, "read command"),
    (103, "clock synchronization command"),
    (105, "reset process command"),
    (107, "test command with time tag CP56Time2a"),
    (110, "parameter of measured value, normalized value"),
    (111, "parameter of measured value, scaled value"),
    (
        112,
        "parameter of measured value, short floating-point number",
    ),
    (113, "parameter activation"),
    (120, "file ready"),
    (121, "section ready"),
    (122, "call directory, select file, call file, call section"),
    (123, "last section, last segment"),
    (124, "ack file, ack section"),
    (125, "segment"),
    (126, "directory"),
    (127, "Query Log - Request archive file"),
];

macro_rules! short_names {
    ($($id:expr => $name:expr),* $(,)?) => { &[$(($id, $name)),*] };
}

static TYPE_NAMES: &[(u64, &str)] = short_names![
    1 => "M_SP_NA_1", 2 => "M_SP_TA_1", 3 => "M_DP_NA_1", 4 => "M_DP_TA_1", 5 => "M_ST_NA_1",
    6 => "M_ST_TA_1", 7 => "M_BO_NA_1", 8 => "M_BO_TA_1", 9 => "M_ME_NA_1", 10 => "M_ME_TA_1",
    11 => "M_ME_NB_1", 12 => "M_ME_TB_1", 13 => "M_ME_NC_1", 14 => "M_ME_TC_1",
    15 => "M_IT_NA_1", 16 => "M_IT_TA_1", 20 => "M_PS_NA_1", 21 => "M_ME_ND_1",
    30 => "M_SP_TB_1", 31 => "M_DP_TB_1", 32 => "M_ST_TB_1", 33 => "M_BO_TB_1",
    34 => "M_ME_TD_1", 35 => "M_ME_TE_1", 36 => "M_ME_TF_1", 37 => "M_IT_TB_1",
    38 => "M_EP_TD_1", 39 => "M_EP_TE_1", 40 => "M_EP_TF_1", 41 => "S_IT_TC_1",
    45 => "C_SC_NA_1", 46 => "C_DC_NA_1", 47 => "C_RC_NA_1", 48 => "C_SE_NA_1",
    49 => "C_SE_NB_1", 50 => "C_SE_NC_1", 51 => "C_BO_NA_1", 58 => "C_SC_TA_1",
    59 => "C_DC_TA_1", 60 => "C_RC_TA_1", 61 => "C_SE_TA_1", 62 => "C_SE_TB_1",
    63 => "C_SE_TC_1", 64 => "C_BO_TA_1", 70 => "M_EI_NA_1", 81 => "S_CH_NA_1",
    82 => "S_RP_NA_1", 83 => "S_AR_NA_1", 84 => "S_KR_NA_1", 85 => "S_KS_NA_1",
    86 => "S_KC_NA_1", 87 => "S_ER_NA_1", 90 => "S_US_NA_1", 91 => "S_UQ_NA_1",
    92 => "S_UR_NA_1", 93 => "S_UK_NA_1", 94 => "S_UA_NA_1", 95 => "S_UC_NA_1",
    100 => "C_IC_NA_1", 101 => "C_CI_NA_1", 102 => "C_RD_NA_1", 103 => "C_CS_NA_1",
    105 => "C_RP_NA_1", 107 => "C_TS_TA_1", 110 => "P_ME_NA_1", 111 => "P_ME_NB_1",
    112 => "P_ME_NC_1", 113 => "P_AC_NA_1", 120 => "F_FR_NA_1", 121 => "F_SR_NA_1",
    122 => "F_SC_NA_1", 123 => "F_LS_NA_1", 124 => "F_AF_NA_1", 125 => "F_SG_NA_1",
    126 => "F_DR_TA_1", 127 => "F_SC_NB_1",
];

static DPI_VALUES: &[(u64, &str)] = &[
    (0, "Indeterminate or Intermediate"),
    (1, "OFF"),
    (2, "ON"),
    (3, "Indeterminate"),
];
static QU_VALUES: &[(u64, &str)] = &[
    (0, "No pulse defined"),
    (1, "Short Pulse"),
    (2, "Long Pulse"),
    (3, "Persistent Output"),
];
static DCO_VALUES: &[(u64, &str)] = &[
    (0, "(None)"),
    (1, "OFF"),
    (2, "ON"),
    (3, "Error: On/Off not defined"),
];
static RCO_VALUES: &[(u64, &str)] = &[
    (0, "(None)"),
    (1, "DOWN"),
    (2, "UP"),
    (3, "Error: Up/Down not defined"),
];
static COI_VALUES: &[(u64, &str)] = &[
    (0, "Local power switch on"),
    (1, "Local manual reset"),
    (2, "Remote reset"),
];
static QOI_VALUES: &[(u64, &str)] = &[
    (0, "Not specified"),
    (20, "Station interrogation (global)"),
    (21, "Group 1 interrogation"),
    (22, "Group 2 interrogation"),
    (23, "Group 3 interrogation"),
    (24, "Group 4 interrogation"),
    (25, "Group 5 interrogation"),
    (26, "Group 6 interrogation"),
    (27, "Group 7 interrogation"),
    (28, "Group 8 interrogation"),
    (29, "Group 9 interrogation"),
    (30, "Group 10 interrogation"),
    (31, "Group 11 interrogation"),
    (32, "Group 12 interrogation"),
    (33, "Group 13 interrogation"),
    (34, "Group 14 interrogation"),
    (35, "Group 15 interrogation"),
    (36, "Group 16 interrogation"),
];

static CAUSES: &[(u64, &str)] = &[
    (1, "Per/Cyc"),
    (2, "Back"),
    (3, "Spont"),
    (4, "Init"),
    (5, "Req"),
    (6, "Act"),
    (7, "ActCon"),
    (8, "Deact"),
    (9, "DeactCon"),
    (10, "ActTerm"),
    (11, "Retrem"),
    (12, "Retloc"),
    (13, "File"),
    (14, "Auth"),
    (15, "Seskey"),
    (16, "Usrkey"),
    (20, "Inrogen"),
    (21, "Inro1"),
    (22, "Inro2"),
    (23, "Inro3"),
    (24, "Inro4"),
    (25, "Inro5"),
    (26, "Inro6"),
    (27, "Inro7"),
    (28, "Inro8"),
    (29, "Inro9"),
    (30, "Inro10"),
    (31, "Inro11"),
    (32, "Inro12"),
    (33, "Inro13"),
    (34, "Inro14"),
    (35, "Inro15"),
    (36, "Inro16"),
    (37, "Reqcogen"),
    (38, "Reqco1"),
    (39, "Reqco2"),
    (40, "Reqco3"),
    (41, "Reqco4"),
    (44, "UkTypeId"),
    (45, "UkCauseTx"),
    (46, "UkComAdrASDU"),
    (47, "UkIOA"),
];

/// Element bytes per information object (without its address), by type id; 0 = not decoded.
pub(crate) fn element_len(type_id: u8) -> usize {
    match type_id {
        1 | 3 | 45 | 46 | 47 | 70 | 100 | 101 | 105 | 113 => 1,
        5 | 21 => 2,
        9 | 11 | 48 | 49 | 110 | 111 => 3,
        2 | 4 | 51 => 4,
        6 | 7 | 13 | 15 | 20 | 50 | 112 | 123 => 5,
        10 | 12 | 120 => 6,
        103 | 121 => 7,
        8 | 14 | 16 | 30 | 31 | 58 | 59 | 60 => 8,
        32 | 107 => 9,
        34 | 35 | 38 | 61 | 62 => 10,
        39 | 40 | 64 => 11,
        33 | 36 | 37 | 63 => 12,
        122 | 124 => 4,
        126 => 13,
        127 => 16,
        _ => 0,
    }
}

pub mod f {
    use super::*;
    crate::fields! {
        PROTO = FieldDef::protocol("iec60870_asdu", "IEC 60870-5-101/104 ASDU");
        START = FieldDef::new("iec60870_asdu.start", "START", T::U8).hex();
        TYPEID = FieldDef::new("iec60870_asdu.typeid", "TypeId", T::U8).vals(TYPE_NAMES).blurb("Asdu Type Id");
        SQ = FieldDef::new("iec60870_asdu.sq", "SQ", T::Bool).mask(0x80).blurb("Sequence");
        NUMIX = FieldDef::new("iec60870_asdu.numix", "NumIx", T::U8).mask(0x7f);
        CAUSETX = FieldDef::new("iec60870_asdu.causetx", "CauseTx", T::U8).vals(CAUSES).mask(0x3f);
        NEGA = FieldDef::new("iec60870_asdu.nega", "Negative", T::Bool).mask(0x40);
        TEST = FieldDef::new("iec60870_asdu.test", "Test", T::Bool).mask(0x80);
        OA = FieldDef::new("iec60870_asdu.oa", "OA", T::U8).blurb("Originator Address");
        ADDR = FieldDef::new("iec60870_asdu.addr", "Addr", T::U16).blurb("Common Address of Asdu");
        IOA = FieldDef::new("iec60870_asdu.ioa", "IOA", T::U24).blurb("Information Object Address");
        RAW_DATA = FieldDef::new("iec60870_asdu.rawdata", "Raw Data", T::Bytes);
        CP24TIME = FieldDef::new("iec60870_asdu.cp24time", "CP24Time", T::RelTime);
        CP24TIME_MS = FieldDef::new("iec60870_asdu.cp24time.ms", "MS", T::U16);
        CP24TIME_MIN = FieldDef::new("iec60870_asdu.cp24time.min", "Min", T::U8).mask(0x3f);
        CP24TIME_IV = FieldDef::new("iec60870_asdu.cp24time.iv", "IV", T::Bool).mask(0x80).tfs("Invalid", "Valid");
        CP56TIME = FieldDef::new("iec60870_asdu.cp56time", "CP56Time", T::AbsTime);
        CP56TIME_MS = FieldDef::new("iec60870_asdu.cp56time.ms", "MS", T::U16);
        CP56TIME_MIN = FieldDef::new("iec60870_asdu.cp56time.min", "Min", T::U8).mask(0x3f);
        CP56TIME_GEN = FieldDef::new("iec60870_asdu.cp56time.gen", "GEN", T::Bool).mask(0x40).tfs("Substituted", "Not Substituted");
        CP56TIME_IV = FieldDef::new("iec60870_asdu.cp56time.iv", "IV", T::Bool).mask(0x80).tfs("Invalid", "Valid");
        CP56TIME_HOUR = FieldDef::new("iec60870_asdu.cp56time.hour", "Hour", T::U8).mask(0x1f);
        CP56TIME_SU = FieldDef::new("iec60870_asdu.cp56time.su", "SU", T::Bool).mask(0x80).tfs("DST", "Local");
        CP56TIME_DAY = FieldDef::new("iec60870_asdu.cp56time.day", "Day", T::U8).mask(0x1f);
        CP56TIME_DOW = FieldDef::new("iec60870_asdu.cp56time.dow", "DOW", T::U8).mask(0xe0);
        CP56TIME_MONTH = FieldDef::new("iec60870_asdu.cp56time.month", "Month", T::U8).mask(0x0f);
        CP56TIME_YEAR = FieldDef::new("iec60870_asdu.cp56time.year", "Year", T::U8).mask(0x7f);
        SIQ = FieldDef::new("iec60870_asdu.siq", "SIQ", T::U8).hex();
        SIQ_SPI = FieldDef::new("iec60870_asdu.siq.spi", "SPI", T::Bool).mask(0x01).tfs("On", "Off");
        SIQ_BL = FieldDef::new("iec60870_asdu.siq.bl", "BL", T::Bool).mask(0x10).tfs("Blocked", "Not blocked");
        SIQ_SB = FieldDef::new("iec60870_asdu.siq.sb", "SB", T::Bool).mask(0x20).tfs("Substituted", "Not Substituted");
        SIQ_NT = FieldDef::new("iec60870_asdu.siq.nt", "NT", T::Bool).mask(0x40).tfs("Not Topical", "Topical");
        SIQ_IV = FieldDef::new("iec60870_asdu.siq.iv", "IV", T::Bool).mask(0x80).tfs("Invalid", "Valid");
        DIQ = FieldDef::new("iec60870_asdu.diq", "DIQ", T::U8).hex();
        DIQ_DPI = FieldDef::new("iec60870_asdu.diq.dpi", "DPI", T::U8).mask(0x03).vals(DPI_VALUES);
        DIQ_BL = FieldDef::new("iec60870_asdu.diq.bl", "BL", T::Bool).mask(0x10).tfs("Blocked", "Not blocked");
        DIQ_SB = FieldDef::new("iec60870_asdu.diq.sb", "SB", T::Bool).mask(0x20).tfs("Substituted", "Not Substituted");
        DIQ_NT = FieldDef::new("iec60870_asdu.diq.nt", "NT", T::Bool).mask(0x40).tfs("Not Topical", "Topical");
        DIQ_IV = FieldDef::new("iec60870_asdu.diq.iv", "IV", T::Bool).mask(0x80).tfs("Invalid", "Valid");
        QDS = FieldDef::new("iec60870_asdu.qds", "QDS", T::U8).hex();
        QDS_OV = FieldDef::new("iec60870_asdu.qds.ov", "OV", T::Bool).mask(0x01).tfs("Overflow", "No overflow");
        QDS_BL = FieldDef::new("iec60870_asdu.qds.bl", "BL", T::Bool).mask(0x10).tfs("Blocked", "Not blocked");
        QDS_SB = FieldDef::new("iec60870_asdu.qds.sb", "SB", T::Bool).mask(0x20).tfs("Substituted", "Not Substituted");
        QDS_NT = FieldDef::new("iec60870_asdu.qds.nt", "NT", T::Bool).mask(0x40).tfs("Not Topical", "Topical");
        QDS_IV = FieldDef::new("iec60870_asdu.qds.iv", "IV", T::Bool).mask(0x80).tfs("Invalid", "Valid");
        VTI = FieldDef::new("iec60870_asdu.vti", "VTI", T::U8).hex();
        VTI_V = FieldDef::new("iec60870_asdu.vti.v", "Value", T::I8).mask(0x7f);
        VTI_T = FieldDef::new("iec60870_asdu.vti.t", "T", T::Bool).mask(0x80).tfs("Transient", "Not Transient");
        QOS = FieldDef::new("iec60870_asdu.qos", "QOS", T::U8).hex();
        QOS_QL = FieldDef::new("iec60870_asdu.qos.ql", "QL", T::U8).mask(0x7f);
        QOS_SE = FieldDef::new("iec60870_asdu.qos.se", "S/E", T::Bool).mask(0x80).tfs("Select", "Execute");
        SCO = FieldDef::new("iec60870_asdu.sco", "SCO", T::U8).hex();
        SCO_ON = FieldDef::new("iec60870_asdu.sco.on", "ON/OFF", T::Bool).mask(0x01).tfs("On", "Off");
        SCO_QU = FieldDef::new("iec60870_asdu.sco.qu", "QU", T::U8).mask(0x7c).vals(QU_VALUES);
        SCO_SE = FieldDef::new("iec60870_asdu.sco.se", "S/E", T::Bool).mask(0x80).tfs("Select", "Execute");
        DCO = FieldDef::new("iec60870_asdu.dco", "DCO", T::U8).hex();
        DCO_ON = FieldDef::new("iec60870_asdu.dco.on", "ON/OFF", T::U8).mask(0x03).vals(DCO_VALUES);
        DCO_QU = FieldDef::new("iec60870_asdu.dco.qu", "QU", T::U8).mask(0x7c).vals(QU_VALUES);
        DCO_SE = FieldDef::new("iec60870_asdu.dco.se", "S/E", T::Bool).mask(0x80).tfs("Select", "Execute");
        RCO = FieldDef::new("iec60870_asdu.rco", "RCO", T::U8).hex();
        RCO_UP = FieldDef::new("iec60870_asdu.rco.up", "UP/DOWN", T::U8).mask(0x03).vals(RCO_VALUES);
        RCO_QU = FieldDef::new("iec60870_asdu.rco.qu", "QU", T::U8).mask(0x7c).vals(QU_VALUES);
        RCO_SE = FieldDef::new("iec60870_asdu.rco.se", "S/E", T::Bool).mask(0x80).tfs("Select", "Execute");
        QPM = FieldDef::new("iec60870_asdu.qpm", "QPM", T::U8).hex();
        QPM_KPA = FieldDef::new("iec60870_asdu.qpm.kpa", "KPA", T::U8).mask(0x3f);
        QPM_LPC = FieldDef::new("iec60870_asdu.qpm.lpc", "LPC", T::U8).mask(0x40);
        QPM_POP = FieldDef::new("iec60870_asdu.qpm.pop", "POP", T::U8).mask(0x80);
        COI = FieldDef::new("iec60870_asdu.coi", "COI", T::U8).hex();
        COI_R = FieldDef::new("iec60870_asdu.coi_r", "R", T::U8).mask(0x7f).vals(COI_VALUES);
        COI_I = FieldDef::new("iec60870_asdu.coi_i", "I", T::Bool).mask(0x80).tfs("Initialisation after change of local parameters", "Initialisation with unchanged local parameters");
        QOI = FieldDef::new("iec60870_asdu.qoi", "QOI", T::U8).vals(QOI_VALUES);
        QCC = FieldDef::new("iec60870_asdu.qcc", "QCC", T::U8).hex();
        QCC_RQT = FieldDef::new("iec60870_asdu.rqt", "RQT", T::U8).mask(0x3f);
        QCC_FRZ = FieldDef::new("iec60870_asdu.frz", "FRZ", T::U8).mask(0xc0);
        QRP = FieldDef::new("iec60870_asdu.qrp", "QRP", T::U8);
        BCR_COUNT = FieldDef::new("iec60870_asdu.bcr.count", "Binary Counter", T::I32);
        BCR_SQ = FieldDef::new("iec60870_asdu.bcr.sq", "SQ", T::U8).mask(0x1f).blurb("Sequence Number");
        BCR_CY = FieldDef::new("iec60870_asdu.bcr.cy", "CY", T::Bool).mask(0x20).tfs("Overflow", "No overflow");
        BCR_CA = FieldDef::new("iec60870_asdu.bcr.ca", "CA", T::Bool).mask(0x40).tfs("Adjusted", "Not Adjusted");
        BCR_IV = FieldDef::new("iec60870_asdu.bcr.iv", "IV", T::Bool).mask(0x80).tfs("Invalid", "Valid");
        BITSTRING = FieldDef::new("iec60870_asdu.bitstring", "Value", T::U32).hex().blurb("BSI value");
        FLOAT = FieldDef::new("iec60870_asdu.float", "Value", T::Float).blurb("Float value");
        NORMVAL = FieldDef::new("iec60870_asdu.normval", "Value", T::Float).blurb("Normalised value");
        SCALVAL = FieldDef::new("iec60870_asdu.scalval", "Value", T::I16).blurb("Scaled value");
    }
}

crate::experts! {
    SHORT_ASDU = ExpertDef::new("iec104.short_asdu", Group::Malformed, Severity::Error, "<ERR Short Asdu>");
    INVALID_LEN = ExpertDef::new("iec104.apdu_invalid_len", Group::Malformed, Severity::Error, "Invalid ApduLen");
}

pub static PROTOCOL: Protocol = Protocol {
    name: "iec60870_asdu",
    short_name: "IEC 60870-5 ASDU",
    field: &f::PROTO,
    fields: f::FIELDS,
    experts: EXPERTS,
    prefs: &[],
    dissect,
    register: |_| {},
};

/// The Info column summary (`ASDU=10 C_IC_NA_1 Act     IOA=0`).
fn summary(addr: u16, type_id: u8, cot: u8, num: u8, sq: bool, ioa: u32) -> String {
    let mut s = String::new();
    let cause = match val_to_str(CAUSES, (cot & 0x3f) as u64) {
        Some(c) => c.to_string(),
        None => format!(" <CauseTx={}>", cot & 0x3f),
    };
    let _ = write!(s, "ASDU={addr} ");
    match val_to_str(TYPE_NAMES, type_id as u64) {
        Some(t) => s.push_str(t),
        None => {
            let _ = write!(s, "<TypeId={type_id}>");
        }
    }
    let _ = write!(s, " {cause}");
    if cot & 0x40 != 0 {
        s.push_str("_NEGA");
    }
    if cot & 0x80 != 0 {
        s.push_str("_TEST");
    }
    if cot & 0xc0 == 0 {
        for _ in cause.len()..7 {
            s.push(' ');
        }
    }
    if num > 1 {
        let _ = write!(s, " IOA[{num}]={ioa}");
        if sq {
            let _ = write!(s, "-{}", ioa + num as u32 - 1);
        } else {
            s.push_str(",...");
        }
    } else {
        let _ = write!(s, " IOA={ioa}");
    }
    s
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let len = tvb.len();
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let type_id = cx.add_u8(node, &f::TYPEID, tvb, 0)?;
    let vsq = tvb.u8(1)?;
    cx.add_uint(node, &f::SQ, tvb.range(1, 1), vsq as u64);
    cx.add_uint(node, &f::NUMIX, tvb.range(1, 1), vsq as u64);
    let cot = tvb.u8(2)?;
    for fd in [&f::CAUSETX, &f::NEGA, &f::TEST] {
        cx.add_uint(node, fd, tvb.range(2, 1), cot as u64);
    }
    cx.add_u8(node, &f::OA, tvb, 3)?;
    let addr = cx.add_le_u16(node, &f::ADDR, tvb, 4)?;
    let mut off = 6usize;
    let first_ioa = tvb.le_u24(off).unwrap_or(0);
    let (sq, num) = (vsq & 0x80 != 0, vsq & 0x7f);
    let s = summary(addr, type_id, cot, num, sq, first_ioa);
    cx.columns.info.push_str(&s);
    let long = if len >= off + 3 {
        val_to_str(LONG_NAMES, type_id as u64).unwrap_or("<Unknown TypeId>")
    } else {
        ""
    };
    cx.set_text(node, format_args!("IEC 60870-5-101/104 ASDU: {s} '{long}'"));
    let dlen = element_len(type_id);
    if !el::decoded(type_id) {
        let ioa = tvb.le_u24(off)?;
        cx.add(node, &f::IOA, tvb.range(off, 3), Value::UInt(ioa as u64));
        off += 3;
        if len > off {
            let b = tvb.bytes(off, len - off)?;
            cx.add_with(node, &f::RAW_DATA, tvb.range(off, len - off), || {
                Value::bytes(b)
            });
        }
        return Ok(());
    }
    let mut ioa = 0u32;
    for i in 0..num {
        let head = if i == 0 || !sq { 3 } else { 0 };
        let obj = cx.add_text(
            node,
            tvb.range(off.min(len), (dlen + head).min(len.saturating_sub(off))),
            "IOA:s",
        );
        if head == 3 {
            if len < off + 3 {
                cx.expert(obj, &SHORT_ASDU, None);
                return Ok(());
            }
            ioa = tvb.le_u24(off)?;
            cx.add(obj, &f::IOA, tvb.range(off, 3), Value::UInt(ioa as u64));
            off += 3;
        } else {
            ioa = ioa.wrapping_add(1);
            cx.add_generated(obj, &f::IOA, Value::UInt(ioa as u64));
        }
        cx.set_text(obj, format_args!("IOA: {ioa}"));
        if len < off + dlen {
            cx.expert(obj, &SHORT_ASDU, None);
            return Ok(());
        }
        el::elements(tvb, cx, obj, type_id, &mut off)?;
    }
    if len != off {
        cx.expert_with(node, &INVALID_LEN, || {
            format!("Invalid Apdulen ({len} != {off})")
        });
    }
    Ok(())
}
