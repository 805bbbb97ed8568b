//! Memberships: the `memberships` table, with its users for names and
//! addresses and its roles for permissions.

use super::on;
use orgdesk_core::api::{MemberSort, MemberStatus};

use super::orgs::OrgRef;
use super::{like_prefix, Executor, Result};
use crate::db::{Backend, Bind, Db, Sql};

/// The caller's membership row in one org, with its role's permissions.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct AccessRow {
    pub org_id: String,
    pub role: String,
    pub status: String,
    pub builtin: i64,
    pub permissions: String,
}

/// `user_id`'s membership in the org `org` names.
pub async fn access(db: impl Executor<'_>, org: OrgRef<'_>, user_id: &str) -> Result<Option<AccessRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT o.id AS org_id, m.role, m.status, r.builtin, r.permissions \
             FROM orgs o \
             JOIN memberships m ON m.org_id = o.id AND m.user_id = $2 \
             JOIN roles r ON r.org_id = o.id AND r.role_key = m.role \
             WHERE {} = $1",
            org.column()
        ))
        .bind(org.value())
        .bind(user_id)
        .fetch_optional(db)
        .await
    })
}

/// Every membership of `user_id` with its role's permissions (the event
/// stream's view of what the caller may read).
pub async fn access_of_user(db: impl Executor<'_>, user_id: &str) -> Result<Vec<AccessRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT m.org_id, m.role, m.status, r.builtin, r.permissions FROM memberships m \
             JOIN roles r ON r.org_id = m.org_id AND r.role_key = m.role WHERE m.user_id = $1",
        )
        .bind(user_id)
        .fetch_all(db)
        .await
    })
}

/// Stamps `last_active_at` unless it is newer than `stale_before`.
pub async fn touch_last_active(
    db: impl Executor<'_>,
    org_id: &str,
    user_id: &str,
    at: i64,
    stale_before: i64,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "UPDATE memberships SET last_active_at = $1 \
             WHERE org_id = $2 AND user_id = $3 AND (last_active_at IS NULL OR last_active_at < $4)",
        )
        .bind(at)
        .bind(org_id)
        .bind(user_id)
        .bind(stale_before)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// The name order's key of every membership of the account, and their
/// search terms.
pub async fn set_sort_name(db: impl Executor<'_>, user_id: &str, sort_name: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE memberships SET sort_name = $1 WHERE user_id = $2")
            .bind(sort_name)
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        super::member_search::index_user(db, user_id).await
    })
}

/// Adds an active membership unless one exists; `sort_name` copies the
/// user's name for the name order.
pub async fn insert(conn: &mut super::Conn, org_id: &str, user_id: &str, role: &str, joined_at: i64) -> Result<()> {
    on!(conn, |conn| {
        let name = super::accounts::name(&mut *conn, user_id).await?;
        sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role, status, joined_at, sort_name) \
             VALUES ($1, $2, $3, 'active', $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role)
        .bind(joined_at)
        .bind(name.to_lowercase())
        .execute(&mut *conn)
        .await?;
        super::member_search::index_membership(conn, org_id, user_id).await
    })
}

/// The member's role, if they are one.
pub async fn role_of(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<Option<String>> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(db)
            .await
    })
}

