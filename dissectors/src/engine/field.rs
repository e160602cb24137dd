//! The field registry's building block: a [`FieldDef`] describes one display-filter field
//! (`udp.srcport`, `wpan.dst16`, …) exactly once. Dissectors refer to fields by `&'static FieldDef`,
//! so a tree node costs one pointer for its field and a lookup by name happens only when a user
//! types one (display filter, `-e`, `-G fields`).
//!
//! Each protocol module declares its fields with the [`fields!`](crate::fields) macro, which also
//! builds the module's `FIELDS` slice that the registry walks.

use std::sync::atomic::{AtomicU32, Ordering};

/// What kind of value a field holds; mirrors Wireshark's `FT_*` types so `-G fields` and the
/// display-filter type checker speak the same language as tshark's.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A protocol layer (`udp`, `coap`).
    Protocol,
    /// A label with no value of its own (a subtree header such as `coap.opt.name_tree`'s parent).
    None,
    Bool,
    U8,
    U16,
    U24,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
    Float,
    Double,
    /// Absolute time (ns since the epoch).
    AbsTime,
    /// Relative time (ns).
    RelTime,
    /// A frame number that links to another frame (`tcp.reassembled_in`).
    FrameNum,
    Bytes,
    String,
    Ipv4,
    Ipv6,
    /// 48-bit MAC address.
    Ether,
    /// 64-bit IEEE EUI-64 address.
    Eui64,
}

impl FieldType {
    /// The name `tshark -G fields` prints in its type column.
    pub fn ws_name(self) -> &'static str {
        match self {
            FieldType::Protocol => "FT_PROTOCOL",
            FieldType::None => "FT_NONE",
            FieldType::Bool => "FT_BOOLEAN",
            FieldType::U8 => "FT_UINT8",
            FieldType::U16 => "FT_UINT16",
            FieldType::U24 => "FT_UINT24",
            FieldType::U32 => "FT_UINT32",
            FieldType::U64 => "FT_UINT64",
            FieldType::I8 => "FT_INT8",
            FieldType::I16 => "FT_INT16",
            FieldType::I32 => "FT_INT32",
            FieldType::I64 => "FT_INT64",
            FieldType::Float => "FT_FLOAT",
            FieldType::Double => "FT_DOUBLE",
            FieldType::AbsTime => "FT_ABSOLUTE_TIME",
            FieldType::RelTime => "FT_RELATIVE_TIME",
            FieldType::FrameNum => "FT_FRAMENUM",
            FieldType::Bytes => "FT_BYTES",
            FieldType::String => "FT_STRING",
            FieldType::Ipv4 => "FT_IPv4",
            FieldType::Ipv6 => "FT_IPv6",
            FieldType::Ether => "FT_ETHER",
            FieldType::Eui64 => "FT_EUI64",
        }
    }

    /// Width in bits of an unsigned or signed integer type (0 for others); used for hex padding
    /// and for drawing bitmask labels.
    pub fn int_bits(self) -> u32 {
        match self {
            FieldType::U8 | FieldType::I8 => 8,
            FieldType::U16 | FieldType::I16 => 16,
            FieldType::U24 => 24,
            FieldType::U32 | FieldType::I32 | FieldType::FrameNum => 32,
            FieldType::U64 | FieldType::I64 => 64,
            _ => 0,
        }
    }

    pub fn is_unsigned(self) -> bool {
        matches!(
            self,
            FieldType::U8
                | FieldType::U16
                | FieldType::U24
                | FieldType::U32
                | FieldType::U64
                | FieldType::FrameNum
        )
    }

    pub fn is_signed(self) -> bool {
        matches!(
            self,
            FieldType::I8 | FieldType::I16 | FieldType::I32 | FieldType::I64
        )
    }
}

/// How an integer field is shown (Wireshark's `BASE_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Base {
    None,
    Dec,
    Hex,
    Oct,
    /// Decimal, with hex in parentheses in labels.
    DecHex,
    /// Hex, with decimal in parentheses in labels.
    HexDec,
    /// For booleans with a bitmask: the width in bits of the containing integer.
    Bits(u8),
    /// For absolute times read from NTP timestamps (Wireshark's `ABSOLUTE_TIME_NTP_UTC`): the
    /// all-zero timestamp, which means "not set", is shown as `NULL`.
    NtpUtc,
}

/// A table from raw values to names (Wireshark's `value_string`).
pub type ValueStrings = &'static [(u64, &'static str)];

/// How an integer value maps to text in labels.
#[derive(Copy, Clone, Debug)]
pub enum Strings {
    None,
    Values(ValueStrings),
    /// Booleans: (true text, false text), e.g. ("Set", "Not set").
    TrueFalse(&'static str, &'static str),
    /// Integers whose value is a unit amount ("64 bytes"): the unit's name.
    Unit(&'static str),
}

/// One display-filter field, declared once per protocol.
#[derive(Debug)]
pub struct FieldDef {
    /// Wireshark's display-filter abbreviation, e.g. `udp.srcport`.
    pub abbrev: &'static str,
    /// Human name, e.g. `Source Port`.
    pub name: &'static str,
    pub ftype: FieldType,
    pub base: Base,
    pub strings: Strings,
    /// For fields carved out of a larger integer: the mask within it (0 when the field is the
    /// whole value). The value stored in the tree is already shifted down.
    pub bitmask: u64,
    /// A one-line description for `-G fields`.
    pub blurb: &'static str,
    /// A small number naming this field in a [`FieldSet`], given out on first use.
    id: AtomicU32,
}

impl FieldDef {
    /// A field of the given type, shown in decimal where that applies.
    pub const fn new(abbrev: &'static str, name: &'static str, ftype: FieldType) -> FieldDef {
        let base = match ftype {
            FieldType::U8
            | FieldType::U16
            | FieldType::U24
            | FieldType::U32
            | FieldType::U64
            | FieldType::I8
            | FieldType::I16
            | FieldType::I32
            | FieldType::I64
            | FieldType::FrameNum => Base::Dec,
            _ => Base::None,
        };
        FieldDef {
            abbrev,
            name,
            ftype,
            base,
            strings: Strings::None,
            bitmask: 0,
            blurb: "",
            id: AtomicU32::new(NO_ID),
        }
    }

