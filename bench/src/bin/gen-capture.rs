//! `gen-capture [--size 2G] [--seed N] [--snaplen 128|0] [--short-flows N]
//! [--bulk-flows N] -o FILE`: writes a deterministic benchmark capture
//! (see the `tcpopt_bench` crate docs for the mix). Write big ones to /tmp;
//! `-o /dev/stdout` streams it into a pipe. `--planted` prints the NAT
//! client addresses the capture will hold (one a line) and exits.

use std::fs::File;
use std::process::ExitCode;

use tcpopt_bench::{generate, planted_nats, GenConfig};

fn size(s: &str) -> Option<u64> {
    let (num, mul) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1u64 << 10),
        'M' | 'm' => (&s[..s.len() - 1], 1 << 20),
        'G' | 'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mul)
}

fn main() -> ExitCode {
    let mut cfg = GenConfig::default();
    let mut out = None;
    let mut planted = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--planted" {
            planted = true;
            continue;
        }
        let v = args.next();
        let ok = match (a.as_str(), v.as_deref()) {
            ("--size", Some(v)) => size(v).map(|n| cfg.target_bytes = n).is_some(),
            ("--seed", Some(v)) => v.parse().map(|n| cfg.seed = n).is_ok(),
            ("--snaplen", Some(v)) => v.parse().map(|n| cfg.snaplen = n).is_ok(),
            ("--short-flows", Some(v)) => v.parse().map(|n| cfg.short_flows = n).is_ok(),
            ("--bulk-flows", Some(v)) => v.parse().map(|n| cfg.bulk_flows = n).is_ok(),
            ("-o", Some(v)) => {
                out = Some(v.to_string());
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("usage: gen-capture [--size 2G] [--seed N] [--snaplen 128|0] [--short-flows N] [--bulk-flows N] [--planted] -o FILE");
            return ExitCode::from(2);
        }
    }
    if planted {
        for a in planted_nats(&cfg) {
            println!("{a}");
        }
        return ExitCode::SUCCESS;
    }
    let Some(path) = out else {
        eprintln!("gen-capture: -o FILE is required");
        return ExitCode::from(2);
    };
    let file = match File::create(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gen-capture: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    match generate(&cfg, file) {
        Ok(s) => {
            eprintln!(
                "{path}: {} bytes, {} packets, {} flows ({} SYNs dropped by the tw_recycle server; {} connections gave up after 3), snaplen {}, seed {}",
                s.bytes, s.packets, s.flows, s.dropped_syns, s.gave_up, cfg.snaplen, cfg.seed
            );
            eprintln!(
                "{path}: {} NAT client addresses planted (gen-capture --planted lists them)",
                planted_nats(&cfg).len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-capture: {path}: {e}");
            ExitCode::from(1)
        }
    }
}
