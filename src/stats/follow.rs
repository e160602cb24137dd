//! `-z follow,tcp|udp,ascii|raw,N`: the payload of one TCP or UDP stream, chunk by chunk, in
//! tshark's layout (node 1's chunks indented with a tab). Retransmitted TCP data is left out.

use super::Tap;
use dissectors::engine::address::Address;
use dissectors::engine::tree::Build;
use dissectors::engine::value::Value;
use dissectors::engine::Packet;
use std::fmt::Write;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ascii,
    Raw,
}

pub struct Follow {
    tcp: bool,
    mode: Mode,
    stream: u32,
    /// (address, port) of node 0 (the first sender) and node 1.
    nodes: Option<[(Address, u16); 2]>,
    /// Chunks: (node index, bytes), one per segment or datagram, as tshark lists them.
    chunks: Vec<(usize, Vec<u8>)>,
    /// Bytes kept, bounded so a huge stream cannot exhaust memory.
    kept: usize,
}

/// Most payload bytes one follow keeps.
const MAX_FOLLOW_BYTES: usize = 64 << 20;

impl Follow {
    /// Parses `tcp,ascii,N` (the part after `follow,`).
    pub fn parse(args: &[&str]) -> Result<Follow, String> {
        let usage = "use -z follow,tcp|udp,ascii|raw,STREAM";
        let [proto, mode, stream] = args else {
            return Err(usage.into());
        };
        let tcp = match *proto {
            "tcp" => true,
            "udp" => false,
            other => {
                return Err(format!(
                    "follow: '{other}' is not a stream protocol; {usage}"
                ))
            }
        };
        let mode = match *mode {
            "ascii" => Mode::Ascii,
            "raw" => Mode::Raw,
            other => return Err(format!("follow: mode '{other}' is not supported; {usage}")),
        };
        let stream = stream
            .parse()
            .map_err(|_| format!("follow: '{stream}' is not a stream number; {usage}"))?;
        let mut f = Follow::new(tcp, stream);
        f.mode = mode;
        Ok(f)
    }

    /// Follows TCP (`tcp`) or UDP stream `stream` (the TUI's follow view).
    pub fn new(tcp: bool, stream: u32) -> Follow {
        Follow {
            tcp,
            mode: Mode::Ascii,
            stream,
            nodes: None,
            chunks: vec![],
            kept: 0,
        }
    }

    /// The chunks so far: (node 0 or 1, bytes).
    pub fn chunks(&self) -> &[(usize, Vec<u8>)] {
        &self.chunks
    }

    /// (address, port) of node 0 (the first sender) and node 1.
    pub fn nodes(&self) -> Option<[(Address, u16); 2]> {
        self.nodes
    }

    fn field<'p>(p: &'p Packet, name: &'p str) -> Option<&'p Value> {
        p.tree.by_abbrev(name).next().map(|n| &n.value)
    }
}

fn endpoint_text((a, port): (Address, u16)) -> String {
    match a {
        Address::Ipv6(_) => format!("[{a}]:{port}"),
        _ => format!("{a}:{port}"),
    }
}

/// The fields a follow reads: the TCP and UDP stream numbers and payloads, and TCP
/// retransmissions (left out of the stream).
pub fn stream_fields() -> [&'static dissectors::engine::field::FieldDef; 5] {
    use dissectors::proto::{tcp, udp};
    [
        &tcp::STREAM,
        &tcp::PAYLOAD,
        &tcp::RETRANSMISSION.field,
        &udp::STREAM,
        &udp::PAYLOAD,
    ]
}

impl Tap for Follow {
    fn build(&self) -> Build {
        Build::fields(stream_fields())
    }

    fn packet(&mut self, p: &Packet) {
        let (stream_field, payload_field) = if self.tcp {
            ("tcp.stream", "tcp.payload")
        } else {
            ("udp.stream", "udp.payload")
        };
        if Self::field(p, stream_field).and_then(Value::as_u64) != Some(self.stream as u64) {
            return;
        }
        let src = (p.info.net_src, p.info.src_port);
        let dst = (p.info.net_dst, p.info.dst_port);
        let nodes = *self.nodes.get_or_insert([src, dst]);
        if self.tcp
            && p.tree
                .by_abbrev("tcp.analysis.retransmission")
                .next()
                .is_some()
        {
            return;
        }
        let Some(Value::Bytes(data)) = Self::field(p, payload_field) else {
            return;
        };
        if data.is_empty() || self.kept >= MAX_FOLLOW_BYTES {
            return;
        }
        let node = usize::from(src != nodes[0]);
        self.kept += data.len();
        self.chunks.push((node, data.to_vec()));
    }

    fn render(&self, out: &mut String) {
        let bar = "===================================================================";
        let proto = if self.tcp { "tcp" } else { "udp" };
        let mode = if self.mode == Mode::Ascii {
            "ascii"
        } else {
            "raw"
        };
        let _ = writeln!(
            out,
            "\n{bar}\nFollow: {proto},{mode}\nFilter: {proto}.stream eq {}",
            self.stream
        );
        match self.nodes {
            Some(nodes) => {
                let _ = writeln!(
                    out,
                    "Node 0: {}\nNode 1: {}",
                    endpoint_text(nodes[0]),
                    endpoint_text(nodes[1])
                );
            }
            // A stream that is not in the capture: tshark prints empty nodes.
            None => out.push_str("Node 0: :0\nNode 1: :0\n"),
        }
        for (node, data) in &self.chunks {
            let indent = if *node == 1 { "\t" } else { "" };
            match self.mode {
                Mode::Ascii => {
                    let _ = writeln!(out, "{indent}{}", data.len());
                    // Non-printable bytes show as dots, as in tshark; line breaks stay.
                    let text: String = data
                        .iter()
                        .map(|b| {
                            if b.is_ascii_graphic() || matches!(b, b' ' | b'\n') {
                                *b as char
                            } else {
                                '.'
                            }
                        })
                        .collect();
                    let _ = writeln!(out, "{text}");
                }
                Mode::Raw => {
                    let _ = writeln!(
                        out,
                        "{indent}{}",
                        dissectors::engine::value::hex_string(data)
                    );
                }
            }
        }
        let _ = writeln!(out, "{bar}");
    }
}
