//! Sign-up, sign-in, sessions, email verification and the profile.

use orgdesk_core::api::{Session, SessionGrant, SignIn, SignUp, UpdateProfile, User};
use orgdesk_core::{validate, ErrorCode};

use crate::auth::{hash_password, hash_token, new_token, verify_password, AuthUser, ClientMeta};
use crate::emails::{self, Block};
use crate::error::{field, ApiError, ApiResult};
use crate::orgs;
use crate::outbox;
use crate::rate_limit::{self, Window};
use crate::security_log;
use crate::state::AppState;
use crate::store::{self, accounts::UserRow, tokens::VerificationRow, Conn};
use crate::time::{new_id, now_ms, rfc3339, DAY, HOUR};
use orgdesk_core::api::SecurityEventKind;

pub const SESSION_LIFETIME_MS: i64 = 30 * DAY;
const VERIFICATION_LIFETIME_MS: i64 = 3 * DAY;

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            name: r.name,
            timezone: r.timezone,
            email_verified: r.email_verified_at.is_some(),
            created_at: rfc3339(r.created_at),
        }
    }
}

pub async fn load_user(conn: &mut Conn, user_id: &str) -> ApiResult<User> {
    let row = store::accounts::user(conn, user_id).await?;
    row.map(User::from).ok_or_else(|| ApiError::not_found("user"))
}

/// Validated sign-up fields.
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub timezone: String,
}

impl NewUser {
    pub fn validate(email: &str, name: &str, password: &str, timezone: Option<&str>) -> ApiResult<NewUser> {
        let email = validate::email(email).map_err(field("email"))?;
        let name = validate::person_name(name).map_err(field("name"))?;
        validate::password(password).map_err(field("password"))?;
        let timezone = match timezone {
            Some(tz) => validate::timezone(tz).map_err(field("timezone"))?,
            None => "UTC".to_owned(),
        };
        Ok(NewUser { email, name, password: password.to_owned(), timezone })
    }
}

/// Inserts a user with a personal organization. `verified` is true when the
/// caller proved the address (an invitation token).
pub async fn insert_user(conn: &mut Conn, new: &NewUser, verified: bool, meta: &ClientMeta) -> ApiResult<String> {
    let id = new_id();
    let now = now_ms();
    let hash = hash_password(&new.password);
    let row = store::accounts::NewUser {
        id: &id,
        email: &new.email,
        email_key: &validate::email_key(&new.email),
        name: &new.name,
        password_hash: &hash,
        timezone: &new.timezone,
        email_verified_at: verified.then_some(now),
        created_at: now,
    };
    let inserted = store::accounts::insert(&mut *conn, &row).await;
    if let Err(e) = inserted {
        if crate::db::violation(&e) == Some(crate::db::Constraint::UserEmail) {
            return Err(ApiError::new(
                ErrorCode::EmailTaken,
                "An account with this email exists already; sign in instead.",
            ));
        }
        return Err(e.into());
    }
    let actor =
        crate::auth::Actor { user_id: Some(id.clone()), label: None, meta: meta.clone(), via_relationship: None };
    let org_name = format!("{}'s workspace", new.name);
    orgs::insert_org(conn, &org_name, None, true, &id, &actor).await?;
    Ok(id)
}

/// Recomputes every stored email key with today's `validate::email_key`
/// (keys written before it were plain lower case). An account whose new key
/// collides with another account's keeps its old key and is logged, so
/// neither person is locked out; the operator resolves it.
pub async fn normalize_email_keys(conn: &mut Conn) -> store::Result<()> {
    for (id, email, key) in store::accounts::email_keys(&mut *conn).await? {
        let normalized = validate::email_key(&email);
        if normalized == key {
            continue;
        }
        if store::accounts::email_key_in_use(&mut *conn, &normalized).await? {
            tracing::warn!(table = "users", id, "an email key collides after normalisation; kept the old key");
            continue;
        }
        store::accounts::set_email_key(&mut *conn, &id, &normalized).await?;
    }
    for (id, email, key) in store::invitations::email_keys(&mut *conn).await? {
        let normalized = validate::email_key(&email);
        if normalized == key {
            continue;
        }
        if store::invitations::pending_key_collides(&mut *conn, &normalized, &id).await? {
            tracing::warn!(table = "invitations", id, "an email key collides after normalisation; kept the old key");
            continue;
        }
        store::invitations::set_email_key(&mut *conn, &id, &normalized).await?;
    }
    Ok(())
}

pub async fn sign_up(state: &AppState, req: SignUp, meta: ClientMeta) -> ApiResult<SessionGrant> {
    let new = NewUser::validate(&req.email, &req.name, &req.password, req.timezone.as_deref())?;
    let mut tx = state.db.write().await?;
    let user_id = match insert_user(tx.conn(), &new, false, &meta).await {
        Ok(id) => id,
        Err(e) if e.code == ErrorCode::EmailTaken => {
            drop(tx);
            return Err(claim_if_unconfirmed(state, &new.email).await.unwrap_or(e));
        }
        Err(e) => return Err(e),
    };
    queue_verification(tx.conn(), state, &user_id, &new.email, &new.name).await?;
    let grant = open_session(tx.conn(), &user_id, "Orgdesk").await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(grant)
}

