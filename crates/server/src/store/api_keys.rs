//! Organization API keys: the `api_keys` table.

use super::on;
use super::{Executor, Result};

pub struct NewKey<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub permissions: &'a str,
    pub created_by: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(db: impl Executor<'_>, key: &NewKey<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, name, prefix, key_hash, permissions, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(key.id)
        .bind(key.org_id)
        .bind(key.name)
        .bind(key.prefix)
        .bind(key.key_hash)
        .bind(key.permissions)
        .bind(key.created_by)
        .bind(key.created_at)
        .bind(key.expires_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct KeyRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub prefix: String,
    pub permissions: String,
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const KEY_COLUMNS: &str =
    "SELECT k.id, k.org_id, k.name, k.prefix, k.permissions, k.created_by, u.name AS created_by_name, \
     k.created_at, k.expires_at, k.last_used_at, k.revoked_at FROM api_keys k LEFT JOIN users u ON u.id = k.created_by";

/// The org's keys, newest first; only those `created_by` made when given.
pub async fn of_org(db: impl Executor<'_>, org_id: &str, created_by: Option<&str>) -> Result<Vec<KeyRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "{KEY_COLUMNS} WHERE k.org_id = $1 AND ($2 = '' OR k.created_by = $2) ORDER BY k.created_at DESC, k.id DESC"
        ))
        .bind(org_id)
        .bind(created_by.unwrap_or(""))
        .fetch_all(db)
        .await
    })
}

pub async fn get(db: impl Executor<'_>, org_id: &str, id: &str) -> Result<Option<KeyRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{KEY_COLUMNS} WHERE k.org_id = $1 AND k.id = $2"))
            .bind(org_id)
            .bind(id)
            .fetch_optional(db)
            .await
    })
}

/// Revokes a key of the org; false when it is unknown or revoked already.
pub async fn revoke(db: impl Executor<'_>, org_id: &str, id: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(at)
                .bind(org_id)
                .bind(id)
                .execute(db)
                .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Revokes the live keys `created_by` made in the org; answers their ids and names.
pub async fn revoke_created_by(
    db: impl Executor<'_>,
    org_id: &str,
    created_by: &str,
    at: i64,
) -> Result<Vec<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE api_keys SET revoked_at = $1 WHERE org_id = $2 AND created_by = $3 AND revoked_at IS NULL \
             RETURNING id, name",
        )
        .bind(at)
        .bind(org_id)
        .bind(created_by)
        .fetch_all(db)
        .await
    })
}

/// What a request presenting a key needs: the key and its org's slug.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CallerKey {
    pub id: String,
    pub org_id: String,
    pub org_slug: String,
    pub name: String,
    pub permissions: String,
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn caller(db: impl Executor<'_>, key_hash: &str) -> Result<Option<CallerKey>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT k.id, k.org_id, o.slug AS org_slug, k.name, k.permissions, k.created_by, u.name AS created_by_name, \
             k.expires_at, k.last_used_at, k.revoked_at \
             FROM api_keys k JOIN orgs o ON o.id = k.org_id LEFT JOIN users u ON u.id = k.created_by WHERE k.key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(db)
        .await
    })
}

/// Writes `last_used_at` unless another request wrote it since `stale_before`.
pub async fn touch(db: impl Executor<'_>, id: &str, at: i64, stale_before: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(at)
        .bind(id)
        .bind(stale_before)
        .execute(db)
        .await
        .map(|_| ())
    })
}
