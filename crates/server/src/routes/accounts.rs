use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use orgdesk_core::api::{
    ChangeEmail, ConfirmEmailChange, Page, PageQuery, PasswordResetConfirm, PasswordResetRequest, SecurityEvent,
    Session, SessionGrant, SignIn, SignUp, UpdateProfile, User, VerifyEmail,
};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, ApiJson, ApiPath, ApiQuery};
use crate::accounts;
use crate::auth::{AuthUser, ClientMeta};
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
        .routes(routes!(me, update_me))
        .routes(routes!(sessions))
        .routes(routes!(security_log))
        .routes(routes!(change_email))
        .routes(routes!(confirm_email_change))
        .routes(routes!(revoke_session))
}

/// Create an account and its personal organization; answers a session.
#[utoipa::path(post, path = "/v1/auth/signup", tag = "accounts", request_body = SignUp,
    responses((status = 201, body = SessionGrant), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn sign_up(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiJson(req): ApiJson<SignUp>,
) -> ApiResult<Response> {
    Ok(created(accounts::sign_up(&state, req, meta).await?))
}

/// Ask for a password reset link. Answers 202 whether or not the address has
/// an account; only an account's address gets the email (valid 30 minutes, once).
#[utoipa::path(post, path = "/v1/auth/password-reset", tag = "accounts", request_body = PasswordResetRequest,
    responses((status = 202), (status = 429, body = Problem)))]
async fn request_password_reset(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    crate::recovery::request(&state, &req.email, &meta).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with a reset link's token: verifies the address and
/// ends every session of the account.
#[utoipa::path(post, path = "/v1/auth/password-reset/confirm", tag = "accounts", request_body = PasswordResetConfirm,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn confirm_password_reset(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiJson(req): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    crate::recovery::complete(&state, &req.token, &req.password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/v1/auth/signin", tag = "accounts", request_body = SignIn,
    responses((status = 200, body = SessionGrant), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn sign_in(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiJson(req): ApiJson<SignIn>,
) -> ApiResult<ApiJson<SessionGrant>> {
    Ok(ApiJson(accounts::sign_in(&state, req, meta).await?))
}

/// End the current session.
#[utoipa::path(post, path = "/v1/auth/signout", tag = "accounts", security(("session" = [])), responses((status = 204)))]
async fn sign_out(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    accounts::sign_out(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirm an email address with the emailed token.
#[utoipa::path(post, path = "/v1/auth/verify-email", tag = "accounts", request_body = VerifyEmail,
    responses((status = 204), (status = 404, body = Problem)))]
async fn verify_email(State(state): State<AppState>, ApiJson(req): ApiJson<VerifyEmail>) -> ApiResult<StatusCode> {
    accounts::verify_email(&state, &req.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send the verification email again.
#[utoipa::path(post, path = "/v1/auth/resend-verification", tag = "accounts", security(("session" = [])), responses((status = 202)))]
async fn resend_verification(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    accounts::resend_verification(&state, &user).await?;
    Ok(StatusCode::ACCEPTED)
}

/// My security log, newest first: sign-ins, failed attempts, password
/// resets and ended sessions, with the network and device of each.
#[utoipa::path(get, path = "/v1/me/security-log", tag = "accounts", security(("session" = [])), params(PageQuery),
    responses((status = 200, body = Page<SecurityEvent>)))]
async fn security_log(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<ApiJson<Page<SecurityEvent>>> {
    Ok(ApiJson(crate::security_log::mine(&state, &user, &query).await?))
}

/// Move my account to another address: needs my password; the new address
/// gets a link, and the change happens when it is followed.
#[utoipa::path(post, path = "/v1/me/email", tag = "accounts", security(("session" = [])), request_body = ChangeEmail,
    responses((status = 202), (status = 401, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem)))]
async fn change_email(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<ChangeEmail>,
) -> ApiResult<StatusCode> {
    crate::email_change::request(&state, &user, &req.email, &req.password).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Confirm an address change with the emailed link's token.
#[utoipa::path(post, path = "/v1/auth/email-change/confirm", tag = "accounts", request_body = ConfirmEmailChange,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn confirm_email_change(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ConfirmEmailChange>,
) -> ApiResult<StatusCode> {
    crate::email_change::confirm(&state, &req.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My profile.
#[utoipa::path(get, path = "/v1/me", tag = "accounts", security(("session" = [])), responses((status = 200, body = User)))]
async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<ApiJson<User>> {
    Ok(ApiJson(accounts::me(&state, &user).await?))
}

/// Change my name or time zone.
#[utoipa::path(patch, path = "/v1/me", tag = "accounts", security(("session" = [])), request_body = UpdateProfile,
    responses((status = 200, body = User), (status = 422, body = Problem)))]
async fn update_me(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<UpdateProfile>,
) -> ApiResult<ApiJson<User>> {
    Ok(ApiJson(accounts::update_profile(&state, &user, req).await?))
}

/// My active sessions.
#[utoipa::path(get, path = "/v1/me/sessions", tag = "accounts", security(("session" = [])), responses((status = 200, body = Vec<Session>)))]
async fn sessions(State(state): State<AppState>, user: AuthUser, headers: HeaderMap) -> ApiResult<Response> {
    Ok(cached_json(&headers, &accounts::list_sessions(&state, &user).await?))
}

/// Revoke one of my sessions.
#[utoipa::path(delete, path = "/v1/me/sessions/{id}", tag = "accounts", security(("session" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_session(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    accounts::revoke_session(&state, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
