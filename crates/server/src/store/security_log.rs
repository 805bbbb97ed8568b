//! The security log (`security_events`) and the networks each account
//! signed in from (`signin_sources`).

use super::on;
use orgdesk_core::api::SecurityEventKind;

use super::{Executor, Result};
use crate::time::new_id;

pub async fn insert(
    db: impl Executor<'_>,
    user_id: &str,
    kind: SecurityEventKind,
    at: i64,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO security_events (id, user_id, kind, at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(kind.as_str())
        .bind(at)
        .bind(ip)
        .bind(user_agent)
        .execute(db)
        .await
        .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub kind: String,
    pub at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The OpenID provider of a sign-in through one.
    pub provider: Option<String>,
}

/// The account's events before (`before_at`, `before_id`), newest first;
/// an empty `before_id` starts at the newest.
pub async fn page(
    db: impl Executor<'_>,
    user_id: &str,
    before_at: i64,
    before_id: &str,
    rows: i64,
) -> Result<Vec<EventRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, kind, at, ip, user_agent, provider FROM security_events WHERE user_id = $1 \
             AND (at < $2 OR (at = $2 AND id < $3) OR $3 = '') ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(user_id)
        .bind(before_at)
        .bind(before_id)
        .bind(rows)
        .fetch_all(db)
        .await
    })
}

/// The times of the account's latest sign-ins, newest first.
pub async fn sign_in_times(db: impl Executor<'_>, user_id: &str, limit: i64) -> Result<Vec<i64>> {
    on!(db, |db| {
        sqlx::query_scalar(
            "SELECT at FROM security_events WHERE user_id = $1 AND kind = 'sign_in' ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// Whether the account behind `email_key` signed in from `ip` before.
pub async fn known_source(db: impl Executor<'_>, email_key: &str, ip: &str) -> Result<bool> {
    on!(db, |db| {
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signin_sources s JOIN users u ON u.id = s.user_id WHERE u.email_key = $1 AND s.ip = $2",
        )
        .bind(email_key)
        .bind(ip)
        .fetch_one(db)
        .await?;
        Ok(known > 0)
    })
}

pub async fn remember_source(db: impl Executor<'_>, user_id: &str, ip: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO signin_sources (user_id, ip, last_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, ip) DO UPDATE SET last_at = excluded.last_at",
        )
        .bind(user_id)
        .bind(ip)
        .bind(at)
        .execute(db)
        .await
        .map(|_| ())
    })
}
