//! Neighbor Discovery (RFC 4861 §4) and its 6LoWPAN extensions (RFC 6775, RFC 8505), MLD
//! (RFC 2710, RFC 3810) and Router Renumbering (RFC 2894): the bodies of ICMPv6 types
//! 130–138, 143, 157 and 158, dissected into the ICMPv6 layer as tshark does.
//!
//! ```text
//! Neighbor Solicitation (RFC 4861 §4.3)        ND option (§4.6)
//! +--------+--------+-----------------+         +--------+--------+----------------+
//! |  135   |  Code  |    Checksum     |         |  Type  | Length |  data …        |
//! +--------+--------+-----------------+         +--------+--------+----------------+
//! |             Reserved              |         Length counts 8-octet units, the type and
//! |     Target Address (128 bits)     |         length included.
//! |   Options …
//!
//! ARO / EARO (RFC 6775 §4.1, RFC 8505 §4.1)   6LoWPAN Context Option (RFC 6775 §4.2)
//! | 33 | Len | Status | Opaque | Flags | TID |   | 34 | Len | CtxLen |Res|C|CID| Reserved |
//! |  Registration Lifetime | EUI-64 / ROVR …     | Valid Lifetime | Context Prefix (8/16) |
//! ```
//! Link-layer address options carry an Ethernet MAC (length 1), an 802.15.4 short address
//! padded to 6 bytes (length 1) or an EUI-64 padded to 14 bytes (length 2, RFC 4944 §8).
//! A 6CO also feeds the 6LoWPAN context table ([`on_6co`]).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tlv::{TlvFormat, TlvKind};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

use crate::proto::ipv6::icmpv6::{DATA, RESERVED, TYPE_TABLE};

pub static OPTION_TYPES: &[(u64, &str)] = &[
    (1, "Source link-layer address"),
    (2, "Target link-layer address"),
    (3, "Prefix information"),
    (4, "Redirected header"),
    (5, "MTU"),
    (6, "NBMA Shortcut Limit Option"),
    (7, "Advertisement Interval"),
    (8, "Home Agent Information"),
    (14, "Nonce"),
    (24, "Route Information"),
    (25, "Recursive DNS Server"),
    (31, "DNS Search List Option"),
    (33, "Address Registration Option"),
    (34, "6LoWPAN Context Option"),
    (35, "Authoritative Border Router"),
    (38, "PREF64 Option"),
];

pub static ROUTE_PREFERENCES: &[(u64, &str)] =
    &[(0, "Medium"), (1, "High"), (2, "Reserved"), (3, "Low")];

pub static ARO_STATUS: &[(u64, &str)] = &[
    (0, "Success"),
    (1, "Duplicate Exists"),
    (2, "Neighbor Cache Full"),
    (3, "Moved"),
    (4, "Removed"),
    (5, "Validation Requested"),
    (6, "Duplicate Source Address"),
    (7, "Invalid Source Address"),
    (8, "Registered Address Topologically Incorrect"),
    (9, "6LBR Registry Saturated"),
    (10, "Validation Failed"),
];

static MLDR_RECORD_TYPES: &[(u64, &str)] = &[
    (1, "Include"),
    (2, "Exclude"),
    (3, "Changed to include"),
    (4, "Changed to exclude"),
    (5, "Allow new sources"),
    (6, "Block old sources"),
];

