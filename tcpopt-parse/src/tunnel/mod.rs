//! Tunnel encapsulations that container networks and traffic mirrors use,
//! decoded only as far as needed to find the inner packet:
//! [`gre`] (with [`ppp`] for PPTP and [`erspan`] mirrors), [`udp`] and the
//! UDP-borne [`vxlan`] and [`geneve`]. IP-in-IP needs no header of its own.

pub mod erspan;
pub mod geneve;
pub mod gre;
pub mod ppp;
pub mod udp;
pub mod vxlan;

/// How many encapsulations [`crate::decode()`] unwraps before stopping with
/// [`crate::ErrorKind::TooDeep`].
pub const MAX_TUNNELS: u8 = 8;
