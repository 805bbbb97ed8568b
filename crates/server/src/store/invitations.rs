//! Invitations: the `invitations` table.

use super::on;
use std::collections::HashSet;

use orgdesk_core::api::{InvitationFilter, InvitationStatus};

use super::{in_list, Executor, Result};
use crate::db::{Bind, Db, Sql};

/// Every invitation's (id, email, email_key), for recomputing the keys.
pub async fn email_keys(db: impl Executor<'_>) -> Result<Vec<(String, String, String)>> {
    on!(db, |db| sqlx::query_as("SELECT id, email, email_key FROM invitations").fetch_all(db).await)
}

/// Whether giving invitation `id` the key `email_key` would make a second
/// pending invitation for one address in its org.
pub async fn pending_key_collides(db: impl Executor<'_>, email_key: &str, id: &str) -> Result<bool> {
    on!(db, |db| {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations i JOIN invitations me ON me.id = $2 \
             WHERE i.email_key = $1 AND i.org_id = me.org_id AND i.status = 'pending' AND me.status = 'pending'",
        )
        .bind(email_key)
        .bind(id)
        .fetch_one(db)
        .await?;
        Ok(count > 0)
    })
}

pub async fn set_email_key(db: impl Executor<'_>, id: &str, email_key: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE invitations SET email_key = $1 WHERE id = $2")
            .bind(email_key)
            .bind(id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Whether a pending invitation of the org offers `role_key`.
pub async fn pending_with_role(db: impl Executor<'_>, org_id: &str, role_key: &str) -> Result<bool> {
    on!(db, |db| {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations WHERE org_id = $1 AND role = $2 AND status = 'pending'",
        )
        .bind(org_id)
        .bind(role_key)
        .fetch_one(db)
        .await?;
        Ok(count > 0)
    })
}

#[derive(sqlx::FromRow, Clone)]
pub struct InvitationRow {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub invited_by: Option<String>,
    pub invited_by_name: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_sent_at: i64,
    pub send_count: i64,
}

const INVITATION_SELECT: &str =
    "SELECT i.id, i.org_id, i.email, i.role, i.status, i.invited_by, u.name AS invited_by_name, \
     i.created_at, i.expires_at, i.last_sent_at, i.send_count \
     FROM invitations i LEFT JOIN users u ON u.id = i.invited_by";

impl InvitationRow {
    /// A row of `INVITATION_SELECT` read by the SQLite read path.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<InvitationRow> {
        Ok(InvitationRow {
            // By position, in INVITATION_SELECT's order.
            id: r.get(0)?,
            org_id: r.get(1)?,
            email: r.get(2)?,
            role: r.get(3)?,
            status: r.get(4)?,
            invited_by: r.get(5)?,
            invited_by_name: r.get(6)?,
            created_at: r.get(7)?,
            expires_at: r.get(8)?,
            last_sent_at: r.get(9)?,
            send_count: r.get(10)?,
        })
    }
}

async fn read_all(db: &Db, sql: &Sql) -> Result<Vec<InvitationRow>> {
    match db.read(sql, InvitationRow::from_sqlite).await {
        Some(rows) => rows,
        None => on!(&db.pool, |e| sql.query_as().fetch_all(e).await),
    }
}

pub async fn invitation(db: impl Executor<'_>, org_id: &str, id: &str) -> Result<Option<InvitationRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{INVITATION_SELECT} WHERE i.org_id = $1 AND i.id = $2"))
            .bind(org_id)
            .bind(id)
            .fetch_optional(db)
            .await
    })
}

/// Marks the org's pending invitations to these addresses that expired by
/// `now` as expired.
pub async fn expire_lapsed(db: impl Executor<'_>, org_id: &str, email_keys: &[&str], now: i64) -> Result<()> {
    on!(db, |db| {
        let mut sql = in_list(
            "UPDATE invitations SET status = 'expired' WHERE org_id = $1 AND status = 'pending' AND email_key IN ",
            org_id,
            email_keys,
            " AND expires_at <= ",
        );
        sql.bind(now);
        sql.query().execute(db).await.map(|_| ())
    })
}

/// A pending invitation to write (sent once, at `created_at`).
pub struct NewInvitation<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub role: &'a str,
    pub invited_by: Option<&'a str>,
    pub token_hash: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Inserts the invitations in one statement, skipping each address that
