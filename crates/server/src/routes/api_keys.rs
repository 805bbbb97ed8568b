use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use orgdesk_core::api::{ApiKey, ApiKeyQuery, CreateApiKey, CreatedApiKey};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, ApiJson, ApiPath, ApiQuery};
use crate::access::OrgAccess;
use crate::api_keys;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(revoke))
}

/// The organization's API keys, newest first (never the keys themselves).
#[utoipa::path(get, path = "/v1/orgs/{org}/api-keys", tag = "api-keys", security(("session" = [])),
    params(("org" = String, Path), ApiKeyQuery), responses((status = 200, body = Vec<ApiKey>), (status = 304)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<ApiKeyQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &api_keys::list(&state.db, &access, query.created_by.as_deref()).await?))
}

/// Create an API key with some of my permissions; the answer is the only
/// time its secret is shown.
#[utoipa::path(post, path = "/v1/orgs/{org}/api-keys", tag = "api-keys", security(("session" = [])),
    params(("org" = String, Path)), request_body = CreateApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<CreateApiKey>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(created(api_keys::create(&state.db, &access, req).await?))
}

/// Revoke an API key; its next request is refused.
#[utoipa::path(delete, path = "/v1/orgs/{org}/api-keys/{id}", tag = "api-keys", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 204)))]
async fn revoke(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    api_keys::revoke(&state.db, &access, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
