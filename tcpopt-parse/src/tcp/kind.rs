//! TCP option kinds (IANA "TCP Option Kind Numbers" registry).
//!
//! Only the kinds this crate decodes are named; every other kind is walked by
//! its length byte and yielded as [`TcpOption::Unknown`](super::TcpOption::Unknown).

/// End of Option List (RFC 9293 §3.2): one byte; what follows is padding.
pub const EOL: u8 = 0;
/// No-Operation (RFC 9293 §3.2): one byte, used to align later options.
pub const NOP: u8 = 1;
/// Maximum Segment Size (RFC 9293 §3.7.1), length 4.
pub const MSS: u8 = 2;
/// Window Scale (RFC 7323 §2.2), length 3.
pub const WINDOW_SCALE: u8 = 3;
/// SACK Permitted (RFC 2018 §2), length 2.
pub const SACK_PERMITTED: u8 = 4;
/// SACK (RFC 2018 §3), length 2 + 8·n, n = 1..=4.
pub const SACK: u8 = 5;
/// Timestamps (RFC 7323 §3.2), length 10.
pub const TIMESTAMPS: u8 = 8;
/// TCP MD5 signature (RFC 2385 §3.0), length 18.
pub const MD5: u8 = 19;
/// User Timeout (RFC 5482 §2), length 4.
pub const USER_TIMEOUT: u8 = 28;
/// TCP Authentication Option (RFC 5925 §2.2), length ≥ 4.
pub const TCP_AO: u8 = 29;
/// Multipath TCP (RFC 8684 §3), length ≥ 3.
pub const MPTCP: u8 = 30;
/// TCP Fast Open cookie (RFC 7413 §4.1.1).
pub const FAST_OPEN: u8 = 34;
/// AccECN order 0 (RFC 9768 §3.2.3).
pub const ACCECN0: u8 = 172;
/// AccECN order 1 (RFC 9768 §3.2.3).
pub const ACCECN1: u8 = 174;
/// RFC 3692-style experiment 1 (RFC 4727, with an RFC 6994 ExID).
pub const EXPERIMENT1: u8 = 253;
/// RFC 3692-style experiment 2 (RFC 4727, with an RFC 6994 ExID).
pub const EXPERIMENT2: u8 = 254;

/// The RFC 6994 ExID under which TCP Fast Open ran before kind 34 (RFC 7413 §4.1.1).
pub const EXID_FAST_OPEN: u16 = 0xF989;
