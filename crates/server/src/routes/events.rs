use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::stream;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// My events across my organizations as Server-Sent Events (`id`, `event`
/// = the type, `data` = the event JSON), each only where I may read it,
/// and the invitation events addressed to my confirmed address from any
/// organization; a `heartbeat` comment every 15 s; `Last-Event-ID` resumes (from a few
/// seconds before that event: drop repeats by id); an `event: reset` means
/// reload, then carry on.
#[utoipa::path(get, path = "/v1/events", tag = "events", security(("session" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received")),
    responses((status = 200, content_type = "text/event-stream", body = String)))]
async fn events(State(state): State<AppState>, user: AuthUser, headers: HeaderMap) -> ApiResult<Response> {
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let events = stream::subscribe(&state, &user, last).await?;
    let keep_alive = KeepAlive::new().interval(state.stream_heartbeat).text("heartbeat");
    Ok(Sse::new(events).keep_alive(keep_alive).into_response())
}