crate::fields! {
    /// The table entries' own field; ND adds its fields to the ICMPv6 layer.
    PROTO = FieldDef::protocol("icmpv6.nd", "ICMPv6 Neighbor Discovery");
    RA_CUR_HOP_LIMIT = FieldDef::new("icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", T::U8);
    RA_FLAG = FieldDef::new("icmpv6.nd.ra.flag", "Flags", T::U8).hex();
    RA_FLAG_M = FieldDef::flag("icmpv6.nd.ra.flag.m", "Managed address configuration", 8, 0x80);
    RA_FLAG_O = FieldDef::flag("icmpv6.nd.ra.flag.o", "Other configuration", 8, 0x40);
    RA_FLAG_H = FieldDef::flag("icmpv6.nd.ra.flag.h", "Home Agent", 8, 0x20);
    RA_FLAG_PRF = FieldDef::new("icmpv6.nd.ra.flag.prf", "Prf (Default Router Preference)", T::U8).mask(0x18).vals(ROUTE_PREFERENCES);
    RA_FLAG_P = FieldDef::flag("icmpv6.nd.ra.flag.p", "Proxy", 8, 0x04);
    RA_FLAG_RSV = FieldDef::new("icmpv6.nd.ra.flag.rsv", "Reserved", T::U8).mask(0x03);
    RA_ROUTER_LIFETIME = FieldDef::new("icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", T::U16);
    RA_REACHABLE_TIME = FieldDef::new("icmpv6.nd.ra.reachable_time", "Reachable time (ms)", T::U32);
    RA_RETRANS_TIMER = FieldDef::new("icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", T::U32);
    NS_TARGET = FieldDef::new("icmpv6.nd.ns.target_address", "Target Address", T::Ipv6);
    NA_FLAG = FieldDef::new("icmpv6.nd.na.flag", "Flags", T::U32).hex();
    NA_FLAG_R = FieldDef::flag("icmpv6.nd.na.flag.r", "Router", 32, 0x8000_0000);
    NA_FLAG_S = FieldDef::flag("icmpv6.nd.na.flag.s", "Solicited", 32, 0x4000_0000);
    NA_FLAG_O = FieldDef::flag("icmpv6.nd.na.flag.o", "Override", 32, 0x2000_0000);
    NA_FLAG_RSV = FieldDef::new("icmpv6.nd.na.flag.rsv", "Reserved", T::U32).mask(0x1fff_ffff);
    NA_TARGET = FieldDef::new("icmpv6.nd.na.target_address", "Target Address", T::Ipv6);
    RD_TARGET = FieldDef::new("icmpv6.nd.rd.target_address", "Target Address", T::Ipv6);
    RD_DESTINATION = FieldDef::new("icmpv6.rd.na.destination_address", "Destination Address", T::Ipv6);

    OPT = FieldDef::new("icmpv6.opt", "ICMPv6 Option", T::None);
    OPT_TYPE = FieldDef::new("icmpv6.opt.type", "Type", T::U8).vals(OPTION_TYPES);
    OPT_LENGTH = FieldDef::new("icmpv6.opt.length", "Length", T::U8);
    OPT_RESERVED = FieldDef::new("icmpv6.opt.reserved", "Reserved", T::None);
    OPT_PADDING = FieldDef::new("icmpv6.opt.padding", "Padding", T::None);
    OPT_LINKADDR = FieldDef::new("icmpv6.opt.linkaddr", "Link-layer address", T::Bytes);
    OPT_SRC_LINKADDR = FieldDef::new("icmpv6.opt.src_linkaddr", "Source Link-layer address", T::Bytes);
    OPT_TARGET_LINKADDR = FieldDef::new("icmpv6.opt.target_linkaddr", "Target Link-layer address", T::Bytes);
    OPT_LINKADDR_EUI64 = FieldDef::new("icmpv6.opt.linkaddr_eui64", "Link-layer address", T::Eui64);
    OPT_SRC_LINKADDR_EUI64 = FieldDef::new("icmpv6.opt.src_linkaddr_eui64", "Source Link-layer address", T::Eui64);
    OPT_TARGET_LINKADDR_EUI64 = FieldDef::new("icmpv6.opt.target_linkaddr_eui64", "Target Link-layer address", T::Eui64);
    OPT_PREFIX_LENGTH = FieldDef::new("icmpv6.opt.prefix.length", "Prefix Length", T::U8);
    OPT_PREFIX_FLAG = FieldDef::new("icmpv6.opt.prefix.flag", "Flag", T::U8).hex();
    OPT_PREFIX_FLAG_L = FieldDef::flag("icmpv6.opt.prefix.flag.l", "On-link flag(L)", 8, 0x80);
    OPT_PREFIX_FLAG_A = FieldDef::flag("icmpv6.opt.prefix.flag.a", "Autonomous address-configuration flag(A)", 8, 0x40);
    OPT_PREFIX_FLAG_R = FieldDef::flag("icmpv6.opt.prefix.flag.r", "Router address flag(R)", 8, 0x20);
    OPT_PREFIX_FLAG_RESERVED = FieldDef::new("icmpv6.opt.prefix.flag.reserved", "Reserved", T::U8).mask(0x1f);
    OPT_PREFIX_VALID_LIFETIME = FieldDef::new("icmpv6.opt.prefix.valid_lifetime", "Valid Lifetime", T::U32);
    OPT_PREFIX_PREFERRED_LIFETIME = FieldDef::new("icmpv6.opt.prefix.preferred_lifetime", "Preferred Lifetime", T::U32);
    OPT_PREFIX = FieldDef::new("icmpv6.opt.prefix", "Prefix", T::Ipv6);
    OPT_REDIRECTED_PACKET = FieldDef::new("icmpv6.opt.redirected_packet", "Redirected Packet", T::None);
    OPT_MTU = FieldDef::new("icmpv6.opt.mtu", "MTU", T::U32);
    OPT_NBMA_SHORTCUT_LIMIT = FieldDef::new("icmpv6.opt.nbma.shortcut_limit", "Shortcut Limit", T::U8);
    OPT_ADVERTISEMENT_INTERVAL = FieldDef::new("icmpv6.opt.advertisement_interval", "Advertisement Interval", T::U32);
    OPT_HOME_AGENT_PREFERENCE = FieldDef::new("icmpv6.opt.home_agent_preference", "Home Agent Preference", T::U16);
    OPT_HOME_AGENT_LIFETIME = FieldDef::new("icmpv6.opt.home_agent_lifetime", "Home Agent Preference", T::U16);
    OPT_NONCE = FieldDef::new("icmpv6.opt.nonce", "Nonce", T::Bytes);
    OPT_ROUTE_INFO_FLAG = FieldDef::new("icmpv6.opt.route_info.flag", "Flag", T::U8).hex();
    OPT_ROUTE_INFO_PREF = FieldDef::new("icmpv6.opt.route_info.flag.route_preference", "Route Preference", T::U8).mask(0x18).vals(ROUTE_PREFERENCES);
    OPT_ROUTE_INFO_RESERVED = FieldDef::new("icmpv6.opt.route_info.flag.reserved", "Reserved", T::U8).mask(0xe7);
    OPT_ROUTE_LIFETIME = FieldDef::new("icmpv6.opt.route_lifetime", "Route Lifetime", T::U32);
    OPT_RDNSS_LIFETIME = FieldDef::new("icmpv6.opt.rdnss.lifetime", "Lifetime", T::U32);
    OPT_RDNSS = FieldDef::new("icmpv6.opt.rdnss", "Recursive DNS Servers", T::Ipv6);
    OPT_DNSSL_LIFETIME = FieldDef::new("icmpv6.opt.dnssl.lifetime", "Lifetime", T::U32);
    OPT_DNSSL = FieldDef::new("icmpv6.opt.dnssl", "Domain Names", T::String);
    OPT_ARO_STATUS = FieldDef::new("icmpv6.opt.aro.status", "Status", T::U8).vals(ARO_STATUS);
    OPT_ARO_LIFETIME = FieldDef::new("icmpv6.opt.aro.registration_lifetime", "Registration  Lifetime", T::U16);
    OPT_ARO_EUI64 = FieldDef::new("icmpv6.opt.aro.eui64", "EUI-64", T::Eui64);
    // RFC 8505 EARO: tshark 4.0 predates these; names as in later Wireshark releases.
    OPT_EARO_OPAQUE = FieldDef::new("icmpv6.opt.earo.opaque", "Opaque", T::U8);
    OPT_EARO_FLAG = FieldDef::new("icmpv6.opt.earo.flag", "Flags", T::U8).hex();
    OPT_EARO_FLAG_RESERVED = FieldDef::new("icmpv6.opt.earo.flag.reserved", "Reserved", T::U8).mask(0xc0);
    OPT_EARO_FLAG_C = FieldDef::flag("icmpv6.opt.earo.flag.c", "C", 8, 0x20);
    OPT_EARO_FLAG_I = FieldDef::new("icmpv6.opt.earo.flag.i", "I", T::U8).mask(0x18);
    OPT_EARO_FLAG_R = FieldDef::flag("icmpv6.opt.earo.flag.r", "R", 8, 0x04);
    OPT_EARO_FLAG_T = FieldDef::flag("icmpv6.opt.earo.flag.t", "T", 8, 0x01);
    OPT_EARO_TID = FieldDef::new("icmpv6.opt.earo.tid", "TID", T::U8);
    OPT_EARO_ROVR = FieldDef::new("icmpv6.opt.earo.rovr", "ROVR", T::Bytes);
    OPT_6CO_CONTEXT_LENGTH = FieldDef::new("icmpv6.opt.6co.context_length", "Context Length", T::U8);
    OPT_6CO_FLAG = FieldDef::new("icmpv6.opt.6co.flag", "Flag", T::U8).hex();
    OPT_6CO_FLAG_C = FieldDef::flag("icmpv6.opt.6co.flag.c", "Compression Flag", 8, 0x10);
    OPT_6CO_FLAG_CID = FieldDef::new("icmpv6.opt.6co.flag.cid", "CID", T::U8).mask(0x0f);
    OPT_6CO_FLAG_RESERVED = FieldDef::new("icmpv6.opt.6co.flag.reserved", "Reserved", T::U8).mask(0xe0);
    OPT_6CO_VALID_LIFETIME = FieldDef::new("icmpv6.opt.6co.valid_lifetime", "Lifetime", T::U16);
    OPT_6CO_CONTEXT_PREFIX = FieldDef::new("icmpv6.opt.6co.context_prefix", "Context Prefix", T::Ipv6);
    OPT_ABRO_VERSION_LOW = FieldDef::new("icmpv6.opt.abro.version_low", "Version Low", T::U16);
    OPT_ABRO_VERSION_HIGH = FieldDef::new("icmpv6.opt.abro.version_high", "Version", T::U16);
    OPT_ABRO_VALID_LIFETIME = FieldDef::new("icmpv6.opt.abro.valid_lifetime", "Valid Lifetime", T::U16);
    OPT_ABRO_6LBR_ADDRESS = FieldDef::new("icmpv6.opt.abro.6lbr_address", "6LBR Address", T::Ipv6);
    OPT_PREF64_SCALED_LIFETIME = FieldDef::new("icmpv6.opt.pref64.scaled_lifetime", "Scaled Lifetime", T::U16).mask(0xfff8);
    OPT_PREF64_PLC = FieldDef::new("icmpv6.opt.pref64.plc", "PLC (Prefix Length Code)", T::U16).hex().mask(0x0007);
    OPT_PREF64_PREFIX = FieldDef::new("icmpv6.opt.pref64.prefix", "Prefix", T::Ipv6);
    UNKNOWN_DATA = FieldDef::new("icmpv6.unknown_data", "Unknown Data", T::Bytes);

    DA_STATUS = FieldDef::new("icmpv6.6lowpannd.da.status", "Status", T::U8).vals(ARO_STATUS);
    DA_RSV = FieldDef::new("icmpv6.6lowpannd.da.rsv", "Reserved", T::U8);
    DA_LIFETIME = FieldDef::new("icmpv6.6lowpannd.da.lifetime", "Lifetime", T::U16);
    DA_EUI64 = FieldDef::new("icmpv6.6lowpannd.da.eui64", "EUI-64", T::Eui64);
    DA_REG_ADDR = FieldDef::new("icmpv6.6lowpannd.da.reg_addr", "Registered Address", T::Ipv6);

    MLD_MAX_RESPONSE_DELAY = FieldDef::new("icmpv6.mld.maximum_response_delay", "Maximum Response Delay [ms]", T::U16);
    MLD_MAX_RESPONSE_CODE = FieldDef::new("icmpv6.mld.maximum_response_code", "Maximum Response Code", T::U16);
    MLD_MULTICAST_ADDRESS = FieldDef::new("icmpv6.mld.multicast_address", "Multicast Address", T::Ipv6);
    MLD_FLAG = FieldDef::new("icmpv6.mld.flag", "Flags", T::U8).hex();
    MLD_FLAG_S = FieldDef::flag("icmpv6.mld.flag.s", "Suppress Router-Side Processing", 8, 0x08);
    MLD_FLAG_QRV = FieldDef::new("icmpv6.mld.flag.qrv", "QRV (Querier's Robustness Variable)", T::U8).mask(0x07);
    MLD_FLAG_RESERVED = FieldDef::new("icmpv6.mld.flag.reserved", "Reserved", T::U8).mask(0xf0);
    MLD_QQI = FieldDef::new("icmpv6.mld.qqi", "QQIC (Querier's Query Interval Code)", T::U8);
    MLD_NB_SOURCES = FieldDef::new("icmpv6.mld.nb_sources", "Number of Sources", T::U16);
    MLD_SOURCE_ADDRESS = FieldDef::new("icmpv6.mld.source_address", "Source Address", T::Ipv6);
    MLDR_NB_MCAST_RECORDS = FieldDef::new("icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", T::U16);
    MLDR_MAR = FieldDef::new("icmpv6.mldr.mar", "Multicast Address Record", T::None);
    MLDR_MAR_RECORD_TYPE = FieldDef::new("icmpv6.mldr.mar.record_type", "Record Type", T::U8).vals(MLDR_RECORD_TYPES);
    MLDR_MAR_AUX_DATA_LEN = FieldDef::new("icmpv6.mldr.mar.aux_data_len", "Aux Data Len", T::U8);
    MLDR_MAR_NB_SOURCES = FieldDef::new("icmpv6.mldr.mar.nb_sources", "Number of Sources", T::U16);
    MLDR_MAR_MULTICAST_ADDRESS = FieldDef::new("icmpv6.mldr.mar.multicast_address", "Multicast Address", T::Ipv6);
    MLDR_MAR_SOURCE_ADDRESS = FieldDef::new("icmpv6.mldr.mar.source_address", "Source Address", T::Ipv6);
    MLDR_MAR_AUXILIARY_DATA = FieldDef::new("icmpv6.mldr.mar.auxiliary_data", "Auxiliary Data", T::Bytes);

    RR_SEQUENCE_NUMBER = FieldDef::new("icmpv6.rr.sequence_number", "Sequence Number", T::U32);
    RR_SEGMENT_NUMBER = FieldDef::new("icmpv6.rr.segment_number", "Segment Number", T::U8);
    RR_FLAG = FieldDef::new("icmpv6.rr.flag", "Flags", T::U8).hex();
    RR_FLAG_T = FieldDef::flag("icmpv6.rr.flag.t", "Test Command", 8, 0x80);
    RR_FLAG_R = FieldDef::flag("icmpv6.rr.flag.r", "Result requested", 8, 0x40);
    RR_FLAG_A = FieldDef::flag("icmpv6.rr.flag.a", "All Interfaces", 8, 0x20);
    RR_FLAG_S = FieldDef::flag("icmpv6.rr.flag.s", "Site-specific", 8, 0x10);
    RR_FLAG_P = FieldDef::flag("icmpv6.rr.flag.p", "Processed previously", 8, 0x08);
    RR_FLAG_RSV = FieldDef::new("icmpv6.rr.flag.rsv", "Reserved", T::U8).mask(0x07);
    RR_MAXDELAY = FieldDef::new("icmpv6.rr.maxdelay", "Max Delay", T::U16);
    RR_PCO_MP = FieldDef::new("icmpv6.rr.pco.mp", "Match-Prefix Part", T::None);
    RR_PCO_MP_OPCODE = FieldDef::new("icmpv6.rr.pco.mp.opcode", "OpCode", T::U8).vals(&[(1, "Add"), (2, "Change"), (3, "Set Global")]);
    RR_PCO_MP_OPLENGTH = FieldDef::new("icmpv6.rr.pco.mp.oplength", "OpLength", T::U8);
    RR_PCO_MP_ORDINAL = FieldDef::new("icmpv6.rr.pco.mp.ordinal", "Ordinal", T::U8).hex();
    RR_PCO_MP_MATCHLEN = FieldDef::new("icmpv6.rr.pco.mp.matchlen", "MatchLen", T::U8);
    RR_PCO_MP_MINLEN = FieldDef::new("icmpv6.rr.pco.mp.minlen", "MinLen", T::U8);
    RR_PCO_MP_MAXLEN = FieldDef::new("icmpv6.rr.pco.mp.maxlen", "MaxLen", T::U8);
    RR_PCO_MP_MATCHPREFIX = FieldDef::new("icmpv6.rr.pco.mp.matchprefix", "MatchPrefix", T::Ipv6);
    RR_PCO_UP = FieldDef::new("icmpv6.rr.pco.up", "Use-Prefix Part", T::None);
    RR_PCO_UP_USELEN = FieldDef::new("icmpv6.rr.pco.up.uselen", "UseLen", T::U8);
    RR_PCO_UP_KEEPLEN = FieldDef::new("icmpv6.rr.pco.up.keeplen", "KeepLen", T::U8);
    RR_PCO_UP_FLAGMASK = FieldDef::new("icmpv6.rr.pco.up.flagmask", "FlagMask", T::U8).hex();
    RR_PCO_UP_FLAGMASK_L = FieldDef::flag("icmpv6.rr.pco.up.flagmask.l", "On-link flag(L)", 8, 0x80);
    RR_PCO_UP_FLAGMASK_A = FieldDef::flag("icmpv6.rr.pco.up.flagmask.a", "Autonomous address-configuration flag(A)", 8, 0x40);
    RR_PCO_UP_FLAGMASK_RESERVED = FieldDef::new("icmpv6.rr.pco.up.flagmask.reserved", "Reserved", T::U8).mask(0x3f);
    RR_PCO_UP_RAFLAGS = FieldDef::new("icmpv6.rr.pco.up.raflags", "RAFlags", T::U8).hex();
    RR_PCO_UP_VALIDLIFETIME = FieldDef::new("icmpv6.rr.pco.up.validlifetime", "Valid Lifetime", T::U32);
    RR_PCO_UP_PREFERREDLIFETIME = FieldDef::new("icmpv6.rr.pco.up.preferredlifetime", "Preferred Lifetime", T::U32);
    RR_PCO_UP_FLAG = FieldDef::new("icmpv6.rr.pco.up.flag", "Flags", T::U32).hex();
    RR_PCO_UP_FLAG_V = FieldDef::flag("icmpv6.rr.pco.up.flag.v", "Decrement valid lifetime", 32, 0x8000_0000);
    RR_PCO_UP_FLAG_P = FieldDef::flag("icmpv6.rr.pco.up.flag.p", "Decrement preferred lifetime", 32, 0x4000_0000);
    RR_PCO_UP_FLAG_RESERVED = FieldDef::new("icmpv6.rr.pco.up.flag.reserved", "Reserved", T::U32).mask(0x3fff_ffff);
    RR_PCO_UP_USEPREFIX = FieldDef::new("icmpv6.rr.pco.up.useprefix", "UsePrefix", T::Ipv6);
    RR_RM = FieldDef::new("icmpv6.rr.rm", "Result Message", T::None);
    RR_RM_FLAG = FieldDef::new("icmpv6.rr.rm.flag", "Flags", T::U16).hex();
    RR_RM_FLAG_B = FieldDef::flag("icmpv6.rr.rm.flag.b", "Bounds", 16, 0x0002);
    RR_RM_FLAG_F = FieldDef::flag("icmpv6.rr.rm.flag.f", "Forbidden", 16, 0x0001);
    RR_RM_FLAG_RESERVED = FieldDef::new("icmpv6.rr.rm.flag.reserved", "Reserved", T::U16).mask(0xfffc);
    RR_RM_ORDINAL = FieldDef::new("icmpv6.rr.rm.ordinal", "Ordinal", T::U8).hex();
    RR_RM_MATCHEDLEN = FieldDef::new("icmpv6.rr.rm.matchedlen", "MatchedLen", T::U8);
    RR_RM_INTERFACEINDEX = FieldDef::new("icmpv6.rr.rm.interfaceindex", "InterfaceIndex", T::U32);
    RR_RM_MATCHEDPREFIX = FieldDef::new("icmpv6.rr.rm.matchedprefix", "MatchedPrefix", T::Ipv6);
}

