//! Passwords, opaque tokens and the signed-in caller.

use argon2::password_hash::{rand_core::OsRng as HashRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use orgdesk_core::ErrorCode;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::OnceLock;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, api_keys::CallerKey, memberships::AccessRow, orgs::OrgRef};
use crate::time::{now_ms, MINUTE};

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut HashRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// Verifies a password against a stored hash. With no hash (unknown account)
/// it verifies against a fixed one, so both answers take the same time.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("orgdesk-timing-equalizer"));
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    ok && real
}

/// A fresh opaque token: 256 bits from the OS CSPRNG, with a readable prefix.
/// Returns the token (shown once) and its hash (stored).
pub fn new_token(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

/// Tokens are looked up by their SHA-256, so no comparison ever touches the
/// secret itself.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a request came from, for audit events and rate limits.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        let user_agent =
            parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(256).collect());
        Ok(ClientMeta { ip, user_agent })
    }
}

/// The signed-in caller, from `Authorization: Bearer <token>`.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub user_id: String,
    pub session_id: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub meta: ClientMeta,
    /// The caller's access to the org the path names (`{org}`), read in the
    /// same query as the session, so an org-scoped request costs one round
    /// trip before its own work (see `OrgAccess::resolve`).
    pub org_access: Option<PrefetchedAccess>,
    /// Set when the caller presented an organization API key instead of a
    /// session: `user_id` is then the key's id and `name` "API key <name>".
    pub api_key: Option<CallerKey>,
}

/// Organization API keys start with this, so a request names which kind of
/// credential it carries.
pub const API_KEY_PREFIX: &str = "odk";

/// The access row read with the session for the path's org reference.
#[derive(Clone, Debug)]
pub struct PrefetchedAccess {
    pub org_ref: String,
    /// `None`: no such org, or the caller is not a member.
    pub row: Option<AccessRow>,
}

impl AuthUser {
    /// The actor recorded in audit events.
    pub fn actor(&self) -> Actor {
        let label = self.api_key.as_ref().map(|_| self.name.clone());
        Actor { user_id: Some(self.user_id.clone()), label, meta: self.meta.clone(), via_relationship: None }
    }

    /// The person's name, or for an API key its creator's (emails name a person).
    pub fn display_name(&self) -> &str {
        match &self.api_key {
            Some(key) => key.created_by_name.as_deref().unwrap_or(&self.name),
            None => &self.name,
        }
    }

    /// Refuses an API key: for what only a person may do (their account,
    /// `/v1/me`, leaving an org, transferring it).
    pub fn require_person(&self) -> Result<(), ApiError> {
        match self.api_key {
            None => Ok(()),
            Some(_) => Err(api_key_refused()),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Actor {
    /// A person's id, or an API key's (with `label`).
    pub user_id: Option<String>,
    /// Who acted when it was not a person: "API key <name>".
    pub label: Option<String>,
    pub meta: ClientMeta,
    /// The partner relationship a person acts through in a customer org:
    /// the audit trail shows their actions to that partner's people and to
    /// the customer's own, never to another partner's.
    pub via_relationship: Option<String>,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "Sign in first: send the header Authorization: Bearer <session token>.",
                )
            })?;
        // An org-scoped route names its org as `{org}`: read the caller's
        // access to it with the session.
        let org_ref = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| params.iter().find(|(k, _)| *k == "org").map(|(_, v)| v.to_ascii_lowercase()));
        if token.starts_with(&format!("{API_KEY_PREFIX}_")) {
            let meta = ClientMeta::from_request_parts(parts, state).await?;
            return api_key_caller(state, &token, org_ref, meta).await;
        }
        let row = store::sessions::caller(&state.db, &hash_token(&token), org_ref.as_deref().map(OrgRef::of)).await?;
        let now = now_ms();
        let mut row = match row {
            Some(r) if r.revoked_at.is_none() && r.expires_at > now => r,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "This session has ended (signed out, revoked or expired); sign in again.",
                ))
            }
            None => {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "This session token is not valid; sign in again.",
                ))
            }
        };
        if now - row.last_used_at > MINUTE {
            store::sessions::touch(&state.db.pool, &row.session_id, now).await?;
        }
        let meta = ClientMeta::from_request_parts(parts, state).await?;
        let org_access = org_ref.map(|org_ref| PrefetchedAccess { org_ref, row: row.access() });
        Ok(AuthUser {
            api_key: None,
            org_access,
            user_id: row.user_id,
            session_id: row.session_id,
            email: row.email,
            name: row.name,
            email_verified: row.email_verified_at.is_some(),
            meta,
        })
    }
}

fn api_key_refused() -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        "An API key reaches only its organization's endpoints (/v1/orgs/{org}/…); this one needs a person's session.",
    )
}

/// The caller behind an API key: only on a path naming an org (`{org}`);
/// `OrgAccess::resolve` then admits it to its own org only.
async fn api_key_caller(
    state: &AppState,
    token: &str,
    org_ref: Option<String>,
    meta: ClientMeta,
) -> Result<AuthUser, ApiError> {
    let key = store::api_keys::caller(&state.db.pool, &hash_token(token)).await?;
    let now = now_ms();
    let key = match key {
        Some(k) if k.revoked_at.is_none() && k.expires_at.is_none_or(|at| at > now) => k,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "This API key was revoked or has expired; create a new one.",
            ))
        }
        None => return Err(ApiError::new(ErrorCode::Unauthenticated, "This API key is not valid.")),
    };
    if org_ref.is_none() {
        return Err(api_key_refused());
    }
    // Throttled: one write a minute per key, and only when it is stale.
    if key.last_used_at.is_none_or(|at| now - at > MINUTE) {
        store::api_keys::touch(&state.db.pool, &key.id, now, now - MINUTE).await?;
    }
    Ok(AuthUser {
        user_id: key.id.clone(),
        session_id: String::new(),
        email: String::new(),
        name: format!("API key {}", key.name),
        email_verified: true,
        meta,
        org_access: None,
        api_key: Some(key),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_hashed() {
        let (a, ha) = new_token("ods");
        let (b, _) = new_token("ods");
        assert_ne!(a, b);
        assert!(a.len() >= 4 + 43, "32 random bytes are 43 base64 characters");
        assert_eq!(ha, hash_token(&a));
        assert!(!ha.contains(&a));
    }

    #[test]
    fn passwords_verify_only_when_right() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("orgdesk-timing-equalizer", None), "an unknown account never verifies");
    }
}
