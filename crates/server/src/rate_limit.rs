//! Sliding-window rate limits counted in the database, so every replica on one
//! PostgreSQL shares them.
//!
//! Counting and recording happen in one transaction that first locks one row
//! per bucket (an upsert into `rate_buckets`, which holds the row lock until
//! commit on PostgreSQL; SQLite has one writer anyway). N concurrent callers
//! on any number of replicas therefore queue on the bucket and never pass a
//! limit of L by even one. A caller reserves before the work it limits and
//! settles afterwards: a sign-in that turns out right gives its slot back, an
//! invitation call that sent fewer emails than it reserved lowers its count.

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, Conn};
use crate::time::{new_id, now_ms};

pub struct Window {
    pub bucket: String,
    pub limit: i64,
    pub window_ms: i64,
}

impl Window {
    pub fn new(bucket: impl Into<String>, limit: i64, window_ms: i64) -> Window {
        Window { bucket: bucket.into(), limit, window_ms }
    }
}

/// Events recorded by [`reserve`]; one id across all its buckets.
#[must_use = "a reservation is kept, settled or released"]
pub struct Reservation {
    id: String,
}

/// Records `n` events in every window, or none and answers 429 with
/// Retry-After when any window would pass its limit. Runs in its own short
/// write transaction, so the bucket locks are held for microseconds, not for
/// the work being limited.
pub async fn reserve(db: &Db, windows: &[Window], n: i64, what: &str) -> ApiResult<Reservation> {
    let mut tx = db.write().await?;
    let reservation = take(tx.conn(), windows, n, what).await?;
    tx.commit().await?;
    Ok(reservation)
}

/// [`reserve`] inside the caller's transaction.
pub async fn take(conn: &mut Conn, windows: &[Window], n: i64, what: &str) -> ApiResult<Reservation> {
    let now = now_ms();
    let mut ordered: Vec<&Window> = windows.iter().collect();
    // One lock order for every caller: no deadlock between two reservations
    // that share buckets.
    ordered.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    ordered.dedup_by(|a, b| a.bucket == b.bucket);
    for w in &ordered {
        store::rate_limits::lock_bucket(&mut *conn, &w.bucket, now).await?;
    }
    for w in &ordered {
        let (count, oldest) = store::rate_limits::counted_since(&mut *conn, &w.bucket, now - w.window_ms).await?;
        if count + n > w.limit {
            let retry_ms = oldest.map(|o| o + w.window_ms - now).unwrap_or(w.window_ms).max(1000);
            return Err(ApiError::rate_limited(
                (retry_ms / 1000) as u64,
                format!("Too many {what}; try again in {} minutes.", (retry_ms / 60_000).max(1)),
            ));
        }
    }
    let id = new_id();
    if n > 0 {
        for w in &ordered {
            store::rate_limits::insert_event(&mut *conn, &w.bucket, now, &id, n).await?;
        }
    }
    Ok(Reservation { id })
}

impl Reservation {
    /// Keeps the events as recorded.
    pub fn keep(self) {}

    /// Lowers the recorded count to `used` (never raises it).
    pub async fn settle(self, db: &Db, used: i64) -> ApiResult<()> {
        let mut conn = db.pool.acquire().await?;
        if used <= 0 {
            store::rate_limits::delete_events(&mut *conn, &self.id).await?;
        } else {
            store::rate_limits::lower_weight(&mut *conn, &self.id, used).await?;
        }
        Ok(())
    }

    /// Gives every recorded event back.
    pub async fn release(self, db: &Db) -> ApiResult<()> {
        self.settle(db, 0).await
    }
}

/// Drops events older than any window we use.
pub async fn prune(conn: &mut Conn, older_than_ms: i64) -> store::Result<()> {
    store::rate_limits::delete_before(conn, now_ms() - older_than_ms).await
}
