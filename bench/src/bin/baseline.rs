//! The plain-Rust baseline of the whole-file comparison: what one would
//! write with the usual crates to pull TCP timestamps out of a capture.
//! pcap-parser frames the records (pcap or pcapng, streaming over a
//! 256 KiB buffer; `tcpopt` and `extract` read 1 MiB), etherparse's lax slicer walks Ethernet,
//! VLAN, IPv4/IPv6 and TCP, and the options iterator finds the
//! timestamps. `--print` writes `TSval<TAB>TSecr` per TCP segment like
//! `tshark -T fields` does (empty fields without the option); without it
//! the values are folded into a checksum so that nothing is optimised away.
//!
//! `--flows` adds what the busy-server issue calls the baseline: one
//! `std` `HashMap` entry per direction (keyed by addresses and ports,
//! holding the packet count and the latest TSval and TSecr), never
//! removed, as a first flow tracker would be written.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use std::collections::HashMap;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TransportSlice};
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};

/// A direction: source and destination address (IPv4 in the first 4
/// bytes), source and destination port.
type Direction = ([u8; 16], [u8; 16], u16, u16);

#[derive(Default)]
struct PerDirection {
    packets: u64,
    last: Option<(u32, u32)>,
}

fn timestamps(
    frame: &[u8],
    flows: Option<&mut HashMap<Direction, PerDirection>>,
) -> Option<Option<(u32, u32)>> {
    let p = LaxSlicedPacket::from_ethernet(frame).ok()?;
    let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
        return None;
    };
    let mut ts = None;
    for o in tcp.options_iterator() {
        if let Ok(TcpOptionElement::Timestamp(v, e)) = o {
            ts = Some((v, e));
            break;
        }
    }
    if let Some(flows) = flows {
        let (mut src, mut dst) = ([0u8; 16], [0u8; 16]);
        match &p.net {
            Some(LaxNetSlice::Ipv4(ip)) => {
                src[..4].copy_from_slice(&ip.header().source());
                dst[..4].copy_from_slice(&ip.header().destination());
            }
            Some(LaxNetSlice::Ipv6(ip)) => {
                src = ip.header().source();
                dst = ip.header().destination();
            }
            _ => {}
        }
        let e = flows
            .entry((src, dst, tcp.source_port(), tcp.destination_port()))
            .or_default();
        e.packets += 1;
        if ts.is_some() {
            e.last = ts;
        }
    }
    Some(ts)
}

fn main() -> ExitCode {
    let tcpopt_bench::BaselineArgs {
        print,
        flows,
        path,
        file,
    } = match tcpopt_bench::baseline_args("baseline", true) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut table: Option<HashMap<Direction, PerDirection>> = flows.then(HashMap::new);
    let mut reader = match create_reader(256 * 1024, file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("baseline: {path}: {e:?}");
            return ExitCode::from(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut packets, mut tcp, mut with_ts, mut sum) = (0u64, 0u64, 0u64, 0u64);
    loop {
        match reader.next() {
            Ok((n, block)) => {
                let data = match &block {
                    PcapBlockOwned::Legacy(b) => Some(b.data),
                    PcapBlockOwned::NG(pcap_parser::Block::EnhancedPacket(b)) => Some(b.data),
                    PcapBlockOwned::NG(pcap_parser::Block::SimplePacket(b)) => Some(b.data),
                    _ => None,
                };
                if let Some(d) = data {
                    packets += 1;
                    if let Some(ts) = timestamps(d, table.as_mut()) {
                        tcp += 1;
                        match ts {
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
                reader.consume(n);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                if reader.refill().is_err() {
                    eprintln!("baseline: {path}: read error");
                    return ExitCode::from(1);
                }
            }
            Err(e) => {
                eprintln!("baseline: {path}: {e:?}");
                break;
            }
        }
    }
    let _ = out.flush();
    eprintln!("baseline: {packets} packets, {tcp} TCP segments, {with_ts} with timestamps, checksum {sum:016x}");
    if let Some(t) = table {
        let busiest = t.values().map(|d| d.packets).max().unwrap_or(0);
        let stamped = t.values().filter(|d| d.last.is_some()).count();
        eprintln!(
            "baseline: {} directions ({stamped} with timestamps), the busiest with {busiest} packets",
            t.len()
        );
    }
    ExitCode::SUCCESS
}
