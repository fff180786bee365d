-- Monthly reports. A row is the claim: (ogrn, period_start) is unique, so two instances or a
-- restart cannot create the same report twice. `archive` (zip of workbook, signature,
-- certificate) is built once and kept, so a retry sends the same bytes and admins can download
-- it. Sending is leased (`lease_owner`, `lease_until`) so one instance sends at a time; a crashed
-- sender's lease runs out and another retries.
CREATE TABLE reports (
    id TEXT PRIMARY KEY NOT NULL,
    ogrn TEXT NOT NULL REFERENCES organizations (ogrn) ON DELETE CASCADE,
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent')),
    rows_count BIGINT,
    file_name TEXT,
    archive BYTEA,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    sent_to TEXT,
    UNIQUE (ogrn, period_start)
);
CREATE INDEX reports_pending ON reports (status, next_attempt_at);
