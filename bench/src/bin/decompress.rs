//! The crate's decompressor alone (`tcpopt_parse::compress::Decompressor`,
//! the one the pipeline drives): a gzip or zstd file in 256 KiB reads,
//! the output counted and dropped. What `tcpopt analyze file.gz` is set
//! against: the time of decompressing alone.

use std::io::Read;
use std::process::ExitCode;

use tcpopt_parse::compress::Decompressor;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: decompress FILE");
        return ExitCode::from(2);
    };
    let mut file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("decompress: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut dec = Decompressor::new();
    let (mut out_bytes, mut sum) = (0u64, 0u64);
    let mut out = |b: &[u8]| {
        out_bytes += b.len() as u64;
        sum = sum.wrapping_add(u64::from(b[b.len() - 1]));
    };
    let mut storage = vec![0u8; 256 * 1024 + 4096];
    let skip = storage.as_ptr().align_offset(4096);
    let buf = &mut storage[skip..skip + 256 * 1024];
    loop {
        match file.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Err(e) = dec.push(&buf[..n], &mut out) {
                    eprintln!("decompress: {path}: {e}");
                    return ExitCode::from(1);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("decompress: {path}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Err(e) = dec.finish(&mut out) {
        eprintln!("decompress: {path}: {e}");
        return ExitCode::from(1);
    }
    eprintln!(
        "decompress: {out_bytes} bytes out ({:?}), checksum {sum:x}",
        dec.compression()
    );
    ExitCode::SUCCESS
}
