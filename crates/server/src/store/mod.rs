//! The store: every SQL statement of the server, one module per noun, behind
//! functions with typed arguments and typed rows. Domain modules hold the
//! rules (validation, permissions, audit decisions, error mapping) and call
//! these; `crate::db` holds the pool, the transactions, the `Sql` builder and
//! the constraint table. Statements are written once, in portable SQL with
//! `$n` placeholders, for SQLite and PostgreSQL; the hot reads also run on
//! SQLite's read connections (`Db::read`) with the same text.

pub mod accounts;
pub mod audit;
pub mod data_steps;
pub mod idempotency;
pub mod invitations;
pub mod memberships;
pub mod oidc;
pub mod orgs;
pub mod outbox;
pub mod rate_limits;
pub mod roles;
pub mod security_log;
pub mod sessions;
pub mod tokens;

pub use sqlx::any::AnyExecutor as Executor;

/// What every store function answers: the rows, or the database's error
/// (read with `db::violation` where a constraint decides).
pub type Result<T> = std::result::Result<T, sqlx::Error>;

/// Fresh planner statistics for every table (after bulk writes, so the
/// planners use the member-list indexes at once).
pub async fn analyze(db: impl Executor<'_>) -> Result<()> {
    sqlx::query("ANALYZE").execute(db).await.map(|_| ())
}

/// Escapes LIKE wildcards in user input (the statements use `ESCAPE '\'`)
/// and appends `%`: the prefix rule of every name and email search.
pub fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `<head>($2, $3, …)<tail>` with `$1` = `first` and the list after it.
fn in_list(head: &str, first: &str, list: &[&str], tail: &str) -> crate::db::Sql {
    let mut sql = crate::db::Sql::new(head);
    sql.bind_value(first);
    sql.push("(");
    for (i, item) in list.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*item);
    }
    sql.push(")").push(tail);
    sql
}

#[cfg(test)]
mod tests {
    /// What marks SQL or running it: sqlx's query functions, the `Sql`
    /// builder, fetching and executing, the read path, and statement keywords
    /// at the start of a string.
    const SQL_MARKS: &[&str] = &[
        "sqlx::query",
        "sqlx::raw_sql",
        "query_scalar",
        "query_as",
        "Sql::new(",
        ".query()",
        ".fetch_all(",
        ".fetch_one(",
        ".fetch_optional(",
        ".execute(",
        "db.read(",
        "\"SELECT ",
        "\"INSERT INTO",
        "\"UPDATE ",
        "\"DELETE FROM",
        "\"WITH ",
    ];

    /// SQL lives in `src/store/` (and `src/db.rs`: the pool's pragmas, the
    /// ping and the `Sql` builder). Anywhere else it fails this test: add a
    /// typed store function instead.
    #[test]
    fn sql_lives_in_the_store() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut found = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                if path == src.join("store") {
                    continue;
                }
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path == src.join("db.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if let Some(mark) = SQL_MARKS.iter().find(|m| line.contains(*m)) {
                    found.push(format!("{}:{}: {mark}", path.strip_prefix(&src).unwrap().display(), n + 1));
                }
            }
        }
        found.sort();
        assert!(found.is_empty(), "SQL outside src/store (move it into a store function):\n{}", found.join("\n"));
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::like_prefix("a_b%"), "a\\_b\\%%");
    }
}
