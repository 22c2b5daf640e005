//! Shared by the decode tests: real frames from the shared captures, read
//! with the crate's own capture reader, and small accessors.
#![allow(dead_code)]

use core::net::IpAddr;

use tcpopt_parse::capture::packets;
use tcpopt_parse::decode::Decoded;
use tcpopt_parse::LinkType;

/// Frame `n` (1-based, as Wireshark numbers it) of a shared capture.
pub fn frame(file: &str, n: usize) -> (LinkType, Vec<u8>) {
    let b = std::fs::read(super::common::captures_dir().join(file)).expect("capture");
    let rec = packets(&b)
        .nth(n - 1)
        .expect("the capture has that frame")
        .expect("the frame reads");
    (rec.linktype, rec.data.to_vec())
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Source and destination port of the decoded TCP bytes.
pub fn ports(d: &Decoded<'_>) -> (u16, u16) {
    let t = d.tcp().expect("tcp");
    (
        u16::from_be_bytes([t[0], t[1]]),
        u16::from_be_bytes([t[2], t[3]]),
    )
}
