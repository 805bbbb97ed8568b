use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use orgdesk_core::api::{
    BulkMemberChange, BulkMemberResults, Member, MemberKeysQuery, MemberQuery, MemberSignIns, Page, UpdateMember,
};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, if_match, versioned_json, ApiJson, ApiPath, ApiQuery};
use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::members;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, update, remove))
        .routes(routes!(sign_ins))
        .routes(routes!(bulk))
}

/// A member's last sign-in and the times of their recent ones (no networks
/// or devices: those are for the member alone, in /v1/me/security-log).
#[utoipa::path(get, path = "/v1/orgs/{org}/members/{user_id}/sign-ins", tag = "members", security(("session" = [])),
    params(("org" = String, Path), ("user_id" = String, Path)), responses((status = 200, body = MemberSignIns)))]
async fn sign_ins(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, user_id)): ApiPath<(String, String)>,
) -> ApiResult<ApiJson<MemberSignIns>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(crate::security_log::member_sign_ins(&state, &access, &user_id).await?))
}

/// Members, keyset-paginated, searchable by name or email prefix.
#[utoipa::path(get, path = "/v1/orgs/{org}/members", tag = "members", security(("session" = [])),
    params(("org" = String, Path), MemberQuery), responses((status = 200, body = Page<Member>), (status = 304)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<MemberQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &members::list(&state.db, &access, &query).await?))
}

/// One member. Its ETag is `"<version>.<hash>"`: If-Match compares the version, If-None-Match the whole tag.
#[utoipa::path(get, path = "/v1/orgs/{org}/members/{user_id}", tag = "members", security(("session" = [])),
    params(("org" = String, Path), ("user_id" = String, Path)), responses((status = 200, body = Member), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, user_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let member = members::get(&state.db, &access, &user_id).await?;
    Ok(versioned_json(&headers, member.version, &member))
}

/// Change a member's role or status (active/disabled). Honours `If-Match`.
/// Disabling with `?revoke_api_keys=true` also revokes the API keys the
/// member created here (list them first with `GET …/api-keys?created_by=`).
#[utoipa::path(patch, path = "/v1/orgs/{org}/members/{user_id}", tag = "members", security(("session" = [])),
    params(("org" = String, Path), ("user_id" = String, Path), MemberKeysQuery), request_body = UpdateMember,
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, user_id)): ApiPath<(String, String)>,
    ApiQuery(keys): ApiQuery<MemberKeysQuery>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateMember>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let revoke_keys = keys.revoke_api_keys.unwrap_or(false);
    let member = members::update(&state.db, &access, &user_id, req, if_match(&headers)?, revoke_keys).await?;
    Ok(versioned_json(&HeaderMap::new(), member.version, &member))
}

/// Change the role or status of, or remove, many members at once: one
/// transaction, the single operations' rules and audit events, an answer per
/// member (the owner, unknown ids and roles above yours are refused for
/// that member; the others go ahead). Removing or disabling with
/// `?revoke_api_keys=true` also revokes the keys each member created here.
#[utoipa::path(post, path = "/v1/orgs/{org}/members/bulk", tag = "members", security(("session" = [])),
    params(("org" = String, Path), MemberKeysQuery), request_body = BulkMemberChange,
    responses((status = 200, body = BulkMemberResults), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn bulk(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiQuery(keys): ApiQuery<MemberKeysQuery>,
    ApiJson(req): ApiJson<BulkMemberChange>,
) -> ApiResult<ApiJson<BulkMemberResults>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(members::bulk(&state.db, &access, req, keys.revoke_api_keys.unwrap_or(false)).await?))
}

/// Remove a member; with `?revoke_api_keys=true` also revoke the API keys
/// they created here, in the same transaction.
#[utoipa::path(delete, path = "/v1/orgs/{org}/members/{user_id}", tag = "members", security(("session" = [])),
    params(("org" = String, Path), ("user_id" = String, Path), MemberKeysQuery),
    responses((status = 204), (status = 409, body = Problem)))]
async fn remove(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, user_id)): ApiPath<(String, String)>,
    ApiQuery(keys): ApiQuery<MemberKeysQuery>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    members::remove(&state.db, &access, &user_id, keys.revoke_api_keys.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}
