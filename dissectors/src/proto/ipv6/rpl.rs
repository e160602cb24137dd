//! RPL control messages (RFC 6550 §6), ICMPv6 type 155, dissected into the ICMPv6 layer as
//! tshark does (`icmpv6.rpl.*`): DIS, DIO, DAO, DAO-ACK, Consistency Check, their secure
//! variants (code | 0x80) with the security section (§6.1), and the control message options
//! (§6.7) including the DAG Metric Container objects of RFC 6551.
//!
//! ```text
//! DIO (§6.3.1)
//!  0                   1                   2                   3
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | RPLInstanceID |Version Number |             Rank              |
//! |G|0| MOP | Prf |     DTSN      |     Flags     |   Reserved    |
//! |                  DODAGID (128 bits)                           |
//! |   Option(s)...
//!
//! DAO (§6.4.1)                                DAO-ACK (§6.5.1)
//! | RPLInstanceID |K|D|   Flags   | Reserved | DAOSequence |     | RPLInstanceID |D| Reserved | DAOSequence | Status |
//! |            DODAGID* (if D)             |                     |         DODAGID* (if D)       |
//!
//! Option: | Type | Option Length (bytes, after these two) | data | (Pad1 is the type alone)
//! ```

use crate::engine::colfmt::ColWrite;
use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tlv::{TlvFormat, TlvKind};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::{Cx, Endian};

use crate::proto::ipv6::icmpv6::{DATA, RESERVED, TYPE_TABLE};
use crate::proto::ipv6::nd::{INVALID_OPTION_LENGTH, OPT, UNKNOWN_DATA, UNKNOWN_DATA_EXPERT};

pub static CODES: &[(u64, &str)] = &[
    (0x00, "DODAG Information Solicitation"),
    (0x01, "DODAG Information Object"),
    (0x02, "Destination Advertisement Object"),
    (0x03, "Destination Advertisement Object Acknowledgment"),
    (0x04, "Point-to-Point Discovery Reply Object"),
    (
        0x05,
        "Point-to-Point Discovery Reply Object Acknowledgement",
    ),
    (0x80, "Secure DODAG Information Solicitation"),
    (0x81, "Secure DODAG Information Object"),
    (0x82, "Secure Destination Advertisement Object"),
    (
        0x83,
        "Secure Destination Advertisement Object Acknowledgment",
    ),
    (0x8a, "Consistency Check"),
];

pub static OPTION_TYPES: &[(u64, &str)] = &[
    (0, "Pad1"),
    (1, "PadN"),
    (2, "DAG Metric Container"),
    (3, "Routing Information"),
    (4, "DODAG Configuration"),
    (5, "RPL Target"),
    (6, "Transit Information"),
    (7, "Solicited Information"),
    (8, "Prefix Information"),
    (9, "RPL Target Descriptor"),
    (10, "P2P Route Discovery"),
];

static METRIC_TYPES: &[(u64, &str)] = &[
    (1, "Node State and Attribute"),
    (2, "Node Energy"),
    (3, "Hop Count"),
    (4, "Link Throughput"),
    (5, "Link Latency"),
    (6, "Link Quality Level"),
    (7, "Link ETX"),
    (8, "Link Color"),
];

static MOPS: &[(u64, &str)] = &[
    (0, "No downward routes maintained by RPL"),
    (1, "Non-Storing"),
    (2, "Storing without multicast support"),
    (3, "Storing with multicast support"),
];

