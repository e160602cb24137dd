//! DHCPv6 (RFC 8415) on UDP ports 546 (client) and 547 (server): client/server messages and
//! relay messages, with the options a gateway meets (identifiers and DUIDs §11, IA_NA/IA_TA/IA_PD
//! and their addresses and prefixes §21.4-21.6 and §21.21-22, status codes, DNS (RFC 3646),
//! SNTP (RFC 4075) and NTP (RFC 5908) servers, lifetimes).
//!
//! ```text
//! Client/server message:            Relay message (Relay-forw 12, Relay-reply 13):
//! +--------+----------------------+  +--------+---------+------------------+------------------+
//! | type(1)| transaction-id (3)   |  | type(1)| hops(1) | link-address(16) | peer-address(16) |
//! +--------+----------------------+  +--------+---------+------------------+------------------+
//! then options: | option-code (2) | option-len (2) | option-data |, some nesting options.
//! ```

use crate::engine::field::{val_to_str, FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Error, Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

pub static MESSAGE_TYPES: &[(u64, &str)] = &[
    (1, "Solicit"),
    (2, "Advertise"),
    (3, "Request"),
    (4, "Confirm"),
    (5, "Renew"),
    (6, "Rebind"),
    (7, "Reply"),
    (8, "Release"),
    (9, "Decline"),
    (10, "Reconfigure"),
    (11, "Information-request"),
    (12, "Relay-forw"),
    (13, "Relay-reply"),
    (14, "Leasequery"),
    (15, "Leasequery-reply"),
    (16, "Leasequery-done"),
    (17, "Leasequery-data"),
    (18, "Reconfigure-request"),
    (19, "Reconfigure-reply"),
];

pub static OPTION_TYPES: &[(u64, &str)] = &[
    (1, "Client Identifier"),
    (2, "Server Identifier"),
    (3, "Identity Association for Non-temporary Address"),
    (4, "Identity Association for Temporary Address"),
    (5, "IA Address"),
    (6, "Option Request"),
    (7, "Preference"),
    (8, "Elapsed time"),
    (9, "Relay Message"),
    (11, "Authentication"),
    (12, "Server unicast"),
    (13, "Status code"),
    (14, "Rapid Commit"),
    (15, "User Class"),
    (16, "Vendor Class"),
    (17, "Vendor-specific Information"),
    (18, "Interface-Id"),
    (19, "Reconfigure Message"),
    (20, "Reconfigure Accept"),
    (21, "SIP Server Domain Name List"),
    (22, "SIP Servers IPv6 Address List"),
    (23, "DNS recursive name server"),
    (24, "Domain Search List"),
    (25, "Identity Association for Prefix Delegation"),
    (26, "IA Prefix"),
    (27, "Network Information Server"),
    (29, "Network Information Server Domain Name"),
    (31, "Simple Network Time Protocol Server"),
    (32, "Lifetime"),
    (39, "Client Fully Qualified Domain Name"),
    (56, "NTP Server"),
    (59, "Boot File URL"),
    (79, "Client Link-Layer Address"),
    (82, "SOL_MAX_RT"),
    (83, "INF_MAX_RT"),
    (103, "Captive Portal"),
    (112, "Manufacturer Usage Description"),
];

static STATUS_CODES: &[(u64, &str)] = &[
    (0, "Success"),
    (1, "UnspecFail"),
    (2, "NoAddrAvail"),
    (3, "NoBinding"),
    (4, "NotOnLink"),
    (5, "UseMulticast"),
    (6, "NoPrefixAvail"),
    (7, "UnknownQueryType"),
    (8, "MalformedQuery"),
    (9, "NotConfigured"),
    (10, "NotAllowed"),
];

static DUID_TYPES: &[(u64, &str)] = &[
    (1, "link-layer address plus time"),
    (2, "assigned by vendor based on Enterprise number"),
    (3, "link-layer address"),
    (4, "Universally Unique IDentifier (UUID)"),
];

crate::fields! {
    PROTO = FieldDef::protocol("dhcpv6", "DHCPv6");
    MSGTYPE = FieldDef::new("dhcpv6.msgtype", "Message type", T::U8).vals(MESSAGE_TYPES);
    HOPCOUNT = FieldDef::new("dhcpv6.hopcount", "Hopcount", T::U8);
    XID = FieldDef::new("dhcpv6.xid", "Transaction ID", T::U24).hex();
    LINKADDR = FieldDef::new("dhcpv6.linkaddr", "Link address", T::Ipv6);
    PEERADDR = FieldDef::new("dhcpv6.peeraddr", "Peer address", T::Ipv6);
    OPTION_TYPE = FieldDef::new("dhcpv6.option.type", "Option", T::U16).vals(OPTION_TYPES);
    OPTION_LENGTH = FieldDef::new("dhcpv6.option.length", "Length", T::U16);
    OPTION_TYPE_STR = FieldDef::new("dhcpv6.option.type_str", "Option", T::String);
    DUID_BYTES = FieldDef::new("dhcpv6.duid.bytes", "DUID", T::Bytes);
    DUID_TYPE = FieldDef::new("dhcpv6.duid.type", "DUID Type", T::U16).vals(DUID_TYPES);
    DUIDLLT_HWTYPE = FieldDef::new("dhcpv6.duidllt.hwtype", "Hardware type", T::U16);
    DUIDLLT_TIME = FieldDef::new("dhcpv6.duidllt.time", "DUID Time", T::AbsTime);
    DUIDLLT_LINK_LAYER_ADDR = FieldDef::new("dhcpv6.duidllt.link_layer_addr", "Link-layer address", T::String);
    DUIDLL_HWTYPE = FieldDef::new("dhcpv6.duidll.hwtype", "Hardware type", T::U16);
    DUIDLL_LINK_LAYER_ADDR = FieldDef::new("dhcpv6.duidll.link_layer_addr", "Link-layer address", T::String);
    DUIDEN_ENTERPRISE = FieldDef::new("dhcpv6.duiden.enterprise", "Enterprise ID", T::U32);
    DUIDEN_IDENTIFIER = FieldDef::new("dhcpv6.duiden.identifier", "Identifier", T::Bytes);
    DUIDUUID_BYTES = FieldDef::new("dhcpv6.duiduuid.bytes", "UUID", T::Bytes);
    IAID = FieldDef::new("dhcpv6.iaid", "IAID", T::String);
    IAID_T1 = FieldDef::new("dhcpv6.iaid.t1", "T1", T::U32);
    IAID_T2 = FieldDef::new("dhcpv6.iaid.t2", "T2", T::U32);
    IAADDR_IP = FieldDef::new("dhcpv6.iaaddr.ip", "IPv6 address", T::Ipv6);
    IAADDR_PREF = FieldDef::new("dhcpv6.iaaddr.pref_lifetime", "Preferred lifetime", T::U32);
    IAADDR_VALID = FieldDef::new("dhcpv6.iaaddr.valid_lifetime", "Valid lifetime", T::U32);
    IAPREFIX_PREF = FieldDef::new("dhcpv6.iaprefix.pref_lifetime", "Preferred lifetime", T::U32);
    IAPREFIX_VALID = FieldDef::new("dhcpv6.iaprefix.valid_lifetime", "Valid lifetime", T::U32);
    IAPREFIX_LEN = FieldDef::new("dhcpv6.iaprefix.pref_len", "Prefix length", T::U8);
    IAPREFIX_ADDR = FieldDef::new("dhcpv6.iaprefix.pref_addr", "Prefix address", T::Ipv6);
    REQUESTED_OPTION_CODE = FieldDef::new("dhcpv6.requested_option_code", "Requested Option code", T::U16).vals(OPTION_TYPES);
    PREFERENCE = FieldDef::new("dhcpv6.option_preference", "Pref-value", T::U8);
    ELAPSED_TIME = FieldDef::new("dhcpv6.elapsed_time", "Elapsed time", T::U16);
    UNICAST = FieldDef::new("dhcpv6.unicast", "IPv6 address", T::Ipv6);
    STATUS_CODE = FieldDef::new("dhcpv6.status_code", "Status Code", T::U16).vals(STATUS_CODES);
    STATUS_MSG = FieldDef::new("dhcpv6.status_msg", "Status Message", T::String);
    INTERFACE_ID = FieldDef::new("dhcpv6.interface_id", "Interface-ID", T::Bytes);
    DNS_SERVER = FieldDef::new("dhcpv6.dns_server", "DNS server address", T::Ipv6);
    SEARCH_LIST_ENTRY = FieldDef::new("dhcpv6.search_list_entry", "List entry", T::String);
    SNTP_SERVER = FieldDef::new("dhcpv6.sntp_server", "SNTP server address", T::Ipv6);
    LIFETIME = FieldDef::new("dhcpv6.lifetime", "Lifetime", T::U32);
    NTPSERVER_TYPE = FieldDef::new("dhcpv6.ntpserver.option.type", "Suboption", T::U16).vals(&[(1, "NTP Server Address"), (2, "NTP Multicast Address"), (3, "NTP Server FQDN")]);
    NTPSERVER_LENGTH = FieldDef::new("dhcpv6.ntpserver.option.length", "Length", T::U16);
    NTPSERVER_ADDR = FieldDef::new("dhcpv6.ntpserver.addr", "NTP Server Address", T::Ipv6);
    NTPSERVER_MC_ADDR = FieldDef::new("dhcpv6.ntpserver.mc_addr", "NTP Multicast Address", T::Ipv6);
    NTPSERVER_FQDN = FieldDef::new("dhcpv6.ntpserver.fqdn", "NTP Server FQDN", T::String);
}

crate::protocol!("dhcpv6", "DHCPv6", dissect, register);

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, 546, &PROTOCOL);
    r.add(tables::UDP_PORT, 547, &PROTOCOL);
}

