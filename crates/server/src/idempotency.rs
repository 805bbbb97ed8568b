//! `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header), reusable by
//! any POST: the first request under a key claims it; a retry while the first
//! still runs waits for it briefly, then answers 409 with Retry-After; a retry
//! afterwards gets the stored answer byte for byte; the same key with a
//! different body answers 422. Keys live 24 hours (the janitor prunes them).
//!
//! The stored answer never holds a secret (callers strip one-time links
//! before [`Claim::complete`]), so a replay says what happened without
//! re-showing tokens. A claim whose request died without answering is taken
//! over after [`ABANDONED_AFTER_MS`].

use std::time::Duration;

use axum::http::HeaderMap;
use orgdesk_core::ErrorCode;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, idempotency::KeyRef, Conn};
use crate::time::now_ms;

/// A claim older than this, still without an answer, belongs to a request
/// that died (a crash between claim and commit).
pub const ABANDONED_AFTER_MS: i64 = 60_000;
/// How long a retry waits for the first request before answering 409.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(5);

/// The `Idempotency-Key` header, if any: 1–255 visible ASCII characters.
pub fn key_from(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) if !s.trim().is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()) => {
                Ok(Some(s.to_owned()))
            }
            _ => Err(ApiError::bad_request("Idempotency-Key must be 1–255 visible ASCII characters.")),
        },
    }
}

pub enum Begin {
    /// This request owns the key: do the work, then complete or abandon.
    Fresh(Claim),
    /// An earlier request under this key answered this.
    Replay { status: u16, body: String },
}

pub struct Claim {
    user_id: String,
    scope: String,
    key: String,
}

/// Claims `key` for this request, or answers what an earlier one did.
pub async fn begin(db: &Db, user_id: &str, scope: &str, key: &str, request: &impl Serialize) -> ApiResult<Begin> {
    let hash = request_hash(request);
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        let mut tx = db.write().await?;
        let now = now_ms();
        let claim = Claim { user_id: user_id.to_owned(), scope: scope.to_owned(), key: key.to_owned() };
        if store::idempotency::claim(tx.conn(), &claim.key_ref(), &hash, now).await? {
            tx.commit().await?;
            return Ok(Begin::Fresh(claim));
        }
        let stored = store::idempotency::stored(tx.conn(), &claim.key_ref()).await?;
        let Some(stored) = stored else {
            // Pruned or abandoned between the insert and the select: try again.
            tx.commit().await?;
            continue;
        };
        if stored.request_hash != hash {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was used for a different request; use a new key for a new request.",
            ));
        }
        if stored.status != 0 {
            return Ok(Begin::Replay { status: stored.status as u16, body: stored.response });
        }
        if stored.created_at < now - ABANDONED_AFTER_MS {
            let taken = store::idempotency::take_over(tx.conn(), &claim.key_ref(), stored.created_at, now).await?;
            tx.commit().await?;
            if taken {
                return Ok(Begin::Fresh(claim));
            }
            continue;
        }
        tx.commit().await?;
        if tokio::time::Instant::now() >= deadline {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInProgress,
                "A request with this Idempotency-Key is still running; retry after it answers.",
            )
            .with_retry_after(1));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Claim {
    fn key_ref(&self) -> KeyRef<'_> {
        KeyRef { user_id: &self.user_id, scope: &self.scope, key: &self.key }
    }

    /// Stores the answer, in the transaction that did the work: the answer
    /// exists exactly when the work committed.
    pub async fn complete(&self, conn: &mut Conn, status: u16, body: &str) -> ApiResult<()> {
        store::idempotency::answer(conn, &self.key_ref(), status, body).await?;
        Ok(())
    }

    /// Frees the key after the work failed, so a retry runs it again.
    pub async fn abandon(self, db: &Db) {
        let deleted = store::idempotency::release(&db.pool, &self.key_ref()).await;
        if let Err(e) = deleted {
            tracing::warn!(error = %e, "freeing an idempotency key failed; it is taken over after a minute");
        }
    }
}

fn request_hash(request: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(request).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Deletes keys older than `older_than_ms`.
pub async fn prune(conn: &mut Conn, older_than_ms: i64) -> store::Result<()> {
    store::idempotency::delete_before(conn, now_ms() - older_than_ms).await
}
