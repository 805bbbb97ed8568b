-- Orgdesk schema. Portable SQL: the same statements run on SQLite and
-- PostgreSQL. Ids are UUIDv7 text, times are Unix milliseconds (BIGINT),
-- flags are 0/1 integers. Applied migrations are never edited: add a new file.

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    -- lowercase email: the case-insensitive uniqueness key
    email_key       TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    email_verified_at BIGINT,
    created_at      BIGINT NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SHA-256 of the token; the token itself is never stored
    token_hash   TEXT NOT NULL UNIQUE,
    device_name  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE orgs (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    default_language TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    invitation_lifetime_days BIGINT NOT NULL CHECK (invitation_lifetime_days BETWEEN 1 AND 30),
    personal         BIGINT NOT NULL DEFAULT 0,
    logo_type        TEXT,
    -- base64 of the image: keeps one column type for both databases
    logo_data        TEXT,
    created_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);

-- Every org's roles: the five built-in ones (permissions come from code) and
-- its custom ones. Memberships and invitations reference a role row, so a
-- role cannot be deleted while anyone holds it.
CREATE TABLE roles (
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    role_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    builtin     BIGINT NOT NULL DEFAULT 0,
    -- space-separated permission names, custom roles only
    permissions TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, role_key)
);

CREATE TABLE memberships (
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    joined_at      BIGINT NOT NULL,
    last_active_at BIGINT,
    version        BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, user_id),
    -- the owner is never disabled
    CHECK (role <> 'owner' OR status = 'active'),
    FOREIGN KEY (org_id, role) REFERENCES roles(org_id, role_key)
);
-- The database itself refuses a second owner.
CREATE UNIQUE INDEX memberships_one_owner ON memberships(org_id) WHERE role = 'owner';
CREATE INDEX memberships_user ON memberships(user_id);
CREATE INDEX memberships_org_joined ON memberships(org_id, joined_at, user_id);

CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL,
    role          TEXT NOT NULL,
    invited_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_sent_at  BIGINT NOT NULL,
    send_count    BIGINT NOT NULL DEFAULT 1,
    -- no foreign key on role: answered invitations keep the key of a role
    -- that may be deleted later; deleting a role checks pending ones
    responded_at  BIGINT
);
-- At most one pending invitation per address and org.
CREATE UNIQUE INDEX invitations_one_pending ON invitations(org_id, email_key) WHERE status = 'pending';
CREATE INDEX invitations_org_expiry ON invitations(org_id, status, expires_at);
CREATE INDEX invitations_email ON invitations(email_key, status);

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    before_data TEXT,
    after_data  TEXT,
    at          BIGINT NOT NULL,
    ip          TEXT,
    user_agent  TEXT
);
-- Audit events outlive the org row on purpose: no foreign key.
CREATE INDEX audit_org_time ON audit_events(org_id, at, id);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    to_email        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox(sent_at, next_attempt_at);

-- Sliding-window rate limits shared by every replica: one row per counted event.
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events(bucket, at);

CREATE TABLE idempotency_keys (
    user_id    TEXT NOT NULL,
    scope      TEXT NOT NULL,
    idem_key   TEXT NOT NULL,
    status     BIGINT NOT NULL,
    response   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, scope, idem_key)
);
