//! Packet colouring (`--color`): the first of a list of rules whose display filter matches a
//! packet gives it a foreground and background colour, which `-T psml` and `-T pdml` write as
//! the `foreground`/`background` attributes of `<packet>`, as tshark does. termshark asks for
//! them to colour its packet list.
//!
//! The rules are Wireshark's default colouring rules, in their order, restated with the fields
//! lowshark decodes: a rule, or a term of one, about a protocol lowshark has no dissector for
//! (HSRP, STP, OSPF, SCTP, SMB, DCERPC, routing protocols, system events) can never match here
//! and is left out, or stands for the port or IP protocol number that protocol uses, which
//! leaves the first match of every packet lowshark decodes unchanged. `tests/color.rs` compares
//! the result with tshark's on every capture.

use dissectors::engine::registry::Registry;
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use dissectors::filter::Filter;

/// One rule: a name (for messages), when it applies, and its colours as `#rrggbb`.
struct RuleDef {
    name: &'static str,
    filter: &'static str,
    foreground: &'static str,
    background: &'static str,
}

/// The dark colour most rules pair with a light one, and the red of the alarm rules.
const DARK: &str = "#12272e";
const RED: &str = "#a40000";

/// tshark's PSML writes a rule's two colours the other way round from Wireshark's
/// `colorfilters` file (`foreground` gets the file's background): `foreground` and
/// `background` below are what tshark writes, since that is what its consumers read.
const DEFAULT_RULES: &[RuleDef] = &[
    RuleDef {
        name: "Bad TCP",
        filter: "tcp.analysis.flags && !tcp.analysis.window_update \
                 && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack",
        foreground: "#f78787",
        background: DARK,
    },
    RuleDef {
        name: "ICMP errors",
        filter: "icmp.type in {3..5 11} || icmpv6.type in {1..4}",
        foreground: "#b7f774",
        background: DARK,
    },
    RuleDef {
        name: "ARP",
        filter: "arp",
        foreground: DARK,
        background: "#faf0d7",
    },
    RuleDef {
        name: "ICMP",
        filter: "icmp || icmpv6",
        foreground: DARK,
        background: "#fce0ff",
    },
    RuleDef {
        name: "TCP RST",
        filter: "tcp.flags.reset == 1",
        foreground: "#fffc9c",
        background: RED,
    },
    // PIM (IP protocol 103), OSPF (89) and VRRP/CARP (112) have no dissector here: their
    // protocol numbers stand in for the layers Wireshark's rule tests.
    RuleDef {
        name: "TTL low or unexpected",
        filter: "(ip.dst != 224.0.0.0/4 && ip.ttl < 5 && !(ip.proto in {89 103})) \
                 || (ip.dst == 224.0.0.0/24 && ip.dst != 224.0.0.251 && ip.ttl != 1 \
                 && ip.proto != 112)",
        foreground: "#ecf0eb",
        background: RED,
    },
    RuleDef {
        name: "Checksum Errors",
        filter: "ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" \
                 || udp.checksum.status == \"Bad\"",
        foreground: "#f78787",
        background: DARK,
    },
    // NetBIOS name and datagram services (UDP 137, 138) stand in for `nbns || netbios`.
    RuleDef {
        name: "SMB",
        filter: "udp.port in {137 138}",
        foreground: DARK,
        background: "#feffd0",
    },
    RuleDef {
        name: "HTTP",
        filter: "http || tcp.port == 80",
        foreground: DARK,
        background: "#e4ffc7",
    },
    // Of Wireshark's routing protocols, IGMP (IP protocol 2) is the one IoT gateways send.
    RuleDef {
        name: "Routing",
        filter: "ip.proto == 2",
        foreground: DARK,
        background: "#fff3d6",
    },
    RuleDef {
        name: "TCP SYN/FIN",
        filter: "tcp.flags & 0x02 || tcp.flags.fin == 1",
        foreground: DARK,
        background: "#a0a0a0",
    },
    RuleDef {
        name: "TCP",
        filter: "tcp",
        foreground: DARK,
        background: "#e7e6ff",
    },
    RuleDef {
        name: "UDP",
        filter: "udp",
        foreground: DARK,
        background: "#daeeff",
    },
    RuleDef {
        name: "Broadcast",
        filter: "eth[0] & 1",
        foreground: "#babdb6",
        background: "#ffffff",
    },
];

/// A packet's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colors {
    pub foreground: &'static str,
    pub background: &'static str,
}

/// The compiled colouring rules.
pub struct Coloring {
    rules: Vec<(Filter, Colors)>,
}

impl Coloring {
    /// The default rules, compiled against `registry`. A rule naming a field the registry lacks
    /// is a bug in the table above, reported with the rule's name.
    pub fn defaults(registry: &Registry) -> Result<Coloring, String> {
        let rules = DEFAULT_RULES
            .iter()
            .map(|r| {
                let filter = Filter::compile(r.filter, registry)
                    .map_err(|e| format!("colouring rule {}: {}", r.name, e.render(r.filter)))?;
                let colors = Colors {
                    foreground: r.foreground,
                    background: r.background,
                };
                Ok((filter, colors))
            })
            .collect::<Result<_, String>>()?;
        Ok(Coloring { rules })
    }

    /// The fields the rules test, for the tree build of a run.
    pub fn build(&self) -> Build {
        self.rules
            .iter()
            .fold(Build::Layers, |b, (f, _)| b.merge(f.build()))
    }

    /// The colours of the first rule that matches `packet`.
    pub fn colors(&self, packet: &Packet) -> Option<Colors> {
        self.rules
            .iter()
            .find(|(f, _)| f.matches(packet))
            .map(|(_, c)| *c)
    }
}

/// `<packet>` with the colour attributes when there are colours.
pub fn open_packet(out: &mut String, colors: Option<Colors>) {
    match colors {
        Some(c) => {
            out.push_str("<packet foreground='");
            out.push_str(c.foreground);
            out.push_str("' background='");
            out.push_str(c.background);
            out.push_str("'>\n");
        }
        None => out.push_str("<packet>\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_rule_compiles() {
        let registry = Registry::builtin();
        let coloring = Coloring::defaults(&registry).unwrap();
        assert_eq!(coloring.rules.len(), DEFAULT_RULES.len());
    }

    #[test]
    fn packet_tag_carries_the_colours() {
        let mut out = String::new();
        let c = Colors {
            foreground: DARK,
            background: "#faf0d7",
        };
        open_packet(&mut out, Some(c));
        assert_eq!(out, "<packet foreground='#12272e' background='#faf0d7'>\n");
        out.clear();
        open_packet(&mut out, None);
        assert_eq!(out, "<packet>\n");
    }
}
