//! The fields, value names and expert items of the `wpan` protocol (IEEE 802.15.4 MAC), declared
//! once for [`crate::proto::ieee802154`] and its helpers [`crate::proto::ieee802154::ie`] and [`crate::proto::ieee802154::command`], which
//! all build the one `wpan` layer. Abbreviations, types and bases as `tshark -G fields` lists
//! them (Wireshark 4.0).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::proto::ieee802154::{command as wpan_cmd, ie as wpan_ie};

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
    SECURITY = FieldDef::flag("wpan.security", "Security Enabled", 16, 0x8).true_false();
    PENDING = FieldDef::flag("wpan.pending", "Frame Pending", 16, 0x10).true_false();
    ACK_REQUEST = FieldDef::flag("wpan.ack_request", "Acknowledge Request", 16, 0x20).true_false();
    PAN_ID_COMPRESSION = FieldDef::flag("wpan.pan_id_compression", "PAN ID Compression", 16, 0x40).true_false();
    FCF_RESERVED = FieldDef::flag("wpan.fcf.reserved", "Reserved", 16, 0x80).true_false();
    SEQNO_SUPPRESSION = FieldDef::flag("wpan.seqno_suppression", "Sequence Number Suppression", 16, 0x100).true_false();
    IE_PRESENT = FieldDef::flag("wpan.ie_present", "Information Elements Present", 16, 0x200).true_false();
    DST_ADDR_MODE = FieldDef::new("wpan.dst_addr_mode", "Destination Addressing Mode", T::U16).hex().mask(0xc00).vals(ADDR_MODES);
    VERSION = FieldDef::new("wpan.version", "Frame Version", T::U16).mask(0x3000).vals(VERSIONS);
    SRC_ADDR_MODE = FieldDef::new("wpan.src_addr_mode", "Source Addressing Mode", T::U16).hex().mask(0xc000).vals(ADDR_MODES);
    LONG_FRAME_CONTROL = FieldDef::flag("wpan.long_frame_control", "Long Frame Control", 16, 0x8).true_false();
    PAN_ID_PRESENT = FieldDef::flag("wpan.pan_id_present", "PAN ID Present", 16, 0x100).true_false();
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
    ACK_TO = FieldDef::new("wpan.ack_to", "Ack To", T::FrameNum);
    TSCH_FRAME_START_OFFSET = FieldDef::new("wpan.tsch.frame_start_offset", "Frame start offset", T::Double).unit("µs");
    TSCH_FRAME_DURATION = FieldDef::new("wpan.tsch.frame_duration", "Frame duration", T::Double).unit("µs");
    TSCH_FRAME_END_OFFSET = FieldDef::new("wpan.tsch.frame_end_offset", "Frame end offset", T::Double).unit("µs");
    ACK_TIME = FieldDef::new("wpan.ack_time", "Ack Time", T::RelTime);
    CORRELATION = FieldDef::new("wpan.correlation", "LQI Correlation Value", T::U8);

    // Auxiliary security header (§9.4).
    AUX_SEC_HDR = FieldDef::new("wpan.aux_sec.hdr", "Auxiliary Security Header", T::None);
    AUX_SEC_CONTROL = FieldDef::new("wpan.aux_sec.security_control_field", "Security Control Field", T::U8).hex();
    AUX_SEC_LEVEL = FieldDef::new("wpan.aux_sec.sec_level", "Security Level", T::U8).hex().mask(0x07).vals(SEC_LEVELS);
    AUX_SEC_KEY_ID_MODE = FieldDef::new("wpan.aux_sec.key_id_mode", "Key Identifier Mode", T::U8).hex().mask(0x18).vals(KEY_ID_MODES);
    AUX_SEC_FC_SUPPRESSION = FieldDef::flag("wpan.aux_sec.frame_counter_suppression", "Frame Counter Suppression", 8, 0x20).true_false();
    AUX_SEC_ASN_IN_NONCE = FieldDef::flag("wpan.aux_sec.asn_in_nonce", "ASN in Nonce", 8, 0x40).true_false();
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
    CMD_VENDOR_OUI = FieldDef::new("wpan.cmd.vendor_oui", "Vendor OUI", T::U24);
    CINFO_ALT_COORD = FieldDef::flag("wpan.cinfo.alt_coord", "Alternate PAN Coordinator", 8, 0x01).true_false();
    CINFO_DEVICE_TYPE = FieldDef::flag("wpan.cinfo.device_type", "Device Type", 8, 0x02).tfs("FFD", "RFD");
    CINFO_POWER_SRC = FieldDef::flag("wpan.cinfo.power_src", "Power Source", 8, 0x04).tfs("AC/Mains Power", "Battery");
    CINFO_IDLE_RX = FieldDef::flag("wpan.cinfo.idle_rx", "Receive On When Idle", 8, 0x08).true_false();
    CINFO_SEC_CAPABLE = FieldDef::flag("wpan.cinfo.sec_capable", "Security Capability", 8, 0x40).true_false();
    CINFO_ALLOC_ADDR = FieldDef::flag("wpan.cinfo.alloc_addr", "Allocate Address", 8, 0x80).true_false();
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
    BATTERY_EXT = FieldDef::flag("wpan.battery_ext", "Battery Extension", 16, 0x1000).true_false();
    BCN_COORD = FieldDef::flag("wpan.bcn_coord", "PAN Coordinator", 16, 0x4000).true_false();
    ASSOC_PERMIT = FieldDef::flag("wpan.assoc_permit", "Association Permit", 16, 0x8000).true_false();
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
    HIE_VENDOR_OUI = FieldDef::new("wpan.header_ie.vendor_specific.vendor_oui", "Vendor OUI", T::U24);
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
    PIE_VENDOR_OUI = FieldDef::new("wpan.payload_ie.vendor.oui", "Vendor OUI", T::U24);
    PIE_IETF = FieldDef::new("wpan.payload_ie.ietf", "IETF Payload IE", T::None);
    IETF_SUB_ID = FieldDef::new("wpan.ietf_ie.sub_id", "Sub-ID", T::U8);
    MLME = FieldDef::new("wpan.mlme", "MLME IE", T::None);
    MLME_IE = FieldDef::new("wpan.mlme.ie", "MLME Sub IE", T::U16).hex();
    MLME_IE_TYPE = FieldDef::new("wpan.mlme.ie.type", "Type", T::U16).mask(0x8000).vals(&[(0, "Short"), (1, "Long")]);
    MLME_IE_ID = FieldDef::new("wpan.mlme.ie.id", "Sub ID", T::U16).hex().mask(0x7f00).vals(wpan_ie::MLME_SUBIE_NAMES);
    MLME_IE_LENGTH = FieldDef::new("wpan.mlme.ie.length", "Length", T::U16).mask(0x00ff);
    MLME_UNSUPPORTED = FieldDef::new("wpan.mlme.unsupported", "Unsupported Sub IE", T::None);
    MLME_DATA = FieldDef::new("wpan.mlme.data", "Data", T::Bytes);
    EB_FILTER = FieldDef::new("wpan.eb_filter", "Enhanced Beacon Filter", T::U8).hex();
    EB_FILTER_PJOIN = FieldDef::flag("wpan.eb_filter.pjoin", "Permit Join Filter", 8, 0x01).tfs("On", "Off");
    EB_FILTER_LQI = FieldDef::flag("wpan.eb_filter.lqi", "LQI Filter", 8, 0x02).tfs("On", "Off");
    EB_FILTER_CONTAINS_PROB = FieldDef::flag("wpan.eb_filter.contains_prob", "Probability to Respond", 8, 0x04).tfs("On", "Off");
    EB_FILTER_ATTR_ID = FieldDef::new("wpan.eb_filter.attr_id", "Requested Attribute Length", T::U8).mask(0x18);
    EB_FILTER_LQI_MIN = FieldDef::new("wpan.eb_filter.lqi_minimum", "Minimum LQI", T::U8);
    EB_FILTER_PROB = FieldDef::new("wpan.eb_filter.prob", "Response Probability Percentage", T::U8);
    EB_FILTER_ATTR_ID_BITS = FieldDef::new("wpan.eb_filter.attr_id_bits", "Attribute ID Bitmap", T::U24).hex();
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
pub static NONASK_FIELDS: &[&FieldDef] =
    &[&NONASK_PREAMBLE, &NONASK_SFD, &NONASK_PHR, &NONASK_LENGTH];

