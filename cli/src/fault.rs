//! The one line that says why reading stopped: which file, which frame,
//! which byte, in words. Built from the report's typed [`CaptureError`]
//! (analyze, flows, clocks) or from the [`ReadFault`] it is made of (dump),
//! so that every command words the same fault the same way. Nothing here
//! reads the engine's prose: every word comes from a field.

use tcpopt_parse::analysis::CaptureError;
use tcpopt_parse::error::Layer;
use tcpopt_parse::pipeline::ReadFault;

/// A fatal reading fault, whichever way it reached the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    error: CaptureError,
}

impl Fault {
    pub fn from_read_fault(f: &ReadFault) -> Fault {
        Fault {
            error: f.to_capture_error(),
        }
    }

    pub fn from_capture_error(e: &CaptureError) -> Fault {
        Fault { error: e.clone() }
    }

    /// Frames read whole before the fault.
    pub fn frames_before(&self) -> u64 {
        self.error.frame.saturating_sub(1)
    }

    /// True when nothing at all could be read: not a capture, or empty.
    pub fn unusable(&self) -> bool {
        self.frames_before() == 0
    }

    /// What went wrong and where, without the file name.
    pub fn describe(&self) -> String {
        tcpopt_parse::present::read_fault_line(&self.error)
    }

    /// The frames read before the fault: `frames 1 to 39`, `frame 1`, `no frame`.
    pub fn frames_read(&self) -> String {
        match self.frames_before() {
            0 => "no frame".to_string(),
            1 => "frame 1".to_string(),
            n => format!("frames 1 to {n}"),
        }
    }

    /// What the output covers, as a clause of the stderr line.
    pub fn coverage(&self) -> String {
        match self.frames_before() {
            0 => "no frame could be read".to_string(),
            1 => "only frame 1 was read".to_string(),
            n => format!("frames 1 to {n} were read"),
        }
    }

    /// The one stderr line (without the `tcpopt: ` prefix).
    pub fn line(&self, name: &str) -> String {
        if self.error.layer == Layer::Capture && self.unusable() {
            return format!("{name}: {}", self.describe());
        }
        format!("{name}: {}; {}", self.describe(), self.coverage())
    }
}

/// A packet decoded only part way (the report's other errors).
pub fn packet_error(e: &CaptureError) -> String {
    tcpopt_parse::present::packet_fault_line(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcpopt_parse::error::{Compression, Error, ErrorKind};

    fn fault(frame: u64, error: Error, compressed: Compression) -> Fault {
        Fault::from_capture_error(&CaptureError::new(frame, error, compressed))
    }

    #[test]
    fn truncated_pcapng() {
        let f = fault(
            40,
            Error::truncated(Layer::Pcapng, 4980, 108, 20),
            Compression::None,
        );
        assert_eq!(
            f.line("t.pcapng"),
            "t.pcapng: capture cut in frame 40 at byte 4980 (pcapng needs 108 bytes, 20 available); frames 1 to 39 were read"
        );
    }

    #[test]
    fn cut_and_corrupt_gzip() {
        let f = fault(
            99,
            Error::truncated(Layer::Compression, 3000, 3001, 3000),
            Compression::Gzip,
        );
        assert_eq!(
            f.line("c.gz"),
            "c.gz: the gzip stream is cut at byte 3000 of the compressed file, in frame 99; frames 1 to 98 were read"
        );
        let corrupt = ErrorKind::Corrupt { what: "zstd data" };
        let f = fault(
            2,
            Error::new(Layer::Compression, 77, corrupt),
            Compression::Zstd,
        );
        assert_eq!(
            f.line("c.zst"),
            "c.zst: corrupt zstd stream at byte 77 of the compressed file, in frame 2 (zstd data does not decode); only frame 1 was read"
        );
    }

    #[test]
    fn not_a_capture_and_empty() {
        let magic = |found| Error::new(Layer::Capture, 0, ErrorKind::BadMagic { found });
        let f = fault(1, magic(0x6865_6c6c), Compression::None);
        assert!(f.unusable());
        assert_eq!(
            f.line("x"),
            "x: not a capture: neither pcap, pcapng, gzip nor zstd (first bytes 0x68656c6c)"
        );
        let f = fault(1, magic(0x6865_6c6c), Compression::Gzip);
        assert_eq!(
            f.line("x.gz"),
            "x.gz: not a capture: gzip-compressed, but what it holds is neither pcap nor pcapng (it starts with 0x68656c6c \"hell\")"
        );
        let f = fault(
            1,
            Error::truncated(Layer::Capture, 0, 4, 0),
            Compression::None,
        );
        assert_eq!(
            f.line("e"),
            "e: empty, or too short to be a capture (truncated: needs 4 bytes, 0 available)"
        );
    }

    #[test]
    fn decompressed_offsets_say_so() {
        let bad = ErrorKind::BadLength {
            what: "record length",
            value: 9_999_999,
        };
        let f = fault(3, Error::new(Layer::Pcap, 200, bad), Compression::Zstd);
        assert_eq!(
            f.line("z"),
            "z: damaged capture in frame 3 at byte 200 of the decompressed capture: pcap bad record length 9999999; frames 1 to 2 were read"
        );
    }

    #[test]
    fn packet_errors_name_the_byte_of_the_frame() {
        let e = CaptureError::new(
            7,
            Error::new(
                Layer::Ipv4,
                14,
                ErrorKind::BadIpVersion { first_byte: 0x50 },
            ),
            Compression::None,
        );
        assert_eq!(
            packet_error(&e),
            "frame 7, byte 14 of the frame: ipv4 version 5, header length 0 (first byte 0x50)"
        );
    }
}
