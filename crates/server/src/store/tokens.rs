//! Single-use links sent by email: address verifications, password resets
//! and address changes. Each is stored by its token's hash.

use super::on;
use super::{Executor, Result};

pub async fn insert_verification(
    db: impl Executor<'_>,
    token_hash: &str,
    user_id: &str,
    expires_at: i64,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query("INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(db)
            .await
            .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct VerificationRow {
    pub user_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn verification(db: impl Executor<'_>, token_hash: &str) -> Result<Option<VerificationRow>> {
    on!(db, |db| {
        sqlx::query_as("SELECT user_id, expires_at, used_at FROM email_verifications WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(db)
            .await
    })
}

pub async fn use_verification(db: impl Executor<'_>, token_hash: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE email_verifications SET used_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(token_hash)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// A reset link, for an account or (so that asking costs the same either
/// way) for none.
pub async fn insert_reset(
    db: impl Executor<'_>,
    token_hash: &str,
    user_id: Option<&str>,
    created_at: i64,
    expires_at: i64,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(created_at)
            .bind(expires_at)
            .execute(db)
            .await
            .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct ResetRow {
    /// `None` for a link asked for an address no account holds.
    pub user_id: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn reset(db: impl Executor<'_>, token_hash: &str) -> Result<Option<ResetRow>> {
    on!(db, |db| {
        sqlx::query_as("SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(db)
            .await
    })
}

/// Uses a reset link; false when it was used already.
pub async fn use_reset(db: impl Executor<'_>, token_hash: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(at)
            .bind(token_hash)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Uses every outstanding reset link of the account.
pub async fn use_all_resets(db: impl Executor<'_>, user_id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(at)
            .bind(user_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub async fn delete_resets_before(db: impl Executor<'_>, cutoff: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM password_resets WHERE created_at < $1").bind(cutoff).execute(db).await.map(|_| ())
    })
}

pub struct NewAddressChange<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub new_email: &'a str,
    pub new_email_key: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_address_change(db: impl Executor<'_>, change: &NewAddressChange<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO email_changes (token_hash, user_id, new_email, new_email_key, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(change.token_hash)
        .bind(change.user_id)
        .bind(change.new_email)
        .bind(change.new_email_key)
        .bind(change.created_at)
        .bind(change.expires_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct AddressChangeRow {
    pub user_id: String,
    pub new_email: String,
    pub new_email_key: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn address_change(db: impl Executor<'_>, token_hash: &str) -> Result<Option<AddressChangeRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT user_id, new_email, new_email_key, expires_at, used_at FROM email_changes WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(db)
        .await
    })
}

/// Uses an address-change link; false when it was used already.
pub async fn use_address_change(db: impl Executor<'_>, token_hash: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("UPDATE email_changes SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(at)
            .bind(token_hash)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}