/// Ends a membership unless it is the owner's; false when nothing was removed.
pub async fn remove_unless_owner(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 AND role <> 'owner'")
            .bind(org_id)
            .bind(user_id)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// The owner becomes an admin; false when `user_id` is not the owner (any more).
pub async fn demote_owner(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE memberships SET role = 'admin', version = version + 1 WHERE org_id = $1 AND user_id = $2 AND role = 'owner'",
        )
        .bind(org_id)
        .bind(user_id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Enables a membership (a disabled member who takes over a workspace).
pub async fn set_status_active(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "UPDATE memberships SET status = 'active', version = version + 1 \
             WHERE org_id = $1 AND user_id = $2 AND status <> 'active'",
        )
        .bind(org_id)
        .bind(user_id)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// An active member becomes the owner; false when they are not an active member.
pub async fn promote_to_owner(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE memberships SET role = 'owner', version = version + 1 WHERE org_id = $1 AND user_id = $2 AND status = 'active'",
        )
        .bind(org_id)
        .bind(user_id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

#[derive(sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
    pub joined_at: i64,
    pub last_active_at: Option<i64>,
    pub timezone: String,
    pub version: i64,
}

const MEMBER_COLUMNS: &str =
    "m.user_id, u.email, u.name, m.role, m.status, m.joined_at, m.last_active_at, u.timezone, m.version";
/// A page's `sort_key`, after MEMBER_COLUMNS.
const SORT_KEY_COLUMN: usize = 9;

impl MemberRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<MemberRow> {
        Ok(MemberRow {
            // By position, in MEMBER_COLUMNS' order (a lookup by name
            // compares every column's name: 9 % of a page's CPU).
            user_id: r.get(0)?,
            email: r.get(1)?,
            name: r.get(2)?,
            role: r.get(3)?,
            status: r.get(4)?,
            joined_at: r.get(5)?,
            last_active_at: r.get(6)?,
            timezone: r.get(7)?,
            version: r.get(8)?,
        })
    }
}

/// Where a member stands in a page's order: the name key, or a time.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    Text(String),
    Int(i64),
}

impl From<&SortKey> for Bind {
    fn from(key: &SortKey) -> Bind {
        match key {
            SortKey::Text(s) => Bind::from(s.as_str()),
            SortKey::Int(n) => Bind::from(*n),
        }
    }
}

/// One page of an org's members, keyset-paginated on (sort key, user id).
pub struct MemberPage<'a> {
    pub org_id: &'a str,
    /// A lower-case name or email prefix.
    pub search: Option<String>,
    pub role: Option<&'a str>,
    pub status: Option<MemberStatus>,
    pub sort: MemberSort,
    pub desc: bool,
    /// The last row of the previous page.
    pub after: Option<(SortKey, String)>,
    /// How many rows to read.
    pub rows: i64,
}

/// A search whose word index range holds fewer terms than this reads its
/// matches from the word index (`member_search`) and sorts them; one with
/// more walks the order's index, where a match comes every few rows. Near
/// this size the two cost about the same on the 100,000-member org
/// (docs/benchmarks.md, "Prefix search by the words of names").
pub const SEARCH_BY_WORDS_BELOW: i64 = 3000;

fn sort_expr(sort: MemberSort) -> &'static str {
    match sort {
        MemberSort::Name => "m.sort_name",
        MemberSort::Joined => "m.joined_at",
        MemberSort::LastActive => "COALESCE(m.last_active_at, 0)",
    }
}

/// How a search page finds its members; [`page`] chooses by a bounded
/// count of the word index range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchPlan {
    /// Walk the order's index and test each member (many matches).
    Walk,
    /// Read the matches from the word index, then sort them (few matches).
    Words,
    /// Name order, where text compares by code point: the members whose
    /// name starts with the prefix come in order from the name index (they
    /// sit together in that order, so a walk would pass everyone before
    /// them); the others (a later word or the email matches) by
    /// `Walk` or `Words` as `bool` says (true: words); both pages merged.
    NameRangeAnd(bool),
}

/// The statement of one member page walking the order's index (public for
/// the query-plan tests): every page without a search uses it.
pub fn page_sql(page: &MemberPage<'_>) -> Sql {
    match &page.search {
        Some(q) => search_sql(page, q, SearchPlan::Walk, Backend::Sqlite),
        None => {
            let mut sql = select_from_memberships(page.sort);
            sql.bind(page.org_id);
            push_filters_and_order(&mut sql, page);
            sql
        }
    }
}

fn select_from_memberships(sort: MemberSort) -> Sql {
    Sql::new(&format!(
        "SELECT {MEMBER_COLUMNS}, {} AS sort_key FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ",
        sort_expr(sort)
    ))
}

