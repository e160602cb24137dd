//! DHCP (RFC 2131) and the BOOTP message it extends (RFC 951), on UDP ports 67 and 68, with
//! its options (RFC 2132 and later, in [`options`]); DHCPv6 is in [`v6`].
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +---------------+---------------+---------------+---------------+
//! |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
//! |                            xid (4)                            |
//! |           secs (2)            |           flags (2)           |
//! |                   ciaddr, yiaddr, siaddr, giaddr (4 each)      |
//! |                          chaddr (16)                          |
//! |                          sname (64)                           |
//! |                          file (128)                           |
//! |              magic cookie 99.130.83.99 (4)                    |
//! |                     options (variable)                        |
//! +---------------------------------------------------------------+
//! ```

pub mod options;
pub mod v6;

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::{tables, Registry};
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::Value;
use crate::engine::Cx;

/// DHCP message types (option 53, RFC 2132 §9.6 and later).
pub static MESSAGE_TYPES: &[(u64, &str)] = &[
    (1, "Discover"),
    (2, "Offer"),
    (3, "Request"),
    (4, "Decline"),
    (5, "ACK"),
    (6, "NAK"),
    (7, "Release"),
    (8, "Inform"),
    (9, "Force Renew"),
    (10, "Lease query"),
    (11, "Lease Unassigned"),
    (12, "Lease Unknown"),
    (13, "Lease Active"),
    (14, "Bulk Lease Query"),
    (15, "Lease Query Done"),
    (16, "Active LeaseQuery"),
    (17, "Lease Query Status"),
    (18, "TLS"),
];

