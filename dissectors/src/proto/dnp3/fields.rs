//! Every DNP3 field and expert item, declared once with Wireshark's display-filter names
//! (tshark 4.0's `packet-dnp.c`, including its `dnp.`-prefixed chunk and checksum fields), and
//! the value tables the labels and the Info column use.

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{Base, FieldDef, FieldType as T};

/// Data link function codes sent by a primary station (PRM = 1), IEEE 1815-2012 §9.2.4.1.3.
pub static DL_PRI_FUNCS: &[(u64, &str)] = &[
    (0, "Reset of Remote Link"),
    (1, "Reset of User Process"),
    (2, "Test Function For Link"),
    (3, "User Data"),
    (4, "Unconfirmed User Data"),
    (9, "Request Link Status"),
];

/// Data link function codes sent by a secondary station (PRM = 0).
pub static DL_SEC_FUNCS: &[(u64, &str)] = &[
    (0, "ACK"),
    (1, "NACK"),
    (11, "Status of Link"),
    (14, "Link Service Not Functioning"),
    (15, "Link Service Not Used or Implemented"),
];

/// Application layer function codes (§4.2.2.5).
pub static AL_FUNCS: &[(u64, &str)] = &[
    (0x00, "Confirm"),
    (0x01, "Read"),
    (0x02, "Write"),
    (0x03, "Select"),
    (0x04, "Operate"),
    (0x05, "Direct Operate"),
    (0x06, "Direct Operate No Ack"),
    (0x07, "Immediate Freeze"),
    (0x08, "Immediate Freeze No Ack"),
    (0x09, "Freeze and Clear"),
    (0x0a, "Freeze and Clear No ACK"),
    (0x0b, "Freeze With Time"),
    (0x0c, "Freeze With Time No ACK"),
    (0x0d, "Cold Restart"),
    (0x0e, "Warm Restart"),
    (0x0f, "Initialize Data"),
    (0x10, "Initialize Application"),
    (0x11, "Start Application"),
    (0x12, "Stop Application"),
    (0x13, "Save Configuration"),
    (0x14, "Enable Spontaneous Messages"),
    (0x15, "Disable Spontaneous Messages"),
    (0x16, "Assign Classes"),
    (0x17, "Delay Measurement"),
    (0x18, "Record Current Time"),
    (0x19, "Open File"),
    (0x1a, "Close File"),
    (0x1b, "Delete File"),
    (0x1c, "Get File Info"),
    (0x1d, "Authenticate File"),
    (0x1e, "Abort File"),
    (0x1f, "Activate Config"),
    (0x20, "Authentication Request"),
    (0x21, "Authentication Error"),
    (0x81, "Response"),
    (0x82, "Unsolicited Response"),
    (0x83, "Authentication Response"),
];

/// Object prefix codes of a qualifier (§4.2.2.7.1).
pub static PREFIX_CODES: &[(u64, &str)] = &[
    (0, "None"),
    (1, "1-Octet Index Prefix"),
    (2, "2-Octet Index Prefix"),
    (3, "4-Octet Index Prefix"),
    (4, "1-Octet Object Size Prefix"),
    (5, "2-Octet Object Size Prefix"),
    (6, "4-Octet Object Size Prefix"),
];

/// Range specifier codes of a qualifier (§4.2.2.7.2).
pub static RANGE_CODES: &[(u64, &str)] = &[
    (0, "8-bit Start and Stop Indices"),
    (1, "16-bit Start and Stop Indices"),
    (2, "32-bit Start and Stop Indices"),
    (3, "8-bit Absolute Address in Range Field"),
    (4, "16-bit Absolute Address in Range Field"),
    (5, "32-bit Absolute Address in Range Field"),
    (6, "No Range Field"),
    (7, "8-bit Single Field Quantity"),
    (8, "16-bit Single Field Quantity"),
    (9, "32-bit Single Field Quantity"),
    (10, "Reserved"),
    (11, "Free-format Qualifier"),
];

