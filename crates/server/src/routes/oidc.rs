//! Sign in with OpenID Connect: the providers, a flow's start, the
//! provider's callback and the app's code exchange (see `crate::oidc`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk_core::api::{OidcFlowStarted, OidcProvider, OidcTokenRequest, SessionGrant, StartOidcFlow};
use orgdesk_core::Problem;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{created, ApiJson, ApiPath};
use crate::auth::ClientMeta;
use crate::error::ApiResult;
use crate::oidc::{self, Callback, CallbackQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(providers))
        .routes(routes!(start_flow))
        .routes(routes!(callback))
        .routes(routes!(redeem))
}

/// The OpenID providers this server offers ("Continue with …").
#[utoipa::path(get, path = "/v1/auth/providers", tag = "accounts",
    responses((status = 200, body = Vec<OidcProvider>)))]
async fn providers(State(state): State<AppState>) -> ApiJson<Vec<OidcProvider>> {
    ApiJson(state.oidc.list())
}

/// Start signing in with a provider: answers the URL to open in the system
/// browser (valid 10 minutes, once). The provider comes back to the
/// server's callback, which sends the browser on to `redirect_uri` with
/// `?code=` (exchange it at `/v1/auth/oidc/token` within 2 minutes) or
/// `?error=&error_description=`.
#[utoipa::path(post, path = "/v1/auth/oidc/{provider}/flows", tag = "accounts", request_body = StartOidcFlow,
    params(("provider" = String, Path, description = "A provider's id from /v1/auth/providers")),
    responses((status = 201, body = OidcFlowStarted), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 410, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
async fn start_flow(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(provider): ApiPath<String>,
    ApiJson(req): ApiJson<StartOidcFlow>,
) -> ApiResult<Response> {
    Ok(created(oidc::start(&state, &provider, req, &meta).await?))
}

/// The providers' redirect URI (register `<public URL>/v1/auth/oidc/callback`).
/// Uses the flow its `state` names, once: 302 to the flow's redirect with a
/// one-time `code` (and `invitation_error` when the flow's invitation could
/// not be accepted), or with `error` (`access_denied`, `provider_error`,
/// `invalid_id_token`, `email_not_verified`, `email_missing`,
/// `temporarily_unavailable`, `server_error`) and `error_description`. An
/// unknown, used or expired state answers a page (400). A flow from the
/// invitation page answers a page instead of redirecting.
#[utoipa::path(get, path = "/v1/auth/oidc/callback", tag = "accounts",
    params(
        ("code" = Option<String>, Query, description = "The provider's authorization code"),
        ("state" = Option<String>, Query, description = "The flow's state"),
        ("error" = Option<String>, Query, description = "The provider's error"),
        ("error_description" = Option<String>, Query),
    ),
    responses(
        (status = 200, description = "A page: the invitation page's flow is done", content_type = "text/html", body = String),
        (status = 302, description = "On to the app's redirect, with `code` or `error`"),
        (status = 400, description = "A page: the state is missing, unknown, used or expired", content_type = "text/html", body = String),
        (status = 403, description = "A page: the invitation page's flow was refused", content_type = "text/html", body = String),
        (status = 404, description = "A page: the invitation is gone", content_type = "text/html", body = String),
        (status = 409, description = "A page: the invitation is no longer pending", content_type = "text/html", body = String),
        (status = 410, description = "A page: the invitation expired", content_type = "text/html", body = String),
    ))]
async fn callback(
    State(state): State<AppState>,
    meta: ClientMeta,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|q| q.0).unwrap_or_default();
    let mut response = match oidc::callback(&state, query, &meta).await {
        Callback::Redirect(to) => match HeaderValue::from_str(&to) {
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(_) => super::pages::message((StatusCode::BAD_REQUEST, "Sign-in failed", "The redirect is not valid.")),
        },
        Callback::Page(status, title, message) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            super::pages::message((status, &title, &message))
        }
    };
    let headers = response.headers_mut();
    // The address carries the provider's code: not in a Referer, not cached.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Exchange the one-time code from the redirect, with the PKCE verifier
/// whose challenge started the flow, for a session (like a password
/// sign-in). Any attempt uses the code up: a wrong verifier or a replay
/// answers 400 `invalid_grant`.
#[utoipa::path(post, path = "/v1/auth/oidc/token", tag = "accounts", request_body = OidcTokenRequest,
    responses((status = 200, body = SessionGrant), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn redeem(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiJson(req): ApiJson<OidcTokenRequest>,
) -> ApiResult<ApiJson<SessionGrant>> {
    Ok(ApiJson(oidc::redeem(&state, req, &meta).await?))
}