crate::fields! {
    PROTO = FieldDef::protocol("dhcp", "Dynamic Host Configuration Protocol");
    TYPE = FieldDef::new("dhcp.type", "Message type", T::U8).vals(&[(1, "Boot Request"), (2, "Boot Reply")]);
    HW_TYPE = FieldDef::new("dhcp.hw.type", "Hardware type", T::U8).hex().vals(&[(1, "Ethernet"), (6, "IEEE 802"), (32, "InfiniBand")]);
    HW_LEN = FieldDef::new("dhcp.hw.len", "Hardware address length", T::U8);
    HOPS = FieldDef::new("dhcp.hops", "Hops", T::U8);
    ID = FieldDef::new("dhcp.id", "Transaction ID", T::U32).hex();
    SECS = FieldDef::new("dhcp.secs", "Seconds elapsed", T::U16);
    FLAGS = FieldDef::new("dhcp.flags", "Bootp flags", T::U16).hex();
    FLAGS_BC = FieldDef::flag("dhcp.flags.bc", "Broadcast flag", 16, 0x8000).tfs("Broadcast", "Unicast");
    FLAGS_RESERVED = FieldDef::new("dhcp.flags.reserved", "Reserved flags", T::U16).hex().mask(0x7fff);
    IP_CLIENT = FieldDef::new("dhcp.ip.client", "Client IP address", T::Ipv4);
    IP_YOUR = FieldDef::new("dhcp.ip.your", "Your (client) IP address", T::Ipv4);
    IP_SERVER = FieldDef::new("dhcp.ip.server", "Next server IP address", T::Ipv4);
    IP_RELAY = FieldDef::new("dhcp.ip.relay", "Relay agent IP address", T::Ipv4);
    HW_ADDR = FieldDef::new("dhcp.hw.addr", "Client hardware address", T::Bytes);
    HW_ADDR_PADDING = FieldDef::new("dhcp.hw.addr_padding", "Client hardware address padding", T::Bytes);
    HW_MAC_ADDR = FieldDef::new("dhcp.hw.mac_addr", "Client MAC address", T::Ether);
    SERVER = FieldDef::new("dhcp.server", "Server host name", T::String);
    FILE = FieldDef::new("dhcp.file", "Boot file name", T::String);
    COOKIE = FieldDef::new("dhcp.cookie", "Magic cookie", T::Ipv4);
    OPTION_TYPE = FieldDef::new("dhcp.option.type", "Option", T::U8);
    OPTION_LENGTH = FieldDef::new("dhcp.option.length", "Length", T::U8);
    OPTION_VALUE = FieldDef::new("dhcp.option.value", "Value", T::Bytes);
    OPTION_PADDING = FieldDef::new("dhcp.option.padding", "Padding", T::Bytes);
    OPTION_END = FieldDef::new("dhcp.option.end", "Option End", T::U8);
    OPT_SUBNET_MASK = FieldDef::new("dhcp.option.subnet_mask", "Subnet Mask", T::Ipv4);
    OPT_TIME_OFFSET = FieldDef::new("dhcp.option.time_offset", "Time Offset", T::I32);
    OPT_ROUTER = FieldDef::new("dhcp.option.router", "Router", T::Ipv4);
    OPT_TIME_SERVER = FieldDef::new("dhcp.option.time_server", "Time Server", T::Ipv4);
    OPT_DNS = FieldDef::new("dhcp.option.domain_name_server", "Domain Name Server", T::Ipv4);
    OPT_HOSTNAME = FieldDef::new("dhcp.option.hostname", "Host Name", T::String);
    OPT_BOOT_FILE_SIZE = FieldDef::new("dhcp.option.boot_file_size", "Boot File Size", T::U16);
    OPT_DOMAIN_NAME = FieldDef::new("dhcp.option.domain_name", "Domain Name", T::String);
    OPT_INTERFACE_MTU = FieldDef::new("dhcp.option.interface_mtu", "Interface MTU", T::U16);
    OPT_BROADCAST = FieldDef::new("dhcp.option.broadcast_address", "Broadcast Address", T::Ipv4);
    OPT_NTP_SERVER = FieldDef::new("dhcp.option.ntp_server", "Network Time Protocol Server", T::Ipv4);
    OPT_REQUESTED_IP = FieldDef::new("dhcp.option.requested_ip_address", "Requested IP Address", T::Ipv4);
    OPT_LEASE_TIME = FieldDef::new("dhcp.option.ip_address_lease_time", "IP Address Lease Time", T::U32);
    OPT_OVERLOAD = FieldDef::new("dhcp.option.option_overload", "Option Overload", T::U8).vals(&[(1, "Boot file name holds options"), (2, "Server host name holds options"), (3, "Boot file and server host names hold options")]);
    OPT_DHCP = FieldDef::new("dhcp.option.dhcp", "DHCP", T::U8).vals(MESSAGE_TYPES);
    OPT_SERVER_ID = FieldDef::new("dhcp.option.dhcp_server_id", "DHCP Server Identifier", T::Ipv4);
    OPT_REQUEST_LIST_ITEM = FieldDef::new("dhcp.option.request_list_item", "Parameter Request List Item", T::U8);
    OPT_MESSAGE = FieldDef::new("dhcp.option.message", "Message", T::String);
    OPT_MAX_MESSAGE_SIZE = FieldDef::new("dhcp.option.dhcp_max_message_size", "Maximum DHCP Message Size", T::U16);
    OPT_RENEWAL_TIME = FieldDef::new("dhcp.option.renewal_time_value", "Renewal Time Value", T::U32);
    OPT_REBINDING_TIME = FieldDef::new("dhcp.option.rebinding_time_value", "Rebinding Time Value", T::U32);
    OPT_VENDOR_CLASS_ID = FieldDef::new("dhcp.option.vendor_class_id", "Vendor class identifier", T::String);
    OPT_TFTP_SERVER_NAME = FieldDef::new("dhcp.option.tftp_server_name", "TFTP Server Name", T::String);
    OPT_BOOTFILE_NAME = FieldDef::new("dhcp.option.bootfile_name", "Bootfile name", T::String);
    OPT_DOMAIN_SEARCH_FQDN = FieldDef::new("dhcp.option.dhcp_dns_domain_search_list_fqdn", "FQDN", T::String);
    OPT_CLASSLESS_ROUTE = FieldDef::new("dhcp.option.classless_static_route", "Subnet/MaskWidth-Router", T::Bytes);
    OPT_ROUTER_SOLICITATION = FieldDef::new("dhcp.option.router_solicitation_address", "Router Solicitation Address", T::Ipv4);
    OPT_SUBNET_SELECTION = FieldDef::new("dhcp.option.subnet_selection_option", "Subnet Selection Option", T::Ipv4);
    OPT_TFTP_SERVER_ADDRESS = FieldDef::new("dhcp.option.tftp_server_address", "TFTP Server Address", T::Ipv4);
    OPT_MUDURL = FieldDef::new("dhcp.option.mudurl", "MUDURL", T::String);
    CLIENT_ID = FieldDef::new("dhcp.client_id", "Identifier", T::Bytes);
    CLIENT_ID_TYPE = FieldDef::new("dhcp.client_id.type", "Type", T::U8);
    CLIENT_ID_IAID = FieldDef::new("dhcp.client_id.iaid", "IAID", T::String);
    CLIENT_ID_DUID_TYPE = FieldDef::new("dhcp.client_id.duid_type", "DUID Type", T::U16);
    FQDN_FLAGS = FieldDef::new("dhcp.fqdn.flags", "Flags", T::U8).hex();
    FQDN_MBZ = FieldDef::new("dhcp.fqdn.mbz", "Reserved flags", T::U8).hex().mask(0xf0);
    FQDN_N = FieldDef::flag("dhcp.fqdn.n", "Server DDNS", 8, 0x08).tfs("No server updates", "Some server updates");
    FQDN_E = FieldDef::flag("dhcp.fqdn.e", "Encoding", 8, 0x04).tfs("Binary encoding", "ASCII encoding");
    FQDN_O = FieldDef::flag("dhcp.fqdn.o", "Server overrides", 8, 0x02).tfs("Override", "No override");
    FQDN_S = FieldDef::flag("dhcp.fqdn.s", "Server", 8, 0x01).tfs("Server", "Client");
    FQDN_RCODE1 = FieldDef::new("dhcp.fqdn.rcode1", "A-RR result", T::U8);
    FQDN_RCODE2 = FieldDef::new("dhcp.fqdn.rcode2", "PTR-RR result", T::U8);
    FQDN_NAME = FieldDef::new("dhcp.fqdn.name", "Client name", T::String);
}

