-- Webhooks (Standard Webhooks). No signing secret is stored: each one is
-- derived from the operator's --webhook-secret-key, the endpoint's id and
-- its `secret_generation`; rotating bumps the generation, and the previous
-- one still signs until `previous_secret_until`.
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    -- the event types it receives, each with a space on both sides
    -- (" member.added invitation.created "), or " * " for every type
    event_types           TEXT NOT NULL,
    enabled               BIGINT NOT NULL,
    -- why it was disabled automatically (NULL: enabled, or disabled by a person)
    disabled_reason       TEXT,
    secret_generation     BIGINT NOT NULL,
    previous_secret_until BIGINT,
    -- the first failure of its current run of consecutive failures
    failing_since         BIGINT,
    created_by            TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints(org_id, created_at);

-- The webhook outbox: one delivery per (endpoint, event), written in the
-- event's transaction. `message_id` is the webhook-id header: the event's
-- id, the same on every retry and on a replay. `body` is exactly what is
-- signed and sent. A worker leases a due delivery by moving its
-- `next_attempt_at` (compare-and-set), so replicas never send it at once.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    -- no foreign key: a change committing while its org's endpoint is being
    -- deleted must not fail on it (that delivery is never sent); deleting
    -- an endpoint deletes its deliveries, the janitor prunes any left over
    endpoint_id     TEXT NOT NULL,
    org_id          TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at);

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    id               TEXT PRIMARY KEY,
    delivery_id      TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt          BIGINT NOT NULL,
    at               BIGINT NOT NULL,
    status_code      BIGINT,
    duration_ms      BIGINT NOT NULL,
    error            TEXT,
    response_excerpt TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempt);
