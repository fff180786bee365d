-- The offline tokens' Ed25519 signing keys (issue 12), shared by every instance through the
-- database. `secret` is the 32-byte private seed in hex: never logged, never served; only
-- `public_key` is published (`GET /api/keys`). One row has `valid_from` set and `valid_until`
-- NULL (the current key); one has both NULL (the next key, published ahead of use); retired
-- keys have both set (Unix ms).
CREATE TABLE token_keys (
    kid BIGINT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    valid_from BIGINT,
    valid_until BIGINT
);
