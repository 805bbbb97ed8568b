//! Single-use links sent by email: address verifications, password resets
//! and address changes. Each is stored by its token's hash.

use super::{Executor, Result};

pub async fn insert_verification(
    db: impl Executor<'_>,
    token_hash: &str,
    user_id: &str,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(db)
        .await
        .map(|_| ())
}

/// (user_id, expires_at, used_at) of a verification link.
pub async fn verification(db: impl Executor<'_>, token_hash: &str) -> Result<Option<(String, i64, Option<i64>)>> {
    sqlx::query_as("SELECT user_id, expires_at, used_at FROM email_verifications WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await
}

pub async fn use_verification(db: impl Executor<'_>, token_hash: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE email_verifications SET used_at = $1 WHERE token_hash = $2")
        .bind(at)
        .bind(token_hash)
        .execute(db)
        .await
        .map(|_| ())
}
