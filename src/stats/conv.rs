//! `-z conv,TYPE` and `-z endpoints,TYPE`: traffic per address pair and per address, in the
//! layout tshark prints.

use super::{format_bytes, Tap};
use dissectors::engine::address::Address;
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvKind {
    Eth,
    Ip,
    Ipv6,
    Udp,
    Tcp,
    Wpan,
}

impl ConvKind {
    pub fn parse(s: &str) -> Result<ConvKind, String> {
        Ok(match s {
            "eth" => ConvKind::Eth,
            "ip" => ConvKind::Ip,
            "ipv6" => ConvKind::Ipv6,
            "udp" => ConvKind::Udp,
            "tcp" => ConvKind::Tcp,
            "wpan" => ConvKind::Wpan,
            _ => {
                return Err(format!(
                    "unknown conversation type '{s}'; use eth, ip, ipv6, udp, tcp or wpan"
                ))
            }
        })
    }

    /// Every kind, in the order the statistics view lists them.
    pub const ALL: [ConvKind; 6] = [
        ConvKind::Wpan,
        ConvKind::Ipv6,
        ConvKind::Ip,
        ConvKind::Udp,
        ConvKind::Tcp,
        ConvKind::Eth,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ConvKind::Eth => "Ethernet",
            ConvKind::Ip => "IPv4",
            ConvKind::Ipv6 => "IPv6",
            ConvKind::Udp => "UDP",
            ConvKind::Tcp => "TCP",
            ConvKind::Wpan => "IEEE 802.15.4",
        }
    }

    /// A display filter matching one endpoint of this kind.
    pub fn endpoint_filter(self, (a, port): &(Address, u16)) -> String {
        let addr = match a {
            Address::Wpan16 { addr, .. } => format!("wpan.addr16 == 0x{addr:04x}"),
            Address::Eui64(_) => format!("wpan.addr64 == {a}"),
            Address::Ipv4(_) => format!("ip.addr == {a}"),
            Address::Ipv6(_) => format!("ipv6.addr == {a}"),
            Address::Ether(_) => format!("eth.addr == {a}"),
            Address::None => "frame".to_string(),
        };
        match self {
            ConvKind::Udp => format!("{addr} && udp.port == {port}"),
            ConvKind::Tcp => format!("{addr} && tcp.port == {port}"),
            _ => addr,
        }
    }

    /// A display filter matching the conversation between two endpoints.
    pub fn conversation_filter(self, a: &(Address, u16), b: &(Address, u16)) -> String {
        format!(
            "({}) && ({})",
            self.endpoint_filter(a),
            self.endpoint_filter(b)
        )
    }

    fn has_ports(self) -> bool {
        matches!(self, ConvKind::Udp | ConvKind::Tcp)
    }

    /// The packet's endpoints at this layer, if it has that layer.
    fn endpoints(self, p: &Packet) -> Option<((Address, u16), (Address, u16))> {
        let i = &p.info;
        let layer = |name: &str| p.protocols.contains(&name);
        let pair = match self {
            ConvKind::Eth if matches!(i.dl_src, Address::Ether(_)) => {
                ((i.dl_src, 0), (i.dl_dst, 0))
            }
            ConvKind::Wpan
                if matches!(i.dl_src, Address::Wpan16 { .. } | Address::Eui64(_))
                    || matches!(i.dl_dst, Address::Wpan16 { .. } | Address::Eui64(_)) =>
            {
                ((i.dl_src, 0), (i.dl_dst, 0))
            }
            ConvKind::Ip if matches!(i.net_src, Address::Ipv4(_)) => {
                ((i.net_src, 0), (i.net_dst, 0))
            }
            ConvKind::Ipv6 if matches!(i.net_src, Address::Ipv6(_)) => {
                ((i.net_src, 0), (i.net_dst, 0))
            }
            ConvKind::Udp if i.transport == 17 && layer("udp") => {
                ((i.net_src, i.src_port), (i.net_dst, i.dst_port))
            }
            ConvKind::Tcp if i.transport == 6 && layer("tcp") => {
                ((i.net_src, i.src_port), (i.net_dst, i.dst_port))
            }
            _ => return None,
        };
        Some(pair)
    }
}

#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    /// a→b and b→a
    pub frames: [u64; 2],
    pub bytes: [u64; 2],
    pub first_rel: i64,
    pub last_rel: i64,
}

/// An address with its port (0 where the layer has none).
pub type Endpoint = (Address, u16);

pub struct Conversations {
    kind: ConvKind,
    order: Vec<(Endpoint, Endpoint)>,
    map: HashMap<(Endpoint, Endpoint), Counts>,
}

impl Conversations {
    pub fn new(kind: ConvKind) -> Self {
        Conversations {
            kind,
            order: vec![],
            map: HashMap::new(),
        }
    }

    pub fn kind(&self) -> ConvKind {
        self.kind
    }

