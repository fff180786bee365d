-- Server-side sessions: the cookie carries only a random key; `key_hash` is its SHA-256, so a
-- copy of this table gives no live session. `state` is the session's JSON; a row past
-- `expires_at` (Unix ms, the idle deadline, moved on every request) is dead and swept.
CREATE TABLE sessions (
    key_hash TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Members invited by СНИЛС before their first sign-in carry `snils`; until that sign-in their
-- `subject` is a placeholder `pending:{uuid}`, replaced by the real subject when a confirmed
-- account with that СНИЛС signs in.
ALTER TABLE members ADD COLUMN snils TEXT;
CREATE INDEX members_snils ON members (snils);
