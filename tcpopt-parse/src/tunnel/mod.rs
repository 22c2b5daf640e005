//! Tunnel encapsulations that container networks and traffic mirrors use,
//! decoded only as far as needed to find the inner packet:
//! [`gre`] (with [`ppp`] for PPTP, [`erspan`] mirrors and Aruba's 802.11
//! tunnels), [`udp`] and the UDP-borne [`vxlan`], [`geneve`], [`gtp`]
//! (mobile networks), [`capwap`] (wireless controllers), [`ayiya`] (IPv6
//! tunnel brokers) and GRE-in-UDP. IP-in-IP needs no header of its own.

pub mod ayiya;
pub mod capwap;
pub mod erspan;
pub mod geneve;
pub mod gre;
pub mod gtp;
pub mod ppp;
pub mod udp;
pub mod vxlan;

/// How many encapsulations [`crate::decode()`] unwraps before stopping with
/// [`crate::ErrorKind::TooDeep`].
pub const MAX_TUNNELS: u8 = 8;
