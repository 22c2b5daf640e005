//! TS-09 `SYNTHETIC_TSVAL_PROBE` (suppression): nmap (TSval 0xFFFFFFFF,
//! TSecr 0), traceroute -T / tcptraceroute (≥ 3 SYNs with one TSval,
//! changing source port, rising TTL), TSval 0. These SYNs never enter the
//! clock lines, TS-01 or TS-10.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{Code, Evidence, Finding, ProbeEvidence, Severity};
use crate::analysis::flow::{Flow, ProbeKind};

const REMEDY: &str =
    "Nothing to fix: these are scanner or traceroute probes with synthetic timestamps; they \
    were excluded from the clock and drop analysis.";

/// Probe SYNs of one pair: the first kind seen, SYNs, frames, flows.
struct PairAcc {
    kind: ProbeKind,
    syns: u32,
    frames: Vec<u64>,
    flows: Vec<usize>,
}

/// TS-09, per pair.
#[derive(Default)]
pub(crate) struct Probe {
    pairs: BTreeMap<u32, PairAcc>,
}

impl Detector for Probe {
    fn flow_done(&mut self, id: u32, f: &Flow) {
        let Some(kind) = f.probe else { return };
        let acc = self.pairs.entry(f.pair).or_insert(PairAcc {
            kind,
            syns: 0,
            frames: Vec::new(),
            flows: Vec::new(),
        });
        acc.syns += f.syns.total;
        acc.frames.extend_from_slice(f.syns.as_slice());
        acc.flows.push(id as usize);
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, acc) in &mut self.pairs {
            let Some(pair) = cx.pair(pi) else { continue };
            let (syns, kind) = (acc.syns, acc.kind.as_str());
            out.push(
                Draft {
                    code: Code::SyntheticTsvalProbe,
                    severity: Severity::Info,
                    summary: format!(
                        "{syns} probe SYNs with synthetic TSvals ({kind}) from {} to {}",
                        pair.client, pair.server
                    ),
                    explanation: format!(
                        "{syns} SYNs from {} carry synthetic timestamps typical of {kind} \
                        (nmap sends TSval 0xFFFFFFFF with TSecr 0; traceroute -T reuses one \
                        random TSval with rising TTL). They say nothing about the host's \
                        clock and were excluded from the analysis.",
                        pair.client
                    ),
                    remedy: REMEDY,
                    frames: core::mem::take(&mut acc.frames),
                    flows: core::mem::take(&mut acc.flows),
                    evidence: Evidence::Probe(ProbeEvidence { syns, kind }),
                }
                .about(pair),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;

    #[test]
    fn nmap_and_zero_tsval_syns_are_probes_of_the_first_kind() {
        let nmap = flow(&[seg(1, 0, true, 4000, SYN, Some((u32::MAX, 0)))]);
        let zero = flow(&[seg(2, 1, true, 4001, SYN, Some((0, 0)))]);
        let plain = flow(&[seg(3, 2, true, 4002, SYN, Some((7, 0)))]);
        let out = run(
            &mut Probe::default(),
            &[nmap, zero, plain],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].flows, [0, 1]);
        assert_eq!(out[0].frames, [1, 2]);
        let Evidence::Probe(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.syns, e.kind), (2, "nmap"));
    }

    #[test]
    fn no_probe_no_finding() {
        let plain = flow(&[seg(3, 2, true, 4002, SYN, Some((7, 0)))]);
        assert!(run(&mut Probe::default(), &[plain], PairClocks::default()).is_empty());
    }
}
