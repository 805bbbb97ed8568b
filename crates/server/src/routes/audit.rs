use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use orgdesk_core::api::{AuditEvent, AuditQuery, Page};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{cached_json, ApiPath, ApiQuery};
use crate::access::OrgAccess;
use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(export_csv))
}

/// Audit events, newest first, filterable by action, actor and time.
#[utoipa::path(get, path = "/v1/orgs/{org}/audit", tag = "audit", security(("session" = [])),
    params(("org" = String, Path), AuditQuery), responses((status = 200, body = Page<AuditEvent>)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<AuditQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    Ok(cached_json(&headers, &audit::list(&state.db, &access, &query).await?))
}

/// The filtered audit log as CSV.
#[utoipa::path(get, path = "/v1/orgs/{org}/audit.csv", tag = "audit", security(("session" = [])),
    params(("org" = String, Path), AuditQuery), responses((status = 200, content_type = "text/csv", body = String)))]
async fn export_csv(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    let access = OrgAccess::resolve(&state, &user, &org).await?;
    let csv = audit::export_csv(&state.db, &access, &query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"".to_owned()),
        ],
        csv,
    )
        .into_response())
}
