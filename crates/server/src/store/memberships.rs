//! Memberships: the `memberships` table, with its users for names and
//! addresses and its roles for permissions.

use super::on;
use orgdesk_core::api::{MemberSort, MemberStatus};

use super::orgs::OrgRef;
use super::{like_prefix, Executor, Result};
use crate::db::{Bind, Db, Sql};

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

/// The name order's key of every membership of the account.
pub async fn set_sort_name(db: impl Executor<'_>, user_id: &str, sort_name: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE memberships SET sort_name = $1 WHERE user_id = $2")
            .bind(sort_name)
            .bind(user_id)
            .execute(db)
            .await
            .map(|_| ())
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
        .execute(conn)
        .await
        .map(|_| ())
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

impl MemberRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<MemberRow> {
        Ok(MemberRow {
            user_id: r.get("user_id")?,
            email: r.get("email")?,
            name: r.get("name")?,
            role: r.get("role")?,
            status: r.get("status")?,
            joined_at: r.get("joined_at")?,
            last_active_at: r.get("last_active_at")?,
            timezone: r.get("timezone")?,
            version: r.get("version")?,
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

/// The statement of one member page (public for the query-plan tests).
pub fn page_sql(page: &MemberPage<'_>) -> Sql {
    let sort_expr = match page.sort {
        MemberSort::Name => "m.sort_name",
        MemberSort::Joined => "m.joined_at",
        MemberSort::LastActive => "COALESCE(m.last_active_at, 0)",
    };
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBER_COLUMNS}, {sort_expr} AS sort_key FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = "
    ));
    sql.bind(page.org_id);
    if let Some(q) = &page.search {
        sql.push(" AND (m.sort_name LIKE ").bind(like_prefix(q)).push(" ESCAPE '\\'");
        sql.push(" OR m.sort_name LIKE ").bind(format!("% {}", like_prefix(q))).push(" ESCAPE '\\'");
        sql.push(" OR u.email_key LIKE ").bind(like_prefix(q)).push(" ESCAPE '\\')");
    }
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
    sql
}

/// The page's members with their sort keys (SQLite's read path).
pub async fn page(db: &Db, page: &MemberPage<'_>) -> Result<Vec<(MemberRow, SortKey)>> {
    let sql = page_sql(page);
    let by_name = page.sort == MemberSort::Name;
    let read = db.read(&sql, move |r| {
        let key = if by_name { SortKey::Text(r.get("sort_key")?) } else { SortKey::Int(r.get("sort_key")?) };
        Ok((MemberRow::from_sqlite(r)?, key))
    });
    if let Some(rows) = read.await {
        return rows;
    }
    use sqlx::{FromRow, Row};
    on!(&db.pool, |e| {
        let mut out = Vec::new();
        for row in sql.query().fetch_all(e).await? {
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
}

/// Many memberships, in one statement per 500.
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
        Ok(())
    })
}
