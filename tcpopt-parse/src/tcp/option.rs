//! One TCP option (RFC 9293 §3.2) and the reasons an option can be malformed.

use core::fmt;

use super::kind;
use super::sack::SackBlocks;

/// One decoded TCP option, borrowing its variable parts from the packet.
///
/// Multi-byte fields are read in network byte order. Every kind the walk
/// reaches is yielded, in wire order; kinds this crate does not decode come
/// out as [`TcpOption::Unknown`] with their body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TcpOption<'a> {
    /// Kind 0 (RFC 9293 §3.2). The walk stops after it: the rest is padding.
    Eol,
    /// Kind 1 (RFC 9293 §3.2).
    Nop,
    /// Kind 2, length 4 (RFC 9293 §3.7.1).
    Mss(u16),
    /// Kind 3, length 3 (RFC 7323 §2.2): the raw shift count, not clamped to
    /// 14 (tshark shows the raw value too).
    WindowScale(u8),
    /// Kind 4, length 2 (RFC 2018 §2).
    SackPermitted,
    /// Kind 5, length 2 + 8·n with n = 1..=4 (RFC 2018 §3).
    Sack(SackBlocks<'a>),
    /// Kind 8, length 10 (RFC 7323 §3.2).
    Timestamps { tsval: u32, tsecr: u32 },
    /// Kind 19, length 18 (RFC 2385 §3.0): the 16-byte digest.
    Md5 { digest: &'a [u8] },
    /// Kind 28, length 4 (RFC 5482 §2): `granularity_minutes` is the G bit;
    /// `timeout` the 15-bit value.
    UserTimeout {
        granularity_minutes: bool,
        timeout: u16,
    },
    /// Kind 29, length ≥ 4 (RFC 5925 §2.2).
    TcpAo {
        key_id: u8,
        rnext_key_id: u8,
        mac: &'a [u8],
    },
    /// Kind 30, length ≥ 3 (RFC 8684 §3). `subtype` is the high nibble of the
    /// first body byte; `data` is the whole body *including* that byte, since
    /// its low nibble carries subtype-specific bits (version, flags).
    Mptcp { subtype: u8, data: &'a [u8] },
    /// TCP Fast Open (RFC 7413 §4.1.1): kind 34, or kind 254 with ExID 0xF989
    /// (`experimental`). An empty cookie is a cookie request; otherwise the
    /// cookie is even and 4..=16 bytes long.
    FastOpen {
        cookie: &'a [u8],
        experimental: bool,
    },
    /// AccECN (RFC 9768 §3.2.3): kind 172 (`order` 0) or 174 (`order` 1),
    /// length 2, 5, 8 or 11: zero to three 24-bit byte counters.
    AccEcn { order: u8, counters: &'a [u8] },
    /// Kind 253 or 254 with an RFC 6994 ExID, length ≥ 4. The ExID is read as
    /// 16 bits (a 32-bit ExID's low half is the first two bytes of `data`).
    /// Fast Open under kind 254 is decoded as [`TcpOption::FastOpen`]; the
    /// pre-standard AccECN ExIDs 0xACC0/0xACC1 are left here.
    Experimental { kind: u8, exid: u16, data: &'a [u8] },
    /// Any other kind, walked by its length byte; `data` is the body after
    /// the kind and length bytes.
    Unknown { kind: u8, data: &'a [u8] },
}

impl<'a> TcpOption<'a> {
    /// The option kind byte.
    pub const fn kind(&self) -> u8 {
        match *self {
            TcpOption::Eol => kind::EOL,
            TcpOption::Nop => kind::NOP,
            TcpOption::Mss(_) => kind::MSS,
            TcpOption::WindowScale(_) => kind::WINDOW_SCALE,
            TcpOption::SackPermitted => kind::SACK_PERMITTED,
            TcpOption::Sack(_) => kind::SACK,
            TcpOption::Timestamps { .. } => kind::TIMESTAMPS,
            TcpOption::Md5 { .. } => kind::MD5,
            TcpOption::UserTimeout { .. } => kind::USER_TIMEOUT,
            TcpOption::TcpAo { .. } => kind::TCP_AO,
            TcpOption::Mptcp { .. } => kind::MPTCP,
            TcpOption::FastOpen {
                experimental: false,
                ..
            } => kind::FAST_OPEN,
            TcpOption::FastOpen {
                experimental: true, ..
            } => kind::EXPERIMENT2,
            TcpOption::AccEcn { order: 0, .. } => kind::ACCECN0,
            TcpOption::AccEcn { .. } => kind::ACCECN1,
            TcpOption::Experimental { kind, .. } | TcpOption::Unknown { kind, .. } => kind,
        }
    }

    /// Decodes the body of a TLV option (the bytes after kind and length).
    /// `kind` must not be EOL or NOP (those have no length byte). The
    /// `Err` is the reason a known kind's length or content is wrong; the
    /// option can still be skipped by its length byte.
    #[inline]
    pub(crate) fn decode(kind: u8, body: &'a [u8]) -> Result<Self, OptionErrorReason> {
        use OptionErrorReason::BadLength;
        match (kind, body) {
            (kind::MSS, &[a, b]) => Ok(TcpOption::Mss(u16::from_be_bytes([a, b]))),
            (kind::WINDOW_SCALE, &[s]) => Ok(TcpOption::WindowScale(s)),
            (kind::SACK_PERMITTED, []) => Ok(TcpOption::SackPermitted),
            (kind::SACK, b) => SackBlocks::new(b).map(TcpOption::Sack).ok_or(BadLength),
            (kind::TIMESTAMPS, &[a0, a1, a2, a3, b0, b1, b2, b3]) => Ok(TcpOption::Timestamps {
                tsval: u32::from_be_bytes([a0, a1, a2, a3]),
                tsecr: u32::from_be_bytes([b0, b1, b2, b3]),
            }),
            (kind::MD5, digest) if digest.len() == 16 => Ok(TcpOption::Md5 { digest }),
            (kind::USER_TIMEOUT, &[a, b]) => Ok(TcpOption::UserTimeout {
                granularity_minutes: a & 0x80 != 0,
                timeout: u16::from_be_bytes([a & 0x7f, b]),
            }),
            (kind::TCP_AO, &[key_id, rnext_key_id, ref mac @ ..]) => Ok(TcpOption::TcpAo {
                key_id,
                rnext_key_id,
                mac,
            }),
            (kind::MPTCP, data @ &[first, ..]) => Ok(TcpOption::Mptcp {
                subtype: first >> 4,
                data,
            }),
            (kind::FAST_OPEN, cookie) => fast_open(cookie, false),
            (kind::ACCECN0 | kind::ACCECN1, counters)
                if counters.len() % 3 == 0 && counters.len() <= 9 =>
            {
                Ok(TcpOption::AccEcn {
                    order: u8::from(kind == kind::ACCECN1),
                    counters,
                })
            }
            (kind::EXPERIMENT1 | kind::EXPERIMENT2, &[e0, e1, ref data @ ..]) => {
                let exid = u16::from_be_bytes([e0, e1]);
                if kind == kind::EXPERIMENT2 && exid == kind::EXID_FAST_OPEN {
                    fast_open(data, true)
                } else {
                    Ok(TcpOption::Experimental { kind, exid, data })
                }
            }
            (
                kind::MSS
                | kind::WINDOW_SCALE
                | kind::SACK_PERMITTED
                | kind::TIMESTAMPS
                | kind::MD5
                | kind::USER_TIMEOUT
                | kind::TCP_AO
                | kind::MPTCP
                | kind::ACCECN0
                | kind::ACCECN1
                | kind::EXPERIMENT1
                | kind::EXPERIMENT2,
                _,
            ) => Err(BadLength),
            (kind, data) => Ok(TcpOption::Unknown { kind, data }),
        }
    }

    /// Bytes this option takes on the wire.
    pub fn wire_len(&self) -> usize {
        match *self {
            TcpOption::Eol | TcpOption::Nop => 1,
            TcpOption::Mss(_) | TcpOption::UserTimeout { .. } => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::Sack(s) => 2 + s.as_bytes().len(),
            TcpOption::Timestamps { .. } => 10,
            TcpOption::Md5 { digest } => 2 + digest.len(),
            TcpOption::TcpAo { mac, .. } => 4 + mac.len(),
            TcpOption::Mptcp { data, .. } => 2 + data.len(),
            TcpOption::FastOpen {
                cookie,
                experimental,
            } => 2 + 2 * usize::from(experimental) + cookie.len(),
            TcpOption::AccEcn { counters, .. } => 2 + counters.len(),
            TcpOption::Experimental { data, .. } => 4 + data.len(),
            TcpOption::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Writes the option at the start of `out` and returns the bytes
    /// written, or `None` if `out` is too short or the option cannot be
    /// encoded (its length would not fit the length byte). Bodies are
    /// written as given: this is a test and tooling aid, it does not
    /// validate (an `Mptcp` is written from `data` alone).
    pub fn emit(&self, out: &mut [u8]) -> Option<usize> {
        let n = self.wire_len();
        let len = u8::try_from(n).ok()?;
        let out = out.get_mut(..n)?;
        let (head, body) = out.split_at_mut(1);
        *head.first_mut()? = self.kind();
        let put = |body: &mut [u8], parts: &[&[u8]]| -> Option<()> {
            let (l, mut rest) = body.split_first_mut()?;
            *l = len;
            for p in parts {
                let (dst, r) = rest.split_at_mut_checked(p.len())?;
                dst.copy_from_slice(p);
                rest = r;
            }
            Some(())
        };
        match *self {
            TcpOption::Eol | TcpOption::Nop => {}
            TcpOption::Mss(v) => put(body, &[&v.to_be_bytes()])?,
            TcpOption::WindowScale(s) => put(body, &[&[s]])?,
            TcpOption::SackPermitted => put(body, &[])?,
            TcpOption::Sack(s) => put(body, &[s.as_bytes()])?,
            TcpOption::Timestamps { tsval, tsecr } => {
                put(body, &[&tsval.to_be_bytes(), &tsecr.to_be_bytes()])?
            }
            TcpOption::Md5 { digest } => put(body, &[digest])?,
            TcpOption::UserTimeout {
                granularity_minutes,
                timeout,
            } => {
                let v = (timeout & 0x7fff) | if granularity_minutes { 0x8000 } else { 0 };
                put(body, &[&v.to_be_bytes()])?
            }
            TcpOption::TcpAo {
                key_id,
                rnext_key_id,
                mac,
            } => put(body, &[&[key_id, rnext_key_id], mac])?,
            TcpOption::Mptcp { data, .. } => put(body, &[data])?,
            TcpOption::FastOpen {
                cookie,
                experimental: true,
            } => put(body, &[&kind::EXID_FAST_OPEN.to_be_bytes(), cookie])?,
            TcpOption::FastOpen {
                cookie,
                experimental: false,
            } => put(body, &[cookie])?,
            TcpOption::AccEcn { counters, .. } => put(body, &[counters])?,
            TcpOption::Experimental { exid, data, .. } => put(body, &[&exid.to_be_bytes(), data])?,
            TcpOption::Unknown { data, .. } => put(body, &[data])?,
        }
        Some(n)
    }
}

fn fast_open(cookie: &[u8], experimental: bool) -> Result<TcpOption<'_>, OptionErrorReason> {
    // RFC 7413 §4.1.1: empty = cookie request; else 4..=16 bytes, even.
    if cookie.is_empty() || (cookie.len() % 2 == 0 && (4..=16).contains(&cookie.len())) {
        Ok(TcpOption::FastOpen {
            cookie,
            experimental,
        })
    } else {
        Err(OptionErrorReason::BadCookieLength)
    }
}

/// Why an option could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OptionErrorReason {
    /// A known kind with a length its RFC does not allow (MSS ≠ 4, TS ≠ 10,
    /// SACK not 2 + 8·n with n in 1..=4, ...). The walk skips it by its
    /// length byte and goes on.
    BadLength,
    /// A Fast Open cookie that is odd or outside 4..=16 bytes (RFC 7413
    /// §4.1.1). Skipped; the walk goes on.
    BadCookieLength,
    /// The kind byte is the last byte of the options area: there is no
    /// length byte. The walk stops.
    MissingLength,
    /// The length byte is 0 or 1, which would loop or overlap (RIOT #12086).
    /// The walk stops.
    LengthBelowTwo,
    /// The length runs past the end of the options area (the data offset);
    /// `available` bytes were left from the option's kind byte. The walk stops.
    PastEnd { available: usize },
    /// The capture (snaplen) cut the header inside this option, which the
    /// data offset says is complete on the wire; `available` bytes of it were
    /// captured. The walk stops.
    Truncated { available: usize },
    /// The capture ended at an option boundary before the end of the options
    /// area: options may be missing. `kind` and `len` are 0. The walk stops.
    CaptureEnded,
}

impl OptionErrorReason {
    /// Whether the walk ends with this error (it can no longer find the next
    /// option), as opposed to skipping the option by its length byte.
    pub const fn stops_walk(self) -> bool {
        !matches!(
            self,
            OptionErrorReason::BadLength | OptionErrorReason::BadCookieLength
        )
    }

    /// Whether the fault is the capture's (snaplen) rather than the packet's.
    pub const fn is_truncation(self) -> bool {
        matches!(
            self,
            OptionErrorReason::Truncated { .. } | OptionErrorReason::CaptureEnded
        )
    }
}

/// A malformed option: where it starts, its kind and length bytes, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OptionError {
    /// Offset of the option's kind byte **within the options area** (add
    /// [`TcpHeader::OPTIONS_OFFSET`](super::TcpHeader::OPTIONS_OFFSET), 20,
    /// for an offset within the TCP header).
    pub offset: usize,
    /// The kind byte (0 for [`OptionErrorReason::CaptureEnded`]).
    pub kind: u8,
    /// The length byte as found (0 when it is missing or not captured).
    pub len: u8,
    pub reason: OptionErrorReason,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (off, kind, len) = (self.offset, self.kind, self.len);
        match self.reason {
            OptionErrorReason::BadLength => {
                write!(f, "tcp option kind {kind} at options byte {off}: length {len} is not valid for this kind")
            }
            OptionErrorReason::BadCookieLength => write!(
                f,
                "tcp option kind {kind} at options byte {off}: fast open cookie of length {len} is not even and 4..=16 bytes"
            ),
            OptionErrorReason::MissingLength => {
                write!(f, "tcp option kind {kind} at options byte {off}: length byte missing at end of options")
            }
            OptionErrorReason::LengthBelowTwo => {
                write!(f, "tcp option kind {kind} at options byte {off}: length {len} is below 2")
            }
            OptionErrorReason::PastEnd { available } => write!(
                f,
                "tcp option kind {kind} at options byte {off}: length {len} runs past the options area ({available} bytes left)"
            ),
            OptionErrorReason::Truncated { available } => write!(
                f,
                "tcp option kind {kind} at options byte {off}: truncated by the capture ({available} of {len} bytes captured)"
            ),
            OptionErrorReason::CaptureEnded => {
                write!(f, "tcp options truncated by the capture at options byte {off}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for OptionError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ErrorKind, Layer};
    extern crate alloc;
    use alloc::string::ToString;
    use OptionErrorReason::{BadCookieLength, BadLength};

    #[test]
    fn decode_lengths() {
        let d = TcpOption::decode;
        assert_eq!(d(kind::MSS, &[5, 0xb4, 0]), Err(BadLength));
        assert_eq!(d(kind::WINDOW_SCALE, &[]), Err(BadLength));
        assert_eq!(d(kind::SACK_PERMITTED, &[0]), Err(BadLength));
        assert_eq!(d(kind::SACK, &[0; 7]), Err(BadLength));
        assert_eq!(d(kind::SACK, &[0; 40]), Err(BadLength));
        assert_eq!(d(kind::TIMESTAMPS, &[0; 9]), Err(BadLength));
        assert_eq!(d(kind::MD5, &[0; 15]), Err(BadLength));
        assert_eq!(d(kind::USER_TIMEOUT, &[0x80, 0x05, 0]), Err(BadLength));
        assert_eq!(
            d(kind::USER_TIMEOUT, &[0x81, 0x05]),
            Ok(TcpOption::UserTimeout {
                granularity_minutes: true,
                timeout: 0x105
            })
        );
        assert_eq!(d(kind::TCP_AO, &[1]), Err(BadLength));
        assert_eq!(
            d(kind::TCP_AO, &[1, 2]),
            Ok(TcpOption::TcpAo {
                key_id: 1,
                rnext_key_id: 2,
                mac: &[]
            })
        );
        assert_eq!(d(kind::MPTCP, &[]), Err(BadLength));
        assert_eq!(
            d(kind::MPTCP, &[0x21]),
            Ok(TcpOption::Mptcp {
                subtype: 2,
                data: &[0x21]
            })
        );
        assert_eq!(d(kind::ACCECN1, &[0; 4]), Err(BadLength));
        assert_eq!(d(kind::ACCECN1, &[0; 12]), Err(BadLength));
        assert_eq!(
            d(kind::ACCECN1, &[0; 9]),
            Ok(TcpOption::AccEcn {
                order: 1,
                counters: &[0; 9]
            })
        );
        assert_eq!(
            d(kind::ACCECN0, &[]),
            Ok(TcpOption::AccEcn {
                order: 0,
                counters: &[]
            })
        );
        assert_eq!(d(kind::EXPERIMENT1, &[0xf9]), Err(BadLength));
        assert_eq!(
            d(200, &[]),
            Ok(TcpOption::Unknown {
                kind: 200,
                data: &[]
            })
        );
    }

    #[test]
    fn fast_open_cookies() {
        let d = TcpOption::decode;
        assert_eq!(
            d(kind::FAST_OPEN, &[]),
            Ok(TcpOption::FastOpen {
                cookie: &[],
                experimental: false
            })
        );
        assert_eq!(d(kind::FAST_OPEN, &[1, 2, 3]), Err(BadCookieLength));
        assert_eq!(d(kind::FAST_OPEN, &[1, 2]), Err(BadCookieLength));
        assert_eq!(d(kind::FAST_OPEN, &[0; 18]), Err(BadCookieLength));
        assert_eq!(d(kind::FAST_OPEN, &[0; 5]), Err(BadCookieLength));
        assert_eq!(
            d(kind::FAST_OPEN, &[7; 16]),
            Ok(TcpOption::FastOpen {
                cookie: &[7; 16],
                experimental: false
            })
        );
        assert_eq!(
            d(kind::EXPERIMENT2, &[0xf9, 0x89]),
            Ok(TcpOption::FastOpen {
                cookie: &[],
                experimental: true
            })
        );
        assert_eq!(d(kind::EXPERIMENT2, &[0xf9, 0x89, 1]), Err(BadCookieLength));
        // Kind 253 with the same ExID is not Fast Open (RFC 7413 names kind 254).
        assert_eq!(
            d(kind::EXPERIMENT1, &[0xf9, 0x89]),
            Ok(TcpOption::Experimental {
                kind: 253,
                exid: 0xf989,
                data: &[]
            })
        );
    }

    #[test]
    fn errors_display_and_convert() {
        let e = OptionError {
            offset: 4,
            kind: 8,
            len: 1,
            reason: OptionErrorReason::LengthBelowTwo,
        };
        assert_eq!(
            e.to_string(),
            "tcp option kind 8 at options byte 4: length 1 is below 2"
        );
        let g: Error = e.into();
        assert_eq!(g.layer, Layer::TcpOption);
        assert_eq!(g.offset, 24);
        assert_eq!(
            g.kind,
            ErrorKind::BadLength {
                what: "tcp option length",
                value: 1
            }
        );
        let t = OptionError {
            offset: 6,
            kind: 8,
            len: 10,
            reason: OptionErrorReason::Truncated { available: 4 },
        };
        assert_eq!(
            Error::from(t).kind,
            ErrorKind::Truncated {
                needed: 10,
                available: 4
            }
        );
        assert_eq!(
            t.to_string(),
            "tcp option kind 8 at options byte 6: truncated by the capture (4 of 10 bytes captured)"
        );
    }

    #[test]
    fn emit_then_decode() {
        let mut buf = [0u8; 12];
        let o = TcpOption::Timestamps {
            tsval: 0x01020304,
            tsecr: 0x05060708,
        };
        assert_eq!(o.emit(&mut buf), Some(10));
        assert_eq!(buf[..10], [8, 10, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(o.emit(&mut buf[..9]), None);
        let big = [0u8; 300];
        let mut out = [0u8; 400];
        assert_eq!(
            TcpOption::Unknown {
                kind: 99,
                data: &big
            }
            .emit(&mut out),
            None
        );
    }
}
