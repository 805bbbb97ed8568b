-- Rate limits count and record under one locked row per bucket (see
-- src/rate_limit.rs); an event carries the id of the reservation that wrote
-- it and how many events it stands for.
CREATE TABLE rate_buckets (
    bucket    TEXT PRIMARY KEY,
    locked_at BIGINT NOT NULL
);
ALTER TABLE rate_events ADD COLUMN id TEXT;
ALTER TABLE rate_events ADD COLUMN weight BIGINT NOT NULL DEFAULT 1;
CREATE INDEX rate_events_id ON rate_events(id);

-- Idempotency keys: status 0 marks a request still running; request_hash
-- tells a retry from a different request under a reused key.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
-- Stored answers held invitation links, that is live tokens: drop them. The
-- answers stored from now on hold no secret.
DELETE FROM idempotency_keys;
