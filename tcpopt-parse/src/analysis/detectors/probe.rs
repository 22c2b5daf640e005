//! TS-09 `SYNTHETIC_TSVAL_PROBE` (suppression): nmap (TSval 0xFFFFFFFF,
//! TSecr 0), traceroute -T / tcptraceroute (≥ 3 SYNs with one TSval,
//! changing source port, rising TTL), TSval 0. These SYNs never enter the
//! clock lines, TS-01 or TS-10.

use alloc::format;
use alloc::vec::Vec;

use super::{finding, Ctx};
use crate::analysis::finding::{Code, Evidence, Finding, ProbeEvidence, Severity};

const REMEDY: &str = "Nothing to fix: these are scanner or traceroute probes with synthetic timestamps; they were excluded from the clock and drop analysis.";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for pair in cx.pairs {
        let (mut frames, mut flows) = (Vec::new(), Vec::new());
        let mut kind = None;
        let mut syns = 0u32;
        for &fi in &pair.flows {
            let Some(f) = cx.flow(fi) else { continue };
            let Some(k) = f.probe else { continue };
            kind.get_or_insert(k);
            syns += f.syns.total;
            frames.extend_from_slice(f.syns.as_slice());
            flows.push(fi as usize);
        }
        let Some(kind) = kind else { continue };
        out.push(finding(
            Code::SyntheticTsvalProbe,
            Severity::Info,
            format!("{syns} probe SYNs with synthetic TSvals ({}) from {} to {}", kind.as_str(), pair.client, pair.server),
            format!("{syns} SYNs from {} carry synthetic timestamps typical of {} (nmap sends TSval 0xFFFFFFFF with TSecr 0; traceroute -T reuses one random TSval with rising TTL). They say nothing about the host's clock and were excluded from the analysis.", pair.client, kind.as_str()),
            REMEDY,
            frames,
            flows,
            pair,
            Evidence::Probe(ProbeEvidence { syns, kind: kind.as_str() }),
        ));
    }
}
