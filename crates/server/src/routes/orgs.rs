use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk_core::api::{CreateOrg, DeleteOrg, MyOrg, MyPermissions, Org, TransferOwnership, UpdateOrg};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, if_match, versioned_json, ApiJson, ApiPath};
use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::orgs;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mine, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(my_permissions))
        .routes(routes!(transfer))
        .routes(routes!(leave))
        .merge(
            // A logo may be 512 KB; the check in `orgs::set_logo` answers the
            // precise message, this limit only stops runaway bodies.
            OpenApiRouter::new()
                .routes(routes!(get_logo, set_logo, remove_logo))
                .layer(DefaultBodyLimit::max(orgs::MAX_LOGO_BYTES + 64 * 1024)),
        )
}

/// My organizations with my role and effective permissions.
#[utoipa::path(get, path = "/v1/orgs", tag = "orgs", security(("session" = [])), responses((status = 200, body = Vec<MyOrg>)))]
async fn list_mine(State(state): State<AppState>, user: AuthUser, headers: HeaderMap) -> ApiResult<Response> {
    Ok(cached_json(&headers, &orgs::list_mine(&state, &user).await?))
}

/// Create an organization; I become its owner.
#[utoipa::path(post, path = "/v1/orgs", tag = "orgs", security(("session" = [])), request_body = CreateOrg,
    responses((status = 201, body = Org), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<CreateOrg>,
) -> ApiResult<Response> {
    Ok(created(orgs::create(&state, &user, req).await?))
}

/// One organization by id or slug. Its ETag is `"<version>.<hash>"`: If-Match compares the
/// version, If-None-Match the whole tag (a new member count changes the hash).
#[utoipa::path(get, path = "/v1/orgs/{org}", tag = "orgs", security(("session" = [])), params(("org" = String, Path, description = "id or slug")),
    responses((status = 200, body = Org), (status = 304), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let org = orgs::get(&state, &access).await?;
    Ok(versioned_json(&headers, org.version, &org))
}

/// Change settings. Send `If-Match` with the version you read to avoid lost updates.
#[utoipa::path(patch, path = "/v1/orgs/{org}", tag = "orgs", security(("session" = [])), params(("org" = String, Path)), request_body = UpdateOrg,
    responses((status = 200, body = Org), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateOrg>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let org = orgs::update(&state, &access, req, if_match(&headers)?).await?;
    Ok(versioned_json(&HeaderMap::new(), org.version, &org))
}

/// Delete the organization (owner only); repeat its slug to confirm.
#[utoipa::path(delete, path = "/v1/orgs/{org}", tag = "orgs", security(("session" = [])), params(("org" = String, Path)), request_body = DeleteOrg,
    responses((status = 204), (status = 422, body = Problem)))]
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<DeleteOrg>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    orgs::delete(&state, &access, &user, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My role and effective permissions in this organization.
#[utoipa::path(get, path = "/v1/orgs/{org}/permissions", tag = "orgs", security(("session" = [])), params(("org" = String, Path)),
    responses((status = 200, body = MyPermissions)))]
async fn my_permissions(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &orgs::my_permissions(&access)))
}

/// The logo image.
#[utoipa::path(get, path = "/v1/orgs/{org}/logo", tag = "orgs", security(("session" = [])), params(("org" = String, Path)),
    responses((status = 200, content_type = "image/png"), (status = 404, body = Problem)))]
async fn get_logo(State(state): State<AppState>, user: AuthUser, ApiPath(org): ApiPath<String>) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let (content_type, bytes) = orgs::logo(&state, &access).await?;
    // An image, never a document: no sniffing, no scripts, no framing, and a
    // download rather than a page if someone opens it directly.
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=60".into()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CONTENT_DISPOSITION, "inline; filename=\"logo.png\"".into()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".into()),
        ],
        bytes,
    )
        .into_response())
}

/// Upload a logo: PNG, JPEG or WebP up to 512 KB, as the raw request body.
/// The image is decoded whole and stored re-encoded as PNG, at most 512
/// pixels on its longer side.
#[utoipa::path(put, path = "/v1/orgs/{org}/logo", tag = "orgs", security(("session" = [])), params(("org" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Org), (status = 413, body = Problem), (status = 415, body = Problem)))]
async fn set_logo(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<ApiJson<Org>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(orgs::set_logo(&state, &access, &body?).await?))
}

/// Remove the logo.
#[utoipa::path(delete, path = "/v1/orgs/{org}/logo", tag = "orgs", security(("session" = [])), params(("org" = String, Path)),
    responses((status = 200, body = Org)))]
async fn remove_logo(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
) -> ApiResult<ApiJson<Org>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(orgs::remove_logo(&state, &access).await?))
}

/// Transfer ownership to another active member; I become admin.
#[utoipa::path(post, path = "/v1/orgs/{org}/transfer", tag = "orgs", security(("session" = [])), params(("org" = String, Path)),
    request_body = TransferOwnership, responses((status = 204), (status = 403, body = Problem)))]
async fn transfer(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<TransferOwnership>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    orgs::transfer(&state, &access, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave the organization (anyone but the owner).
#[utoipa::path(post, path = "/v1/orgs/{org}/leave", tag = "orgs", security(("session" = [])), params(("org" = String, Path)),
    responses((status = 204), (status = 409, body = Problem)))]
async fn leave(State(state): State<AppState>, user: AuthUser, ApiPath(org): ApiPath<String>) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    orgs::leave(&state, &access).await?;
    Ok(StatusCode::NO_CONTENT)
}
