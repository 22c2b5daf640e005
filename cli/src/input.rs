//! Opening an input (a file or standard input) and pushing it through the
//! shared [`Feeder`] in chunks, so that memory does not depend on its size.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use tcpopt_parse::capture::Event;
use tcpopt_parse::pipeline::Feeder;

use crate::progress::{Progress, ProgressMode};

/// Bytes read per chunk.
const CHUNK: usize = 256 * 1024;

/// A read buffer of `len` bytes that starts on a page boundary. The
/// kernel's copy into user memory (`read()`) runs at less than half speed
/// into a buffer that is not 64-byte aligned (a fresh 256 KiB `Vec` starts
/// 16 bytes into a page): 0.13 s against 0.05 s of system time for 512 MiB
/// in the page cache on this machine's EPYC.
pub struct ReadBuf {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl ReadBuf {
    const ALIGN: usize = 4096;

    pub fn new(len: usize) -> ReadBuf {
        let storage = vec![0u8; len + Self::ALIGN];
        let start = storage.as_ptr().align_offset(Self::ALIGN).min(Self::ALIGN);
        ReadBuf {
            storage,
            start,
            len,
        }
    }

    pub fn as_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}

/// A named input: a file, or standard input for `-`.
pub struct Input {
    pub name: String,
    reader: Box<dyn Read>,
    pub is_pipe: bool,
    progress: Option<Progress>,
}

impl Input {
    pub fn open(path: &Path, mode: ProgressMode) -> Result<Input, String> {
        if path.as_os_str() == "-" {
            if io::stdin().is_terminal() {
                // Waiting for a binary capture typed at a terminal helps nobody.
                return Err(
                    "<stdin>: is a terminal: give a capture FILE, or pipe one in (see --help)"
                        .into(),
                );
            }
            let progress = Progress::new("<stdin>", None, mode);
            return Ok(Input {
                name: "<stdin>".into(),
                reader: Box::new(io::stdin().lock()),
                is_pipe: true,
                progress,
            });
        }
        let name = path.display().to_string();
        let file =
            File::open(path).map_err(|e| format!("{name}: cannot open: {}", io_reason(&e)))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("{name}: cannot open: {}", io_reason(&e)))?;
        if meta.is_dir() {
            return Err(format!("{name}: cannot open: is a directory"));
        }
        // A FIFO or a character device is read as it comes, like stdin.
        let is_pipe = !meta.is_file();
        let size = if meta.is_file() {
            Some(meta.len())
        } else {
            None
        };
        let progress = Progress::new(&name, size, mode);
        Ok(Input {
            name,
            reader: Box::new(file),
            is_pipe,
            progress,
        })
    }

    /// Reads everything, feeding the chunks through `push` until it returns
    /// false; read errors end the input with a message.
    pub fn pump(&mut self, mut push: impl FnMut(&[u8]) -> bool) -> Result<(), String> {
        let mut storage = ReadBuf::new(CHUNK);
        let buf = storage.as_mut();
        let r = loop {
            match self.reader.read(buf) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    if let Some(p) = &mut self.progress {
                        p.advance(n as u64);
                    }
                    if !push(&buf[..n]) {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(format!("{}: read error: {}", self.name, io_reason(&e))),
            }
        };
        if let Some(p) = self.progress.take() {
            p.finish();
        }
        r
    }

    /// Reads one chunk into `buf` (0 at the end), for a caller that reads
    /// several inputs in turn (`tcpopt correlate`); counts progress like
    /// [`pump`](Self::pump).
    pub fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, String> {
        loop {
            match self.reader.read(buf) {
                Ok(n) => {
                    if let Some(p) = &mut self.progress {
                        p.advance(n as u64);
                    }
                    if n == 0 {
                        if let Some(p) = self.progress.take() {
                            p.finish();
                        }
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("{}: read error: {}", self.name, io_reason(&e))),
            }
        }
    }

    /// Feeds the whole input through `feeder`, calling `on_event` per item,
    /// until `keep_going` says stop (a closed output pipe).
    pub fn feed(
        &mut self,
        feeder: &mut Feeder,
        on_event: &mut dyn FnMut(&Event<'_>),
        keep_going: &dyn Fn() -> bool,
    ) -> Result<(), String> {
        let r = self.pump(|chunk| {
            feeder.push(chunk, on_event);
            keep_going()
        });
        feeder.finish(on_event);
        r
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            // io::Error's Display appends "(os error N)"; keep the words.
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}
