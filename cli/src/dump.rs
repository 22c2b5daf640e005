//! `tcpopt dump`: every TCP segment, one line each (and with `--all`, a
//! short line for every other frame).

use std::io::{IsTerminal, Write};

use tcpopt_parse::capture::Event;
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::pipeline::Feeder;

use crate::args::{DumpArgs, DumpFormat};
use crate::exit::ExitCode;
use crate::fault::Fault;
use crate::input::Input;
use crate::progress::ProgressMode;
use crate::segment_fmt::{self, SegmentView};

pub fn run(args: &DumpArgs, progress: bool, out: &mut dyn Write) -> ExitCode {
    // Lines printed to the terminal as they come would be drawn over by an
    // automatic bar: it only appears when stdout goes elsewhere.
    let mode = if progress {
        ProgressMode::Always
    } else if std::io::stdout().is_terminal() {
        ProgressMode::Never
    } else {
        ProgressMode::Auto
    };
    let mut input = match Input::open(&args.file, mode) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("tcpopt: {msg}");
            return ExitCode::Unusable;
        }
    };
    if args.format == DumpFormat::Csv && writeln!(out, "{}", segment_fmt::CSV_HEADER).is_err() {
        return ExitCode::Ok;
    }
    // Reading a pipe (a live capture), every line goes out as it is made.
    let flush_each = input.is_pipe;
    let mut feeder = Feeder::new();
    let write_failed = std::cell::Cell::new(false);
    let mut on_event = |ev: &Event<'_>| {
        let Event::Packet(rec) = ev else { return };
        if write_failed.get() {
            return;
        }
        let d = Dissected::of(rec);
        let line = match line_for(args, &d) {
            Some(l) => l,
            None => return,
        };
        // A closed pipe (`| head`) ends the dump quietly.
        if writeln!(out, "{line}").is_err() || (flush_each && out.flush().is_err()) {
            write_failed.set(true);
        }
    };
    let read = input.feed(&mut feeder, &mut on_event, &|| !write_failed.get());
    if out.flush().is_err() || write_failed.get() {
        return ExitCode::Ok;
    }
    if let Err(msg) = read {
        eprintln!("tcpopt: {msg}");
        return ExitCode::Partial;
    }
    match feeder.fault() {
        None => ExitCode::Ok,
        Some(f) => {
            let fault = Fault::from_read_fault(f);
            eprintln!("tcpopt: {}", fault.line(&input.name));
            if fault.unusable() {
                ExitCode::Unusable
            } else {
                ExitCode::Partial
            }
        }
    }
}

/// The line for one frame, or `None` when the filters or `--tcp-only` skip it.
fn line_for(args: &DumpArgs, d: &Dissected<'_>) -> Option<String> {
    let rec = &d.record;
    let ip = d.decoded.ip;
    if let Some(h) = args.host {
        let ip = ip?;
        if ip.src != h && ip.dst != h {
            return None;
        }
    }
    let Some(ports) = d.ports() else {
        if !args.all || args.port.is_some() {
            return None;
        }
        let what = not_tcp(d);
        return Some(match args.format {
            DumpFormat::Text => segment_fmt::text_other(rec, ip.map(|i| (i.src, i.dst)), &what),
            DumpFormat::Jsonl => {
                segment_fmt::jsonl_other(rec, ip.map(|i| (i.src, i.dst, i.protocol)), &what)
            }
            DumpFormat::Csv => segment_fmt::csv_other(rec, ip.map(|i| (i.src, i.dst)), &what),
        });
    };
    let ip = ip?;
    if let Some(p) = args.port {
        if ports.0 != p && ports.1 != p {
            return None;
        }
    }
    let Some(tcp) = d.tcp else {
        // The capture cut the TCP header before its 20 fixed bytes:
        // print what is there, as tshark does, and say why it stops.
        let reason = d.stop.map(|e| e.to_string()).unwrap_or_default();
        return Some(match args.format {
            DumpFormat::Text => segment_fmt::text_cut(rec, ip.src, ip.dst, ports, &reason),
            DumpFormat::Jsonl => segment_fmt::jsonl_cut(rec, ip.src, ip.dst, ports, &reason),
            DumpFormat::Csv => segment_fmt::csv_cut(rec, ip.src, ip.dst, ports),
        });
    };
    let view = SegmentView {
        rec,
        src: ip.src,
        dst: ip.dst,
        tcp: &tcp,
        payload_len: d.payload_len(),
        stop: d.stop.map(|e| e.to_string()),
    };
    Some(match args.format {
        DumpFormat::Text => segment_fmt::text(&view),
        DumpFormat::Jsonl => segment_fmt::jsonl(&view),
        DumpFormat::Csv => segment_fmt::csv(&view),
    })
}

/// What a frame without TCP is, in a few words.
fn not_tcp(d: &Dissected<'_>) -> String {
    let stop = d.stop.map(|e| format!(" [|{e}]")).unwrap_or_default();
    if let Some(ip) = d.decoded.ip {
        let proto = match ip.protocol {
            1 => "icmp".to_string(),
            2 => "igmp".to_string(),
            6 => "tcp".to_string(),
            17 => "udp".to_string(),
            47 => "gre".to_string(),
            50 => "esp".to_string(),
            58 => "icmp6".to_string(),
            132 => "sctp".to_string(),
            p => format!("ip proto {p}"),
        };
        return format!("{proto}{stop}");
    }
    match d.decoded.link {
        // Below 0x600 the field is an IEEE 802.3 length, not an EtherType.
        Some(l) if l.ethertype < 0x600 => {
            format!("{} 802.3 frame, not IP{stop}", d.record.linktype)
        }
        Some(l) => format!(
            "{} ethertype 0x{:04x}, not IP{stop}",
            d.record.linktype, l.ethertype
        ),
        None if d.stop.is_some() => format!("not decoded{stop}"),
        None => format!("{}, not decoded", d.record.linktype),
    }
}
