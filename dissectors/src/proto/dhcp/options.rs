//! DHCP options (RFC 2132, RFC 3397 domain search, RFC 3442 classless routes, RFC 4702 client
//! FQDN, RFC 8520 MUD URL): code, length, value, until End (255); Pad (0) bytes are skipped.
//! Most options are one of a few value shapes, so a table maps each code to its name, shape and
//! field, as Wireshark's `dhcp_opt` table does; the few with structure have their own function.
//!
//! ```text
//! +------+--------+--------------------+
//! | code | length | value (length)     |   code 0 (Pad) and 255 (End) have no length
//! +------+--------+--------------------+
//! ```

use super::*;
use crate::engine::field::FieldDef;

/// How an option's value is shown.
#[derive(Clone, Copy)]
enum Shape {
    /// One IPv4 address.
    Ipv4(&'static FieldDef),
    /// A list of IPv4 addresses.
    Ipv4List(&'static FieldDef),
    /// A big-endian unsigned integer of the value's width (1, 2 or 4 bytes).
    Uint(&'static FieldDef),
    /// A signed 32-bit integer.
    Int32(&'static FieldDef),
    /// Text (NUL-terminated or not).
    Text(&'static FieldDef),
    /// A structured option with its own function.
    Special,
    /// Bytes only (`dhcp.option.value`).
    Opaque,
}

/// (code, name, shape) of the options lowshark knows by name.
static OPTIONS: &[(u8, &str, Shape)] = &[
    (1, "Subnet Mask", Shape::Ipv4(&OPT_SUBNET_MASK)),
    (2, "Time Offset", Shape::Int32(&OPT_TIME_OFFSET)),
    (3, "Router", Shape::Ipv4List(&OPT_ROUTER)),
    (4, "Time Server", Shape::Ipv4List(&OPT_TIME_SERVER)),
    (6, "Domain Name Server", Shape::Ipv4List(&OPT_DNS)),
    (12, "Host Name", Shape::Text(&OPT_HOSTNAME)),
    (13, "Boot File Size", Shape::Uint(&OPT_BOOT_FILE_SIZE)),
    (15, "Domain Name", Shape::Text(&OPT_DOMAIN_NAME)),
    (26, "Interface MTU", Shape::Uint(&OPT_INTERFACE_MTU)),
    (28, "Broadcast Address", Shape::Ipv4(&OPT_BROADCAST)),
    (
        32,
        "Router Solicitation Address",
        Shape::Ipv4(&OPT_ROUTER_SOLICITATION),
    ),
    (
        42,
        "Network Time Protocol Servers",
        Shape::Ipv4List(&OPT_NTP_SERVER),
    ),
    (43, "Vendor-Specific Information", Shape::Opaque),
    (50, "Requested IP Address", Shape::Ipv4(&OPT_REQUESTED_IP)),
    (51, "IP Address Lease Time", Shape::Uint(&OPT_LEASE_TIME)),
    (52, "Option Overload", Shape::Uint(&OPT_OVERLOAD)),
    (53, "DHCP Message Type", Shape::Uint(&OPT_DHCP)),
    (54, "DHCP Server Identifier", Shape::Ipv4(&OPT_SERVER_ID)),
    (55, "Parameter Request List", Shape::Special),
    (56, "Message", Shape::Text(&OPT_MESSAGE)),
    (
        57,
        "Maximum DHCP Message Size",
        Shape::Uint(&OPT_MAX_MESSAGE_SIZE),
    ),
    (58, "Renewal Time Value", Shape::Uint(&OPT_RENEWAL_TIME)),
    (59, "Rebinding Time Value", Shape::Uint(&OPT_REBINDING_TIME)),
    (
        60,
        "Vendor class identifier",
        Shape::Text(&OPT_VENDOR_CLASS_ID),
    ),
    (61, "Client identifier", Shape::Special),
    (66, "TFTP Server Name", Shape::Text(&OPT_TFTP_SERVER_NAME)),
    (67, "Bootfile name", Shape::Text(&OPT_BOOTFILE_NAME)),
    (81, "Client Fully Qualified Domain Name", Shape::Special),
    (
        118,
        "Subnet Selection Option",
        Shape::Ipv4(&OPT_SUBNET_SELECTION),
    ),
    (119, "Domain Search", Shape::Special),
    (121, "Classless Static Route", Shape::Special),
    (
        150,
        "TFTP Server Address",
        Shape::Ipv4List(&OPT_TFTP_SERVER_ADDRESS),
    ),
    (
        161,
        "Manufacturer Usage Description",
        Shape::Text(&OPT_MUDURL),
    ),
];

/// Names of options lowshark shows only as bytes, for labels and request lists.
static OTHER_NAMES: &[(u8, &str)] = &[
    (5, "Name Server"),
    (7, "Log Server"),
    (9, "LPR Server"),
    (14, "Merit Dump File"),
    (16, "Swap Server"),
    (17, "Root Path"),
    (18, "Extensions Path"),
    (19, "IP Forwarding"),
    (23, "Default IP Time-to-Live"),
    (31, "Perform Router Discover"),
    (33, "Static Route"),
    (35, "ARP Cache Timeout"),
    (37, "TCP Default TTL"),
    (40, "Network Information Service Domain"),
    (41, "Network Information Service Servers"),
    (44, "NetBIOS over TCP/IP Name Server"),
    (46, "NetBIOS over TCP/IP Node Type"),
    (47, "NetBIOS over TCP/IP Scope"),
    (69, "SMTP Server"),
    (70, "POP3 Server"),
    (77, "User Class Information"),
    (82, "Agent Information Option"),
    (90, "Authentication"),
    (93, "Client System Architecture"),
    (94, "Client Network Device Interface"),
    (97, "UUID/GUID-based Client Identifier"),
    (100, "PCode"),
    (101, "TCode"),
    (108, "IPv6-Only Preferred"),
    (114, "DHCP Captive-Portal"),
    (116, "DHCP Auto-Configuration"),
    (120, "SIP Servers"),
    (125, "V-I Vendor-specific Information"),
    (249, "Private/Classless Static Route (Microsoft)"),
    (252, "Private/Proxy autodiscovery"),
];

/// An option's name as Wireshark labels it.
pub fn name(code: u8) -> &'static str {
    OPTIONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, _)| *n)
        .or_else(|| {
            OTHER_NAMES
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, n)| *n)
        })
        .unwrap_or("Unknown")
}

