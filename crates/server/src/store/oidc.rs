//! Sign in with OpenID Connect: the flows in flight (`oidc_flows`), which
//! account a provider's subject signs in to (`oidc_links`), the one-time
//! codes the app exchanges for a session (`oidc_codes`), and the provider of
//! a sign-in in the security log.

use super::on;
use orgdesk_core::api::SecurityEventKind;

use super::{Executor, Result};
use crate::time::new_id;

pub struct NewFlow<'a> {
    pub state_hash: &'a str,
    pub provider: &'a str,
    pub app_challenge: &'a str,
    pub app_redirect: &'a str,
    pub invitation_hash: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_flow(db: impl Executor<'_>, flow: &NewFlow<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO oidc_flows (state_hash, provider, app_challenge, app_redirect, invitation_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(flow.state_hash)
        .bind(flow.provider)
        .bind(flow.app_challenge)
        .bind(flow.app_redirect)
        .bind(flow.invitation_hash)
        .bind(flow.created_at)
        .bind(flow.expires_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct FlowRow {
    pub provider: String,
    pub app_challenge: String,
    pub app_redirect: String,
    pub invitation_hash: Option<String>,
}

/// Uses a flow: marks it used when it is unused and unexpired, in one
/// statement, so one callback at most gets it. `None`: unknown, used or
/// expired.
pub async fn consume_flow(db: impl Executor<'_>, state_hash: &str, now: i64) -> Result<Option<FlowRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE oidc_flows SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING provider, app_challenge, app_redirect, invitation_hash",
        )
        .bind(now)
        .bind(state_hash)
        .fetch_optional(db)
        .await
    })
}

pub async fn linked_user(db: impl Executor<'_>, provider: &str, subject: &str) -> Result<Option<String>> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT user_id FROM oidc_links WHERE provider = $1 AND subject = $2")
            .bind(provider)
            .bind(subject)
            .fetch_optional(db)
            .await
    })
}

/// Links a subject to an account; fails with the `OidcLink` constraint when
/// the subject is linked already.
pub async fn insert_link(db: impl Executor<'_>, provider: &str, subject: &str, user_id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("INSERT INTO oidc_links (provider, subject, user_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(provider)
            .bind(subject)
            .bind(user_id)
            .bind(at)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub user_id: &'a str,
    pub provider: &'a str,
    pub app_challenge: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_code(db: impl Executor<'_>, code: &NewCode<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO oidc_codes (code_hash, user_id, provider, app_challenge, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code.code_hash)
        .bind(code.user_id)
        .bind(code.provider)
        .bind(code.app_challenge)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

#[derive(sqlx::FromRow)]
pub struct CodeRow {
    pub user_id: String,
    pub provider: String,
    pub app_challenge: String,
}

/// Uses a one-time code (unused and unexpired), in one statement: one
/// redemption at most gets it, whatever its verifier. `None`: unknown, used
/// or expired.
pub async fn consume_code(db: impl Executor<'_>, code_hash: &str, now: i64) -> Result<Option<CodeRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE oidc_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id, provider, app_challenge",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(db)
        .await
    })
}

/// A sign-in through a provider, in the security log.
pub async fn record_sign_in(
    db: impl Executor<'_>,
    user_id: &str,
    provider: &str,
    at: i64,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO security_events (id, user_id, kind, at, ip, user_agent, provider) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(SecurityEventKind::SignIn.as_str())
        .bind(at)
        .bind(ip)
        .bind(user_agent)
        .bind(provider)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Flows and codes created before `cutoff` (all long expired).
pub async fn delete_before(db: &mut super::Conn, cutoff: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM oidc_flows WHERE created_at < $1").bind(cutoff).execute(&mut *db).await?;
        sqlx::query("DELETE FROM oidc_codes WHERE created_at < $1").bind(cutoff).execute(db).await.map(|_| ())
    })
}
