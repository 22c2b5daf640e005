//! The one line that says why reading stopped: which file, which frame,
//! which byte, in words. Built from the structured [`ReadFault`] (dump) or
//! from the report's [`CaptureError`] (analyze, flows, clocks), so that
//! every command words the same fault the same way.

use tcpopt_parse::analysis::CaptureError;
use tcpopt_parse::pipeline::ReadFault;

/// A fatal reading fault, whichever way it reached the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The frame being read (one more than the frames read whole).
    pub frame: u64,
    /// `Layer::name()`: `capture`, `pcap`, `pcapng`, `compressed stream`.
    pub layer: String,
    pub offset: u64,
    /// `ErrorKind`'s Display: `truncated: needs 108 bytes, 20 available`.
    pub kind: String,
    /// The offset counts bytes of the decompressed capture.
    pub decompressed: bool,
    /// `gzip` or `zstd` when the input was compressed.
    pub compression: Option<&'static str>,
}

const COMPRESSED_SUFFIX: &str = " (compressed input, while reading frame ";
const DECOMPRESSED_SUFFIX: &str = " (offset in the decompressed stream)";
const COMPRESSION_LAYER: &str = "compressed stream";

impl Fault {
    pub fn from_read_fault(f: &ReadFault, compression: Option<&'static str>) -> Fault {
        Fault {
            frame: f.frame,
            layer: f.error.layer.name().to_string(),
            offset: f.error.offset,
            kind: f.error.kind.to_string(),
            decompressed: f.decompressed,
            compression,
        }
    }

    /// The report keeps the fault as `ReadFault`'s Display in `message`;
    /// the kind is the part after `at byte N: `, without the suffixes that
    /// the frame and offset fields already say.
    pub fn from_capture_error(e: &CaptureError, format: &str) -> Fault {
        let marker = format!("at byte {}: ", e.offset);
        let mut kind = match e.message.find(&marker) {
            Some(i) => &e.message[i + marker.len()..],
            None => e.message.as_str(),
        };
        if let Some(i) = kind.find(COMPRESSED_SUFFIX) {
            kind = &kind[..i];
        }
        let decompressed = kind.ends_with(DECOMPRESSED_SUFFIX);
        if let Some(k) = kind.strip_suffix(DECOMPRESSED_SUFFIX) {
            kind = k;
        }
        let compression = if format.contains("gzip") {
            Some("gzip")
        } else if format.contains("zstd") {
            Some("zstd")
        } else {
            None
        };
        Fault {
            frame: e.frame,
            layer: e.layer.clone(),
            offset: e.offset,
            kind: kind.to_string(),
            decompressed,
            compression,
        }
    }

    /// Frames read whole before the fault.
    pub fn frames_before(&self) -> u64 {
        self.frame.saturating_sub(1)
    }

    /// True when nothing at all could be read: not a capture, or empty.
    pub fn unusable(&self) -> bool {
        self.frames_before() == 0
    }

    /// What went wrong and where, without the file name.
    pub fn describe(&self) -> String {
        let at = if self.decompressed {
            format!("byte {} of the decompressed capture", self.offset)
        } else {
            format!("byte {}", self.offset)
        };
        if self.layer == COMPRESSION_LAYER {
            let comp = self.compression.unwrap_or("compressed");
            return if self.kind.contains("ended early") {
                format!(
                    "the {comp} stream is cut at byte {} of the compressed file, in frame {}",
                    self.offset, self.frame
                )
            } else {
                format!(
                    "corrupt {comp} stream at byte {} of the compressed file, in frame {} ({})",
                    self.offset, self.frame, self.kind
                )
            };
        }
        if self.layer == "capture" {
            if let Some(i) = self.kind.find("(magic ") {
                let magic = self.kind[i + 7..].trim_end_matches(')');
                return format!(
                    "not a capture: neither pcap, pcapng, gzip nor zstd (first bytes {magic})"
                );
            }
            if self.kind.starts_with("truncated") && self.offset == 0 && self.unusable() {
                return format!("empty, or too short to be a capture ({})", self.kind);
            }
        }
        if let Some(rest) = self.kind.strip_prefix("truncated: ") {
            return format!(
                "capture cut in frame {} at {at} ({} {rest})",
                self.frame, self.layer
            );
        }
        format!(
            "damaged capture in frame {} at {at}: {} {}",
            self.frame, self.layer, self.kind
        )
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
        if self.layer == "capture" && self.unusable() {
            return format!("{name}: {}", self.describe());
        }
        format!("{name}: {}; {}", self.describe(), self.coverage())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(frame: u64, layer: &str, offset: u64, message: &str) -> CaptureError {
        CaptureError {
            frame,
            offset,
            layer: layer.into(),
            message: message.into(),
        }
    }

    #[test]
    fn truncated_pcapng() {
        let e = err(
            40,
            "pcapng",
            4980,
            "frame 40: pcapng at byte 4980: truncated: needs 108 bytes, 20 available",
        );
        let f = Fault::from_capture_error(&e, "pcapng");
        assert_eq!(
            f.line("t.pcapng"),
            "t.pcapng: capture cut in frame 40 at byte 4980 (pcapng needs 108 bytes, 20 available); frames 1 to 39 were read"
        );
    }

    #[test]
    fn cut_gzip() {
        let e = err(
            99,
            "compressed stream",
            3000,
            "compressed stream at byte 3000: bad compressed stream ended early, after bytes 3000 (compressed input, while reading frame 99)",
        );
        let f = Fault::from_capture_error(&e, "pcapng, gzip-compressed");
        assert_eq!(
            f.line("c.gz"),
            "c.gz: the gzip stream is cut at byte 3000 of the compressed file, in frame 99; frames 1 to 98 were read"
        );
    }

    #[test]
    fn not_a_capture_and_empty() {
        let e = err(
            1,
            "capture",
            0,
            "frame 1: capture at byte 0: not a pcap or pcapng capture (magic 0x68656c6c)",
        );
        let f = Fault::from_capture_error(&e, "unknown");
        assert!(f.unusable());
        assert_eq!(
            f.line("x"),
            "x: not a capture: neither pcap, pcapng, gzip nor zstd (first bytes 0x68656c6c)"
        );
        let e = err(
            1,
            "capture",
            0,
            "frame 1: capture at byte 0: truncated: needs 4 bytes, 0 available",
        );
        let f = Fault::from_capture_error(&e, "unknown");
        assert_eq!(
            f.line("e"),
            "e: empty, or too short to be a capture (truncated: needs 4 bytes, 0 available)"
        );
    }

    #[test]
    fn decompressed_offsets_say_so() {
        let e = err(
            3,
            "pcap",
            200,
            "frame 3: pcap at byte 200: bad record length 9999999 (offset in the decompressed stream)",
        );
        let f = Fault::from_capture_error(&e, "pcap, zstd-compressed");
        assert_eq!(
            f.line("z"),
            "z: damaged capture in frame 3 at byte 200 of the decompressed capture: pcap bad record length 9999999; frames 1 to 2 were read"
        );
    }
}
