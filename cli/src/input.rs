//! Opening an input (a file or standard input) and pushing it through the
//! shared [`Feeder`] in chunks, so that memory does not depend on its size.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use tcpopt_parse::capture::Event;
use tcpopt_parse::pipeline::Feeder;

/// Bytes read per chunk.
const CHUNK: usize = 256 * 1024;

/// A named input: a file, or standard input for `-`.
pub struct Input {
    pub name: String,
    reader: Box<dyn Read>,
    pub is_pipe: bool,
}

impl Input {
    pub fn open(path: &Path) -> Result<Input, String> {
        if path.as_os_str() == "-" {
            return Ok(Input { name: "<stdin>".into(), reader: Box::new(io::stdin().lock()), is_pipe: true });
        }
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| format!("{name}: cannot open: {}", io_reason(&e)))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(format!("{name}: is a directory"));
        }
        Ok(Input { name, reader: Box::new(file), is_pipe: false })
    }

    /// Reads everything, feeding the chunks through `push`; read errors end
    /// the input with a message.
    pub fn pump(&mut self, mut push: impl FnMut(&[u8])) -> Result<(), String> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            match self.reader.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => push(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("{}: read error: {}", self.name, io_reason(&e))),
            }
        }
    }

    /// Feeds the whole input through `feeder`, calling `on_event` per item.
    pub fn feed(&mut self, feeder: &mut Feeder, on_event: &mut dyn FnMut(&Event<'_>)) -> Result<(), String> {
        let r = self.pump(|chunk| feeder.push(chunk, on_event));
        feeder.finish(on_event);
        r
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
