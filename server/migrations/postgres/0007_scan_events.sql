-- Organization scans by the scanner's event id (a UUID v4 made on the device for each scan, kept
-- across retries and the offline queue): at most one ledger row per event, and a retry gets the
-- first verdict. Only the verdict is kept (result, status kind, whether it was recorded), never
-- the bearer's initials or birth year. Deleted with the ledger, 90 days after the scan.
CREATE TABLE scan_events (
    event_id TEXT PRIMARY KEY NOT NULL,
    ogrn TEXT NOT NULL,
    result TEXT NOT NULL,
    status_kind TEXT,
    recorded BIGINT NOT NULL,
    scanned_at BIGINT NOT NULL
);
CREATE INDEX scan_events_time ON scan_events (scanned_at);