/// The DHCP message type (option 53), if the options carry one; reading stops at anything
/// malformed.
pub fn message_type(tvb: &Tvb, mut off: usize) -> Option<u8> {
    while let Ok(code) = tvb.u8(off) {
        match code {
            0 => off += 1,
            255 => return None,
            _ => {
                let len = tvb.u8(off + 1).ok()? as usize;
                if code == 53 && len >= 1 {
                    return tvb.u8(off + 2).ok();
                }
                off += 2 + len;
            }
        }
    }
    None
}

/// Every option from `off` to End (and the padding after it).
pub fn dissect(cx: &mut Cx, node: NodeId, tvb: &Tvb, mut off: usize) -> Result<()> {
    while off < tvb.len() {
        let code = tvb.u8(off)?;
        match code {
            0 => {
                let n = tvb.rest(off)?.iter().take_while(|&&b| b == 0).count();
                cx.add_bytes(node, &OPTION_PADDING, tvb, off, n)?;
                off += n;
            }
            255 => {
                let item = cx.add_uint(node, &OPTION_TYPE, tvb.range(off, 1), 0);
                cx.set_text(item, "Option: (255) End");
                cx.add_u8(item, &OPTION_END, tvb, off)?;
                off += 1;
                let rest = tvb.remaining(off);
                if rest > 0 {
                    cx.add_bytes(node, &OPTION_PADDING, tvb, off, rest)?;
                }
                return Ok(());
            }
            _ => off = option(cx, node, tvb, off, code)?,
        }
    }
    Ok(())
}

/// One option with a length; returns where the next starts.
fn option(cx: &mut Cx, node: NodeId, tvb: &Tvb, off: usize, code: u8) -> Result<usize> {
    let len = tvb.u8(off + 1)? as usize;
    let item = cx.add_uint(node, &OPTION_TYPE, tvb.range(off, 2 + len), code as u64);
    let mut title = format!("Option: ({code}) {}", name(code));
    cx.set_text(item, title.clone());
    cx.add_u8(item, &OPTION_LENGTH, tvb, off + 1)?;
    let v = tvb.sub(off + 2, len)?;
    cx.add_bytes(item, &OPTION_VALUE, &v, 0, len)?;
    let shape = OPTIONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(Shape::Opaque, |(_, _, s)| *s);
    if let Some(suffix) = value(cx, item, &v, code, shape)? {
        title.push_str(&format!(" ({suffix})"));
        cx.set_text(item, title);
    }
    Ok(off + 2 + len)
}

