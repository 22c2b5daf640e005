//! Opening an input (a file or standard input) and pushing it through the
//! shared [`Feeder`] in chunks, so that memory does not depend on its size.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use std::sync::mpsc::{Receiver, SyncSender};

use tcpopt_parse::capture::Event;
use tcpopt_parse::compress::{Compression, Decompressor};
use tcpopt_parse::pipeline::Feeder;

use crate::progress::{Progress, ProgressMode};

/// Bytes read per chunk.
/// 1 MiB: the kernel's copy costs a third less system time per byte than
/// in 256 KiB reads (2 GiB in the page cache: 0.15 s against 0.21-0.26 s).
const CHUNK: usize = 1 << 20;

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
    reader: Box<dyn Read + Send>,
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
                reader: Box::new(io::stdin()),
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

    /// [`pump`](Self::pump) for a caller that can take an input decompressed
    /// on another thread ([`Piece`]): when the input starts with the gzip or
    /// zstd magic, a second thread reads and decompresses it into a bounded
    /// queue of chunks while this one parses and analyses (two cores); any
    /// other input comes as [`Piece::Raw`] chunks, as `pump` gives them.
    pub fn pump_pieces(&mut self, mut push: impl FnMut(Piece<'_>) -> bool) -> Result<(), String> {
        let mut storage = ReadBuf::new(CHUNK);
        let buf = storage.as_mut();
        // The first bytes decide, as the decompressor's detection does.
        let mut first = 0;
        while first < 4 {
            match self.reader.read(&mut buf[first..]) {
                Ok(0) => break,
                Ok(n) => first += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return self.end(Err(format!("{}: read error: {}", self.name, io_reason(&e))))
                }
            }
        }
        let compression = match buf[..first] {
            [0x1f, 0x8b, ..] if first >= 4 => Some(Compression::Gzip),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Compression::Zstd),
            _ => None,
        };
        // One core (as the affinity mask and CPU quota allow): nothing to overlap.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let compression = compression.filter(|_| cores > 1);
        let Some(compression) = compression else {
            if first > 0 {
                if let Some(p) = &mut self.progress {
                    p.advance(first as u64);
                }
                if !push(Piece::Raw(&buf[..first])) {
                    return self.end(Ok(()));
                }
            }
            return self.pump(|chunk| push(Piece::Raw(chunk)));
        };
        let head = buf[..first].to_vec();
        let reader = std::mem::replace(&mut self.reader, Box::new(io::empty()));
        let name = self.name.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(QUEUE);
        let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let producer = std::thread::Builder::new()
            .name("tcpopt-decompress".into())
            .spawn(move || decompress_into(reader, head, &name, &tx, &recycle_rx))
            .map_err(|e| format!("{}: cannot start the decompression thread: {e}", self.name))?;
        let mut r = Ok(());
        let mut stopped = false;
        for msg in rx.iter() {
            let go = match msg {
                Msg::Data(bytes, read) => {
                    if let Some(p) = &mut self.progress {
                        p.advance(read);
                    }
                    let go = push(Piece::Decompressed {
                        compression,
                        compressed_len: read,
                        bytes: &bytes,
                    });
                    let _ = recycle_tx.send(bytes);
                    go
                }
                Msg::Fault(error) => push(Piece::Failed { compression, error }),
                Msg::ReadError(msg) => {
                    // As `pump`: the read error, then what the decompressor
                    // finishes with (its tail, a cut stream).
                    r = Err(msg);
                    true
                }
            };
            if !go {
                stopped = true;
                break;
            }
        }
        // Stopped early (a fault, a closed output): the producer ends at its
        // next send; it may be blocked reading a pipe, so it is not waited for.
        drop(rx);
        if !stopped {
            let _ = producer.join();
        }
        self.end(r)
    }

    fn end(&mut self, r: Result<(), String>) -> Result<(), String> {
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

/// One piece of an input, for [`Input::pump_pieces`].
pub enum Piece<'a> {
    /// Bytes as read (not compressed, or left to the feeder's decompressor).
    Raw(&'a [u8]),
    /// Bytes of a compressed input decompressed on the second thread, and
    /// how many more compressed bytes were read (see
    /// `CaptureAnalysis::push_decompressed`).
    Decompressed {
        compression: Compression,
        compressed_len: u64,
        bytes: &'a [u8],
    },
    /// The decompressor's fault, after every byte it decoded before it.
    Failed {
        compression: Compression,
        error: tcpopt_parse::Error,
    },
}

/// Chunks of decompressed bytes queued between the threads: a bounded
/// lead of the decompressor over the parser (4 MiB). Few, big chunks: each
/// one may wake the other thread.
const QUEUE: usize = 4;
const BATCH: usize = 1 << 20;

/// What the decompression thread sends.
enum Msg {
    /// Decompressed bytes, and how many compressed bytes were read since
    /// the previous message.
    Data(Vec<u8>, u64),
    Fault(tcpopt_parse::Error),
    ReadError(String),
}

/// The sending end of the queue, batching the decompressor's output.
struct Batcher<'a> {
    tx: &'a SyncSender<Msg>,
    recycle: &'a Receiver<Vec<u8>>,
    batch: Vec<u8>,
    /// Compressed bytes read and not yet told.
    read: u64,
    /// False once the receiver is gone.
    open: bool,
}

impl Batcher<'_> {
    fn send(&mut self, msg: Msg) {
        self.open = self.open && self.tx.send(msg).is_ok();
    }

    fn out(&mut self, bytes: &[u8]) {
        // Send before the batch would outgrow its allocation (no realloc copy).
        if self.batch.len() + bytes.len() > self.batch.capacity().max(BATCH) {
            self.flush();
        }
        self.batch.extend_from_slice(bytes);
    }

    fn flush(&mut self) {
        if (self.batch.is_empty() && self.read == 0) || !self.open {
            return;
        }
        let fresh = match self.recycle.try_recv() {
            Ok(mut v) => {
                v.clear();
                v
            }
            Err(_) => Vec::with_capacity(BATCH),
        };
        let full = std::mem::replace(&mut self.batch, fresh);
        let read = std::mem::take(&mut self.read);
        self.send(Msg::Data(full, read));
    }
}

/// The second thread: reads `reader` (after `head`, its first bytes already
/// read) through the crate's [`Decompressor`], in the same reads as
/// [`Input::pump`], and sends the output in chunks of about [`BATCH`], then
/// the decompressor's fault if there is one. A read error is sent when it
/// happens, and the decompressor then finished as the feeder's own would be.
/// Ends at the end of the input, at a fault, or when the receiver is gone.
fn decompress_into(
    mut reader: Box<dyn Read + Send>,
    head: Vec<u8>,
    name: &str,
    tx: &SyncSender<Msg>,
    recycle: &Receiver<Vec<u8>>,
) {
    let mut dec = Decompressor::new();
    let mut q = Batcher {
        tx,
        recycle,
        batch: Vec::with_capacity(BATCH),
        read: head.len() as u64,
        open: true,
    };
    let mut storage = ReadBuf::new(CHUNK);
    let buf = storage.as_mut();
    let mut result = dec.push(&head, &mut |b| q.out(b));
    while result.is_ok() && q.open {
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                q.read += n as u64;
                result = dec.push(&buf[..n], &mut |b| q.out(b));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                q.flush();
                q.send(Msg::ReadError(format!(
                    "{name}: read error: {}",
                    io_reason(&e)
                )));
                break;
            }
        }
    }
    if result.is_ok() && q.open {
        result = dec.finish(&mut |b| q.out(b));
    }
    q.flush();
    if let Err(e) = result {
        q.send(Msg::Fault(e));
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
