//! Bounded samples of tB − tA and what they say about the two clocks.

use alloc::vec::Vec;

/// At most this many samples are kept per direction; beyond it every
/// other one is dropped and only every `stride`-th new one is kept, so
/// the quantiles stay representative in constant memory.
const MAX_SAMPLES: usize = 8192;

/// tB − tA of matched pairs, bounded, plus the exact extremes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Samples {
    kept: Vec<i64>,
    stride: u64,
    seen: u64,
    min: Option<i64>,
    max: Option<i64>,
}

impl Samples {
    pub fn push(&mut self, v: i64) {
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
        let stride = self.stride.max(1);
        if self.seen % stride == 0 {
            if self.kept.len() >= MAX_SAMPLES {
                let mut i = 0;
                self.kept.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.stride = stride * 2;
            }
            self.kept.push(v);
        }
        self.seen += 1;
    }

    pub fn count(&self) -> u64 {
        self.seen
    }

    pub fn min(&self) -> Option<i64> {
        self.min
    }

    pub fn max(&self) -> Option<i64> {
        self.max
    }

    pub fn median(&self) -> Option<i64> {
        if self.kept.is_empty() {
            return None;
        }
        let mut v = self.kept.clone();
        v.sort_unstable();
        Some(v[v.len() / 2])
    }
}

/// Milliseconds with three decimals (microsecond resolution), signed.
pub fn ms(ns: i64) -> alloc::string::String {
    let sign = if ns < 0 { "-" } else { "" };
    let a = ns.unsigned_abs();
    let us = (a + 500) / 1000;
    alloc::format!("{sign}{}.{:03} ms", us / 1000, us % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_extremes_survive_decimation() {
        let mut s = Samples::default();
        for v in 0..(3 * MAX_SAMPLES as i64) {
            s.push(v);
        }
        assert_eq!(s.min(), Some(0));
        assert_eq!(s.max(), Some(3 * MAX_SAMPLES as i64 - 1));
        let m = s.median().unwrap();
        let mid = 3 * MAX_SAMPLES as i64 / 2;
        assert!((m - mid).abs() < MAX_SAMPLES as i64 / 8, "{m} vs {mid}");
        assert!(s.kept.len() <= MAX_SAMPLES);
    }

    #[test]
    fn milliseconds() {
        assert_eq!(ms(90_000), "0.090 ms");
        assert_eq!(ms(-1_234_567), "-1.235 ms");
        assert_eq!(ms(0), "0.000 ms");
    }
}
