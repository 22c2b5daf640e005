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

use crate::error::{Error, ErrorKind, Layer};
use crate::ip::{self, ipv4, ipv6, protocol, IpInfo};
use crate::link::ethertype as et;
use crate::link::{
    arcnet, chdlc, ethernet, ipoib, mpls, nflog, null, pppoe, sll, LinkInfo, LinkKind,
    MAX_VLAN_TAGS,
};
use crate::linktype::LinkType;
use crate::tunnel::{erspan, geneve, gre, ppp, udp, vxlan, MAX_TUNNELS};

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
}

impl<'a> Decoded<'a> {
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
pub fn decode(linktype: LinkType, data: &[u8]) -> Decoded<'_> {
    let mut d = Decoded {
        link: None,
        tunnels: 0,
        ip: None,
        transport: None,
        stop: None,
    };
    let result = Decoder {
        data,
        at: 0,
        d: &mut d,
    }
    .run(linktype);
    d.stop = result.err();
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

    fn tunnel(&mut self) -> Result<(), Error> {
        if self.d.tunnels >= MAX_TUNNELS {
            let kind = ErrorKind::TooDeep {
                what: "tunnel encapsulations",
                limit: MAX_TUNNELS.into(),
            };
            let layer = self.d.ip.map_or(Layer::Ipv4, |ip| {
                if ip.src.is_ipv4() {
                    Layer::Ipv4
                } else {
                    Layer::Ipv6
                }
            });
            return Err(Error::new(layer, self.at as u64, kind));
        }
        self.d.tunnels += 1;
        Ok(())
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
                Ok(Next::EtherType(h.protocol))
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
                Ok(Next::EtherType(h.protocol))
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
                let cisco = self
                    .data
                    .first()
                    .is_some_and(|&b| chdlc::is_chdlc_address(b));
                if linktype == LinkType::PPP_HDLC && cisco {
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
            LinkType(other) => Err(Error::new(
                Layer::Link,
                0,
                ErrorKind::Unsupported {
                    what: "link type",
                    value: other.into(),
                },
            )),
        }
    }

    /// Cisco HDLC as the outermost link layer.
    fn chdlc(&mut self) -> Result<Next, Error> {
        let Ok((rest, h)) = chdlc::chdlc_header::<()>(self.data) else {
            return Err(self.truncated(Layer::Link, chdlc::HEADER_LEN));
        };
        let kind = LinkKind::CiscoHdlc { address: h.address };
        self.d.link = Some(LinkInfo::new(kind, h.protocol, chdlc::HEADER_LEN as u16));
        self.advance(rest);
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
        Ok(Next::EtherType(h.ethertype))
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
                Next::EtherType(tag.ethertype)
            }
            // ARP, LLDP, 802.3 lengths, ...: valid, but not IP.
            _ => Next::Done,
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
            gre::PROTO_WCCP => {
                let skip = gre::wccp_redirect_len(self.data);
                let Some(rest) = self.data.get(skip..) else {
                    return Err(self.truncated(Layer::Gre, skip));
                };
                self.advance(rest);
                Next::Ipv4
            }
            t => Next::EtherType(t),
        })
    }

    fn udp(&mut self) -> Result<Next, Error> {
        let (h, payload) = udp::parse(self.data).map_err(|e| self.err(e))?;
        match h.dst_port {
            udp::PORT_VXLAN | udp::PORT_VXLAN_GPE | udp::PORT_GENEVE => {}
            _ => return Ok(Next::Done),
        }
        // The UDP length may end the payload before the IP length does.
        self.enter(udp::HEADER_LEN, payload);
        if h.dst_port == udp::PORT_GENEVE {
            let (g, rest) = geneve::parse(self.data).map_err(|e| self.err(e))?;
            self.tunnel()?;
            self.advance(rest);
            return Ok(Next::EtherType(g.protocol));
        }
        let Ok((rest, v)) = vxlan::vxlan_header::<()>(self.data) else {
            return Err(self.truncated(Layer::Vxlan, vxlan::HEADER_LEN));
        };
        self.tunnel()?;
        self.advance(rest);
        if h.dst_port == udp::PORT_VXLAN {
            return Ok(Next::Ethernet);
        }
        Ok(match (v.flags & vxlan::FLAG_P != 0, v.next_protocol) {
            (true, vxlan::GPE_IPV4) => Next::Ipv4,
            (true, vxlan::GPE_IPV6) => Next::Ipv6,
            (true, vxlan::GPE_ETHERNET) => Next::Ethernet,
            _ => Next::Done,
        })
    }
}