/// Control code operation types of a CROB (group 12, §A.8).
pub static CTL_OPS: &[(u64, &str)] = &[
    (0, "NUL Operation"),
    (1, "Pulse On"),
    (2, "Pulse Off"),
    (3, "Latch On"),
    (4, "Latch Off"),
];

pub static CTL_CLEAR: &[(u64, &str)] = &[
    (0, "Not Set"),
    (1, "Queue"),
    (2, "Clear"),
    (3, "Queue and Clear"),
];

pub static CTL_TRIPS: &[(u64, &str)] = &[(0, "NUL"), (1, "Close"), (2, "Trip"), (3, "Reserved")];

/// Control status codes (§A.8.1, table 11).
pub static CTL_STATUS: &[(u64, &str)] = &[
    (0, "Req. Accepted/Init/Queued"),
    (1, "Req. Not Accepted; Arm-Timer Expired"),
    (2, "Req. Not Accepted; No 'SELECT' Received"),
    (3, "Req. Not Accepted; Format Err. in Ctl Req."),
    (4, "Ctl Oper. Not Supported For This Point"),
    (5, "Req. Not Accepted; Ctrl Queue Full/Point Active"),
    (6, "Req. Not Accepted; Ctrl Hardware Problems"),
    (7, "Req. Not Accepted; Local/Remote switch in Local"),
    (8, "Req. Not Accepted; Too many operations"),
    (9, "Req. Not Accepted; Insufficient authorization"),
    (10, "Req. Not Accepted; Local automation proc active"),
];

pub static FILE_MODES: &[(u64, &str)] = &[(0, "NULL"), (1, "READ"), (2, "WRITE"), (3, "APPEND")];

pub static FILE_STATUS: &[(u64, &str)] = &[
    (0, "SUCCESS"),
    (1, "PERMISSION DENIED"),
    (2, "INVALID MODE"),
    (3, "FILE NOT FOUND"),
    (4, "FILE LOCKED"),
    (5, "TOO MANY OPEN"),
    (6, "INVALID HANDLE"),
    (7, "WRITE BLOCK SIZE"),
    (8, "COMM LOST"),
    (9, "CANNOT ABORT"),
    (16, "NOT OPENED"),
    (17, "HANDLE EXPIRED"),
    (18, "BUFFER OVERRUN"),
    (19, "FATAL"),
    (20, "BLOCK SEQUENCE"),
    (255, "UNDEFINED"),
];

/// Device attribute data types (group 0, §A.1).
pub static DATA_TYPES: &[(u64, &str)] = &[
    (0, "NONE (Placeholder)"),
    (1, "VSTR (Visible ASCII String)"),
    (2, "UINT (Unsigned Integer)"),
    (3, "INT (Signed Integer)"),
    (4, "FLT (Floating Point)"),
    (5, "OSTR (Octet String)"),
    (6, "BSTR (Bit String)"),
    (7, "TIME (DNP3 Time UINT48)"),
    (8, "UNCD (Unicode String)"),
    (0xfe, "U8BS8LIST (List of UINT8 - BSTR8 pairs)"),
    (0xff, "U8BS8EXLIST (Extended List of UINT8 - BSTR8 pairs)"),
];

pub static DOUBLE_BIT: &[(u64, &str)] = &[
    (0, "Intermediate"),
    (1, "Determined Off"),
    (2, "Determined On"),
    (3, "Indeterminate"),
];

/// Checksum status values (Wireshark's `proto_checksum_vals`).
pub static CHECKSUM_STATUS: &[(u64, &str)] = &[(0, "Bad"), (1, "Good"), (2, "Unverified")];

const fn q(abbrev: &'static str, name: &'static str, bit: u64) -> FieldDef {
    FieldDef::flag(abbrev, name, 8, bit)
}

