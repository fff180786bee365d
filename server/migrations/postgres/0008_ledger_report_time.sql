-- The instant a ledger row counts for in the organization's reports. For a scan recorded as it
-- happens it is the scan time; for a scan made offline and uploaded after the report of its
-- period was claimed it is the end of that period, so the next report carries it (with its real
-- scan date and time) instead of no report at all.
ALTER TABLE ledger ADD COLUMN report_at BIGINT;
UPDATE ledger SET report_at = scanned_at;
CREATE INDEX ledger_ogrn_report_time ON ledger (ogrn, report_at);
