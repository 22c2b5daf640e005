//! Serial-number arithmetic for TSvals (RFC 7323 §5.2, RFC 1982 style).
//!
//! TSvals live on a 32-bit circle; Linux compares them with
//! `(s32)(a - b) < 0` (`before()`/`after()`), a 2^31 window. Every TSval
//! comparison in the analyzer goes through these helpers: a wrap from
//! 0xFFFF_FFFF to 0 is normal and must never look like a regression.

/// `(a - b)` as a signed distance on the 2^32 circle (Linux `(s32)(a - b)`).
#[inline]
pub const fn diff(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}

/// `a` is strictly newer than `b` (Linux `after(a, b)`).
#[inline]
pub const fn after(a: u32, b: u32) -> bool {
    diff(a, b) > 0
}

/// `a` is strictly older than `b` (Linux `before(a, b)`).
#[inline]
pub const fn before(a: u32, b: u32) -> bool {
    diff(a, b) < 0
}

/// The serial maximum of two TSvals.
#[inline]
pub const fn max(a: u32, b: u32) -> u32 {
    if after(b, a) {
        b
    } else {
        a
    }
}

/// Reduces an i64 distance to the representative in (-2^31, 2^31], for
/// unwrapping a TSval against a prediction.
#[inline]
pub const fn wrap_i64(x: i64) -> i64 {
    x.wrapping_sub((x.wrapping_add(1 << 31)).div_euclid(1 << 32) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraparound_is_newer() {
        assert!(after(0, 0xFFFF_FFFF));
        assert!(after(5, 0xFFFF_FFF0));
        assert!(before(0xFFFF_FFF0, 5));
        assert_eq!(diff(3, 0xFFFF_FFFE), 5);
        assert_eq!(max(0xFFFF_FFFE, 3), 3);
        assert_eq!(max(3, 0xFFFF_FFFE), 3);
    }

    #[test]
    fn half_circle_window() {
        assert!(after(0x8000_0000 - 1, 0));
        assert!(
            before(0x8000_0000, 0),
            "exactly 2^31 apart counts as older, as in Linux"
        );
    }

    #[test]
    fn wrap_i64_reduces() {
        assert_eq!(wrap_i64(5), 5);
        assert_eq!(wrap_i64((1 << 32) + 5), 5);
        assert_eq!(wrap_i64(-(1 << 32) - 5), -5);
        assert_eq!(wrap_i64((1 << 31) + 1), -(1 << 31) + 1);
    }
}
