//! Changing an account's address: the new address gets a link and the change
//! takes effect only when it is followed (the page's POST); the old address
//! is told. Pending invitations stay bound to the address they were sent to.

use orgdesk_core::{validate, ErrorCode};

use crate::auth::{hash_token, new_token, verify_password, AuthUser};
use crate::db::{violation, Constraint};
use crate::emails::{self, Block};
use crate::error::{field, ApiError, ApiResult};
use crate::outbox;
use crate::rate_limit::{self, Window};
use crate::state::AppState;
use crate::store::{self, accounts::Addressee, tokens::AddressChangeRow};
use crate::time::{now_ms, DAY, HOUR};

pub const LINK_LIFETIME_MS: i64 = 3 * DAY;

/// Asks to move the account to `new_email`; needs the current password.
pub async fn request(state: &AppState, user: &AuthUser, new_email: &str, password: &str) -> ApiResult<()> {
    let new_email = validate::email(new_email).map_err(field("email"))?;
    let new_key = validate::email_key(&new_email);
    if new_key == validate::email_key(&user.email) {
        return Err(ApiError::invalid("email", "This is your address already."));
    }
    let stored = store::accounts::password_hash(&state.db.pool, &user.user_id).await?;
    let given = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&given, Some(&stored))).await.unwrap_or(false);
    if !ok {
        return Err(ApiError::new(ErrorCode::InvalidCredentials, "The password is wrong."));
    }
    let mut tx = state.db.write().await?;
    let window = Window::new(format!("email-change:{}", user.user_id), state.limits.verification_emails_per_user, HOUR);
    rate_limit::take(tx.conn(), &[window], 1, "address changes").await?.keep();
    if store::accounts::email_key_in_use(tx.conn(), &new_key).await? {
        return Err(ApiError::new(ErrorCode::EmailTaken, "Another account uses this address."));
    }
    let (token, hash) = new_token("ode");
    let now = now_ms();
    let change = store::tokens::NewAddressChange {
        token_hash: &hash,
        user_id: &user.user_id,
        new_email: &new_email,
        new_email_key: &new_key,
        created_at: now,
        expires_at: now + LINK_LIFETIME_MS,
    };
    store::tokens::insert_address_change(tx.conn(), &change).await?;
    let link = format!("{}/email-change/{token}", state.public_url);
    let email = emails::compose(
        &new_email,
        "Confirm your new address for Orgdesk".into(),
        &format!("Hello {}, confirm your new address", user.name),
        &[
            Block::Para(format!("Your Orgdesk account {} asked to use this address from now on.", user.email)),
            Block::Button { label: "Use this address".into(), url: link },
            Block::Para("The change happens only when you confirm; the link works once, for 3 days.".into()),
            Block::Note("If you did not ask for this, ignore this email: nothing changes.".into()),
        ],
        None,
    );
    outbox::enqueue(tx.conn(), email).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}

/// Follows the link: the account moves to the new address, which is then
/// verified; the old address is told.
pub async fn confirm(state: &AppState, token: &str) -> ApiResult<()> {
    let mut tx = state.db.write().await?;
    let now = now_ms();
    let token_hash = hash_token(token);
    let row = store::tokens::address_change(tx.conn(), &token_hash).await?;
    let (user_id, new_email, new_key) = match row {
        Some(AddressChangeRow { user_id, new_email, new_email_key, expires_at, used_at: None }) if expires_at > now => {
            (user_id, new_email, new_email_key)
        }
        Some(AddressChangeRow { used_at: Some(_), .. }) => {
            return Err(ApiError::new(ErrorCode::InvitationNotPending, "This link was used already."))
        }
        Some(_) => {
            return Err(ApiError::new(ErrorCode::InvitationExpired, "This link expired; ask again from the app."))
        }
        None => return Err(ApiError::not_found("address change link")),
    };
    if !store::tokens::use_address_change(tx.conn(), &token_hash, now).await? {
        return Err(ApiError::new(ErrorCode::InvitationNotPending, "This link was used already."));
    }
    let Addressee { email: old_email, name, timezone, .. } = store::accounts::addressee(tx.conn(), &user_id).await?;
    // Someone may have taken the address since the request: the unique key decides.
    match store::accounts::move_address(tx.conn(), &user_id, &new_email, &new_key, now).await {
        Ok(_) => {}
        Err(e) if violation(&e) == Some(Constraint::UserEmail) => {
            return Err(ApiError::new(ErrorCode::EmailTaken, "Another account took this address meanwhile."))
        }
        Err(e) => return Err(e.into()),
    }
    let told = emails::compose(
        &old_email,
        "Your Orgdesk address was changed".into(),
        &format!("Hello {name}, your address was changed"),
        &[
            Block::Para(format!(
                "Your Orgdesk account uses {new_email} instead of this address since {}.",
                emails::long_time(now, &timezone)
            )),
            Block::Para("Invitations sent to this address stay addressed to it.".into()),
            Block::Note("If this was not you, reset your password and tell your admin at once.".into()),
        ],
        None,
    );
    outbox::enqueue(tx.conn(), told).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}