/// has a pending invitation in its org already (a concurrent request's
/// insert wins the unique index). Answers the ids inserted.
pub async fn insert_unless_pending(
    db: impl Executor<'_>,
    invitations: &[NewInvitation<'_>],
) -> Result<HashSet<String>> {
    on!(db, |db| {
        let mut sql = Sql::new(
            "INSERT INTO invitations (id, org_id, email, email_key, role, invited_by, token_hash, status, created_at, expires_at, last_sent_at, send_count) VALUES ",
        );
        sql.values(invitations.iter().map(|i| {
            [
                Bind::from(i.id),
                Bind::from(i.org_id),
                Bind::from(i.email),
                Bind::from(i.email_key),
                Bind::from(i.role),
                Bind::from(i.invited_by),
                Bind::from(i.token_hash),
                Bind::from(InvitationStatus::Pending.as_str()),
                Bind::from(i.created_at),
                Bind::from(i.expires_at),
                Bind::from(i.created_at),
                Bind::from(1i64),
            ]
        }));
        sql.push(" ON CONFLICT (org_id, email_key) WHERE status = 'pending' DO NOTHING RETURNING id");
        let rows: Vec<(String,)> = sql.query_as().fetch_all(db).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    })
}

/// The org's pending invitations to these addresses.
pub async fn pending_to(db: impl Executor<'_>, org_id: &str, email_keys: &[&str]) -> Result<Vec<InvitationRow>> {
    on!(db, |db| {
        in_list(
            &format!("{INVITATION_SELECT} WHERE i.org_id = $1 AND i.status = 'pending' AND i.email_key IN "),
            org_id,
            email_keys,
            "",
        )
        .query_as()
        .fetch_all(db)
        .await
    })
}

/// The statement of one page of an org's open invitations: $1 org, $2 now,
/// $3/$4 the cursor (expiry, id), $5 the rows to read. Public for the plan tests.
pub fn open_page_sql(filter: InvitationFilter) -> String {
    let expiry = match filter {
        InvitationFilter::Pending => "AND i.expires_at > $2",
        InvitationFilter::Expired => "AND i.expires_at <= $2",
        InvitationFilter::Open => "AND $2 = $2",
    };
    format!(
        "{INVITATION_SELECT} WHERE i.org_id = $1 AND i.status = 'pending' {expiry} \
         AND (i.expires_at > $3 OR (i.expires_at = $3 AND i.id > $4)) ORDER BY i.expires_at, i.id LIMIT $5"
    )
}

/// One page of the org's unanswered invitations, soonest expiry first, after
/// (`after_expiry`, `after_id`) (SQLite's read path).
pub async fn open_page(
    db: &Db,
    org_id: &str,
    filter: InvitationFilter,
    now: i64,
    after: (i64, &str),
    rows: i64,
) -> Result<Vec<InvitationRow>> {
    let mut sql = Sql::new(&open_page_sql(filter));
    sql.bind_value(org_id).bind_value(now).bind_value(after.0).bind_value(after.1).bind_value(rows);
    read_all(db, &sql).await
}

/// The statement of [`managed`]: $1 the caller, $2 the oldest expiry shown.
/// Public for the plan tests.
pub fn managed_sql() -> String {
    format!(
        "{INVITATION_SELECT} JOIN memberships me ON me.org_id = i.org_id AND me.user_id = $1 AND me.status = 'active' \
         WHERE i.status = 'pending' AND i.expires_at > $2 ORDER BY i.expires_at, i.id"
    )
}

/// The unanswered invitations, expiring after `oldest_expiry`, of every org
/// where `user_id` is an active member, soonest expiry first (SQLite's read path).
pub async fn managed(db: &Db, user_id: &str, oldest_expiry: i64) -> Result<Vec<InvitationRow>> {
    let mut sql = Sql::new(&managed_sql());
    sql.bind_value(user_id).bind_value(oldest_expiry);
    read_all(db, &sql).await
}

/// The unanswered invitations, expiring after `oldest_expiry`, of the
/// orgs `org_ids` (the ones a caller reaches through partner
/// relationships), soonest expiry first.
pub async fn pending_in_orgs(db: &Db, org_ids: &[&str], oldest_expiry: i64) -> Result<Vec<InvitationRow>> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{INVITATION_SELECT} WHERE i.status = 'pending' AND i.expires_at > "));
    sql.bind(oldest_expiry).push(" AND i.org_id IN (");
    for (n, id) in org_ids.iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(") ORDER BY i.expires_at, i.id");
    read_all(db, &sql).await
}

