//! IEEE 802.15.4 MAC frames (IEEE Std 802.15.4-2020 §7.2, same layout as -2003/-2006/-2015),
//! as Wireshark's `wpan` dissector: frame control, sequence number, addressing, auxiliary security
//! header, FCS, and the hand-off of the payload to the next layer.
//!
//! ```text
//!  octets: 2        0/1      0/2        0/2/8      0/2      0/2/8     0/5..14     var      var      2/4
//! +--------+--------+--------+----------+--------+----------+---------+--------+---------+-------+
//! | Frame  | Seq    | Dest   | Dest     | Source | Source   | Aux     | Header | Payload |  FCS  |
//! | Control| Number | PAN ID | Address  | PAN ID | Address  | Sec Hdr | IEs    | (+IEs)  |       |
//! +--------+--------+--------+----------+--------+----------+---------+--------+---------+-------+
//!
//! Frame Control (little endian):
//!  b0-2 type | b3 security | b4 pending | b5 ack req | b6 PAN ID compression | b7 reserved |
//!  b8 seq-no suppression | b9 IE present | b10-11 dst mode | b12-13 version | b14-15 src mode
//! ```
//! All multi-octet fields are little endian; extended addresses are shown most significant octet
//! first, as EUI-64s are written. The FCS is the ITU-T CRC-16 (x^16+x^12+x^5+1, reflected, initial
//! value 0, no final XOR; §7.2.11) or, on PHYs that use it, the 32-bit ANSI X3.66 CRC.
//!
//! Link types: 195 (FCS included), 230 (no FCS), 215 (non-ASK PHY header + FCS), 283 (TAP header,
//! [`super::wpan_tap`]), SLL protocol 0x00f6 (Linux, no FCS); ZEP ([`super::zep`]) over UDP.
//! Beacons and MAC commands are in [`super::wpan_cmd`], information elements in
//! [`super::wpan_ie`]; all fields are declared here once, since they belong to one protocol.

use crate::address::Address;
use crate::engine::Cx;
use crate::expert::{ws, ExpertDef, Group, Severity};
use crate::field::{FieldDef, FieldType as T};
use crate::registry::{tables, PrefDef, Protocol, Registry};
use crate::tree::{ByteRange, NodeId};
use crate::tvb::{Error, Result, Tvb};
use crate::value::Value;

use super::{wpan_cmd, wpan_ie};

pub static FRAME_TYPES: &[(u64, &str)] = &[
    (0, "Beacon"),
    (1, "Data"),
    (2, "Ack"),
    (3, "Command"),
    (4, "Reserved"),
    (5, "Multipurpose"),
    (6, "Fragment or Frak"),
    (7, "Extended"),
];
pub static ADDR_MODES: &[(u64, &str)] = &[
    (0, "None"),
    (1, "Reserved"),
    (2, "Short/16-bit"),
    (3, "Long/64-bit"),
];
pub static VERSIONS: &[(u64, &str)] = &[
    (0, "IEEE Std 802.15.4-2003"),
    (1, "IEEE Std 802.15.4-2006"),
    (2, "IEEE Std 802.15.4-2015"),
    (3, "Reserved"),
];
pub static SEC_LEVELS: &[(u64, &str)] = &[
    (0, "No Security"),
    (1, "32-bit Message Integrity Code"),
    (2, "64-bit Message Integrity Code"),
    (3, "128-bit Message Integrity Code"),
    (4, "Encryption"),
    (5, "Encryption with 32-bit Message Integrity Code"),
    (6, "Encryption with 64-bit Message Integrity Code"),
    (7, "Encryption with 128-bit Message Integrity Code"),
];
pub static KEY_ID_MODES: &[(u64, &str)] = &[
    (0, "Implicit Key"),
    (1, "Indexed Key using the Default Key Source"),
    (2, "Explicit Key with 4-octet Key Source"),
    (3, "Explicit Key with 8-octet Key Source"),
];

