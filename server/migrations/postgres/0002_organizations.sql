-- Members of organizations. `subject` is the identity provider's stable id.
CREATE TABLE members (
    ogrn TEXT NOT NULL REFERENCES organizations (ogrn) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (ogrn, subject, role)
);
CREATE INDEX members_subject ON members (subject);

-- Delegations (машиночитаемые доверенности). Times are Unix milliseconds.
CREATE TABLE delegations (
    id TEXT PRIMARY KEY NOT NULL,
    ogrn TEXT NOT NULL REFERENCES organizations (ogrn) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    power_code TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    revoked_at BIGINT,
    issued_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX delegations_subject ON delegations (subject, ogrn);
CREATE INDEX delegations_ogrn ON delegations (ogrn);

-- The scan ledger: exactly scan id, OGRN and the moment of the scan (its date and time).
-- Rows are deleted 90 days after the scan.
CREATE TABLE ledger (
    scan_id TEXT PRIMARY KEY NOT NULL,
    ogrn TEXT NOT NULL,
    scanned_at BIGINT NOT NULL
);
CREATE INDEX ledger_ogrn_time ON ledger (ogrn, scanned_at);
CREATE INDEX ledger_time ON ledger (scanned_at);
