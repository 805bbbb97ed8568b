-- Organization API keys: a machine credential for one org's endpoints,
-- with a subset of its creator's permissions. Only the SHA-256 of the key
-- is stored; `prefix` is its visible start ("odk_" and 8 characters), shown
-- in lists so people can tell keys apart.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    -- space-separated, like roles.permissions
    permissions  TEXT NOT NULL,
    -- the person who created it (directly, or through a key of theirs)
    created_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_org ON api_keys(org_id, created_at);
CREATE INDEX api_keys_creator ON api_keys(org_id, created_by);
