//! The per-host timestamp cache of `tcp_tw_recycle` (Linux 2.4–4.11):
//! `RemTS[(client, server)]`, `tcpm_ts` / `tcpm_ts_stamp` in tcp_metrics.

use super::config::{PAWS_MSL_NS, PAWS_WINDOW};
use super::serial;

/// One remembered stamp: the client's last accepted TSval on a flow the
/// server closed first, and when it was received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RemTs {
    pub ts: u32,
    pub stamp_ns: i64,
    /// The client segment that carried `ts` (the truth files'
    /// `remembered_from_frame`: the latest client segment whose TSval is
    /// not older than the flow's maximum, e.g. the client's FIN).
    pub frame: u64,
}

/// `tcp_remember_stamp()` / `tcp_tw_remember_stamp()` (4.x): the entry is
/// replaced by a value that is not older, or when it is more than
/// `TCP_PAWS_MSL` old and not newer than the candidate's stamp.
pub(crate) fn remember(slot: &mut Option<RemTs>, new: RemTs) {
    match slot {
        None => *slot = Some(new),
        Some(r) => {
            let not_older = serial::diff(r.ts, new.ts) <= 0;
            let stale =
                new.stamp_ns.saturating_sub(r.stamp_ns) > PAWS_MSL_NS && r.stamp_ns <= new.stamp_ns;
            if not_older || stale {
                *r = new;
            }
        }
    }
}

/// What `tcp_peer_is_proven()` would decide for a SYN at `now_ns`: `Some`
/// when the SYN would be dropped (stamp younger than 60 s and the SYN's
/// TSval more than `TCP_PAWS_WINDOW` older, or no TSval at all:
/// a26552afe894).
pub(crate) fn predicts_drop(r: &RemTs, syn_tsval: Option<u32>, now_ns: i64) -> bool {
    let age = now_ns.saturating_sub(r.stamp_ns);
    if !(0..PAWS_MSL_NS).contains(&age) {
        return false;
    }
    match syn_tsval {
        None => true,
        Some(v) => serial::diff(r.ts, v) > PAWS_WINDOW,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn keeps_newest_and_replaces_stale() {
        let mut slot = None;
        remember(
            &mut slot,
            RemTs {
                ts: 1000,
                stamp_ns: 0,
                frame: 1,
            },
        );
        remember(
            &mut slot,
            RemTs {
                ts: 900,
                stamp_ns: 10 * S,
                frame: 2,
            },
        );
        assert_eq!(
            slot.map(|r| r.frame),
            Some(1),
            "older value within 60 s is ignored"
        );
        remember(
            &mut slot,
            RemTs {
                ts: 1000,
                stamp_ns: 11 * S,
                frame: 3,
            },
        );
        assert_eq!(
            slot.map(|r| r.frame),
            Some(3),
            "equal value refreshes the stamp"
        );
        remember(
            &mut slot,
            RemTs {
                ts: 5,
                stamp_ns: 80 * S,
                frame: 4,
            },
        );
        assert_eq!(
            slot.map(|r| r.frame),
            Some(4),
            "a stale entry is replaced even by an older TSval"
        );
    }

    #[test]
    fn prediction() {
        let r = RemTs {
            ts: 10_000,
            stamp_ns: 0,
            frame: 1,
        };
        assert!(predicts_drop(&r, Some(9_998), S));
        assert!(
            !predicts_drop(&r, Some(9_999), S),
            "TCP_PAWS_WINDOW = 1 tick of slack"
        );
        assert!(!predicts_drop(&r, Some(10_500), S));
        assert!(
            predicts_drop(&r, None, S),
            "a26552afe894: TS-less SYNs are dropped too"
        );
        assert!(
            !predicts_drop(&r, Some(1), 61 * S),
            "older than TCP_PAWS_MSL"
        );
        let w = RemTs {
            ts: 3,
            stamp_ns: 0,
            frame: 1,
        };
        assert!(
            predicts_drop(&w, Some(0xFFFF_FFF0), S),
            "older across the wrap"
        );
    }
}