/// The value of one option; returns what the option's title shows after its name, if anything.
fn value(cx: &mut Cx, item: NodeId, v: &Tvb, code: u8, shape: Shape) -> Result<Option<String>> {
    match shape {
        Shape::Ipv4(f) => {
            let a: [u8; 4] = v.array(0)?;
            cx.add(item, f, v.range(0, 4), Value::Ipv4(a));
            Ok(Some(std::net::Ipv4Addr::from(a).to_string()))
        }
        Shape::Ipv4List(f) => {
            for i in 0..v.len() / 4 {
                let a: [u8; 4] = v.array(4 * i)?;
                cx.add(item, f, v.range(4 * i, 4), Value::Ipv4(a));
            }
            Ok(None)
        }
        Shape::Uint(f) => {
            let n = match v.len() {
                1 => v.u8(0)? as u64,
                2 => v.be_u16(0)? as u64,
                _ => v.be_u32(0)? as u64,
            };
            cx.add_uint(item, f, v.range(0, v.len().min(4)), n);
            if code == 53 {
                let t = crate::engine::field::val_to_str(MESSAGE_TYPES, n).unwrap_or("Unknown");
                return Ok(Some(t.to_string()));
            }
            Ok(None)
        }
        Shape::Int32(f) => {
            let n = v.be_u32(0)? as i32;
            cx.add(item, f, v.range(0, 4), Value::Int(n as i64));
            Ok(None)
        }
        Shape::Text(f) => {
            let b = v.data();
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            cx.add(
                item,
                f,
                v.whole(),
                Value::str(String::from_utf8_lossy(&b[..end])),
            );
            Ok(None)
        }
        Shape::Special => special(cx, item, v, code).map(|()| None),
        Shape::Opaque => Ok(None),
    }
}

fn special(cx: &mut Cx, item: NodeId, v: &Tvb, code: u8) -> Result<()> {
    match code {
        55 => request_list(cx, item, v),
        61 => client_id(cx, item, v),
        81 => client_fqdn(cx, item, v),
        119 => domain_search(cx, item, v),
        _ => classless_routes(cx, item, v),
    }
}

fn request_list(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    for (i, &c) in v.data().iter().enumerate() {
        let n = cx.add_uint(item, &OPT_REQUEST_LIST_ITEM, v.range(i, 1), c as u64);
        cx.set_text(n, format!("Parameter Request List Item: ({c}) {}", name(c)));
    }
    Ok(())
}

/// Client identifier (RFC 2132 §9.14): a hardware type and address, or (type 255, RFC 4361) an
/// IAID and a DUID.
fn client_id(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    let kind = v.u8(0)?;
    if kind == 1 && v.len() == 7 {
        cx.add_u8(item, &HW_TYPE, v, 0)?;
        let mac: [u8; 6] = v.array(1)?;
        cx.add(item, &HW_MAC_ADDR, v.range(1, 6), Value::Ether(mac));
        return Ok(());
    }
    cx.add_u8(item, &CLIENT_ID_TYPE, v, 0)?;
    if kind == 255 && v.len() >= 7 {
        let iaid = v.bytes(1, 4)?;
        cx.add(
            item,
            &CLIENT_ID_IAID,
            v.range(1, 4),
            Value::str(crate::engine::value::hex_string(iaid)),
        );
        cx.add_be_u16(item, &CLIENT_ID_DUID_TYPE, v, 5)?;
        return Ok(());
    }
    cx.add_bytes(item, &CLIENT_ID, v, 1, v.len().saturating_sub(1))?;
    Ok(())
}

/// Client FQDN (RFC 4702): flags, two obsolete result codes, and the name (wire format when
/// the E flag is set, text otherwise).
fn client_fqdn(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    let flags = cx.add_bitmask8(
        item,
        &FQDN_FLAGS,
        &[&FQDN_MBZ, &FQDN_N, &FQDN_E, &FQDN_O, &FQDN_S],
        v,
        0,
    )?;
    cx.add_u8(item, &FQDN_RCODE1, v, 1)?;
    cx.add_u8(item, &FQDN_RCODE2, v, 2)?;
    if v.len() > 3 {
        let name = if flags & 0x04 != 0 {
            crate::proto::dns::name::read(&v.sub_from(3)?, 0)?.text
        } else {
            String::from_utf8_lossy(v.bytes(3, v.len() - 3)?).into_owned()
        };
        cx.add(item, &FQDN_NAME, v.range(3, v.len() - 3), Value::str(name));
    }
    Ok(())
}

/// Domain search list (RFC 3397): DNS names, compressed against the option's own data.
fn domain_search(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    let mut off = 0;
    while off < v.len() {
        let n = crate::proto::dns::name::read(v, off)?;
        cx.add(
            item,
            &OPT_DOMAIN_SEARCH_FQDN,
            v.range(off, n.used),
            Value::str(n.text),
        );
        off += n.used;
    }
    Ok(())
}

/// Classless static routes (RFC 3442): mask width, the significant octets of the
/// destination, the router.
fn classless_routes(cx: &mut Cx, item: NodeId, v: &Tvb) -> Result<()> {
    let mut off = 0;
    while off < v.len() {
        let width = v.u8(off)? as usize;
        let len = 1 + width.div_ceil(8) + 4;
        cx.add_bytes(item, &OPT_CLASSLESS_ROUTE, v, off, len)?;
        off += len;
    }
    Ok(())
}
