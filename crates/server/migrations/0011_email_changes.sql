-- A change of address waits for the new address to prove itself: the link
-- (SHA-256 stored, single use, 3 days) carries the new address.
CREATE TABLE email_changes (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    new_email     TEXT NOT NULL,
    new_email_key TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
