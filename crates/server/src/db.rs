//! The database layer under the store: a typed sqlx pool per backend
//! (`SqlitePool` or `PgPool`, no `Any` driver), the store's connection type,
//! the migrations, write transactions, SQLite's read path, the `Sql` builder
//! and the constraint table. Dialect differences stay inside this module;
//! the statements themselves are in `crate::store`.

use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnection, SqlitePoolOptions};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    /// SQLite only: read connections that run statements on the calling
    /// blocking thread (see [`Db::read`]).
    readers: Option<Arc<Readers>>,
    /// Text compares by code point (always on SQLite; on PostgreSQL under a
    /// C collation, see `store::pg_text_by_code_point`).
    pub text_by_code_point: bool,
    /// SQLite has one writer at a time; taking this lock before `BEGIN` turns
    /// "database is locked" upgrade failures into an orderly queue.
    sqlite_writer: Arc<Mutex<()>>,
}

/// The pool of the configured backend, typed: statements run through
/// sqlx's own SQLite or PostgreSQL driver, rows decode straight from
/// `SqliteRow`/`PgRow` (no boxed `Any` calls, no `AnyRow` copies).
#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    /// A connection of the pool, back in the pool when dropped.
    pub async fn acquire(&self) -> Result<Pooled, sqlx::Error> {
        Ok(Pooled(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        }))
    }
}

/// A pool's connection, held by a domain function for a few statements
/// (`&mut conn` or `&mut *conn` is the `&mut Conn` the store takes).
pub struct Pooled(pub(crate) Conn);

impl std::ops::Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

/// The store's connection (`store::Conn`): the pool's, or a write
/// transaction's. Store functions run their statements on
/// [`Conn::typed`]'s driver connection.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
    SqliteTx(Transaction<'static, Sqlite>),
    PostgresTx(Transaction<'static, Postgres>),
}

/// A driver connection of either backend, borrowed for one statement or a
/// few (what `store::on!` matches on).
pub enum Typed<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn {
    pub fn typed(&mut self) -> Typed<'_> {
        match self {
            Conn::Sqlite(c) => Typed::Sqlite(c),
            Conn::Postgres(c) => Typed::Postgres(c),
            Conn::SqliteTx(t) => Typed::Sqlite(t),
            Conn::PostgresTx(t) => Typed::Postgres(t),
        }
    }
}

