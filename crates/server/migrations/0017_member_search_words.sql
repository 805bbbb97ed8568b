-- Prefix search of an org's members by the words of their names: one row
-- per (org, term, member), where the terms of a membership are its
-- lower-case name from each word on (the whole name, and after each space
-- the rest of it) and the member's email key. `name` is the membership's
-- sort name, so a search can leave out the members whose name itself starts
-- with the prefix (those it reads from the name index, in order) without
-- reading their rows. "zoe ahm" is then one range
-- of this table's index (the members whose name has a word starting
-- "zoe ahm", or whose email does), read before the member rows, instead of
-- a walk of the org's name order. Terms are stored as UTF-8 bytes, so a
-- prefix is the same byte range on SQLite and on PostgreSQL whatever the
-- database's collation. The server writes the rows with every write that
-- changes a membership, a name or an email key, in the same transaction;
-- removing a membership (or its org, or its user) removes them through the
-- foreign key. Existing memberships are indexed by the data step
-- "member_search_terms" when the server starts (the terms are computed in
-- Rust: splitting names and encoding bytes differ between the two SQL
-- dialects).
CREATE TABLE member_search (
    org_id  TEXT NOT NULL,
    term    BYTEA NOT NULL,
    name    BYTEA NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (org_id, term, name, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE
);
-- A membership's terms, to replace them and for the foreign key's cascade.
CREATE INDEX member_search_member ON member_search(org_id, user_id);
