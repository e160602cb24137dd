//! Expert information: the engine's way to say "this packet has a problem" without failing.
//! Each problem a dissector can report is declared once as an [`ExpertDef`], whose field
//! (`udp.checksum_bad.expert`) can be filtered on like any other.

use crate::engine::field::{FieldDef, FieldType};

/// Wireshark's `PI_*` severities; the numbers are what tshark's JSON prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Comment = 0x0010_0000,
    Chat = 0x0020_0000,
    Note = 0x0040_0000,
    Warn = 0x0060_0000,
    Error = 0x0080_0000,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Comment => "Comment",
            Severity::Chat => "Chat",
            Severity::Note => "Note",
            Severity::Warn => "Warning",
            Severity::Error => "Error",
        }
    }
}

/// Wireshark's `PI_*` groups.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Group {
    Checksum = 0x0100_0000,
    Sequence = 0x0200_0000,
    ResponseCode = 0x0300_0000,
    RequestCode = 0x0400_0000,
    Undecoded = 0x0500_0000,
    Reassemble = 0x0600_0000,
    Malformed = 0x0700_0000,
    Debug = 0x0800_0000,
    Protocol = 0x0900_0000,
    Security = 0x0a00_0000,
    Comments = 0x0b00_0000,
    Decryption = 0x0c00_0000,
    Assumption = 0x0d00_0000,
    Deprecated = 0x0e00_0000,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Checksum => "Checksum",
            Group::Sequence => "Sequence",
            Group::ResponseCode => "Response",
            Group::RequestCode => "Request",
            Group::Undecoded => "Undecoded",
            Group::Reassemble => "Reassemble",
            Group::Malformed => "Malformed",
            Group::Debug => "Debug",
            Group::Protocol => "Protocol",
            Group::Security => "Security",
            Group::Comments => "Comment",
            Group::Decryption => "Decryption",
            Group::Assumption => "Assumption",
            Group::Deprecated => "Deprecated",
        }
    }
}

/// One kind of problem a dissector reports.
#[derive(Debug)]
pub struct ExpertDef {
    /// The filterable field, e.g. `udp.checksum_bad.expert`; its name is the default message.
    pub field: FieldDef,
    pub group: Group,
    pub severity: Severity,
}

impl ExpertDef {
    pub const fn new(
        abbrev: &'static str,
        group: Group,
        severity: Severity,
        summary: &'static str,
    ) -> ExpertDef {
        ExpertDef {
            field: FieldDef::new(abbrev, summary, FieldType::None),
            group,
            severity,
        }
    }
}

/// Declares a module's expert items once; the module gets an `EXPERTS` slice for the registry.
#[macro_export]
macro_rules! experts {
    ($( $(#[$meta:meta])* $name:ident = $def:expr; )*) => {
        $( $(#[$meta])* pub static $name: $crate::engine::expert::ExpertDef = $def; )*
        /// Every expert item this module declares, for the registry.
        pub static EXPERTS: &[&$crate::engine::expert::ExpertDef] = &[ $( &$name ),* ];
    };
}

/// The engine's own fields for expert items and malformed packets (`_ws.*`).
pub mod ws {
    use super::*;
    use crate::engine::field::FieldType as T;

    crate::fields! {
        EXPERT = FieldDef::new("_ws.expert", "Expert Info", T::None);
        MESSAGE = FieldDef::new("_ws.expert.message", "Message", T::String);
        SEVERITY = FieldDef::new("_ws.expert.severity", "Severity level", T::U32);
        GROUP = FieldDef::new("_ws.expert.group", "Group", T::U32);
        MALFORMED = FieldDef::protocol("_ws.malformed", "Malformed Packet");
        SHORT = FieldDef::protocol("_ws.short", "Short Frame");
    }

    crate::experts! {
        MALFORMED_EXPERT = ExpertDef::new(
            "_ws.malformed.expert",
            Group::Malformed,
            Severity::Error,
            "Malformed Packet (Exception occurred)"
        );
        DEPTH_EXPERT = ExpertDef::new(
            "_ws.malformed.depth",
            Group::Malformed,
            Severity::Error,
            "Too many nested protocol layers"
        );
        UNREASSEMBLED = ExpertDef::new(
            "_ws.unreassembled",
            Group::Reassemble,
            Severity::Note,
            "Reassembly state was dropped to stay within its memory limit"
        );
    }
}