/// A write transaction. On SQLite it also holds the writer lock until commit
/// or drop; dropped without commit, it rolls back.
pub struct WriteTx {
    conn: Conn,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::SqliteTx(t) => t.commit().await,
            Conn::PostgresTx(t) => t.commit().await,
            // `Db::write` only builds the two above.
            Conn::Sqlite(_) | Conn::Postgres(_) => Ok(()),
        }
    }
}

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("--database-url must start with sqlite: or postgres:, not {:?}", redact_url(url));
        };
        let cannot_open = |e: sqlx::Error| anyhow::anyhow!("cannot open the database {}: {e}", redact_url(url));
        let migrator = sqlx::migrate!("./migrations");
        let migration_failed = |e: sqlx::migrate::MigrateError| anyhow::anyhow!("database migration failed: {e}");
        let pool = match backend {
            Backend::Sqlite => {
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(15))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = NORMAL",
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA busy_timeout = 10000",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(cannot_open)?;
                migrator.run(&pool).await.map_err(migration_failed)?;
                Pool::Sqlite(pool)
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(20)
                    .acquire_timeout(Duration::from_secs(15))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // No parallel workers: the API's reads return a
                            // page, and where the planner overestimates a
                            // range (a search's word index beside the name
                            // range) it launched one, which took a search
                            // "ada" from 1.4 to 8.6 ms (docs/benchmarks.md).
                            sqlx::query("SET max_parallel_workers_per_gather = 0").execute(&mut *conn).await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(cannot_open)?;
                migrator.run(&pool).await.map_err(migration_failed)?;
                Pool::Postgres(pool)
            }
        };
        let readers = match backend {
            Backend::Sqlite => Some(Arc::new(Readers::open(url)?)),
            Backend::Postgres => None,
        };
        let text_by_code_point = match &pool {
            Pool::Sqlite(_) => true,
            Pool::Postgres(_) => crate::store::pg_text_by_code_point(&pool).await?,
        };
        let db = Db { pool, backend, readers, text_by_code_point, sqlite_writer: Arc::new(Mutex::new(())) };
        db.run_data_step("email_keys_nfkc_casefold", crate::accounts::normalize_email_keys).await?;
        db.run_data_step("member_search_terms", async |conn| crate::store::member_search::index_all(conn).await)
            .await?;
        // Migration 0021's `shared` column: every row written again with it.
        db.run_data_step("member_search_shared", async |conn| crate::store::member_search::index_all(conn).await)
            .await?;
        Ok(db)
    }

    /// Runs a one-off data step once per database, in one transaction with
    /// its record in `data_steps`.
    async fn run_data_step<F>(&self, name: &str, step: F) -> anyhow::Result<()>
    where
        F: for<'c> AsyncFnOnce(&'c mut Conn) -> Result<(), sqlx::Error>,
    {
        let mut tx = self.write().await?;
        if crate::store::data_steps::claim(tx.conn(), name, crate::time::now_ms()).await? {
            step(tx.conn()).await.map_err(|e| anyhow::anyhow!("data step {name} failed: {e}"))?;
            tracing::info!(step = name, "data step applied");
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        let writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let conn = match &self.pool {
            // IMMEDIATE takes the write lock at BEGIN, so writers outside this
            // lock (the mail worker, last-active updates) make it wait through
            // the busy timeout instead of failing an upgrade with SQLITE_BUSY.
            Pool::Sqlite(p) => Conn::SqliteTx(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Conn::PostgresTx(p.begin().await?),
        };
        Ok(WriteTx { conn, _writer: writer })
    }

    /// The hot reads on SQLite: `sql` runs on one of a few rusqlite
    /// connections, on a blocking thread, in one hand-off for the whole
    /// statement. (sqlx's SQLite driver runs each connection on its own
    /// thread and hands every statement and every row across a channel: the
    /// profile in docs/benchmarks.md showed those hand-offs at ≈30 % of a
    /// members page.) `None` on PostgreSQL: the caller uses the pool.
    pub async fn read<T, F>(&self, sql: &Sql, map: F) -> Option<Result<Vec<T>, sqlx::Error>>
    where
        T: Send + 'static,
        F: Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        self.readers.as_ref()?;
        let sql = sql.clone();
        self.read_with(move |reader| reader.rows(&sql, map)).await
    }

    /// Like [`Db::read`], for a statement bounded by an index range of a
    /// few hundred rows at most (the session with the caller's access, a
    /// member page without a search): it runs on the calling task's thread
    /// instead of a blocking thread, tens of microseconds in which that
    /// runtime thread serves nothing else, and saves the two thread
    /// hand-offs (docs/benchmarks.md, "The first page's CPU"). Anything
    /// that may scan (a search, an audit filter) uses [`Db::read`].
    pub async fn read_now<T, F>(&self, sql: &Sql, map: F) -> Option<Result<Vec<T>, sqlx::Error>>
    where
        F: Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        let readers = self.readers.as_ref()?;
        let result = async {
            let _permit = readers.available.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
            readers.run(|reader| reader.rows(sql, map)).map_err(|e| sqlx::Error::Protocol(format!("sqlite read: {e}")))
        };
        Some(result.await)
    }

    /// Like [`Db::read`] for a few statements that run one after another on
    /// one read connection in one hand-off (a search's count and the page
    /// it chooses). `None` on PostgreSQL.
    pub async fn read_with<T, F>(&self, work: F) -> Option<Result<T, sqlx::Error>>
    where
        T: Send + 'static,
        F: FnOnce(&Reader<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let readers = self.readers.clone()?;
        let result = async move {
            let _permit = readers.available.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
            let worker = readers.clone();
            tokio::task::spawn_blocking(move || worker.run(work))
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("a read thread failed: {e}")))?
                .map_err(|e| sqlx::Error::Protocol(format!("sqlite read: {e}")))
        };
        Some(result.await)
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
            Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
        }
    }
}

