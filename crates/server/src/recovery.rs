//! Getting an account back: password reset, and taking an address back from
//! an account that never confirmed it (no pre-account takeover).
//!
//! A reset link is 256 random bits, stored as SHA-256, single use, valid for
//! 30 minutes. Following it only shows a page; the page's POST (or the API's
//! confirm call) sets the new password, marks the address verified (holding
//! the link proves it), ends every session of the account and tells the
//! address. So whoever proves the address owns the account: someone who
//! registered another person's address first loses it the moment its owner
//! follows a link, their password and sessions included.

use orgdesk_core::{validate, ErrorCode};
use sqlx::AnyConnection;

use crate::auth::{hash_password, hash_token, new_token, ClientMeta};
use crate::emails::{self, Block};
use crate::error::{field, ApiError, ApiResult};
use crate::outbox;
use crate::rate_limit::{self, Window};
use crate::state::AppState;
use crate::time::{now_ms, HOUR, MINUTE};

pub const RESET_LIFETIME_MS: i64 = 30 * MINUTE;

/// Why a reset link is sent: asked for, or because someone signed up with
/// an address an unconfirmed account holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Requested,
    Claim,
}

#[derive(sqlx::FromRow)]
struct Account {
    id: String,
    email: String,
    name: String,
    timezone: String,
}

/// Asks for a reset link. Answers the same whatever the address: the same
/// statements run (a row is written with no account when there is none) and
/// only an existing account gets an email. Limited per address and network
/// (so the owner, from a network the account used, is never refused because
/// of a stranger elsewhere) and per network.
pub async fn request(state: &AppState, email: &str, meta: &ClientMeta) -> ApiResult<()> {
    // The address's shape is checked like everywhere (that tells nothing about accounts).
    let email = validate::email(email).map_err(field("email"))?;
    let key = validate::email_key(&email);
    let ip = meta.ip.as_deref().unwrap_or("unknown");
    let known = known_source(state, &key, ip).await?;
    let mut windows = vec![
        Window::new(format!("reset:pair:{key}:{ip}"), state.limits.reset_requests_per_account_network, HOUR),
        Window::new(format!("reset:ip:{ip}"), state.limits.reset_requests_per_ip, HOUR),
    ];
    if !known {
        windows.push(Window::new(format!("reset:account:{key}"), state.limits.reset_requests_per_account, HOUR));
    }
    rate_limit::reserve(&state.db, &windows, 1, "password reset requests").await?.keep();
    let mut tx = state.db.write().await?;
    let account: Option<Account> = sqlx::query_as("SELECT id, email, name, timezone FROM users WHERE email_key = $1")
        .bind(&key)
        .fetch_optional(tx.conn())
        .await?;
    let (token, hash) = new_token("odr");
    let now = now_ms();
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash)
        .bind(account.as_ref().map(|a| a.id.as_str()))
        .bind(now)
        .bind(now + RESET_LIFETIME_MS)
        .execute(tx.conn())
        .await?;
    if let Some(account) = &account {
        outbox::enqueue(tx.conn(), reset_email(state, account, &token, now + RESET_LIFETIME_MS, Reason::Requested))
            .await?;
    }
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}

/// Sends the claim link to an unconfirmed account's address (inside the
/// caller's transaction): someone just tried to sign up with it.
pub async fn send_claim(conn: &mut AnyConnection, state: &AppState, user_id: &str) -> ApiResult<()> {
    let account: Account = sqlx::query_as("SELECT id, email, name, timezone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    let (token, hash) = new_token("odr");
    let now = now_ms();
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash)
        .bind(&account.id)
        .bind(now)
        .bind(now + RESET_LIFETIME_MS)
        .execute(&mut *conn)
        .await?;
    outbox::enqueue(conn, reset_email(state, &account, &token, now + RESET_LIFETIME_MS, Reason::Claim)).await?;
    Ok(())
}