/// A page of [`pending_in_orgs`] after `after` (expiry, id), leaving out
/// the orgs where `user_id` is a member (the membership's page has those).
pub async fn pending_page_in_orgs(
    db: &Db,
    user_id: &str,
    org_ids: &[&str],
    oldest_expiry: i64,
    after: (i64, &str),
    rows: i64,
) -> Result<Vec<InvitationRow>> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{INVITATION_SELECT} WHERE i.status = 'pending' AND i.expires_at > "));
    sql.bind(oldest_expiry).push(" AND (i.expires_at > ").bind(after.0);
    sql.push(" OR (i.expires_at = ").bind(after.0).push(" AND i.id > ").bind(after.1).push(")) AND i.org_id IN (");
    for (n, id) in org_ids.iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(") AND NOT EXISTS (SELECT 1 FROM memberships mm WHERE mm.org_id = i.org_id AND mm.user_id = ");
    sql.bind(user_id).push(") ORDER BY i.expires_at, i.id LIMIT ").bind(rows);
    read_all(db, &sql).await
}

/// An unanswered invitation of an org where the caller manages
/// invitations, with that org's name and slug and the caller's role in it.
#[derive(sqlx::FromRow)]
pub struct ManagedRow {
    #[sqlx(flatten)]
    pub invitation: InvitationRow,
    pub org_name: String,
    pub org_slug: String,
    pub my_role: String,
    pub my_builtin: i64,
    pub my_permissions: String,
}

/// The statement of [`managed_page`] (public for the plan tests): $1 the
/// caller, $2 the oldest expiry shown, ($3, $4) the last (expiry, id) of the
/// previous page, $5 how many rows. `readers` are the built-in roles that
/// hold `invitations:read` and `builtin` all built-in role keys (both from
/// the code, so the text is the same at every request); a custom role holds
/// it when its stored permissions (space-separated) name it. This is
/// `access::role_permissions` in SQL, so a page is full after filtering.
pub fn managed_page_sql(readers: &[&str], builtin: &[&str]) -> String {
    let list = |keys: &[&str]| keys.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    // The page is cut from narrow rows (my membership and role, each open
    // invitation's key) read by index; only its rows are then joined to
    // the invitations, the orgs and the inviters (not all of my orgs' open
    // invitations, then cut).
    format!(
        "SELECT i.id, i.org_id, i.email, i.role, i.status, i.invited_by, u.name AS invited_by_name, \
         i.created_at, i.expires_at, i.last_sent_at, i.send_count, \
         o.name AS org_name, o.slug AS org_slug, p.my_role, p.my_builtin, p.my_permissions \
         FROM (SELECT k.id AS page_id, k.expires_at AS page_expires_at, me.role AS my_role, \
               r.builtin AS my_builtin, r.permissions AS my_permissions \
               FROM memberships me \
               JOIN roles r ON r.org_id = me.org_id AND r.role_key = me.role \
               JOIN invitations k ON k.org_id = me.org_id \
               WHERE me.user_id = $1 AND me.status = 'active' \
               AND ((r.builtin = 1 AND me.role IN ({})) \
                    OR (NOT (r.builtin = 1 AND me.role IN ({})) AND (' ' || r.permissions || ' ') LIKE '% invitations:read %')) \
               AND k.status = 'pending' AND k.expires_at > $2 \
               AND (k.expires_at > $3 OR (k.expires_at = $3 AND k.id > $4)) \
               ORDER BY k.expires_at, k.id LIMIT $5) p \
         CROSS JOIN invitations i \
         JOIN orgs o ON o.id = i.org_id \
         LEFT JOIN users u ON u.id = i.invited_by \
         WHERE i.id = p.page_id \
         ORDER BY p.page_expires_at, p.page_id",
        list(readers),
        list(builtin)
    )
}

