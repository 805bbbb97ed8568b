use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk_core::api::{
    Accepted, CreateInvitations, Invitation, InvitationListQuery, InvitationPreview, InvitationSignUp, InviteResults,
    MyInvitation, Page, SessionGrant,
};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, raw_json, ApiJson, ApiPath, ApiQuery};
use crate::access::OrgAccess;
use crate::auth::{AuthUser, ClientMeta};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::{idempotency, invitations};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_pending, create))
        .routes(routes!(resend))
        .routes(routes!(revoke))
        .routes(routes!(preview))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(sign_up))
        .routes(routes!(mine))
        .routes(routes!(accept_mine))
        .routes(routes!(decline_mine))
}

/// Invite many emails with one role; one result per email. Needs a verified
/// email address. Honours `Idempotency-Key`: a retry while the first request
/// runs waits for it, then answers 409 with Retry-After; a retry afterwards
/// gets the stored answer byte for byte, which holds no secret, so its
/// invitations come without `link` (resend one for a new link); the same key
/// with another body answers 422.
#[utoipa::path(post, path = "/v1/orgs/{org}/invitations", tag = "invitations", security(("session" = [])),
    params(("org" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$")), request_body = CreateInvitations,
    responses((status = 201, body = InviteResults), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateInvitations>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let key = idempotency::key_from(&headers)?;
    Ok(match invitations::create(&state, &access, &user, req, key.as_deref()).await? {
        invitations::Created::Fresh(results) => created(results),
        invitations::Created::Replayed { status, body } => raw_json(status, body),
    })
}

/// Invitations waiting for an answer, soonest expiry first: `status=pending`
/// (the default), `expired` (unanswered past their expiry; resend renews them)
/// or `open` (both).
#[utoipa::path(get, path = "/v1/orgs/{org}/invitations", tag = "invitations", security(("session" = [])),
    params(("org" = String, Path), InvitationListQuery), responses((status = 200, body = Page<Invitation>), (status = 403, body = Problem)))]
async fn list_pending(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<InvitationListQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &invitations::list_pending(&state, &access, &query).await?))
}

/// Send again with a new link and a fresh lifetime.
#[utoipa::path(post, path = "/v1/orgs/{org}/invitations/{id}/resend", tag = "invitations", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 200, body = Invitation), (status = 409, body = Problem)))]
async fn resend(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<ApiJson<Invitation>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(invitations::resend(&state, &access, &user, &id).await?))
}

/// Cancel a pending invitation.
#[utoipa::path(delete, path = "/v1/orgs/{org}/invitations/{id}", tag = "invitations", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 204), (status = 409, body = Problem)))]
async fn revoke(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    invitations::revoke(&state, &access, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the link holder may see: org, inviter, role and expiry.
#[utoipa::path(get, path = "/v1/invitations/{token}", tag = "invitations", params(("token" = String, Path)),
    responses((status = 200, body = InvitationPreview), (status = 404, body = Problem)))]
async fn preview(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<ApiJson<InvitationPreview>> {
    Ok(ApiJson(invitations::preview(&state, &token).await?))
}

/// Accept as the signed-in user; my verified email must match the invitation's.
#[utoipa::path(post, path = "/v1/invitations/{token}/accept", tag = "invitations", security(("session" = [])), params(("token" = String, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn accept(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<ApiJson<Accepted>> {
    Ok(ApiJson(invitations::accept(&state, &user, &token).await?))
}

/// Decline; the token alone suffices.
#[utoipa::path(post, path = "/v1/invitations/{token}/decline", tag = "invitations", params(("token" = String, Path)),
    responses((status = 204), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn decline(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<StatusCode> {
    invitations::decline(&state, &token, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign up with the invited email and join at once.
#[utoipa::path(post, path = "/v1/invitations/{token}/signup", tag = "invitations", params(("token" = String, Path)),
    request_body = InvitationSignUp, responses((status = 201, body = SessionGrant), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn sign_up(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<InvitationSignUp>,
) -> ApiResult<Response> {
    Ok(created(invitations::sign_up(&state, &token, req, &meta).await?))
}

/// Pending invitations addressed to me.
#[utoipa::path(get, path = "/v1/me/invitations", tag = "invitations", security(("session" = [])), responses((status = 200, body = Vec<MyInvitation>)))]
async fn mine(State(state): State<AppState>, user: AuthUser, headers: HeaderMap) -> ApiResult<Response> {
    Ok(cached_json(&headers, &invitations::mine(&state, &user).await?))
}

/// Accept one of my invitations by id.
#[utoipa::path(post, path = "/v1/me/invitations/{id}/accept", tag = "invitations", security(("session" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Accepted), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn accept_mine(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let accepted = invitations::respond_mine(&state, &user, &id, true).await?;
    Ok(ApiJson(accepted).into_response())
}

/// Decline one of my invitations by id.
#[utoipa::path(post, path = "/v1/me/invitations/{id}/decline", tag = "invitations", security(("session" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn decline_mine(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    invitations::respond_mine(&state, &user, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