/// Relay messages nest others; deeper than this is refused as malformed.
const MAX_NESTING: u32 = 32;

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    cx.set_info("");
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    message(cx, node, tvb, 0)
}

/// One message (the top one, or one a Relay Message option carries).
fn message(cx: &mut Cx, node: NodeId, tvb: &Tvb, depth: u32) -> Result<()> {
    if depth > MAX_NESTING {
        return Err(Error::Malformed(
            "DHCPv6 relay messages nested too deep".into(),
        ));
    }
    let t = cx.add_u8(node, &MSGTYPE, tvb, 0)?;
    let name = val_to_str(MESSAGE_TYPES, t as u64)
        .map_or_else(|| format!("Unknown ({t})"), str::to_string);
    cx.columns.info.push_str(&format!("{name} "));
    if t == 12 || t == 13 {
        cx.add_u8(node, &HOPCOUNT, tvb, 1)?;
        cx.add_ipv6(node, &LINKADDR, tvb, 2)?;
        cx.add_ipv6(node, &PEERADDR, tvb, 18)?;
        return options(cx, node, tvb, 34, tvb.len(), depth);
    }
    let xid = cx.add_be_u24(node, &XID, tvb, 1)?;
    cx.columns.info.push_str(&format!("XID: 0x{xid:x} "));
    options(cx, node, tvb, 4, tvb.len(), depth)
}

