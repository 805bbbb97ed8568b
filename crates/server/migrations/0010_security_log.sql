-- Every sign-in, failed attempt, password reset and session revocation of
-- an account. The person sees their own, with networks and devices; an org
-- admin sees only the times of a member's sign-ins.
CREATE TABLE security_events (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('sign_in', 'sign_in_failed', 'password_reset', 'session_revoked', 'signed_out')),
    at         BIGINT NOT NULL,
    ip         TEXT,
    user_agent TEXT
);
CREATE INDEX security_events_user_time ON security_events(user_id, at, id);
