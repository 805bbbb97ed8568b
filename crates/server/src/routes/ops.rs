use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk_core::api::OutboxEmail;
use orgdesk_core::{ErrorCode, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiJson, ApiQuery};
use crate::auth::hash_token;
use crate::error::{ApiError, ApiResult};
use crate::outbox;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(dev_outbox))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, body = String), (status = 503, body = Problem)))]
async fn readyz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state.db.ping().await?;
    Ok("ready")
}

/// Prometheus metrics, for the operator: `Authorization: Bearer <--metrics-token>`.
/// A missing or wrong token answers 401; without a configured token the
/// endpoint does not exist (404).
#[utoipa::path(get, path = "/metrics", tag = "ops", security(("metrics" = [])),
    responses((status = 200, content_type = "text/plain", body = String),
        (status = 401, content_type = "application/problem+json", body = Problem),
        (status = 404, content_type = "application/problem+json", body = Problem)))]
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(hash_token);
    match (&state.metrics_token, presented) {
        // Hashes compared, so the comparison's time says nothing about the token.
        (Some(token), Some(presented)) if hash_token(token) == presented => {
            Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response())
        }
        (None, _) => Err(ApiError::new(
            ErrorCode::NotFound,
            "Metrics are off: the operator starts the server with --metrics-token to serve them.",
        )),
        (Some(_), _) => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "Metrics need Authorization: Bearer with the operator's --metrics-token.",
        )),
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// Only emails to this address.
    to: Option<String>,
    limit: Option<i64>,
}

/// The email outbox, in demo and dev mode only, so a local user can follow
/// invitation and verification links without an SMTP server.
#[utoipa::path(get, path = "/v1/dev/outbox", tag = "ops", params(OutboxQuery),
    responses((status = 200, body = Vec<OutboxEmail>), (status = 404, body = Problem)))]
async fn dev_outbox(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<ApiJson<Vec<OutboxEmail>>> {
    if !state.dev_outbox {
        return Err(ApiError::new(ErrorCode::NotFound, "The outbox is only served with --demo or --dev-outbox."));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    Ok(ApiJson(outbox::list(&state.db, q.to.as_deref(), limit).await?))
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "No such endpoint; see /openapi.json for the API.")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::bad_request("This endpoint does not accept this method; see /openapi.json.")
        .with_status(StatusCode::METHOD_NOT_ALLOWED)
}
