-- The event log: one domain event (`member.added`, `invitation.expired`, …)
-- per change, written in the change's transaction by the same call that
-- writes its audit event. `id` is a UUIDv7 (time-ordered); `payload` is the
-- event's JSON object. Like audit events, events outlive the org row (no
-- foreign key), so `org.deleted` stays readable.
CREATE TABLE events (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL,
    type    TEXT NOT NULL,
    payload TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX events_org_at ON events(org_id, at, id);
CREATE INDEX events_at ON events(at, id);

-- When the janitor wrote an invitation's `invitation.expired` event (NULL:
-- not yet). Set once per lifetime; a resend clears it. Invitations answered
-- before this migration never get one.
ALTER TABLE invitations ADD COLUMN expiry_event_at BIGINT;
UPDATE invitations SET expiry_event_at = expires_at WHERE status IN ('accepted', 'declined', 'revoked');
CREATE INDEX invitations_expiry_events ON invitations(expires_at) WHERE expiry_event_at IS NULL;

-- Who acted, when it was not a person: "API key <name>" (`actor_id` then
-- holds the key's id).
ALTER TABLE audit_events ADD COLUMN actor_label TEXT;