/// The statement of a search page by `plan` (public for the query-plan
/// tests). Every plan answers the same rows in the same order: the members
/// with a term starting with `search` (see `store::member_search`). The
/// text differs by `backend` only in how the word plans keep their join
/// order (see [`push_words`]).
pub fn search_sql(page: &MemberPage<'_>, search: &str, plan: SearchPlan, backend: Backend) -> Sql {
    let mut sql = Sql::default();
    match plan {
        SearchPlan::Walk => push_walk(&mut sql, page, search, None),
        SearchPlan::Words => push_words(&mut sql, page, search, false, backend),
        SearchPlan::NameRangeAnd(words) => {
            let Some((low, high)) = super::member_search::text_prefix_range(search) else {
                return search_sql(page, search, SearchPlan::Walk, backend);
            };
            sql.push("SELECT * FROM (");
            sql.push(&select_from_memberships(page.sort).text);
            sql.bind(page.org_id).push(" AND m.sort_name >= ").bind(low.as_str());
            sql.push(" AND m.sort_name < ").bind(high.as_str());
            push_filters_and_order(&mut sql, page);
            sql.push(") a UNION ALL SELECT * FROM (");
            if words {
                push_words(&mut sql, page, search, true, backend);
            } else {
                push_walk(&mut sql, page, search, Some((&low, &high)));
            }
            let dir = if page.desc { "DESC" } else { "ASC" };
            sql.push(&format!(") b ORDER BY sort_key {dir}, user_id {dir} LIMIT ")).bind(page.rows);
        }
    }
    sql
}

/// The walk: the order's index, each member tested by the search rule;
/// with `not_names`, those whose name is in that range are left out.
fn push_walk(sql: &mut Sql, page: &MemberPage<'_>, q: &str, not_names: Option<(&str, &str)>) {
    sql.push(&select_from_memberships(page.sort).text);
    sql.bind(page.org_id);
    match not_names {
        None => {
            sql.push(" AND (m.sort_name LIKE ").bind(like_prefix(q)).push(" ESCAPE '\\' OR ");
        }
        Some((low, high)) => {
            sql.push(" AND NOT (m.sort_name >= ").bind(low).push(" AND m.sort_name < ").bind(high).push(") AND (");
        }
    }
    sql.push("m.sort_name LIKE ").bind(format!("% {}", like_prefix(q))).push(" ESCAPE '\\'");
    sql.push(" OR u.email_key LIKE ").bind(like_prefix(q)).push(" ESCAPE '\\')");
    push_filters_and_order(sql, page);
}

/// The word index's matches, each looked up by its key, filtered, ordered
/// and cut like any page, and only then joined to their users. It sorts the
/// matches (fewer than [`SEARCH_BY_WORDS_BELOW`] terms), never the org. The
/// matches must drive the join, whatever the planner estimates for a bound
/// byte range: on SQLite `CROSS JOIN` fixes the order; on PostgreSQL a
/// `LATERAL` subquery with `OFFSET 0` (which keeps it from being merged into
/// the join) is looked up once per match. With `not_names`, the terms of
/// members whose name starts with `q` are left out by the index ranges of
/// `member_search::not_names_filter`, before any lookup and without reading
/// them.
fn push_words(sql: &mut Sql, page: &MemberPage<'_>, q: &str, not_names: bool, backend: Backend) {
    let (low, high) = super::member_search::prefix_range(q);
    let dir = if page.desc { "DESC" } else { "ASC" };
    sql.push(&format!(
        "SELECT {MEMBER_COLUMNS}, p.sort_key FROM (SELECT m.user_id AS page_user_id, {} AS sort_key FROM \
         (SELECT DISTINCT user_id FROM {} WHERE org_id = ",
        sort_expr(page.sort),
        super::member_search::table(q, not_names, backend)
    ));
    sql.bind(page.org_id).push(" AND term >= ").bind(Bind::Bytes(low));
    sql.push(" AND term < ").bind(Bind::Bytes(high));
    if not_names {
        super::member_search::not_names_filter(sql, q);
    }
    match backend {
        Backend::Sqlite => {
            sql.push(") h CROSS JOIN memberships m WHERE m.org_id = ").bind(page.org_id);
            sql.push(" AND m.user_id = h.user_id");
        }
        Backend::Postgres => {
            sql.push(") h CROSS JOIN LATERAL (SELECT * FROM memberships m WHERE m.org_id = ").bind(page.org_id);
            sql.push(" AND m.user_id = h.user_id OFFSET 0) m WHERE TRUE");
        }
    }
    push_filters_and_order(sql, page);
    sql.push(") p CROSS JOIN memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ").bind(page.org_id);
    sql.push(&format!(" AND m.user_id = p.page_user_id ORDER BY p.sort_key {dir}, p.page_user_id {dir}"));
}

