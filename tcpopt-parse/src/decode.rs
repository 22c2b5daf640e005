//! Packet decoding: link layer, tunnels, IP, down to the TCP bytes.
//!
//! [`decode()`] is lax in the way of etherparse's `Lax*` API: it returns
//! every layer it parsed and, in [`Decoded::stop`], why it stopped short.
//! A packet that is simply not TCP (ARP, UDP, ICMP, a later IP fragment,
//! ESP) stops without an error; only malformed or cut headers, an
//! unsupported link type and excessive nesting are errors. The TCP header
//! itself is left to [`crate::tcp`].
//!
//! Wireshark is the reference for which frames are TCP: ICMP payloads
//! (which quote TCP headers) are never decoded, and only the first
//! fragment of a datagram carries the TCP header.
//!
//! What may carry TCP but is not followed stops with
//! [`ErrorKind::Unsupported`]: a link type or EtherType this crate does
//! not decode, an encrypted payload (802.11 protection, IPsec ESP, DTLS),
//! a fragment that only reassembly would make whole. A protocol that is
//! known not to carry IP (ARP, LLDP, spanning tree, ...) simply ends
//! decoding. [`Decoded::undecoded`] tells the two apart for the capture
//! summary's count of packets that were not decoded.

use crate::error::{Error, ErrorKind, Layer};
use crate::ip::{self, ipv4, ipv6, protocol, IpInfo};
use crate::link::ethertype as et;
use crate::link::ieee80211::FrameControl;
use crate::link::{
    arcnet, chdlc, ethernet, fddi, ieee80211, ipoib, juniper, llc, mpls, nflog, null, ppi, pppoe,
    radiotap, sll, tags, LinkInfo, LinkKind, MAX_VLAN_TAGS,
};
use crate::linktype::LinkType;
use crate::tunnel::{ayiya, capwap, erspan, geneve, gre, gtp, ppp, udp, vxlan, MAX_TUNNELS};

/// The transport-layer bytes that decoding reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transport<'a> {
    /// IP protocol number: 6, as only TCP is handed over.
    pub protocol: u8,
    /// Offset of the transport header in the packet.
    pub offset: usize,
    /// The transport header and payload as captured, bounded by the IP
    /// length (an Ethernet trailer or FCS is not part of it).
    pub data: &'a [u8],
    /// Header and payload length according to IP; larger than
    /// `data.len()` when the capture was cut by its snaplen.
    pub wire_len: u32,
}

/// Everything [`decode()`] learnt about one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The outermost link layer (`None` when it was cut or unsupported).
    pub link: Option<LinkInfo>,
    /// How many tunnel encapsulations were unwrapped (IP-in-IP, GRE,
    /// VXLAN, Geneve).
    pub tunnels: u8,
    /// The innermost IP header that could be parsed.
    pub ip: Option<IpInfo>,
    /// The TCP bytes, when the packet carries a TCP header.
    pub transport: Option<Transport<'a>>,
    /// Why decoding stopped short, with the offset relative to the start of
    /// the packet; `None` when every header on the way was sound.
    pub stop: Option<Error>,
    /// An ICMP or ICMPv6 "destination unreachable" quoting a TCP header:
    /// the answer some SYNs get instead of a SYN-ACK or RST.
    pub icmp: Option<IcmpQuote>,
}

/// An ICMP destination unreachable (ICMPv4 type 3, RFC 792; ICMPv6 type 1,
/// RFC 4443 §3.1) and the start of the TCP segment it quotes. ICMP quotes
/// the IP header and at least 8 bytes of what follows: ports and sequence
/// number are all a TCP header gives there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpQuote {
    /// ICMP type and code (e.g. 3/3 port unreachable, 3/13 administratively
    /// prohibited; ICMPv6 1/1 administratively prohibited).
    pub icmp_type: u8,
    pub code: u8,
    pub v6: bool,
    /// Who sent the ICMP message (a router, a firewall or the host).
    pub from: core::net::IpAddr,
    /// Addresses and ports of the quoted segment (its sender first).
    pub src: core::net::IpAddr,
    pub dst: core::net::IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
}

/// ICMP header bytes before the quoted datagram (type, code, checksum, 4
/// unused/MTU bytes), RFC 792 and RFC 4443.
const ICMP_HEADER_LEN: usize = 8;
const ICMP_UNREACHABLE: u8 = 3;
const ICMPV6_UNREACHABLE: u8 = 1;

/// The TCP segment an ICMP destination unreachable quotes, if it does.
fn icmp_quote(v6: bool, from: core::net::IpAddr, data: &[u8]) -> Option<IcmpQuote> {
    let (&icmp_type, rest) = data.split_first()?;
    let &code = rest.first()?;
    if icmp_type
        != if v6 {
            ICMPV6_UNREACHABLE
        } else {
            ICMP_UNREACHABLE
        }
    {
        return None;
    }
    let q = data.get(ICMP_HEADER_LEN..)?;
    let (src, dst, tcp) = if v6 {
        // Fixed header only: a quoted extension header chain is not followed.
        if q.first()? >> 4 != 6 || *q.get(6)? != protocol::TCP {
            return None;
        }
        let a = |o: usize| -> Option<core::net::IpAddr> {
            let b: [u8; 16] = q.get(o..o + 16)?.try_into().ok()?;
            Some(core::net::IpAddr::from(b))
        };
        (a(8)?, a(24)?, q.get(40..48)?)
    } else {
        let ihl = usize::from(q.first()? & 0x0f) * 4;
        if q.first()? >> 4 != 4 || ihl < 20 || *q.get(9)? != protocol::TCP {
            return None;
        }
        let a = |o: usize| -> Option<core::net::IpAddr> {
            let b: [u8; 4] = q.get(o..o + 4)?.try_into().ok()?;
            Some(core::net::IpAddr::from(b))
        };
        (a(12)?, a(16)?, q.get(ihl..ihl + 8)?)
    };
    let be16 = |o: usize| Some(u16::from_be_bytes([*tcp.get(o)?, *tcp.get(o + 1)?]));
    Some(IcmpQuote {
        icmp_type,
        code,
        v6,
        from,
        src,
        dst,
        sport: be16(0)?,
        dport: be16(2)?,
        seq: u32::from_be_bytes(tcp.get(4..8)?.try_into().ok()?),
    })
}

