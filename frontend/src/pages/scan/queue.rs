//! The offline queue (issue 12): organization scans found valid without network, kept on the
//! device (IndexedDB, written in one transaction with the seen-list) until the server has
//! settled each of them (`POST /api/scan/batch`: recorded, duplicate or refused). Each event
//! carries its idempotency key, the device's running number, the device time and the clock
//! offset seen from the server; the server records it at that scan time, exactly once.
//!
//! Pure (no browser calls): unit-tested natively; `engine.rs` keeps it and uploads it.

use serde::{Deserialize, Serialize};
use statuspass_shared::api::{QueuedScan, QueuedScanResult, MAX_BATCH_EVENTS};
use statuspass_shared::Ogrn;
use uuid::Uuid;

/// Events per upload (the server takes at most [`MAX_BATCH_EVENTS`]).
pub const BATCH: usize = 50;
const _: () = assert!(BATCH <= MAX_BATCH_EVENTS);

/// One queued scan and whose it is: only the staff member who made it uploads it (the server
/// checks that person's delegation at the scan time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// The subject of the signed-in staff member (`Me::key`).
    pub owner: String,
    pub scan: QueuedScan,
}

/// The queue as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineQueue {
    /// The next event's `device_seq`.
    pub next_seq: u64,
    pub events: Vec<Queued>,
}

impl OfflineQueue {
    /// Queues a scan made at `device_time_ms` (device clock) with the clock offset
    /// (server − device) known then.
    pub fn push(
        &mut self,
        owner: &str,
        event_id: Uuid,
        ogrn: &Ogrn,
        code: &str,
        device_time_ms: f64,
        clock_offset_ms: f64,
    ) {
        let device_seq = self.next_seq;
        self.next_seq += 1;
        if self.events.iter().any(|q| q.scan.event_id == event_id) {
            return;
        }
        self.events.push(Queued {
            owner: owner.to_owned(),
            scan: QueuedScan {
                event_id,
                on_behalf_of: ogrn.to_string(),
                code: code.to_owned(),
                device_time_ms: device_time_ms.round() as i64,
                clock_offset_ms: clock_offset_ms.round() as i64,
                device_seq,
            },
        });
    }

    /// How many scans of `owner` wait to be sent.
    pub fn pending_for(&self, owner: &str) -> usize {
        self.events.iter().filter(|q| q.owner == owner).count()
    }

    /// The oldest [`BATCH`] scans of `owner`.
    pub fn batch_for(&self, owner: &str) -> Vec<QueuedScan> {
        self.events
            .iter()
            .filter(|q| q.owner == owner)
            .take(BATCH)
            .map(|q| q.scan.clone())
            .collect()
    }

    /// Drops every event the server answered (recorded, duplicate or refused: each is settled
    /// for good); returns how many.
    pub fn settle(&mut self, results: &[QueuedScanResult]) -> usize {
        let before = self.events.len();
        self.events
            .retain(|q| !results.iter().any(|r| r.event_id == q.scan.event_id));
        before - self.events.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statuspass_shared::api::{QueuedOutcome, QueuedRefusal};

    fn ogrn() -> Ogrn {
        Ogrn::parse("1027700012340").unwrap()
    }

    fn result(event_id: Uuid, outcome: QueuedOutcome) -> QueuedScanResult {
        QueuedScanResult {
            event_id,
            outcome,
            reason: (outcome == QueuedOutcome::Refused).then_some(QueuedRefusal::Forged),
            scanned_at: None,
        }
    }

    #[test]
    fn events_carry_sequence_time_and_offset_and_are_kept_per_owner() {
        let mut q = OfflineQueue::default();
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        q.push("demo:staff-active", a, &ogrn(), "link-a", 1_000.4, -250.0);
        q.push("demo:staff-active", b, &ogrn(), "link-b", 2_000.0, -250.0);
        q.push("demo:admin-a", c, &ogrn(), "link-c", 3_000.0, 0.0);
        assert_eq!(q.pending_for("demo:staff-active"), 2);
        assert_eq!(q.pending_for("demo:admin-a"), 1);
        let batch = q.batch_for("demo:staff-active");
        assert_eq!(
            batch
                .iter()
                .map(|s| (
                    s.event_id,
                    s.device_seq,
                    s.device_time_ms,
                    s.clock_offset_ms
                ))
                .collect::<Vec<_>>(),
            [(a, 0, 1_000, -250), (b, 1, 2_000, -250)]
        );
        assert_eq!(batch[0].on_behalf_of, "1027700012340");
    }

    #[test]
    fn the_same_event_is_queued_once() {
        let mut q = OfflineQueue::default();
        let a = Uuid::new_v4();
        q.push("me", a, &ogrn(), "link", 1.0, 0.0);
        q.push("me", a, &ogrn(), "link", 2.0, 0.0);
        assert_eq!(q.pending_for("me"), 1);
    }

    #[test]
    fn every_answered_event_is_dropped_and_the_rest_kept() {
        let mut q = OfflineQueue::default();
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        for (i, id) in ids.iter().enumerate() {
            q.push("me", *id, &ogrn(), "link", i as f64, 0.0);
        }
        let answered = [
            result(ids[0], QueuedOutcome::Recorded),
            result(ids[1], QueuedOutcome::Duplicate),
            result(ids[2], QueuedOutcome::Refused),
        ];
        assert_eq!(q.settle(&answered), 3);
        assert_eq!(
            q.batch_for("me")
                .iter()
                .map(|s| s.event_id)
                .collect::<Vec<_>>(),
            [ids[3]]
        );
        assert_eq!(q.settle(&answered), 0, "settling again changes nothing");
    }

    #[test]
    fn a_batch_holds_at_most_batch_events_oldest_first() {
        let mut q = OfflineQueue::default();
        for i in 0..(BATCH + 7) {
            q.push("me", Uuid::new_v4(), &ogrn(), "link", i as f64, 0.0);
        }
        let batch = q.batch_for("me");
        assert_eq!(batch.len(), BATCH);
        assert_eq!(batch[0].device_seq, 0);
    }
}