/// An address held by an account that never confirmed it does not block
/// its owner: the address gets a link, and whoever follows it owns the
/// account (see `recovery`). `None` when the holder confirmed the address.
async fn claim_if_unconfirmed(state: &AppState, email: &str) -> Option<ApiError> {
    let holder = store::accounts::verification_by_email_key(&state.db.pool, &validate::email_key(email)).await.ok()?;
    let (user_id, None) = holder? else { return None };
    let sent = async {
        let mut tx = state.db.write().await?;
        // Signing up again and again must not flood the address: the claim
        // shares the reset links' per-address limit (then nothing is sent).
        let window = Window::new(
            format!("reset:account:{}", validate::email_key(email)),
            state.limits.reset_requests_per_account,
            HOUR,
        );
        if rate_limit::take(tx.conn(), &[window], 1, "claim links").await.is_err() {
            return Ok(());
        }
        crate::recovery::send_claim(tx.conn(), state, &user_id).await?;
        tx.commit().await?;
        state.mail_queued.notify_one();
        Ok::<(), ApiError>(())
    };
    if let Err(e) = sent.await {
        return Some(e);
    }
    Some(ApiError::new(
        ErrorCode::EmailTaken,
        "An account holds this address but never confirmed it. We emailed the address a link: whoever \
         follows it sets the password and owns the account.",
    ))
}

async fn queue_verification(
    conn: &mut Conn,
    state: &AppState,
    user_id: &str,
    email: &str,
    name: &str,
) -> ApiResult<()> {
    let (token, hash) = new_token("odv");
    let expires_at = now_ms() + VERIFICATION_LIFETIME_MS;
    store::tokens::insert_verification(&mut *conn, &hash, user_id, expires_at).await?;
    let timezone = store::accounts::timezone(&mut *conn, user_id).await?;
    let link = format!("{}/verify/{token}", state.public_url);
    let email = emails::compose(
        email,
        "Confirm your email address for Orgdesk".into(),
        &format!("Hello {name}, confirm your email address"),
        &[
            Block::Para("Confirm that this is your email address: it lets you send and accept invitations.".into()),
            Block::Button { label: "Confirm my email address".into(), url: link },
            Block::Para(format!("The link works until {}.", emails::long_time(expires_at, &timezone))),
            Block::Note(
                "If you did not sign up for Orgdesk, ignore this email: nothing happens without the link.".into(),
            ),
        ],
        None,
    );
    outbox::enqueue(conn, email).await?;
    Ok(())
}

pub async fn resend_verification(state: &AppState, user: &AuthUser) -> ApiResult<()> {
    if user.email_verified {
        return Err(ApiError::invalid("email", "Your email address is verified already."));
    }
    let mut tx = state.db.write().await?;
    let window = Window::new(format!("verify:{}", user.user_id), state.limits.verification_emails_per_user, HOUR);
    rate_limit::take(tx.conn(), &[window], 1, "verification emails").await?.keep();
    queue_verification(tx.conn(), state, &user.user_id, &user.email, &user.name).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}

