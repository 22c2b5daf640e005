//! Throughput of the hot path (parse + summary) and of the full iterator.
//! Run: `cargo test -p tcpopt-parse --release --test tcp_perf -- --ignored --nocapture`

use std::hint::black_box;
use std::time::Instant;

use tcpopt_parse::tcp::{TcpHeader, TcpHeaderFields, TcpOption};

fn headers() -> Vec<Vec<u8>> {
    let f = TcpHeaderFields {
        src_port: 50010,
        dst_port: 80,
        seq: 1,
        ack: 2,
        window: 502,
        ..Default::default()
    };
    let ts = TcpOption::Timestamps {
        tsval: 2528851659,
        tsecr: 3409761639,
    };
    let syn = [
        TcpOption::Mss(1460),
        TcpOption::SackPermitted,
        ts,
        TcpOption::Nop,
        TcpOption::WindowScale(10),
    ];
    let ack = [TcpOption::Nop, TcpOption::Nop, ts];
    [&syn[..], &ack[..], &ack[..], &ack[..], &[][..]]
        .iter()
        .map(|o| {
            let mut b = [0u8; 60];
            let n = f.emit(o, &mut b).unwrap();
            b[..n].to_vec()
        })
        .collect()
}

#[test]
#[ignore = "benchmark; run in release"]
fn throughput() {
    let hs = headers();
    let n = 20_000_000usize;
    let t = Instant::now();
    let mut acc = 0u64;
    for i in 0..n {
        let h = TcpHeader::parse(black_box(&hs[i % hs.len()])).unwrap();
        let s = h.summary();
        acc += u64::from(s.timestamps.map_or(0, |t| t.0)) + u64::from(s.complete);
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "parse+summary: {:.1} M headers/s ({acc})",
        n as f64 / dt / 1e6
    );

    let t = Instant::now();
    let mut acc = 0u64;
    for i in 0..n {
        let h = TcpHeader::parse(black_box(&hs[i % hs.len()])).unwrap();
        for o in h.options() {
            if let Ok(TcpOption::Timestamps { tsval, .. }) = o {
                acc += u64::from(tsval);
            }
        }
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "parse+iterator: {:.1} M headers/s ({acc})",
        n as f64 / dt / 1e6
    );
}
