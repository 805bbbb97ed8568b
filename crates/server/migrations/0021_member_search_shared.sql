-- The word index (0017) learns, for each term, how many leading bytes it
-- shares with the member's own name (`shared`). A term starting with a
-- prefix q belongs to a member whose name starts with q exactly when
-- `shared >= length(q)`, so the name order's search, which reads those
-- members from the name index, reads the others from the word index as
-- `shared IN (0, …, length(q) - 1)` ranges of `member_search_shared`
-- instead of reading the whole term range and dropping them (for "ada",
-- the whole name and the email term of each of 2,500 "ada …" members).
-- The rows are rewritten with their `shared` by the data step
-- "member_search_shared" when the server starts.
ALTER TABLE member_search ADD COLUMN shared BIGINT NOT NULL DEFAULT 0;
CREATE INDEX member_search_shared ON member_search(org_id, shared, term, user_id);
