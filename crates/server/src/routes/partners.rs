use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use orgdesk_core::api::{
    CreateCustomerWorkspace, CustomerWorkspaceCreated, DelegatedOrg, HandOff, Invitation, PartnerAccess,
    PartnerRelationship, RelationshipRequestPreview, RenewRelationship, RequestRelationship, SetAssignments,
};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, ApiJson, ApiPath};
use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::partners;
use crate::state::AppState;
use crate::store::partners::Side;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customers, request))
        .routes(routes!(create_workspace))
        .routes(routes!(customer))
        .routes(routes!(end_as_partner))
        .routes(routes!(request_renewal))
        .routes(routes!(set_assignments))
        .routes(routes!(invite_owner))
        .routes(routes!(partner_access))
        .routes(routes!(accept))
        .routes(routes!(end_as_customer))
        .routes(routes!(renew))
        .routes(routes!(preview))
        .routes(routes!(accept_by_token))
        .routes(routes!(delegated_orgs))
}

/// The partner's relationships with its customers (`partners:manage`), with team assignments.
#[utoipa::path(get, path = "/v1/orgs/{org}/customers", tag = "partners", security(("session" = [])),
    params(("org" = String, Path)), responses((status = 200, body = Vec<PartnerRelationship>), (status = 304)))]
async fn customers(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &partners::customers(&state.db, &access).await?))
}

/// Ask a customer organization for a partner relationship; its owner and
/// admins get a link to accept it. One requested or active relationship per pair.
#[utoipa::path(post, path = "/v1/orgs/{org}/customers", tag = "partners", security(("session" = [])),
    params(("org" = String, Path)), request_body = RequestRelationship,
    responses((status = 201, body = PartnerRelationship), (status = 409, body = Problem)))]
async fn request(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<RequestRelationship>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(created(partners::request(&state, &access, &user, req).await?))
}

/// Create a customer workspace: a new organization whose owner of record is
/// this org's owner until the invited first owner accepts; the relationship
/// is active from the start.
#[utoipa::path(post, path = "/v1/orgs/{org}/customer-workspaces", tag = "partners", security(("session" = [])),
    params(("org" = String, Path)), request_body = CreateCustomerWorkspace,
    responses((status = 201, body = CustomerWorkspaceCreated), (status = 409, body = Problem)))]
async fn create_workspace(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<CreateCustomerWorkspace>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let (relationship, invitation) = partners::create_workspace(&state, &access, &user, req).await?;
    Ok(created(CustomerWorkspaceCreated { relationship, invitation }))
}

/// One relationship with a customer.
#[utoipa::path(get, path = "/v1/orgs/{org}/customers/{relationship_id}", tag = "partners", security(("session" = [])),
    params(("org" = String, Path), ("relationship_id" = String, Path)),
    responses((status = 200, body = PartnerRelationship), (status = 404, body = Problem)))]
async fn customer(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<ApiJson<PartnerRelationship>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(partners::customer(&state.db, &access, &id).await?))
}

/// End the relationship from the partner's side, at once.
#[utoipa::path(post, path = "/v1/orgs/{org}/customers/{relationship_id}/end", tag = "partners", security(("session" = [])),
    params(("org" = String, Path), ("relationship_id" = String, Path)),
    responses((status = 204), (status = 409, body = Problem)))]
async fn end_as_partner(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    partners::end(&state.db, &access, &user, Side::Partner, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask the customer to renew an active relationship: its owner and admins
/// get a reminder (at most one a day per relationship). Only the customer renews.
#[utoipa::path(post, path = "/v1/orgs/{org}/customers/{relationship_id}/renewal-request", tag = "partners",
    security(("session" = [])), params(("org" = String, Path), ("relationship_id" = String, Path)),
    responses((status = 204), (status = 409, body = Problem), (status = 429, body = Problem)))]
async fn request_renewal(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    partners::request_renewal(&state, &access, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which of this org's teams hold which of the relationship's roles (replaces the set).
#[utoipa::path(put, path = "/v1/orgs/{org}/customers/{relationship_id}/assignments", tag = "partners",
    security(("session" = [])), params(("org" = String, Path), ("relationship_id" = String, Path)),
    request_body = SetAssignments, responses((status = 200, body = PartnerRelationship), (status = 409, body = Problem)))]
