//! Memberships: the `memberships` table, with its users for names and
//! addresses and its roles for permissions.

use super::orgs::OrgRef;
use super::{Executor, Result};

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
}

/// Stamps `last_active_at` unless it is newer than `stale_before`.
pub async fn touch_last_active(
    db: impl Executor<'_>,
    org_id: &str,
    user_id: &str,
    at: i64,
    stale_before: i64,
) -> Result<()> {
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
}

/// The name order's key of every membership of the account.
pub async fn set_sort_name(db: impl Executor<'_>, user_id: &str, sort_name: &str) -> Result<()> {
    sqlx::query("UPDATE memberships SET sort_name = $1 WHERE user_id = $2")
        .bind(sort_name)
        .bind(user_id)
        .execute(db)
        .await
        .map(|_| ())
}
