//! Roles: the `roles` table (built-in rows store no permissions; the
//! built-in table in `orgdesk_core` is theirs).

use super::{Executor, Result};

pub async fn insert_builtin(
    db: impl Executor<'_>,
    org_id: &str,
    role_key: &str,
    name: &str,
    created_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO roles (org_id, role_key, name, builtin, permissions, created_at) VALUES ($1, $2, $3, 1, '', $4)",
    )
    .bind(org_id)
    .bind(role_key)
    .bind(name)
    .bind(created_at)
    .execute(db)
    .await
    .map(|_| ())
}
