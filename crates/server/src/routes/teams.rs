use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use orgdesk_core::api::{CreateTeam, Team, TeamMember, UpdateTeam};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, ApiJson, ApiPath};
use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::teams;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, rename, delete))
        .routes(routes!(members))
        .routes(routes!(add_member, remove_member))
        .routes(routes!(of_member))
}

/// The organization's teams by name, with member counts.
#[utoipa::path(get, path = "/v1/orgs/{org}/teams", tag = "teams", security(("session" = [])),
    params(("org" = String, Path)), responses((status = 200, body = Vec<Team>), (status = 304)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &teams::list(&state.db, &access).await?))
}

/// Create a team (`teams:manage`); names are unique in the org, without case.
#[utoipa::path(post, path = "/v1/orgs/{org}/teams", tag = "teams", security(("session" = [])),
    params(("org" = String, Path)), request_body = CreateTeam,
    responses((status = 201, body = Team), (status = 409, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<CreateTeam>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(created(teams::create(&state.db, &access, req).await?))
}

/// One team.
#[utoipa::path(get, path = "/v1/orgs/{org}/teams/{team_id}", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("team_id" = String, Path)), responses((status = 200, body = Team), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, team_id)): ApiPath<(String, String)>,
) -> ApiResult<ApiJson<Team>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(teams::get(&state.db, &access, &team_id).await?))
}

/// Rename a team.
#[utoipa::path(patch, path = "/v1/orgs/{org}/teams/{team_id}", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("team_id" = String, Path)), request_body = UpdateTeam,
    responses((status = 200, body = Team), (status = 409, body = Problem)))]
async fn rename(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, team_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<UpdateTeam>,
) -> ApiResult<ApiJson<Team>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(teams::rename(&state.db, &access, &team_id, req).await?))
}

/// Delete a team: its people stay members; partner roles assigned to it end.
#[utoipa::path(delete, path = "/v1/orgs/{org}/teams/{team_id}", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("team_id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, team_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    teams::delete(&state.db, &access, &user, &team_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The team's members by name.
#[utoipa::path(get, path = "/v1/orgs/{org}/teams/{team_id}/members", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("team_id" = String, Path)), responses((status = 200, body = Vec<TeamMember>)))]
async fn members(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, team_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &teams::members(&state.db, &access, &team_id).await?))
}

/// Add a member of the organization to the team; answers the team's members.
#[utoipa::path(put, path = "/v1/orgs/{org}/teams/{team_id}/members/{user_id}", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("team_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = Vec<TeamMember>), (status = 404, body = Problem)))]
async fn add_member(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, team_id, user_id)): ApiPath<(String, String, String)>,
) -> ApiResult<ApiJson<Vec<TeamMember>>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(teams::add_member(&state.db, &access, &team_id, &user_id).await?))
}

/// Take a member out of the team (they stay a member of the organization).
#[utoipa::path(delete, path = "/v1/orgs/{org}/teams/{team_id}/members/{user_id}", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("team_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove_member(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, team_id, user_id)): ApiPath<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    teams::remove_member(&state.db, &access, &team_id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The teams a member is in.
#[utoipa::path(get, path = "/v1/orgs/{org}/members/{user_id}/teams", tag = "teams", security(("session" = [])),
    params(("org" = String, Path), ("user_id" = String, Path)), responses((status = 200, body = Vec<Team>)))]
async fn of_member(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, user_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &teams::of_member(&state.db, &access, &user_id).await?))
}
