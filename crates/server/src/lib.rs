//! The Orgdesk hosted API: axum handlers (`routes`) over domain modules named
//! after what they manage (the rules), over the store (`store`, every SQL
//! statement, one module per noun) on one database layer (`db`) for SQLite
//! and PostgreSQL.

pub mod access;
pub mod accounts;
pub mod across;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod email_change;
pub mod emails;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod invitations;
pub mod members;
pub mod metrics;
pub mod oidc;
pub mod orgs;
pub mod outbox;
pub mod pagination;
pub mod partners;
pub mod rate_limit;
pub mod recovery;
pub mod roles;
pub mod routes;
pub mod security_log;
pub mod state;
pub mod store;
pub mod stream;
pub mod teams;
pub mod time;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

pub use db::Db;
pub use state::{AppInner, AppState, Limits};

/// Default request-body limit; the logo upload raises its own.
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct Options {
    pub public_url: String,
    pub dev_outbox: bool,
    pub limits: Limits,
    pub metrics_token: Option<String>,
    pub outbox_retention_days: i64,
    pub oidc_providers: Vec<oidc::ProviderConfig>,
    pub webhooks: WebhookOptions,
    /// How often the event stream sends a heartbeat comment.
    pub stream_heartbeat: Duration,
}

/// What the operator set for webhooks (see `config::Config`).
pub struct WebhookOptions {
    pub secret_key: Option<String>,
    pub allow_private: bool,
    pub timeout: Duration,
    /// Runs the delivery worker in `serve` (tests turn it off to drive
    /// delivery themselves, or to leave it to other processes).
    pub deliver: bool,
}

impl Default for WebhookOptions {
    fn default() -> WebhookOptions {
        WebhookOptions { secret_key: None, allow_private: false, timeout: Duration::from_secs(10), deliver: true }
    }
}

impl Options {
    /// The defaults of `orgdesk-server` for a server reachable at `public_url`.
    pub fn new(public_url: impl Into<String>) -> Options {
        Options {
            public_url: public_url.into(),
            dev_outbox: false,
            limits: Limits::default(),
            metrics_token: None,
            outbox_retention_days: 7,
            oidc_providers: Vec::new(),
            webhooks: WebhookOptions::default(),
            stream_heartbeat: Duration::from_secs(15),
        }
    }
}

pub fn state(db: Db, options: Options) -> AppState {
    Arc::new(AppInner {
        db,
        public_url: options.public_url,
        dev_outbox: options.dev_outbox,
        limits: options.limits,
        metrics_token: options.metrics_token,
        outbox_retention_days: options.outbox_retention_days,
        metrics: Default::default(),
        oidc: oidc::Oidc::new(options.oidc_providers),
        webhooks: webhooks::Webhooks::new(
            options.webhooks.secret_key.as_deref(),
            options.webhooks.allow_private,
            options.webhooks.timeout,
            options.webhooks.deliver,
        ),
        mail_queued: Default::default(),
        hub: Default::default(),
        stream_heartbeat: options.stream_heartbeat,
        activity_written: Default::default(),
    })
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = routes::api_router();
    let openapi_json = serde_json::to_string(&openapi).unwrap_or_default();
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    api.merge(routes::pages::router())
        .route("/openapi.json", get(move || async move { ([("content-type", "application/json")], openapi_json) }))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(
            TraceLayer::new_for_http()
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros))
                .make_span_with(|req: &Request| {
                // Only method, path and request id: never query strings (they
                // may carry tokens) and never headers.
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %redact_path(req.uri().path()), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Paths under /invite/, /verify/, /partner-requests/, /v1/invitations/ and
/// /v1/partner-requests/ carry tokens (the OpenID callback's are in its
/// query, which is never logged).
fn redact_path(path: &str) -> String {
    for prefix in [
        "/invite/",
        "/verify/",
        "/reset/",
        "/email-change/",
        "/partner-requests/",
        "/v1/invitations/",
        "/v1/partner-requests/",
    ] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.split_once('/').map(|(_, t)| format!("/{t}")).unwrap_or_default();
            return format!("{prefix}<token>{tail}");
        }
    }
    path.to_owned()
}