crate::fields! {
    PROTO = FieldDef::protocol("wpan", "IEEE 802.15.4 Low-Rate Wireless PAN");
    FRAME_LENGTH = FieldDef::new("wpan.frame_length", "Frame Length", T::U8);
    FCF = FieldDef::new("wpan.fcf", "Frame Control Field", T::U16).hex();
    FRAME_TYPE = FieldDef::new("wpan.frame_type", "Frame Type", T::U16).hex().mask(0x7).vals(FRAME_TYPES);
    SECURITY = FieldDef::flag("wpan.security", "Security Enabled", 16, 0x8).tfs("True", "False");
    PENDING = FieldDef::flag("wpan.pending", "Frame Pending", 16, 0x10).tfs("True", "False");
    ACK_REQUEST = FieldDef::flag("wpan.ack_request", "Acknowledge Request", 16, 0x20).tfs("True", "False");
    PAN_ID_COMPRESSION = FieldDef::flag("wpan.pan_id_compression", "PAN ID Compression", 16, 0x40).tfs("True", "False");
    FCF_RESERVED = FieldDef::flag("wpan.fcf.reserved", "Reserved", 16, 0x80).tfs("True", "False");
    SEQNO_SUPPRESSION = FieldDef::flag("wpan.seqno_suppression", "Sequence Number Suppression", 16, 0x100).tfs("True", "False");
    IE_PRESENT = FieldDef::flag("wpan.ie_present", "Information Elements Present", 16, 0x200).tfs("True", "False");
    DST_ADDR_MODE = FieldDef::new("wpan.dst_addr_mode", "Destination Addressing Mode", T::U16).hex().mask(0xc00).vals(ADDR_MODES);
    VERSION = FieldDef::new("wpan.version", "Frame Version", T::U16).mask(0x3000).vals(VERSIONS);
    SRC_ADDR_MODE = FieldDef::new("wpan.src_addr_mode", "Source Addressing Mode", T::U16).hex().mask(0xc000).vals(ADDR_MODES);
    LONG_FRAME_CONTROL = FieldDef::flag("wpan.long_frame_control", "Long Frame Control", 16, 0x8).tfs("True", "False");
    PAN_ID_PRESENT = FieldDef::flag("wpan.pan_id_present", "PAN ID Present", 16, 0x100).tfs("True", "False");
    MPF_VERSION = FieldDef::new("wpan.mpf_version", "Multipurpose Frame Version", T::U16).mask(0x3000);
    SEQ_NO = FieldDef::new("wpan.seq_no", "Sequence Number", T::U8);
    DST_PAN = FieldDef::new("wpan.dst_pan", "Destination PAN", T::U16).hex();
    DST16 = FieldDef::new("wpan.dst16", "Destination", T::U16).hex();
    DST64 = FieldDef::new("wpan.dst64", "Destination", T::Eui64);
    SRC_PAN = FieldDef::new("wpan.src_pan", "Source PAN", T::U16).hex();
    SRC16 = FieldDef::new("wpan.src16", "Source", T::U16).hex();
    SRC64 = FieldDef::new("wpan.src64", "Extended Source", T::Eui64);
    SRC64_ORIGIN = FieldDef::new("wpan.src64.origin", "Origin", T::FrameNum);
    ADDR16 = FieldDef::new("wpan.addr16", "Address", T::U16).hex();
    ADDR64 = FieldDef::new("wpan.addr64", "Extended Address", T::Eui64);
    FCS = FieldDef::new("wpan.fcs", "FCS", T::U16).hex();
    FCS32 = FieldDef::new("wpan.fcs32", "FCS", T::U32).hex();
    RSSI = FieldDef::new("wpan.rssi", "RSSI", T::I8);
    FCS_OK = FieldDef::new("wpan.fcs_ok", "FCS Valid", T::Bool);
    CORRELATION = FieldDef::new("wpan.correlation", "LQI Correlation Value", T::U8);

    // Auxiliary security header (§9.4).
    AUX_SEC_HDR = FieldDef::new("wpan.aux_sec.hdr", "Auxiliary Security Header", T::None);
    AUX_SEC_CONTROL = FieldDef::new("wpan.aux_sec.security_control_field", "Security Control Field", T::U8).hex();
    AUX_SEC_LEVEL = FieldDef::new("wpan.aux_sec.sec_level", "Security Level", T::U8).hex().mask(0x07).vals(SEC_LEVELS);
    AUX_SEC_KEY_ID_MODE = FieldDef::new("wpan.aux_sec.key_id_mode", "Key Identifier Mode", T::U8).hex().mask(0x18).vals(KEY_ID_MODES);
    AUX_SEC_FC_SUPPRESSION = FieldDef::flag("wpan.aux_sec.frame_counter_suppression", "Frame Counter Suppression", 8, 0x20).tfs("True", "False");
    AUX_SEC_ASN_IN_NONCE = FieldDef::flag("wpan.aux_sec.asn_in_nonce", "ASN in Nonce", 8, 0x40).tfs("True", "False");
    AUX_SEC_RESERVED = FieldDef::new("wpan.aux_sec.reserved", "Reserved", T::U8).hex().mask(0x80);
    AUX_SEC_FRAME_COUNTER = FieldDef::new("wpan.aux_sec.frame_counter", "Frame Counter", T::U32);
    AUX_SEC_KEY_SOURCE = FieldDef::new("wpan.aux_sec.key_source", "Key Source", T::U64).hex();
    AUX_SEC_KEY_SOURCE_BYTES = FieldDef::new("wpan.aux_sec.key_source.bytes", "Key Source", T::Bytes);
    AUX_SEC_KEY_INDEX = FieldDef::new("wpan.aux_sec.key_index", "Key Index", T::U8).hex();
    MIC = FieldDef::new("wpan.mic", "MIC", T::Bytes);
    SEC_FRAME_COUNTER = FieldDef::new("wpan.sec_frame_counter", "Frame Counter", T::U32).hex();
    SEC_KEY_SEQUENCE_COUNTER = FieldDef::new("wpan.sec_key_sequence_counter", "Key Sequence Counter", T::U8).hex();

    // MAC commands (§7.5).
    CMD = FieldDef::new("wpan.cmd", "Command Identifier", T::U8).hex().vals(wpan_cmd::CMD_NAMES);
    CMD_VENDOR_OUI = FieldDef::new("wpan.cmd.vendor_oui", "Vendor OUI", T::U24).hex();
    CINFO_ALT_COORD = FieldDef::flag("wpan.cinfo.alt_coord", "Alternate PAN Coordinator", 8, 0x01).tfs("True", "False");
    CINFO_DEVICE_TYPE = FieldDef::flag("wpan.cinfo.device_type", "Device Type", 8, 0x02).tfs("FFD", "RFD");
    CINFO_POWER_SRC = FieldDef::flag("wpan.cinfo.power_src", "Power Source", 8, 0x04).tfs("AC/Mains Power", "Battery");
    CINFO_IDLE_RX = FieldDef::flag("wpan.cinfo.idle_rx", "Receive On When Idle", 8, 0x08).tfs("True", "False");
    CINFO_SEC_CAPABLE = FieldDef::flag("wpan.cinfo.sec_capable", "Security Capability", 8, 0x40).tfs("True", "False");
    CINFO_ALLOC_ADDR = FieldDef::flag("wpan.cinfo.alloc_addr", "Allocate Address", 8, 0x80).tfs("True", "False");
    ASSOC_ADDR = FieldDef::new("wpan.asoc.addr", "Short Address", T::U16).hex();
    ASSOC_STATUS = FieldDef::new("wpan.assoc.status", "Association Status", T::U8).hex();
    DISASSOC_REASON = FieldDef::new("wpan.disassoc.reason", "Disassociation Reason", T::U8).hex();
    REALIGN_PAN = FieldDef::new("wpan.realign.pan", "PAN ID", T::U16).hex();
    REALIGN_CADDR = FieldDef::new("wpan.realign.addr", "Coordinator Short Address", T::U16).hex();
    REALIGN_CHANNEL = FieldDef::new("wpan.realign.channel", "Logical Channel", T::U8);
    REALIGN_CHANNEL_PAGE = FieldDef::new("wpan.realign.channel_page", "Channel Page", T::U8);
    GTSREQ_LEN = FieldDef::new("wpan.gtsreq.length", "GTS Length", T::U8).mask(0x0f);
    GTSREQ_DIR = FieldDef::flag("wpan.gtsreq.direction", "GTS Direction", 8, 0x10).tfs("Receive Only", "Transmit Only");
    GTSREQ_TYPE = FieldDef::flag("wpan.gtsreq.type", "Characteristic Type", 8, 0x20).tfs("Allocate GTS", "Deallocate GTS");

    // Beacons (§7.3.1).
    BEACON_ORDER = FieldDef::new("wpan.beacon_order", "Beacon Interval", T::U16).mask(0x000f);
    SUPERFRAME_ORDER = FieldDef::new("wpan.superframe_order", "Superframe Interval", T::U16).mask(0x00f0);
    CAP = FieldDef::new("wpan.cap", "Final CAP Slot", T::U16).mask(0x0f00);
    BATTERY_EXT = FieldDef::flag("wpan.battery_ext", "Battery Extension", 16, 0x1000).tfs("True", "False");
    BCN_COORD = FieldDef::flag("wpan.bcn_coord", "PAN Coordinator", 16, 0x4000).tfs("True", "False");
    ASSOC_PERMIT = FieldDef::flag("wpan.assoc_permit", "Association Permit", 16, 0x8000).tfs("True", "False");
    GTS_COUNT = FieldDef::new("wpan.gts.count", "GTS Descriptor Count", T::U8);
    GTS_PERMIT = FieldDef::new("wpan.gts.permit", "GTS Permit", T::Bool);
    GTS_DIRECTION = FieldDef::new("wpan.gts.direction", "Direction", T::Bool).tfs("Receive Only", "Transmit Only");
    GTS_ADDRESS = FieldDef::new("wpan.gts.address", "Address", T::U16).hex();
    PENDING16 = FieldDef::new("wpan.pending16", "Address", T::U16).hex();
    PENDING64 = FieldDef::new("wpan.pending64", "Address", T::Eui64);

    // Header IEs (§7.4.2).
    HEADER_IE = FieldDef::new("wpan.header_ie", "Header IEs", T::None);
    HEADER_IE_TLV = FieldDef::new("wpan.header_ie_tlv", "IE Header", T::U16).hex();
    HEADER_IE_TYPE = FieldDef::new("wpan.header_ie.type", "Type", T::U16).mask(0x8000).vals(wpan_ie::IE_TYPES);
    HEADER_IE_ID = FieldDef::new("wpan.header_ie.id", "Id", T::U16).hex().mask(0x7f80).vals(wpan_ie::HEADER_IE_NAMES);
    HEADER_IE_LENGTH = FieldDef::new("wpan.header_ie.length", "Length", T::U16).mask(0x007f);
    IE_UNKNOWN_CONTENT = FieldDef::new("wpan.ie.unknown_content", "Unknown Content", T::Bytes);
    HIE_UNSUPPORTED = FieldDef::new("wpan.header_ie.unsupported", "Unsupported Header IE", T::None);
    HIE_HT1 = FieldDef::new("wpan.header_ie.ht1", "Header Termination 1 IE (Payload IEs follow)", T::None);
    HIE_HT2 = FieldDef::new("wpan.header_ie.ht2", "Header Termination 2 IE (Payload follows)", T::None);
    HIE_TIME_CORRECTION = FieldDef::new("wpan.header_ie.time_correction", "Time Correction IE", T::None);
    HIE_TIME_SYNC_INFO = FieldDef::new("wpan.header_ie.time_correction.time_sync_info", "Time Sync Info", T::U16).hex();
    NACK = FieldDef::flag("wpan.nack", "Nack", 16, 0x8000).tfs("Negative Acknowledgement", "Acknowledgement");
    HIE_TIME_CORRECTION_VALUE = FieldDef::new("wpan.header_ie.time_correction.value", "Time Correction", T::I16).mask(0x0fff).unit("us");
    HIE_CSL = FieldDef::new("wpan.header_ie.csl", "CSL IE", T::None);
    HIE_CSL_PHASE = FieldDef::new("wpan.header_ie.csl.phase", "Phase", T::I16);
    HIE_CSL_PERIOD = FieldDef::new("wpan.header_ie.csl.period", "Period", T::I16);
    HIE_CSL_RENDEZVOUS = FieldDef::new("wpan.header_ie.csl.rendezvous_time", "Rendezvous Time", T::I16);
    HIE_RDV = FieldDef::new("wpan.header_ie.rdv", "Rendezvous Time IE", T::None);
    HIE_RDV_WAKEUP = FieldDef::new("wpan.header_ie.csl.wakeup_interval", "Wake-up Interval", T::I16);
    HIE_GLOBAL_TIME = FieldDef::new("wpan.header_ie.global_time", "Global Time IE", T::None);
    HIE_GLOBAL_TIME_VALUE = FieldDef::new("wpan.header_ie.global_time.value", "Global Time", T::AbsTime);
    HIE_VENDOR = FieldDef::new("wpan.header_ie.vendor_specific", "Vendor Specific IE", T::None);
    HIE_VENDOR_OUI = FieldDef::new("wpan.header_ie.vendor_specific.vendor_oui", "Vendor OUI", T::U24).hex();
    HIE_VENDOR_CONTENT = FieldDef::new("wpan.header_ie.vendor_specific.content", "Vendor Content", T::Bytes);

    // Payload IEs (§7.4.3).
    PAYLOAD_IE = FieldDef::new("wpan.payload_ie", "Payload IEs", T::None);
    PAYLOAD_IE_TLV = FieldDef::new("wpan.payload_ie_tlv", "IE Header", T::U16).hex();
    PAYLOAD_IE_TYPE = FieldDef::new("wpan.payload_ie.type", "Type", T::U16).mask(0x8000).vals(wpan_ie::IE_TYPES);
    PAYLOAD_IE_ID = FieldDef::new("wpan.payload_ie.id", "Id", T::U16).hex().mask(0x7800).vals(wpan_ie::PAYLOAD_IE_NAMES);
    PAYLOAD_IE_LENGTH = FieldDef::new("wpan.payload_ie.length", "Length", T::U16).mask(0x07ff);
    PIE_UNKNOWN = FieldDef::new("wpan.payload_ie.unknown", "Unknown Payload IE", T::None);
    PIE_TERMINATION = FieldDef::new("wpan.payload_ie.termination", "Payload Termination IE", T::None);
    PIE_VENDOR = FieldDef::new("wpan.payload_ie.vendor", "Vendor Specific IE", T::None);
    PIE_VENDOR_OUI = FieldDef::new("wpan.payload_ie.vendor.oui", "Vendor OUI", T::U24).hex();
    PIE_IETF = FieldDef::new("wpan.payload_ie.ietf", "IETF Payload IE", T::None);
    IETF_SUB_ID = FieldDef::new("wpan.ietf_ie.sub_id", "Sub-ID", T::U8);
    MLME = FieldDef::new("wpan.mlme", "MLME IE", T::None);
    MLME_IE = FieldDef::new("wpan.mlme.ie", "MLME Sub IE", T::U16).hex();
    MLME_IE_TYPE = FieldDef::new("wpan.mlme.ie.type", "Type", T::U16).mask(0x8000).vals(&[(0, "Short"), (1, "Long")]);
    MLME_IE_ID = FieldDef::new("wpan.mlme.ie.id", "Sub ID", T::U16).hex().mask(0x7f00).vals(wpan_ie::MLME_SUBIE_NAMES);
    MLME_IE_LENGTH = FieldDef::new("wpan.mlme.ie.length", "Length", T::U16).mask(0x00ff);
    MLME_UNSUPPORTED = FieldDef::new("wpan.mlme.unsupported", "Unsupported Sub IE", T::None);
    MLME_DATA = FieldDef::new("wpan.mlme.data", "Data", T::Bytes);
    TSCH_SYNC = FieldDef::new("wpan.tsch.time_sync", "TSCH Synchronization IE", T::None);
    // Wireshark's type is FT_UINT40; the engine has no 40-bit integer, the value is the same.
    TSCH_ASN = FieldDef::new("wpan.tsch.asn", "Absolute Slot Number", T::U64);
    TSCH_JOIN_METRIC = FieldDef::new("wpan.tsch.join_metric", "Join Metric", T::U8);
    TSCH_TIMESLOT = FieldDef::new("wpan.tsch.timeslot", "TSCH Timeslot IE", T::None);
    TSCH_TIMESLOT_ID = FieldDef::new("wpan.tsch.timeslot.id", "Timeslot ID", T::U8).hex();
    TSCH_TIMESLOT_CCA_OFFSET = FieldDef::new("wpan.tsch.timeslot.cca_offset", "CCA Offset", T::U16).unit("us");
    TSCH_TIMESLOT_CCA = FieldDef::new("wpan.tsch.timeslot.cca", "CCA", T::U16).unit("us");
    TSCH_TIMESLOT_TX_OFFSET = FieldDef::new("wpan.tsch.timeslot.tx_offset", "TX Offset", T::U16).unit("us");
    TSCH_TIMESLOT_RX_OFFSET = FieldDef::new("wpan.tsch.timeslot.rx_offset", "RX Offset", T::U16).unit("us");
    TSCH_TIMESLOT_RX_ACK_DELAY = FieldDef::new("wpan.tsch.timeslot.rx_ack_delay", "RX Ack Delay", T::U16).unit("us");
    TSCH_TIMESLOT_TX_ACK_DELAY = FieldDef::new("wpan.tsch.timeslot.tx_ack_delay", "TX Ack Delay", T::U16).unit("us");
    TSCH_TIMESLOT_RX_WAIT = FieldDef::new("wpan.tsch.timeslot.rx_wait", "RX Wait", T::U16).unit("us");
    TSCH_TIMESLOT_ACK_WAIT = FieldDef::new("wpan.tsch.timeslot.ack_wait", "Ack Wait", T::U16).unit("us");
    TSCH_TIMESLOT_TURNAROUND = FieldDef::new("wpan.tsch.timeslot.turnaround", "Turn Around", T::U16).unit("us");
    TSCH_TIMESLOT_MAX_ACK = FieldDef::new("wpan.tsch.timeslot.max_ack", "Max Ack", T::U16).unit("us");
    TSCH_TIMESLOT_MAX_TX = FieldDef::new("wpan.tsch.timeslot.max_tx", "Max TX", T::U24).unit("us");
    TSCH_TIMESLOT_LENGTH = FieldDef::new("wpan.tsch.timeslot.length", "Timeslot Length", T::U24).unit("us");
    CHANNEL_HOPPING = FieldDef::new("wpan.channel_hopping", "Channel Hopping IE", T::None);
    TSCH_HOPPING_SEQUENCE_ID = FieldDef::new("wpan.tsch.hopping_sequence_id", "Hopping Sequence ID", T::U8).hex();
    TSCH_SLOTFRAME = FieldDef::new("wpan.tsch.slotframe", "Slotframe IE", T::None);
    TSCH_LINK_INFO = FieldDef::new("wpan.tsch.link_info", "Link Information", T::None);
    TSCH_SLOTFRAME_NUM = FieldDef::new("wpan.tsch.slotframe_num", "Number of Slotframes", T::U8);
    TSCH_SLOTFRAME_HANDLE = FieldDef::new("wpan.tsch.slotframe_handle", "Slotframe handle", T::U8);
    TSCH_SLOTFRAME_SIZE = FieldDef::new("wpan.tsch.slotframe_size", "Slotframe size", T::U16);
    TSCH_NB_LINKS = FieldDef::new("wpan.tsch.nb_links", "Number of Links", T::U8);
    TSCH_LINK_TIMESLOT = FieldDef::new("wpan.tsch.link_timeslot", "Timeslot", T::U16);
    TSCH_CHANNEL_OFFSET = FieldDef::new("wpan.tsch.channel_offset", "Channel Offset", T::U16);
    TSCH_LINK_OPTIONS = FieldDef::new("wpan.tsch.link_options", "Link Options", T::U8).hex();
    TSCH_LINK_OPTIONS_TX = FieldDef::flag("wpan.tsch.link_options.tx", "TX Link", 8, 0x01);
    TSCH_LINK_OPTIONS_RX = FieldDef::flag("wpan.tsch.link_options.rx", "RX Link", 8, 0x02);
    TSCH_LINK_OPTIONS_SHARED = FieldDef::flag("wpan.tsch.link_options.shared", "Shared Link", 8, 0x04);
    TSCH_LINK_OPTIONS_TIMEKEEPING = FieldDef::flag("wpan.tsch.link_options.timekeeping", "Timekeeping", 8, 0x08);
    TSCH_LINK_OPTIONS_PRIORITY = FieldDef::flag("wpan.tsch.link_options.priority", "Priority", 8, 0x10);
}

