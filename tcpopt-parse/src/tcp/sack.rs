//! The SACK option's blocks (RFC 2018 §3), borrowed from the packet.

use core::fmt;

/// One to four SACK blocks, each a `(left edge, right edge)` pair of
/// sequence numbers, read lazily from the option's bytes.
///
/// All four blocks are kept (smoltcp keeps three). The length is checked
/// once in [`SackBlocks::new`], so the accessors never fail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SackBlocks<'a> {
    bytes: &'a [u8],
}

impl<'a> SackBlocks<'a> {
    /// Size of one block on the wire.
    pub const BLOCK_LEN: usize = 8;
    /// RFC 2018 §3: at most 4 blocks fit in 40 bytes of options.
    pub const MAX_BLOCKS: usize = 4;

    /// Wraps the option body (the bytes after kind and length): it must hold
    /// 1 to 4 whole blocks.
    pub const fn new(bytes: &'a [u8]) -> Option<Self> {
        let n = bytes.len();
        if n >= Self::BLOCK_LEN
            && n <= Self::BLOCK_LEN * Self::MAX_BLOCKS
            && n % Self::BLOCK_LEN == 0
        {
            Some(SackBlocks { bytes })
        } else {
            None
        }
    }

    /// The option body this view reads.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of blocks (1..=4).
    #[allow(clippy::len_without_is_empty)] // never empty by construction
    pub const fn len(&self) -> usize {
        self.bytes.len() / Self::BLOCK_LEN
    }

    /// Block `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<(u32, u32)> {
        let start = i.checked_mul(Self::BLOCK_LEN)?;
        let block = self.bytes.get(start..)?.first_chunk::<8>()?;
        Some(block_edges(block))
    }

    /// The blocks in wire order.
    pub fn iter(&self) -> SackBlockIter<'a> {
        SackBlockIter {
            chunks: self.bytes.chunks_exact(Self::BLOCK_LEN),
        }
    }
}

fn block_edges(b: &[u8; 8]) -> (u32, u32) {
    (
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
    )
}

impl fmt::Debug for SackBlocks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for SackBlocks<'a> {
    type Item = (u32, u32);
    type IntoIter = SackBlockIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`SackBlocks`].
#[derive(Clone, Debug)]
pub struct SackBlockIter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for SackBlockIter<'_> {
    type Item = (u32, u32);
    fn next(&mut self) -> Option<(u32, u32)> {
        let c = self.chunks.next()?;
        c.first_chunk::<8>().map(block_edges)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for SackBlockIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_all_four_blocks() {
        let body: [u8; 32] = core::array::from_fn(|i| i as u8);
        let s = SackBlocks::new(&body).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(s.iter().count(), 4);
        assert_eq!(s.get(3), Some((0x18191a1b, 0x1c1d1e1f)));
        assert_eq!(s.get(4), None);
        assert!(SackBlocks::new(&body[..7]).is_none());
        assert!(SackBlocks::new(&[]).is_none());
        assert!(SackBlocks::new(&[0; 40]).is_none());
    }
}