/// Counts and times every request, and writes the request id into problem
/// answers so a person reporting one can quote it.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.observe_request(&method, response.status().as_u16(), started.elapsed());
    let is_problem = response.headers().get("content-type").is_some_and(|v| v == "application/problem+json");
    match (is_problem, request_id) {
        (true, Some(id)) => with_request_id(response, id).await,
        _ => response,
    }
}

async fn with_request_id(response: Response, id: String) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let bytes = match serde_json::from_slice::<orgdesk_core::Problem>(&bytes) {
        Ok(mut problem) => {
            problem.request_id = Some(id);
            serde_json::to_vec(&problem).map(Into::into).unwrap_or(bytes)
        }
        Err(_) => bytes,
    };
    parts.headers.remove("content-length");
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Housekeeping: every minute the `invitation.expired` events and the
/// expiry events of partner relationships whose end passed; every ten
/// minutes rate-limit events past every window, idempotency keys older than
/// a day, finished webhook deliveries and events older than 30 days, and
/// the rest.
pub async fn run_janitor(state: AppState) {
    for pass in 1u64.. {
        tokio::time::sleep(Duration::from_secs(60)).await;
        if let Err(e) = events::notice_expired_invitations(&state).await {
            tracing::warn!(error = %e, "writing invitation.expired events failed");
        }
        if let Err(e) = partners::notice_expired(&state).await {
            tracing::warn!(error = %e, "writing partner relationship expiry events failed");
        }
        if pass % 10 != 0 {
            continue;
        }
        let Ok(mut conn) = state.db.pool.acquire().await else { continue };
        if let Err(e) = rate_limit::prune(&mut conn, 2 * time::DAY).await {
            tracing::warn!(error = %e, "pruning rate-limit events failed");
        }
        if let Err(e) = outbox::prune_sent(&mut conn, state.outbox_retention_days * time::DAY).await {
            tracing::warn!(error = %e, "pruning sent emails failed");
        }
        let day_ago = time::now_ms() - time::DAY;
        if let Err(e) = store::tokens::delete_resets_before(&mut *conn, day_ago).await {
            tracing::warn!(error = %e, "pruning reset links failed");
        }
        if let Err(e) = store::oidc::delete_before(&mut conn, day_ago).await {
            tracing::warn!(error = %e, "pruning sign-in flows and codes failed");
        }
        if let Err(e) = idempotency::prune(&mut conn, time::DAY).await {
            tracing::warn!(error = %e, "pruning idempotency keys failed");
        }
        if let Err(e) = store::webhooks::prune(&mut conn, time::now_ms() - 30 * time::DAY).await {
            tracing::warn!(error = %e, "pruning webhook deliveries failed");
        }
        // The event log serves resumes and the stream's window; a month is plenty.
        if let Err(e) = store::events::delete_before(&mut *conn, time::now_ms() - 30 * time::DAY).await {
            tracing::warn!(error = %e, "pruning the event log failed");
        }
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let janitor = tokio::spawn(run_janitor(state.clone()));
    let webhooks = state.webhooks.deliver.then(|| tokio::spawn(webhooks::delivery::run(state.clone())));
    let poller = tokio::spawn(stream::run_poller(state.clone()));
    let closing = state.clone();
    // Event streams never end by themselves: the shutdown ends them.
    let shutdown = async move {
        shutdown.await;
        closing.hub.close();
    };
    let result = axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    janitor.abort();
    poller.abort();
    if let Some(worker) = webhooks {
        worker.abort();
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_paths_are_redacted() {
        assert_eq!(super::redact_path("/invite/odi_secret/accept"), "/invite/<token>/accept");
        assert_eq!(super::redact_path("/v1/invitations/odi_secret"), "/v1/invitations/<token>");
        assert_eq!(super::redact_path("/partner-requests/odp_secret/accept"), "/partner-requests/<token>/accept");
        assert_eq!(super::redact_path("/v1/partner-requests/odp_secret"), "/v1/partner-requests/<token>");
        assert_eq!(super::redact_path("/v1/orgs/x"), "/v1/orgs/x");
    }
}