crate::experts! {
    FCS_BAD = ExpertDef::new("wpan.fcs.bad", Group::Checksum, Severity::Warn, "Bad FCS");
    SEQNO_SUPPRESSION_INVALID = ExpertDef::new("wpan.seqno_suppression_invalid", Group::Malformed, Severity::Warn, "Sequence Number Suppression invalid for 802.15.4-2003 and 2006");
    FRAME_VERSION_UNKNOWN = ExpertDef::new("wpan.frame_version_unknown", Group::Malformed, Severity::Error, "Frame Version Unknown Cannot Dissect");
    DST_INVALID = ExpertDef::new("wpan.dst_invalid", Group::Malformed, Severity::Error, "Invalid Destination Address Mode");
    SRC_INVALID = ExpertDef::new("wpan.src_invalid", Group::Malformed, Severity::Error, "Invalid Source Address Mode");
    INVALID_PANID_COMPRESSION = ExpertDef::new("wpan.invalid_panid_compression", Group::Malformed, Severity::Error, "Invalid Setting for PAN ID Compression");
    INVALID_ADDRESSING = ExpertDef::new("wpan.invalid_addressing", Group::Malformed, Severity::Warn, "Invalid Addressing");
    DECRYPT_ERROR = ExpertDef::new("wpan.decrypt_error", Group::Undecoded, Severity::Warn, "Decryption error");
    IE_UNSUPPORTED_ID = ExpertDef::new("wpan.ie_unsupported_id", Group::Protocol, Severity::Warn, "Unsupported IE ID");
    IE_UNKNOWN_EXTRA_CONTENT = ExpertDef::new("wpan.ie_unknown_extra_content", Group::Protocol, Severity::Warn, "Unexpected extra content for IE");
    PAYLOAD_IE_MISSING = ExpertDef::new("wpan.payload_ie.missing", Group::Malformed, Severity::Warn, "Payload IE indicated by Header Termination, but no Payload IE present");
    TIME_CORRECTION_ERROR = ExpertDef::new("wpan.time_correction.error", Group::Protocol, Severity::Warn, "Incorrect value. Reference: IEEE-802.15.4-2015. Table 7-8: Values of the Time Sync Info field for ACK with timing information");
    CMD_UNKNOWN = ExpertDef::new("wpan.cmd.unknown_cmd", Group::Protocol, Severity::Warn, "Unknown Command Id (cf. IEEE 802.15.4-2015 Table 7-49)");
    CMD_UNSUPPORTED = ExpertDef::new("wpan.cmd.unsupported_cmd", Group::Protocol, Severity::Warn, "Unsupported Command ID");
}