crate::fields! {
    /// The table entry's own field; RPL adds its fields to the ICMPv6 layer, not a layer of its own.
    PROTO = FieldDef::protocol("icmpv6.rpl", "RPL Control Message");
    DIS_FLAGS = FieldDef::new("icmpv6.rpl.dis.flags", "Flags", T::U8);
    DIO_INSTANCE = FieldDef::new("icmpv6.rpl.dio.instance", "RPLInstanceID", T::U8);
    DIO_VERSION = FieldDef::new("icmpv6.rpl.dio.version", "Version", T::U8);
    DIO_RANK = FieldDef::new("icmpv6.rpl.dio.rank", "Rank", T::U16);
    DIO_FLAG = FieldDef::new("icmpv6.rpl.dio.flag", "Flags", T::U8).hex();
    DIO_FLAG_G = FieldDef::flag("icmpv6.rpl.dio.flag.g", "Grounded (G)", 8, 0x80).tfs("True", "False");
    DIO_FLAG_0 = FieldDef::flag("icmpv6.rpl.dio.flag.0", "Zero", 8, 0x40).tfs("True", "False");
    DIO_FLAG_MOP = FieldDef::new("icmpv6.rpl.dio.flag.mop", "Mode of Operation (MOP)", T::U8).hex().mask(0x38).vals(MOPS);
    DIO_FLAG_PREFERENCE = FieldDef::new("icmpv6.rpl.dio.flag.preference", "DODAG Preference", T::U8).mask(0x07);
    DIO_DTSN = FieldDef::new("icmpv6.rpl.dio.dtsn", "Destination Advertisement Trigger Sequence Number (DTSN)", T::U8);
    DIO_DAGID = FieldDef::new("icmpv6.rpl.dio.dagid", "DODAGID", T::Ipv6);
    DAO_INSTANCE = FieldDef::new("icmpv6.rpl.dao.instance", "RPLInstanceID", T::U8);
    DAO_FLAG = FieldDef::new("icmpv6.rpl.dao.flag", "Flags", T::U8).hex();
    DAO_FLAG_K = FieldDef::flag("icmpv6.rpl.dao.flag.k", "DAO-ACK Request (K)", 8, 0x80).tfs("True", "False");
    DAO_FLAG_D = FieldDef::flag("icmpv6.rpl.dao.flag.d", "DODAGID Present (D)", 8, 0x40).tfs("True", "False");
    DAO_FLAG_RSV = FieldDef::new("icmpv6.rpl.dao.flag.rsv", "Reserved", T::U8).mask(0x3f);
    DAO_SEQUENCE = FieldDef::new("icmpv6.rpl.dao.sequence", "DAO Sequence", T::U8);
    DAO_DODAGID = FieldDef::new("icmpv6.rpl.dao.dodagid", "DODAGID", T::Ipv6);
    DAOACK_INSTANCE = FieldDef::new("icmpv6.rpl.daoack.instance", "RPLInstanceID", T::U8);
    DAOACK_FLAG = FieldDef::new("icmpv6.rpl.daoack.flag", "Flag", T::U8).hex();
    DAOACK_FLAG_D = FieldDef::flag("icmpv6.rpl.daoack.flag.d", "DODAGID Present (D)", 8, 0x80).tfs("True", "False");
    DAOACK_FLAG_RSV = FieldDef::new("icmpv6.rpl.daoack.flag.rsv", "Reserved", T::U8).mask(0x7f);
    DAOACK_SEQUENCE = FieldDef::new("icmpv6.rpl.daoack.sequence", "DAO-ACK Sequence", T::U8);
    DAOACK_STATUS = FieldDef::new("icmpv6.rpl.daoack.status", "Status", T::U8);
    DAOACK_DODAGID = FieldDef::new("icmpv6.rpl.daoack.dodagid", "DODAGID", T::Ipv6);
    CC_INSTANCE = FieldDef::new("icmpv6.rpl.cc.instance", "RPLInstanceID", T::U8);
    CC_FLAG = FieldDef::new("icmpv6.rpl.cc.flag", "Flag", T::U8).hex();
    CC_FLAG_R = FieldDef::flag("icmpv6.rpl.cc.flag.r", "Response (R)", 8, 0x80).tfs("True", "False");
    CC_FLAG_RSV = FieldDef::new("icmpv6.rpl.cc.flag.rsv", "Reserved", T::U8).mask(0x7f);
    CC_NONCE = FieldDef::new("icmpv6.rpl.cc.nonce", "CC Nonce", T::U16).hex();
    CC_DODAGID = FieldDef::new("icmpv6.rpl.cc.dodagid", "DODAGID", T::Ipv6);
    CC_DESTINATION_COUNTER = FieldDef::new("icmpv6.rpl.cc.destination_counter", "Destination Counter", T::U32);
    SECURE_FLAG = FieldDef::new("icmpv6.rpl.secure.flag", "Flags", T::U8).hex();
    SECURE_FLAG_T = FieldDef::flag("icmpv6.rpl.secure.flag.t", "Counter is Time (T)", 8, 0x80).tfs("True", "False");
    SECURE_FLAG_RSV = FieldDef::new("icmpv6.rpl.secure.flag.rsv", "Reserved", T::U8).mask(0x7f);
    SECURE_ALGORITHM = FieldDef::new("icmpv6.rpl.secure.algorithm", "Algorithm", T::U8).vals(&[(0, "CCM with AES-128 and RSA with SHA-256")]);
    SECURE_KIM = FieldDef::new("icmpv6.rpl.secure.kim", "Key Identifier Mode (KIM)", T::U8).mask(0xc0);
    SECURE_LVL = FieldDef::new("icmpv6.rpl.secure.lvl", "Security Level (LVL)", T::U8).mask(0x07);
    SECURE_RSV = FieldDef::new("icmpv6.rpl.secure.rsv", "Reserved", T::U8).mask(0x38);
    SECURE_COUNTER = FieldDef::new("icmpv6.rpl.secure.counter", "Counter", T::U32);
    SECURE_KEY_SOURCE = FieldDef::new("icmpv6.rpl.secure.key.source", "Key Source", T::Bytes);
    SECURE_KEY_INDEX = FieldDef::new("icmpv6.rpl.secure.key.index", "Key Source", T::U8);

    OPT_TYPE = FieldDef::new("icmpv6.rpl.opt.type", "Type", T::U8).vals(OPTION_TYPES);
    OPT_LENGTH = FieldDef::new("icmpv6.rpl.opt.length", "Length", T::U8);
    OPT_RESERVED = FieldDef::new("icmpv6.rpl.opt.reserved", "Reserved", T::None);
    OPT_PADN = FieldDef::new("icmpv6.rpl.opt.padn", "Paddn", T::None);
    METRIC_TYPE = FieldDef::new("icmpv6.rpl.opt.metric.type", "Routing Metric/Constraint Type", T::U8).vals(METRIC_TYPES);
    METRIC_FLAGS = FieldDef::new("icmpv6.rpl.opt.metric.flags", "Flags", T::U16).hex();
    METRIC_RESERVED = FieldDef::new("icmpv6.rpl.opt.metric.reserved", "Reserved Flags", T::U16).hex().mask(0xf800);
    METRIC_FLAG_P = FieldDef::flag("icmpv6.rpl.opt.metric.flag.p", "Flag P", 16, 0x0400);
    METRIC_FLAG_C = FieldDef::flag("icmpv6.rpl.opt.metric.flag.c", "Flag C", 16, 0x0200);
    METRIC_FLAG_O = FieldDef::flag("icmpv6.rpl.opt.metric.flag.o", "Flag O", 16, 0x0100);
    METRIC_FLAG_R = FieldDef::flag("icmpv6.rpl.opt.metric.flag.r", "Flag R", 16, 0x0080);
    METRIC_FLAG_A = FieldDef::new("icmpv6.rpl.opt.metric.flag.a", "A Field", T::U16).hex().mask(0x0070);
    METRIC_PREC = FieldDef::new("icmpv6.rpl.opt.metric.prec", "Precedence field", T::U16).hex().mask(0x000f);
    METRIC_LENGTH = FieldDef::new("icmpv6.rpl.opt.metric.length", "Metric Length", T::U8);
    NSA_OBJECT = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object", "Node State and Attribute Object", T::U16).hex();
    NSA_RESERVED = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object.reserved", "Reserved field", T::U16).hex().mask(0xff00);
    NSA_FLAGS = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object.flags", "Flags", T::U16).hex().mask(0x00fc);
    NSA_FLAG_A = FieldDef::flag("icmpv6.rpl.opt.metric.nsa.object.flag.a", "Flag A", 16, 0x0002);
    NSA_FLAG_O = FieldDef::flag("icmpv6.rpl.opt.metric.nsa.object.flag.o", "Flag O", 16, 0x0001);
    NSA_TLV = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object.opttlv.object", "Node State and Attribute Optional TLV", T::U8);
    NSA_TLV_TYPE = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object.opttlv.object.type", "Node State and Attribute Optional TLV Type", T::U8);
    NSA_TLV_LENGTH = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object.opttlv.object.length", "Node State and Attribute Optional TLV Length", T::U8);
    NSA_TLV_DATA = FieldDef::new("icmpv6.rpl.opt.metric.nsa.object.opttlv.object.data", "Raw Data", T::Bytes);
    NE_OBJECT = FieldDef::new("icmpv6.rpl.opt.metric.ne.object", "Node Energy Object", T::U16).hex();
    NE_FLAGS = FieldDef::new("icmpv6.rpl.opt.metric.ne.object.flags", "Flags field", T::U16).hex().mask(0xf000);
    NE_FLAG_I = FieldDef::flag("icmpv6.rpl.opt.metric.ne.object.flag.i", "Flag I", 16, 0x0800);
    NE_TYPE = FieldDef::new("icmpv6.rpl.opt.metric.ne.object.type", "Type", T::U16).hex().mask(0x0600).vals(&[
        (0, "Powered"), (1, "Battery"), (2, "Scavenger"),
    ]);
    NE_FLAG_E = FieldDef::flag("icmpv6.rpl.opt.metric.ne.object.flag.e", "Flag E", 16, 0x0100);
    NE_ENERGY = FieldDef::new("icmpv6.rpl.opt.metric.ne.object.energy", "Energy", T::U16).hex().mask(0x00ff);
    HP_OBJECT = FieldDef::new("icmpv6.rpl.opt.metric.hp.object", "Hop Count Object", T::U16).hex();
    HP_RESERVED = FieldDef::new("icmpv6.rpl.opt.metric.hp.object.reserved", "Reserved field", T::U16).hex().mask(0xf000);
    HP_FLAGS = FieldDef::new("icmpv6.rpl.opt.metric.hp.object.flags", "Flags", T::U16).hex().mask(0x0f00);
    HP_HP = FieldDef::new("icmpv6.rpl.opt.metric.hp.object.hp", "Hop Count", T::U16).mask(0x00ff);
    LT = FieldDef::new("icmpv6.rpl.opt.metric.lt.object.lt", "Link Throughput", T::U32);
    LL = FieldDef::new("icmpv6.rpl.opt.metric.ll.object.ll", "Link Latency", T::U32);
    LQL_OBJECT = FieldDef::new("icmpv6.rpl.opt.metric.lql.object", "Link Quality Level Object", T::U8).hex();
    LQL_RES = FieldDef::new("icmpv6.rpl.opt.metric.lql.object.res", "Reserved field", T::U8).hex().mask(0xff);
    LQL_VAL = FieldDef::new("icmpv6.rpl.opt.metric.lql.object.val", "Val(ue)", T::U8).hex().mask(0xe0);
    LQL_COUNTER = FieldDef::new("icmpv6.rpl.opt.metric.lql.object.counter", "Counter", T::U8).mask(0x1f);
    ETX = FieldDef::new("icmpv6.rpl.opt.metric.etx.object.etx", "ETX", T::U16);
    LC_OBJECT = FieldDef::new("icmpv6.rpl.opt.metric.lc.object", "Link Color Object", T::None);
    LC_RES = FieldDef::new("icmpv6.rpl.opt.metric.lc.object.res", "Reserved field", T::U8).hex().mask(0xff);
    LC_LC = FieldDef::new("icmpv6.rpl.opt.metric.lc.object.lc", "Link Color", T::U16).hex().mask(0xffc0);
    LC_COUNTER = FieldDef::new("icmpv6.rpl.opt.metric.lc.object.counter", "Counter", T::U16).mask(0x003f);
    LC_RESERVED = FieldDef::new("icmpv6.rpl.opt.metric.lc.object.reserved", "Reserved", T::U16).mask(0x003e);
    LC_FLAG_I = FieldDef::new("icmpv6.rpl.opt.metric.lc.object.flag.i", "Flag I", T::U16).mask(0x0001);
    ROUTE_PREFIX_LENGTH = FieldDef::new("icmpv6.rpl.opt.route.prefix_length", "Prefix Length", T::U8);
    ROUTE_FLAG = FieldDef::new("icmpv6.rpl.opt.route.flag", "Flag", T::U8).hex();
    ROUTE_PREF = FieldDef::new("icmpv6.rpl.opt.route.pref", "Preference", T::U8).mask(0x18).vals(crate::proto::ipv6::nd::ROUTE_PREFERENCES);
    ROUTE_RESERVED = FieldDef::new("icmpv6.rpl.opt.route.reserved", "Reserved", T::U8).mask(0xe7);
    ROUTE_LIFETIME = FieldDef::new("icmpv6.rpl.opt.route.lifetime", "Route Lifetime", T::U32);
    ROUTE_PREFIX = FieldDef::new("icmpv6.rpl.opt.route.prefix", "Prefix", T::Ipv6);
    CONFIG_FLAG = FieldDef::new("icmpv6.rpl.opt.config.flag", "Flag", T::U8).hex();
    CONFIG_RESERVED = FieldDef::new("icmpv6.rpl.opt.config.reserved", "Reserved", T::U8).mask(0xf0);
    CONFIG_AUTH = FieldDef::flag("icmpv6.rpl.opt.config.auth", "Authentication Enabled", 8, 0x08).tfs("True", "False");
    CONFIG_PCS = FieldDef::new("icmpv6.rpl.opt.config.pcs", "Path Control Size", T::U8).mask(0x07);
    CONFIG_INTERVAL_DOUBLE = FieldDef::new("icmpv6.rpl.opt.config.interval_double", "DIOIntervalDoublings", T::U8);
    CONFIG_INTERVAL_MIN = FieldDef::new("icmpv6.rpl.opt.config.interval_min", "DIOIntervalMin", T::U16);
    CONFIG_REDUNDANCY = FieldDef::new("icmpv6.rpl.opt.config.redundancy", "DIORedundancyConstant", T::U8);
    CONFIG_MAX_RANK_INC = FieldDef::new("icmpv6.rpl.opt.config.max_rank_inc", "MaxRankInc", T::U16);
    CONFIG_MIN_HOP_RANK_INC = FieldDef::new("icmpv6.rpl.opt.config.min_hop_rank_inc", "MinHopRankInc", T::U16);
    CONFIG_OCP = FieldDef::new("icmpv6.rpl.opt.config.ocp", "OCP (Objective Code Point)", T::U16);
    CONFIG_RSV = FieldDef::new("icmpv6.rpl.opt.config.rsv", "Reserved", T::U8);
    CONFIG_DEF_LIFETIME = FieldDef::new("icmpv6.rpl.opt.config.def_lifetime", "Default Lifetime", T::U8);
    CONFIG_LIFETIME_UNIT = FieldDef::new("icmpv6.rpl.opt.config.lifetime_unit", "Lifetime Unit", T::U16);
    TARGET_FLAG = FieldDef::new("icmpv6.rpl.opt.target.flag", "Reserved", T::None);
    TARGET_PREFIX_LENGTH = FieldDef::new("icmpv6.rpl.opt.target.prefix_length", "Target Length", T::U8);
    TARGET_PREFIX = FieldDef::new("icmpv6.rpl.opt.target.prefix", "Target", T::Ipv6);
    TRANSIT_FLAG = FieldDef::new("icmpv6.rpl.opt.transit.flag", "Flags", T::U8).hex();
    TRANSIT_FLAG_E = FieldDef::flag("icmpv6.rpl.opt.transit.flag.e", "External", 8, 0x80).tfs("True", "False");
    TRANSIT_FLAG_RSV = FieldDef::new("icmpv6.rpl.opt.transit.flag.rsv", "Reserved", T::U8).mask(0x7f);
    TRANSIT_PATHCTL = FieldDef::new("icmpv6.rpl.opt.transit.pathctl", "Path Control", T::U8);
    TRANSIT_PATHSEQ = FieldDef::new("icmpv6.rpl.opt.transit.pathseq", "Path Sequence", T::U8);
    TRANSIT_PATHLIFETIME = FieldDef::new("icmpv6.rpl.opt.transit.pathlifetime", "Path Lifetime", T::U8);
    TRANSIT_PARENT = FieldDef::new("icmpv6.rpl.opt.transit.parent", "Parent Address", T::Ipv6);
    SOLICITED_INSTANCE = FieldDef::new("icmpv6.rpl.opt.solicited.instance", "Instance", T::U8);
    SOLICITED_FLAG = FieldDef::new("icmpv6.rpl.opt.solicited.flag", "Flag", T::U8).hex();
    SOLICITED_FLAG_V = FieldDef::flag("icmpv6.rpl.opt.solicited.flag.v", "Version predicate", 8, 0x80).tfs("True", "False");
    SOLICITED_FLAG_I = FieldDef::flag("icmpv6.rpl.opt.solicited.flag.i", "InstanceID predicate", 8, 0x40).tfs("True", "False");
    SOLICITED_FLAG_D = FieldDef::flag("icmpv6.rpl.opt.solicited.flag.d", "DODAGID predicate", 8, 0x20).tfs("True", "False");
    SOLICITED_FLAG_RSV = FieldDef::new("icmpv6.rpl.opt.solicited.flag.rsv", "Reserved", T::U8).mask(0x1f);
    SOLICITED_DODAGID = FieldDef::new("icmpv6.rpl.opt.solicited.dodagid", "DODAGID", T::Ipv6);
    SOLICITED_VERSION = FieldDef::new("icmpv6.rpl.opt.solicited.version", "Version", T::U8);
    PREFIX_LENGTH = FieldDef::new("icmpv6.rpl.opt.prefix.length", "Prefix Length", T::U8);
    PREFIX_FLAG = FieldDef::new("icmpv6.rpl.opt.prefix.flag", "Flag", T::U8).hex();
    PREFIX_FLAG_L = FieldDef::flag("icmpv6.rpl.opt.prefix.flag.l", "On Link", 8, 0x80).tfs("True", "False");
    // tshark 4.0 files the prefix option's A, R and reserved bits under `config.flag.*`.
    PREFIX_FLAG_A = FieldDef::flag("icmpv6.rpl.opt.config.flag.a", "Auto Address Config", 8, 0x40).tfs("True", "False");
    PREFIX_FLAG_R = FieldDef::flag("icmpv6.rpl.opt.config.flag.r", "Router Address", 8, 0x20).tfs("True", "False");
    PREFIX_FLAG_RSV = FieldDef::new("icmpv6.rpl.opt.config.flag.rsv", "Reserved", T::U8).mask(0x1f);
    PREFIX_VALID_LIFETIME = FieldDef::new("icmpv6.rpl.opt.prefix.valid_lifetime", "Valid Lifetime", T::U32);
    PREFIX_PREFERRED_LIFETIME = FieldDef::new("icmpv6.rpl.opt.prefix.preferred_lifetime", "Preferred Lifetime", T::U32);
    PREFIX = FieldDef::new("icmpv6.rpl.opt.prefix", "Destination Prefix", T::Ipv6);
    TARGETDESC = FieldDef::new("icmpv6.rpl.opt.targetdesc.descriptor", "Descriptor", T::U32).hex();
}

