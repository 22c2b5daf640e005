//! The clock-line clustering ([`Clusters`]) on a second thread (`std`
//! only; `Config::worker_thread`).
//!
//! On a busy server the clustering of the retired flows' clock records is
//! about half of the work, and it reads nothing of the live side but the
//! records and the sweeps' watermarks (`tail`). The live side sends those
//! in batches over a bounded channel; the worker applies them to its
//! `Clusters` in the order sent, which is the order the one-thread mode
//! applies them in, so the report is the same byte for byte. The reports
//! of streamed flows (`Config::stream_flows`) come back over a second
//! channel in their order.
//!
//! Memory: at most [`IN_FLIGHT`] + 1 batches of [`BATCH`] messages wait in
//! the channel (a message is 344 bytes, a record and the report its line
//! may keep: 2.9 MB at most), and the live side blocks while it is full, so a
//! slower worker slows the reading rather than growing memory. Records
//! come in bursts (the sweep, once per second of capture time, retires
//! every flow closed since the last one), and the channel holds a busy
//! server's burst (about 3,700 flows on the generated
//! million-connection capture): with room for 512 instead, the live side
//! waited out every burst and the two threads took turns (10.5-12.4 s
//! against 6.4-6.6 s on that capture).

extern crate std;

use alloc::boxed::Box;
use alloc::vec::Vec;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use hashbrown::HashMap;

use super::clock::ClockRec;
use super::finish::LineReport;
use super::report::FlowReport;
use super::tail::{Clusters, Sink};

/// Messages per batch sent to the worker.
const BATCH: usize = 128;
/// Batches the channel holds before the sender waits.
const IN_FLIGHT: usize = 64;

// Records go by value, unboxed (`Sink::record`); they are nearly every
// message, so the enum's size is theirs anyway. A streamed report is rare
// and boxed.
#[allow(clippy::large_enum_variant)]
enum Msg {
    Record(u32, ClockRec, LineReport),
    Stream(Box<FlowReport>),
    Release(HashMap<u32, i64>),
}

/// The handle the live side holds.
pub(crate) struct Worker {
    batch: Vec<Msg>,
    tx: Option<SyncSender<Vec<Msg>>>,
    back: Receiver<Vec<FlowReport>>,
    /// Emptied batches, back for reuse (made and freed on this thread).
    recycled: Receiver<Vec<Msg>>,
    handle: Option<JoinHandle<Option<Clusters>>>,
}

impl core::fmt::Debug for Worker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Worker({} queued)", self.batch.len())
    }
}

impl Worker {
    /// Starts the worker thread with `clusters`; gives them back when the
    /// system cannot start a thread (the caller then runs them inline).
    pub fn start(clusters: Clusters) -> Result<Worker, Box<Clusters>> {
        let (tx, rx) = sync_channel::<Vec<Msg>>(IN_FLIGHT);
        let (back_tx, back) = channel::<Vec<FlowReport>>();
        let (recycle_tx, recycled) = channel::<Vec<Msg>>();
        // The thread takes the clusters out of this slot; if it cannot be
        // started the slot still holds them.
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(clusters)));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("tcpopt-clock-lines".into())
            .spawn(move || {
                let mut c = theirs.lock().ok().and_then(|mut t| t.take())?;
                drop(theirs);
                for mut batch in rx {
                    for m in batch.drain(..) {
                        match m {
                            Msg::Record(pair, rec, r) => c.record(pair, rec, r),
                            Msg::Stream(r) => c.stream(*r),
                            Msg::Release(w) => c.release(&w),
                        }
                    }
                    let _ = recycle_tx.send(batch);
                    if !c.streamed.is_empty() {
                        // The live side is gone only when it is being dropped.
                        let _ = back_tx.send(core::mem::take(&mut c.streamed));
                    }
                }
                Some(c)
            });
        match spawned {
            Ok(handle) => Ok(Worker {
                batch: Vec::with_capacity(BATCH),
                tx: Some(tx),
                back,
                recycled,
                handle: Some(handle),
            }),
            Err(_) => match slot.lock().ok().and_then(|mut t| t.take()) {
                Some(t) => Err(Box::new(t)),
                // The closure never ran, so the slot still holds them.
                None => unreachable_clusters(),
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
        let next = self
            .recycled
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let b = core::mem::replace(&mut self.batch, next);
        if let Some(tx) = &self.tx {
            // A send fails only when the worker panicked; `join` says so.
            let _ = tx.send(b);
        }
    }

    pub fn release(&mut self, watermark: HashMap<u32, i64>) {
        self.queue(Msg::Release(watermark));
    }

    /// Takes the streamed reports the worker handed back so far.
    pub fn collect(&mut self, reports: &mut Vec<FlowReport>) {
        while let Ok(mut r) = self.back.try_recv() {
            reports.append(&mut r);
        }
    }

    /// Sends what is queued, waits for the worker to apply it and returns
    /// its `Clusters` (the streamed reports it handed back onto `reports`).
    pub fn join(mut self, reports: &mut Vec<FlowReport>) -> Clusters {
        self.flush();
        self.tx = None;
        let c = match self.handle.take().map(JoinHandle::join) {
            Some(Ok(Some(c))) => c,
            // A panic of the worker is the panic the one-thread mode would
            // have had: passed on as it is.
            Some(Err(p)) => std::panic::resume_unwind(p),
            // `handle` is taken only here, and the thread returns `None`
            // only if it found the slot empty, which `start` rules out.
            _ => unreachable_clusters(),
        };
        self.collect(reports);
        c
    }
}

impl Sink for Worker {
    fn record(&mut self, pair: u32, rec: ClockRec, report: LineReport) {
        self.queue(Msg::Record(pair, rec, report));
    }

    fn stream(&mut self, report: FlowReport) {
        self.queue(Msg::Stream(Box::new(report)));
    }
}

/// Invariant: the clusters are taken out of `start`'s slot exactly once,
/// by the thread (which then runs) or by `start`'s error path (when it
/// never ran). Reaching this means that invariant broke.
#[cold]
fn unreachable_clusters() -> ! {
    panic!("tcpopt: the clustering's state was taken twice")
}