const PREFS: &[PrefDef] = &[
    PrefDef {
        name: "wpan.fcs_format",
        description: "The FCS format in the captured payload: \"ITU-T CRC-16\" (default), \"ITU-T CRC-32\", or \"TI CC24xx metadata\" (also \"cc24xx\"): the last two octets are RSSI and CRC-OK/correlation",
        default: "ITU-T CRC-16",
    },
    PrefDef {
        name: "wpan.802154_fcs_ok",
        description: "Dissect payload only if FCS is valid",
        default: "TRUE",
    },
];

/// The wpan layer for link type 195 (and the `wpan` name users pick with `-d`): an FCS follows
/// the frame, of the kind `wpan.fcs_format` says.
pub static PROTOCOL: Protocol = Protocol {
    name: "wpan",
    short_name: "IEEE 802.15.4",
    field: &PROTO,
    fields: FIELDS,
    experts: EXPERTS,
    prefs: PREFS,
    dissect,
    register,
};

/// Declares a variant of the wpan layer with a fixed trailer kind. Variants are registered in
/// dispatch tables only (not in `proto::ALL`), so the registry holds one `wpan` protocol.
macro_rules! wpan_variant {
    ($(#[$m:meta])* $name:ident, $dissect:expr) => {
        $(#[$m])*
        pub static $name: Protocol = Protocol {
            name: "wpan",
            short_name: "IEEE 802.15.4",
            field: &PROTO,
            fields: FIELDS,
            experts: EXPERTS,
            prefs: PREFS,
            dissect: $dissect,
            register: |_| {},
        };
    };
}

wpan_variant!(
    /// No FCS (link type 230, Linux SLL, TAP FCS type 0).
    NOFCS,
    |t, cx, p| dissect_mode(t, cx, p, FcsMode::None)
);
wpan_variant!(
    /// A 16-bit FCS whatever the preference says (TAP FCS type 1, ZEP).
    FCS16,
    |t, cx, p| dissect_mode(t, cx, p, FcsMode::Crc16)
);
wpan_variant!(
    /// A 32-bit FCS (TAP FCS type 2).
    FCS32_PROTOCOL,
    |t, cx, p| dissect_mode(t, cx, p, FcsMode::Crc32)
);
wpan_variant!(
    /// TI CC24xx metadata in place of the FCS (ZEP in LQI mode).
    CC24XX,
    |t, cx, p| dissect_mode(t, cx, p, FcsMode::Cc24xx)
);

/// The non-ASK PHY header (link type 215) in front of a MAC frame with FCS.
pub static NONASK_PHY: Protocol = Protocol {
    name: "wpan-nonask-phy",
    short_name: "IEEE 802.15.4 non-ASK PHY",
    field: &NONASK_PROTO,
    fields: NONASK_FIELDS,
    experts: &[],
    prefs: &[],
    dissect: dissect_nonask_phy,
    register: |_| {},
};

pub static NONASK_PROTO: FieldDef =
    FieldDef::protocol("wpan-nonask-phy", "IEEE 802.15.4 non-ASK PHY");
pub static NONASK_PREAMBLE: FieldDef =
    FieldDef::new("wpan-nonask-phy.preamble", "Preamble", T::U32).hex();
pub static NONASK_SFD: FieldDef =
    FieldDef::new("wpan-nonask-phy.sfd", "Start of Frame Delimiter", T::U8).hex();
pub static NONASK_PHR: FieldDef = FieldDef::new("wpan-nonask-phy.phr", "PHR", T::U8).hex();
pub static NONASK_LENGTH: FieldDef =
    FieldDef::new("wpan-nonask-phy.frame_length", "Frame Length", T::U8)
        .hex()
        .mask(0x7f);
static NONASK_FIELDS: &[&FieldDef] = &[&NONASK_PREAMBLE, &NONASK_SFD, &NONASK_PHR, &NONASK_LENGTH];

// Multipurpose frames (§7.3.5) place the addressing modes elsewhere in the frame control; these
// share the abbreviations of the ordinary fields (as in Wireshark) and are not listed separately.
static MPF_DST_ADDR_MODE: FieldDef =
    FieldDef::new("wpan.dst_addr_mode", "Destination Addressing Mode", T::U16)
        .hex()
        .mask(0x0030)
        .vals(ADDR_MODES);
static MPF_SRC_ADDR_MODE: FieldDef =
    FieldDef::new("wpan.src_addr_mode", "Source Addressing Mode", T::U16)
        .hex()
        .mask(0x00c0)
        .vals(ADDR_MODES);
static MPF_SECURITY: FieldDef = FieldDef::flag("wpan.security", "Security Enabled", 16, 0x0200);
static MPF_SEQNO_SUPPRESSION: FieldDef = FieldDef::flag(
    "wpan.seqno_suppression",
    "Sequence Number Suppression",
    16,
    0x0400,
);
static MPF_PENDING: FieldDef = FieldDef::flag("wpan.pending", "Frame Pending", 16, 0x0800);
/// Coordinator realignment's device short address: Wireshark gives it the same abbreviation as
/// the coordinator's.
pub static REALIGN_ADDR: FieldDef =
    FieldDef::new("wpan.realign.addr", "Short Address", T::U16).hex();
static MPF_ACK_REQUEST: FieldDef =
    FieldDef::flag("wpan.ack_request", "Acknowledge Request", 16, 0x4000);
static MPF_IE_PRESENT: FieldDef = FieldDef::flag(
    "wpan.ie_present",
    "Information Elements Present",
    16,
    0x8000,
);

fn register(r: &mut Registry) {
    r.add(tables::LINK_TYPE, 195, &PROTOCOL);
    r.add(tables::LINK_TYPE, 230, &NOFCS);
    r.add(tables::LINK_TYPE, 215, &NONASK_PHY);
    r.add(tables::SLL_LTYPE, 0x00f6, &NOFCS);
}

/// What follows the MAC frame in the captured bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FcsMode {
    None,
    Crc16,
    Crc32,
    /// TI CC24xx radios replace the FCS by RSSI (signed octet) and CRC-OK bit + 7-bit correlation.
    Cc24xx,
}

impl FcsMode {
    fn len(self) -> usize {
        match self {
            FcsMode::None => 0,
            FcsMode::Crc32 => 4,
            FcsMode::Crc16 | FcsMode::Cc24xx => 2,
        }
    }

    /// The mode `wpan.fcs_format` asks for on link type 195 (tshark's enum accepts its short name
    /// or its description, case-insensitively).
    fn from_pref(cx: &Cx) -> FcsMode {
        match cx
            .prefs
            .get("wpan.fcs_format")
            .map(|s| s.trim().trim_matches('"').to_ascii_lowercase())
            .as_deref()
        {
            Some("cc24xx" | "tcc24xx" | "ti cc24xx metadata") => FcsMode::Cc24xx,
            Some("crc32" | "itu-t crc-32") => FcsMode::Crc32,
            _ => FcsMode::Crc16,
        }
    }
}

/// The ITU-T CRC-16 as 802.15.4 computes it (§7.2.11): polynomial 0x1021 over bits sent LSB
/// first, i.e. the reflected form 0x8408, initial value 0, no final XOR.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= b as u16;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// The 32-bit FCS (§7.2.11, ANSI X3.66 / IEEE 802.3 CRC-32, reflected, all-ones initial value and
/// final XOR).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xffff_ffff;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// An address as the MAC header carries it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MacAddr {
    #[default]
    None,
    Short(u16),
    /// Most significant octet first (the frame carries it least significant first).
    Ext([u8; 8]),
}

