//! Group commit of organization scan events on SQLite.
//!
//! Every recorded scan must survive a power cut (`synchronous = FULL`), so each commit waits
//! for the disk. One commit per scan would cap a desk-heavy organization at the disk's sync
//! rate, and SQLite's single writer lock would make concurrent requests sleep in its busy
//! handler. Instead one task writes the events: it takes every event queued while the last
//! commit was running, writes them in one transaction and commits once. A lone scan is
//! committed at once (no waiting for company); under load the batch grows by itself.
//!
//! What an answer says and what the ledger holds stay equal: an event whose request gave up
//! before its batch started is not written, and one whose request gave up while its batch was
//! committing is taken back. When the database fails a batch (locked, gone), each of its
//! requests gets the error; when one event breaks a constraint, the batch's events are tried
//! one by one, so it fails only its own request.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::ledger::{self, ScanEvent};

/// Events written in one transaction at most.
const MAX_BATCH: usize = 256;
/// Events waiting for the writer at most; beyond, requests wait to queue (within their deadline).
const QUEUE: usize = 4096;

struct Job {
    event: ScanEvent,
    reply: oneshot::Sender<Result<bool, sqlx::Error>>,
}

/// The handle of the writer task; cheap to clone. The task ends when the last handle is gone.
#[derive(Clone)]
pub struct EventWriter {
    jobs: mpsc::Sender<Job>,
}

impl EventWriter {
    /// Starts the writer on `pool` (a Tokio task).
    pub fn start(pool: AnyPool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Writes `event` with the next batch; whether the event was new (see
    /// [`ledger::record_event`]).
    pub async fn write(&self, event: ScanEvent) -> Result<bool, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { event, reply })
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

async fn run(pool: AnyPool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Requests that gave up while queued (deadline, client gone) are not written.
        batch.retain(|job| !job.reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        let results = match write_batch(&pool, &batch).await {
            Ok(fresh) => fresh.into_iter().map(Ok).collect(),
            Err(e) if batch.len() == 1 => vec![Err(e)],
            // A constraint an event broke: find it, let the others through.
            Err(e) if an_events_fault(&e) => {
                tracing::warn!(error = %e, events = batch.len(), "a scan event of the batch was refused; writing them one by one");
                let mut results = Vec::with_capacity(batch.len());
                for job in &batch {
                    let one = write_batch(&pool, std::slice::from_ref(job)).await;
                    results.push(one.map(|fresh| fresh.first().copied().unwrap_or(false)));
                }
                results
            }
            // The database's fault (locked, gone, full): every request of the batch is told.
            Err(e) => batch
                .iter()
                .map(|_| {
                    Err(sqlx::Error::Io(std::io::Error::other(format!(
                        "writing scan events: {e}"
                    ))))
                })
                .collect(),
        };
        let batch_ids: Vec<_> = batch.iter().map(|job| job.event.event_id).collect();
        for (job, result) in batch.drain(..).zip(results) {
            let written = matches!(result, Ok(true));
            if job.reply.send(result).is_err() && written {
                // Its request is gone: nobody heard «recorded», so the row must not stand —
                // unless a twin of the same event in this batch was answered from it.
                let twins = batch_ids
                    .iter()
                    .filter(|id| **id == job.event.event_id)
                    .count();
                if twins == 1 {
                    if let Err(e) = ledger::unwrite_event(&pool, &job.event).await {
                        tracing::error!(error = %e, "could not take back an unanswered scan event");
                    }
                }
            }
        }
    }
}

/// Whether `e` is a constraint one event broke (not the database's state).
fn an_events_fault(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if !matches!(d.kind(), sqlx::error::ErrorKind::Other))
}

/// Writes `jobs` in one transaction; per job whether its event was new.
async fn write_batch(pool: &AnyPool, jobs: &[Job]) -> Result<Vec<bool>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut fresh = Vec::with_capacity(jobs.len());
    for job in jobs {
        fresh.push(ledger::write_event(&mut tx, &job.event).await?);
    }
    tx.commit().await?;
    Ok(fresh)
}
