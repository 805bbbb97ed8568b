//! HTTP edge: extractors, caching helpers and the router with its OpenAPI
//! document. Handlers parse, call one domain function and map the result.

mod accounts;
mod across;
mod api_keys;
mod audit;
mod events;
mod invitations;
mod members;
mod oidc;
mod openapi;
mod ops;
mod orgs;
pub mod pages;
mod partners;
mod roles;
mod teams;
mod webhooks;

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

pub use ops::{method_not_allowed, not_found};

use crate::error::ApiError;
use crate::state::AppState;

/// JSON body whose rejections are problem+json.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query string whose rejections are problem+json.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters whose rejections are problem+json.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// 201 with a JSON body.
pub fn created<T: Serialize>(value: T) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}

/// A JSON body stored earlier (an idempotent replay), sent as it is.
pub fn raw_json(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |candidate| {
            let c = candidate.trim();
            c == "*" || c.trim_start_matches("W/") == etag.trim_start_matches("W/")
        },
    )
}

fn with_etag(headers: &HeaderMap, etag: String, body: Vec<u8>) -> Response {
    let etag_value = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    if if_none_match(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    ([(header::ETAG, etag_value), (header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body)
        .into_response()
}

fn content_tag(body: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut tag = String::with_capacity(32);
    for b in Sha256::digest(body).iter().take(16) {
        tag.push(HEX[(b >> 4) as usize] as char);
        tag.push(HEX[(b & 15) as usize] as char);
    }
    tag
}

/// `value` as JSON in one buffer, sized for a page of members at the
/// start (growing it by doubling from empty copied a page's body five times).
fn json_body<T: Serialize>(value: &T) -> Vec<u8> {
    let mut body = Vec::with_capacity(16 * 1024);
    serde_json::to_writer(&mut body, value).map(|()| body).unwrap_or_default()
}

/// A list answer with an ETag over its content, so an unchanged list costs a 304.
pub fn cached_json<T: Serialize>(headers: &HeaderMap, value: &T) -> Response {
    let body = json_body(value);
    with_etag(headers, format!("W/\"{}\"", content_tag(&body)), body)
}

/// A single resource whose ETag is `"<version>.<content>"`: the content part
/// makes a 304 mean "nothing changed" (member counts and names included), the
/// version part is what If-Match compares.
pub fn versioned_json<T: Serialize>(headers: &HeaderMap, version: i64, value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    with_etag(headers, format!("\"{version}.{}\"", content_tag(&body)), body)
}

/// The version an If-Match header names; `*` or no header means "any".
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    let tag = text.trim_start_matches("W/").trim_matches('"');
    let version = tag.split_once('.').map_or(tag, |(version, _)| version);
    version.parse().map(Some).map_err(|_| {
        ApiError::bad_request(format!("If-Match must be an ETag this server gave out, such as \"3\"; got {text}."))
    })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Orgdesk API", description = "Organizations, members, roles, invitations and audit trail."),
    modifiers(&BearerAuth),
    // Query-parameter enums are referenced, not inlined, so they are listed here.
    components(schemas(orgdesk_core::api::MemberSort, orgdesk_core::api::MemberStatus, orgdesk_core::api::InvitationFilter)),
    tags(
        (name = "accounts"), (name = "orgs"), (name = "members"), (name = "roles"),
        (name = "invitations"), (name = "across"), (name = "audit"), (name = "api-keys"), (name = "webhooks"), (name = "events"), (name = "teams"), (name = "partners"), (name = "ops")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An organization API key (odk_…), accepted by that organization's /v1/orgs/{org}/… endpoints \
                         within the key's permissions",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The operator's --metrics-token"))
                    .build(),
            ),
        );
    }
}

pub fn api_router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::router())
        .merge(oidc::router())
        .merge(orgs::router())
        .merge(members::router())
        .merge(roles::router())
        .merge(invitations::router())
        .merge(across::router())
        .merge(audit::router())
        .merge(api_keys::router())
        .merge(webhooks::router())
        .merge(events::router())
        .merge(teams::router())
        .merge(partners::router())
        .merge(ops::router())
        .split_for_parts();
    openapi::complete(&mut doc);
    (router, doc)
}
