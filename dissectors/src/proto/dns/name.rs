//! Domain names on the wire (RFC 1035 §3.1, §4.1.4): labels, and compression pointers into the
//! message, which are followed with loop protection.
//!
//! ```text
//!   +--+--+--+--+--+--+--+--+
//!   | 0  0|  label length   |  then that many bytes; length 0 ends the name
//!   | 1  1|  offset (14 bits, with the next byte)  |  pointer: the name goes on there
//!   +--+--+--+--+--+--+--+--+
//! ```
//! Types 01 (extended labels, RFC 2673) and 10 are malformed. Like tshark, a name that follows
//! more pointers than a name can have characters is reported as looping, and one longer than 253
//! characters is shown as too long; the bytes it occupies in place are known either way.

use crate::engine::tvb::{Error, Result, Tvb};

/// The most characters (dots included) a name can have; one more is "too long".
const MAX_NAME: usize = 253;
/// Pointers followed before a name is declared a loop (tshark's `MAX_DNAME_LEN`).
const MAX_POINTERS: usize = 255;

pub const ROOT: &str = "<Root>";
pub const LOOPS: &str = "<Name contains a pointer that loops>";
pub const TOO_LONG: &str = "<Name too long>";

/// A name read from a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    /// As shown: formatted for display, or one of the `<…>` placeholders.
    pub text: String,
    /// Length of the raw name (before formatting), as tshark counts it for `dns.qry.name.len`.
    pub raw_len: usize,
    /// Labels, counted as tshark does: dots in the raw name plus one.
    pub labels: usize,
    /// Bytes the name occupies where it starts (up to and including the first pointer).
    pub used: usize,
}

/// Reads the name at `off` in `msg` (the whole DNS message: pointers are offsets into it).
pub fn read(msg: &Tvb, off: usize) -> Result<Name> {
    let mut raw: Vec<u8> = Vec::new();
    let mut too_long = false;
    let mut pos = off;
    let mut used = None;
    let mut pointers = 0;
    loop {
        let len = msg.u8(pos)? as usize;
        pos += 1;
        match len & 0xc0 {
            0x00 if len == 0 => break,
            0x00 => {
                let label = msg.bytes(pos, len)?;
                pos += len;
                if too_long {
                    continue;
                }
                if !raw.is_empty() {
                    raw.push(b'.');
                }
                raw.extend_from_slice(label);
                too_long = raw.len() > MAX_NAME;
            }
            0xc0 => {
                let target = ((len & 0x3f) << 8) | msg.u8(pos)? as usize;
                pos += 1;
                let used = *used.get_or_insert_with(|| pos - off);
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Ok(placeholder(LOOPS, used));
                }
                pos = target;
            }
            _ => return Err(Error::Malformed("unsupported DNS label type".into())),
        }
    }
    // Without a pointer the name ends where reading ended (pos only grows then).
    let used = used.unwrap_or_else(|| pos - off);
    if too_long {
        return Ok(placeholder(TOO_LONG, used));
    }
    if raw.is_empty() {
        return Ok(placeholder(ROOT, used));
    }
    Ok(Name {
        labels: raw.iter().filter(|&&b| b == b'.').count() + 1,
        raw_len: raw.len(),
        text: format_text(&raw),
        used,
    })
}

fn placeholder(text: &str, used: usize) -> Name {
    Name {
        text: text.to_string(),
        raw_len: text.len(),
        labels: 1,
        used,
    }
}

/// Bytes shown as tshark 4.0's `format_text` shows them: valid UTF-8 kept, C0 controls and DEL
/// as C escapes (`\t`, `\001`), bytes that are not UTF-8 as U+FFFD.
pub fn format_text(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\{:03o}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}