/// Auxiliary security header contents (§9.4).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct AuxSec {
    pub level: u8,
    pub key_id_mode: u8,
    pub frame_counter: Option<u32>,
    pub key_index: Option<u8>,
}

impl AuxSec {
    /// MIC length of a security level: 0, 4, 8 or 16 octets.
    pub fn mic_len(&self) -> usize {
        match self.level & 3 {
            1 => 4,
            2 => 8,
            3 => 16,
            _ => 0,
        }
    }
}

/// The parsed MAC header, for the parts of the dissector that follow it.
#[derive(Clone, Debug, Default)]
pub struct MacHeader {
    pub fcf: u16,
    pub frame_type: u8,
    pub security: bool,
    pub pending: bool,
    pub ack_request: bool,
    pub pan_id_compression: bool,
    pub seqno_suppression: bool,
    pub ie_present: bool,
    pub dst_mode: u8,
    pub version: u8,
    pub src_mode: u8,
    pub seq: Option<u8>,
    pub dst_pan: Option<u16>,
    pub dst: MacAddr,
    pub src_pan: Option<u16>,
    pub src: MacAddr,
    pub aux: Option<AuxSec>,
    /// Command identifier when the frame is a command (in the header up to 2006, after the
    /// payload IEs since 2015).
    pub command: Option<u8>,
    /// A Header Termination 1 IE said payload IEs follow.
    pub payload_ie_present: bool,
}

pub const TYPE_BEACON: u8 = 0;
pub const TYPE_DATA: u8 = 1;
pub const TYPE_ACK: u8 = 2;
pub const TYPE_CMD: u8 = 3;
pub const TYPE_MULTIPURPOSE: u8 = 5;
pub const TYPE_FRAK: u8 = 6;
pub const TYPE_EXTENDED: u8 = 7;
pub const VERSION_2003: u8 = 0;
pub const VERSION_2006: u8 = 1;
pub const VERSION_2015: u8 = 2;
const MODE_SHORT: u8 = 2;
const MODE_EXT: u8 = 3;

impl MacHeader {
    /// The PAN a source address belongs to: its own, or the destination PAN when compressed.
    pub fn effective_src_pan(&self) -> u16 {
        self.src_pan.or(self.dst_pan).unwrap_or(0xffff)
    }

