//! The `std::io::Read` front end, built on [`ChunkedReader`].

use core::fmt;
use core::ops::ControlFlow;
use std::io::{self, Read};
use std::vec;

use super::{CaptureParser, ChunkedReader, Event};
use crate::error::Error;

/// Bytes asked of the reader per `read` call.
const READ_CHUNK: usize = 64 * 1024;

/// Why [`for_each_event`] stopped early.
#[derive(Debug)]
pub enum ReadFailure {
    /// The reader failed (other than `Interrupted`, which is retried).
    Io(io::Error),
    /// The capture is malformed or ends inside a record. `frame` is the
    /// frame number the faulty record would have had.
    Capture { error: Error, frame: u64 },
}

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadFailure::Io(e) => write!(f, "read error: {e}"),
            ReadFailure::Capture { error, frame } => write!(f, "frame {frame}: {error}"),
        }
    }
}

impl std::error::Error for ReadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadFailure::Io(e) => Some(e),
            ReadFailure::Capture { error, .. } => Some(error),
        }
    }
}

/// Reads a whole capture from `reader`, calling `f` with every event in
/// order. `f` may stop early with `ControlFlow::Break`. Returns the number
/// of packets seen.
///
/// ```
/// use core::ops::ControlFlow;
/// use tcpopt_parse::capture::{for_each_event, CaptureParser, Event};
/// let mut cap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
/// cap.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 40, 0, 0, 0, 0x45, 0, 0]); // one byte short
/// let mut seen = 0;
/// let err = for_each_event(&cap[..], CaptureParser::new(), |_| { seen += 1; ControlFlow::Continue(()) }).unwrap_err();
/// assert_eq!(seen, 1); // the header
/// assert_eq!(err.to_string(), "frame 1: pcap at byte 24: truncated: needs 20 bytes, 19 available");
/// ```
pub fn for_each_event<R, F>(
    mut reader: R,
    parser: CaptureParser,
    mut f: F,
) -> Result<u64, ReadFailure>
where
    R: Read,
    F: FnMut(Event<'_>) -> ControlFlow<()>,
{
    let mut chunked = ChunkedReader::with_parser(parser);
    let mut scratch = vec![0u8; READ_CHUNK];
    let failure = |c: &ChunkedReader, error| ReadFailure::Capture {
        error,
        frame: c.parser().frames() + 1,
    };
    loop {
        match chunked.next() {
            Ok(Some(ev)) => {
                if f(ev).is_break() {
                    return Ok(chunked.parser().frames());
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => return Err(failure(&chunked, e)),
        }
        let n = loop {
            match reader.read(&mut scratch) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReadFailure::Io(e)),
            }
        };
        if n == 0 {
            return match chunked.finish() {
                Ok(()) => Ok(chunked.parser().frames()),
                Err(e) => Err(failure(&chunked, e)),
            };
        }
        chunked.push(scratch.get(..n.min(READ_CHUNK)).unwrap_or_default());
    }
}
