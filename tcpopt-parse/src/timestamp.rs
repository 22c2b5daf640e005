//! Capture timestamps, exact, in integer nanoseconds.
//!
//! pcap stores seconds and micro- or nanoseconds; pcapng stores a 64-bit
//! count of units of `if_tsresol` (a power of 10 or of 2) plus `if_tsoffset`
//! seconds. Both are converted once, with integer arithmetic only, into
//! nanoseconds since the Unix epoch. `digits` remembers how many fractional
//! digits the capture really had, so that output can print "all the
//! capture's digits" and no invented ones.

use core::fmt;

/// A capture timestamp: nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp {
    /// Nanoseconds since the epoch (negative before it; i64 covers 1677..2262).
    pub nanos: i64,
    /// How many fractional decimal digits the capture carried (0..=9):
    /// 6 for microsecond pcap, 9 for nanosecond pcap or finer, and for
    /// base-2 resolutions (which have no exact decimal digit count).
    pub digits: u8,
}

impl Timestamp {
    pub const fn new(nanos: i64, digits: u8) -> Self {
        Timestamp {
            nanos,
            digits: if digits > 9 { 9 } else { digits },
        }
    }

    /// Whole seconds (floor) and the nanosecond remainder (0..1e9).
    pub const fn split(self) -> (i64, u32) {
        let secs = self.nanos.div_euclid(1_000_000_000);
        let frac = self.nanos.rem_euclid(1_000_000_000) as u32;
        (secs, frac)
    }
}

/// Formats as `SECONDS.FRACTION` with exactly `digits` fractional digits,
/// e.g. `1700000000.123456` for a microsecond capture.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (secs, frac) = self.split();
        if self.digits == 0 {
            return write!(f, "{secs}");
        }
        let scale = 10u32.pow(9 - self.digits as u32);
        write!(
            f,
            "{secs}.{:0width$}",
            frac / scale,
            width = self.digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::string::ToString;

    #[test]
    fn prints_the_captures_digits() {
        assert_eq!(
            Timestamp::new(1_700_000_000_123_456_000, 6).to_string(),
            "1700000000.123456"
        );
        assert_eq!(
            Timestamp::new(1_700_000_000_000_000_001, 9).to_string(),
            "1700000000.000000001"
        );
        assert_eq!(Timestamp::new(-1, 9).to_string(), "-1.999999999");
        assert_eq!(Timestamp::new(5_000_000_000, 0).to_string(), "5");
    }
}