impl<'a> Decoded<'a> {
    /// Why this packet may hold TCP that was not decoded: the
    /// [`ErrorKind::Unsupported`] stop (an unknown link type or EtherType,
    /// an encrypted or fragmented payload), `None` when the packet was
    /// followed to its end or stopped at damage (which is a fault, not
    /// something unsupported).
    pub fn undecoded(&self) -> Option<Error> {
        self.stop
            .filter(|e| matches!(e.kind, ErrorKind::Unsupported { .. }))
    }

    /// The TCP header and payload bytes, if any.
    pub fn tcp(&self) -> Option<&'a [u8]> {
        match self.transport {
            Some(t) if t.protocol == protocol::TCP => Some(t.data),
            _ => None,
        }
    }
}

/// Decodes `data`, a packet of link type `linktype`, down to its TCP
/// bytes. Never panics and never allocates.
///
/// ```
/// use tcpopt_parse::{decode, LinkType};
/// // tcp_rst_diag_payload.pcap frame 1 (BSD null, little-endian AF_INET).
/// let pkt = [
///     0x02, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06,
///     0x39, 0x1d, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0xa8, 0x00, 0x01, 0x9b, 0x95, 0x1f, 0x90,
///     0x00, 0x00, 0x00, 0x01, 0x13, 0xf4, 0x9a, 0xf1, 0x50, 0x14, 0x00, 0x00, 0x86, 0xa8,
///     0x00, 0x00, 0x33, 0xaa, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
/// ];
/// let d = decode::decode(LinkType::NULL, &pkt);
/// let t = d.transport.unwrap();
/// assert_eq!((t.offset, t.data.len(), t.wire_len), (24, 28, 28));
/// assert_eq!(t.data[..4], [0x9b, 0x95, 0x1f, 0x90]); // 39829 → 8080
/// assert_eq!(d.ip.unwrap().src, "192.0.2.1".parse::<core::net::IpAddr>().unwrap());
/// assert_eq!(d.stop, None);
/// ```
#[inline]
pub fn decode(linktype: LinkType, data: &[u8]) -> Decoded<'_> {
    match decode_fast(linktype, data) {
        Some(d) => d,
        None => decode_general(linktype, data),
    }
}

/// The fixed-offset fast path of [`decode()`]: Ethernet, at most one
/// 802.1Q/802.1ad tag, then IPv4 without options (IHL 5, not a fragment,
/// total length at least the header) or IPv6 whose next header is TCP
/// (payload length not 0), then TCP. `None` for anything else, which
/// [`decode_general`] then decodes: where this returns `Some`, the result
/// is the one `decode_general` gives (checked on every shared capture by
/// `tests/fast_path.rs`).
///
/// Always inlined, so that the caller's copy of [`Decoded`] stays in
/// registers and the fields it does not read are never built.
#[inline(always)]
pub fn decode_fast(linktype: LinkType, data: &[u8]) -> Option<Decoded<'_>> {
    if linktype != LinkType::ETHERNET {
        return None;
    }
    let be16 = |b: &[u8], at: usize| -> Option<u16> {
        let [x, y] = *b.get(at..at + 2)?.first_chunk::<2>()?;
        Some(u16::from_be_bytes([x, y]))
    };
    let outer = be16(data, 12)?;
    let mut link = LinkInfo::new(LinkKind::Ethernet, outer, ethernet::HEADER_LEN as u16);
    let mut l3 = ethernet::HEADER_LEN;
    let mut ethertype = outer;
    if matches!(outer, et::VLAN | et::QINQ | et::QINQ_OLD) {
        let tci = be16(data, 14)?;
        ethertype = be16(data, 16)?;
        l3 += ethernet::VLAN_TAG_LEN;
        link.vlan_ids[0] = tci & 0x0fff;
        link.vlan_count = 1;
        link.ethertype = ethertype;
        link.header_len = l3 as u16;
    }
    let (ip, l4) = match ethertype {
        et::IPV4 => {
            let h: &[u8; ipv4::MIN_HEADER_LEN] = data.get(l3..)?.first_chunk()?;
            let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
            let flags_fragment = u16::from_be_bytes([h[6], h[7]]);
            // IHL 5, no fragment (MF or offset), TCP, a sane total length.
            if h[0] != 0x45
                || flags_fragment & 0x3fff != 0
                || h[9] != protocol::TCP
                || total < ipv4::MIN_HEADER_LEN
            {
                return None;
            }
            let src: [u8; 4] = [h[12], h[13], h[14], h[15]];
            let dst: [u8; 4] = [h[16], h[17], h[18], h[19]];
            let ip = IpInfo {
                src: src.into(),
                dst: dst.into(),
                ttl: h[8],
                tos: h[1],
                protocol: protocol::TCP,
                id: u16::from_be_bytes([h[4], h[5]]).into(),
                fragment_offset: 0,
                more_fragments: false,
                dont_fragment: flags_fragment & 0x4000 != 0,
                fragment_header: false,
                offset: l3,
                header_len: ipv4::MIN_HEADER_LEN as u16,
                payload_len: (total - ipv4::MIN_HEADER_LEN) as u32,
            };
            (ip, l3 + ipv4::MIN_HEADER_LEN)
        }
        et::IPV6 => {
            let h: &[u8; ipv6::HEADER_LEN] = data.get(l3..)?.first_chunk()?;
            let payload_len = u16::from_be_bytes([h[4], h[5]]);
            if h[0] >> 4 != 6 || h[6] != protocol::TCP || payload_len == 0 {
                return None;
            }
            let src: [u8; 16] = *h[8..24].first_chunk()?;
            let dst: [u8; 16] = *h[24..40].first_chunk()?;
            let ip = IpInfo {
                src: src.into(),
                dst: dst.into(),
                ttl: h[7],
                tos: (h[0] << 4) | (h[1] >> 4),
                protocol: protocol::TCP,
                id: 0,
                fragment_offset: 0,
                more_fragments: false,
                dont_fragment: false,
                fragment_header: false,
                offset: l3,
                header_len: ipv6::HEADER_LEN as u16,
                payload_len: payload_len.into(),
            };
            (ip, l3 + ipv6::HEADER_LEN)
        }
        _ => return None,
    };
    // The IP length bounds the segment (an Ethernet trailer is not part
    // of it); a snaplen cut leaves less.
    let end = l4.saturating_add(ip.payload_len as usize).min(data.len());
    let tcp = data.get(l4..end)?;
    Some(Decoded {
        link: Some(link),
        tunnels: 0,
        ip: Some(ip),
        transport: Some(Transport {
            protocol: protocol::TCP,
            offset: l4,
            data: tcp,
            wire_len: ip.payload_len,
        }),
        stop: None,
        icmp: None,
    })
}

