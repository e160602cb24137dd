//! What one packet says about RPL, read from its tree by field: the RPL control message
//! (DIS/DIO/DAO and their options), an RFC 6554 source route, an RFC 6553 RPL option. Kept apart
//! from the model so that the fields read here are the ones [`super::build`] asks the engine for.

use crate::engine::field::FieldDef;
use crate::engine::value::Value;
use crate::engine::Packet;
use crate::proto::ipv6::{self, ext, icmpv6, rpl};

use super::Addr;

/// Every field [`facts`] reads (the tree the topology needs: [`super::build`]).
pub(super) fn fields() -> [&'static FieldDef; 19] {
    [
        &ipv6::SRC,
        &ipv6::DST,
        &ext::RT_TYPE,
        &ext::RT_SEGLEFT,
        &ext::RT_RPL_FULL_ADDRESS,
        &ext::OPT_RPL_FLAG,
        &icmpv6::TYPE,
        &icmpv6::CODE,
        &rpl::DIO_INSTANCE,
        &rpl::DIO_VERSION,
        &rpl::DIO_RANK,
        &rpl::DIO_FLAG_MOP,
        &rpl::DIO_DTSN,
        &rpl::DIO_DAGID,
        &rpl::DAO_INSTANCE,
        &rpl::DAO_DODAGID,
        &rpl::TARGET_PREFIX,
        &rpl::TRANSIT_PATHLIFETIME,
        &rpl::TRANSIT_PARENT,
    ]
}

/// One transit/target item of a DAO, in option order.
pub(super) enum DaoItem {
    Target(Addr),
    Transit {
        parent: Option<Addr>,
        lifetime: Option<u8>,
    },
}

/// An RFC 6554 source route: (IPv6 source, destination, segments left, addresses).
pub(super) type SourceRoute = (Addr, Addr, u8, Vec<Addr>);

/// What one packet says, read from its tree.
#[derive(Default)]
pub(super) struct Facts {
    pub src: Option<Addr>,
    pub dst: Option<Addr>,
    pub code: Option<u8>,
    pub dio_instance: Option<u8>,
    pub dio_version: Option<u8>,
    pub dio_rank: Option<u16>,
    pub dio_mop: Option<u8>,
    pub dio_dtsn: Option<u8>,
    pub dio_dagid: Option<Addr>,
    pub dao_instance: Option<u8>,
    pub dao_dodagid: Option<Addr>,
    pub dao: Vec<DaoItem>,
    pub srh: Option<SourceRoute>,
    /// RPL option (RFC 6553) of a data packet: (src, rank error, forwarding error).
    pub rpl_option_errors: Option<(Addr, bool, bool)>,
}

fn addr(v: &Value) -> Option<Addr> {
    match v {
        Value::Ipv6(a) => Some(*a),
        _ => None,
    }
}

fn byte(v: &Value) -> Option<u8> {
    v.as_u64().map(|x| x as u8)
}

/// Reads the packet's RPL facts. The first ICMPv6 RPL message is the one read; addresses of
/// IPv6 headers quoted inside it (none in RPL, but in ICMPv6 errors) are not taken.
pub(super) fn facts(p: &Packet) -> Facts {
    let mut f = Facts::default();
    let (mut src, mut dst) = (None, None);
    let mut in_rpl = false;
    let mut srh_full: Vec<Addr> = vec![];
    let mut srh_segleft: Option<u8> = None;
    let mut srh_done = false;
    let mut in_routing = false;
    for (_, n) in p.tree.iter() {
        let Some(field) = n.field else { continue };
        let v = &n.value;
        match field.abbrev {
            "ipv6.src" if !in_rpl => src = addr(v),
            "ipv6.dst" if !in_rpl => dst = addr(v),
            "ipv6.routing.type" if !srh_done => {
                in_routing = v.as_u64() == Some(3);
                srh_full.clear();
            }
            "ipv6.routing.segleft" if in_routing && !srh_done => srh_segleft = byte(v),
            "ipv6.routing.rpl.full_address" if in_routing && !srh_done => {
                srh_full.extend(addr(v));
            }
            "icmpv6.type" => {
                if in_routing && !srh_done {
                    srh_done = true;
                    if let (Some(s), Some(d), Some(sl)) = (src, dst, srh_segleft) {
                        f.srh = Some((s, d, sl, std::mem::take(&mut srh_full)));
                    }
                }
                if !in_rpl && f.code.is_none() && v.as_u64() == Some(155) {
                    in_rpl = true;
                    f.src = src;
                    f.dst = dst;
                }
            }
            "icmpv6.code" if in_rpl && f.code.is_none() => f.code = byte(v),
            "icmpv6.rpl.dio.instance" if in_rpl => f.dio_instance = byte(v),
            "icmpv6.rpl.dio.version" if in_rpl => f.dio_version = byte(v),
            "icmpv6.rpl.dio.rank" if in_rpl => f.dio_rank = v.as_u64().map(|x| x as u16),
            "icmpv6.rpl.dio.flag.mop" if in_rpl => f.dio_mop = byte(v),
            "icmpv6.rpl.dio.dtsn" if in_rpl => f.dio_dtsn = byte(v),
            "icmpv6.rpl.dio.dagid" if in_rpl => f.dio_dagid = addr(v),
            "icmpv6.rpl.dao.instance" if in_rpl => f.dao_instance = byte(v),
            "icmpv6.rpl.dao.dodagid" if in_rpl => f.dao_dodagid = addr(v),
            "icmpv6.rpl.opt.target.prefix" if in_rpl => f.dao.extend(addr(v).map(DaoItem::Target)),
            "icmpv6.rpl.opt.transit.pathlifetime" if in_rpl => f.dao.push(DaoItem::Transit {
                parent: None,
                lifetime: byte(v),
            }),
            "icmpv6.rpl.opt.transit.parent" if in_rpl => {
                if let Some(DaoItem::Transit { parent, .. }) = f.dao.last_mut() {
                    *parent = addr(v);
                }
            }
            "ipv6.opt.rpl.flag" if !in_rpl => {
                if let (Some(s), Some(fl)) = (src, v.as_u64()) {
                    f.rpl_option_errors = Some((s, fl & 0x40 != 0, fl & 0x20 != 0));
                }
            }
            _ => {}
        }
    }
    if in_routing && !srh_done {
        if let (Some(s), Some(d), Some(sl)) = (src, dst, srh_segleft) {
            f.srh = Some((s, d, sl, srh_full));
        }
    }
    f
}
