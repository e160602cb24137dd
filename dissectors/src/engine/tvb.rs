//! A bounds-checked view of packet bytes (Wireshark's tvbuff): every read returns
//! `Result`, so a short buffer becomes an [`Error`] a dissector passes up with `?`, and the engine
//! turns it into a `_ws.malformed` item. No accessor can panic.

use crate::engine::tree::{ByteRange, SourceId};

/// Why a dissector stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The packet ended before a field the header says is there.
    Short,
    /// The bytes are there but make no sense; the text says why.
    Malformed(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Short => f.write_str("packet too short"),
            Error::Malformed(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A window onto one data source: `data` is the visible slice, `offset` where it starts in the
/// source, so tree ranges can be absolute while dissectors count from 0.
#[derive(Copy, Clone, Debug)]
pub struct Tvb<'a> {
    data: &'a [u8],
    source: SourceId,
    offset: u32,
}

macro_rules! read_int {
    ($name:ident, $t:ty, $n:expr, $from:ident) => {
        #[inline]
        pub fn $name(&self, off: usize) -> Result<$t> {
            let b = self.bytes(off, $n)?;
            let mut a = [0u8; $n];
            a.copy_from_slice(b);
            Ok(<$t>::$from(a))
        }
    };
}

impl<'a> Tvb<'a> {
    pub fn new(data: &'a [u8], source: SourceId) -> Tvb<'a> {
        Tvb {
            data,
            source,
            offset: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn source(&self) -> SourceId {
        self.source
    }

    /// Where this view starts within its data source.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The bytes `off..off+len`, or `Error::Short`.
    #[inline]
    pub fn bytes(&self, off: usize, len: usize) -> Result<&'a [u8]> {
        let end = off.checked_add(len).ok_or(Error::Short)?;
        self.data.get(off..end).ok_or(Error::Short)
    }

    /// The bytes from `off` to the end (empty when `off` is exactly the end).
    pub fn rest(&self, off: usize) -> Result<&'a [u8]> {
        self.data.get(off..).ok_or(Error::Short)
    }

    /// Bytes left from `off` (0 past the end).
    pub fn remaining(&self, off: usize) -> usize {
        self.data.len().saturating_sub(off)
    }

    /// A sub-view `off..off+len`, keeping absolute offsets.
    pub fn sub(&self, off: usize, len: usize) -> Result<Tvb<'a>> {
        let data = self.bytes(off, len)?;
        Ok(Tvb {
            data,
            source: self.source,
            offset: self.offset + off as u32,
        })
    }

    /// A sub-view from `off` to the end.
    pub fn sub_from(&self, off: usize) -> Result<Tvb<'a>> {
        let data = self.rest(off)?;
        Ok(Tvb {
            data,
            source: self.source,
            offset: self.offset + off as u32,
        })
    }

    /// A sub-view of at most `len` bytes from `off` (clamped at the end): for payloads whose
    /// header claims more than was captured.
    pub fn sub_clamped(&self, off: usize, len: usize) -> Tvb<'a> {
        let start = off.min(self.data.len());
        let end = start.saturating_add(len).min(self.data.len());
        Tvb {
            data: &self.data[start..end],
            source: self.source,
            offset: self.offset + start as u32,
        }
    }

    /// The absolute range of `off..off+len` in this view's source (clamped to the data, so a
    /// range never points past what exists).
    pub fn range(&self, off: usize, len: usize) -> ByteRange {
        let start = off.min(self.data.len());
        let len = len.min(self.data.len() - start);
        ByteRange {
            source: self.source,
            start: self.offset + start as u32,
            len: len as u32,
        }
    }

    /// The range of the whole view.
    pub fn whole(&self) -> ByteRange {
        self.range(0, self.data.len())
    }

    #[inline]
    pub fn u8(&self, off: usize) -> Result<u8> {
        self.data.get(off).copied().ok_or(Error::Short)
    }

    read_int!(be_u16, u16, 2, from_be_bytes);
    read_int!(le_u16, u16, 2, from_le_bytes);
    read_int!(be_u32, u32, 4, from_be_bytes);
    read_int!(le_u32, u32, 4, from_le_bytes);
    read_int!(be_u64, u64, 8, from_be_bytes);
    read_int!(le_u64, u64, 8, from_le_bytes);

    pub fn be_u24(&self, off: usize) -> Result<u32> {
        let b = self.bytes(off, 3)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    pub fn le_u24(&self, off: usize) -> Result<u32> {
        let b = self.bytes(off, 3)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], 0]))
    }

    /// A fixed-size array (addresses).
    pub fn array<const N: usize>(&self, off: usize) -> Result<[u8; N]> {
        let b = self.bytes(off, N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        let t = Tvb::new(&[1, 2, 3], 0);
        assert_eq!(t.be_u16(1), Ok(0x0203));
        assert_eq!(t.be_u16(2), Err(Error::Short));
        assert_eq!(t.bytes(usize::MAX, 2), Err(Error::Short));
        assert_eq!(t.rest(3).unwrap().len(), 0);
        assert!(t.rest(4).is_err());
        let s = t.sub(1, 2).unwrap();
        assert_eq!(
            s.range(0, 10),
            ByteRange {
                source: 0,
                start: 1,
                len: 2
            }
        );
        assert_eq!(t.sub_clamped(2, 100).len(), 1);
    }
}