/// The general decoder behind [`decode()`]: every link type, tag, tunnel
/// and extension header, with the stop reason. [`decode()`] takes
/// [`decode_fast`] first and this for everything else; it is public so
/// that tests can set the two side by side.
#[inline(never)]
pub fn decode_general(linktype: LinkType, data: &[u8]) -> Decoded<'_> {
    let mut d = Decoded {
        link: None,
        tunnels: 0,
        ip: None,
        transport: None,
        stop: None,
        icmp: None,
    };
    let mut decoder = Decoder {
        data,
        at: 0,
        et_layer: Layer::Link,
        aside: None,
        d: &mut d,
    };
    let result = decoder.run(linktype);
    let aside = decoder.aside;
    d.stop = result.err().or(aside);
    d
}

/// What comes next at the cursor.
#[derive(Clone, Copy, Debug)]
enum Next {
    Ethernet,
    EtherType(u16),
    /// Raw IP: the version nibble decides.
    Ip,
    /// An MPLS label stack.
    Mpls,
    /// A PPP protocol field (PPPoE, PPTP).
    Ppp,
    /// An IEEE 802.2 LLC header (after an 802.3 length, FDDI, 802.11).
    Llc,
    /// An 802.11 frame, its frame control's layout, and whether radiotap
    /// said its header is padded to 32 bits.
    Ieee80211(FrameControl, bool),
    Ipv4,
    Ipv6,
    /// The upper-layer protocol of the innermost IP header.
    Protocol(u8),
    Done,
}

struct Decoder<'a, 'd> {
    /// The current window: from the cursor to the end of what the
    /// enclosing layers bound (capture, IP length, UDP length).
    data: &'a [u8],
    /// Offset of `data` in the packet.
    at: usize,
    /// The layer whose EtherType (or protocol type) is being followed, to
    /// name it when that EtherType is not supported.
    et_layer: Layer,
    /// Something not decoded beside the packet that was (the later
    /// subframes of an A-MSDU): the stop when nothing worse stops it.
    aside: Option<Error>,
    d: &'d mut Decoded<'a>,
}

