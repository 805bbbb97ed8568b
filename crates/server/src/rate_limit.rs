//! Sliding-window rate limits counted in the database, so every replica on one
//! PostgreSQL shares them.

use sqlx::AnyConnection;

use crate::error::{ApiError, ApiResult};
use crate::time::now_ms;

pub struct Window<'a> {
    pub bucket: &'a str,
    pub limit: i64,
    pub window_ms: i64,
}

/// Refuses with 429 and Retry-After when `extra` more events would exceed the window.
pub async fn check(conn: &mut AnyConnection, w: &Window<'_>, extra: i64, what: &str) -> ApiResult<()> {
    let now = now_ms();
    let (count, oldest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(at) FROM rate_events WHERE bucket = $1 AND at > $2")
            .bind(w.bucket)
            .bind(now - w.window_ms)
            .fetch_one(&mut *conn)
            .await?;
    if count + extra > w.limit {
        let retry_ms = oldest.map(|o| o + w.window_ms - now).unwrap_or(w.window_ms).max(1000);
        return Err(ApiError::rate_limited(
            (retry_ms / 1000) as u64,
            format!("Too many {what}; try again in {} minutes.", (retry_ms / 60_000).max(1)),
        ));
    }
    Ok(())
}

pub async fn hit(conn: &mut AnyConnection, bucket: &str, n: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for _ in 0..n {
        sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
            .bind(bucket)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Drops events older than any window we use.
pub async fn prune(conn: &mut AnyConnection, older_than_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_events WHERE at < $1").bind(now_ms() - older_than_ms).execute(conn).await.map(|_| ())
}