    fn effective_dst_pan(&self) -> u16 {
        self.dst_pan.or(self.src_pan).unwrap_or(0xffff)
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let mode = FcsMode::from_pref(cx);
    dissect_mode(tvb, cx, parent, mode)
}

fn dissect_nonask_phy(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let node = cx.add_proto(parent, &NONASK_PHY, tvb.whole());
    cx.add_le_u32(node, &NONASK_PREAMBLE, tvb, 0)?;
    cx.add_u8(node, &NONASK_SFD, tvb, 4)?;
    let phr = tvb.u8(5)?;
    let p = cx.add_uint(node, &NONASK_PHR, tvb.range(5, 1), phr as u64);
    cx.add_uint(p, &NONASK_LENGTH, tvb.range(5, 1), phr as u64);
    let len = (phr & 0x7f) as usize;
    let mac = tvb.sub_clamped(6, len);
    cx.call(&PROTOCOL, &mac, node);
    Ok(())
}

/// The MAC frame's length on the wire: the captured bytes, or more when the link layer frame was
/// cut by a snapshot length (then the FCS is reported but not captured).
fn reported_len(tvb: &Tvb, cx: &Cx) -> usize {
    let link_layer = matches!(cx.meta.link_type, 195 | 215 | 283) && tvb.source() == 0;
    if link_layer {
        (cx.meta.orig_len as usize)
            .saturating_sub(tvb.offset() as usize)
            .max(tvb.len())
    } else {
        tvb.len()
    }
}

/// Dissects a MAC frame followed by `mode`'s trailer.
pub fn dissect_mode(tvb: &Tvb, cx: &mut Cx, parent: NodeId, mode: FcsMode) -> Result<()> {
    let reported = reported_len(tvb, cx);
    let fcs_len = mode.len();
    // Which FCS we can check: (present, ok). A frame shorter than its FCS, or whose FCS was not
    // captured, is assumed good (as Wireshark does) so its payload is still dissected.
    let (mac, fcs_present, fcs_ok) = if fcs_len == 0 || reported < fcs_len {
        (*tvb, false, true)
    } else {
        let mac_len = reported - fcs_len;
        let mac = tvb.sub_clamped(0, mac_len);
        if tvb.len() >= reported {
            let ok = match mode {
                FcsMode::Crc16 => tvb.le_u16(mac_len)? == crc16(tvb.bytes(0, mac_len)?),
                FcsMode::Crc32 => tvb.le_u32(mac_len)? == crc32(tvb.bytes(0, mac_len)?),
                FcsMode::Cc24xx => tvb.u8(mac_len + 1)? & 0x80 != 0,
                FcsMode::None => true,
            };
            (mac, true, ok)
        } else {
            (mac, false, true)
        }
    };
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.add_hidden(
        node,
        &FRAME_LENGTH,
        ByteRange::default(),
        Value::UInt(if fcs_len > 0 && reported >= fcs_len {
            (reported - fcs_len) as u64
        } else {
            reported as u64
        }),
    );
    let mut summary = String::from("IEEE 802.15.4");
    let (h, mhr_len) = match dissect_header(&mac, cx, node, &mut summary) {
        Ok(Some(h)) => h,
        Ok(None) => {
            cx.set_text(node, summary);
            return Ok(());
        }
        Err(e) => {
            cx.set_text(node, summary);
            return Err(e);
        }
    };
    let r = dissect_payload(&mac, cx, node, parent, &h, mhr_len, fcs_ok);
    if fcs_len > 0 {
        let fcs = FcsInfo {
            mode,
            reported,
            present: fcs_present,
            ok: fcs_ok,
        };
        add_fcs(tvb, cx, node, &fcs, &mut summary);
    } else {
        // Wireshark adds the (hidden) flag to every frame it got this far in, FCS or not.
        cx.add_hidden(node, &FCS_OK, ByteRange::default(), Value::Bool(true));
    }
    cx.set_text(node, summary);
    r
}

/// What is known about a frame's FCS.
struct FcsInfo {
    mode: FcsMode,
    /// Length of the frame on the wire, FCS included.
    reported: usize,
    /// The FCS was captured.
    present: bool,
    ok: bool,
}

/// Adds the FCS (or CC24xx metadata) and flags a bad one.
fn add_fcs(tvb: &Tvb, cx: &mut Cx, node: NodeId, fcs: &FcsInfo, summary: &mut String) {
    let (mode, reported, present, ok) = (fcs.mode, fcs.reported, fcs.present, fcs.ok);
    let off = reported.saturating_sub(mode.len());
    if present {
        match mode {
            FcsMode::Cc24xx => {
                let (Ok(rssi), Ok(b)) = (tvb.u8(off), tvb.u8(off + 1)) else {
                    return;
                };
                let t = cx.add_text(
                    node,
                    tvb.range(off, 2),
                    format!(
                        "TI CC24xx-format metadata: FCS {}",
                        if ok { "OK" } else { "Bad" }
                    ),
                );
                cx.add(t, &FCS_OK, tvb.range(off + 1, 1), Value::Bool(ok));
                cx.add(t, &RSSI, tvb.range(off, 1), Value::Int(rssi as i8 as i64));
                cx.add(
                    t,
                    &CORRELATION,
                    tvb.range(off + 1, 1),
                    Value::UInt((b & 0x7f) as u64),
                );
            }
            FcsMode::Crc32 => {
                let Ok(fcs) = tvb.le_u32(off) else { return };
                let n = cx.add(node, &FCS32, tvb.range(off, 4), Value::UInt(fcs as u64));
                let label = if ok {
                    format!("FCS: 0x{fcs:08x} (Correct)")
                } else {
                    let want = tvb.bytes(0, off).map(crc32).unwrap_or(0);
                    format!("FCS: 0x{fcs:08x} (Incorrect, expected FCS=0x{want:08x})")
                };
                cx.set_text(n, label);
                cx.add_hidden(node, &FCS_OK, tvb.range(off, 4), Value::Bool(ok));
            }
            _ => {
                let Ok(fcs) = tvb.le_u16(off) else { return };
                let n = cx.add(node, &FCS, tvb.range(off, 2), Value::UInt(fcs as u64));
                let label = if ok {
                    format!("FCS: 0x{fcs:04x} (Correct)")
                } else {
                    let want = tvb.bytes(0, off).map(crc16).unwrap_or(0);
                    format!("FCS: 0x{fcs:04x} (Incorrect, expected FCS=0x{want:04x})")
                };
                cx.set_text(n, label);
                cx.add_hidden(node, &FCS_OK, tvb.range(off, 2), Value::Bool(ok));
            }
        }
    } else {
        // The FCS was not captured: still say "valid" (unknown) so filters on it work.
        cx.add_hidden(node, &FCS_OK, ByteRange::default(), Value::Bool(ok));
    }
    if !ok {
        info_push(cx, ", Bad FCS");
        summary.push_str(", Bad FCS");
        cx.expert(node, &FCS_BAD, None);
    }
}

/// Appends to the Info column without a separator (", Dst: …").
fn info_push(cx: &mut Cx, s: &str) {
    cx.columns.info.push_str(s);
}

/// Adds a Wireshark-style "this is malformed" mark inside the layer (expert items of the
/// Malformed group make the packet match `_ws.malformed`), and says why.
fn invalid(cx: &mut Cx, node: NodeId, def: &'static ExpertDef) {
    cx.expert(node, def, None);
    let r = cx.tree.node(node).range;
    cx.add_hidden(node, &ws::MALFORMED, r, Value::None);
}

/// Parses and shows the MAC header up to the payload (Wireshark's `ieee802154_dissect_header`).
/// Ok(None) when the frame cannot be dissected further (invalid modes or version).
fn dissect_header(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    summary: &mut String,
) -> Result<Option<(MacHeader, usize)>> {
    let fcf = tvb.le_u16(0)?;
    let mut h = MacHeader {
        fcf,
        frame_type: (fcf & 7) as u8,
        ..Default::default()
    };
    let mut off;
    if h.frame_type == TYPE_MULTIPURPOSE {
        off = dissect_mpf_fcf(tvb, cx, node, &mut h)?;
    } else {
        h.security = fcf & 0x8 != 0;
        h.pending = fcf & 0x10 != 0;
        h.ack_request = fcf & 0x20 != 0;
        h.pan_id_compression = fcf & 0x40 != 0;
        h.seqno_suppression = fcf & 0x100 != 0;
        h.ie_present = fcf & 0x200 != 0;
        h.dst_mode = ((fcf >> 10) & 3) as u8;
        h.version = ((fcf >> 12) & 3) as u8;
        h.src_mode = ((fcf >> 14) & 3) as u8;
        let f = cx.add(node, &FCF, tvb.range(0, 2), Value::UInt(fcf as u64));
        cx.add_bits(
            f,
            &[
                &FRAME_TYPE,
                &SECURITY,
                &PENDING,
                &ACK_REQUEST,
                &PAN_ID_COMPRESSION,
                &FCF_RESERVED,
                &SEQNO_SUPPRESSION,
                &IE_PRESENT,
                &DST_ADDR_MODE,
                &VERSION,
                &SRC_ADDR_MODE,
            ],
            tvb.range(0, 2),
            fcf as u64,
        );
        off = 2;
    }
    let type_name = if h.version == VERSION_2015 && h.frame_type == TYPE_BEACON {
        "Enhanced Beacon"
    } else {
        FRAME_TYPES
            .iter()
            .find(|(k, _)| *k == h.frame_type as u64)
            .map(|(_, n)| *n)
            .unwrap_or("Reserved")
    };
    summary.push(' ');
    summary.push_str(type_name);
    cx.set_info(type_name);

    if h.seqno_suppression {
        if h.version != VERSION_2015 && h.frame_type != TYPE_MULTIPURPOSE {
            invalid(cx, node, &SEQNO_SUPPRESSION_INVALID);
        }
    } else {
        let seq = cx.add_u8(node, &SEQ_NO, tvb, off)?;
        h.seq = Some(seq);
        if h.frame_type == TYPE_ACK {
            summary.push_str(&format!(", Sequence Number: {seq}"));
        }
        off += 1;
    }

    if h.dst_mode == 1 {
        invalid(cx, node, &DST_INVALID);
        return Ok(None);
    }
    if h.src_mode == 1 {
        invalid(cx, node, &SRC_INVALID);
        return Ok(None);
    }
    let Some((dst_pan_present, src_pan_present)) = pan_id_presence(cx, node, &h) else {
        return Ok(None);
    };

    if dst_pan_present {
        h.dst_pan = Some(cx.add_le_u16(node, &DST_PAN, tvb, off)?);
        off += 2;
    }
    match h.dst_mode {
        MODE_SHORT => {
            let a = tvb.le_u16(off)?;
            let r = tvb.range(off, 2);
            cx.add(node, &DST16, r, Value::UInt(a as u64));
            cx.add_hidden(node, &ADDR16, r, Value::UInt(a as u64));
            h.dst = MacAddr::Short(a);
            off += 2;
        }
        MODE_EXT => {
            let a = ext_addr(tvb, off)?;
            let r = tvb.range(off, 8);
            cx.add(node, &DST64, r, Value::Eui64(a));
            cx.add_hidden(node, &ADDR64, r, Value::Eui64(a));
            h.dst = MacAddr::Ext(a);
            off += 8;
        }
        _ => {}
    }
    if h.dst != MacAddr::None {
        let s = format!(", Dst: {}", addr_text(&h.dst));
        summary.push_str(&s);
        info_push(cx, &s);
    }
    if src_pan_present {
        h.src_pan = Some(cx.add_le_u16(node, &SRC_PAN, tvb, off)?);
        off += 2;
    }
    match h.src_mode {
        MODE_SHORT => {
            let a = tvb.le_u16(off)?;
            let r = tvb.range(off, 2);
            cx.add(node, &SRC16, r, Value::UInt(a as u64));
            cx.add_hidden(node, &ADDR16, r, Value::UInt(a as u64));
            h.src = MacAddr::Short(a);
            // The extended address this short address was given (association response or
            // coordinator realignment seen earlier in the capture).
            let pan = h.src_pan.or(h.dst_pan).unwrap_or(0xffff);
            if let Some((ext, origin)) = cx.session.get::<WpanState>().lookup(pan, a) {
                let n = cx.add(node, &SRC64, r, Value::Eui64(ext));
                cx.tree.node_mut(n).flags.generated = true;
                cx.add_hidden(node, &ADDR64, r, Value::Eui64(ext));
                cx.add_generated(node, &SRC64_ORIGIN, Value::UInt(origin));
            }
            off += 2;
        }
        MODE_EXT => {
            let a = ext_addr(tvb, off)?;
            let r = tvb.range(off, 8);
            cx.add(node, &SRC64, r, Value::Eui64(a));
            cx.add_hidden(node, &ADDR64, r, Value::Eui64(a));
            h.src = MacAddr::Ext(a);
            off += 8;
        }
        _ => {}
    }
    if h.src != MacAddr::None {
        let s = format!(", Src: {}", addr_text(&h.src));
        summary.push_str(&s);
        info_push(cx, &s);
    }
    set_packet_addresses(cx, &h);

    // The auxiliary security header exists from 2006 on; 2003 frames carry their counters just
    // before the payload (below).
    if h.security && h.version != VERSION_2003 {
        off = dissect_aux_sec(tvb, cx, node, &mut h, off)?;
    }

    if h.version == VERSION_2003 || h.version == VERSION_2006 {
        if h.frame_type == TYPE_BEACON {
            off = wpan_cmd::dissect_beacon_header(tvb, cx, node, off)?;
        }
        if h.frame_type == TYPE_CMD {
            // Up to 2006 the command identifier belongs to the (unencrypted) header.
            let id = cx.add_u8(node, &CMD, tvb, off)?;
            h.command = Some(id);
            off += 1;
            cx.set_info(wpan_cmd::cmd_name(id));
        }
    } else if h.ie_present {
        off = wpan_ie::dissect_header_ies(tvb, cx, node, &mut h, off)?;
    }

    if h.security && h.version == VERSION_2003 {
        // 802.15.4-2003 (§7.6.1): frame counter and key sequence counter precede the ciphertext
        // under the default AES-CCM-64 suite.
        cx.add_le_u32(node, &SEC_FRAME_COUNTER, tvb, off)?;
        cx.add_u8(node, &SEC_KEY_SEQUENCE_COUNTER, tvb, off + 4)?;
        off += 5;
        h.aux = Some(AuxSec {
            level: 6,
            ..Default::default()
        });
    }
    Ok(Some((h, off)))
}

/// Multipurpose frame control (§7.3.5): one octet, or two when Long Frame Control is set.
fn dissect_mpf_fcf(tvb: &Tvb, cx: &mut Cx, node: NodeId, h: &mut MacHeader) -> Result<usize> {
    let first = tvb.u8(0)? as u16;
    let long = first & 0x8 != 0;
    let (fcf, len) = if long {
        (tvb.le_u16(0)?, 2)
    } else {
        (first, 1)
    };
    h.fcf = fcf;
    h.dst_mode = ((fcf >> 4) & 3) as u8;
    h.src_mode = ((fcf >> 6) & 3) as u8;
    // Wireshark reports multipurpose frames as the 2015 version they belong to.
    h.version = VERSION_2015;
    let r = tvb.range(0, len);
    let f = cx.add(node, &FCF, r, Value::UInt(fcf as u64));
    cx.add_bits(
        f,
        &[
            &FRAME_TYPE,
            &LONG_FRAME_CONTROL,
            &MPF_DST_ADDR_MODE,
            &MPF_SRC_ADDR_MODE,
        ],
        r,
        fcf as u64,
    );
    if long {
        h.pan_id_compression = fcf & 0x100 != 0; // "PAN ID Present"
        h.security = fcf & 0x200 != 0;
        h.seqno_suppression = fcf & 0x400 != 0;
        h.pending = fcf & 0x800 != 0;
        h.ack_request = fcf & 0x4000 != 0;
        h.ie_present = fcf & 0x8000 != 0;
        cx.add_bits(
            f,
            &[
                &PAN_ID_PRESENT,
                &MPF_SECURITY,
                &MPF_SEQNO_SUPPRESSION,
                &MPF_PENDING,
                &MPF_VERSION,
                &MPF_ACK_REQUEST,
                &MPF_IE_PRESENT,
            ],
            r,
            fcf as u64,
        );
    }
    Ok(len)
}

/// Which PAN IDs the frame carries (§7.2.2.6 for 2003/2006, Table 7-2 of 802.15.4-2015); None,
/// with an expert item, for combinations the standard does not allow.
fn pan_id_presence(cx: &mut Cx, node: NodeId, h: &MacHeader) -> Option<(bool, bool)> {
    let (d, s, c) = (h.dst_mode, h.src_mode, h.pan_id_compression);
    if h.frame_type == TYPE_MULTIPURPOSE {
        // The "PAN ID Present" bit governs the destination PAN alone.
        return Some((c && d != 0, false));
    }
    match h.version {
        VERSION_2003 | VERSION_2006 => {
            if d != 0 && s != 0 {
                Some((true, !c))
            } else if c {
                invalid(cx, node, &INVALID_PANID_COMPRESSION);
                None
            } else {
                Some((d != 0, s != 0))
            }
        }
        VERSION_2015 => {
            if !matches!(h.frame_type, TYPE_BEACON | TYPE_DATA | TYPE_ACK | TYPE_CMD) {
                return Some((false, false));
            }
            Some(match (d, s, c) {
                (0, 0, false) => (false, false),
                (0, 0, true) => (true, false),
                (_, 0, false) => (true, false),
                (_, 0, true) => (false, false),
                (0, _, false) => (false, true),
                (0, _, true) => (false, false),
                (MODE_EXT, MODE_EXT, false) => (true, false),
                (MODE_EXT, MODE_EXT, true) => (false, false),
                (_, _, false) => (true, true),
                (_, _, true) => (true, false),
            })
        }
        _ => {
            invalid(cx, node, &FRAME_VERSION_UNKNOWN);
            None
        }
    }
}

/// Short-to-extended address mappings learnt from association responses and coordinator
/// realignments (Wireshark's `ieee802154_map`), so frames from a short address can show the
/// device's EUI-64. Keyed by (PAN, short address); bounded.
#[derive(Default)]
pub struct WpanState {
    map: std::collections::HashMap<(u16, u16), ([u8; 8], u64)>,
}

/// At most this many mappings are kept; the oldest goes first.
pub const ADDR_MAP_MAX: usize = 4096;

impl WpanState {
    pub fn lookup(&self, pan: u16, short: u16) -> Option<([u8; 8], u64)> {
        self.map.get(&(pan, short)).copied()
    }

