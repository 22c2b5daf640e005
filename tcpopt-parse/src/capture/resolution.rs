//! Timestamp resolution (pcapng `if_tsresol`, pcapng spec §4.2) and the one
//! place where raw capture time units become a [`Timestamp`].
//!
//! All arithmetic is integer: a 64-bit unit count times 10^9 needs up to
//! 94 bits, so the products are taken in `u128`/`i128` and the result is
//! clamped to the `i64` nanosecond range (years 1677..2262) instead of
//! wrapping or panicking.

use crate::timestamp::Timestamp;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// How many units of a packet timestamp make one second.
///
/// The pcapng `if_tsresol` option byte: most significant bit clear means
/// 10^-n seconds, set means 2^-n seconds, with n in the low 7 bits. A missing
/// option means microseconds (10^-6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TsResolution {
    /// Units of 10^-n seconds.
    Decimal(u8),
    /// Units of 2^-n seconds (e.g. 2^-32 on Endace DAG cards).
    Binary(u8),
}

impl Default for TsResolution {
    fn default() -> Self {
        Self::MICROS
    }
}

impl TsResolution {
    /// 10^-6: legacy pcap and pcapng's default.
    pub const MICROS: TsResolution = TsResolution::Decimal(6);
    /// 10^-9: nanosecond pcap.
    pub const NANOS: TsResolution = TsResolution::Decimal(9);

    /// Decodes the `if_tsresol` option byte.
    ///
    /// ```
    /// use tcpopt_parse::capture::TsResolution;
    /// assert_eq!(TsResolution::from_if_tsresol(0x09), TsResolution::Decimal(9));
    /// assert_eq!(TsResolution::from_if_tsresol(0x9e), TsResolution::Binary(30));
    /// ```
    pub const fn from_if_tsresol(byte: u8) -> Self {
        // The base flag is the MSB only; the exponent is the other 7 bits
        // (pcap-parser #16 masked the wrong bits).
        let exp = byte & 0x7f;
        if byte & 0x80 == 0 {
            TsResolution::Decimal(exp)
        } else {
            TsResolution::Binary(exp)
        }
    }

    /// Fractional decimal digits a timestamp of this resolution carries:
    /// n for 10^-n (at most 9, we keep nanoseconds), 9 for base 2.
    pub const fn digits(self) -> u8 {
        match self {
            TsResolution::Decimal(n) if n < 9 => n,
            _ => 9,
        }
    }

    /// Units per second, when it fits in a `u64` (10^0..=10^19, 2^0..=2^63).
    pub const fn units_per_sec(self) -> Option<u64> {
        match self {
            TsResolution::Decimal(n) => 10u64.checked_pow(n as u32),
            TsResolution::Binary(n) => 1u64.checked_shl(n as u32),
        }
    }

    /// Converts a count of units since the epoch plus an `if_tsoffset`
    /// (signed seconds) into an exact, floor-rounded nanosecond timestamp,
    /// clamped to what an `i64` of nanoseconds can hold.
    ///
    /// ```
    /// use tcpopt_parse::capture::TsResolution;
    /// // 2^-32 s units: 1.5 s is 3 * 2^31 units.
    /// let ts = TsResolution::Binary(32).timestamp(3 << 31, 0);
    /// assert_eq!(ts.nanos, 1_500_000_000);
    /// // A negative if_tsoffset moves the clock back.
    /// let ts = TsResolution::MICROS.timestamp(1_000_001, -2);
    /// assert_eq!(ts.nanos, -999_999_000);
    /// assert_eq!(ts.digits, 6);
    /// ```
    pub fn timestamp(self, units: u64, offset_secs: i64) -> Timestamp {
        let nanos = self.units_to_nanos(units);
        let total = i128::from(offset_secs) * NANOS_PER_SEC as i128 + nanos as i128;
        Timestamp::new(clamp_i64(total), self.digits())
    }

