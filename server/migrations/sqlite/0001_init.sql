-- Passes kept in the database (embedded setup). Times are Unix milliseconds.
-- `holder` is the registry answer (JSON); it is set to NULL when the pass expires, leaving a
-- bare tombstone (id + times) so a late scan says «expired» until `forget_at`.
CREATE TABLE passes (
    id TEXT PRIMARY KEY NOT NULL,
    holder TEXT,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    forget_at BIGINT NOT NULL
);
CREATE INDEX passes_live_expiry ON passes (expires_at) WHERE holder IS NOT NULL;
CREATE INDEX passes_forget_at ON passes (forget_at);

-- Which pass a person holds now; `person` is a one-way hash of the signed-in subject.
CREATE TABLE person_passes (
    person TEXT PRIMARY KEY NOT NULL,
    pass_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE organizations (
    ogrn TEXT PRIMARY KEY NOT NULL,
    full_name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    contact_email TEXT,
    created_at BIGINT NOT NULL
);
