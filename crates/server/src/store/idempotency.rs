//! Idempotency keys: the `idempotency_keys` table, one row per (user,
//! scope, key); `status` 0 while the first request runs.

use super::on;
use super::{Executor, Result};

pub struct KeyRef<'a> {
    pub user_id: &'a str,
    pub scope: &'a str,
    pub key: &'a str,
}

/// Claims the key for a request whose body hashes to `request_hash`; false
/// when it is claimed already.
pub async fn claim(db: impl Executor<'_>, key: &KeyRef<'_>, request_hash: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, scope, idem_key, status, response, created_at, request_hash) \
             VALUES ($1, $2, $3, 0, '', $4, $5) ON CONFLICT (user_id, scope, idem_key) DO NOTHING",
        )
        .bind(key.user_id)
        .bind(key.scope)
        .bind(key.key)
        .bind(at)
        .bind(request_hash)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

#[derive(sqlx::FromRow)]
pub struct StoredKey {
    pub status: i64,
    pub response: String,
    pub created_at: i64,
    pub request_hash: String,
}

pub async fn stored(db: impl Executor<'_>, key: &KeyRef<'_>) -> Result<Option<StoredKey>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT status, response, created_at, request_hash FROM idempotency_keys \
             WHERE user_id = $1 AND scope = $2 AND idem_key = $3",
        )
        .bind(key.user_id)
        .bind(key.scope)
        .bind(key.key)
        .fetch_optional(db)
        .await
    })
}

/// Takes over an unanswered claim made at `claimed_at`; false when someone
/// else took it or it was answered meanwhile.
pub async fn take_over(db: impl Executor<'_>, key: &KeyRef<'_>, claimed_at: i64, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE idempotency_keys SET created_at = $1 \
             WHERE user_id = $2 AND scope = $3 AND idem_key = $4 AND status = 0 AND created_at = $5",
        )
        .bind(at)
        .bind(key.user_id)
        .bind(key.scope)
        .bind(key.key)
        .bind(claimed_at)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Stores the answer of the claiming request.
pub async fn answer(db: impl Executor<'_>, key: &KeyRef<'_>, status: u16, body: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, response = $2 \
             WHERE user_id = $3 AND scope = $4 AND idem_key = $5 AND status = 0",
        )
        .bind(status as i64)
        .bind(body)
        .bind(key.user_id)
        .bind(key.scope)
        .bind(key.key)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Frees an unanswered claim.
pub async fn release(db: impl Executor<'_>, key: &KeyRef<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND idem_key = $3 AND status = 0")
            .bind(key.user_id)
            .bind(key.scope)
            .bind(key.key)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub async fn delete_before(db: impl Executor<'_>, cutoff: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(cutoff).execute(db).await.map(|_| ())
    })
}
