//! The PPP header inside PPTP's GRE (RFC 1661 §2, with the address and
//! control field of RFC 1662 §3.1 and protocol field compression of
//! RFC 1661 §6.5), decoded only to find IP.

/// PPP protocol number of IPv4 (RFC 1332).
pub const PPP_IPV4: u16 = 0x0021;
/// PPP protocol number of IPv6 (RFC 5072).
pub const PPP_IPV6: u16 = 0x0057;

/// Reads the PPP protocol and returns it with the payload; `None` when
/// the header is cut.
///
/// ```
/// # use tcpopt_parse::tunnel::ppp::ppp_protocol;
/// assert_eq!(ppp_protocol(&[0xff, 0x03, 0x00, 0x21, 0x45]), Some((0x21, &[0x45][..])));
/// // Address/control and protocol field compressed away.
/// assert_eq!(ppp_protocol(&[0x21, 0x45]), Some((0x21, &[0x45][..])));
/// ```
pub fn ppp_protocol(input: &[u8]) -> Option<(u16, &[u8])> {
    let input = match input {
        [0xff, 0x03, rest @ ..] => rest,
        _ => input,
    };
    match input {
        // An odd first byte is a compressed one-byte protocol.
        [p, rest @ ..] if p & 1 == 1 => Some((u16::from(*p), rest)),
        [hi, lo, rest @ ..] => Some((u16::from_be_bytes([*hi, *lo]), rest)),
        _ => None,
    }
}
