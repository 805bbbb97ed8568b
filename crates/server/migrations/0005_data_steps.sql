-- One-off data steps that need Rust (see Db::connect): each runs once and is
-- recorded here. The first recomputes email keys with NFKC and case folding.
CREATE TABLE data_steps (
    name       TEXT PRIMARY KEY,
    applied_at BIGINT NOT NULL
);