crate::fields! {
    PROTO = FieldDef::protocol("dnp3", "Distributed Network Protocol 3.0");
    START = FieldDef::new("dnp3.start", "Start Bytes", T::U16).hex();
    LEN = FieldDef::new("dnp3.len", "Length", T::U8).blurb("Frame Data Length");
    CTL = FieldDef::new("dnp3.ctl", "Control", T::U8).hex().blurb("Frame Control Byte");
    CTL_PRIFUNC = FieldDef::new("dnp3.ctl.prifunc", "Control Function Code", T::U8).mask(0x0f).vals(DL_PRI_FUNCS);
    CTL_SECFUNC = FieldDef::new("dnp3.ctl.secfunc", "Control Function Code", T::U8).mask(0x0f).vals(DL_SEC_FUNCS);
    CTL_OP = FieldDef::new("dnp3.ctl.op", "Operation Type", T::U8).mask(0x0f).vals(CTL_OPS);
    CTL_CLR = FieldDef::new("dnp3.ctl.clr", "Queue / Clear Field", T::U8).mask(0x30).vals(CTL_CLEAR);
    CTL_TRIP = FieldDef::new("dnp3.ctl.trip", "Trip Control Code", T::U8).mask(0xc0).vals(CTL_TRIPS);
    CTL_DIR = FieldDef::flag("dnp3.ctl.dir", "Direction", 8, 0x80);
    CTL_PRM = FieldDef::flag("dnp3.ctl.prm", "Primary", 8, 0x40);
    CTL_FCB = FieldDef::flag("dnp3.ctl.fcb", "Frame Count Bit", 8, 0x20);
    CTL_FCV = FieldDef::flag("dnp3.ctl.fcv", "Frame Count Valid", 8, 0x10);
    CTL_DFC = FieldDef::flag("dnp3.ctl.dfc", "Data Flow Control", 8, 0x10);
    DST = FieldDef::new("dnp3.dst", "Destination", T::U16).blurb("Destination Address");
    SRC = FieldDef::new("dnp3.src", "Source", T::U16).blurb("Source Address");
    ADDR = FieldDef::new("dnp3.addr", "Address", T::U16).blurb("Source or Destination Address");
    HDR_CRC = FieldDef::new("dnp3.hdr.CRC", "Data Link Header checksum", T::U16).hex();
    HDR_CRC_STATUS = FieldDef::new("dnp.hdr.CRC.status", "Data Link Header Checksum Status", T::U8).base(Base::None).vals(CHECKSUM_STATUS);
    TR_CTL = FieldDef::new("dnp3.tr.ctl", "Transport Control", T::U8).hex().blurb("Transport Layer Control Byte");
    TR_FIN = FieldDef::flag("dnp3.tr.fin", "Final", 8, 0x80);
    TR_FIR = FieldDef::flag("dnp3.tr.fir", "First", 8, 0x40);
    TR_SEQ = FieldDef::new("dnp3.tr.seq", "Sequence", T::U8).mask(0x3f).blurb("Frame Sequence Number");
    DATA_CHUNK = FieldDef::new("dnp.data_chunk", "Data Chunk", T::Bytes);
    DATA_CHUNK_LEN = FieldDef::new("dnp.data_chunk_len", "Data Chunk length", T::U16);
    DATA_CHUNK_CRC = FieldDef::new("dnp.data_chunk.CRC", "Data Chunk checksum", T::U16).hex();
    DATA_CHUNK_CRC_STATUS = FieldDef::new("dnp.data_chunk.CRC.status", "Data Chunk Checksum Status", T::U8).base(Base::None).vals(CHECKSUM_STATUS);
    AL_CTL = FieldDef::new("dnp3.al.ctl", "Application Control", T::U8).hex().blurb("Application Layer Control Byte");
    AL_FIR = FieldDef::flag("dnp3.al.fir", "First", 8, 0x80);
    AL_FIN = FieldDef::flag("dnp3.al.fin", "Final", 8, 0x40);
    AL_CON = FieldDef::flag("dnp3.al.con", "Confirm", 8, 0x20);
    AL_UNS = FieldDef::flag("dnp3.al.uns", "Unsolicited", 8, 0x10);
    AL_SEQ = FieldDef::new("dnp3.al.seq", "Sequence", T::U8).mask(0x0f).blurb("Frame Sequence Number");
    AL_FUNC = FieldDef::new("dnp3.al.func", "Application Layer Function Code", T::U8).mask(0xff).vals(AL_FUNCS);
    AL_IIN = FieldDef::new("dnp3.al.iin", "Internal Indications", T::U16).hex().blurb("Application Layer IIN");
    IIN_BMSG = FieldDef::flag("dnp3.al.iin.bmsg", "Broadcast Msg Rx", 16, 0x0100);
    IIN_CLS1D = FieldDef::flag("dnp3.al.iin.cls1d", "Class 1 Data Available", 16, 0x0200);
    IIN_CLS2D = FieldDef::flag("dnp3.al.iin.cls2d", "Class 2 Data Available", 16, 0x0400);
    IIN_CLS3D = FieldDef::flag("dnp3.al.iin.cls3d", "Class 3 Data Available", 16, 0x0800);
    IIN_TSR = FieldDef::flag("dnp3.al.iin.tsr", "Time Sync Required", 16, 0x1000);
    IIN_DOL = FieldDef::flag("dnp3.al.iin.dol", "Digital Outputs in Local", 16, 0x2000);
    IIN_DT = FieldDef::flag("dnp3.al.iin.dt", "Device Trouble", 16, 0x4000);
    IIN_RST = FieldDef::flag("dnp3.al.iin.rst", "Device Restart", 16, 0x8000);
    IIN_FCNI = FieldDef::flag("dnp3.al.iin.fcni", "Function Code not implemented", 16, 0x0001);
    IIN_OBJU = FieldDef::flag("dnp3.al.iin.obju", "Requested Objects Unknown", 16, 0x0002);
    IIN_PIOOR = FieldDef::flag("dnp3.al.iin.pioor", "Parameters Invalid or Out of Range", 16, 0x0004);
    IIN_EBO = FieldDef::flag("dnp3.al.iin.ebo", "Event Buffer Overflow", 16, 0x0008);
    IIN_OAE = FieldDef::flag("dnp3.al.iin.oae", "Operation Already Executing", 16, 0x0010);
    IIN_CC = FieldDef::flag("dnp3.al.iin.cc", "Configuration Corrupt", 16, 0x0020);
    AL_OBJ = FieldDef::new("dnp3.al.obj", "Object", T::U16).hex().blurb("Application Layer Object");
    OBJQ_PREFIX = FieldDef::new("dnp3.al.objq.prefix", "Prefix Code", T::U8).mask(0x70).vals(PREFIX_CODES);
    OBJQ_RANGE = FieldDef::new("dnp3.al.objq.range", "Range Code", T::U8).mask(0x0f).vals(RANGE_CODES);
    RANGE_START = FieldDef::new("dnp3.al.range.start", "Start", T::U32);
    RANGE_STOP = FieldDef::new("dnp3.al.range.stop", "Stop", T::U32);
    RANGE_ABS = FieldDef::new("dnp3.al.range.abs", "Address", T::U32);
    RANGE_QUANTITY = FieldDef::new("dnp3.al.range.quantity", "Quantity", T::U32);
    INDEX = FieldDef::new("dnp3.al.index", "Index", T::U32);
    SIZE = FieldDef::new("dnp3.al.size", "Size", T::U32);
    BOCS = FieldDef::flag("dnp3.al.bocs", "Commanded State", 8, 0x80);
    BIT = FieldDef::flag("dnp3.al.bit", "Value (bit)", 8, 0x01);
    BIT2 = FieldDef::new("dnp3.al.2bit", "Value (two bit)", T::U8).vals(DOUBLE_BIT);
    ANA_INT = FieldDef::new("dnp3.al.ana.int", "Value", T::I32);
    ANA_FLOAT = FieldDef::new("dnp3.al.ana.float", "Value (float)", T::Float);
    ANA_DOUBLE = FieldDef::new("dnp3.al.ana.double", "Value (double)", T::Double);
    ANAOUT_INT = FieldDef::new("dnp3.al.anaout.int", "Output Value", T::I32);
    ANAOUT_FLOAT = FieldDef::new("dnp3.al.anaout.float", "Output Value (float)", T::Float);
    ANAOUT_DOUBLE = FieldDef::new("dnp3.al.anaout.double", "Output (double)", T::Double);
    CNT = FieldDef::new("dnp3.al.cnt", "Counter", T::U32);
    CTRLSTATUS = FieldDef::new("dnp3.al.ctrlstatus", "Control Status", T::U8).mask(0x7f).vals(CTL_STATUS);
    FILE_MODE = FieldDef::new("dnp3.al.file.mode", "File Control Mode", T::U16).vals(FILE_MODES);
    FILE_AUTH = FieldDef::new("dnp3.al.file.auth", "File Authentication Key", T::U32).hex();
    FILE_SIZE = FieldDef::new("dnp3.al.file.size", "File Size", T::U32).hex();
    FILE_MAXBLOCK = FieldDef::new("dnp3.al.file.maxblock", "File Max Block Size", T::U16);
    FILE_REQID = FieldDef::new("dnp3.al.file.reqID", "File Request Identifier", T::U16);
    FILE_STATUS_F = FieldDef::new("dnp3.al.file.status", "File Control Status", T::U8).vals(FILE_STATUS);
    FILE_HANDLE = FieldDef::new("dnp3.al.file.handle", "File Handle", T::U32).hex();
    FILE_BLOCKNUM = FieldDef::new("dnp3.al.file.blocknum", "File Block Number", T::U32).hex().mask(0x7fff_ffff);
    FILE_LASTBLOCK = FieldDef::flag("dnp3.al.file.lastblock", "File Last Block", 32, 0x8000_0000);
    FILE_DATA = FieldDef::new("dnp3.al.file.data", "File Data", T::Bytes);
    FILE_PERMS = FieldDef::new("dnp3.al.file.perms", "Permissions", T::U16).base(Base::Oct);
    PERM_READ_OWNER = FieldDef::flag("dnp3.al.file.perms.read_owner", "Read permission for owner", 16, 0o400);
    PERM_WRITE_OWNER = FieldDef::flag("dnp3.al.file.perms.write_owner", "Write permission for owner", 16, 0o200);
    PERM_EXEC_OWNER = FieldDef::flag("dnp3.al.file.perms.exec_owner", "Execute permission for owner", 16, 0o100);
    PERM_READ_GROUP = FieldDef::flag("dnp3.al.file.perms.read_group", "Read permission for group", 16, 0o040);
    PERM_WRITE_GROUP = FieldDef::flag("dnp3.al.file.perms.write_group", "Write permission for group", 16, 0o020);
    PERM_EXEC_GROUP = FieldDef::flag("dnp3.al.file.perms.exec_group", "Execute permission for group", 16, 0o010);
    PERM_READ_WORLD = FieldDef::flag("dnp3.al.file.perms.read_world", "Read permission for world", 16, 0o004);
    PERM_WRITE_WORLD = FieldDef::flag("dnp3.al.file.perms.write_world", "Write permission for world", 16, 0o002);
    PERM_EXEC_WORLD = FieldDef::flag("dnp3.al.file.perms.exec_world", "Execute permission for world", 16, 0o001);
    BIQ_B0 = q("dnp3.al.biq.b0", "Online", 0x01);
    BIQ_B1 = q("dnp3.al.biq.b1", "Restart", 0x02);
    BIQ_B2 = q("dnp3.al.biq.b2", "Comm Fail", 0x04);
    BIQ_B3 = q("dnp3.al.biq.b3", "Remote Force", 0x08);
    BIQ_B4 = q("dnp3.al.biq.b4", "Local Force", 0x10);
    BIQ_B5 = q("dnp3.al.biq.b5", "Chatter Filter", 0x20);
    BIQ_B6 = q("dnp3.al.biq.b6", "Reserved", 0x40);
    BIQ_B7 = q("dnp3.al.biq.b7", "Point Value", 0x80);
    BOQ_B0 = q("dnp3.al.boq.b0", "Online", 0x01);
    BOQ_B1 = q("dnp3.al.boq.b1", "Restart", 0x02);
    BOQ_B2 = q("dnp3.al.boq.b2", "Comm Fail", 0x04);
    BOQ_B3 = q("dnp3.al.boq.b3", "Remote Force", 0x08);
    BOQ_B4 = q("dnp3.al.boq.b4", "Local Force", 0x10);
    BOQ_B5 = q("dnp3.al.boq.b5", "Reserved", 0x20);
    BOQ_B6 = q("dnp3.al.boq.b6", "Reserved", 0x40);
    BOQ_B7 = q("dnp3.al.boq.b7", "Point Value", 0x80);
    CTRQ_B0 = q("dnp3.al.ctrq.b0", "Online", 0x01);
    CTRQ_B1 = q("dnp3.al.ctrq.b1", "Restart", 0x02);
    CTRQ_B2 = q("dnp3.al.ctrq.b2", "Comm Fail", 0x04);
    CTRQ_B3 = q("dnp3.al.ctrq.b3", "Remote Force", 0x08);
    CTRQ_B4 = q("dnp3.al.ctrq.b4", "Local Force", 0x10);
    CTRQ_B5 = q("dnp3.al.ctrq.b5", "Roll-Over", 0x20);
    CTRQ_B6 = q("dnp3.al.ctrq.b6", "Discontinuity", 0x40);
    CTRQ_B7 = q("dnp3.al.ctrq.b7", "Reserved", 0x80);
    AIQ_B0 = q("dnp3.al.aiq.b0", "Online", 0x01);
    AIQ_B1 = q("dnp3.al.aiq.b1", "Restart", 0x02);
    AIQ_B2 = q("dnp3.al.aiq.b2", "Comm Fail", 0x04);
    AIQ_B3 = q("dnp3.al.aiq.b3", "Remote Force", 0x08);
    AIQ_B4 = q("dnp3.al.aiq.b4", "Local Force", 0x10);
    AIQ_B5 = q("dnp3.al.aiq.b5", "Over-Range", 0x20);
    AIQ_B6 = q("dnp3.al.aiq.b6", "Reference Check", 0x40);
    AIQ_B7 = q("dnp3.al.aiq.b7", "Reserved", 0x80);
    AOQ_B0 = q("dnp3.al.aoq.b0", "Online", 0x01);
    AOQ_B1 = q("dnp3.al.aoq.b1", "Restart", 0x02);
    AOQ_B2 = q("dnp3.al.aoq.b2", "Comm Fail", 0x04);
    AOQ_B3 = q("dnp3.al.aoq.b3", "Remote Force", 0x08);
    AOQ_B4 = q("dnp3.al.aoq.b4", "Local Force", 0x10);
    AOQ_B5 = q("dnp3.al.aoq.b5", "Reserved", 0x20);
    AOQ_B6 = q("dnp3.al.aoq.b6", "Reserved", 0x40);
    AOQ_B7 = q("dnp3.al.aoq.b7", "Reserved", 0x80);
    TIMESTAMP = FieldDef::new("dnp3.al.timestamp", "Timestamp", T::AbsTime);
    RELTIMESTAMP = FieldDef::new("dnp3.al.reltimestamp", "Relative Timestamp", T::RelTime);
    DATATYPE = FieldDef::new("dnp3.al.datatype", "Data Type", T::U8).hex().vals(DATA_TYPES);
    DA_LENGTH = FieldDef::new("dnp3.al.da.length", "Device Attribute Length", T::U8);
    DA_UINT8 = FieldDef::new("dnp3.al.da.uint8", "Device Attribute 8-Bit Unsigned Integer Value", T::U8);
    DA_UINT16 = FieldDef::new("dnp3.al.da.uint16", "Device Attribute 16-Bit Unsigned Integer Value", T::U16);
    DA_UINT32 = FieldDef::new("dnp3.al.da.uint32", "Device Attribute 32-Bit Unsigned Integer Value", T::U32);
    DA_INT8 = FieldDef::new("dnp3.al.da.int8", "Device Attribute 8-Bit Integer Value", T::I8);
    DA_INT16 = FieldDef::new("dnp3.al.da.int16", "Device Attribute 16-Bit Integer Value", T::I16);
    DA_INT32 = FieldDef::new("dnp3.al.da.int32", "Device Attribute 32-Bit Integer Value", T::I32);
    DA_FLOAT = FieldDef::new("dnp3.al.da.float", "Device Attribute Float Value", T::Float);
    DA_DOUBLE = FieldDef::new("dnp3.al.da.double", "Device Attribute Double Value", T::Double);
    DA_VALUE = FieldDef::new("dnp3.al.da.value", "Value", T::String);
    FRAG_DATA = FieldDef::new("dnp3.al.frag_data", "DNP3.0 AL Fragment Data", T::Bytes);
    FRAGMENT = FieldDef::new("dnp3.al.fragment", "DNP 3.0 AL Fragment", T::FrameNum);
    FRAGMENTS = FieldDef::new("dnp3.al.fragments", "DNP 3.0 AL Fragments", T::None);
    FRAGMENT_OVERLAP = FieldDef::new("dnp3.al.fragment.overlap", "Fragment overlap", T::Bool);
    FRAGMENT_OVERLAP_CONFLICT = FieldDef::new("dnp3.al.fragment.overlap.conflict", "Conflicting data in fragment overlap", T::Bool);
    FRAGMENT_ERROR = FieldDef::new("dnp3.al.fragment.error", "Defragmentation error", T::FrameNum);
    FRAGMENT_COUNT = FieldDef::new("dnp3.al.fragment.count", "Fragment count", T::U32);
    FRAGMENT_REASSEMBLED_IN = FieldDef::new("dnp3.al.fragment.reassembled_in", "Reassembled PDU In Frame", T::FrameNum);
    FRAGMENT_LENGTH = FieldDef::new("dnp3.al.fragment.reassembled.length", "Reassembled DNP length", T::U32);
    POINT_INDEX = FieldDef::new("dnp3.al.point_index", "Point Index", T::U32);
    COUNT = FieldDef::new("dnp3.al.count", "Count", T::U8);
    ON_TIME = FieldDef::new("dnp3.al.on_time", "On Time", T::U32);
    OFF_TIME = FieldDef::new("dnp3.al.off_time", "Off Time", T::U32);
    TIME_DELAY = FieldDef::new("dnp3.al.time_delay", "Time Delay", T::U16);
    FILE_STRING_OFFSET = FieldDef::new("dnp3.al.file_string_offset", "File String Offset", T::U16);
    FILE_STRING_LENGTH = FieldDef::new("dnp3.al.file_string_length", "File String Length", T::U16);
    FILE_NAME = FieldDef::new("dnp3.al.file_name", "File Name", T::String);
    OCTET_STRING = FieldDef::new("dnp3.al.octet_string", "Octet String", T::Bytes);
    UNKNOWN_DATA_CHUNK = FieldDef::new("dnp3.al.unknown_data_chunk", "Unknown Data Chunk", T::Bytes);
}

