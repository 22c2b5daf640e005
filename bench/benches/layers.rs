//! Per-layer throughput on the generated mix (16 MiB, headers-only
//! records as `tcpdump -s 128` writes them): capture framing, link, IP,
//! TCP header, options (iterator and one-pass summary), the whole decode,
//! packet → segment, the analyzer per segment, and the whole in-memory
//! pipeline. Every benchmark reports packets/s and bytes/s (bytes of the
//! layer's own input: whole records for framing, packet data below).
//!
//! `cargo bench -p tcpopt-bench` (add `-- --quick` on a busy machine).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use tcpopt_bench::{generate_vec, GenConfig};
use tcpopt_parse::analysis::{Analyzer, Config};
use tcpopt_parse::capture::{packets, PacketRecord};
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::link::{ethernet, ethertype};
use tcpopt_parse::tcp::TcpHeader;
use tcpopt_parse::{decode, ip, Segment};

struct Corpus {
    capture: Vec<u8>,
}

fn corpus() -> Corpus {
    let cfg = GenConfig {
        target_bytes: 16 << 20,
        short_flows: 2_000,
        ..GenConfig::default()
    };
    Corpus {
        capture: generate_vec(&cfg).0,
    }
}

fn records(c: &Corpus) -> Vec<PacketRecord<'_>> {
    packets(&c.capture)
        .collect::<Result<_, _>>()
        .expect("generated capture is well-formed")
}

/// criterion reports one throughput per benchmark: every layer runs in a
/// `packets` group (elements/s) and again in a `bytes` group (bytes/s).
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Packets,
    Bytes,
}

fn tp(g: &mut BenchmarkGroup<'_, WallTime>, unit: Unit, packets: usize, bytes: usize) {
    g.throughput(match unit {
        Unit::Packets => Throughput::Elements(packets as u64),
        Unit::Bytes => Throughput::Bytes(bytes as u64),
    });
}

fn layers(c: &mut Criterion) {
    run(c, Unit::Packets);
    run(c, Unit::Bytes);
}

fn run(c: &mut Criterion, unit: Unit) {
    let corpus = corpus();
    let recs = records(&corpus);
    let n = recs.len();
    let data_bytes: usize = recs.iter().map(|r| r.data.len()).sum();

    let mut g = c.benchmark_group(if unit == Unit::Packets {
        "packets"
    } else {
        "bytes"
    });
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    tp(&mut g, unit, n, corpus.capture.len());
    g.bench_function("capture_framing", |b| {
        b.iter(|| {
            let mut k = 0u64;
            for r in packets(black_box(&corpus.capture)) {
                k += r.map(|r| u64::from(r.caplen)).unwrap_or(0);
            }
            k
        })
    });

    tp(&mut g, unit, n, data_bytes);
    g.bench_function("link_ethernet_vlan", |b| {
        b.iter(|| {
            let mut k = 0usize;
            for r in &recs {
                if let Ok((mut rest, h)) = ethernet::ethernet_header::<()>(black_box(r.data)) {
                    let mut t = h.ethertype;
                    while ethertype::is_vlan(t) {
                        match ethernet::vlan_tag::<()>(rest) {
                            Ok((r2, v)) => {
                                rest = r2;
                                t = v.ethertype;
                            }
                            Err(_) => break,
                        }
                    }
                    k += usize::from(t) + rest.len();
                }
            }
            k
        })
    });

    // The network layer of every record, found once.
    let nets: Vec<(&[u8], bool)> = recs
        .iter()
        .filter_map(|r| {
            let d = decode(r.linktype, r.data);
            let ipi = d.ip?;
            Some((
                r.data.get(ipi.offset..)?,
                matches!(ipi.src, std::net::IpAddr::V6(_)),
            ))
        })
        .collect();
    let net_bytes: usize = nets.iter().map(|(d, _)| d.len()).sum();
    tp(&mut g, unit, nets.len(), net_bytes);
    g.bench_function("ip", |b| {
        b.iter(|| {
            let mut k = 0u32;
            for &(d, v6) in &nets {
                k += if v6 {
                    ip::ipv6::parse(black_box(d))
                        .map(|p| p.payload_len)
                        .unwrap_or(0)
                } else {
                    ip::ipv4::parse(black_box(d))
                        .map(|p| p.payload_len)
                        .unwrap_or(0)
                };
            }
            k
        })
    });

    let tcps: Vec<&[u8]> = recs
        .iter()
        .filter_map(|r| decode(r.linktype, r.data).tcp())
        .collect();
    let tcp_bytes: usize = tcps.iter().map(|t| t.len()).sum();
    tp(&mut g, unit, tcps.len(), tcp_bytes);
    g.bench_function("tcp_header", |b| {
        b.iter(|| {
            let mut k = 0u32;
            for t in &tcps {
                if let Ok(h) = TcpHeader::parse(black_box(t)) {
                    k = k.wrapping_add(h.seq()) ^ u32::from(h.src_port());
                }
            }
            k
        })
    });

    let headers: Vec<TcpHeader<'_>> = tcps
        .iter()
        .filter_map(|t| TcpHeader::parse(t).ok())
        .collect();
    let opt_bytes: usize = headers.iter().map(|h| h.options_bytes().len()).sum();
    tp(&mut g, unit, headers.len(), opt_bytes);
    g.bench_function("tcp_options_iterator", |b| {
        b.iter(|| {
            let mut k = 0usize;
            for h in &headers {
                for o in black_box(h).options() {
                    k += o.map(|o| o.wire_len()).unwrap_or(1);
                }
            }
            k
        })
    });
    g.bench_function("tcp_options_summary", |b| {
        b.iter(|| {
            let mut k = 0u32;
            for h in &headers {
                k ^= black_box(h).summary().timestamps.map(|t| t.0).unwrap_or(0);
            }
            k
        })
    });

    tp(&mut g, unit, n, data_bytes);
    g.bench_function("decode_link_to_tcp", |b| {
        b.iter(|| {
            let mut k = 0usize;
            for r in &recs {
                k += decode(r.linktype, black_box(r.data))
                    .transport
                    .map(|t| t.offset)
                    .unwrap_or(0);
            }
            k
        })
    });
    g.bench_function("dissect_to_segment", |b| {
        b.iter(|| {
            let mut k = 0u32;
            for r in &recs {
                if let Some(s) = Dissected::of(black_box(r)).segment() {
                    k = k.wrapping_add(s.seq);
                }
            }
            k
        })
    });

    let segs: Vec<Segment> = recs
        .iter()
        .filter_map(|r| Dissected::of(r).segment())
        .collect();
    tp(&mut g, unit, segs.len(), data_bytes);
    g.bench_function("analyzer_push", |b| {
        b.iter(|| {
            let mut a = Analyzer::new(Config::default());
            for s in &segs {
                a.push(black_box(s));
            }
            a.state_size().flows
        })
    });

    tp(&mut g, unit, n, corpus.capture.len());
    g.bench_function("pipeline_whole_report", |b| {
        b.iter(|| {
            tcpopt_parse::pipeline::analyze_bytes(black_box(&corpus.capture), Config::default())
                .stats
                .flows
        })
    });
    g.finish();
}

criterion_group!(benches, layers);
criterion_main!(benches);