/// How many terms of the org start with `search`, counted up to `cap`;
/// with `not_names`, only those of members whose name does not (public for
/// the query-plan tests).
pub fn search_count_sql(org_id: &str, search: &str, not_names: bool, cap: i64, backend: Backend) -> Sql {
    let (low, high) = super::member_search::prefix_range(search);
    let table = super::member_search::table(search, not_names, backend);
    let mut sql = Sql::new(&format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table} WHERE org_id = "));
    sql.bind(org_id).push(" AND term >= ").bind(Bind::Bytes(low));
    sql.push(" AND term < ").bind(Bind::Bytes(high));
    if not_names {
        super::member_search::not_names_filter(&mut sql, search);
    }
    sql.push(" LIMIT ").bind(cap).push(") c");
    sql
}

/// Role, status, the keyset after the previous page, the order and the limit.
fn push_filters_and_order(sql: &mut Sql, page: &MemberPage<'_>) {
    let sort_expr = sort_expr(page.sort);
    if let Some(role) = page.role {
        sql.push(" AND m.role = ").bind(role);
    }
    if let Some(status) = page.status {
        sql.push(" AND m.status = ").bind(status.as_str());
    }
    let (cmp, dir) = if page.desc { ("<", "DESC") } else { (">", "ASC") };
    if let Some((key, id)) = &page.after {
        sql.push(&format!(" AND ({sort_expr} {cmp} ")).bind(key);
        sql.push(&format!(" OR ({sort_expr} = ")).bind(key);
        sql.push(&format!(" AND m.user_id {cmp} ")).bind(id.as_str()).push("))");
    }
    sql.push(&format!(" ORDER BY {sort_expr} {dir}, m.user_id {dir} LIMIT ")).bind(page.rows);
}

/// A search's two candidate statements and the count that chooses between
/// them: the bounded count of its word index range (up to
/// [`SEARCH_BY_WORDS_BELOW`] entries; in the name order only the terms of
/// members whose name does not start with the query, which
/// `not_names_filter` skips by index, so the entries read are the entries
/// counted), the plan for few and the plan for many.
struct SearchStatements {
    count: Sql,
    few: Sql,
    many: Sql,
}

fn search_statements(db: &Db, page: &MemberPage<'_>, search: &str) -> SearchStatements {
    let split = page.sort == MemberSort::Name
        && db.text_by_code_point
        && super::member_search::text_prefix_range(search).is_some();
    let (few, many) = if split {
        (SearchPlan::NameRangeAnd(true), SearchPlan::NameRangeAnd(false))
    } else {
        (SearchPlan::Words, SearchPlan::Walk)
    };
    SearchStatements {
        count: search_count_sql(page.org_id, search, split, SEARCH_BY_WORDS_BELOW, db.backend),
        few: search_sql(page, search, few, db.backend),
        many: search_sql(page, search, many, db.backend),
    }
}

