//! FDDI MAC header (ISO 9314-2, LINKTYPE_FDDI): frame control, then the
//! destination and source addresses; asynchronous LLC frames carry an
//! IEEE 802.2 LLC header ([`super::llc`]), and IP behind it as RFC 1390
//! prescribes (SNAP, EtherType 0x0800).

use crate::error::{Error, Layer};

/// Frame control, destination, source.
pub const HEADER_LEN: usize = 13;
/// Frame control of asynchronous LLC frames: 0101 then a 4-bit priority
/// (Wireshark's packet-fddi.c hands only these to LLC).
const FC_LLC_ASYNC: u8 = 0x50;
const FC_FORMAT_MASK: u8 = 0xf0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FddiHeader {
    pub frame_control: u8,
    pub dst: [u8; 6],
    pub src: [u8; 6],
}

impl FddiHeader {
    /// Whether an LLC header follows (an asynchronous LLC frame).
    pub const fn is_llc(&self) -> bool {
        self.frame_control & FC_FORMAT_MASK == FC_LLC_ASYNC
    }
}

/// Parses an FDDI header; returns it and the frame's payload. Error
/// offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::fddi::parse;
/// // dns-inverse-query.pcap frame 1: async LLC, priority 0, then SNAP.
/// let f = [0x50, 0xaa, 0x00, 0x04, 0x00, 0x83, 0xa7, 0xaa, 0x00, 0x04, 0x00, 0x82, 0xa7,
///          0xaa, 0xaa, 0x03];
/// let (h, rest) = parse(&f).unwrap();
/// assert_eq!((h.is_llc(), h.src[5], rest), (true, 0xa7, &[0xaa, 0xaa, 0x03][..]));
/// assert!(parse(&f[..12]).is_err());
/// ```
pub fn parse(input: &[u8]) -> Result<(FddiHeader, &[u8]), Error> {
    let Some((&h, rest)) = input.split_first_chunk::<HEADER_LEN>() else {
        return Err(Error::truncated(
            Layer::Fddi,
            0,
            HEADER_LEN as u64,
            input.len() as u64,
        ));
    };
    let mut dst = [0; 6];
    let mut src = [0; 6];
    dst.copy_from_slice(&h[1..7]);
    src.copy_from_slice(&h[7..13]);
    Ok((
        FddiHeader {
            frame_control: h[0],
            dst,
            src,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_async_llc_frames_carry_llc() {
        let mut f = [0u8; HEADER_LEN];
        for (fc, llc) in [
            (0x50, true),
            (0x57, true),
            (0x5f, true),
            (0x41, false),
            (0xc2, false),
        ] {
            f[0] = fc;
            assert_eq!(parse(&f).unwrap().0.is_llc(), llc, "fc {fc:#x}");
        }
        assert_eq!(parse(&[0x50]).unwrap_err().layer, Layer::Fddi);
    }
}