/// The options in `tvb[off..end]`.
fn options(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    mut off: usize,
    end: usize,
    depth: u32,
) -> Result<()> {
    while off < end {
        let code = tvb.be_u16(off)?;
        let len = tvb.be_u16(off + 2)? as usize;
        let name = val_to_str(OPTION_TYPES, code as u64).unwrap_or("Unknown");
        let item = cx.add(
            node,
            &OPTION_TYPE_STR,
            tvb.range(off, 4 + len),
            Value::str(name),
        );
        cx.set_text(item, name);
        cx.add_be_u16(item, &OPTION_TYPE, tvb, off)?;
        cx.add_be_u16(item, &OPTION_LENGTH, tvb, off + 2)?;
        let v = tvb.sub(off + 4, len)?;
        option(cx, item, code, &v, depth)?;
        off += 4 + len;
    }
    Ok(())
}

fn option(cx: &mut Cx, item: NodeId, code: u16, v: &Tvb, depth: u32) -> Result<()> {
    match code {
        1 | 2 => {
            if code == 1 {
                let cid = crate::engine::value::hex_string(v.data());
                cx.columns.info.push_str(&format!("CID: {cid} "));
            }
            duid(cx, item, v)
        }
        3 | 4 | 25 => ia(cx, item, v, code, depth),
        5 => ia_address(cx, item, v, depth),
        26 => ia_prefix(cx, item, v, depth),
        6 => each(v, 2, |o| {
            cx.add_be_u16(item, &REQUESTED_OPTION_CODE, v, o).map(drop)
        }),
        7 => cx.add_u8(item, &PREFERENCE, v, 0).map(drop),
        8 => cx.add_be_u16(item, &ELAPSED_TIME, v, 0).map(drop),
        9 => message(cx, item, v, depth + 1),
        12 => cx.add_ipv6(item, &UNICAST, v, 0).map(drop),
        13 => {
            cx.add_be_u16(item, &STATUS_CODE, v, 0)?;
            cx.add_string(item, &STATUS_MSG, v, 2, v.len().saturating_sub(2))
                .map(drop)
        }
        18 => cx.add_bytes(item, &INTERFACE_ID, v, 0, v.len()).map(drop),
        23 => each(v, 16, |o| cx.add_ipv6(item, &DNS_SERVER, v, o).map(drop)),
        24 => search_list(cx, item, v),
        31 => each(v, 16, |o| cx.add_ipv6(item, &SNTP_SERVER, v, o).map(drop)),
        32 => cx.add_be_u32(item, &LIFETIME, v, 0).map(drop),
        56 => ntp_server(cx, item, v),
        _ => Ok(()),
    }
}