crate::experts! {
    NUM_ITEMS_NEG = ExpertDef::new("dnp3.num_items_neg", Group::Malformed, Severity::Error, "Negative number of items");
    INVALID_LENGTH = ExpertDef::new("dnp3.invalid_length", Group::Malformed, Severity::Error, "Invalid length");
    IIN_ABNORMAL = ExpertDef::new("dnp3.iin_abnormal", Group::Protocol, Severity::Warn, "IIN Abnormality");
    HDR_CRC_INCORRECT = ExpertDef::new("dnp3.hdr.CRC.incorrect", Group::Checksum, Severity::Warn, "Data Link Header Checksum incorrect");
    CHUNK_CRC_INCORRECT = ExpertDef::new("dnp3.data_chunk.CRC.incorrect", Group::Checksum, Severity::Warn, "Data Chunk Checksum incorrect");
    UNKNOWN_OBJECT = ExpertDef::new("dnp3.unknown_object", Group::Protocol, Severity::Warn, "Unknown Object\\Variation");
    UNKNOWN_GROUP0_VARIATION = ExpertDef::new("dnp3.unknown_group0_variation", Group::Protocol, Severity::Warn, "Unknown Group 0 Variation");
    NUM_ITEMS_INVALID = ExpertDef::new("dnp3.num_items_invalid", Group::Malformed, Severity::Warn, "Number of items is invalid for normally empty object.  Potentially malicious packet");
}
