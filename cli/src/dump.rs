//! `tcpopt dump`: every TCP segment, one line each.

use std::io::Write;

use tcpopt_parse::capture::Event;
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::pipeline::Feeder;

use crate::args::{DumpArgs, DumpFormat};
use crate::input::Input;
use crate::segment_fmt::{self, SegmentView};
use crate::ExitCode;

pub fn run(args: &DumpArgs, out: &mut dyn Write) -> ExitCode {
    let mut input = match Input::open(&args.file) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("tcpopt: {msg}");
            return ExitCode::Unusable;
        }
    };
    if args.format == DumpFormat::Csv && writeln!(out, "{}", segment_fmt::CSV_HEADER).is_err() {
        return ExitCode::Ok;
    }
    let flush_each = input.is_pipe;
    let mut feeder = Feeder::new();
    let mut write_failed = false;
    let mut on_event = |ev: &Event<'_>| {
        let Event::Packet(rec) = ev else { return };
        if write_failed {
            return;
        }
        let d = Dissected::of(rec);
        let Some(ip) = d.decoded.ip else { return };
        let Some(ports) = d.ports() else { return };
        if let Some(h) = args.host {
            if ip.src != h && ip.dst != h {
                return;
            }
        }
        if let Some(p) = args.port {
            if ports.0 != p && ports.1 != p {
                return;
            }
        }
        let Some(tcp) = d.tcp else {
            // The capture cut the TCP header before its 20 fixed bytes:
            // print what is there, as tshark does, and say why it stops.
            let reason = d.stop.map(|e| e.to_string()).unwrap_or_default();
            let line = match args.format {
                DumpFormat::Text => segment_fmt::text_cut(rec, ip.src, ip.dst, ports, &reason),
                DumpFormat::Jsonl => segment_fmt::jsonl_cut(rec, ip.src, ip.dst, ports, &reason),
                DumpFormat::Csv => segment_fmt::csv_cut(rec, ip.src, ip.dst, ports),
            };
            write_failed = writeln!(out, "{line}").is_err() || (flush_each && out.flush().is_err());
            return;
        };
        let view = SegmentView {
            rec,
            src: ip.src,
            dst: ip.dst,
            tcp: &tcp,
            payload_len: d.payload_len(),
            stop: d.stop.map(|e| e.to_string()),
        };
        let line = match args.format {
            DumpFormat::Text => segment_fmt::text(&view),
            DumpFormat::Jsonl => segment_fmt::jsonl(&view),
            DumpFormat::Csv => segment_fmt::csv(&view),
        };
        // A closed pipe (`| head`) ends the dump quietly.
        write_failed = writeln!(out, "{line}").is_err() || (flush_each && out.flush().is_err());
    };
    let read = input.feed(&mut feeder, &mut on_event);
    let _ = out.flush();
    if let Err(msg) = read {
        eprintln!("tcpopt: {msg}");
        return ExitCode::Partial;
    }
    match feeder.fault() {
        None => ExitCode::Ok,
        Some(f) => {
            eprintln!("tcpopt: {}: {f}", input.name);
            if feeder.frames() == 0 {
                ExitCode::Unusable
            } else {
                ExitCode::Partial
            }
        }
    }
}
