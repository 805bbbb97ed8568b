//! Sessions: the `sessions` table, and the per-request read of the caller.

use super::memberships::AccessRow;
use super::on;
use super::orgs::OrgRef;
use super::{Executor, Result};
use crate::db::{Db, Sql};

/// A session, its account, and (when the request names an org) the
/// account's membership there.
#[derive(sqlx::FromRow)]
pub struct CallerRow {
    pub session_id: String,
    pub user_id: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: i64,
    pub email: String,
    pub name: String,
    pub email_verified_at: Option<i64>,
    org_id: Option<String>,
    role: Option<String>,
    status: Option<String>,
    builtin: Option<i64>,
    permissions: Option<String>,
}

impl CallerRow {
    /// The membership read with the session; `None` when the org does not
    /// exist or the caller is not a member.
    pub fn access(&mut self) -> Option<AccessRow> {
        match (self.org_id.take(), self.role.take(), self.status.take(), self.builtin, self.permissions.take()) {
            (Some(org_id), Some(role), Some(status), Some(builtin), Some(permissions)) => {
                Some(AccessRow { org_id, role, status, builtin, permissions })
            }
            _ => None,
        }
    }
}

const CALLER_COLUMNS: &str = "s.id AS session_id, s.user_id, s.expires_at, s.revoked_at, s.last_used_at, \
     u.email, u.name, u.email_verified_at";

/// The session, and the caller's membership in the org `$2` names, in one statement.
fn caller_sql(org: Option<OrgRef<'_>>) -> Sql {
    let text = match org {
        None => format!(
            "SELECT {CALLER_COLUMNS}, CAST(NULL AS TEXT) AS org_id, CAST(NULL AS TEXT) AS role, \
             CAST(NULL AS TEXT) AS status, CAST(NULL AS BIGINT) AS builtin, CAST(NULL AS TEXT) AS permissions \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
        ),
        Some(org) => format!(
            "SELECT {CALLER_COLUMNS}, m.org_id, m.role, m.status, r.builtin, r.permissions \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN orgs o ON {} = $2 \
             LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = s.user_id \
             LEFT JOIN roles r ON r.org_id = m.org_id AND r.role_key = m.role \
             WHERE s.token_hash = $1",
            org.column()
        ),
    };
    Sql::new(&text)
}

/// The caller behind a token hash, with their membership in `org`: one
/// statement by key, on SQLite's read path without a thread hand-off
/// (`Db::read_now`).
pub async fn caller(db: &Db, token_hash: &str, org: Option<OrgRef<'_>>) -> Result<Option<CallerRow>> {
    let mut sql = caller_sql(org);
    sql.bind_value(token_hash).bind_value(org.map(OrgRef::value).unwrap_or_default());
    let read = db.read_now(&sql, |r| {
        Ok(CallerRow {
            // By position, in caller_sql's order.
            session_id: r.get(0)?,
            user_id: r.get(1)?,
            expires_at: r.get(2)?,
            revoked_at: r.get(3)?,
            last_used_at: r.get(4)?,
            email: r.get(5)?,
            name: r.get(6)?,
            email_verified_at: r.get(7)?,
            org_id: r.get(8)?,
            role: r.get(9)?,
            status: r.get(10)?,
            builtin: r.get(11)?,
            permissions: r.get(12)?,
        })
    });
    match read.await {
        Some(rows) => Ok(rows?.into_iter().next()),
        None => on!(&db.pool, |e| sql.query_as().fetch_optional(e).await),
    }
}

pub async fn touch(db: impl Executor<'_>, session_id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(session_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub token_hash: &'a str,
    pub device_name: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert(db: impl Executor<'_>, new: &NewSession<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, device_name, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(new.id)
        .bind(new.user_id)
        .bind(new.token_hash)
        .bind(new.device_name)
        .bind(new.created_at)
        .bind(new.expires_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Ends one live session of the account; false when there was none.
pub async fn revoke(db: impl Executor<'_>, session_id: &str, user_id: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done =
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(at)
                .bind(session_id)
                .bind(user_id)
                .execute(db)
                .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Ends every live session of the account.
pub async fn revoke_all(db: impl Executor<'_>, user_id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(user_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub device_name: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
}

/// The account's live sessions at `now`, newest first.
pub async fn live(db: impl Executor<'_>, user_id: &str, now: i64) -> Result<Vec<SessionRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, device_name, created_at, last_used_at, expires_at FROM sessions \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(db)
        .await
    })
}