/// One page of [`managed`]'s list, restricted to the orgs where the
/// caller's role reads invitations (SQLite's read path).
pub async fn managed_page(
    db: &Db,
    statement: &str,
    user_id: &str,
    oldest_expiry: i64,
    after: (i64, &str),
    rows: i64,
) -> Result<Vec<ManagedRow>> {
    let mut sql = Sql::new(statement);
    sql.bind_value(user_id).bind_value(oldest_expiry).bind_value(after.0).bind_value(after.1).bind_value(rows);
    let read = db.read(&sql, |r| {
        Ok(ManagedRow {
            invitation: InvitationRow::from_sqlite(r)?,
            org_name: r.get(11)?,
            org_slug: r.get(12)?,
            my_role: r.get(13)?,
            my_builtin: r.get(14)?,
            my_permissions: r.get(15)?,
        })
    });
    match read.await {
        Some(rows) => rows,
        None => on!(&db.pool, |e| sql.query_as().fetch_all(e).await),
    }
}

/// A new token and expiry for a pending invitation, sent once more; false
/// when it is no longer pending.
pub async fn renew(db: impl Executor<'_>, id: &str, token_hash: &str, expires_at: i64, now: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE invitations SET token_hash = $1, expires_at = $2, last_sent_at = $3, send_count = send_count + 1, \
             expiry_event_at = NULL WHERE id = $4 AND status = 'pending'",
        )
        .bind(token_hash)
        .bind(expires_at)
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Revokes a pending invitation; false when it is no longer pending.
pub async fn revoke(db: impl Executor<'_>, id: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE invitations SET status = 'revoked', responded_at = $1 WHERE id = $2 AND status = 'pending'",
        )
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Accepts a pending invitation that has not expired at `at`; false
/// otherwise (only one caller wins).
pub async fn accept(db: impl Executor<'_>, id: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE invitations SET status = 'accepted', responded_at = $1 WHERE id = $2 AND status = 'pending' AND expires_at > $1",
        )
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Declines a pending invitation; false when it is no longer pending.
pub async fn decline(db: impl Executor<'_>, id: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE invitations SET status = 'declined', responded_at = $1 WHERE id = $2 AND status = 'pending'",
        )
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// An invitation as its link holder sees it: org, role and inviter names.
#[derive(sqlx::FromRow)]
pub struct LinkRow {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub email: String,
    pub email_key: String,
    pub role: String,
    pub role_name: String,
    pub status: String,
    pub expires_at: i64,
    pub inviter_name: Option<String>,
}

const LINK_SELECT: &str = "SELECT i.id, i.org_id, o.name AS org_name, i.email, i.email_key, i.role, COALESCE(r.name, i.role) AS role_name, i.status, i.expires_at, \
                u.name AS inviter_name \
         FROM invitations i JOIN orgs o ON o.id = i.org_id \
         LEFT JOIN roles r ON r.org_id = i.org_id AND r.role_key = i.role \
         LEFT JOIN users u ON u.id = i.invited_by ";

pub async fn by_token_hash(db: impl Executor<'_>, token_hash: &str) -> Result<Option<LinkRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{LINK_SELECT} WHERE i.token_hash = $1")).bind(token_hash).fetch_optional(db).await
    })
}

/// Invitation `id`, if it was sent to `email_key`.
pub async fn to_address(db: impl Executor<'_>, id: &str, email_key: &str) -> Result<Option<LinkRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{LINK_SELECT} WHERE i.id = $1 AND i.email_key = $2"))
            .bind(id)
            .bind(email_key)
            .fetch_optional(db)
            .await
    })
}

/// A pending invitation to my address.
#[derive(sqlx::FromRow)]
pub struct AddressedRow {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub role: String,
    pub inviter_name: Option<String>,
    pub expires_at: i64,
}

/// The pending invitations to `email_key` that have not expired at `now`,
/// soonest expiry first.
pub async fn pending_for_address(db: impl Executor<'_>, email_key: &str, now: i64) -> Result<Vec<AddressedRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT i.id, i.org_id, o.name AS org_name, i.role, u.name AS inviter_name, i.expires_at \
             FROM invitations i JOIN orgs o ON o.id = i.org_id LEFT JOIN users u ON u.id = i.invited_by \
             WHERE i.email_key = $1 AND i.status = 'pending' AND i.expires_at > $2 ORDER BY i.expires_at",
        )
        .bind(email_key)
        .bind(now)
        .fetch_all(db)
        .await
    })
}
