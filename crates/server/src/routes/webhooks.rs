use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk_core::api::{
    CreateWebhookEndpoint, RotateWebhookSecret, UpdateWebhookEndpoint, WebhookDelivery, WebhookEndpoint, WebhookSecret,
};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, created, ApiJson, ApiPath};
use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::webhooks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(secret))
        .routes(routes!(rotate_secret))
        .routes(routes!(send_test))
        .routes(routes!(deliveries))
        .routes(routes!(replay))
}

fn accepted<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::ACCEPTED, axum::Json(value)).into_response()
}

/// The organization's webhook endpoints.
#[utoipa::path(get, path = "/v1/orgs/{org}/webhooks", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path)), responses((status = 200, body = Vec<WebhookEndpoint>), (status = 304)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &webhooks::list(&state, &access).await?))
}

/// Add an endpoint; its signing secret is at `…/secret`.
#[utoipa::path(post, path = "/v1/orgs/{org}/webhooks", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path)), request_body = CreateWebhookEndpoint,
    responses((status = 201, body = WebhookEndpoint), (status = 503, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiJson(req): ApiJson<CreateWebhookEndpoint>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(created(webhooks::create(&state, &access, req).await?))
}

/// One endpoint.
#[utoipa::path(get, path = "/v1/orgs/{org}/webhooks/{id}", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 200, body = WebhookEndpoint), (status = 304)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &webhooks::get(&state, &access, &id).await?))
}

/// Change an endpoint's URL, description, event types, or enable/disable it.
#[utoipa::path(patch, path = "/v1/orgs/{org}/webhooks/{id}", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), request_body = UpdateWebhookEndpoint,
    responses((status = 200, body = WebhookEndpoint)))]
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<UpdateWebhookEndpoint>,
) -> ApiResult<ApiJson<WebhookEndpoint>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(webhooks::update(&state, &access, &id, req).await?))
}

/// Delete an endpoint with its deliveries and their log.
#[utoipa::path(delete, path = "/v1/orgs/{org}/webhooks/{id}", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 204)))]
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    webhooks::delete(&state, &access, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The endpoint's signing secret (`whsec_…`), and the previous one while it still signs.
#[utoipa::path(get, path = "/v1/orgs/{org}/webhooks/{id}/secret", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = WebhookSecret), (status = 503, body = Problem)))]
async fn secret(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let secret = webhooks::secret(&state, &access, &id).await?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], axum::Json(secret)).into_response())
}

/// A new signing secret; both sign deliveries during the overlap (default 24 hours).
#[utoipa::path(post, path = "/v1/orgs/{org}/webhooks/{id}/rotate-secret", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), request_body = RotateWebhookSecret,
    responses((status = 200, body = WebhookSecret), (status = 503, body = Problem)))]
async fn rotate_secret(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<RotateWebhookSecret>,
) -> ApiResult<ApiJson<WebhookSecret>> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(ApiJson(webhooks::rotate_secret(&state, &access, &id, req).await?))
}

/// Queue a `webhook.test` event to the endpoint.
#[utoipa::path(post, path = "/v1/orgs/{org}/webhooks/{id}/test", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 202, body = WebhookDelivery)))]
async fn send_test(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(accepted(webhooks::send_test(&state, &access, &id).await?))
}

/// The endpoint's newest 100 deliveries, each with its attempts (status
/// code, duration, error, the start of the answer).
#[utoipa::path(get, path = "/v1/orgs/{org}/webhooks/{id}/deliveries", tag = "webhooks", security(("session" = [])),
    params(("org" = String, Path), ("id" = String, Path)), responses((status = 200, body = Vec<WebhookDelivery>), (status = 304)))]
async fn deliveries(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &webhooks::deliveries(&state, &access, &id).await?))
}

/// Send a delivery's message again (same `webhook-id` and body).
#[utoipa::path(post, path = "/v1/orgs/{org}/webhooks/{id}/deliveries/{delivery_id}/replay", tag = "webhooks",
    security(("session" = [])), params(("org" = String, Path), ("id" = String, Path), ("delivery_id" = String, Path)),
    responses((status = 202, body = WebhookDelivery)))]
async fn replay(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((org, id, delivery_id)): ApiPath<(String, String, String)>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(accepted(webhooks::replay(&state, &access, &id, &delivery_id).await?))
}