    /// The field that stands for a protocol layer (`udp`).
    pub const fn protocol(abbrev: &'static str, name: &'static str) -> FieldDef {
        FieldDef::new(abbrev, name, FieldType::Protocol)
    }

    pub const fn base(mut self, base: Base) -> FieldDef {
        self.base = base;
        self
    }

    pub const fn hex(self) -> FieldDef {
        self.base(Base::Hex)
    }

    pub const fn vals(mut self, vals: ValueStrings) -> FieldDef {
        self.strings = Strings::Values(vals);
        self
    }

    pub const fn tfs(mut self, set: &'static str, unset: &'static str) -> FieldDef {
        self.strings = Strings::TrueFalse(set, unset);
        self
    }

    /// Wireshark's `tfs_true_false`: the flag reads "True" or "False".
    pub const fn true_false(self) -> FieldDef {
        self.tfs("True", "False")
    }

    pub const fn unit(mut self, unit: &'static str) -> FieldDef {
        self.strings = Strings::Unit(unit);
        self
    }

    /// A bit field within an integer of `width` bits (booleans record the width as their base so
    /// the label can draw `.... ..1.`).
    pub const fn mask(mut self, bitmask: u64) -> FieldDef {
        self.bitmask = bitmask;
        self
    }

    /// A boolean flag bit within an integer of `width` bits.
    pub const fn flag(
        abbrev: &'static str,
        name: &'static str,
        width: u8,
        bitmask: u64,
    ) -> FieldDef {
        FieldDef {
            abbrev,
            name,
            ftype: FieldType::Bool,
            base: Base::Bits(width),
            strings: Strings::TrueFalse("Set", "Not set"),
            bitmask,
            blurb: "",
            id: AtomicU32::new(NO_ID),
        }
    }

    pub const fn blurb(mut self, blurb: &'static str) -> FieldDef {
        self.blurb = blurb;
        self
    }

    /// The field's number in [`FieldSet`]s: given out from one counter the first time it is
    /// asked for, so every field in the process has its own.
    pub fn id(&self) -> u32 {
        let id = self.id.load(Ordering::Relaxed);
        if id != NO_ID {
            return id;
        }
        let fresh = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        match self
            .id
            .compare_exchange(NO_ID, fresh, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => fresh,
            // Another thread numbered it first; `fresh` stays unused.
            Err(won) => won,
        }
    }

    /// The shift that brings a masked value down to bit 0.
    pub fn shift(&self) -> u32 {
        if self.bitmask == 0 {
            0
        } else {
            self.bitmask.trailing_zeros()
        }
    }

    /// Width in bits of the integer a bitmask field lives in.
    pub fn container_bits(&self) -> u32 {
        match self.base {
            Base::Bits(w) => w as u32,
            _ => self.ftype.int_bits(),
        }
    }

    /// Name for an integer value from the field's value strings.
    pub fn value_name(&self, v: u64) -> Option<&'static str> {
        match self.strings {
            Strings::Values(vs) => vs.iter().find(|(k, _)| *k == v).map(|(_, s)| *s),
            _ => None,
        }
    }

    /// The protocol part of the abbreviation (`udp` for `udp.srcport`).
    pub fn protocol_name(&self) -> &'static str {
        match self.abbrev.find('.') {
            Some(i) => &self.abbrev[..i],
            None => self.abbrev,
        }
    }
}

const NO_ID: u32 = u32::MAX;
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// A set of fields, for building only the tree nodes an output or a filter needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    bits: Vec<u64>,
}

impl FieldSet {
    pub fn new() -> FieldSet {
        FieldSet::default()
    }

    pub fn insert(&mut self, field: &FieldDef) {
        let id = field.id() as usize;
        if self.bits.len() <= id / 64 {
            self.bits.resize(id / 64 + 1, 0);
        }
        self.bits[id / 64] |= 1 << (id % 64);
    }

    pub fn contains(&self, field: &FieldDef) -> bool {
        let id = field.id() as usize;
        self.bits
            .get(id / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// Adds every field of `other`.
    pub fn extend(&mut self, other: &FieldSet) {
        if self.bits.len() < other.bits.len() {
            self.bits.resize(other.bits.len(), 0);
        }
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a |= b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }
}

/// Looks a name up in a value-string table.
pub fn val_to_str(vals: ValueStrings, v: u64) -> Option<&'static str> {
    vals.iter().find(|(k, _)| *k == v).map(|(_, s)| *s)
}

/// Declares a protocol module's fields once: each becomes a `pub static`, and the module gets a
/// `FIELDS` slice listing them all for the registry.
///
/// ```ignore
/// fields! {
///     PROTO = FieldDef::protocol("udp", "User Datagram Protocol");
///     SRCPORT = FieldDef::new("udp.srcport", "Source Port", FieldType::U16);
/// }
/// ```
#[macro_export]
macro_rules! fields {
    ($( $(#[$meta:meta])* $name:ident = $def:expr; )*) => {
        $( $(#[$meta])* pub static $name: $crate::engine::field::FieldDef = $def; )*
        /// Every field this module declares, for the registry.
        pub static FIELDS: &[&$crate::engine::field::FieldDef] = &[ $( &$name ),* ];
    };
}
