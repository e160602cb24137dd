//! Output formats. Each formats one packet at a time into a String that the caller writes, so
//! output streams and nothing holds the capture.

pub mod coloring;
pub mod fields;
pub mod json;
pub mod pdml;
pub mod text;

use dissectors::engine::tree::Node;
use dissectors::engine::Packet;

/// The bytes a node covers, cut to its source (empty when its range lies outside it): what the
/// JSON `_raw` arrays and the PDML `value` attributes show.
pub fn node_bytes<'p>(p: &'p Packet, n: &Node) -> &'p [u8] {
    let src = p
        .sources
        .get(n.range.source as usize)
        .map(|s| &s.data[..])
        .unwrap_or(&[]);
    let start = (n.range.start as usize).min(src.len());
    let end = (n.range.end() as usize).min(src.len());
    &src[start..end]
}
