-- Partner relationships: the partner org may act in the customer org with
-- the relationship's roles until `ends_at`, through the partner teams it
-- assigns them to. Delegated access is resolved per request from these rows
-- (`store::partners::delegated_access`): nothing is copied into memberships.
CREATE TABLE partner_relationships (
    id                 TEXT PRIMARY KEY,
    partner_org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    customer_org_id    TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    -- requested | active | ended | expired ('active' past ends_at is expired)
    status             TEXT NOT NULL CHECK (status IN ('requested', 'active', 'ended', 'expired')),
    ends_at            BIGINT NOT NULL,
    requested_by       TEXT REFERENCES users(id) ON DELETE SET NULL,
    -- the SHA-256 of the request link's token (requested only)
    request_token_hash TEXT UNIQUE,
    created_at         BIGINT NOT NULL,
    accepted_at        BIGINT,
    ended_at           BIGINT,
    -- the org whose side ended it
    ended_by_org_id    TEXT,
    -- 1 when the partner created the customer org ("Create customer workspace")
    created_workspace  BIGINT NOT NULL DEFAULT 0,
    -- the hand-off invitation of a created workspace, and when it was accepted
    handoff_invitation_id TEXT,
    handed_off_at      BIGINT,
    -- set once by the janitor when the expiry's events are written
    expiry_noticed_at  BIGINT,
    version            BIGINT NOT NULL DEFAULT 1,
    CHECK (partner_org_id <> customer_org_id)
);
-- One open (requested or active) relationship per partner and customer.
CREATE UNIQUE INDEX partner_relationships_one_open
    ON partner_relationships(partner_org_id, customer_org_id) WHERE status IN ('requested', 'active');
CREATE INDEX partner_relationships_customer ON partner_relationships(customer_org_id, status);
CREATE INDEX partner_relationships_partner ON partner_relationships(partner_org_id, status);

-- The customer's roles a relationship grants. A role deleted in the customer
-- org leaves every relationship that granted it.
CREATE TABLE partner_roles (
    relationship_id TEXT NOT NULL REFERENCES partner_relationships(id) ON DELETE CASCADE,
    customer_org_id TEXT NOT NULL,
    role_key        TEXT NOT NULL CHECK (role_key <> 'owner'),
    PRIMARY KEY (relationship_id, role_key),
    FOREIGN KEY (customer_org_id, role_key) REFERENCES roles(org_id, role_key) ON DELETE CASCADE
);

-- Which partner team holds which of the relationship's roles.
CREATE TABLE partner_assignments (
    relationship_id TEXT NOT NULL,
    role_key        TEXT NOT NULL,
    team_id         TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    PRIMARY KEY (relationship_id, team_id, role_key),
    FOREIGN KEY (relationship_id, role_key) REFERENCES partner_roles(relationship_id, role_key) ON DELETE CASCADE
);
CREATE INDEX partner_assignments_team ON partner_assignments(team_id);