crate::experts! {
    OPTION_TRUNCATED = ExpertDef::new("dhcp.option.parse_err", Group::Malformed, Severity::Error, "Parse error");
}

crate::protocol!("dhcp", "DHCP", dissect, register, EXPERTS);

fn register(r: &mut Registry) {
    r.add(tables::UDP_PORT, 67, &PROTOCOL);
    r.add(tables::UDP_PORT, 68, &PROTOCOL);
}

/// Offset of the options (after the magic cookie).
const OPTIONS_AT: usize = 240;

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let op = tvb.u8(0)?;
    let xid = tvb.be_u32(4)?;
    // The message type decides the title and Info, so it is found before the tree is built.
    let msg_type = options::message_type(tvb, OPTIONS_AT);
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    let type_name = |t: u8| {
        crate::engine::field::val_to_str(MESSAGE_TYPES, t as u64).map_or_else(
            || format!("Unknown Message Type (0x{t:02x})"),
            str::to_string,
        )
    };
    match msg_type {
        Some(t) => {
            cx.set_text(
                node,
                format!("Dynamic Host Configuration Protocol ({})", type_name(t)),
            );
            cx.set_info(format!(
                "DHCP {:<8} - Transaction ID 0x{xid:x}",
                type_name(t)
            ));
        }
        None => {
            cx.columns.protocol = "BOOTP".into();
            let kind = if op == 1 { "Request" } else { "Reply" };
            cx.set_text(node, "Bootstrap Protocol");
            cx.set_info(format!("Boot {kind}"));
        }
    }
    header(cx, node, tvb)?;
    options::dissect(cx, node, tvb, OPTIONS_AT)
}

/// The fixed BOOTP header up to and including the magic cookie.
fn header(cx: &mut Cx, node: NodeId, tvb: &Tvb) -> Result<()> {
    cx.add_u8(node, &TYPE, tvb, 0)?;
    let htype = cx.add_u8(node, &HW_TYPE, tvb, 1)?;
    let hlen = cx.add_u8(node, &HW_LEN, tvb, 2)? as usize;
    cx.add_u8(node, &HOPS, tvb, 3)?;
    cx.add_be_u32(node, &ID, tvb, 4)?;
    cx.add_be_u16(node, &SECS, tvb, 8)?;
    cx.add_bitmask(node, &FLAGS, &[&FLAGS_BC, &FLAGS_RESERVED], tvb, 10, 2)?;
    for (i, f) in [&IP_CLIENT, &IP_YOUR, &IP_SERVER, &IP_RELAY]
        .into_iter()
        .enumerate()
    {
        let a: [u8; 4] = tvb.array(12 + 4 * i)?;
        cx.add(node, f, tvb.range(12 + 4 * i, 4), Value::Ipv4(a));
    }
    chaddr(cx, node, tvb, htype, hlen)?;
    stringz(cx, node, tvb, 44, 64, &SERVER)?;
    stringz(cx, node, tvb, 108, 128, &FILE)?;
    let cookie: [u8; 4] = tvb.array(236)?;
    cx.add(node, &COOKIE, tvb.range(236, 4), Value::Ipv4(cookie));
    Ok(())
}

/// The client hardware address: a MAC and its padding for Ethernet, bytes otherwise.
fn chaddr(cx: &mut Cx, node: NodeId, tvb: &Tvb, htype: u8, hlen: usize) -> Result<()> {
    if htype == 1 && hlen == 6 {
        let mac: [u8; 6] = tvb.array(28)?;
        cx.add(node, &HW_MAC_ADDR, tvb.range(28, 6), Value::Ether(mac));
        cx.add_bytes(node, &HW_ADDR_PADDING, tvb, 34, 10)?;
    } else if hlen > 0 && hlen <= 16 {
        cx.add_bytes(node, &HW_ADDR, tvb, 28, hlen)?;
        if hlen < 16 {
            cx.add_bytes(node, &HW_ADDR_PADDING, tvb, 28 + hlen, 16 - hlen)?;
        }
    } else {
        tvb.bytes(28, 16)?;
    }
    Ok(())
}

/// A NUL-terminated string in a fixed-size area (sname, file): the text up to the first NUL.
fn stringz(
    cx: &mut Cx,
    node: NodeId,
    tvb: &Tvb,
    off: usize,
    len: usize,
    field: &'static FieldDef,
) -> Result<()> {
    let b = tvb.bytes(off, len)?;
    let end = b.iter().position(|&c| c == 0).unwrap_or(len);
    let n = cx.add(
        node,
        field,
        tvb.range(off, len),
        Value::str(String::from_utf8_lossy(&b[..end])),
    );
    if end == 0 {
        let what = if field.abbrev == "dhcp.server" {
            "Server host name"
        } else {
            "Boot file name"
        };
        cx.set_text(n, format!("{what} not given"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