/// Calls `f` at every `step` bytes of `v` that fit whole.
fn each(v: &Tvb, step: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<()> {
    for i in 0..v.len() / step {
        f(i * step)?;
    }
    Ok(())
}

/// A DUID (RFC 8415 §11): the whole as bytes, its type, and the parts of the known types.
fn duid(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    cx.add_bytes(item, &DUID_BYTES, v, 0, v.len())?;
    let t = cx.add_be_u16(item, &DUID_TYPE, v, 0)?;
    match t {
        1 => {
            cx.add_be_u16(item, &DUIDLLT_HWTYPE, v, 2)?;
            // Seconds since midnight UTC, 1 January 2000.
            let secs = v.be_u32(4)? as i64 + 946_684_800;
            cx.add(
                item,
                &DUIDLLT_TIME,
                v.range(4, 4),
                Value::AbsTime(secs * 1_000_000_000),
            );
            link_layer(cx, item, &DUIDLLT_LINK_LAYER_ADDR, v, 8)
        }
        2 => {
            cx.add_be_u32(item, &DUIDEN_ENTERPRISE, v, 2)?;
            cx.add_bytes(item, &DUIDEN_IDENTIFIER, v, 6, v.len().saturating_sub(6))
                .map(drop)
        }
        3 => {
            cx.add_be_u16(item, &DUIDLL_HWTYPE, v, 2)?;
            link_layer(cx, item, &DUIDLL_LINK_LAYER_ADDR, v, 4)
        }
        4 => cx
            .add_bytes(item, &DUIDUUID_BYTES, v, 2, v.len().saturating_sub(2))
            .map(drop),
        _ => Ok(()),
    }
}

/// A link-layer address in a DUID, shown as colon-separated hex text.
fn link_layer(
    cx: &mut Cx,
    item: NodeId,
    field: &'static FieldDef,
    v: &Tvb,
    off: usize,
) -> Result<()> {
    let b = v.rest(off)?;
    let mut s = String::new();
    crate::engine::value::write_colon_hex(&mut s, b);
    cx.add(item, field, v.range(off, b.len()), Value::str(s));
    Ok(())
}

/// IA_NA, IA_TA (no T1/T2) and IA_PD: IAID, timers, then options.
fn ia(cx: &mut Cx, item: NodeId, v: &Tvb, code: u16, depth: u32) -> Result<()> {
    let iaid = v.bytes(0, 4)?;
    cx.add(
        item,
        &IAID,
        v.range(0, 4),
        Value::str(crate::engine::value::hex_string(iaid)),
    );
    if code == 4 {
        return options(cx, item, v, 4, v.len(), depth);
    }
    cx.add_be_u32(item, &IAID_T1, v, 4)?;
    cx.add_be_u32(item, &IAID_T2, v, 8)?;
    options(cx, item, v, 12, v.len(), depth)
}

fn ia_address(cx: &mut Cx, item: NodeId, v: &Tvb, depth: u32) -> Result<()> {
    let a = cx.add_ipv6(item, &IAADDR_IP, v, 0)?;
    cx.columns
        .info
        .push_str(&format!("IAA: {} ", std::net::Ipv6Addr::from(a)));
    cx.add_be_u32(item, &IAADDR_PREF, v, 16)?;
    cx.add_be_u32(item, &IAADDR_VALID, v, 20)?;
    options(cx, item, v, 24, v.len(), depth)
}

fn ia_prefix(cx: &mut Cx, item: NodeId, v: &Tvb, depth: u32) -> Result<()> {
    cx.add_be_u32(item, &IAPREFIX_PREF, v, 0)?;
    cx.add_be_u32(item, &IAPREFIX_VALID, v, 4)?;
    cx.add_u8(item, &IAPREFIX_LEN, v, 8)?;
    cx.add_ipv6(item, &IAPREFIX_ADDR, v, 9)?;
    options(cx, item, v, 25, v.len(), depth)
}

/// Domain search list (RFC 3646 §4): DNS names, each shown with its final dot.
fn search_list(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    let list = cx.add_text(item, v.whole(), "Domain name suffix search list");
    let mut off = 0;
    while off < v.len() {
        let (text, used) = wire_name(v, off)?;
        cx.add(
            list,
            &SEARCH_LIST_ENTRY,
            v.range(off, used),
            Value::str(text),
        );
        off += used;
    }
    Ok(())
}

/// An uncompressed DNS name as DHCPv6 carries it (RFC 8415 §10): `home.arpa.`, or `.` alone
/// for the root. Returns the text and the bytes used.
fn wire_name(v: &Tvb, mut off: usize) -> Result<(String, usize)> {
    let start = off;
    let mut s = String::new();
    loop {
        let len = v.u8(off)? as usize;
        off += 1;
        if len == 0 {
            break;
        }
        s.push_str(&crate::proto::dns::name::format_text(v.bytes(off, len)?));
        s.push('.');
        off += len;
    }
    if s.is_empty() {
        s.push('.');
    }
    Ok((s, off - start))
}

/// NTP server option (RFC 5908): suboptions with an address, a multicast address or a name.
fn ntp_server(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    let mut off = 0;
    while off < v.len() {
        let t = cx.add_be_u16(item, &NTPSERVER_TYPE, v, off)?;
        let len = cx.add_be_u16(item, &NTPSERVER_LENGTH, v, off + 2)? as usize;
        let s = v.sub(off + 4, len)?;
        match t {
            1 => cx.add_ipv6(item, &NTPSERVER_ADDR, &s, 0).map(drop)?,
            2 => cx.add_ipv6(item, &NTPSERVER_MC_ADDR, &s, 0).map(drop)?,
            3 => {
                let (text, _) = wire_name(&s, 0)?;
                cx.add(item, &NTPSERVER_FQDN, s.whole(), Value::str(text));
            }
            _ => {}
        }
        off += 4 + len;
    }
    Ok(())
}
