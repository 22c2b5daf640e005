//! Native baseline for the browser's throughput (ignored; needs a big capture):
//! `TCPOPT_BIG=test-output/big.pcap cargo test -p tcpopt-web --release --test native_throughput -- --ignored --nocapture`
#![cfg(not(target_arch = "wasm32"))]

use std::io::Read;
use std::time::Instant;

#[test]
#[ignore]
fn native_throughput() {
    let Ok(path) = std::env::var("TCPOPT_BIG") else {
        eprintln!("TCPOPT_BIG not set");
        return;
    };
    let mut f = std::fs::File::open(&path).expect("open");
    let mut a = tcpopt_parse::pipeline::CaptureAnalysis::new(Default::default());
    let mut buf = vec![0u8; 1 << 16];
    let t = Instant::now();
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).expect("read");
        if k == 0 {
            break;
        }
        n += k as u64;
        a.push(&buf[..k]);
    }
    let push = t.elapsed().as_secs_f64();
    let r = a.finish();
    let all = t.elapsed().as_secs_f64();
    let json = serde_json_len(&r);
    eprintln!(
        "native: {n} bytes, {} packets, {} flows, push {push:.1} s, total {all:.1} s, {:.0} MB/s, report JSON {json} bytes",
        r.capture.packets,
        r.flows.len(),
        n as f64 / 1e6 / all
    );
}

fn serde_json_len(r: &tcpopt_parse::analysis::Report) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    serde_json::to_writer(&mut c, r).expect("json");
    c.0
}
