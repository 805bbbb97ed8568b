-- Password reset links: the token's SHA-256, single use, 30 minutes. A
-- request for an address without an account writes a row too (user_id NULL,
-- never sent), so both answers cost the same work.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_created ON password_resets(created_at);

-- Networks an account signed in from: a stranger's failed attempts from
-- elsewhere do not lock the owner out of a network they used before.
CREATE TABLE signin_sources (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ip      TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, ip)
);