async fn set_assignments(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<SetAssignments>,
) -> ApiResult<ApiJson<PartnerRelationship>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(partners::set_assignments(&state.db, &access, &user, &id, req).await?))
}

/// Invite a created workspace's first owner (again, or another address).
#[utoipa::path(post, path = "/v1/orgs/{org}/customers/{relationship_id}/owner-invitation", tag = "partners",
    security(("session" = [])), params(("org" = String, Path), ("relationship_id" = String, Path)),
    request_body = HandOff, responses((status = 201, body = Invitation), (status = 409, body = Problem)))]
async fn invite_owner(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<HandOff>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(created(partners::invite_owner(&state, &access, &user, &id, req).await?))
}

/// Partner access to this organization: each partner, its roles, end date
/// and the partner's people who hold access now (names only). A partner's
/// own people see only their partner's.
#[utoipa::path(get, path = "/v1/orgs/{org}/partner-access", tag = "partners", security(("session" = [])),
    params(("org" = String, Path)), responses((status = 200, body = Vec<PartnerAccess>), (status = 304)))]
async fn partner_access(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &partners::partner_access(&state.db, &access).await?))
}

/// Accept a partner's request (the customer's owner or an admin).
#[utoipa::path(post, path = "/v1/orgs/{org}/partner-access/{relationship_id}/accept", tag = "partners",
    security(("session" = [])), params(("org" = String, Path), ("relationship_id" = String, Path)),
    responses((status = 200, body = PartnerRelationship), (status = 409, body = Problem)))]
async fn accept(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<ApiJson<PartnerRelationship>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(partners::accept(&state.db, &access, &user, &id).await?))
}

/// End partner access at once.
#[utoipa::path(post, path = "/v1/orgs/{org}/partner-access/{relationship_id}/end", tag = "partners",
    security(("session" = [])), params(("org" = String, Path), ("relationship_id" = String, Path)),
    responses((status = 204), (status = 409, body = Problem)))]
async fn end_as_customer(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    partners::end(&state.db, &access, &user, Side::Customer, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Renew an active relationship: a new end date, at most two years ahead.
#[utoipa::path(post, path = "/v1/orgs/{org}/partner-access/{relationship_id}/renew", tag = "partners",
    security(("session" = [])), params(("org" = String, Path), ("relationship_id" = String, Path)),
    request_body = RenewRelationship, responses((status = 200, body = PartnerRelationship), (status = 409, body = Problem)))]
async fn renew(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<RenewRelationship>,
) -> ApiResult<ApiJson<PartnerRelationship>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(partners::renew(&state.db, &access, &user, &id, req).await?))
}

/// What a relationship request link names (changes nothing).
#[utoipa::path(get, path = "/v1/partner-requests/{token}", tag = "partners", params(("token" = String, Path)),
    responses((status = 200, body = RelationshipRequestPreview), (status = 404, body = Problem)))]
async fn preview(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<ApiJson<RelationshipRequestPreview>> {
    Ok(ApiJson(partners::preview(&state, &token).await?))
}

/// Accept the request a link names: the caller must be the customer's owner or an admin.
#[utoipa::path(post, path = "/v1/partner-requests/{token}/accept", tag = "partners", security(("session" = [])),
    params(("token" = String, Path)),
    responses((status = 200, body = PartnerRelationship), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn accept_by_token(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<ApiJson<PartnerRelationship>> {
    Ok(ApiJson(partners::accept_by_token(&state, &user, &token).await?))
}

/// The organizations I reach through partner relationships now, with the roles.
#[utoipa::path(get, path = "/v1/me/delegated-orgs", tag = "partners", security(("session" = [])),
    responses((status = 200, body = Vec<DelegatedOrg>), (status = 304)))]
async fn delegated_orgs(State(state): State<AppState>, user: AuthUser, headers: HeaderMap) -> ApiResult<Response> {
    Ok(cached_json(&headers, &partners::delegated_orgs(&state.db, &user).await?))
}
