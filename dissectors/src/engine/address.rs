//! Addresses as the Source/Destination columns, conversations and endpoints see them.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Address {
    #[default]
    None,
    Ether([u8; 6]),
    Ipv4([u8; 4]),
    Ipv6([u8; 16]),
    /// 802.15.4 short address (the PAN is kept beside it for conversations).
    Wpan16 {
        pan: u16,
        addr: u16,
    },
    /// 802.15.4 extended address / EUI-64.
    Eui64([u8; 8]),
}

impl Address {
    pub fn is_none(&self) -> bool {
        matches!(self, Address::None)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::None => Ok(()),
            Address::Ether(a) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                a[0], a[1], a[2], a[3], a[4], a[5]
            ),
            Address::Ipv4(a) => write!(f, "{}", Ipv4Addr::from(*a)),
            Address::Ipv6(a) => write!(f, "{}", Ipv6Addr::from(*a)),
            Address::Wpan16 { addr, .. } => write!(f, "0x{addr:04x}"),
            Address::Eui64(a) => {
                for (i, b) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(":")?;
                    }
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}
