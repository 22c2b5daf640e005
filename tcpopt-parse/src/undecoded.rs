//! The count of packets that may hold TCP but could not be decoded, so
//! that a capture whose TCP this crate cannot reach is never read as "no
//! connections, nothing wrong".
//!
//! A packet counts when its decoding stopped with
//! [`ErrorKind::Unsupported`] ([`crate::Decoded::undecoded`]): a link
//! type or EtherType that is not decoded, an encrypted payload (802.11
//! protection, IPsec ESP, DTLS), a fragment that only reassembly would
//! make whole. Packets that are known not to be TCP (ARP, spanning tree,
//! UDP) do not count, nor do damaged ones: those are faults, listed in the
//! capture summary's errors.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{Error, ErrorKind, Layer};
use crate::linktype::LinkType;

/// How many distinct reasons are kept; packets of any further reason are
/// counted in [`Undecoded::other_packets`].
pub const MAX_REASONS: usize = 16;

/// Packets that may hold TCP but were not decoded, by reason.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Undecoded {
    /// How many packets were not decoded; each counts once, under the
    /// reason that stopped it.
    pub packets: u64,
    /// One entry per reason, in the order the capture first shows them;
    /// at most [`MAX_REASONS`].
    pub reasons: Vec<UndecodedReason>,
    /// Packets whose reason did not fit in `reasons`.
    pub other_packets: u64,
    /// The whole count in one sentence, for the command line and the page
    /// to show as it is; `None` when every packet was decoded.
    pub summary: Option<String>,
}

/// One reason why packets were not decoded.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UndecodedReason {
    /// The capture's link type for these packets, as `LinkType`'s Display:
    /// `IEEE802_11_RADIOTAP (127)`, `linktype 147`.
    pub link_type: String,
    /// The layer that could not be followed ([`Layer::name`]).
    pub layer: String,
    /// What it was, in words: `link type 147`, `ethertype 0x88e5`,
    /// `encrypted 802.11 frame`.
    pub what: String,
    /// Packets stopped for this reason.
    pub packets: u64,
    /// The first frame (Wireshark numbering) it stopped.
    pub first_frame: u64,
    #[cfg_attr(feature = "serde", serde(skip))]
    #[cfg_attr(feature = "schema", schemars(skip))]
    key: Key,
}

/// What makes two stops the same reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    link_type: u32,
    layer: Layer,
    what: &'static str,
    /// The value, when it names the thing (a link type, an EtherType).
    value: Option<u64>,
}

impl Undecoded {
    /// Counts one packet of link type `linktype` whose decoding stopped
    /// at `stop`, if `stop` says it may hold TCP that was not decoded.
    /// Returns whether it counted.
    pub fn count(&mut self, frame: u64, linktype: LinkType, stop: &Error) -> bool {
        let ErrorKind::Unsupported { what, value } = stop.kind else {
            return false;
        };
        self.packets += 1;
        // "what, detail" strings carry a value that only says more about
        // one packet (flags); the others' value is the thing itself.
        let value = (!what.contains(',')).then_some(value);
        let key = Key {
            link_type: linktype.0,
            layer: stop.layer,
            what,
            value,
        };
        if let Some(r) = self.reasons.iter_mut().find(|r| r.key == key) {
            r.packets += 1;
            return true;
        }
        if self.reasons.len() == MAX_REASONS {
            self.other_packets += 1;
            return true;
        }
        self.reasons.push(UndecodedReason {
            link_type: linktype.to_string(),
            layer: stop.layer.name().to_string(),
            what: describe(what, value),
            packets: 1,
            first_frame: frame,
            key,
        });
        true
    }

    pub fn is_empty(&self) -> bool {
        self.packets == 0
    }

