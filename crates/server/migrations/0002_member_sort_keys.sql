-- Keyset pages of a large org must not sort all its members per request:
-- each sort order gets an index that starts with the org. The name order
-- needs the name beside the membership, so it is copied here (lowercase) and
-- kept current when a user renames themselves.
ALTER TABLE memberships ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
UPDATE memberships SET sort_name = (SELECT LOWER(u.name) FROM users u WHERE u.id = memberships.user_id);
CREATE INDEX memberships_org_name ON memberships(org_id, sort_name, user_id);
CREATE INDEX memberships_org_active ON memberships(org_id, (COALESCE(last_active_at, 0)), user_id);
