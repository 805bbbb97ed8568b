//! Invitations: the `invitations` table.

use super::{Executor, Result};

/// Every invitation's (id, email, email_key), for recomputing the keys.
pub async fn email_keys(db: impl Executor<'_>) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as("SELECT id, email, email_key FROM invitations").fetch_all(db).await
}

/// Whether giving invitation `id` the key `email_key` would make a second
/// pending invitation for one address in its org.
pub async fn pending_key_collides(db: impl Executor<'_>, email_key: &str, id: &str) -> Result<bool> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations i JOIN invitations me ON me.id = $2 \
         WHERE i.email_key = $1 AND i.org_id = me.org_id AND i.status = 'pending' AND me.status = 'pending'",
    )
    .bind(email_key)
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(count > 0)
}

pub async fn set_email_key(db: impl Executor<'_>, id: &str, email_key: &str) -> Result<()> {
    sqlx::query("UPDATE invitations SET email_key = $1 WHERE id = $2")
        .bind(email_key)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}