/// The page's members with their sort keys. A search counts its term range
/// and runs the plan the count chooses ([`SearchPlan`]); on SQLite both
/// statements run in one hand-off to one read connection.
pub async fn page(db: &Db, page: &MemberPage<'_>) -> Result<Vec<(MemberRow, SortKey)>> {
    let by_name = page.sort == MemberSort::Name;
    let map = move |r: &rusqlite::Row<'_>| {
        let key = if by_name { SortKey::Text(r.get(SORT_KEY_COLUMN)?) } else { SortKey::Int(r.get(SORT_KEY_COLUMN)?) };
        Ok((MemberRow::from_sqlite(r)?, key))
    };
    // Whether PostgreSQL keeps the statement prepared (below).
    let mut persistent = true;
    let sql = match &page.search {
        None => {
            let sql = page_sql(page);
            // Without a filter, an order's index range of `rows` (≤ 201)
            // members: read without a hand-off. A role or status filter may
            // pass many members before the page is full.
            let read = if page.role.is_none() && page.status.is_none() {
                db.read_now(&sql, map).await
            } else {
                db.read(&sql, map).await
            };
            if let Some(rows) = read {
                return rows;
            }
            sql
        }
        Some(search) => {
            let statements = std::sync::Arc::new(search_statements(db, page, search));
            let on_reader = statements.clone();
            let read = db.read_with(move |reader| {
                let SearchStatements { count, few, many } = &*on_reader;
                let counted = reader.rows(count, |r| r.get::<_, i64>(0))?;
                let few_matches = counted.first().copied().unwrap_or(0) < SEARCH_BY_WORDS_BELOW;
                reader.rows(if few_matches { few } else { many }, map)
            });
            if let Some(rows) = read.await {
                return rows;
            }
            let SearchStatements { count, few, many } = &*statements;
            let counted: Vec<(i64,)> = on!(&db.pool, |e| count.query_as().persistent(false).fetch_all(e).await)?;
            if counted.first().map_or(0, |(n,)| *n) < SEARCH_BY_WORDS_BELOW {
                persistent = false;
                few.clone()
            } else {
                many.clone()
            }
        }
    };
    use sqlx::{FromRow, Row};
    // A word plan (and its count) is planned for its own values at each
    // run (an unnamed statement): PostgreSQL's generic plan, which it
    // switches to after five runs of a prepared statement, guesses a term
    // range of a few rows and reads the word index by its primary key,
    // dropping the name's own members' terms by filter (for "ada", 5,000 of
    // them: 7–14 ms against 1.5–4 ms planned per run; docs/benchmarks.md).
    // The walk keeps its prepared plan: planned for the values of "ahmed"
    // it took 100 ms.
    on!(&db.pool, |e| {
        let mut out = Vec::new();
        for row in sql.query().persistent(persistent).fetch_all(e).await? {
            let key =
                if by_name { SortKey::Text(row.try_get("sort_key")?) } else { SortKey::Int(row.try_get("sort_key")?) };
            out.push((MemberRow::from_row(&row)?, key));
        }
        Ok(out)
    })
}

pub async fn member(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<Option<MemberRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2"
        ))
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(db)
        .await
    })
}

pub async fn is_member(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_one(db)
            .await?;
        Ok(count > 0)
    })
}

/// Takes the membership's row lock until commit (see `orgs::lock`).
pub async fn lock(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE memberships SET version = version WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Sets role and status if the membership is still at `version` and not the
/// owner's, and bumps the version; false otherwise.
pub async fn update(
    db: impl Executor<'_>,
    org_id: &str,
    user_id: &str,
    version: i64,
    role: &str,
    status: MemberStatus,
) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE memberships SET role = $1, status = $2, version = version + 1 \
             WHERE org_id = $3 AND user_id = $4 AND version = $5 AND role <> 'owner'",
        )
        .bind(role)
        .bind(status.as_str())
        .bind(org_id)
        .bind(user_id)
        .bind(version)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A membership with the id of its org.
#[derive(sqlx::FromRow)]
pub struct OrgMemberRow {
    pub member_org_id: String,
    #[sqlx(flatten)]
    pub member: MemberRow,
}

/// Every membership of one account.
pub async fn of_user(db: impl Executor<'_>, user_id: &str) -> Result<Vec<OrgMemberRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT m.org_id AS member_org_id, {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1"
        ))
        .bind(user_id)
        .fetch_all(db)
        .await
    })
}