/// Read-only rusqlite connections to the database file, shared by the
/// request tasks through a semaphore. WAL lets them read while the writer
/// writes; each keeps its prepared statements cached.
struct Readers {
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
    available: tokio::sync::Semaphore,
}

const READERS: usize = 4;

impl Readers {
    fn open(url: &str) -> anyhow::Result<Readers> {
        let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        let mut idle = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| anyhow::anyhow!("cannot open {path} for reading: {e}"))?;
            conn.busy_timeout(Duration::from_secs(10))?;
            conn.set_prepared_statement_cache_capacity(64);
            // Measured in docs/benchmarks.md ("SQLite read connections: page
            // cache and mmap"): a 64 MiB page cache and reads through a
            // 256 MiB memory map take a page of 200 from ≈1,100 to ≈1,800
            // requests/s and a scan of the 100,000-member org from ≈270 to
            // ≈100 ms. The map is the OS's page cache, shared by all readers;
            // the cache grows only as pages are read (at most 4 × 64 MiB).
            conn.execute_batch("PRAGMA mmap_size = 268435456; PRAGMA cache_size = -65536;")?;
            idle.push(conn);
        }
        Ok(Readers { idle: std::sync::Mutex::new(idle), available: tokio::sync::Semaphore::new(READERS) })
    }

    fn run<T>(&self, work: impl FnOnce(&Reader<'_>) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let conn = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let Some(conn) = conn else {
            return Err(rusqlite::Error::InvalidQuery);
        };
        let result = work(&Reader(&conn));
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        result
    }
}

/// A read connection lent to [`Db::read_with`]'s work.
pub struct Reader<'c>(&'c rusqlite::Connection);

impl Reader<'_> {
    /// Runs `sql` (its prepared statement cached) and maps every row.
    pub fn rows<T>(
        &self,
        sql: &Sql,
        map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        let (text, binds) = (&sql.text, &sql.binds);
        let conn = self.0;
        (|| {
            let mut statement = conn.prepare_cached(text)?;
            for (i, bind) in binds.iter().enumerate() {
                // Placeholders are `$n`: bind by name, whatever their order.
                let Some(index) = statement.parameter_index(&format!("${}", i + 1))? else { continue };
                match bind {
                    Bind::Text(s) => statement.raw_bind_parameter(index, s.as_str())?,
                    Bind::Int(n) => statement.raw_bind_parameter(index, *n)?,
                    Bind::OptText(s) => statement.raw_bind_parameter(index, s.as_deref())?,
                    Bind::OptInt(n) => statement.raw_bind_parameter(index, *n)?,
                    Bind::Bytes(b) => statement.raw_bind_parameter(index, b.as_slice())?,
                }
            }
            let mut rows = statement.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(map(row)?);
            }
            Ok(out)
        })()
    }
}

/// A database URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:<redacted>{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A SQL text with `$n` placeholders and its bound values, for queries whose
/// filters depend on the request. (sqlx's `QueryBuilder` writes `?` for `Any`,
/// which PostgreSQL refuses.)
#[derive(Clone, Default)]
pub struct Sql {
    pub text: String,
    binds: Vec<Bind>,
}