    /// Records that `short` on `pan` is `ext` since frame `frame`; true when an older mapping
    /// had to be dropped to stay within [`ADDR_MAP_MAX`].
    pub fn update(&mut self, pan: u16, short: u16, ext: [u8; 8], frame: u64) -> bool {
        let mut evicted = false;
        if self.map.len() >= ADDR_MAP_MAX && !self.map.contains_key(&(pan, short)) {
            if let Some(oldest) = self.map.iter().min_by_key(|(_, v)| v.1).map(|(k, _)| *k) {
                self.map.remove(&oldest);
                evicted = true;
            }
        }
        self.map.insert((pan, short), (ext, frame));
        evicted
    }

    /// Forgets a device that left the PAN (disassociation).
    pub fn invalidate(&mut self, addr: &MacAddr, pan: u16) {
        match addr {
            MacAddr::Short(s) => {
                self.map.remove(&(pan, *s));
            }
            MacAddr::Ext(e) => self.map.retain(|_, v| v.0 != *e),
            MacAddr::None => {}
        }
    }
}

/// Records a short address assignment, noting an eviction on `node`.
pub fn learn_address(cx: &mut Cx, node: NodeId, pan: u16, short: u16, ext: [u8; 8]) {
    let frame = cx.meta.number;
    if cx.session.get::<WpanState>().update(pan, short, ext, frame) {
        cx.expert(
            node,
            &ws::UNREASSEMBLED,
            Some(
                "802.15.4 address table full: the oldest short-to-extended mapping was dropped"
                    .into(),
            ),
        );
    }
}

/// An extended address, turned from the frame's little-endian order into EUI-64 order.
fn ext_addr(tvb: &Tvb, off: usize) -> Result<[u8; 8]> {
    let mut a: [u8; 8] = tvb.array(off)?;
    a.reverse();
    Ok(a)
}

/// How the Info column writes an address: short ones as 0x1234 (0xffff as "Broadcast"), long
/// ones as colon hex.
pub fn addr_text(a: &MacAddr) -> String {
    match a {
        MacAddr::None => String::new(),
        MacAddr::Short(0xffff) => "Broadcast".into(),
        MacAddr::Short(s) => format!("0x{s:04x}"),
        MacAddr::Ext(e) => Address::Eui64(*e).to_string(),
    }
}

fn set_packet_addresses(cx: &mut Cx, h: &MacHeader) {
    let conv = |a: &MacAddr, pan: u16| match a {
        MacAddr::None => Address::None,
        MacAddr::Short(s) => Address::Wpan16 { pan, addr: *s },
        MacAddr::Ext(e) => Address::Eui64(*e),
    };
    let src = conv(&h.src, h.effective_src_pan());
    let dst = conv(&h.dst, h.effective_dst_pan());
    cx.info.dl_src = src;
    cx.info.dl_dst = dst;
    cx.set_addresses(src, dst);
}

/// Auxiliary security header (§9.4): security control, frame counter, key identifier.
fn dissect_aux_sec(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    h: &mut MacHeader,
    off: usize,
) -> Result<usize> {
    let sc = tvb.u8(off)?;
    let level = sc & 7;
    let key_id_mode = (sc >> 3) & 3;
    // Frame counter suppression exists from 2015 on (TSCH uses the ASN instead).
    let fc_suppressed = h.version == VERSION_2015 && sc & 0x20 != 0;
    let mut len = 1;
    if !fc_suppressed {
        len += 4;
    }
    len += match key_id_mode {
        0 => 0,
        1 => 1,
        2 => 5,
        _ => 9,
    };
    let hdr = cx.add(node, &AUX_SEC_HDR, tvb.range(off, len), Value::None);
    let c = cx.add(
        hdr,
        &AUX_SEC_CONTROL,
        tvb.range(off, 1),
        Value::UInt(sc as u64),
    );
    cx.add_bits(
        c,
        &[
            &AUX_SEC_LEVEL,
            &AUX_SEC_KEY_ID_MODE,
            &AUX_SEC_FC_SUPPRESSION,
            &AUX_SEC_ASN_IN_NONCE,
            &AUX_SEC_RESERVED,
        ],
        tvb.range(off, 1),
        sc as u64,
    );
    let mut o = off + 1;
    let mut aux = AuxSec {
        level,
        key_id_mode,
        ..Default::default()
    };
    if !fc_suppressed {
        aux.frame_counter = Some(cx.add_le_u32(hdr, &AUX_SEC_FRAME_COUNTER, tvb, o)?);
        o += 4;
    }
    if key_id_mode != 0 {
        let src_len = match key_id_mode {
            2 => 4,
            3 => 8,
            _ => 0,
        };
        let k = cx.add_text(hdr, tvb.range(o, 1 + src_len), "Key Identifier Field");
        if src_len > 0 {
            // Wireshark reads the key source in network order.
            let v = match src_len {
                4 => tvb.be_u32(o)? as u64,
                _ => tvb.be_u64(o)?,
            };
            cx.add(
                k,
                &AUX_SEC_KEY_SOURCE,
                tvb.range(o, src_len),
                Value::UInt(v),
            );
            let b = tvb.bytes(o, src_len)?;
            cx.add_hidden(
                k,
                &AUX_SEC_KEY_SOURCE_BYTES,
                tvb.range(o, src_len),
                Value::bytes(b),
            );
            o += src_len;
        }
        aux.key_index = Some(cx.add_u8(k, &AUX_SEC_KEY_INDEX, tvb, o)?);
        o += 1;
    }
    h.aux = Some(aux);
    Ok(o)
}

/// Everything after the MAC header: MIC and ciphertext of secured frames, payload IEs, command
/// bodies, beacon payloads, and the hand-off of data payloads.
fn dissect_payload(
    mac: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    parent: NodeId,
    h: &MacHeader,
    mhr_len: usize,
    fcs_ok: bool,
) -> Result<()> {
    if mhr_len > mac.len() {
        return Err(Error::Short);
    }
    let mut payload = mac.sub_from(mhr_len)?;
    if h.security {
        // No keys: show the MIC and hand the ciphertext on as data (it cannot be parsed).
        let mic_len = h.aux.map(|a| a.mic_len()).unwrap_or(0);
        let end = mac.len().saturating_sub(mic_len).max(mhr_len);
        let cipher = mac.sub_clamped(mhr_len, end - mhr_len);
        if mic_len > 0 && mac.len() >= mhr_len + mic_len {
            cx.add_bytes(node, &MIC, mac, mac.len() - mic_len, mic_len)?;
        }
        cx.expert(
            node,
            &DECRYPT_ERROR,
            Some("No encryption key set - can't decrypt".into()),
        );
        cx.call_data(&cipher, parent);
        return Ok(());
    }
    if h.payload_ie_present {
        if payload.len() > 2 {
            let used = wpan_ie::dissect_payload_ies(&payload, cx, node, h)?;
            payload = payload.sub_from(used.min(payload.len()))?;
        } else {
            cx.expert(node, &PAYLOAD_IE_MISSING, None);
        }
    }
    match h.frame_type {
        TYPE_BEACON => {
            if payload.is_empty() {
                return Ok(());
            }
            if cx.call_table(tables::WPAN_PAYLOAD, 0, &payload, parent)
                || cx.call_heuristics(tables::WPAN_BEACON_HEUR, &payload, parent)
            {
                return Ok(());
            }
            cx.call_data(&payload, parent);
        }
        TYPE_CMD => wpan_cmd::dissect_command(&payload, cx, node, parent, h)?,
        TYPE_DATA => dispatch_data(cx, &payload, parent, fcs_ok),
        _ => cx.call_data(&payload, parent),
    }
    Ok(())
}

/// Hands a data frame's payload on: a `-d wpan.payload==0,PROTO` rule first, then the heuristics
/// (6LoWPAN, ZigBee…), then raw data. A frame with a bad FCS is not trusted with more than data
/// unless `wpan.802154_fcs_ok` is off.
pub fn dispatch_data(cx: &mut Cx, payload: &Tvb, parent: NodeId, fcs_ok: bool) {
    if payload.is_empty() {
        return;
    }
    if !fcs_ok && cx.prefs.bool("wpan.802154_fcs_ok", true) {
        cx.call_data(payload, parent);
        return;
    }
    if cx.call_table(tables::WPAN_PAYLOAD, 0, payload, parent) {
        return;
    }
    if cx.call_heuristics(tables::WPAN_HEUR, payload, parent) {
        return;
    }
    cx.call_data(payload, parent);
}

#[cfg(test)]
#[path = "wpan_tests.rs"]
mod tests;