    /// Fills [`summary`](Self::summary) from the counts; `packets` is the
    /// number of packets read.
    ///
    /// ```
    /// use tcpopt_parse::undecoded::Undecoded;
    /// use tcpopt_parse::{Error, ErrorKind, Layer, LinkType};
    /// let mut u = Undecoded::default();
    /// let stop = Error::new(Layer::Link, 0, ErrorKind::Unsupported { what: "link type", value: 147 });
    /// for frame in 1..=3 {
    ///     u.count(frame, LinkType(147), &stop);
    /// }
    /// u.finish(4);
    /// assert_eq!(
    ///     u.summary.as_deref(),
    ///     Some("3 of 4 packets could not be decoded and may hold TCP that was not analysed: \
    ///           3 link type 147 (USER) (from frame 1)")
    /// );
    /// ```
    pub fn finish(&mut self, packets: u64) {
        if self.packets == 0 {
            self.summary = None;
            return;
        }
        let mut parts: Vec<String> = self
            .reasons
            .iter()
            .map(|r| format!("{} {} (from frame {})", r.packets, r.what, r.first_frame))
            .collect();
        if self.other_packets > 0 {
            parts.push(format!("{} for other reasons", self.other_packets));
        }
        self.summary = Some(format!(
            "{} of {packets} packets could not be decoded and may hold TCP that was not analysed: {}",
            self.packets,
            parts.join(", ")
        ));
    }
}

/// A reason in words.
fn describe(what: &str, value: Option<u64>) -> String {
    match (what, value) {
        ("link type", Some(v)) => match u32::try_from(v)
            .ok()
            .and_then(|v| LinkType(v).registry_name())
        {
            Some(name) => format!("link type {v} ({name})"),
            None => format!("link type {v}"),
        },
        ("ethertype", Some(v)) => format!("ethertype 0x{v:04x}"),
        (what, Some(v)) => format!("{what} {v}"),
        (what, None) => what.split(',').next().unwrap_or(what).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsupported(layer: Layer, what: &'static str, value: u64) -> Error {
        Error::new(layer, 0, ErrorKind::Unsupported { what, value })
    }

    #[test]
    fn reasons_are_grouped_and_bounded() {
        let mut u = Undecoded::default();
        let wifi = LinkType::IEEE802_11_RADIOTAP;
        let enc = unsupported(Layer::Ieee80211, "encrypted 802.11 frame, flags", 0x41);
        let enc2 = unsupported(Layer::Ieee80211, "encrypted 802.11 frame, flags", 0x42);
        assert!(u.count(5, wifi, &enc));
        assert!(u.count(9, wifi, &enc2));
        // A fault is not "undecoded".
        assert!(!u.count(10, wifi, &Error::truncated(Layer::Ipv4, 30, 20, 4)));
        assert_eq!(u.reasons.len(), 1);
        assert_eq!((u.reasons[0].packets, u.reasons[0].first_frame), (2, 5));
        assert_eq!(u.reasons[0].what, "encrypted 802.11 frame");
        assert_eq!(u.reasons[0].link_type, "IEEE802_11_RADIOTAP (127)");
        for t in 0..MAX_REASONS as u64 + 3 {
            u.count(
                20,
                LinkType::ETHERNET,
                &unsupported(Layer::Ethernet, "ethertype", 0x9000 + t),
            );
        }
        assert_eq!(u.reasons.len(), MAX_REASONS);
        assert_eq!(
            (u.packets, u.other_packets),
            (2 + MAX_REASONS as u64 + 3, 4)
        );
        assert_eq!(u.reasons[1].what, "ethertype 0x9000");
        u.finish(100);
        let s = u.summary.unwrap();
        assert!(
            s.starts_with("21 of 100 packets could not be decoded"),
            "{s}"
        );
        assert!(s.ends_with("4 for other reasons"), "{s}");
    }

    #[test]
    fn nothing_undecoded_says_nothing() {
        let mut u = Undecoded::default();
        u.finish(10);
        assert_eq!((u.is_empty(), u.summary), (true, None));
    }
}