crate::experts! {
    UNDECODED_RPL_OPTION = ExpertDef::new("icmpv6.undecoded.rpl_option", Group::Undecoded, Severity::Warn, "Undecoded RPL Option");
    UNKNOWN_METRIC = ExpertDef::new("icmpv6.rpl.unknown.metric", Group::Undecoded, Severity::Note, "Unknown RPL metric/constraint type");
}

crate::protocol!("icmpv6.rpl", "ICMPv6", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(TYPE_TABLE, 155, &PROTOCOL);
}

/// `tvb` is the whole ICMPv6 message; `node` the ICMPv6 layer.
fn dissect(tvb: &Tvb, cx: &mut Cx, node: NodeId) -> Result<()> {
    let code = tvb.u8(1)?;
    let name = crate::engine::field::val_to_str(CODES, code as u64).unwrap_or("Unknown");
    cx.columns.info.reset().s("RPL Control (").s(name).s(")");
    let mut off = 4;
    // Secure variants (and the Consistency Check, always secured, §6.6) start with the
    // security section and end with a MAC or signature whose size the level gives (§6.1).
    let mut trailer = 0;
    if code & 0x80 != 0 {
        let Some((o, t)) = dissect_secure_start(tvb, cx, node, off)? else {
            return Ok(());
        };
        (off, trailer) = (o, t);
    }
    let full = *tvb;
    let tvb = &tvb.sub(0, tvb.len() - trailer)?;
    let base: fn(&Tvb, &mut Cx, NodeId, usize) -> Result<usize> = match code & 0x7f {
        0x00 => dis_base,
        0x01 => dio_base,
        0x02 => dao_base,
        0x03 => dao_ack_base,
        0x0a => cc_base,
        _ => {
            let rest = tvb.remaining(off);
            if rest > 0 {
                cx.add_bytes(node, &DATA, tvb, off, rest)?;
            }
            return Ok(());
        }
    };
    off = base(tvb, cx, node, off)?;
    dissect_options(tvb, cx, node, off)?;
    if trailer > 0 {
        let lvl = full.u8(6)? & 7;
        add_trailer(&full, cx, node, full.len() - trailer, lvl)?;
    }
    Ok(())
}

