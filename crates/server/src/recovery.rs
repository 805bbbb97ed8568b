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

use crate::auth::{hash_password, hash_token, new_token, ClientMeta};
use crate::emails::{self, Block};
use crate::error::{field, ApiError, ApiResult};
use crate::outbox;
use crate::rate_limit::{self, Window};
use crate::state::AppState;
use crate::store::{self, accounts::Addressee, tokens::ResetRow, Conn};
use crate::time::{now_ms, HOUR, MINUTE};

pub const RESET_LIFETIME_MS: i64 = 30 * MINUTE;

/// Why a reset link is sent: asked for, or because someone signed up with
/// an address an unconfirmed account holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Requested,
    Claim,
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
    let account = store::accounts::addressee_by_email_key(tx.conn(), &key).await?;
    let (token, hash) = new_token("odr");
    let now = now_ms();
    let user_id = account.as_ref().map(|a| a.id.as_str());
    store::tokens::insert_reset(tx.conn(), &hash, user_id, now, now + RESET_LIFETIME_MS).await?;
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
pub async fn send_claim(conn: &mut Conn, state: &AppState, user_id: &str) -> ApiResult<()> {
    let account = store::accounts::addressee(&mut *conn, user_id).await?;
    let (token, hash) = new_token("odr");
    let now = now_ms();
    store::tokens::insert_reset(&mut *conn, &hash, Some(&account.id), now, now + RESET_LIFETIME_MS).await?;
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
    let token_hash = hash_token(token);
    let row = store::tokens::reset(tx.conn(), &token_hash).await?;
    let user_id = match row {
        Some(ResetRow { user_id: Some(user_id), expires_at, used_at: None }) if expires_at > now => user_id,
        Some(ResetRow { user_id: Some(_), used_at: Some(_), .. }) => {
            return Err(ApiError::new(
                ErrorCode::InvitationNotPending,
                "This reset link was used already; ask for a new one.",
            ))
        }
        Some(ResetRow { user_id: Some(_), used_at: None, .. }) => {
            return Err(ApiError::new(ErrorCode::InvitationExpired, "This reset link expired; ask for a new one."))
        }
        _ => return Err(ApiError::not_found("reset link")),
    };
    // Single use, even when two tabs submit at once.
    if !store::tokens::use_reset(tx.conn(), &token_hash, now).await? {
        return Err(ApiError::new(
            ErrorCode::InvitationNotPending,
            "This reset link was used already; ask for a new one.",
        ));
    }
    store::accounts::reset_password(tx.conn(), &user_id, &hash, now).await?;
    // Every session ends: the old password's holder, whoever that was, is out.
    store::sessions::revoke_all(tx.conn(), &user_id, now).await?;
    // Other outstanding links of this account stop working too.
    store::tokens::use_all_resets(tx.conn(), &user_id, now).await?;
    let account = store::accounts::addressee(tx.conn(), &user_id).await?;
    outbox::enqueue(tx.conn(), changed_email(&account, now)).await?;
    crate::security_log::record(tx.conn(), &user_id, orgdesk_core::api::SecurityEventKind::PasswordReset, meta).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}

/// Whether this network signed in to the account before.
pub async fn known_source(state: &AppState, email_key: &str, ip: &str) -> ApiResult<bool> {
    Ok(store::security_log::known_source(&state.db.pool, email_key, ip).await?)
}

/// Remembers the network of a successful sign-in.
pub async fn remember_source(state: &AppState, user_id: &str, ip: &str) -> ApiResult<()> {
    store::security_log::remember_source(&state.db.pool, user_id, ip, now_ms()).await?;
    Ok(())
}

fn reset_email(state: &AppState, account: &Addressee, token: &str, expires_at: i64, reason: Reason) -> outbox::Email {
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

fn changed_email(account: &Addressee, at: i64) -> outbox::Email {
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