#[derive(Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
    /// Text or NULL.
    OptText(Option<String>),
    /// An integer or NULL.
    OptInt(Option<i64>),
    /// Bytes (`BYTEA` on PostgreSQL, a BLOB on SQLite): compared byte by
    /// byte on both, whatever the collation.
    Bytes(Vec<u8>),
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_owned(), binds: Vec::new() }
    }

    /// The same statement behind `prefix`, e.g. `EXPLAIN QUERY PLAN `.
    pub fn prefixed(&self, prefix: &str) -> Sql {
        Sql { text: format!("{prefix}{}", self.text), binds: self.binds.clone() }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Bind>) -> &mut Sql {
        self.binds.push(value.into());
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }

    /// Binds the next `$n` of a statement written out in full.
    pub fn bind_value(&mut self, value: impl Into<Bind>) -> &mut Sql {
        self.binds.push(value.into());
        self
    }

    /// The statement with its values bound, for the driver `DB` that runs it
    /// (inferred from the executor).
    pub fn query<DB: Dialect>(&self) -> sqlx::query::Query<'_, DB, <DB as sqlx::Database>::Arguments<'_>> {
        DB::query(self)
    }

    /// Appends `(…), (…)` rows of placeholders for multi-row `VALUES`.
    pub fn values<I, R>(&mut self, rows: I) -> &mut Sql
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = Bind>,
    {
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    self.push(", ");
                }
                self.bind(value);
            }
            self.push(")");
        }
        self
    }

    pub fn query_as<DB: Dialect, T>(&self) -> sqlx::query::QueryAs<'_, DB, T, <DB as sqlx::Database>::Arguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, <DB as sqlx::Database>::Row>,
    {
        DB::query_as(self)
    }
}

/// A backend's driver as the `Sql` builder binds to it.
pub trait Dialect: sqlx::Database {
    fn query(sql: &Sql) -> sqlx::query::Query<'_, Self, <Self as sqlx::Database>::Arguments<'_>>;
    fn query_as<T>(sql: &Sql) -> sqlx::query::QueryAs<'_, Self, T, <Self as sqlx::Database>::Arguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, <Self as sqlx::Database>::Row>;
}

/// The same binding for both drivers (each `.bind` is typed per driver).
macro_rules! dialect {
    ($db:ty) => {
        impl Dialect for $db {
            fn query(sql: &Sql) -> sqlx::query::Query<'_, Self, <Self as sqlx::Database>::Arguments<'_>> {
                let mut q = sqlx::query(&sql.text);
                for b in &sql.binds {
                    q = match b {
                        Bind::Text(s) => q.bind(s.as_str()),
                        Bind::Int(i) => q.bind(*i),
                        Bind::OptText(t) => q.bind(t.as_deref()),
                        Bind::OptInt(n) => q.bind(*n),
                        Bind::Bytes(b) => q.bind(b.as_slice()),
                    };
                }
                q
            }

            fn query_as<T>(sql: &Sql) -> sqlx::query::QueryAs<'_, Self, T, <Self as sqlx::Database>::Arguments<'_>>
            where
                T: for<'r> sqlx::FromRow<'r, <Self as sqlx::Database>::Row>,
            {
                let mut q = sqlx::query_as(&sql.text);
                for b in &sql.binds {
                    q = match b {
                        Bind::Text(s) => q.bind(s.as_str()),
                        Bind::Int(i) => q.bind(*i),
                        Bind::OptText(t) => q.bind(t.as_deref()),
                        Bind::OptInt(n) => q.bind(*n),
                        Bind::Bytes(b) => q.bind(b.as_slice()),
                    };
                }
                q
            }
        }
    };
}
dialect!(Sqlite);
dialect!(Postgres);

impl From<String> for Bind {
    fn from(s: String) -> Bind {
        Bind::Text(s)
    }
}
impl From<&str> for Bind {
    fn from(s: &str) -> Bind {
        Bind::Text(s.to_owned())
    }
}
impl From<Option<String>> for Bind {
    fn from(s: Option<String>) -> Bind {
        Bind::OptText(s)
    }
}
impl From<Option<&str>> for Bind {
    fn from(s: Option<&str>) -> Bind {
        Bind::OptText(s.map(str::to_owned))
    }
}
impl From<Option<i64>> for Bind {
    fn from(n: Option<i64>) -> Bind {
        Bind::OptInt(n)
    }
}
impl From<i64> for Bind {
    fn from(i: i64) -> Bind {
        Bind::Int(i)
    }
}