/// Sets a new password through a reset link: once, within 30 minutes.
pub async fn complete(state: &AppState, token: &str, password: &str, meta: &ClientMeta) -> ApiResult<()> {
    validate::password(password).map_err(field("password"))?;
    let hash = tokio::task::spawn_blocking({
        let password = password.to_owned();
        move || hash_password(&password)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let mut tx = state.db.write().await?;
    let now = now_ms();
    let row: Option<(Option<String>, i64, Option<i64>)> =
        sqlx::query_as("SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1")
            .bind(hash_token(token))
            .fetch_optional(tx.conn())
            .await?;
    let user_id = match row {
        Some((Some(user_id), expires_at, None)) if expires_at > now => user_id,
        Some((Some(_), _, Some(_))) => {
            return Err(ApiError::new(
                ErrorCode::InvitationNotPending,
                "This reset link was used already; ask for a new one.",
            ))
        }
        Some((Some(_), _, None)) => {
            return Err(ApiError::new(ErrorCode::InvitationExpired, "This reset link expired; ask for a new one."))
        }
        _ => return Err(ApiError::not_found("reset link")),
    };
    // Single use, even when two tabs submit at once.
    let used = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(now)
        .bind(hash_token(token))
        .execute(tx.conn())
        .await?;
    if used.rows_affected() != 1 {
        return Err(ApiError::new(
            ErrorCode::InvitationNotPending,
            "This reset link was used already; ask for a new one.",
        ));
    }
    sqlx::query(
        "UPDATE users SET password_hash = $1, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(&user_id)
    .execute(tx.conn())
    .await?;
    // Every session ends: the old password's holder, whoever that was, is out.
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(&user_id)
        .execute(tx.conn())
        .await?;
    // Other outstanding links of this account stop working too.
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&user_id)
        .execute(tx.conn())
        .await?;
    let account: Account = sqlx::query_as("SELECT id, email, name, timezone FROM users WHERE id = $1")
        .bind(&user_id)
        .fetch_one(tx.conn())
        .await?;
    outbox::enqueue(tx.conn(), changed_email(&account, now)).await?;
    crate::security_log::record(tx.conn(), &user_id, orgdesk_core::api::SecurityEventKind::PasswordReset, meta).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}

/// Whether this network signed in to the account before.
pub async fn known_source(state: &AppState, email_key: &str, ip: &str) -> ApiResult<bool> {
    let known: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM signin_sources s JOIN users u ON u.id = s.user_id WHERE u.email_key = $1 AND s.ip = $2",
    )
    .bind(email_key)
    .bind(ip)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(known > 0)
}

/// Remembers the network of a successful sign-in.
pub async fn remember_source(state: &AppState, user_id: &str, ip: &str) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO signin_sources (user_id, ip, last_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, ip) DO UPDATE SET last_at = excluded.last_at",
    )
    .bind(user_id)
    .bind(ip)
    .bind(now_ms())
    .execute(&state.db.pool)
    .await?;
    Ok(())
}

fn reset_email(state: &AppState, account: &Account, token: &str, expires_at: i64, reason: Reason) -> outbox::Email {
    let link = format!("{}/reset/{token}", state.public_url);
    let until = emails::long_time(expires_at, &account.timezone);
    let (subject, heading, why) = match reason {
        Reason::Requested => (
            "Reset your Orgdesk password",
            format!("Hello {}, reset your password", account.name),
            "Someone, probably you, asked to reset the password of this Orgdesk account.".to_owned(),
        ),
        Reason::Claim => (
            "Confirm that this Orgdesk account is yours",
            "Is this Orgdesk account yours?".to_owned(),
            "Someone tried to sign up with this address, which an Orgdesk account holds but never confirmed. \
             If the address is yours, set a password with this link: the account becomes yours and everyone \
             else signed in to it is signed out."
                .to_owned(),
        ),
    };
    emails::compose(
        &account.email,
        subject.into(),
        &heading,
        &[
            Block::Para(why),
            Block::Button { label: "Choose a new password".into(), url: link },
            Block::Para(format!("Or in the Orgdesk app: orgdesk://reset/{token}")),
            Block::Para(format!("The link works once, until {until}.")),
            Block::Note("If you did not ask for this, ignore this email: nothing changes without the link.".into()),
        ],
        None,
    )
}

fn changed_email(account: &Account, at: i64) -> outbox::Email {
    emails::compose(
        &account.email,
        "Your Orgdesk password was changed".into(),
        "Your password was changed",
        &[
            Block::Para(format!(
                "The password of your Orgdesk account was changed on {} through a reset link, and every \
                 session was signed out.",
                emails::long_time(at, &account.timezone)
            )),
            Block::Note("If this was not you, reset your password again at once and tell your admin.".into()),
        ],
        None,
    )
}
