//! The store: every SQL statement of the server, one module per noun, behind
//! functions with typed arguments and typed rows. Domain modules hold the
//! rules (validation, permissions, audit decisions, error mapping) and call
//! these; `crate::db` holds the pools, the transactions, the `Sql` builder and
//! the constraint table. Statements are written once, in portable SQL with
//! `$n` placeholders, for SQLite and PostgreSQL; the hot reads also run on
//! SQLite's read connections (`Db::read`) with the same text.
//!
//! # Typed per backend, written once
//!
//! There is no `Any` driver: `db.pool` is a `SqlitePool` or a `PgPool`, and
//! [`Conn`] is the pool's or a transaction's connection of either. A store
//! function takes `db: impl Executor<'_>` (the pool, a `&mut Conn`, or another
//! store function's typed connection) or `conn: &mut Conn`, and wraps its
//! body in [`on!`], which rebinds the name to the driver's typed connection
//! and compiles the body once per backend:
//!
//! ```ignore
//! pub async fn revoke(db: impl Executor<'_>, id: &str, at: i64) -> Result<bool> {
//!     on!(db, |db| {
//!         let done = sqlx::query("UPDATE invitations SET status = 'revoked' WHERE id = $1 AND status = 'pending'")
//!             .bind(id)
//!             .execute(db)
//!             .await?;
//!         Ok(done.rows_affected() == 1)
//!     })
//! }
//! ```
//!
//! Converting a function written for the old `Any` pool is mechanical: keep
//! the signature, put `on!(db, |db| {` before the body and `})` after it (use
//! the parameter's own name: `on!(conn, |conn| { … })`), and `use super::on;`
//! in the module. Inside, the body stays as it was: `sqlx::query(…)`,
//! `query_as`, `query_scalar`, `Sql::query()`/`query_as()` (generic over the
//! driver, inferred from the executor), `&mut *conn` to run several
//! statements or to call other store functions. What the body returns must
//! be one type on both backends: row structs derive `sqlx::FromRow` (generic
//! over the row type, `#[sqlx(flatten)]` included), scalars and tuples of
//! `String`/`i64`/`Option`, `rows_affected()`; never the driver's
//! `SqliteQueryResult`/`PgQueryResult` or rows. Values bind as `&str`,
//! `String`, `i64` and their `Option`s (both drivers encode those; store
//! flags as 0/1 `i64`). A function that takes `db: &Db` for SQLite's read
//! path runs its PostgreSQL fallback as `on!(&db.pool, |e| …)`.
//!
//! Two things the conversion can trip on. Inside `on!` the name is the
//! driver's connection, not a `Conn`: a store function called from inside
//! another one takes `impl Executor<'_>`, not `&mut Conn`. And the typed
//! PostgreSQL driver decodes an `i64` only from `BIGINT`: an expression
//! PostgreSQL types `INTEGER` (a literal, a `CASE` of literals, `LENGTH`)
//! needs `CAST(… AS BIGINT)` (the `Any` driver converted it silently).
//! `COUNT(*)` and the schema's columns are `BIGINT` already. The API tests
//! reach the typed pool through `on_pool!(app, |p| …)` (`tests/api/main.rs`).

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod data_steps;
pub mod events;
pub mod idempotency;
pub mod invitations;
pub mod member_search;
pub mod memberships;
pub mod oidc;
pub mod orgs;
pub mod outbox;
pub mod partners;
pub mod rate_limits;
pub mod roles;
pub mod security_log;
pub mod sessions;
pub mod teams;
pub mod tokens;
pub mod webhooks;

/// What a store function runs on: the pool (`&db.pool`), a connection
/// (`&mut Conn`), or, inside another store function's `on!`, the driver's
/// typed connection.
pub trait Executor<'c>: Send {
    fn into_exec(self) -> Exec<'c>;
}

/// What an [`Executor`] hands to `on!`.
pub enum Exec<'c> {
    Pool(&'c crate::db::Pool),
    Conn(&'c mut Conn),
    Typed(Typed<'c>),
}

impl<'c> Executor<'c> for &'c crate::db::Pool {
    fn into_exec(self) -> Exec<'c> {
        Exec::Pool(self)
    }
}

impl<'c> Executor<'c> for &'c mut Conn {
    fn into_exec(self) -> Exec<'c> {
        Exec::Conn(self)
    }
}

impl<'c> Executor<'c> for &'c mut crate::db::Pooled {
    fn into_exec(self) -> Exec<'c> {
        Exec::Conn(self)
    }
}

impl<'c> Executor<'c> for &'c mut sqlx::SqliteConnection {
    fn into_exec(self) -> Exec<'c> {
        Exec::Typed(Typed::Sqlite(self))
    }
}

impl<'c> Executor<'c> for &'c mut sqlx::PgConnection {
    fn into_exec(self) -> Exec<'c> {
        Exec::Typed(Typed::Postgres(self))
    }
}

/// `on!(db, |db| body)`: runs `body` with `db` rebound to the driver's typed
/// connection (`&mut SqliteConnection` or `&mut PgConnection`; from the pool
/// when `db` is `&db.pool`). The body is written once and compiled for each
/// backend, so it must have one type on both: a row struct with
/// `#[derive(sqlx::FromRow)]` (generic over the row type), a scalar, or
/// `rows_affected()`, never the driver's own result or row types. Inside
/// the body, `db` is itself an [`Executor`], so store functions call each
/// other with `&mut *db` as before. Fails with the pool's error when no
/// connection could be had.
macro_rules! on {
    ($db:expr, |$e:ident| $body:expr) => {{
        #[allow(unused_mut)]
        let mut held: Option<$crate::db::Conn> = None;
        let typed = match $crate::store::Executor::into_exec($db) {
            $crate::store::Exec::Pool(pool) => held.insert(pool.acquire().await?.0).typed(),
            $crate::store::Exec::Conn(conn) => conn.typed(),
            $crate::store::Exec::Typed(typed) => typed,
        };
        match typed {
            $crate::db::Typed::Sqlite($e) => $body,
            $crate::db::Typed::Postgres($e) => $body,
        }
    }};
}
pub(crate) use on;