crate::experts! {
    INVALID_OPTION_LENGTH = ExpertDef::new("icmpv6.invalid_option_length", Group::Malformed, Severity::Error, "Invalid Option Length");
    UNDECODED_OPTION = ExpertDef::new("icmpv6.undecoded.option", Group::Undecoded, Severity::Warn, "Undecoded option");
    UNKNOWN_DATA_EXPERT = ExpertDef::new("icmpv6.unknown_data.expert", Group::Malformed, Severity::Error, "Unknown Data (not interpreted)");
}

crate::protocol!("icmpv6.nd", "ICMPv6", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    for ty in [130, 131, 132, 133, 134, 135, 136, 137, 138, 143, 157, 158] {
        r.add(TYPE_TABLE, ty, &PROTOCOL);
    }
}

/// What the options said that the Info column shows.
#[derive(Default)]
struct OptSummary {
    src_ll: Option<String>,
    target_ll: Option<String>,
}

/// `tvb` is the whole ICMPv6 message; `node` the ICMPv6 layer.
fn dissect(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<()> {
    let ty = tvb.u8(0)?;
    let code = tvb.u8(1)?;
    let name = crate::engine::field::val_to_str(crate::proto::ipv6::icmpv6::TYPES, ty as u64)
        .unwrap_or("Unknown");
    match ty {
        133 => {
            cx.add_bytes(node, &RESERVED, tvb, 4, 4)?;
            let s = dissect_options(tvb, cx, node, 8)?;
            set_info_from(cx, name, s.src_ll);
        }
        134 => {
            router_advert(tvb, cx, node)?;
            let s = dissect_options(tvb, cx, node, 16)?;
            set_info_from(cx, name, s.src_ll);
        }
        135 => {
            cx.add_bytes(node, &RESERVED, tvb, 4, 4)?;
            let t = cx.add_ipv6(node, &NS_TARGET, tvb, 8)?;
            let s = dissect_options(tvb, cx, node, 24)?;
            let mut info = format!("{name} for {}", std::net::Ipv6Addr::from(t));
            if let Some(ll) = s.src_ll {
                info.push_str(&format!(" from {ll}"));
            }
            cx.set_info(info);
        }
        136 => neighbor_advert(tvb, cx, node, name)?,
        137 => {
            cx.add_bytes(node, &RESERVED, tvb, 4, 4)?;
            cx.add_ipv6(node, &RD_TARGET, tvb, 8)?;
            cx.add_ipv6(node, &RD_DESTINATION, tvb, 24)?;
            dissect_options(tvb, cx, node, 40)?;
            cx.set_info(name);
        }
        130..=132 => {
            mld(tvb, cx, node, ty)?;
            cx.set_info(name);
        }
        143 => {
            mldv2_report(tvb, cx, node)?;
            cx.set_info(name);
        }
        138 => dissect_router_renumbering(tvb, cx, node, code)?,
        157 | 158 => {
            duplicate_address(tvb, cx, node)?;
            cx.set_info(name);
        }
        _ => {}
    }
    Ok(())
}

/// `Router Solicitation from <link-layer address>` when the option gives it.
fn set_info_from(cx: &mut Cx, name: &str, src_ll: Option<String>) {
    match src_ll {
        Some(ll) => cx.set_info(format_args!("{name} from {ll}")),
        None => cx.set_info(name),
    }
}

/// Router Advertisement fields before the options (RFC 4861 §4.2, RFC 4191 §2.2).
fn router_advert(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<()> {
    cx.add_u8(node, &RA_CUR_HOP_LIMIT, tvb, 4)?;
    cx.add_bitmask(
        node,
        &RA_FLAG,
        &[
            &RA_FLAG_M,
            &RA_FLAG_O,
            &RA_FLAG_H,
            &RA_FLAG_PRF,
            &RA_FLAG_P,
            &RA_FLAG_RSV,
        ],
        tvb,
        5,
        1,
    )?;
    cx.add_be_u16(node, &RA_ROUTER_LIFETIME, tvb, 6)?;
    cx.add_be_u32(node, &RA_REACHABLE_TIME, tvb, 8)?;
    cx.add_be_u32(node, &RA_RETRANS_TIMER, tvb, 12)?;
    Ok(())
}

/// Neighbor Advertisement (RFC 4861 §4.4) with tshark's Info: target, flags, link address.
fn neighbor_advert(tvb: &Tvb, cx: &mut Cx, node: NodeId, name: &str) -> Result<()> {
    let f = cx.add_bitmask(
        node,
        &NA_FLAG,
        &[&NA_FLAG_R, &NA_FLAG_S, &NA_FLAG_O, &NA_FLAG_RSV],
        tvb,
        4,
        4,
    )?;
    let t = cx.add_ipv6(node, &NA_TARGET, tvb, 8)?;
    let s = dissect_options(tvb, cx, node, 24)?;
    let flags: Vec<&str> = [
        (0x8000_0000u64, "rtr"),
        (0x4000_0000, "sol"),
        (0x2000_0000, "ovr"),
    ]
    .iter()
    .filter(|(m, _)| f & m != 0)
    .map(|(_, n)| *n)
    .collect();
    let mut info = format!("{name} {}", std::net::Ipv6Addr::from(t));
    if !flags.is_empty() {
        info.push_str(&format!(" ({})", flags.join(", ")));
    }
    if let Some(ll) = s.target_ll {
        info.push_str(&format!(" is at {ll}"));
    }
    cx.set_info(info);
    Ok(())
}

/// DAR / DAC (RFC 6775 §4.4): the 6LR asks the 6LBR on behalf of a host.
fn duplicate_address(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<()> {
    cx.add_u8(node, &DA_STATUS, tvb, 4)?;
    cx.add_u8(node, &DA_RSV, tvb, 5)?;
    cx.add_be_u16(node, &DA_LIFETIME, tvb, 6)?;
    let e: [u8; 8] = tvb.array(8)?;
    cx.add(node, &DA_EUI64, tvb.range(8, 8), Value::Eui64(e));
    cx.add_ipv6(node, &DA_REG_ADDR, tvb, 16)?;
    Ok(())
}

/// MLD query, report and done (RFC 2710 §3); a query long enough is MLDv2's (RFC 3810 §5.1).
fn mld(tvb: &Tvb, cx: &mut Cx, node: NodeId, ty: u8) -> Result<()> {
    // MLDv2 queries (RFC 3810 §5.1) are longer than the 24 bytes of MLDv1.
    let v2 = ty == 130 && tvb.len() >= 28;
    if v2 {
        cx.add_be_u16(node, &MLD_MAX_RESPONSE_CODE, tvb, 4)?;
    } else {
        cx.add_be_u16(node, &MLD_MAX_RESPONSE_DELAY, tvb, 4)?;
    }
    cx.add_bytes(node, &RESERVED, tvb, 6, 2)?;
    cx.add_ipv6(node, &MLD_MULTICAST_ADDRESS, tvb, 8)?;
    if v2 {
        cx.add_bitmask(
            node,
            &MLD_FLAG,
            &[&MLD_FLAG_S, &MLD_FLAG_QRV, &MLD_FLAG_RESERVED],
            tvb,
            24,
            1,
        )?;
        cx.add_u8(node, &MLD_QQI, tvb, 25)?;
        let n = cx.add_be_u16(node, &MLD_NB_SOURCES, tvb, 26)?;
        for i in 0..n as usize {
            cx.add_ipv6(node, &MLD_SOURCE_ADDRESS, tvb, 28 + 16 * i)?;
        }
    }
    Ok(())
}

/// MLDv2 report (RFC 3810 §5.2): the multicast address records.
fn mldv2_report(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<()> {
    cx.add_bytes(node, &RESERVED, tvb, 4, 2)?;
    let n = cx.add_be_u16(node, &MLDR_NB_MCAST_RECORDS, tvb, 6)?;
    let mut off = 8;
    for _ in 0..n {
        let aux = tvb.u8(off + 1)? as usize;
        let ns = tvb.be_u16(off + 2)? as usize;
        let len = 20 + 16 * ns + 4 * aux;
        let m = cx.add(node, &MLDR_MAR, tvb.range(off, len), Value::None);
        cx.add_u8(m, &MLDR_MAR_RECORD_TYPE, tvb, off)?;
        cx.add_u8(m, &MLDR_MAR_AUX_DATA_LEN, tvb, off + 1)?;
        cx.add_be_u16(m, &MLDR_MAR_NB_SOURCES, tvb, off + 2)?;
        cx.add_ipv6(m, &MLDR_MAR_MULTICAST_ADDRESS, tvb, off + 4)?;
        for i in 0..ns {
            cx.add_ipv6(m, &MLDR_MAR_SOURCE_ADDRESS, tvb, off + 20 + 16 * i)?;
        }
        if aux > 0 {
            cx.add_bytes(
                m,
                &MLDR_MAR_AUXILIARY_DATA,
                tvb,
                off + 20 + 16 * ns,
                4 * aux,
            )?;
        }
        off += len;
    }
    Ok(())
}

/// Router Renumbering (RFC 2894 §3): a command carries Prefix Control Operations, a result
/// carries Match Results.
fn dissect_router_renumbering(tvb: &Tvb, cx: &mut Cx, node: NodeId, code: u8) -> Result<()> {
    cx.add_be_u32(node, &RR_SEQUENCE_NUMBER, tvb, 4)?;
    cx.add_u8(node, &RR_SEGMENT_NUMBER, tvb, 8)?;
    cx.add_bitmask(
        node,
        &RR_FLAG,
        &[
            &RR_FLAG_T,
            &RR_FLAG_R,
            &RR_FLAG_A,
            &RR_FLAG_S,
            &RR_FLAG_P,
            &RR_FLAG_RSV,
        ],
        tvb,
        9,
        1,
    )?;
    cx.add_be_u16(node, &RR_MAXDELAY, tvb, 10)?;
    cx.add_bytes(node, &RESERVED, tvb, 12, 4)?;
    let mut off = 16;
    let kind = match code {
        0 => "Command",
        1 => "Result",
        255 => "Sequence number reset",
        _ => "Unknown",
    };
    cx.set_info(format_args!("Router Renumbering ({kind})"));
    match code {
        0 => {
            while off < tvb.len() {
                off = rr_prefix_control(tvb, cx, node, off)?;
            }
        }
        1 => {
            while off < tvb.len() {
                let rm = cx.add(node, &RR_RM, tvb.range(off, 24), Value::None);
                cx.add_bitmask(
                    rm,
                    &RR_RM_FLAG,
                    &[&RR_RM_FLAG_RESERVED, &RR_RM_FLAG_B, &RR_RM_FLAG_F],
                    tvb,
                    off,
                    2,
                )?;
                cx.add_u8(rm, &RR_RM_ORDINAL, tvb, off + 2)?;
                cx.add_u8(rm, &RR_RM_MATCHEDLEN, tvb, off + 3)?;
                cx.add_be_u32(rm, &RR_RM_INTERFACEINDEX, tvb, off + 4)?;
                cx.add_ipv6(rm, &RR_RM_MATCHEDPREFIX, tvb, off + 8)?;
                off += 24;
            }
        }
        _ => {}
    }
    Ok(())
}

/// One Prefix Control Operation of a command (RFC 2894 §3.2): the match-prefix part and its
/// use-prefix parts. Returns the offset of the next one.
fn rr_prefix_control(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    let oplen = tvb.u8(off + 1)? as usize;
    let mp = cx.add(node, &RR_PCO_MP, tvb.range(off, 24), Value::None);
    cx.add_u8(mp, &RR_PCO_MP_OPCODE, tvb, off)?;
    cx.add_u8(mp, &RR_PCO_MP_OPLENGTH, tvb, off + 1)?;
    cx.add_u8(mp, &RR_PCO_MP_ORDINAL, tvb, off + 2)?;
    cx.add_u8(mp, &RR_PCO_MP_MATCHLEN, tvb, off + 3)?;
    cx.add_u8(mp, &RR_PCO_MP_MINLEN, tvb, off + 4)?;
    cx.add_u8(mp, &RR_PCO_MP_MAXLEN, tvb, off + 5)?;
    cx.add_bytes(mp, &RESERVED, tvb, off + 6, 2)?;
    cx.add_ipv6(mp, &RR_PCO_MP_MATCHPREFIX, tvb, off + 8)?;
    // OpLength counts 8-octet units: 3 for the match part, 4 per use-prefix part.
    let n_up = oplen.saturating_sub(3) / 4;
    for i in 0..n_up {
        rr_use_prefix(tvb, cx, node, off + 24 + 32 * i)?;
    }
    Ok(off.saturating_add(8 * oplen.max(3)))
}

/// A use-prefix part (RFC 2894 §3.2.2).
fn rr_use_prefix(tvb: &Tvb, cx: &mut Cx, node: NodeId, u: usize) -> Result<()> {
    let up = cx.add(node, &RR_PCO_UP, tvb.range(u, 32), Value::None);
    cx.add_u8(up, &RR_PCO_UP_USELEN, tvb, u)?;
    cx.add_u8(up, &RR_PCO_UP_KEEPLEN, tvb, u + 1)?;
    let fm = [
        &RR_PCO_UP_FLAGMASK_L,
        &RR_PCO_UP_FLAGMASK_A,
        &RR_PCO_UP_FLAGMASK_RESERVED,
    ];
    cx.add_bitmask(up, &RR_PCO_UP_FLAGMASK, &fm, tvb, u + 2, 1)?;
    // tshark draws the RA flags with the flag-mask bit fields.
    cx.add_bitmask(up, &RR_PCO_UP_RAFLAGS, &fm, tvb, u + 3, 1)?;
    cx.add_be_u32(up, &RR_PCO_UP_VALIDLIFETIME, tvb, u + 4)?;
    cx.add_be_u32(up, &RR_PCO_UP_PREFERREDLIFETIME, tvb, u + 8)?;
    cx.add_bitmask(
        up,
        &RR_PCO_UP_FLAG,
        &[
            &RR_PCO_UP_FLAG_V,
            &RR_PCO_UP_FLAG_P,
            &RR_PCO_UP_FLAG_RESERVED,
        ],
        tvb,
        u + 12,
        4,
    )?;
    cx.add_ipv6(up, &RR_PCO_UP_USEPREFIX, tvb, u + 16)?;
    Ok(())
}

/// A link-layer address as the Info column shows it.
fn ll_text(b: &[u8]) -> String {
    let mut s = String::new();
    crate::engine::value::write_colon_hex(&mut s, b);
    s
}

/// ND options (RFC 4861 §4.6) from `off` to the end of the message.
fn dissect_options(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<OptSummary> {
    let mut sum = OptSummary::default();
    for t in TlvFormat::ND_OPTIONS.walk(tvb, off, tvb.len()) {
        if t.kind == TlvKind::Truncated {
            return Err(crate::engine::tvb::Error::Short);
        }
        let (off, ty, units) = (t.off, t.ty as u8, t.len_field as u8);
        let len = units as usize * 8;
        let tname = crate::engine::field::val_to_str(OPTION_TYPES, ty as u64).unwrap_or("Unknown");
        let o = cx.add(node, &OPT, tvb.range(off, len.max(2)), Value::None);
        cx.set_text(o, format_args!("ICMPv6 Option ({tname})"));
        cx.add_uint(o, &OPT_TYPE, tvb.range(off, 1), ty as u64);
        let ln = cx.add_uint(o, &OPT_LENGTH, tvb.range(off + 1, 1), units as u64);
        if units == 0 {
            // A zero length would loop forever (RFC 4861 §4.6: silently discard).
            cx.expert(ln, &INVALID_OPTION_LENGTH, None);
            return Err(crate::engine::tvb::Error::Malformed(
                "ICMPv6 option of length 0".into(),
            ));
        }
        let opt = tvb.sub(off, len)?;
        dissect_option(&opt, cx, o, ln, ty, &mut sum)?;
    }
    Ok(sum)
}

/// An IPv6 prefix carried in its first `n` octets (at most 16), zero-filled to 16.
fn padded_prefix(opt: &Tvb, off: usize, n: usize) -> Result<[u8; 16]> {
    let n = n.min(16);
    let mut a = [0u8; 16];
    a[..n].copy_from_slice(opt.bytes(off, n)?);
    Ok(a)
}

/// A reserved span of an option (it must be there).
fn reserved(cx: &mut Cx, opt: &Tvb, o: NodeId, off: usize, n: usize) -> Result<()> {
    opt.bytes(off, n)?;
    cx.add(o, &OPT_RESERVED, opt.range(off, n), Value::None);
    Ok(())
}

/// One ND option; `opt` is the whole option, type and length included.
fn dissect_option(
    opt: &Tvb,
    cx: &mut Cx,
    o: NodeId,
    len_node: NodeId,
    ty: u8,
    sum: &mut OptSummary,
) -> Result<()> {
    let len = opt.len();
    match ty {
        1 | 2 => opt_link_addr(cx, opt, o, ty, sum)?,
        3 => opt_prefix_info(cx, opt, o, len_node)?,
        4 => {
            reserved(cx, opt, o, 2, 6)?;
            let inner = opt.sub_from(8)?;
            let rp = cx.add(o, &OPT_REDIRECTED_PACKET, inner.whole(), Value::None);
            if !inner.is_empty() {
                // The quoted packet must not take over the columns or the addresses.
                let saved = (cx.columns.clone(), cx.info.clone());
                cx.call(&crate::proto::ipv6::PROTOCOL, &inner, rp);
                *cx.columns = saved.0;
                *cx.info = saved.1;
            }
        }
        5 => {
            reserved(cx, opt, o, 2, 2)?;
            cx.add_be_u32(o, &OPT_MTU, opt, 4)?;
        }
        6 => {
            cx.add_u8(o, &OPT_NBMA_SHORTCUT_LIMIT, opt, 2)?;
            reserved(cx, opt, o, 3, 5)?;
        }
        7 => {
            reserved(cx, opt, o, 2, 2)?;
            cx.add_be_u32(o, &OPT_ADVERTISEMENT_INTERVAL, opt, 4)?;
        }
        8 => {
            reserved(cx, opt, o, 2, 2)?;
            cx.add_be_u16(o, &OPT_HOME_AGENT_PREFERENCE, opt, 4)?;
            cx.add_be_u16(o, &OPT_HOME_AGENT_LIFETIME, opt, 6)?;
        }
        14 => {
            cx.add_bytes(o, &OPT_NONCE, opt, 2, len - 2)?;
        }
        24 => opt_route_info(cx, opt, o, len_node)?,
        25 => {
            reserved(cx, opt, o, 2, 2)?;
            cx.add_be_u32(o, &OPT_RDNSS_LIFETIME, opt, 4)?;
            let mut off = 8;
            while off + 16 <= len {
                cx.add_ipv6(o, &OPT_RDNSS, opt, off)?;
                off += 16;
            }
        }
        31 => opt_dnssl(cx, opt, o)?,
        33 => opt_aro(cx, opt, o)?,
        34 => opt_6co(cx, opt, o, len_node)?,
        35 => {
            cx.add_be_u16(o, &OPT_ABRO_VERSION_LOW, opt, 2)?;
            cx.add_be_u16(o, &OPT_ABRO_VERSION_HIGH, opt, 4)?;
            cx.add_be_u16(o, &OPT_ABRO_VALID_LIFETIME, opt, 6)?;
            cx.add_ipv6(o, &OPT_ABRO_6LBR_ADDRESS, opt, 8)?;
        }
        38 => opt_pref64(cx, opt, o, len_node)?,
        _ => {
            cx.expert_with(
                o,
                &UNDECODED_OPTION,
                || format!(
                    "Dissector for ICMPv6 Option ({ty}) code not implemented, Contact Wireshark developers if you want this supported"
                ),
            );
            cx.add_bytes(o, &DATA, opt, 2, len - 2)?;
        }
    }
    Ok(())
}

/// Source/Target Link-layer Address (RFC 4861 §4.6.1), as tshark shows each form.
fn opt_link_addr(cx: &mut Cx, opt: &Tvb, o: NodeId, ty: u8, sum: &mut OptSummary) -> Result<()> {
    let len = opt.len();
    let (f, f64_) = if ty == 1 {
        (&OPT_SRC_LINKADDR, &OPT_SRC_LINKADDR_EUI64)
    } else {
        (&OPT_TARGET_LINKADDR, &OPT_TARGET_LINKADDR_EUI64)
    };
    // tshark takes 16 bytes as an EUI-64 only when the 6 padding bytes are zero.
    let eui64 = len == 16 && opt.bytes(10, 6)?.iter().all(|b| *b == 0);
    let text = if eui64 {
        // EUI-64 (802.15.4 long address, RFC 4944 §8) padded with 6 zero bytes.
        let e: [u8; 8] = opt.array(2)?;
        let r = opt.range(2, 8);
        cx.add(o, &OPT_LINKADDR_EUI64, r, Value::Eui64(e));
        cx.add(o, f64_, r, Value::Eui64(e));
        // tshark 4.0 also adds the byte form, for the source option only.
        if ty == 1 {
            cx.add_with(o, &OPT_LINKADDR, r, || Value::bytes(&e));
            cx.add_with(o, f, r, || Value::bytes(&e));
        }
        cx.add(o, &OPT_PADDING, opt.range(10, 6), Value::None);
        ll_text(&e)
    } else {
        // Ethernet MAC, or an 802.15.4 short address padded to 6 bytes: the bytes after
        // type and length, as tshark shows them.
        let b = opt.bytes(2, len - 2)?;
        let r = opt.range(2, len - 2);
        // A 6-byte address is an Ethernet MAC (tshark shows it as FT_ETHER).
        let v = match <[u8; 6]>::try_from(b) {
            Ok(mac) => Value::Ether(mac),
            Err(_) => Value::bytes(b),
        };
        cx.add(o, &OPT_LINKADDR, r, v.clone());
        cx.add(o, f, r, v);
        ll_text(b)
    };
    cx.set_text(
        o,
        format_args!(
            "ICMPv6 Option ({} : {text})",
            if ty == 1 {
                "Source link-layer address"
            } else {
                "Target link-layer address"
            }
        ),
    );
    if ty == 1 {
        sum.src_ll = Some(text);
    } else {
        sum.target_ll = Some(text);
    }
    Ok(())
}

/// Prefix Information (RFC 4861 §4.6.2).
fn opt_prefix_info(cx: &mut Cx, opt: &Tvb, o: NodeId, len_node: NodeId) -> Result<()> {
    let len = opt.len();
    if len != 32 {
        cx.expert(len_node, &INVALID_OPTION_LENGTH, None);
    }
    cx.add_u8(o, &OPT_PREFIX_LENGTH, opt, 2)?;
    cx.add_bitmask(
        o,
        &OPT_PREFIX_FLAG,
        &[
            &OPT_PREFIX_FLAG_L,
            &OPT_PREFIX_FLAG_A,
            &OPT_PREFIX_FLAG_R,
            &OPT_PREFIX_FLAG_RESERVED,
        ],
        opt,
        3,
        1,
    )?;
    cx.add_be_u32(o, &OPT_PREFIX_VALID_LIFETIME, opt, 4)?;
    cx.add_be_u32(o, &OPT_PREFIX_PREFERRED_LIFETIME, opt, 8)?;
    reserved(cx, opt, o, 12, 4)?;
    cx.add_ipv6(o, &OPT_PREFIX, opt, 16)?;
    Ok(())
}

/// Route Information (RFC 4191 §2.3).
fn opt_route_info(cx: &mut Cx, opt: &Tvb, o: NodeId, len_node: NodeId) -> Result<()> {
    let len = opt.len();
    // Route Information (RFC 4191 §2.3): the prefix takes 0, 8 or 16 bytes.
    let plen = cx.add_u8(o, &OPT_PREFIX_LENGTH, opt, 2)?;
    cx.add_bitmask(
        o,
        &OPT_ROUTE_INFO_FLAG,
        &[&OPT_ROUTE_INFO_PREF, &OPT_ROUTE_INFO_RESERVED],
        opt,
        3,
        1,
    )?;
    cx.add_be_u32(o, &OPT_ROUTE_LIFETIME, opt, 4)?;
    let avail = len - 8;
    if plen > 128 || avail > 16 || avail < (plen as usize).div_ceil(8) {
        cx.expert(len_node, &INVALID_OPTION_LENGTH, None);
    } else {
        let a = padded_prefix(opt, 8, avail)?;
        cx.add(o, &OPT_PREFIX, opt.range(8, avail), Value::Ipv6(a));
    }
    Ok(())
}

/// DNS Search List (RFC 8106 §5.2).
fn opt_dnssl(cx: &mut Cx, opt: &Tvb, o: NodeId) -> Result<()> {
    let len = opt.len();
    reserved(cx, opt, o, 2, 2)?;
    cx.add_be_u32(o, &OPT_DNSSL_LIFETIME, opt, 4)?;
    // Domain names in DNS wire form (RFC 8106 §5.2), zero padded to the end.
    let mut off = 8;
    while off < len && opt.u8(off)? != 0 {
        let start = off;
        let mut name = String::new();
        loop {
            let l = opt.u8(off)? as usize;
            off += 1;
            if l == 0 {
                break;
            }
            if l > 63 {
                return Err(crate::engine::tvb::Error::Malformed(
                    "bad DNSSL label".into(),
                ));
            }
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(&crate::engine::value::bytes_to_text(opt.bytes(off, l)?));
            off += l;
        }
        cx.add_with(o, &OPT_DNSSL, opt.range(start, off - start), || {
            Value::str(name)
        });
    }
    if off < len {
        cx.add(o, &OPT_PADDING, opt.range(off, len - off), Value::None);
    }
    Ok(())
}

/// Address Registration (RFC 6775 §4.1), or its extended form (RFC 8505 §4.1).
fn opt_aro(cx: &mut Cx, opt: &Tvb, o: NodeId) -> Result<()> {
    let len = opt.len();
    let flags = opt.u8(4)?;
    cx.add_u8(o, &OPT_ARO_STATUS, opt, 2)?;
    if flags & 0x01 != 0 {
        // EARO (RFC 8505 §4.1): the T flag says a TID is present.
        cx.add_u8(o, &OPT_EARO_OPAQUE, opt, 3)?;
        cx.add_bitmask(
            o,
            &OPT_EARO_FLAG,
            &[
                &OPT_EARO_FLAG_RESERVED,
                &OPT_EARO_FLAG_C,
                &OPT_EARO_FLAG_I,
                &OPT_EARO_FLAG_R,
                &OPT_EARO_FLAG_T,
            ],
            opt,
            4,
            1,
        )?;
        cx.add_u8(o, &OPT_EARO_TID, opt, 5)?;
        cx.add_be_u16(o, &OPT_ARO_LIFETIME, opt, 6)?;
        cx.add_bytes(o, &OPT_EARO_ROVR, opt, 8, len - 8)?;
    } else {
        reserved(cx, opt, o, 3, 3)?;
        cx.add_be_u16(o, &OPT_ARO_LIFETIME, opt, 6)?;
        let e: [u8; 8] = opt.array(8)?;
        cx.add(o, &OPT_ARO_EUI64, opt.range(8, 8), Value::Eui64(e));
    }
    Ok(())
}

/// 6LoWPAN Context (RFC 6775 §4.2).
fn opt_6co(cx: &mut Cx, opt: &Tvb, o: NodeId, len_node: NodeId) -> Result<()> {
    let len = opt.len();
    let clen = cx.add_u8(o, &OPT_6CO_CONTEXT_LENGTH, opt, 2)?;
    let f = cx.add_bitmask(
        o,
        &OPT_6CO_FLAG,
        &[&OPT_6CO_FLAG_RESERVED, &OPT_6CO_FLAG_C, &OPT_6CO_FLAG_CID],
        opt,
        3,
        1,
    )?;
    reserved(cx, opt, o, 4, 2)?;
    cx.add_be_u16(o, &OPT_6CO_VALID_LIFETIME, opt, 6)?;
    let avail = len - 8;
    if clen > 128 || avail < (clen as usize).div_ceil(8) || avail > 16 {
        cx.expert(len_node, &INVALID_OPTION_LENGTH, None);
    } else {
        let a = padded_prefix(opt, 8, avail)?;
        cx.add(
            o,
            &OPT_6CO_CONTEXT_PREFIX,
            opt.range(8, avail),
            Value::Ipv6(a),
        );
        on_6co(cx, (f & 0x0f) as u8, a, clen);
    }
    Ok(())
}

/// PREF64 (RFC 8781 §4).
fn opt_pref64(cx: &mut Cx, opt: &Tvb, o: NodeId, len_node: NodeId) -> Result<()> {
    let len = opt.len();
    // PREF64 (RFC 8781 §4): always 16 bytes.
    let v = opt.be_u16(2)?;
    let r = opt.range(2, 2);
    if len != 16 {
        cx.expert(len_node, &INVALID_OPTION_LENGTH, None);
        return Err(crate::engine::tvb::Error::Malformed(
            "PREF64 option length".into(),
        ));
    }
    cx.add_bits(
        o,
        &[&OPT_PREF64_SCALED_LIFETIME, &OPT_PREF64_PLC],
        r,
        v as u64,
    );
    // PLC 6 and 7 name no prefix length (RFC 8781 §4); tshark flags the option.
    if v & 7 > 5 {
        cx.expert(len_node, &INVALID_OPTION_LENGTH, None);
        return Ok(());
    }
    let a = padded_prefix(opt, 4, 12)?;
    cx.add(o, &OPT_PREF64_PREFIX, opt.range(4, 12), Value::Ipv6(a));
    Ok(())
}

/// A 6LoWPAN Context Option learned from an RA: its prefix is what IPHC context `cid` stands
/// for from now on (RFC 6775 §4.2, §7.2).
/// A 6CO option advertises a compression context (RFC 6775 §4.2): later IPHC headers in the
/// capture decompress with it.
fn on_6co(cx: &mut Cx, cid: u8, prefix: [u8; 16], len: u8) {
    crate::proto::sixlowpan::learn_context(cx.session, cid, prefix, len, cx.meta.number);
}

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_truncations_are_malformed, dissect_one};

    const LL_A: [u8; 16] = [
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x12, 0x4b, 0, 0, 0, 0, 1,
    ];
    const LL_B: [u8; 16] = [
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x12, 0x4b, 0, 0, 0, 0, 2,
    ];
    const ALL_NODES: [u8; 16] = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    fn pkt(ty: u8, code: u8, body: &[u8], dst: [u8; 16]) -> Vec<u8> {
        crate::proto::ipv6::rpl::tests::icmpv6_packet(ty, code, body, LL_A, dst)
    }

    #[test]
    fn router_solicitation_with_802154_short_slla() {
        // RS, SLLA with a 16-bit 802.15.4 address padded to 6 bytes (RFC 4944 §8).
        let body = [0, 0, 0, 0, 1, 1, 0x00, 0xcd, 0, 0, 0, 0];
        let v = pkt(133, 0, &body, ALL_NODES);
        let p = dissect_one(229, &v);
        assert_eq!(p.show("icmpv6.checksum.status"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.type"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.linkaddr"), ["00:cd:00:00:00:00"]);
        assert_eq!(p.show("icmpv6.opt.src_linkaddr"), ["00:cd:00:00:00:00"]);
        assert_eq!(p.info(), "Router Solicitation from 00:cd:00:00:00:00");
        assert_truncations_are_malformed(229, &v, 48);
    }

    #[test]
    fn router_advertisement_with_6lowpan_nd_options() {
        let mut b = vec![64, 0x48, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]; // O, prf high
                                                                        // SLLA EUI-64 (length 2)
        b.extend_from_slice(&[
            1, 2, 0x18, 0xc0, 0xff, 0xee, 0x1a, 0xc0, 0xff, 0xaa, 0, 0, 0, 0, 0, 0,
        ]);
        // Prefix information fd00::/64 L=0 A=1
        b.extend_from_slice(&[
            3, 4, 64, 0x40, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0,
        ]);
        b.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        // 6CO: context length 64, C=1, CID 1, lifetime 60, prefix fd00::/64 (8 bytes)
        b.extend_from_slice(&[34, 2, 64, 0x11, 0, 0, 0, 60, 0xfd, 0, 0, 0, 0, 0, 0, 0]);
        // ABRO: version 1/0, lifetime 10, 6LBR fd00::1
        b.extend_from_slice(&[35, 3, 0, 1, 0, 0, 0, 10]);
        b.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        // MTU 1280, Route information ::/0 preference low, RDNSS, Nonce
        b.extend_from_slice(&[5, 1, 0, 0, 0, 0, 5, 0]);
        b.extend_from_slice(&[24, 1, 0, 0x18, 0, 0, 0x0e, 0x10]);
        b.extend_from_slice(&[25, 3, 0, 0, 0, 0, 0, 60]);
        b.extend_from_slice(&[
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
        ]);
        b.extend_from_slice(&[14, 1, 1, 2, 3, 4, 5, 6]);
        let v = pkt(134, 0, &b, ALL_NODES);
        let p = dissect_one(229, &v);
        assert_eq!(p.show("icmpv6.checksum.status"), ["1"]);
        assert_eq!(p.show("icmpv6.nd.ra.cur_hop_limit"), ["64"]);
        assert_eq!(p.show("icmpv6.nd.ra.flag.o"), ["1"]);
        assert_eq!(p.show("icmpv6.nd.ra.flag.prf"), ["1"]);
        assert_eq!(p.show("icmpv6.nd.ra.router_lifetime"), ["1800"]);
        assert_eq!(
            p.show("icmpv6.opt.linkaddr_eui64"),
            ["18:c0:ff:ee:1a:c0:ff:aa"]
        );
        assert_eq!(
            p.show("icmpv6.opt.src_linkaddr"),
            ["18:c0:ff:ee:1a:c0:ff:aa"]
        );
        assert_eq!(p.show("icmpv6.opt.prefix.valid_lifetime"), ["86400"]);
        assert_eq!(p.show("icmpv6.opt.prefix"), ["fd00::", "::"]);
        assert_eq!(p.show("icmpv6.opt.6co.context_length"), ["64"]);
        assert_eq!(p.show("icmpv6.opt.6co.flag.c"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.6co.flag.cid"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.6co.context_prefix"), ["fd00::"]);
        assert_eq!(p.show("icmpv6.opt.abro.version_low"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.abro.6lbr_address"), ["fd00::1"]);
        assert_eq!(p.show("icmpv6.opt.mtu"), ["1280"]);
        assert_eq!(p.show("icmpv6.opt.route_info.flag.route_preference"), ["3"]);
        assert_eq!(p.show("icmpv6.opt.route_lifetime"), ["3600"]);
        assert_eq!(p.show("icmpv6.opt.rdnss"), ["2001:db8::53"]);
        assert_eq!(p.show("icmpv6.opt.nonce"), ["01:02:03:04:05:06"]);
        assert_eq!(
            p.info(),
            "Router Advertisement from 18:c0:ff:ee:1a:c0:ff:aa"
        );
        assert_truncations_are_malformed(229, &v, 40 + 16);
    }

    #[test]
    fn neighbor_solicitation_with_aro_and_earo() {
        let mut b = vec![0, 0, 0, 0];
        b.extend_from_slice(&LL_B);
        // ARO (RFC 6775): status 0, lifetime 60 (units of 60 s), EUI-64
        b.extend_from_slice(&[33, 2, 0, 0, 0, 0, 0, 60, 0x02, 0x12, 0x4b, 0, 0, 0, 0, 1]);
        // EARO (RFC 8505): T flag, TID 7, lifetime 5, 8-byte ROVR
        b.extend_from_slice(&[33, 2, 0, 0, 0x05, 7, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8]);
        let p = dissect_one(229, &pkt(135, 0, &b, LL_B));
        assert_eq!(p.show("icmpv6.checksum.status"), ["1"]);
        assert_eq!(
            p.show("icmpv6.nd.ns.target_address"),
            ["fe80::212:4b00:0:2"]
        );
        assert_eq!(p.show("icmpv6.opt.aro.registration_lifetime"), ["60", "5"]);
        assert_eq!(p.show("icmpv6.opt.aro.eui64"), ["02:12:4b:00:00:00:00:01"]);
        assert_eq!(p.show("icmpv6.opt.earo.flag.r"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.earo.tid"), ["7"]);
        assert_eq!(p.show("icmpv6.opt.earo.rovr"), ["01:02:03:04:05:06:07:08"]);
        assert_eq!(p.info(), "Neighbor Solicitation for fe80::212:4b00:0:2");
    }

    #[test]
    fn neighbor_advertisement_redirect_mld_dar() {
        let mut b = vec![0xe0, 0, 0, 0];
        b.extend_from_slice(&LL_A);
        b.extend_from_slice(&[2, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55]);
        let p = dissect_one(229, &pkt(136, 0, &b, LL_B));
        assert_eq!(p.show("icmpv6.nd.na.flag"), ["0xe0000000"]);
        assert_eq!(p.show("icmpv6.nd.na.flag.s"), ["1"]);
        assert_eq!(p.show("icmpv6.opt.target_linkaddr"), ["00:11:22:33:44:55"]);
        assert_eq!(
            p.info(),
            "Neighbor Advertisement fe80::212:4b00:0:1 (rtr, sol, ovr) is at 00:11:22:33:44:55"
        );

        // Redirect with a redirected header quoting an IPv6 packet.
        let mut r = vec![0, 0, 0, 0];
        r.extend_from_slice(&LL_B);
        r.extend_from_slice(&ALL_NODES);
        let inner = crate::proto::ipv6::ext::tests::ipv6(59, LL_A, LL_B, &[]);
        r.extend_from_slice(&[4, 6, 0, 0, 0, 0, 0, 0]);
        r.extend_from_slice(&inner);
        let p = dissect_one(229, &pkt(137, 0, &r, LL_B));
        assert_eq!(
            p.show("icmpv6.nd.rd.target_address"),
            ["fe80::212:4b00:0:2"]
        );
        assert_eq!(p.show("icmpv6.rd.na.destination_address"), ["ff02::1"]);
        assert_eq!(p.show("ipv6.src").len(), 2);
        assert_eq!(p.info(), "Redirect");

        // MLDv1 report and MLDv2 report with one record.
        let mut m = vec![0, 0, 0, 0];
        m.extend_from_slice(&ALL_NODES);
        let p = dissect_one(229, &pkt(131, 0, &m, ALL_NODES));
        assert_eq!(p.show("icmpv6.mld.maximum_response_delay"), ["0"]);
        assert_eq!(p.show("icmpv6.mld.multicast_address"), ["ff02::1"]);
        let mut m2 = vec![0, 0, 0, 1, 4, 0, 0, 0];
        m2.extend_from_slice(&ALL_NODES);
        let p = dissect_one(229, &pkt(143, 0, &m2, ALL_NODES));
        assert_eq!(p.show("icmpv6.mldr.nb_mcast_records"), ["1"]);
        assert_eq!(p.show("icmpv6.mldr.mar.record_type"), ["4"]);

        // DAR (RFC 6775 §4.4)
        let mut d = vec![0, 0, 0, 30, 0x02, 0x12, 0x4b, 0, 0, 0, 0, 1];
        d.extend_from_slice(&LL_A);
        let p = dissect_one(229, &pkt(157, 0, &d, LL_B));
        assert_eq!(p.show("icmpv6.6lowpannd.da.lifetime"), ["30"]);
        assert_eq!(
            p.show("icmpv6.6lowpannd.da.eui64"),
            ["02:12:4b:00:00:00:00:01"]
        );
        assert_eq!(
            p.show("icmpv6.6lowpannd.da.reg_addr"),
            ["fe80::212:4b00:0:1"]
        );
    }

    #[test]
    fn zero_length_option_is_malformed() {
        let body = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
        let p = dissect_one(229, &pkt(133, 0, &body, ALL_NODES));
        assert!(p.has("icmpv6.invalid_option_length"));
        assert!(p.packet.is_malformed());
    }
}