/// Marks the address behind a verification token as verified.
pub async fn verify_email(state: &AppState, token: &str) -> ApiResult<()> {
    let mut tx = state.db.write().await?;
    let token_hash = hash_token(token);
    let row = store::tokens::verification(tx.conn(), &token_hash).await?;
    let now = now_ms();
    let user_id = match row {
        Some(VerificationRow { user_id, expires_at, used_at: None }) if expires_at > now => user_id,
        Some(VerificationRow { used_at: Some(_), .. }) => return Ok(()),
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvitationExpired,
                "This verification link expired; ask for a new one from the app.",
            ))
        }
        None => return Err(ApiError::not_found("verification link")),
    };
    store::tokens::use_verification(tx.conn(), &token_hash, now).await?;
    store::accounts::mark_verified(tx.conn(), &user_id, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn open_session(conn: &mut Conn, user_id: &str, device_name: &str) -> ApiResult<SessionGrant> {
    let (token, hash) = new_token("ods");
    let now = now_ms();
    let id = new_id();
    let device_name: String = device_name.trim().chars().take(100).collect();
    let session = store::sessions::NewSession {
        id: &id,
        user_id,
        token_hash: &hash,
        device_name: &device_name,
        created_at: now,
        expires_at: now + SESSION_LIFETIME_MS,
    };
    store::sessions::insert(&mut *conn, &session).await?;
    let user = load_user(conn, user_id).await?;
    Ok(SessionGrant {
        token,
        session: Session {
            id,
            device_name,
            created_at: rfc3339(now),
            last_used_at: rfc3339(now),
            expires_at: rfc3339(now + SESSION_LIFETIME_MS),
            current: true,
        },
        user,
    })
}

/// Checks a password sign-in; failures count against the account and the IP.
/// The answer is the same whether or not the account exists.
///
/// Each attempt first reserves a slot in both windows (atomically, see
/// [`rate_limit`]), then checks the password, then gives the slot back if
/// the password was right. So however many attempts arrive at once, on
/// however many replicas, at most the limit's worth of passwords are checked.
pub async fn check_credentials(state: &AppState, email: &str, password: &str, meta: &ClientMeta) -> ApiResult<String> {
    let key = validate::email_key(email);
    let ip = meta.ip.as_deref().unwrap_or("unknown");
    // From a network this account signed in from before, failures count per
    // (account, network) instead of per account: a stranger elsewhere who
    // exhausts the account's limit does not lock its owner out.
    let known = crate::recovery::known_source(state, &key, ip).await?;
    let account_window = if known {
        Window::new(format!("signin:known:{key}:{ip}"), state.limits.signin_failures_per_known_network, HOUR)
    } else {
        Window::new(format!("signin:account:{key}"), state.limits.signin_failures_per_account, HOUR)
    };
    let windows = [account_window, Window::new(format!("signin:ip:{ip}"), state.limits.signin_failures_per_ip, HOUR)];
    let attempt = rate_limit::reserve(&state.db, &windows, 1, "failed sign-ins").await?;
    let row = store::accounts::credentials_by_email_key(&state.db.pool, &key).await?;
    let hash = row.as_ref().map(|(_, h)| h.clone());
    let ok = tokio::task::spawn_blocking({
        let password = password.to_owned();
        move || verify_password(&password, hash.as_deref())
    })
    .await
    .unwrap_or(false);
    match row {
        Some((id, _)) if ok => {
            attempt.release(&state.db).await?;
            crate::recovery::remember_source(state, &id, ip).await?;
            security_log::record_now(state, &id, SecurityEventKind::SignIn, meta).await?;
            Ok(id)
        }
        _ => {
            attempt.keep();
            if let Some((id, _)) = &row {
                security_log::record_now(state, id, SecurityEventKind::SignInFailed, meta).await?;
            }
            state.metrics.count("orgdesk_signin_failures_total");
            Err(ApiError::new(ErrorCode::InvalidCredentials, "The email or the password is wrong."))
        }
    }
}

pub async fn sign_in(state: &AppState, req: SignIn, meta: ClientMeta) -> ApiResult<SessionGrant> {
    let user_id = check_credentials(state, &req.email, &req.password, &meta).await?;
    let mut conn = state.db.pool.acquire().await?;
    open_session(&mut conn, &user_id, req.device_name.as_deref().unwrap_or("Orgdesk")).await
}

/// Ends the caller's session. Signing out twice at once is one sign-out:
/// the session was authenticated, so a concurrent revocation already did it.
pub async fn sign_out(state: &AppState, user: &AuthUser) -> ApiResult<()> {
    match end_session(state, user, &user.session_id).await {
        Ok(()) => security_log::record_now(state, &user.user_id, SecurityEventKind::SignedOut, &user.meta).await,
        Err(e) if e.code == ErrorCode::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Ends one of my sessions (the session list's "Sign out").
pub async fn revoke_session(state: &AppState, user: &AuthUser, session_id: &str) -> ApiResult<()> {
    end_session(state, user, session_id).await?;
    security_log::record_now(state, &user.user_id, SecurityEventKind::SessionRevoked, &user.meta).await
}

async fn end_session(state: &AppState, user: &AuthUser, session_id: &str) -> ApiResult<()> {
    if !store::sessions::revoke(&state.db.pool, session_id, &user.user_id, now_ms()).await? {
        return Err(ApiError::not_found("session"));
    }
    Ok(())
}

pub async fn list_sessions(state: &AppState, user: &AuthUser) -> ApiResult<Vec<Session>> {
    let rows = store::sessions::live(&state.db.pool, &user.user_id, now_ms()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Session {
            current: r.id == user.session_id,
            id: r.id,
            device_name: r.device_name,
            created_at: rfc3339(r.created_at),
            last_used_at: rfc3339(r.last_used_at),
            expires_at: rfc3339(r.expires_at),
        })
        .collect())
}

pub async fn me(state: &AppState, user: &AuthUser) -> ApiResult<User> {
    let mut conn = state.db.pool.acquire().await?;
    load_user(&mut conn, &user.user_id).await
}

pub async fn update_profile(state: &AppState, user: &AuthUser, req: UpdateProfile) -> ApiResult<User> {
    if req.name.is_none() && req.timezone.is_none() {
        return Err(ApiError::invalid("name", "Send a new name, a new time zone, or both."));
    }
    let name = req.name.as_deref().map(validate::person_name).transpose().map_err(field("name"))?;
    let timezone = req.timezone.as_deref().map(validate::timezone).transpose().map_err(field("timezone"))?;
    let mut tx = state.db.write().await?;
    if let Some(name) = name {
        store::accounts::set_name(tx.conn(), &user.user_id, &name).await?;
        store::memberships::set_sort_name(tx.conn(), &user.user_id, &name.to_lowercase()).await?;
    }
    if let Some(tz) = timezone {
        store::accounts::set_timezone(tx.conn(), &user.user_id, &tz).await?;
    }
    let user = load_user(tx.conn(), &user.user_id).await?;
    tx.commit().await?;
    Ok(user)
}
