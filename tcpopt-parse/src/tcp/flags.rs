//! The nine TCP header flags (RFC 9293 §3.1, RFC 3168 for ECE/CWR, and the
//! AccECN "AE" bit of RFC 9768, formerly the experimental NS bit of RFC 3540).

use core::fmt;

/// TCP flags as the low 9 bits of the data-offset/flags word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;
    /// AccECN (RFC 9768) "AE", formerly NS (RFC 3540).
    pub const AE: u16 = 0x100;

    /// Letters in output order, each with its bit: F S R P A U E C N.
    pub const LETTERS: [(u16, char); 9] = [
        (Self::FIN, 'F'),
        (Self::SYN, 'S'),
        (Self::RST, 'R'),
        (Self::PSH, 'P'),
        (Self::ACK, 'A'),
        (Self::URG, 'U'),
        (Self::ECE, 'E'),
        (Self::CWR, 'C'),
        (Self::AE, 'N'),
    ];

    /// Keeps only the nine defined bits.
    pub const fn from_bits(bits: u16) -> Self {
        TcpFlags(bits & 0x1ff)
    }
    pub const fn bits(self) -> u16 {
        self.0
    }
    pub const fn contains(self, bit: u16) -> bool {
        self.0 & bit == bit
    }
    pub const fn fin(self) -> bool {
        self.contains(Self::FIN)
    }
    pub const fn syn(self) -> bool {
        self.contains(Self::SYN)
    }
    pub const fn rst(self) -> bool {
        self.contains(Self::RST)
    }
    pub const fn psh(self) -> bool {
        self.contains(Self::PSH)
    }
    pub const fn ack(self) -> bool {
        self.contains(Self::ACK)
    }
    pub const fn urg(self) -> bool {
        self.contains(Self::URG)
    }
    pub const fn ece(self) -> bool {
        self.contains(Self::ECE)
    }
    pub const fn cwr(self) -> bool {
        self.contains(Self::CWR)
    }
    pub const fn ae(self) -> bool {
        self.contains(Self::AE)
    }
}

/// The letters of the flags that are set, in the order `FSRPAUECN`
/// (`SA` for a SYN-ACK, empty for none).
impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for (bit, letter) in Self::LETTERS {
            if self.0 & bit != 0 {
                f.write_char(letter)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::string::ToString;

    #[test]
    fn letters_in_order() {
        assert_eq!(TcpFlags(0x012).to_string(), "SA");
        assert_eq!(TcpFlags(0x1ff).to_string(), "FSRPAUECN");
        assert_eq!(TcpFlags::from_bits(0xfe00).to_string(), "");
    }
}
