//! The retired side ([`Tail`]) on a second thread (`std` only;
//! `Config::worker_thread`).
//!
//! On a busy server most of the analysis is what happens after a flow
//! retires (the clustering of its clock record, the detectors, its
//! report), and none of it reads the live flow table (`tail`). The live
//! side sends each retired flow's box, and each sweep's watermarks, in
//! batches over a bounded channel; the worker applies them to its `Tail`
//! in the order sent, which is the order the one-thread mode applies
//! them in, so the report is the same byte for byte. The boxes come back
//! over a second channel for the next flows to reuse, with the reports
//! of streamed flows (`Config::stream_flows`) in their order.
//!
//! Memory: at most [`IN_FLIGHT`] + 1 batches of [`BATCH`] flows wait in
//! the channel (4,224 flows, 7.7 MB), and the live side blocks while it
//! is full, so a slower worker slows the reading rather than growing
//! memory. Flows retire in bursts (the sweep, once per second of capture
//! time, retires every flow closed since the last one), and the channel
//! holds a busy server's burst (about 3,700 flows on the generated
//! million-connection capture): with 4 batches instead, the live side
//! waited out every burst and the two threads took turns (10.5-12.4 s
//! against 6.4-6.6 s on that capture).

extern crate std;

use alloc::boxed::Box;
use alloc::vec::Vec;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use hashbrown::HashMap;

use super::flow::Flow;
use super::report::FlowReport;
use super::tail::{Retire, Tail};

/// Messages per batch sent to the worker.
const BATCH: usize = 128;
/// Batches the channel holds before the sender waits.
const IN_FLIGHT: usize = 32;
/// Returned boxes the live side keeps for reuse: all that can be in
/// flight. Fewer made it free and allocate 1.8 KB boxes by the thousand
/// after each sweep's burst, and the boxes exist at the burst's peak
/// anyway.
pub(crate) const SPARE: usize = 8 * BATCH;

enum Msg {
    Retired(Box<Flow>, Retire),
    Release(HashMap<u32, i64>),
}

/// What the worker hands back after each batch (boxed flows on purpose:
/// the point is to move pointers, not 1.8 KB flows).
#[allow(clippy::vec_box)]
struct Returned {
    flows: Vec<Box<Flow>>,
    reports: Vec<FlowReport>,
}

/// The handle the live side holds.
pub(crate) struct Worker {
    batch: Vec<Msg>,
    tx: Option<SyncSender<Vec<Msg>>>,
    back: Receiver<Returned>,
    handle: Option<JoinHandle<Option<Tail>>>,
}

impl core::fmt::Debug for Worker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Worker({} queued)", self.batch.len())
    }
}

impl Worker {
    /// Starts the worker thread with `tail`; gives `tail` back when the
    /// system cannot start a thread (the caller then runs it inline).
    pub fn start(tail: Tail) -> Result<Worker, Box<Tail>> {
        let (tx, rx) = sync_channel::<Vec<Msg>>(IN_FLIGHT);
        let (back_tx, back) = channel::<Returned>();
        // The thread takes the tail out of this slot; if it cannot be
        // started the slot still holds it.
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(tail)));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("tcpopt-retired".into())
            .spawn(move || {
                let mut tail = theirs.lock().ok().and_then(|mut t| t.take())?;
                drop(theirs);
                for batch in rx {
                    let mut flows = Vec::with_capacity(batch.len());
                    for m in batch {
                        match m {
                            Msg::Retired(f, why) => {
                                tail.retired(&f, why);
                                flows.push(f);
                            }
                            Msg::Release(w) => tail.release(&w),
                        }
                    }
                    let reports = core::mem::take(&mut tail.retired);
                    // The live side is gone only when it is being dropped.
                    let _ = back_tx.send(Returned { flows, reports });
                }
                Some(tail)
            });
        match spawned {
            Ok(handle) => Ok(Worker {
                batch: Vec::with_capacity(BATCH),
                tx: Some(tx),
                back,
                handle: Some(handle),
            }),
            Err(_) => match slot.lock().ok().and_then(|mut t| t.take()) {
                Some(t) => Err(Box::new(t)),
                // The closure never ran, so the slot still holds the tail.
                None => unreachable_tail(),
            },
        }
    }

    fn queue(&mut self, m: Msg) {
        self.batch.push(m);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let b = core::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if let Some(tx) = &self.tx {
            // A send fails only when the worker panicked; `join` says so.
            let _ = tx.send(b);
        }
    }

    pub fn retired(&mut self, f: Box<Flow>, why: Retire) {
        self.queue(Msg::Retired(f, why));
    }

    pub fn release(&mut self, watermark: HashMap<u32, i64>) {
        self.queue(Msg::Release(watermark));
    }

    /// Takes what the worker handed back so far: boxes into `spare` (up
    /// to [`SPARE`]), streamed reports onto `reports`.
    #[allow(clippy::vec_box)]
    pub fn collect(&mut self, spare: &mut Vec<Box<Flow>>, reports: &mut Vec<FlowReport>) {
        while let Ok(mut r) = self.back.try_recv() {
            let room = SPARE.saturating_sub(spare.len());
            r.flows.truncate(room);
            spare.append(&mut r.flows);
            reports.append(&mut r.reports);
        }
    }

    /// Sends what is queued, waits for the worker to apply it and returns
    /// its `Tail` (the streamed reports it handed back onto `reports`).
    pub fn join(mut self, reports: &mut Vec<FlowReport>) -> Tail {
        self.flush();
        self.tx = None;
        let tail = match self.handle.take().map(JoinHandle::join) {
            Some(Ok(Some(t))) => t,
            // A panic of the worker is the panic the one-thread mode would
            // have had: passed on as it is.
            Some(Err(p)) => std::panic::resume_unwind(p),
            // `handle` is taken only here, and the thread returns `None`
            // only if it found the slot empty, which `start` rules out.
            _ => unreachable_tail(),
        };
        while let Ok(mut r) = self.back.try_recv() {
            reports.append(&mut r.reports);
        }
        tail
    }
}

/// Invariant: the tail is taken out of `start`'s slot exactly once, by the
/// thread (which then runs) or by `start`'s error path (when it never
/// ran). Reaching this means that invariant broke.
#[cold]
fn unreachable_tail() -> ! {
    panic!("tcpopt: the retired side's state was taken twice")
}
