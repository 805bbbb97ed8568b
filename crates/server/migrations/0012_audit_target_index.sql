-- A member's (or an invitation's, a role's) trail in one org, newest first:
-- the member pane asks for it; without this index the query walks the org's
-- whole log.
CREATE INDEX audit_org_target_time ON audit_events(org_id, target, at, id);