/// The security section of a secure message and the size of its trailer; None when the
/// body is encrypted (then shown as data with its trailer, nothing more to read).
fn dissect_secure_start(
    tvb: &Tvb,
    cx: &mut Cx,
    node: NodeId,
    off: usize,
) -> Result<Option<(usize, usize)>> {
    let (off, lvl) = dissect_security(tvb, cx, node, off)?;
    let trailer = match lvl {
        0 | 1 => 4,
        2 | 3 => 8,
        4 | 5 => 384,
        _ => 256,
    };
    if tvb.remaining(off) < trailer {
        return Err(crate::engine::tvb::Error::Short);
    }
    if lvl & 1 == 0 {
        return Ok(Some((off, trailer)));
    }
    // An encrypted body (ENC-* levels) cannot be read without the key.
    let n = tvb.len() - off - trailer;
    if n > 0 {
        let d = cx.add(
            node,
            &DATA,
            tvb.range(off, n),
            Value::bytes(tvb.bytes(off, n)?),
        );
        cx.set_text(d, format_args!("Encrypted message ({n} bytes)"));
    }
    add_trailer(tvb, cx, node, tvb.len() - trailer, lvl)?;
    Ok(None)
}

/// DODAG Information Solicitation base (§6.2.1).
fn dis_base(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    cx.add_u8(node, &DIS_FLAGS, tvb, off)?;
    cx.add_bytes(node, &RESERVED, tvb, off + 1, 1)?;
    Ok(off + 2)
}

/// DODAG Information Object base (§6.3.1).
fn dio_base(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    cx.add_u8(node, &DIO_INSTANCE, tvb, off)?;
    cx.add_u8(node, &DIO_VERSION, tvb, off + 1)?;
    cx.add_be_u16(node, &DIO_RANK, tvb, off + 2)?;
    cx.add_bitmask8(
        node,
        &DIO_FLAG,
        &[
            &DIO_FLAG_G,
            &DIO_FLAG_0,
            &DIO_FLAG_MOP,
            &DIO_FLAG_PREFERENCE,
        ],
        tvb,
        off + 4,
    )?;
    cx.add_u8(node, &DIO_DTSN, tvb, off + 5)?;
    cx.add_u8(node, &DIO_FLAG, tvb, off + 6)?;
    cx.add_bytes(node, &RESERVED, tvb, off + 7, 1)?;
    cx.add_ipv6(node, &DIO_DAGID, tvb, off + 8)?;
    Ok(off + 24)
}

/// Destination Advertisement Object base (§6.4.1), with the DODAGID when D is set.
fn dao_base(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    cx.add_u8(node, &DAO_INSTANCE, tvb, off)?;
    let f = cx.add_bitmask8(
        node,
        &DAO_FLAG,
        &[&DAO_FLAG_K, &DAO_FLAG_D, &DAO_FLAG_RSV],
        tvb,
        off + 1,
    )?;
    cx.add_bytes(node, &RESERVED, tvb, off + 2, 1)?;
    cx.add_u8(node, &DAO_SEQUENCE, tvb, off + 3)?;
    if f & 0x40 == 0 {
        return Ok(off + 4);
    }
    cx.add_ipv6(node, &DAO_DODAGID, tvb, off + 4)?;
    Ok(off + 20)
}

/// DAO-ACK base (§6.5.1), with the DODAGID when D is set.
fn dao_ack_base(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    cx.add_u8(node, &DAOACK_INSTANCE, tvb, off)?;
    let f = cx.add_bitmask8(
        node,
        &DAOACK_FLAG,
        &[&DAOACK_FLAG_D, &DAOACK_FLAG_RSV],
        tvb,
        off + 1,
    )?;
    cx.add_u8(node, &DAOACK_SEQUENCE, tvb, off + 2)?;
    cx.add_u8(node, &DAOACK_STATUS, tvb, off + 3)?;
    if f & 0x80 == 0 {
        return Ok(off + 4);
    }
    cx.add_ipv6(node, &DAOACK_DODAGID, tvb, off + 4)?;
    Ok(off + 20)
}