// Multipurpose frames (§7.3.5) place the addressing modes elsewhere in the frame control; these
// share the abbreviations of the ordinary fields (as in Wireshark) and are not listed separately.
pub static MPF_DST_ADDR_MODE: FieldDef =
    FieldDef::new("wpan.dst_addr_mode", "Destination Addressing Mode", T::U16)
        .hex()
        .mask(0x0030)
        .vals(ADDR_MODES);
pub static MPF_SRC_ADDR_MODE: FieldDef =
    FieldDef::new("wpan.src_addr_mode", "Source Addressing Mode", T::U16)
        .hex()
        .mask(0x00c0)
        .vals(ADDR_MODES);
pub static MPF_SECURITY: FieldDef = FieldDef::flag("wpan.security", "Security Enabled", 16, 0x0200);
pub static MPF_SEQNO_SUPPRESSION: FieldDef = FieldDef::flag(
    "wpan.seqno_suppression",
    "Sequence Number Suppression",
    16,
    0x0400,
);
pub static MPF_PENDING: FieldDef = FieldDef::flag("wpan.pending", "Frame Pending", 16, 0x0800);
/// Coordinator realignment's device short address: Wireshark gives it the same abbreviation as
/// the coordinator's.
pub static REALIGN_ADDR: FieldDef =
    FieldDef::new("wpan.realign.addr", "Short Address", T::U16).hex();
pub static MPF_ACK_REQUEST: FieldDef =
    FieldDef::flag("wpan.ack_request", "Acknowledge Request", 16, 0x4000);
pub static MPF_IE_PRESENT: FieldDef = FieldDef::flag(
    "wpan.ie_present",
    "Information Elements Present",
    16,
    0x8000,
);
