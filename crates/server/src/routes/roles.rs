use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use orgdesk_core::api::{CreateRole, PermissionInfo, Role, UpdateRole};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, ApiJson, ApiPath};
use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::roles;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(catalog)).routes(routes!(list, create)).routes(routes!(update, delete))
}

/// The permission catalog.
#[utoipa::path(get, path = "/v1/permissions", tag = "roles", responses((status = 200, body = Vec<PermissionInfo>)))]
async fn catalog() -> ApiJson<Vec<PermissionInfo>> {
    ApiJson(roles::catalog())
}

/// Built-in and custom roles with their permissions and member counts.
#[utoipa::path(get, path = "/v1/orgs/{org}/roles", tag = "roles", security(("session" = [])), params(("org" = String, Path)),
    responses((status = 200, body = Vec<Role>)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &roles::list(&state.db, &access).await?))
}

/// Create a custom role; it cannot hold permissions I do not hold.
#[utoipa::path(post, path = "/v1/orgs/{org}/roles", tag = "roles", security(("session" = [])), params(("org" = String, Path)),
    request_body = CreateRole, responses((status = 201, body = Role), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<CreateRole>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(created(roles::create(&state.db, &access, req).await?))
}

/// Rename a custom role or change its permissions.
#[utoipa::path(patch, path = "/v1/orgs/{org}/roles/{key}", tag = "roles", security(("session" = [])),
    params(("org" = String, Path), ("key" = String, Path)), request_body = UpdateRole, responses((status = 200, body = Role)))]
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, key)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<UpdateRole>,
) -> ApiResult<ApiJson<Role>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(roles::update(&state.db, &access, &key, req).await?))
}

/// Delete a custom role nobody holds.
#[utoipa::path(delete, path = "/v1/orgs/{org}/roles/{key}", tag = "roles", security(("session" = [])),
    params(("org" = String, Path), ("key" = String, Path)), responses((status = 204), (status = 409, body = Problem)))]
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, key)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    roles::delete(&state.db, &access, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