/// A constraint the schema enforces, named once for both databases: how
/// PostgreSQL names it and how SQLite reports it. [`violation`] reads a
/// database error as one of these, and `ApiError`'s conversion maps each to
/// the outcome the API promises, so a race that reaches the database answers
/// like the check it raced, never 500.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// `users.email_key` is unique.
    UserEmail,
    /// `orgs.slug` is unique.
    OrgSlug,
    /// One pending invitation per org and address (`invitations_one_pending`).
    OnePendingInvitation,
    /// One membership per org and user.
    Membership,
    /// One owner per org (`memberships_one_owner`).
    OneOwner,
    /// A role key is unique within its org.
    RoleKey,
    /// A membership's role must exist (`memberships → roles`).
    MembershipRole,
    /// One answer per idempotency key.
    IdempotencyKey,
    /// One account per provider subject (`oidc_links`).
    OidcLink,
    /// One team of a name (without case) per org (`teams_org_name`).
    TeamName,
    /// One requested or active relationship per partner and customer
    /// (`partner_relationships_one_open`).
    OneOpenRelationship,
    /// A team member is a member of the org (`team_members → memberships`;
    /// PostgreSQL only: SQLite's writers queue, so no removal interleaves).
    TeamMembership,
    /// An assignment's team exists (`partner_assignments → teams`; PostgreSQL only).
    AssignedTeam,
    /// A relationship's role exists in the customer org (`partner_roles → roles`; PostgreSQL only).
    GrantedRole,
}

/// (constraint, PostgreSQL name, SQLite's "UNIQUE constraint failed: …" columns)
const CONSTRAINTS: &[(Constraint, &str, &str)] = &[
    (Constraint::UserEmail, "users_email_key_key", "users.email_key"),
    (Constraint::OrgSlug, "orgs_slug_key", "orgs.slug"),
    (Constraint::OnePendingInvitation, "invitations_one_pending", "invitations.org_id, invitations.email_key"),
    (Constraint::Membership, "memberships_pkey", "memberships.org_id, memberships.user_id"),
    (Constraint::OneOwner, "memberships_one_owner", "memberships.org_id"),
    (Constraint::RoleKey, "roles_pkey", "roles.org_id, roles.role_key"),
    (Constraint::MembershipRole, "memberships_org_id_role_fkey", ""),
    (
        Constraint::IdempotencyKey,
        "idempotency_keys_pkey",
        "idempotency_keys.user_id, idempotency_keys.scope, idempotency_keys.idem_key",
    ),
    (Constraint::OidcLink, "oidc_links_pkey", "oidc_links.provider, oidc_links.subject"),
    (Constraint::TeamName, "teams_org_name", "teams.org_id, teams.name_key"),
    (
        Constraint::OneOpenRelationship,
        "partner_relationships_one_open",
        "partner_relationships.partner_org_id, partner_relationships.customer_org_id",
    ),
    (Constraint::TeamMembership, "team_members_org_id_user_id_fkey", ""),
    (Constraint::AssignedTeam, "partner_assignments_team_id_fkey", ""),
    (Constraint::GrantedRole, "partner_roles_customer_org_id_role_key_fkey", ""),
];

