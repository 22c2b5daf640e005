//! The baseline's job done with tcpopt-parse: frame, decode, TCP header and
//! timestamps of every packet, no analysis. Same streaming shape as the
//! CLI (1 MiB reads into the shared `Feeder`), same output as `baseline`
//! (`--print`: `TSval<TAB>TSecr` per TCP segment, else a checksum), so that
//! the parser itself can be set against etherparse + pcap-parser.

use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;

use tcpopt_parse::capture::Event;
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::pipeline::Feeder;

fn main() -> ExitCode {
    let (print, path, mut file) = match tcpopt_bench::extraction_args("extract") {
        Ok(a) => a,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut packets, mut tcp, mut with_ts, mut sum) = (0u64, 0u64, 0u64, 0u64);
    let mut on_event = |ev: &Event<'_>| {
        if let Event::Packet(rec) = ev {
            packets += 1;
            if let (Some(seg), _) = Dissected::segment_of(rec) {
                tcp += 1;
                match seg.timestamps {
                    Some((v, e)) => {
                        with_ts += 1;
                        sum = sum.wrapping_add(u64::from(v) ^ (u64::from(e) << 32));
                        if print {
                            let _ = writeln!(out, "{v}\t{e}");
                        }
                    }
                    None if print => {
                        let _ = writeln!(out, "\t");
                    }
                    None => {}
                }
            }
        }
    };
    let mut feeder = Feeder::new();
    let mut storage = vec![0u8; (1 << 20) + 4096];
    let skip = storage.as_ptr().align_offset(4096);
    let buf = &mut storage[skip..skip + (1 << 20)];
    loop {
        match file.read(buf) {
            Ok(0) => break,
            Ok(n) => feeder.push(&buf[..n], &mut on_event),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("extract: {path}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    feeder.finish(&mut on_event);
    let _ = out.flush();
    if let Some(f) = feeder.fault() {
        eprintln!("extract: {path}: {f}");
    }
    eprintln!("extract: {packets} packets, {tcp} TCP segments, {with_ts} with timestamps, checksum {sum:016x}");
    ExitCode::SUCCESS
}