    /// floor(units * 10^9 / units_per_sec), exact in u128 (units < 2^64, so
    /// units * 10^9 < 2^94).
    fn units_to_nanos(self, units: u64) -> u128 {
        let units = u128::from(units);
        match self {
            TsResolution::Decimal(n) if n <= 9 => units * 10u128.pow(9 - n as u32),
            TsResolution::Decimal(n) => match 10u128.checked_pow(n as u32 - 9) {
                Some(div) => units / div,
                // 10^(n-9) > u128::MAX > units: less than a nanosecond.
                None => 0,
            },
            TsResolution::Binary(n) => (units * NANOS_PER_SEC).checked_shr(n as u32).unwrap_or(0),
        }
    }
}

/// The legacy pcap record time: 32-bit unsigned seconds plus micro- or
/// nanoseconds. The fraction is not range-checked (Wireshark does not
/// either): a microsecond field of 1_500_000 simply carries into seconds.
pub(crate) fn pcap_timestamp(secs: u32, frac: u32, nanosecond: bool) -> Timestamp {
    let (scale, digits) = if nanosecond { (1, 9) } else { (1_000, 6) };
    // < 2^32 * 10^9 + 2^32 * 10^3 < 2^63: cannot overflow.
    let nanos = i64::from(secs) * 1_000_000_000 + i64::from(frac) * scale;
    Timestamp::new(nanos, digits)
}

fn clamp_i64(v: i128) -> i64 {
    if v > i128::from(i64::MAX) {
        i64::MAX
    } else if v < i128::from(i64::MIN) {
        i64::MIN
    } else {
        v as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_resolutions() {
        assert_eq!(
            TsResolution::Decimal(0).timestamp(7, 0),
            Timestamp::new(7_000_000_000, 0)
        );
        assert_eq!(
            TsResolution::Decimal(3).timestamp(1_234, 0),
            Timestamp::new(1_234_000_000, 3)
        );
        assert_eq!(
            TsResolution::NANOS
                .timestamp(1_700_000_000_000_000_001, 0)
                .nanos,
            1_700_000_000_000_000_001
        );
        // Finer than ns: floor to ns, 9 digits.
        let ts = TsResolution::Decimal(12).timestamp(1_000_000_001_999, 0);
        assert_eq!(ts, Timestamp::new(1_000_000_001, 9));
        // Absurd exponents give 0 ns, not a panic.
        assert_eq!(TsResolution::Decimal(127).timestamp(u64::MAX, 0).nanos, 0);
        assert_eq!(TsResolution::Decimal(127).units_per_sec(), None);
    }

    #[test]
    fn binary_resolutions() {
        assert_eq!(TsResolution::Binary(0).timestamp(3, 0).nanos, 3_000_000_000);
        // 2^-10 s units: 1 unit = 976562.5 ns, floored.
        assert_eq!(TsResolution::Binary(10).timestamp(1, 0).nanos, 976_562);
        assert_eq!(TsResolution::Binary(127).timestamp(u64::MAX, 0).nanos, 0);
        assert_eq!(TsResolution::Binary(64).units_per_sec(), None);
        assert_eq!(TsResolution::Binary(63).units_per_sec(), Some(1 << 63));
    }

    #[test]
    fn overflow_saturates() {
        // u64::MAX seconds does not fit in i64 nanoseconds.
        assert_eq!(
            TsResolution::Decimal(0).timestamp(u64::MAX, 0).nanos,
            i64::MAX
        );
        assert_eq!(
            TsResolution::Decimal(0).timestamp(0, i64::MIN).nanos,
            i64::MIN
        );
        assert_eq!(
            TsResolution::Decimal(0).timestamp(u64::MAX, i64::MAX).nanos,
            i64::MAX
        );
        assert_eq!(
            TsResolution::Decimal(0).timestamp(u64::MAX, i64::MIN).nanos,
            i64::MAX
        );
        assert_eq!(
            TsResolution::Decimal(0).timestamp(1, i64::MIN).nanos,
            i64::MIN
        );
    }

    #[test]
    fn pcap_fractions_carry() {
        assert_eq!(pcap_timestamp(1, 1_500_000, false).nanos, 2_500_000_000);
        assert_eq!(
            pcap_timestamp(u32::MAX, u32::MAX, true).nanos,
            4_294_967_295_000_000_000 + 4_294_967_295
        );
        assert_eq!(pcap_timestamp(u32::MAX, u32::MAX, false).digits, 6);
    }
}
