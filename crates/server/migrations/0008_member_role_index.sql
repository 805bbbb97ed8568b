-- A role filter pages through the members who hold that role, in name order
-- (the list's default): an index per (org, role) in that order, so a rare
-- role does not walk the whole org's name index.
CREATE INDEX memberships_org_role_name ON memberships(org_id, role, sort_name, user_id);