/// Consistency Check base (§6.6.1).
fn cc_base(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<usize> {
    cx.add_u8(node, &CC_INSTANCE, tvb, off)?;
    cx.add_bitmask8(node, &CC_FLAG, &[&CC_FLAG_R, &CC_FLAG_RSV], tvb, off + 1)?;
    cx.add_be_u16(node, &CC_NONCE, tvb, off + 2)?;
    cx.add_ipv6(node, &CC_DODAGID, tvb, off + 4)?;
    cx.add_be_u32(node, &CC_DESTINATION_COUNTER, tvb, off + 20)?;
    Ok(off + 24)
}

/// The MAC (LVL 0–3) or signature (LVL 4–7) that ends a secure message (§6.1).
fn add_trailer(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize, lvl: u8) -> Result<()> {
    let n = tvb.remaining(off);
    let d = cx.add(
        node,
        &DATA,
        tvb.range(off, n),
        Value::bytes(tvb.bytes(off, n)?),
    );
    let what = if lvl < 4 {
        "Message Authentication Code"
    } else {
        "Signature"
    };
    cx.set_text(d, format_args!("{what} ({n} bytes)"));
    Ok(())
}

/// The security section of secure RPL messages (RFC 6550 §6.1).
fn dissect_security(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<(usize, u8)> {
    cx.add_bitmask8(
        node,
        &SECURE_FLAG,
        &[&SECURE_FLAG_T, &SECURE_FLAG_RSV],
        tvb,
        off,
    )?;
    cx.add_u8(node, &SECURE_ALGORITHM, tvb, off + 1)?;
    // tshark files the KIM/LVL byte and the flags byte after it under `secure.flag` too.
    let b = cx.add_bitmask8(
        node,
        &SECURE_FLAG,
        &[&SECURE_KIM, &SECURE_LVL, &SECURE_RSV],
        tvb,
        off + 2,
    )?;
    cx.add_u8(node, &SECURE_FLAG, tvb, off + 3)?;
    cx.add_be_u32(node, &SECURE_COUNTER, tvb, off + 4)?;
    let mut off = off + 8;
    // Key Identifier (§6.1): KIM 0 → index; 1 → none (peer-to-peer key); 2 → source + index;
    // 3 → source + index when LVL asks for a signature key, else none.
    let kim = b >> 6;
    let lvl = b & 7;
    let (source, index) = match kim {
        0 => (false, true),
        2 => (true, true),
        3 if lvl & 1 == 1 => (true, true),
        _ => (false, false),
    };
    if source {
        cx.add_bytes(node, &SECURE_KEY_SOURCE, tvb, off, 8)?;
        off += 8;
    }
    if index {
        cx.add_u8(node, &SECURE_KEY_INDEX, tvb, off)?;
        off += 1;
    }
    Ok((off, lvl))
}

/// Reads a prefix of `plen` bits stored in `avail` bytes (the rest of the 16 zero).
fn prefix_addr(tvb: &Tvb, off: usize, avail: usize) -> Result<[u8; 16]> {
    let b = tvb.bytes(off, avail.min(16))?;
    let mut a = [0u8; 16];
    a[..b.len()].copy_from_slice(b);
    Ok(a)
}

/// The options from `off` to the end of the message (§6.7).
pub fn dissect_options(tvb: &Tvb, cx: &mut Cx, node: NodeId, off: usize) -> Result<()> {
    for t in TlvFormat::IPV6_OPTIONS.walk(tvb, off, tvb.len()) {
        let (off, ty) = (t.off, t.ty as u8);
        let tname = crate::engine::field::val_to_str(OPTION_TYPES, ty as u64).unwrap_or("Unknown");
        match t.kind {
            TlvKind::Pad => {
                let o = cx.add(node, &OPT, tvb.range(off, 1), Value::None);
                cx.set_text(o, "Pad1");
                cx.add_uint(o, &OPT_TYPE, tvb.range(off, 1), 0);
                continue;
            }
            // The length octet is missing.
            TlvKind::Truncated => return Err(Error::Short),
            // An overrun fails at the value below, after the option's header is shown.
            _ => {}
        }
        let olen = t.value_len;
        let o = cx.add(node, &OPT, tvb.range(off, 2 + olen), Value::None);
        cx.set_text(o, tname);
        cx.add_uint(o, &OPT_TYPE, tvb.range(off, 1), ty as u64);
        let len_node = cx.add_uint(o, &OPT_LENGTH, tvb.range(off + 1, 1), olen as u64);
        let d = off + 2;
        let opt = tvb.sub(d, olen)?;
        let used = dissect_option(&opt, cx, o, len_node, ty)?;
        if used < olen {
            let r = opt.range(used, olen - used);
            let u = cx.add(
                o,
                &UNKNOWN_DATA,
                r,
                Value::bytes(opt.bytes(used, olen - used)?),
            );
            cx.expert(u, &UNKNOWN_DATA_EXPERT, None);
        }
    }
    Ok(())
}

/// One option's data (`opt` is the data after type and length); returns the bytes used.
fn dissect_option(opt: &Tvb, cx: &mut Cx, o: NodeId, len_node: NodeId, ty: u8) -> Result<usize> {
    let olen = opt.len();
    let invalid = |cx: &mut Cx| {
        cx.expert(len_node, &INVALID_OPTION_LENGTH, None);
    };
    Ok(match ty {
        1 => {
            cx.add(o, &OPT_PADN, opt.whole(), Value::None);
            olen
        }
        2 => {
            dissect_metric_container(opt, cx, o)?;
            olen
        }
        3 => {
            let plen = cx.add_u8(o, &ROUTE_PREFIX_LENGTH, opt, 0)?;
            cx.add_bitmask8(o, &ROUTE_FLAG, &[&ROUTE_PREF, &ROUTE_RESERVED], opt, 1)?;
            cx.add_be_u32(o, &ROUTE_LIFETIME, opt, 2)?;
            let avail = olen.saturating_sub(6);
            if plen > 128 || avail < (plen as usize).div_ceil(8) || avail > 16 {
                invalid(cx);
                6
            } else {
                let a = prefix_addr(opt, 6, avail)?;
                cx.add(o, &ROUTE_PREFIX, opt.range(6, avail), Value::Ipv6(a));
                olen
            }
        }
        4 => opt_config(opt, cx, o)?,
        5 => {
            cx.add(o, &TARGET_FLAG, opt.range(0, 1), Value::None);
            opt.u8(0)?;
            let plen = cx.add_u8(o, &TARGET_PREFIX_LENGTH, opt, 1)?;
            let avail = olen.saturating_sub(2);
            // The target is padded to whole octets (§6.7.7); more than 16 bytes cannot be an
            // address (tshark then shows the rest as unknown data).
            if plen > 128 || avail < (plen as usize).div_ceil(8) || avail > 16 {
                invalid(cx);
                2
            } else {
                let a = prefix_addr(opt, 2, avail)?;
                cx.add(o, &TARGET_PREFIX, opt.range(2, avail), Value::Ipv6(a));
                olen
            }
        }
        6 => {
            cx.add_bitmask8(
                o,
                &TRANSIT_FLAG,
                &[&TRANSIT_FLAG_E, &TRANSIT_FLAG_RSV],
                opt,
                0,
            )?;
            cx.add_u8(o, &TRANSIT_PATHCTL, opt, 1)?;
            cx.add_u8(o, &TRANSIT_PATHSEQ, opt, 2)?;
            cx.add_u8(o, &TRANSIT_PATHLIFETIME, opt, 3)?;
            // The parent address is there in non-storing mode only (§6.7.8).
            if olen >= 20 {
                cx.add_ipv6(o, &TRANSIT_PARENT, opt, 4)?;
                20
            } else {
                4
            }
        }
        7 => opt_solicited(opt, cx, o)?,
        8 => opt_prefix_info(opt, cx, o)?,
        9 => {
            cx.add_be_u32(o, &TARGETDESC, opt, 0)?;
            4
        }
        _ => {
            cx.expert_with(
                o,
                &UNDECODED_RPL_OPTION,
                || format!(
                    "Dissector for ICMPv6 RPL Option ({ty}) code not implemented, Contact Wireshark developers if you want this supported"
                ),
            );
            cx.add_with(o, &DATA, opt.whole(), || Value::bytes(opt.data()));
            olen
        }
    })
}

/// DODAG Configuration (RFC 6550 §6.7.6); returns the octets read.
fn opt_config(opt: &Tvb, cx: &mut Cx, o: NodeId) -> Result<usize> {
    cx.add_bitmask8(
        o,
        &CONFIG_FLAG,
        &[&CONFIG_RESERVED, &CONFIG_AUTH, &CONFIG_PCS],
        opt,
        0,
    )?;
    cx.add_u8(o, &CONFIG_INTERVAL_DOUBLE, opt, 1)?;
    cx.add_u8(o, &CONFIG_INTERVAL_MIN, opt, 2)?;
    cx.add_u8(o, &CONFIG_REDUNDANCY, opt, 3)?;
    cx.add_be_u16(o, &CONFIG_MAX_RANK_INC, opt, 4)?;
    cx.add_be_u16(o, &CONFIG_MIN_HOP_RANK_INC, opt, 6)?;
    cx.add_be_u16(o, &CONFIG_OCP, opt, 8)?;
    cx.add_u8(o, &CONFIG_RSV, opt, 10)?;
    cx.add_u8(o, &CONFIG_DEF_LIFETIME, opt, 11)?;
    cx.add_be_u16(o, &CONFIG_LIFETIME_UNIT, opt, 12)?;
    Ok(14)
}

/// Solicited Information (§6.7.9); returns the octets read.
fn opt_solicited(opt: &Tvb, cx: &mut Cx, o: NodeId) -> Result<usize> {
    cx.add_u8(o, &SOLICITED_INSTANCE, opt, 0)?;
    cx.add_bitmask8(
        o,
        &SOLICITED_FLAG,
        &[
            &SOLICITED_FLAG_V,
            &SOLICITED_FLAG_I,
            &SOLICITED_FLAG_D,
            &SOLICITED_FLAG_RSV,
        ],
        opt,
        1,
    )?;
    cx.add_ipv6(o, &SOLICITED_DODAGID, opt, 2)?;
    cx.add_u8(o, &SOLICITED_VERSION, opt, 18)?;
    Ok(19)
}

/// Prefix Information (§6.7.10); returns the octets read.
fn opt_prefix_info(opt: &Tvb, cx: &mut Cx, o: NodeId) -> Result<usize> {
    cx.add_u8(o, &PREFIX_LENGTH, opt, 0)?;
    cx.add_bitmask8(
        o,
        &PREFIX_FLAG,
        &[
            &PREFIX_FLAG_L,
            &PREFIX_FLAG_A,
            &PREFIX_FLAG_R,
            &PREFIX_FLAG_RSV,
        ],
        opt,
        1,
    )?;
    cx.add_be_u32(o, &PREFIX_VALID_LIFETIME, opt, 2)?;
    cx.add_be_u32(o, &PREFIX_PREFERRED_LIFETIME, opt, 6)?;
    opt.bytes(10, 4)?;
    cx.add(o, &OPT_RESERVED, opt.range(10, 4), Value::None);
    cx.add_ipv6(o, &PREFIX, opt, 14)?;
    Ok(30)
}

/// DAG Metric Container (RFC 6551 §2): a sequence of metric/constraint objects.
fn dissect_metric_container(opt: &Tvb, cx: &mut Cx, o: NodeId) -> Result<()> {
    let mut off = 0;
    while off < opt.len() {
        let mtype = cx.add_u8(o, &METRIC_TYPE, opt, off)?;
        let flags = opt.be_u16(off + 1)?;
        let fr = opt.range(off + 1, 2);
        let fnode = cx.add_uint(o, &METRIC_FLAGS, fr, flags as u64);
        cx.add_bits(
            fnode,
            &[
                &METRIC_RESERVED,
                &METRIC_FLAG_P,
                &METRIC_FLAG_C,
                &METRIC_FLAG_O,
                &METRIC_FLAG_R,
                &METRIC_FLAG_A,
                &METRIC_PREC,
            ],
            fr,
            flags as u64,
        );
        let mlen = cx.add_u8(o, &METRIC_LENGTH, opt, off + 3)? as usize;
        let body = opt.sub(off + 4, mlen)?;
        // C flag: the object is a constraint (link color then carries the I bit).
        let constraint = flags & 0x0200 != 0;
        dissect_metric_object(&body, cx, o, mtype, constraint)?;
        off += 4 + mlen;
    }
    Ok(())
}

/// One routing metric/constraint object's body by type (RFC 6551 §3–§4).
fn dissect_metric_object(
    b: &Tvb,
    cx: &mut Cx,
    o: NodeId,
    mtype: u8,
    constraint: bool,
) -> Result<()> {
    match mtype {
        1 => metric_nsa(b, cx, o)?,
        2 => {
            // NE (§3.2): Flags(4) I T(2) E E_E(8), one per node.
            let bits = [&NE_FLAGS, &NE_FLAG_I, &NE_TYPE, &NE_FLAG_E, &NE_ENERGY];
            for off in (0..b.len()).step_by(2) {
                add_bits16(b, cx, o, &NE_OBJECT, &bits, off)?;
            }
        }
        3 => {
            // HP (§3.3): Res(4) Flags(4) HopCount(8).
            add_bits16(b, cx, o, &HP_OBJECT, &[&HP_RESERVED, &HP_FLAGS, &HP_HP], 0)?;
        }
        4 | 5 => {
            // Throughput / latency (§4.1, §4.2): 32-bit values, one per link when recorded.
            let f = if mtype == 4 { &LT } else { &LL };
            let mut off = 0;
            while off + 4 <= b.len() {
                cx.add_be_u32(o, f, b, off)?;
                off += 4;
            }
            if off < b.len() {
                b.be_u32(off)?;
            }
        }
        6 => {
            // LQL (§4.3.1): Res(8), then Val(3) Counter(5) per link.
            let res = b.u8(0)?;
            cx.add_uint(o, &LQL_RES, b.range(0, 1), res as u64);
            for off in 1..b.len() {
                let v = b.u8(off)?;
                let r = b.range(off, 1);
                let n = cx.add_uint(o, &LQL_OBJECT, r, v as u64);
                cx.add_bits(n, &[&LQL_VAL, &LQL_COUNTER], r, v as u64);
            }
        }
        7 => {
            // ETX (§4.3.2): 16 bits, ETX × 128, one per link when recorded.
            for off in (0..b.len()).step_by(2) {
                cx.add_be_u16(o, &ETX, b, off)?;
            }
        }
        8 => metric_link_color(b, cx, o, constraint)?,
        _ => {
            cx.expert(o, &UNKNOWN_METRIC, None);
        }
    }
    Ok(())
}

/// A 16-bit object at `off` with its bit fields.
fn add_bits16(
    b: &Tvb,
    cx: &mut Cx,
    o: NodeId,
    obj: &'static FieldDef,
    bits: &[&'static FieldDef],
    off: usize,
) -> Result<()> {
    let v = b.be_u16(off)?;
    let r = b.range(off, 2);
    let n = cx.add_uint(o, obj, r, v as u64);
    cx.add_bits(n, bits, r, v as u64);
    Ok(())
}

/// Node State and Attribute (§3.1): Res(8) Flags(6) A O, then optional TLVs.
fn metric_nsa(b: &Tvb, cx: &mut Cx, o: NodeId) -> Result<()> {
    let bits = [&NSA_RESERVED, &NSA_FLAGS, &NSA_FLAG_A, &NSA_FLAG_O];
    add_bits16(b, cx, o, &NSA_OBJECT, &bits, 0)?;
    let mut off = 2;
    while off < b.len() {
        let tlv = cx.add_int(o, &NSA_TLV, b, off, 1, Endian::Big)?;
        let (tn, t) = (tlv.node, tlv.value);
        let l = b.u8(off + 1)? as usize;
        cx.add_uint(tn, &NSA_TLV_TYPE, b.range(off, 1), t);
        cx.add_u8(tn, &NSA_TLV_LENGTH, b, off + 1)?;
        cx.add_bytes(tn, &NSA_TLV_DATA, b, off + 2, l)?;
        off += 2 + l;
    }
    Ok(())
}

/// Link color (§4.4): Res(8), then Color(10) Counter(6) as a metric, or Color(10)
/// Reserved(5) I(1) as a constraint.
fn metric_link_color(b: &Tvb, cx: &mut Cx, o: NodeId, constraint: bool) -> Result<()> {
    let lc = cx.add(o, &LC_OBJECT, b.whole(), Value::None);
    let res = b.u8(0)?;
    cx.add_uint(lc, &LC_RES, b.range(0, 1), res as u64);
    let mut off = 1;
    while off < b.len() {
        let v = b.be_u16(off)?;
        let r = b.range(off, 2);
        if constraint {
            cx.add_bits(lc, &[&LC_LC, &LC_RESERVED, &LC_FLAG_I], r, v as u64);
        } else {
            cx.add_bits(lc, &[&LC_LC, &LC_COUNTER], r, v as u64);
        }
        off += 2;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::proto::ipv6::ext::tests::{ipv6, A};
    use crate::testutil::{assert_truncations_are_malformed, dissect_one, TestPacket};

    const ALL_RPL_NODES: [u8; 16] = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1a];

    /// IPv6 + ICMPv6 type 155 with a correct checksum.
    pub fn rpl_packet(code: u8, body: &[u8]) -> Vec<u8> {
        icmpv6_packet(155, code, body, A, ALL_RPL_NODES)
    }

    pub fn icmpv6_packet(ty: u8, code: u8, body: &[u8], src: [u8; 16], dst: [u8; 16]) -> Vec<u8> {
        let mut m = vec![ty, code, 0, 0];
        m.extend_from_slice(body);
        let c = crate::engine::checksum::compute_with_pseudo(
            &crate::Address::Ipv6(src),
            &crate::Address::Ipv6(dst),
            58,
            &m,
            2,
        )
        .unwrap();
        m[2..4].copy_from_slice(&c.to_be_bytes());
        ipv6(58, src, dst, &m)
    }

    fn check(p: &TestPacket) {
        assert_eq!(p.show("icmpv6.checksum.status"), ["1"]);
        assert!(!p.packet.is_malformed(), "{:?}", p.packet.tree);
    }

    #[test]
    fn dis_with_solicited_information() {
        // DIS flags 0, reserved 0; Solicited Information (§6.7.9): instance 30, V|I|D,
        // DODAGID fd00::1, version 7.
        let mut body = vec![0, 0, 7, 19, 30, 0xe0];
        body.extend_from_slice(&A);
        body.push(7);
        let v = rpl_packet(0, &body);
        let p = dissect_one(229, &v);
        check(&p);
        assert_eq!(p.info(), "RPL Control (DODAG Information Solicitation)");
        assert_eq!(p.show("icmpv6.rpl.dis.flags"), ["0"]);
        assert_eq!(p.show("icmpv6.rpl.opt.solicited.instance"), ["30"]);
        assert_eq!(p.show("icmpv6.rpl.opt.solicited.flag"), ["0xe0"]);
        assert_eq!(p.show("icmpv6.rpl.opt.solicited.flag.d"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.solicited.dodagid"), ["fd00::1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.solicited.version"), ["7"]);
        // Cut inside the fixed part must be malformed; a cut at an option boundary is a
        // shorter, valid message.
        assert_truncations_are_malformed(229, &v, 46);
    }

    /// A DIO as in RFC 6550 §6.3.1 with DODAG configuration, prefix information, route
    /// information and a metric container.
    pub fn dio_body(rank: u16, version: u8) -> Vec<u8> {
        let mut b = vec![30, version];
        b.extend_from_slice(&rank.to_be_bytes());
        b.extend_from_slice(&[0x88, 240, 0, 0]); // G, MOP 1 (non-storing), DTSN 240
        b.extend_from_slice(&A);
        // DODAG Configuration (§6.7.6)
        b.extend_from_slice(&[
            4, 14, 0x07, 8, 12, 10, 0x07, 0x00, 0x01, 0x00, 0, 1, 0, 30, 0, 60,
        ]);
        // Prefix Information (§6.7.10): fd00::/64, L=0 A=1 R=1
        b.extend_from_slice(&[
            8, 30, 64, 0x60, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0, 0, 0,
        ]);
        b.extend_from_slice(&A);
        // Route Information (§6.7.5): 2001:db8::/32, preference high (01), lifetime 300
        b.extend_from_slice(&[3, 10, 32, 0x08, 0, 0, 1, 44, 0x20, 0x01, 0x0d, 0xb8]);
        // Metric container (RFC 6551): hop count 3 (type 3), ETX 256 (type 7, P flag set),
        // LQL (type 6) two links, link color (type 8) as a constraint, NE (type 2), NSA (1),
        // throughput and latency.
        use crate::testutil::rfc6551::*;
        let nsa_with_parents: &[u8] = &[1, 0x00, 0x00, 6, 0x00, 0x02, 1, 2, 0xaa, 0xbb];
        let objs: Vec<u8> = [
            HOP_COUNT,
            ETX,
            LQL,
            LINK_COLOR_CONSTRAINT,
            NODE_ENERGY,
            nsa_with_parents,
            THROUGHPUT,
            LATENCY,
        ]
        .concat();
        b.push(2);
        b.push(objs.len() as u8);
        b.extend_from_slice(&objs);
        b.extend_from_slice(&[1, 2, 0, 0]); // PadN
        b.push(0); // Pad1
        b
    }

    #[test]
    fn dio_with_options() {
        let v = rpl_packet(1, &dio_body(256, 245));
        let p = dissect_one(229, &v);
        check(&p);
        assert_eq!(p.info(), "RPL Control (DODAG Information Object)");
        assert_eq!(p.show("icmpv6.rpl.dio.instance"), ["30"]);
        assert_eq!(p.show("icmpv6.rpl.dio.version"), ["245"]);
        assert_eq!(p.show("icmpv6.rpl.dio.rank"), ["256"]);
        assert_eq!(p.show("icmpv6.rpl.dio.flag"), ["0x88", "0x00"]);
        assert_eq!(p.show("icmpv6.rpl.dio.flag.g"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.dio.flag.mop"), ["0x01"]);
        assert_eq!(p.show("icmpv6.rpl.dio.dtsn"), ["240"]);
        assert_eq!(p.show("icmpv6.rpl.dio.dagid"), ["fd00::1"]);
        assert_eq!(
            p.show("icmpv6.rpl.opt.type"),
            ["4", "8", "3", "2", "1", "0"]
        );
        assert_eq!(p.show("icmpv6.rpl.opt.config.pcs"), ["7"]);
        assert_eq!(p.show("icmpv6.rpl.opt.config.interval_min"), ["12"]);
        assert_eq!(p.show("icmpv6.rpl.opt.config.min_hop_rank_inc"), ["256"]);
        assert_eq!(p.show("icmpv6.rpl.opt.config.ocp"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.config.lifetime_unit"), ["60"]);
        assert_eq!(p.show("icmpv6.rpl.opt.prefix.length"), ["64"]);
        assert_eq!(p.show("icmpv6.rpl.opt.config.flag.a"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.prefix.valid_lifetime"), ["3600"]);
        assert_eq!(p.show("icmpv6.rpl.opt.prefix"), ["fd00::1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.route.prefix_length"), ["32"]);
        assert_eq!(p.show("icmpv6.rpl.opt.route.pref"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.route.lifetime"), ["300"]);
        assert_eq!(p.show("icmpv6.rpl.opt.route.prefix"), ["2001:db8::"]);
        assert_eq!(
            p.show("icmpv6.rpl.opt.metric.type"),
            ["3", "7", "6", "8", "2", "1", "4", "5"]
        );
        assert_eq!(p.show("icmpv6.rpl.opt.metric.hp.object.hp"), ["3"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.etx.object.etx"), ["256"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.flag.p")[1], "1");
        assert_eq!(
            p.show("icmpv6.rpl.opt.metric.lql.object.val"),
            ["0x02", "0x01"]
        );
        assert_eq!(
            p.show("icmpv6.rpl.opt.metric.lql.object.counter"),
            ["1", "2"]
        );
        assert_eq!(p.show("icmpv6.rpl.opt.metric.lc.object.lc"), ["0x0010"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.lc.object.flag.i"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.ne.object.type"), ["0x0001"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.ne.object.energy"), ["0x0064"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.nsa.object.flag.a"), ["1"]);
        assert_eq!(
            p.show("icmpv6.rpl.opt.metric.nsa.object.opttlv.object.data"),
            ["aa:bb"]
        );
        assert_eq!(p.show("icmpv6.rpl.opt.metric.lt.object.lt"), ["1000"]);
        assert_eq!(p.show("icmpv6.rpl.opt.metric.ll.object.ll"), ["20"]);
        assert_truncations_are_malformed(229, &v, 40 + 4 + 24);
    }

    /// A non-storing DAO (§6.4.1) with target, transit information and target descriptor.
    pub fn dao_body(target: [u8; 16], parent: Option<[u8; 16]>, seq: u8) -> Vec<u8> {
        let mut b = vec![30, 0xc0, 0, seq];
        b.extend_from_slice(&A);
        b.extend_from_slice(&[5, 18, 0, 128]);
        b.extend_from_slice(&target);
        b.extend_from_slice(&[9, 4, 0xde, 0xad, 0xbe, 0xef]);
        match parent {
            Some(par) => {
                b.extend_from_slice(&[6, 20, 0, 0, seq, 30]);
                b.extend_from_slice(&par);
            }
            None => b.extend_from_slice(&[6, 4, 0x80, 0, seq, 30]),
        }
        b
    }

    #[test]
    fn dao_dao_ack_and_cc() {
        let t = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];
        let v = rpl_packet(2, &dao_body(t, Some(A), 200));
        let p = dissect_one(229, &v);
        check(&p);
        assert_eq!(p.info(), "RPL Control (Destination Advertisement Object)");
        assert_eq!(p.show("icmpv6.rpl.dao.flag.k"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.dao.sequence"), ["200"]);
        assert_eq!(p.show("icmpv6.rpl.dao.dodagid"), ["fd00::1"]);
        assert_eq!(p.show("icmpv6.rpl.opt.target.prefix_length"), ["128"]);
        assert_eq!(p.show("icmpv6.rpl.opt.target.prefix"), ["fd00::9"]);
        assert_eq!(
            p.show("icmpv6.rpl.opt.targetdesc.descriptor"),
            ["0xdeadbeef"]
        );
        assert_eq!(p.show("icmpv6.rpl.opt.transit.pathseq"), ["200"]);
        assert_eq!(p.show("icmpv6.rpl.opt.transit.parent"), ["fd00::1"]);
        assert_truncations_are_malformed(229, &v, 40 + 4 + 20);
        // Storing mode: transit information without a parent, E flag set.
        let p = dissect_one(229, &rpl_packet(2, &dao_body(t, None, 3)));
        check(&p);
        assert_eq!(p.show("icmpv6.rpl.opt.transit.flag.e"), ["1"]);
        assert!(!p.has("icmpv6.rpl.opt.transit.parent"));

        let mut ack = vec![30, 0x80, 200, 0];
        ack.extend_from_slice(&A);
        let p = dissect_one(229, &rpl_packet(3, &ack));
        check(&p);
        assert_eq!(
            p.info(),
            "RPL Control (Destination Advertisement Object Acknowledgment)"
        );
        assert_eq!(p.show("icmpv6.rpl.daoack.sequence"), ["200"]);
        assert_eq!(p.show("icmpv6.rpl.daoack.status"), ["0"]);
        assert_eq!(p.show("icmpv6.rpl.daoack.dodagid"), ["fd00::1"]);

        // Consistency check (§6.6): security section (KIM 1: no key identifier, LVL 0) first,
        // a 4-byte MAC last.
        let mut cc = vec![0x00, 0, 0x40, 0, 0, 0, 0, 5];
        cc.extend_from_slice(&[30, 0x80, 0x12, 0x34]);
        cc.extend_from_slice(&A);
        cc.extend_from_slice(&[0, 0, 1, 0]);
        cc.extend_from_slice(&[0xaa, 0xbb, 0xcc, 0xdd]);
        let p = dissect_one(229, &rpl_packet(0x8a, &cc));
        check(&p);
        assert_eq!(p.info(), "RPL Control (Consistency Check)");
        assert_eq!(p.show("icmpv6.rpl.secure.kim"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.secure.counter"), ["5"]);
        assert_eq!(p.show("icmpv6.rpl.cc.flag.r"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.cc.nonce"), ["0x1234"]);
        assert_eq!(p.show("icmpv6.rpl.cc.destination_counter"), ["256"]);
        assert_eq!(p.show("icmpv6.data"), ["aa:bb:cc:dd"]);
        assert!(!p.has("icmpv6.rpl.opt.type"));
    }

    #[test]
    fn secure_dio_key_identifier_modes() {
        // Secure DIO (0x81): T=1, algorithm 0, KIM 2 (source + index), LVL 2 (MAC-64),
        // counter 9; the DIO and its options, then an 8-byte MAC.
        let mut b = vec![0x80, 0, 0x82, 0, 0, 0, 0, 9];
        b.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 0x11]);
        b.extend_from_slice(&dio_body(512, 1));
        b.extend_from_slice(&[0xee; 8]);
        let v = rpl_packet(0x81, &b);
        let p = dissect_one(229, &v);
        check(&p);
        assert_eq!(p.info(), "RPL Control (Secure DODAG Information Object)");
        assert_eq!(p.show("icmpv6.rpl.secure.flag.t"), ["1"]);
        assert_eq!(p.show("icmpv6.rpl.secure.kim"), ["2"]);
        assert_eq!(p.show("icmpv6.rpl.secure.lvl"), ["2"]);
        assert_eq!(
            p.show("icmpv6.rpl.secure.key.source"),
            ["01:02:03:04:05:06:07:08"]
        );
        assert_eq!(p.show("icmpv6.rpl.secure.key.index"), ["17"]);
        assert_eq!(p.show("icmpv6.rpl.dio.rank"), ["512"]);
        assert_eq!(
            p.show("icmpv6.rpl.opt.type"),
            ["4", "8", "3", "2", "1", "0"]
        );
        assert_eq!(p.show("icmpv6.data"), ["ee:ee:ee:ee:ee:ee:ee:ee"]);
        // The security section and the fixed part must be whole.
        assert_truncations_are_malformed(229, &v, 40 + 4 + 17 + 24);

        // ENC-MAC-32 (LVL 1), KIM 0 (key index only): the body is encrypted.
        let mut e = vec![0x00, 0, 0x01, 0, 0, 0, 0, 1, 0x05];
        e.extend_from_slice(&[0x42; 28]);
        e.extend_from_slice(&[0x99; 4]);
        let p = dissect_one(229, &rpl_packet(0x82, &e));
        check(&p);
        assert_eq!(
            p.info(),
            "RPL Control (Secure Destination Advertisement Object)"
        );
        assert_eq!(p.show("icmpv6.rpl.secure.key.index"), ["5"]);
        assert!(!p.has("icmpv6.rpl.dao.instance"));
        assert_eq!(p.show("icmpv6.data").len(), 2);
        assert_eq!(p.show("icmpv6.data")[1], "99:99:99:99");
    }

    #[test]
    fn unknown_option_and_bad_target_length() {
        // DAO without DODAGID; target with length 23 (tshark: invalid length, unknown data);
        // option 13 unknown.
        let mut b = vec![42, 0x00, 0, 1];
        b.extend_from_slice(&[5, 23, 0, 128]);
        b.extend_from_slice(&[0xab; 21]);
        b.extend_from_slice(&[13, 2, 0xaa, 0xbb, 0]);
        let p = dissect_one(229, &rpl_packet(2, &b));
        assert_eq!(p.show("icmpv6.checksum.status"), ["1"]);
        assert!(p.has("icmpv6.invalid_option_length"));
        assert!(!p.has("icmpv6.rpl.opt.target.prefix"));
        assert_eq!(p.show("icmpv6.unknown_data").len(), 1);
        assert!(p.has("icmpv6.undecoded.rpl_option"));
        assert_eq!(p.show("icmpv6.data"), ["aa:bb"]);
        assert_eq!(p.show("icmpv6.rpl.opt.type"), ["5", "13", "0"]);
    }
}