use crate::db::Typed;

/// A connection: a write transaction's (`WriteTx::conn`) or the pool's
/// (`db.pool.acquire()`). Domain functions pass it through; only the store
/// runs statements on it.
pub type Conn = crate::db::Conn;

/// What a store function fails with (read with `db::violation` where a
/// constraint decides).
pub type Error = sqlx::Error;

pub type Result<T> = std::result::Result<T, Error>;

/// Fresh planner statistics for every table (after bulk writes, so the
/// planners use the member-list indexes at once). On SQLite only the row
/// counts per index (`sqlite_stat1`) are kept, not the STAT4 samples: the
/// bundled SQLite is built with STAT4, and with samples for an index every
/// statement that binds a value compared to it is prepared again at its
/// first step after each new binding (docs/benchmarks.md, "Statements
/// prepared again").
pub async fn analyze(db: &crate::db::Db) -> Result<()> {
    on!(&db.pool, |e| sqlx::query("ANALYZE").execute(e).await.map(|_| ()))?;
    if db.backend == crate::db::Backend::Sqlite {
        on!(&db.pool, |e| {
            sqlx::query("DELETE FROM sqlite_stat4").execute(&mut *e).await?;
            // Other connections load the statistics with the schema; this one reloads them.
            sqlx::query("ANALYZE sqlite_schema").execute(e).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// PostgreSQL only: whether the database's default collation orders text by
/// code point (C, POSIX, C.UTF-8 of libc, or the builtin provider), as
/// SQLite always does. Then a prefix is a range of a text index (the name
/// order's seek of a search, `memberships::SearchPlan`); under another
/// collation that range would not be the prefix's rows.
pub async fn pg_text_by_code_point(pool: &crate::db::Pool) -> Result<bool> {
    on!(pool, |e| {
        let (collate, provider): (String, String) = sqlx::query_as(
            "SELECT datcollate, COALESCE(to_jsonb(d) ->> 'datlocprovider', 'c') FROM pg_database d \
             WHERE datname = current_database()",
        )
        .fetch_one(e)
        .await?;
        Ok(provider == "b" || (provider == "c" && matches!(collate.as_str(), "C" | "POSIX" | "C.UTF-8" | "C.utf8")))
    })
}

/// `SAVEPOINT <name>` inside the current transaction (both databases); `name`
/// is a fixed identifier from the code, never input.
pub async fn savepoint(conn: &mut Conn, name: &'static str) -> Result<()> {
    on!(conn, |conn| sqlx::query(&format!("SAVEPOINT {name}")).execute(conn).await.map(|_| ()))
}

pub async fn release_savepoint(conn: &mut Conn, name: &'static str) -> Result<()> {
    on!(conn, |conn| sqlx::query(&format!("RELEASE SAVEPOINT {name}")).execute(conn).await.map(|_| ()))
}

/// Undoes what ran since `savepoint(name)`; the transaction goes on.
pub async fn rollback_to_savepoint(conn: &mut Conn, name: &'static str) -> Result<()> {
    on!(conn, |conn| sqlx::query(&format!("ROLLBACK TO SAVEPOINT {name}")).execute(conn).await.map(|_| ()))
}

/// Escapes LIKE wildcards in user input (the statements use `ESCAPE '\'`)
/// and appends `%`: the prefix rule of every name and email search.
fn like_prefix(s: &str) -> String {
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

    /// `file:line: mark` for every line of `src/**/*.rs` outside `src/store/`
    /// and the `allowed` files that contains one of `marks`.
    fn marks_outside_the_store(marks: &[&str], allowed: &[&str]) -> Vec<String> {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut found = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                if path != src.join("store") {
                    files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                }
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            if path.extension().is_none_or(|e| e != "rs") || allowed.contains(&relative.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if let Some(mark) = marks.iter().find(|m| line.contains(*m)) {
                    found.push(format!("{relative}:{}: {mark}", n + 1));
                }
            }
        }
        found.sort();
        found
    }

    /// SQL lives in `src/store/` (and `src/db.rs`: the pool's pragmas, the
    /// ping and the `Sql` builder). Anywhere else it fails this test: add a
    /// typed store function instead.
    #[test]
    fn sql_lives_in_the_store() {
        let found = marks_outside_the_store(SQL_MARKS, &["db.rs"]);
        assert!(found.is_empty(), "SQL outside src/store (move it into a store function):\n{}", found.join("\n"));
    }

    /// Domain modules name the store's `Conn`, `Error` and `Result`, never
    /// the driver, so replacing it touches the store and `db.rs` only (and
    /// `error.rs`, which sorts the driver's errors into API answers).
    #[test]
    fn the_driver_stays_behind_the_store() {
        let found = marks_outside_the_store(&["sqlx::", "use sqlx"], &["db.rs", "error.rs"]);
        assert!(
            found.is_empty(),
            "the driver named outside src/store (use store::Conn, store::Result):\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::like_prefix("a_b%"), "a\\_b\\%%");
    }
}
