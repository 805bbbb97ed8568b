-- An org's open invitations page by (expires_at, id): the index carries the
-- id too, so a page is an index range in order, with no sort (the plan test
-- in tests/api/plans.rs caught PostgreSQL sorting here).
CREATE INDEX invitations_org_open ON invitations(org_id, status, expires_at, id);
DROP INDEX invitations_org_expiry;
