use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use orgdesk_core::api::{
    ManagedInvitation, Page, PageQuery, PersonMembership, PersonQuery, RemovePerson, RemovePersonResults,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, ApiJson, ApiQuery};
use crate::across;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(managed_invitations))
        .routes(routes!(managed_invitations_page))
        .routes(routes!(find_person))
        .routes(routes!(remove_person))
}

/// Every pending invitation in the orgs where I hold `invitations:read`, soonest expiry first.
#[utoipa::path(get, path = "/v1/me/managed-invitations", tag = "across", security(("session" = [])),
    responses((status = 200, body = Vec<ManagedInvitation>)))]
async fn managed_invitations(State(state): State<AppState>, user: AuthUser, headers: HeaderMap) -> ApiResult<Response> {
    Ok(cached_json(&headers, &across::managed_invitations(&state, &user).await?))
}

/// One page of the same list, soonest expiry first: `limit` (default 50,
/// at most 200) and the `cursor` of the previous page's `next_cursor`. Each
/// page costs its own rows, however many orgs and invitations I have; the
/// list above answers all of them at once.
#[utoipa::path(get, path = "/v1/me/managed-invitations/page", tag = "across", security(("session" = [])), params(PageQuery),
    responses((status = 200, body = Page<ManagedInvitation>), (status = 304)))]
async fn managed_invitations_page(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Ok(cached_json(&headers, &across::managed_invitations_page(&state, &user, &query).await?))
}

/// A person's memberships across the orgs where I hold `members:read`: by
/// exact `email`, or everyone whose name or email starts with `q`.
#[utoipa::path(get, path = "/v1/me/people", tag = "across", security(("session" = [])), params(PersonQuery),
    responses((status = 200, body = Vec<PersonMembership>)))]
async fn find_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<PersonQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Ok(cached_json(&headers, &across::find_people(&state, &user, &q).await?))
}

/// Remove a person from the listed orgs; one result per org.
#[utoipa::path(post, path = "/v1/me/people/remove", tag = "across", security(("session" = [])), request_body = RemovePerson,
    responses((status = 200, body = RemovePersonResults)))]
async fn remove_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<RemovePerson>,
) -> ApiResult<ApiJson<RemovePersonResults>> {
    Ok(ApiJson(across::remove_person(&state, &user, &req.email, &req.org_ids, req.revoke_api_keys).await?))
}