    /// The conversations as `-z conv` lists them: most bytes first.
    pub fn rows(&self) -> Vec<(Endpoint, Endpoint, &Counts)> {
        // tshark sorts by total bytes, largest first (a stable sort keeps first-seen order).
        let mut keys = self.order.clone();
        keys.sort_by_key(|k| {
            let c = &self.map[k];
            std::cmp::Reverse(c.bytes[0] + c.bytes[1])
        });
        keys.into_iter()
            .map(|k| (k.0, k.1, &self.map[&k]))
            .collect()
    }
}

fn endpoint_text(a: &(Address, u16), ports: bool) -> String {
    if ports {
        format!("{}:{}", a.0, a.1)
    } else {
        a.0.to_string()
    }
}

impl Tap for Conversations {
    /// Addresses and ports come from the packet's info, layers from its layer list.
    fn build(&self) -> Build {
        Build::Layers
    }

    fn packet(&mut self, p: &Packet) {
        let Some((s, d)) = self.kind.endpoints(p) else {
            return;
        };
        let (key, dir) = if s <= d { ((s, d), 0) } else { ((d, s), 1) };
        let len = p.meta.orig_len as u64;
        let c = self.map.entry(key).or_insert_with(|| {
            self.order.push(key);
            Counts {
                first_rel: p.rel_ns,
                last_rel: p.rel_ns,
                ..Default::default()
            }
        });
        c.frames[dir] += 1;
        c.bytes[dir] += len;
        c.last_rel = p.rel_ns;
    }

    fn render(&self, out: &mut String) {
        let bar = "=".repeat(80);
        let _ = writeln!(
            out,
            "{bar}\n{} Conversations\nFilter:<No Filter>",
            self.kind.title()
        );
        out.push_str("                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |\n");
        out.push_str("                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |\n");
        let ports = self.kind.has_ports();
        for (a, b, c) in self.rows() {
            let k = (a, b);
            // "<-" counts frames from b to a, "->" from a to b.
            let _ = writeln!(
                out,
                "{:<20} <-> {:<20}  {:>6} {:<9}  {:>6} {:<9}  {:>6} {:<9}  {:>14.9}  {:>12.4}",
                endpoint_text(&k.0, ports),
                endpoint_text(&k.1, ports),
                c.frames[1],
                format_bytes(c.bytes[1]),
                c.frames[0],
                format_bytes(c.bytes[0]),
                c.frames[0] + c.frames[1],
                format_bytes(c.bytes[0] + c.bytes[1]),
                c.first_rel as f64 / 1e9,
                (c.last_rel - c.first_rel) as f64 / 1e9,
            );
        }
        let _ = writeln!(out, "{bar}");
    }
}

#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct EpCounts {
    pub tx_frames: u64,
    pub tx_bytes: u64,
    pub rx_frames: u64,
    pub rx_bytes: u64,
}

pub struct Endpoints {
    kind: ConvKind,
    order: Vec<(Address, u16)>,
    map: HashMap<(Address, u16), EpCounts>,
}

impl Endpoints {
    pub fn new(kind: ConvKind) -> Self {
        Endpoints {
            kind,
            order: vec![],
            map: HashMap::new(),
        }
    }

    pub fn kind(&self) -> ConvKind {
        self.kind
    }

    /// The endpoints as `-z endpoints` lists them: most bytes first.
    pub fn rows(&self) -> Vec<(Endpoint, &EpCounts)> {
        let mut keys = self.order.clone();
        keys.sort_by_key(|k| {
            let c = &self.map[k];
            std::cmp::Reverse(c.tx_bytes + c.rx_bytes)
        });
        keys.into_iter().map(|k| (k, &self.map[&k])).collect()
    }

    fn entry(&mut self, e: (Address, u16)) -> &mut EpCounts {
        let order = &mut self.order;
        self.map.entry(e).or_insert_with(|| {
            order.push(e);
            EpCounts::default()
        })
    }
}

impl Tap for Endpoints {
    fn build(&self) -> Build {
        Build::Layers
    }

    fn packet(&mut self, p: &Packet) {
        let Some((s, d)) = self.kind.endpoints(p) else {
            return;
        };
        let len = p.meta.orig_len as u64;
        let src = self.entry(s);
        src.tx_frames += 1;
        src.tx_bytes += len;
        let dst = self.entry(d);
        dst.rx_frames += 1;
        dst.rx_bytes += len;
    }

    fn render(&self, out: &mut String) {
        let bar = "=".repeat(80);
        let _ = writeln!(
            out,
            "{bar}\n{} Endpoints\nFilter:<No Filter>",
            self.kind.title()
        );
        if self.kind.has_ports() {
            out.push_str("                       |  Port  ||  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n");
        } else {
            out.push_str("                       |  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n");
        }
        for (k, c) in self.rows() {
            let port = if self.kind.has_ports() {
                format!("{:>6}", k.1)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{:<20}  {}  {:>11}   {:>11}   {:>11}   {:>11}   {:>11}   {:>11}   ",
                k.0.to_string(),
                port,
                c.tx_frames + c.rx_frames,
                c.tx_bytes + c.rx_bytes,
                c.tx_frames,
                c.tx_bytes,
                c.rx_frames,
                c.rx_bytes
            );
        }
        let _ = writeln!(out, "{bar}");
    }
}
