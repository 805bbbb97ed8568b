-- Teams: named groups of an organization's members. A team member is a
-- membership of the same org: removing someone from the org removes them
-- from its teams in the same statement (the foreign key cascades).
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    -- the name compared without case: one team of a name per org
    name_key   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_org_name ON teams(org_id, name_key);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    org_id   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_user ON team_members(user_id, org_id);
