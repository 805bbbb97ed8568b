//! Rate limits: `rate_buckets` (one row per bucket, locked while counting)
//! and `rate_events` (what was counted, with a weight).

use super::on;
use super::{Executor, Result};

/// Upserts the bucket's row, which holds its row lock until commit on
/// PostgreSQL (SQLite has one writer anyway).
pub async fn lock_bucket(db: impl Executor<'_>, bucket: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO rate_buckets (bucket, locked_at) VALUES ($1, $2) \
             ON CONFLICT (bucket) DO UPDATE SET locked_at = excluded.locked_at",
        )
        .bind(bucket)
        .bind(at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// The weight counted in the bucket after `since`, and its oldest event's time.
pub async fn counted_since(db: impl Executor<'_>, bucket: &str, since: i64) -> Result<(i64, Option<i64>)> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(weight), 0) AS BIGINT), MIN(at) FROM rate_events WHERE bucket = $1 AND at > $2",
        )
        .bind(bucket)
        .bind(since)
        .fetch_one(db)
        .await
    })
}

pub async fn insert_event(db: impl Executor<'_>, bucket: &str, at: i64, id: &str, weight: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("INSERT INTO rate_events (bucket, at, id, weight) VALUES ($1, $2, $3, $4)")
            .bind(bucket)
            .bind(at)
            .bind(id)
            .bind(weight)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Deletes the events recorded under `id`, in every bucket.
pub async fn delete_events(db: impl Executor<'_>, id: &str) -> Result<()> {
    on!(db, |db| sqlx::query("DELETE FROM rate_events WHERE id = $1").bind(id).execute(db).await.map(|_| ()))
}

/// Lowers the weight of the events recorded under `id` to `weight` (never raises it).
pub async fn lower_weight(db: impl Executor<'_>, id: &str, weight: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE rate_events SET weight = $1 WHERE id = $2 AND weight > $1")
            .bind(weight)
            .bind(id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Drops events and idle buckets older than `cutoff`.
pub async fn delete_before(conn: &mut super::Conn, cutoff: i64) -> Result<()> {
    on!(conn, |conn| {
        sqlx::query("DELETE FROM rate_events WHERE at < $1").bind(cutoff).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM rate_buckets WHERE locked_at < $1").bind(cutoff).execute(conn).await.map(|_| ())
    })
}