/// Memberships whose name (or a word of it) or email starts with `prefix`
/// (lower case), in the orgs where `user_id` is an active member, by email
/// key and org; at most `limit`.
pub async fn search_in_orgs_of(
    db: impl Executor<'_>,
    user_id: &str,
    prefix: &str,
    limit: i64,
) -> Result<Vec<OrgMemberRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT m.org_id AS member_org_id, {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id \
             JOIN memberships me ON me.org_id = m.org_id AND me.user_id = $1 AND me.status = 'active' \
             WHERE (m.sort_name LIKE $2 ESCAPE '\\' OR m.sort_name LIKE $3 ESCAPE '\\' OR u.email_key LIKE $4 ESCAPE '\\') \
             ORDER BY u.email_key, m.org_id LIMIT $5"
        ))
        .bind(user_id)
        .bind(like_prefix(prefix))
        .bind(format!("% {}", like_prefix(prefix)))
        .bind(like_prefix(prefix))
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// [`search_in_orgs_of`] in the orgs `org_ids` (those a caller reaches
/// through partner relationships, where they are no member).
pub async fn search_in_orgs(
    db: impl Executor<'_>,
    org_ids: &[&str],
    prefix: &str,
    limit: i64,
) -> Result<Vec<OrgMemberRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT m.org_id AS member_org_id, {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE (m.sort_name LIKE $1 ESCAPE '\\' OR m.sort_name LIKE $2 ESCAPE '\\' OR u.email_key LIKE $3 ESCAPE '\\') \
         AND m.org_id IN ("
    ));
    sql.bind_value(like_prefix(prefix))
        .bind_value(format!("% {}", like_prefix(prefix)))
        .bind_value(like_prefix(prefix));
    for (n, id) in org_ids.iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(") ORDER BY u.email_key, m.org_id LIMIT ").bind(limit);
    on!(db, |db| sql.query_as().fetch_all(db).await)
}

/// Which of `email_keys` belong to members of the org.
pub async fn member_email_keys(
    db: impl Executor<'_>,
    org_id: &str,
    email_keys: &[&str],
) -> Result<std::collections::HashSet<String>> {
    on!(db, |db| {
        let rows: Vec<(String,)> = super::in_list(
            "SELECT u.email_key FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email_key IN ",
            org_id,
            email_keys,
            "",
        )
        .query_as()
        .fetch_all(db)
        .await?;
        Ok(rows.into_iter().map(|(k,)| k).collect())
    })
}

/// A membership written as is (demo seeding).
pub struct SeedMembership<'a> {
    pub org_id: &'a str,
    pub user_id: &'a str,
    pub role: &'a str,
    pub status: MemberStatus,
    pub joined_at: i64,
    pub last_active_at: i64,
    pub sort_name: String,
    /// The member's email key, for the search terms.
    pub email_key: String,
}

/// Many memberships, in one statement per 500, and their search terms.
pub async fn insert_many(conn: &mut super::Conn, memberships: &[SeedMembership<'_>]) -> Result<()> {
    on!(conn, |conn| {
        for chunk in memberships.chunks(500) {
            let mut sql = Sql::new(
                "INSERT INTO memberships (org_id, user_id, role, status, joined_at, last_active_at, sort_name) VALUES ",
            );
            sql.values(chunk.iter().map(|m| {
                [
                    Bind::from(m.org_id),
                    Bind::from(m.user_id),
                    Bind::from(m.role),
                    Bind::from(m.status.as_str()),
                    Bind::from(m.joined_at),
                    Bind::from(m.last_active_at),
                    Bind::from(m.sort_name.as_str()),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        let indexed: Vec<super::member_search::Indexed> = memberships
            .iter()
            .map(|m| (m.org_id.to_owned(), m.user_id.to_owned(), m.sort_name.clone(), m.email_key.clone()))
            .collect();
        super::member_search::insert_terms(conn, &indexed).await
    })
}