impl<'a> Decoder<'a, '_> {
    fn run(&mut self, linktype: LinkType) -> Result<(), Error> {
        let mut next = self.link(linktype)?;
        // Each step either consumes a header or moves to a different kind
        // of step, and the repeatable ones (VLAN tags, tunnels, IPv6
        // extension headers) are bounded, so this loop ends.
        let mut vlans = 0usize;
        loop {
            next = match next {
                Next::Done => return Ok(()),
                Next::Ethernet => {
                    vlans = 0;
                    self.ethernet()?
                }
                Next::EtherType(t) => self.ethertype(t, &mut vlans)?,
                Next::Ip => self.ip_version()?,
                Next::Mpls => self.mpls()?,
                Next::Ppp => self.ppp()?.2,
                Next::Llc => self.llc()?,
                Next::Ieee80211(fc, pad) => self.ieee80211(fc, pad)?,
                Next::Ipv4 => self.ipv4()?,
                Next::Ipv6 => self.ipv6()?,
                Next::Protocol(p) => self.protocol(p)?,
            };
        }
    }

    /// Moves the cursor to `rest`, a part of the window (never past it).
    fn advance(&mut self, rest: &'a [u8]) {
        // `rest` may also end before the window does (a UDP length shorter
        // than the IP payload), so the step is where it starts, not how
        // much shorter it is.
        let skipped = (rest.as_ptr() as usize).saturating_sub(self.data.as_ptr() as usize);
        self.at += skipped.min(self.data.len());
        self.data = rest;
    }

    /// Moves the cursor `offset` bytes on, into `window` (a part of the
    /// current window that starts there and may end before it does).
    fn enter(&mut self, offset: usize, window: &'a [u8]) {
        self.at += offset;
        self.data = window;
    }

    fn err(&self, e: Error) -> Error {
        e.shifted(self.at as u64)
    }

    fn truncated(&self, layer: Layer, needed: usize) -> Error {
        Error::truncated(layer, self.at as u64, needed as u64, self.data.len() as u64)
    }

    /// The IP layer of the innermost IP header (for faults found in it).
    fn ip_layer(&self) -> Layer {
        self.d.ip.map_or(Layer::Ipv4, |ip| {
            if ip.src.is_ipv4() {
                Layer::Ipv4
            } else {
                Layer::Ipv6
            }
        })
    }

    fn tunnel(&mut self) -> Result<(), Error> {
        self.tunnel_in(self.ip_layer())
    }

    /// Counts one more encapsulation, found in `layer`; every kind of
    /// nesting (IP in IP, Ethernet in Ethernet, 802.11 in UDP) counts
    /// against the one bound.
    fn tunnel_in(&mut self, layer: Layer) -> Result<(), Error> {
        if self.d.tunnels >= MAX_TUNNELS {
            let kind = ErrorKind::TooDeep {
                what: "tunnel encapsulations",
                limit: MAX_TUNNELS.into(),
            };
            return Err(Error::new(layer, self.at as u64, kind));
        }
        self.d.tunnels += 1;
        Ok(())
    }

    /// Something that may carry TCP but is not followed (see the module
    /// docs), at the cursor.
    fn unsupported(&self, layer: Layer, what: &'static str, value: u64) -> Error {
        Error::new(
            layer,
            self.at as u64,
            ErrorKind::Unsupported { what, value },
        )
    }

    fn link(&mut self, linktype: LinkType) -> Result<Next, Error> {
        match linktype {
            LinkType::ETHERNET => Ok(Next::Ethernet),
            LinkType::RAW
            | LinkType::RAW_12
            | LinkType::RAW_14
            | LinkType::IPV4
            | LinkType::IPV6 => {
                let ethertype = match self.data.first().map(|b| b >> 4) {
                    Some(4) => et::IPV4,
                    Some(6) => et::IPV6,
                    _ => 0,
                };
                self.d.link = Some(LinkInfo::new(LinkKind::Raw, ethertype, 0));
                Ok(Next::Ip)
            }
            LinkType::LINUX_SLL => {
                let Ok((rest, h)) = sll::sll_header::<()>(self.data) else {
                    return Err(self.truncated(Layer::LinuxSll, sll::SLL_HEADER_LEN));
                };
                let kind = LinkKind::LinuxSll {
                    packet_type: h.packet_type,
                };
                self.d.link = Some(LinkInfo::new(kind, h.protocol, sll::SLL_HEADER_LEN as u16));
                self.advance(rest);
                self.et_layer = Layer::LinuxSll;
                Ok(sll_next(h.protocol))
            }
            LinkType::LINUX_SLL2 => {
                let Ok((rest, h)) = sll::sll2_header::<()>(self.data) else {
                    return Err(self.truncated(Layer::LinuxSll2, sll::SLL2_HEADER_LEN));
                };
                let kind = LinkKind::LinuxSll2 {
                    packet_type: h.packet_type,
                    interface_index: h.interface_index,
                };
                self.d.link = Some(LinkInfo::new(kind, h.protocol, sll::SLL2_HEADER_LEN as u16));
                self.advance(rest);
                self.et_layer = Layer::LinuxSll2;
                Ok(sll_next(h.protocol))
            }
            LinkType::NULL | LinkType::LOOP => {
                let parsed = if linktype == LinkType::NULL {
                    null::null_family::<()>(self.data)
                } else {
                    null::loop_family::<()>(self.data)
                };
                let Ok((rest, family)) = parsed else {
                    return Err(self.truncated(Layer::Null, null::HEADER_LEN));
                };
                let kind = if linktype == LinkType::NULL {
                    LinkKind::Null { family }
                } else {
                    LinkKind::Loop { family }
                };
                let ethertype = null::family_ethertype(family);
                self.d.link = Some(LinkInfo::new(
                    kind,
                    ethertype.unwrap_or(0),
                    null::HEADER_LEN as u16,
                ));
                self.advance(rest);
                Ok(match ethertype {
                    Some(et::IPV4) => Next::Ipv4,
                    Some(_) => Next::Ipv6,
                    None => Next::Done,
                })
            }
            LinkType::PPP | LinkType::PPP_HDLC => {
                // Cisco HDLC frames turn up in files labelled PPP too;
                // Wireshark tells them apart by the address byte.
                let cisco = self
                    .data
                    .first()
                    .is_some_and(|&b| chdlc::is_chdlc_address(b));
                if cisco {
                    return self.chdlc();
                }
                let (len, protocol, next) = self.ppp()?;
                let ethertype = ppp::protocol_ethertype(protocol).unwrap_or(0);
                self.d.link = Some(LinkInfo::new(LinkKind::Ppp { protocol }, ethertype, len));
                Ok(next)
            }
            LinkType::PPP_ETHER => {
                let (_, payload) = pppoe::parse(self.data).map_err(|e| self.err(e))?;
                self.enter(pppoe::HEADER_LEN, payload);
                let (len, protocol, next) = self.ppp()?;
                let ethertype = ppp::protocol_ethertype(protocol).unwrap_or(0);
                let len = len.saturating_add(pppoe::HEADER_LEN as u16);
                self.d.link = Some(LinkInfo::new(LinkKind::Ppp { protocol }, ethertype, len));
                Ok(next)
            }
            LinkType::C_HDLC => self.chdlc(),
            LinkType::IPOIB => {
                let Ok((rest, h)) = ipoib::ipoib_header::<()>(self.data) else {
                    return Err(self.truncated(Layer::Link, ipoib::HEADER_LEN));
                };
                let kind = LinkKind::Ipoib {
                    dest_qpn: h.dest_qpn,
                };
                self.d.link = Some(LinkInfo::new(kind, h.protocol, ipoib::HEADER_LEN as u16));
                self.advance(rest);
                Ok(Next::EtherType(h.protocol))
            }
            LinkType::ARCNET_LINUX | LinkType::ARCNET_BSD => {
                let parsed = if linktype == LinkType::ARCNET_LINUX {
                    arcnet::arcnet_linux_header::<()>(self.data)
                } else {
                    arcnet::arcnet_bsd_header::<()>(self.data)
                };
                let Ok((rest, h)) = parsed else {
                    // The longest header the protocol ID may call for.
                    let needed = if linktype == LinkType::ARCNET_LINUX {
                        8
                    } else {
                        10
                    };
                    return Err(self.truncated(Layer::Link, needed));
                };
                let kind = LinkKind::Arcnet {
                    source: h.source,
                    dest: h.dest,
                    protocol: h.protocol,
                };
                let ethertype = h.ethertype();
                self.d.link = Some(LinkInfo::new(
                    kind,
                    ethertype.unwrap_or(0),
                    h.header_len as u16,
                ));
                self.advance(rest);
                Ok(match ethertype {
                    Some(t) if !h.is_continuation() => Next::EtherType(t),
                    _ => Next::Done,
                })
            }
            LinkType::NFLOG => {
                let (h, payload) = nflog::parse(self.data).map_err(|e| self.err(e))?;
                let kind = LinkKind::Nflog {
                    family: h.family,
                    resource_id: h.resource_id,
                };
                let ethertype = h.ethertype();
                let header_len = payload.map_or(nflog::HEADER_LEN, |p| p.offset);
                self.d.link = Some(LinkInfo::new(
                    kind,
                    ethertype.unwrap_or(0),
                    u16::try_from(header_len).unwrap_or(u16::MAX),
                ));
                Ok(match (ethertype, payload) {
                    (Some(t), Some(packet)) => {
                        self.enter(packet.offset, packet.data);
                        Next::EtherType(t)
                    }
                    _ => Next::Done,
                })
            }
            LinkType::FDDI => {
                let (h, rest) = fddi::parse(self.data).map_err(|e| self.err(e))?;
                let kind = LinkKind::Fddi {
                    frame_control: h.frame_control,
                };
                self.d.link = Some(LinkInfo::new(kind, 0, fddi::HEADER_LEN as u16));
                self.advance(rest);
                Ok(if h.is_llc() { Next::Llc } else { Next::Done })
            }
            LinkType::IEEE802_11 => {
                self.set_80211_link(false, 0);
                Ok(Next::Ieee80211(FrameControl::Standard, false))
            }
            LinkType::IEEE802_11_RADIOTAP => {
                let (rt, frame) = radiotap::parse(self.data).map_err(|e| self.err(e))?;
                self.set_80211_link(true, rt.header_len);
                self.enter(rt.header_len, frame);
                Ok(Next::Ieee80211(FrameControl::Standard, rt.data_pad()))
            }
            LinkType::PPI => {
                let (h, frame) = ppi::parse(self.data).map_err(|e| self.err(e))?;
                self.enter(h.header_len, frame);
                match h.linktype {
                    LinkType::IEEE802_11 => {
                        self.set_80211_link(true, h.header_len);
                        Ok(Next::Ieee80211(FrameControl::Standard, false))
                    }
                    LinkType::ETHERNET => {
                        let kind = LinkKind::Ethernet;
                        let len = h.header_len + ethernet::HEADER_LEN;
                        self.d.link = Some(LinkInfo::new(
                            kind,
                            0,
                            u16::try_from(len).unwrap_or(u16::MAX),
                        ));
                        Ok(Next::Ethernet)
                    }
                    LinkType(other) => {
                        Err(self.unsupported(Layer::Link, "link type inside PPI", other.into()))
                    }
                }
            }
            LinkType::JUNIPER_ETHER => {
                let (h, rest) = juniper::parse(self.data).map_err(|e| self.err(e))?;
                let kind = LinkKind::Juniper { flags: h.flags };
                let len = u16::try_from(h.header_len).unwrap_or(u16::MAX);
                self.d.link = Some(LinkInfo::new(kind, 0, len));
                self.enter(h.header_len, rest);
                Ok(match h.payload {
                    juniper::JuniperPayload::Ethernet => {
                        // The Ethernet header is the link header's tail.
                        if let Some(link) = self.d.link.as_mut() {
                            link.header_len = len.saturating_add(ethernet::HEADER_LEN as u16);
                        }
                        return self.ethernet_at_link();
                    }
                    juniper::JuniperPayload::Ipv4 => Next::Ipv4,
                    juniper::JuniperPayload::Ipv6 => Next::Ipv6,
                    juniper::JuniperPayload::Mpls => Next::Mpls,
                    juniper::JuniperPayload::Other(p) => {
                        return Err(self.unsupported(Layer::Juniper, "juniper protocol", p.into()))
                    }
                })
            }
            LinkType(other) => Err(self.unsupported(Layer::Link, "link type", other.into())),
        }
    }

    /// The link layer of an 802.11 capture, before its MAC header is read.
    fn set_80211_link(&mut self, radio_header: bool, radio_len: usize) {
        let kind = LinkKind::Ieee80211 {
            radio_header,
            frame_type: 0,
        };
        let len = u16::try_from(radio_len).unwrap_or(u16::MAX);
        self.d.link = Some(LinkInfo::new(kind, 0, len));
    }

    /// An Ethernet header that ends a link header already recorded
    /// (Juniper's): its EtherType becomes the link's.
    fn ethernet_at_link(&mut self) -> Result<Next, Error> {
        let Ok((rest, h)) = ethernet::ethernet_header::<()>(self.data) else {
            return Err(self.truncated(Layer::Ethernet, ethernet::HEADER_LEN));
        };
        if let Some(link) = self.d.link.as_mut() {
            link.ethertype = h.ethertype;
        }
        self.advance(rest);
        self.et_layer = Layer::Ethernet;
        Ok(self.mac_type(h.ethertype))
    }

    /// What an EtherType field of an Ethernet header or VLAN tag means: an
    /// IEEE 802.3 length (then LLC, bounded by that length) or an EtherType.
    fn mac_type(&mut self, t: u16) -> Next {
        if t > et::MAX_8023_LENGTH {
            return Next::EtherType(t);
        }
        let len = usize::from(t);
        if let Some(frame) = self.data.get(..len) {
            self.data = frame;
        }
        Next::Llc
    }

    /// Makes a header that directly follows the link header part of it
    /// (802.11's and FDDI's LLC/SNAP header), with its EtherType.
    fn extend_link(&mut self, at: usize, added: usize, ethertype: Option<u16>) {
        if self.d.tunnels != 0 {
            return;
        }
        if let Some(link) = self.d.link.as_mut() {
            let continues = usize::from(link.header_len) == at
                && matches!(
                    link.kind,
                    LinkKind::Ieee80211 { .. } | LinkKind::Fddi { .. }
                );
            if continues {
                link.header_len = link
                    .header_len
                    .saturating_add(u16::try_from(added).unwrap_or(u16::MAX));
                if let Some(t) = ethertype {
                    link.ethertype = t;
                }
            }
        }
    }

    /// An IEEE 802.11 frame: only data frames go on, to their LLC header.
    fn ieee80211(&mut self, fc: FrameControl, pad: bool) -> Result<Next, Error> {
        let (h, payload) = ieee80211::parse(self.data, fc, pad).map_err(|e| self.err(e))?;
        if self.d.tunnels == 0 {
            if let Some(LinkInfo {
                kind: LinkKind::Ieee80211 { frame_type, .. },
                ..
            }) = self.d.link.as_mut()
            {
                *frame_type = h.frame_type;
            }
        }
        if payload.is_empty() {
            return Ok(Next::Done);
        }
        self.extend_link(self.at, h.header_len, None);
        self.advance(payload);
        if h.amsdu {
            let (msdu, more) = ieee80211::amsdu_first(self.data).map_err(|e| self.err(e))?;
            if more {
                let first = ieee80211::AMSDU_SUBFRAME_HEADER_LEN + msdu.len();
                let rest = self.data.len().saturating_sub(first.next_multiple_of(4));
                self.aside = Some(self.unsupported(
                    Layer::Ieee80211,
                    "802.11 A-MSDU subframes after the first, bytes",
                    rest as u64,
                ));
            }
            self.enter(ieee80211::AMSDU_SUBFRAME_HEADER_LEN, msdu);
        }
        Ok(Next::Llc)
    }

    /// An IEEE 802.2 LLC header, and SNAP.
    fn llc(&mut self) -> Result<Next, Error> {
        let (h, rest) = llc::parse(self.data).map_err(|e| self.err(e))?;
        let payload = h.payload();
        let ethertype = match payload {
            llc::LlcPayload::EtherType(t) => Some(t),
            llc::LlcPayload::Ipv4 => Some(et::IPV4),
            _ => None,
        };
        self.extend_link(self.at, h.header_len, ethertype);
        self.advance(rest);
        Ok(match payload {
            llc::LlcPayload::EtherType(t) => {
                self.et_layer = Layer::Llc;
                Next::EtherType(t)
            }
            llc::LlcPayload::Ipv4 => Next::Ipv4,
            llc::LlcPayload::Ethernet => {
                self.tunnel_in(Layer::Llc)?;
                Next::Ethernet
            }
            llc::LlcPayload::Other => Next::Done,
        })
    }

    /// Cisco HDLC as the outermost link layer.
    fn chdlc(&mut self) -> Result<Next, Error> {
        let Ok((rest, h)) = chdlc::chdlc_header::<()>(self.data) else {
            return Err(self.truncated(Layer::Link, chdlc::HEADER_LEN));
        };
        let kind = LinkKind::CiscoHdlc { address: h.address };
        self.d.link = Some(LinkInfo::new(kind, h.protocol, chdlc::HEADER_LEN as u16));
        self.advance(rest);
        self.et_layer = Layer::Link;
        Ok(Next::EtherType(h.protocol))
    }

    /// A PPP header: returns its length, the protocol and what follows.
    fn ppp(&mut self) -> Result<(u16, u16, Next), Error> {
        let Ok((rest, protocol)) = ppp::ppp_header::<()>(self.data) else {
            let needed = if self.data.starts_with(&ppp::ADDRESS_CONTROL) {
                4
            } else {
                2
            };
            return Err(self.truncated(Layer::Link, needed));
        };
        let len = (self.data.len() - rest.len()) as u16;
        self.advance(rest);
        let next = match ppp::protocol_ethertype(protocol) {
            Some(t) => Next::EtherType(t),
            None => Next::Done,
        };
        Ok((len, protocol, next))
    }

    /// An MPLS label stack, then IP as its first nibble says.
    fn mpls(&mut self) -> Result<Next, Error> {
        let (stack, payload) = mpls::parse(self.data).map_err(|e| self.err(e))?;
        self.enter(stack.len(), payload);
        Ok(match mpls::payload_ethertype(self.data) {
            Some(et::IPV4) => Next::Ipv4,
            Some(_) => Next::Ipv6,
            None => Next::Done,
        })
    }

    fn ethernet(&mut self) -> Result<Next, Error> {
        let Ok((rest, h)) = ethernet::ethernet_header::<()>(self.data) else {
            return Err(self.truncated(Layer::Ethernet, ethernet::HEADER_LEN));
        };
        if self.d.link.is_none() {
            self.d.link = Some(LinkInfo::new(
                LinkKind::Ethernet,
                h.ethertype,
                ethernet::HEADER_LEN as u16,
            ));
        }
        self.advance(rest);
        self.et_layer = Layer::Ethernet;
        Ok(self.mac_type(h.ethertype))
    }

    fn ethertype(&mut self, t: u16, vlans: &mut usize) -> Result<Next, Error> {
        Ok(match t {
            et::IPV4 => Next::Ipv4,
            et::IPV6 => Next::Ipv6,
            et::TEB => Next::Ethernet,
            et::MPLS_UNICAST | et::MPLS_MULTICAST => Next::Mpls,
            et::PPP => Next::Ppp,
            et::PPPOE_SESSION => {
                let (_, payload) = pppoe::parse(self.data).map_err(|e| self.err(e))?;
                self.enter(pppoe::HEADER_LEN, payload);
                Next::Ppp
            }
            et::VLAN | et::QINQ | et::QINQ_OLD => {
                if *vlans == MAX_VLAN_TAGS {
                    let kind = ErrorKind::TooDeep {
                        what: "vlan tags",
                        limit: MAX_VLAN_TAGS as u32,
                    };
                    return Err(Error::new(Layer::Vlan, self.at as u64, kind));
                }
                let Ok((rest, tag)) = ethernet::vlan_tag::<()>(self.data) else {
                    return Err(self.truncated(Layer::Vlan, ethernet::VLAN_TAG_LEN));
                };
                if self.d.tunnels == 0 {
                    if let Some(link) = self.d.link.as_mut() {
                        if let Some(slot) = link.vlan_ids.get_mut(*vlans) {
                            *slot = tag.vid();
                        }
                        link.vlan_count = link.vlan_count.saturating_add(1);
                        link.ethertype = tag.ethertype;
                        link.header_len = link
                            .header_len
                            .saturating_add(ethernet::VLAN_TAG_LEN as u16);
                    }
                }
                *vlans += 1;
                self.advance(rest);
                self.et_layer = Layer::Vlan;
                self.mac_type(tag.ethertype)
            }
            et::LLC_JUMBO => Next::Llc,
            t => {
                if let Some(tag) = tags::Tag::from_ethertype(t) {
                    let (next, rest) = tags::parse(tag, self.data).map_err(|e| self.err(e))?;
                    self.advance(rest);
                    self.et_layer = Layer::EthernetTag;
                    return Ok(match next {
                        Some(t) => self.mac_type(t),
                        None => {
                            self.tunnel_in(Layer::EthernetTag)?;
                            Next::Ethernet
                        }
                    });
                }
                // Below 0x600 a protocol type is not an EtherType (PPP,
                // GRE keepalives); and ARP, LLDP, ...: valid, but not IP.
                if t < et::MIN_ETHERTYPE || et::is_known_non_ip(t) {
                    return Ok(Next::Done);
                }
                return Err(self.unsupported(self.et_layer, "ethertype", t.into()));
            }
        })
    }

    fn ip_version(&mut self) -> Result<Next, Error> {
        match self.data.first().copied() {
            Some(b) if b >> 4 == 4 => Ok(Next::Ipv4),
            Some(b) if b >> 4 == 6 => Ok(Next::Ipv6),
            Some(first_byte) => Err(Error::new(
                Layer::Ipv4,
                self.at as u64,
                ErrorKind::BadIpVersion { first_byte },
            )),
            None => Err(self.truncated(Layer::Ipv4, ipv4::MIN_HEADER_LEN)),
        }
    }

    fn ipv4(&mut self) -> Result<Next, Error> {
        let p = ipv4::parse(self.data).map_err(|e| self.err(e))?;
        let h = p.header;
        let header_len = h.header_len();
        self.d.ip = Some(IpInfo {
            src: h.src.into(),
            dst: h.dst.into(),
            ttl: h.ttl,
            tos: h.tos,
            protocol: h.protocol,
            id: h.id.into(),
            fragment_offset: h.fragment_offset(),
            more_fragments: h.more_fragments(),
            dont_fragment: h.dont_fragment(),
            fragment_header: false,
            offset: self.at,
            header_len: header_len as u16,
            payload_len: p.payload_len,
        });
        self.at += header_len;
        self.data = p.payload;
        if h.fragment_offset() != 0 {
            return Ok(Next::Done);
        }
        Ok(Next::Protocol(h.protocol))
    }

    fn ipv6(&mut self) -> Result<Next, Error> {
        let p = ipv6::parse(self.data).map_err(|e| self.err(e))?;
        let h = p.header;
        let header_len = ipv6::HEADER_LEN + p.extensions_len;
        let frag = p.fragment;
        self.d.ip = Some(IpInfo {
            src: h.src.into(),
            dst: h.dst.into(),
            ttl: h.hop_limit,
            tos: h.traffic_class(),
            protocol: p.protocol,
            id: frag.map_or(0, |f| f.id),
            fragment_offset: frag.map_or(0, |f| f.offset()),
            more_fragments: frag.is_some_and(|f| f.more_fragments()),
            dont_fragment: false,
            fragment_header: frag.is_some(),
            offset: self.at,
            header_len: u16::try_from(header_len).unwrap_or(u16::MAX),
            payload_len: p.payload_len,
        });
        self.at += header_len;
        self.data = p.payload;
        if frag.is_some_and(|f| f.offset() != 0) {
            return Ok(Next::Done);
        }
        Ok(Next::Protocol(p.protocol))
    }

    fn protocol(&mut self, p: u8) -> Result<Next, Error> {
        match p {
            protocol::TCP => {
                let wire_len = self
                    .d
                    .ip
                    .map_or(ip::len_u32(self.data.len()), |ip| ip.payload_len);
                self.d.transport = Some(Transport {
                    protocol: p,
                    offset: self.at,
                    data: self.data,
                    wire_len,
                });
                Ok(Next::Done)
            }
            protocol::IPIP => {
                self.tunnel()?;
                Ok(Next::Ipv4)
            }
            protocol::IPV6 => {
                self.tunnel()?;
                Ok(Next::Ipv6)
            }
            protocol::GRE => self.gre(),
            protocol::UDP => self.udp(),
            protocol::ESP => Err(self.unsupported(
                self.ip_layer(),
                "encrypted (IPsec ESP) payload, ip protocol",
                p.into(),
            )),
            protocol::ICMP | protocol::ICMPV6 => {
                // Not a segment (tshark shows none), but the answer to one.
                if let Some(ip) = self.d.ip {
                    self.d.icmp = icmp_quote(p == protocol::ICMPV6, ip.src, self.data);
                }
                Ok(Next::Done)
            }
            // ICMP quotes TCP headers but carries no segment; ESP is
            // opaque; the rest is not TCP.
            _ => Ok(Next::Done),
        }
    }

    fn gre(&mut self) -> Result<Next, Error> {
        let (h, payload) = gre::parse(self.data).map_err(|e| self.err(e))?;
        self.tunnel()?;
        self.advance(payload);
        Ok(match h.protocol {
            gre::PROTO_PPP => Next::Ppp,
            gre::PROTO_ERSPAN_II if h.has(gre::FLAG_SEQUENCE) => {
                let Ok((rest, _)) = erspan::erspan_ii::<()>(self.data) else {
                    return Err(self.truncated(Layer::Gre, erspan::TYPE_II_LEN));
                };
                self.advance(rest);
                Next::Ethernet
            }
            // ERSPAN type I: the mirrored frame follows GRE directly.
            gre::PROTO_ERSPAN_II => Next::Ethernet,
            gre::PROTO_ERSPAN_III => {
                let Ok((rest, e)) = erspan::erspan_iii::<()>(self.data) else {
                    return Err(self.truncated(Layer::Gre, erspan::TYPE_III_LEN));
                };
                self.advance(rest);
                if e.frame_type == 0 {
                    Next::Ethernet
                } else {
                    Next::Done
                }
            }
            t if gre::is_aruba_80211(t) => Next::Ieee80211(FrameControl::Standard, false),
            gre::PROTO_WCCP => {
                let skip = gre::wccp_redirect_len(self.data);
                let Some(rest) = self.data.get(skip..) else {
                    return Err(self.truncated(Layer::Gre, skip));
                };
                self.advance(rest);
                Next::Ipv4
            }
            t => {
                self.et_layer = Layer::Gre;
                Next::EtherType(t)
            }
        })
    }

    fn udp(&mut self) -> Result<Next, Error> {
        let (h, payload) = udp::parse(self.data).map_err(|e| self.err(e))?;
        let Some(port) = udp::tunnel_port(h.src_port, h.dst_port) else {
            return Ok(Next::Done);
        };
        // The UDP length may end the payload before the IP length does.
        self.enter(udp::HEADER_LEN, payload);
        match port {
            udp::PORT_GENEVE => {
                let (g, rest) = geneve::parse(self.data).map_err(|e| self.err(e))?;
                self.tunnel()?;
                self.advance(rest);
                self.et_layer = Layer::Geneve;
                Ok(Next::EtherType(g.protocol))
            }
            udp::PORT_VXLAN | udp::PORT_VXLAN_GPE => {
                let Ok((rest, v)) = vxlan::vxlan_header::<()>(self.data) else {
                    return Err(self.truncated(Layer::Vxlan, vxlan::HEADER_LEN));
                };
                self.tunnel()?;
                self.advance(rest);
                if port == udp::PORT_VXLAN {
                    return Ok(Next::Ethernet);
                }
                Ok(match (v.flags & vxlan::FLAG_P != 0, v.next_protocol) {
                    (true, vxlan::GPE_IPV4) => Next::Ipv4,
                    (true, vxlan::GPE_IPV6) => Next::Ipv6,
                    (true, vxlan::GPE_ETHERNET) => Next::Ethernet,
                    _ => Next::Done,
                })
            }
            udp::PORT_GTP_U | udp::PORT_GTP_C => self.gtp(),
            udp::PORT_CAPWAP_DATA => {
                let (c, rest) = capwap::parse(self.data).map_err(|e| self.err(e))?;
                self.tunnel()?;
                self.advance(rest);
                Ok(match c.payload() {
                    capwap::CapwapPayload::Ethernet => Next::Ethernet,
                    capwap::CapwapPayload::Ieee80211 => {
                        Next::Ieee80211(FrameControl::Swapped, false)
                    }
                    capwap::CapwapPayload::Other => Next::Done,
                })
            }
            udp::PORT_AYIYA => {
                let (a, rest) = ayiya::parse(self.data).map_err(|e| self.err(e))?;
                if a.opcode != ayiya::OPCODE_FORWARD {
                    return Ok(Next::Done);
                }
                self.tunnel()?;
                self.advance(rest);
                match a.next_header {
                    protocol::IPV6 => Ok(Next::Ipv6),
                    protocol::IPIP => Ok(Next::Ipv4),
                    other => Err(self.unsupported(Layer::Ayiya, "ayiya next header", other.into())),
                }
            }
            udp::PORT_GRE_IN_UDP => self.gre(),
            _ => Ok(Next::Done),
        }
    }

    /// GTP on its user-plane (or control-plane) port: only GTPv1 T-PDUs
    /// carry a packet (GTPv2 is signalling).
    fn gtp(&mut self) -> Result<Next, Error> {
        if self.data.first().is_some_and(|&b| b >> 5 != 1) {
            return Ok(Next::Done);
        }
        let (g, inner) = gtp::parse(self.data).map_err(|e| self.err(e))?;
        if !g.is_tpdu() {
            return Ok(Next::Done);
        }
        self.tunnel()?;
        self.enter(g.header_len, inner);
        // Wireshark's default "T-PDU heuristic": IP by its version nibble.
        match self.data.first().map(|b| b >> 4) {
            Some(4) => Ok(Next::Ipv4),
            Some(6) => Ok(Next::Ipv6),
            None => Ok(Next::Done),
            Some(_) => Err(self.unsupported(
                Layer::Gtp,
                "gtp t-pdu that is not ip, first byte",
                self.data.first().copied().unwrap_or(0).into(),
            )),
        }
    }
}

/// What a Linux cooked header's protocol field leads to: an EtherType,
/// or below 0x600 the kernel's own numbers (ETH_P_802_2: an LLC frame).
fn sll_next(protocol: u16) -> Next {
    match protocol {
        sll::PROTO_802_2 => Next::Llc,
        p => Next::EtherType(p),
    }
}