/// Which of the schema's constraints a database error violated, if any.
/// SQLite does not name foreign keys; its only one that requests can break
/// is a membership's role.
pub fn violation(e: &sqlx::Error) -> Option<Constraint> {
    let db = e.as_database_error()?;
    if let Some(name) = db.constraint() {
        return CONSTRAINTS.iter().find(|(_, pg, _)| *pg == name).map(|(c, _, _)| *c);
    }
    let message = db.message();
    if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
        return CONSTRAINTS.iter().find(|(_, _, sqlite)| *sqlite == columns).map(|(c, _, _)| *c);
    }
    if db.is_foreign_key_violation() {
        return Some(Constraint::MembershipRole);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applied migrations are never edited: a database that ran one keeps its
    /// checksum and sqlx refuses to start when the file changes. Each file's
    /// SHA-256 is recorded here when it is added; a new migration adds a
    /// line, an edited one fails this test.
    const APPLIED: &[(&str, &str)] = &[
        ("0001_initial.sql", "7bfebabbeb59fad04ab8b583a2209eda314cba9f88d8f28781df9633cfe9a118"),
        ("0002_member_sort_keys.sql", "6a787bc21a9fa55cb42af29846aaad0734b987cb9d9fde594e6b4fd13fdd6c51"),
        ("0003_slugs_never_look_like_ids.sql", "2bbd6fde3b0a510c0d1c14295419ca133e9fc721a5c3307fb2185116c287c7dc"),
        ("0004_atomic_limits_and_idempotency.sql", "f7ff4e3d1e6c35ff663c365ba94ac9136de6a826cf3b079bdd79b24e122ccf1e"),
        ("0005_data_steps.sql", "eabdfaaf432afec9a6c8d15d61042d269ce541f74c7316bf55a1d4c65261d988"),
        ("0006_email_parts.sql", "b773062d4d9400c855fe8c69d06893620459c39d01f776912e0c630a3e9efe2a"),
        ("0007_invitation_page_index.sql", "2c17e20efc5e84ae946d9bf62d93a9650286b94d2d221c47f648e791bbdf2d19"),
        ("0008_member_role_index.sql", "0458b810334f0875d6a6043d540bce407469cd8c39ab216ba1fe63123212e4b8"),
        ("0009_recovery.sql", "beb67f41c024c12f4255be0cadedffd78cbf39a43d56b703f86a4c08cc004736"),
        ("0010_security_log.sql", "370cca71ebd3838c8ab187fddcc8012076b9af2e048df1736e2fd0634d8c836b"),
        ("0011_email_changes.sql", "9ab092e8819d92ce884b381c2da3ea6e1ab010a20d93ba32506ac507c6dd26d8"),
        ("0012_audit_target_index.sql", "1533c11f0a120d5c4124b01c07088b967c993efcb558ee948eb004c15d94075d"),
        ("0013_oidc.sql", "05e2eb06526d187152d6ba7565a20dd41021b2484162f831e6947a4fdb4d1845"),
        ("0014_events.sql", "e4d81d576a6f080df626cc24bc83fb70eae04d50e2e059bfb39b76cff56fb2eb"),
        ("0015_api_keys.sql", "4224ac23d3b6a133e1d4b1d1816cec564a7610473de0a5ab755aa4db62d66514"),
        ("0016_webhooks.sql", "52f6679bff1bf8c14a452ce04583859a869208e8b7db7f1577f3c90a6546412c"),
        ("0017_member_search_words.sql", "a10b944cf26e8ba61f37627e9040ec93791aed0951db8db4a59823342882aac5"),
        ("0018_teams.sql", "5f5e8717487bc0bda0bef1b6c36ee82786939686600068bf0420c271025281ef"),
        ("0019_partners.sql", "85a0130e0a4d8094f6fb8930d0c9a5c6fafb7b44b948acb80d502f535a9745d3"),
        ("0020_deliveries_outlive_their_org.sql", "c3da79c6a5a3ab9e714abd6f751df1e2f4b9a29cd3361be14b7434727156d057"),
        ("0021_member_search_shared.sql", "2ecb91f6e11369b0709a6ca9319360a8ef8a040c8efbd972764c6c14b7ea3c71"),
        ("0024_audit_via_relationship.sql", "ee374b7484d89b8309a52e33315f22fd9a282b34c9d8e1b3996faa96508677d4"),
    ];

    #[test]
    fn applied_migrations_are_never_edited() {
        use sha2::{Digest, Sha256};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let recorded: Vec<&str> = APPLIED.iter().map(|(n, _)| *n).collect();
        assert_eq!(files, recorded, "every migration is recorded in APPLIED, in order (add new ones at the end)");
        for (name, sha) in APPLIED {
            let digest = Sha256::digest(std::fs::read(dir.join(name)).unwrap());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(&hex, sha, "{name} changed after it was applied: add a new migration instead");
        }
    }

    #[test]
    fn every_constraint_is_named_once() {
        for (i, (c, pg, _)) in CONSTRAINTS.iter().enumerate() {
            assert!(CONSTRAINTS[i + 1..].iter().all(|(o, opg, _)| o != c && opg != pg), "{c:?} twice");
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/x"), "postgres://app:<redacted>@db:5432/x");
        assert_eq!(redact_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
