//! Webhooks, following the Standard Webhooks specification: per-org
//! endpoints with an event-type filter; a delivery per (endpoint, event)
//! written to the webhook outbox in the event's transaction (`enqueue`,
//! called by `events::record`); delivery by a leased worker with retries
//! (`delivery`); a delivery log, test events and replays.
//!
//! No signing secret is at rest: an endpoint's secret is derived from the
//! operator's `--webhook-secret-key`, the endpoint's id and its secret
//! generation (HMAC-SHA256), so the database holds only the generation.
//! Rotating bumps the generation; the previous secret also signs until the
//! overlap ends.

pub mod delivery;
pub mod guard;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use orgdesk_core::api::{
    AuditAction, CreateWebhookEndpoint, RotateWebhookSecret, UpdateWebhookEndpoint, WebhookAttempt, WebhookDelivery,
    WebhookEndpoint, WebhookSecret,
};
use orgdesk_core::{ErrorCode, Permission};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::access::OrgAccess;
use crate::audit::{self, Change};
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::state::AppState;
use crate::store::{
    self,
    events::NewEvent,
    webhooks::{DeliveryRow, EndpointRow, NewDelivery},
    Conn,
};
use crate::time::{new_id, now_ms, rfc3339, HOUR};

/// What the operator configured for webhooks.
pub struct Webhooks {
    /// The key every signing secret is derived from; without one, endpoints
    /// cannot be created (nothing could sign).
    key: Option<Vec<u8>>,
    /// Allows private, loopback and link-local targets and plain `http://`
    /// (development and tests only).
    pub allow_private: bool,
    /// The whole-request timeout of one delivery attempt.
    pub timeout: std::time::Duration,
    pub client: reqwest::Client,
    /// Wakes the delivery worker (a test event or a replay).
    pub queued: tokio::sync::Notify,
    /// Whether this process runs the delivery worker.
    pub deliver: bool,
}

impl Webhooks {
    pub fn new(key: Option<&str>, allow_private: bool, timeout: std::time::Duration, deliver: bool) -> Webhooks {
        Webhooks {
            deliver,
            key: key.map(|k| k.as_bytes().to_vec()),
            allow_private,
            timeout,
            client: guard::client(allow_private, timeout),
            queued: Default::default(),
        }
    }

    fn key(&self) -> ApiResult<&[u8]> {
        self.key.as_deref().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unavailable,
                "Webhooks are off on this server: its operator has not set --webhook-secret-key.",
            )
        })
    }

    /// The signing key of an endpoint's secret generation (32 bytes).
    fn signing_key(&self, endpoint_id: &str, generation: i64) -> Option<[u8; 32]> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.as_deref()?).ok()?;
        mac.update(format!("orgdesk webhook signing secret\0{endpoint_id}\0{generation}").as_bytes());
        Some(mac.finalize().into_bytes().into())
    }

    /// The secret as Standard Webhooks libraries take it: `whsec_<base64>`.
    fn secret(&self, endpoint_id: &str, generation: i64) -> Option<String> {
        self.signing_key(endpoint_id, generation).map(|k| format!("whsec_{}", STANDARD.encode(k)))
    }

    /// The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of
    /// id.timestamp.body>` with the current secret, then the previous one
    /// while it still signs.
    pub fn signature(
        &self,
        keys: &SecretGenerations<'_>,
        message_id: &str,
        timestamp: i64,
        body: &str,
        now: i64,
    ) -> Option<String> {
        let SecretGenerations { endpoint_id, generation, previous_until } = *keys;
        let mut generations = vec![generation];
        if previous_until.is_some_and(|until| until > now) && generation > 1 {
            generations.push(generation - 1);
        }
        let signatures: Option<Vec<String>> = generations
            .into_iter()
            .map(|g| {
                let key = self.signing_key(endpoint_id, g)?;
                let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
                mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
                Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
            })
            .collect();
        signatures.map(|s| s.join(" "))
    }
}

/// Which secrets of an endpoint sign: its current generation, and the one
/// before until `previous_until`.
#[derive(Clone, Copy)]
pub struct SecretGenerations<'a> {
    pub endpoint_id: &'a str,
    pub generation: i64,
    pub previous_until: Option<i64>,
}

fn storage_types(types: &[String]) -> String {
    format!(" {} ", types.join(" "))
}

fn parse_types(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

fn takes(stored: &str, event_type: &str) -> bool {
    stored.split_whitespace().any(|t| t == "*" || t == event_type)
}

impl From<EndpointRow> for WebhookEndpoint {
    fn from(r: EndpointRow) -> WebhookEndpoint {
        WebhookEndpoint {
            event_types: parse_types(&r.event_types),
            id: r.id,
            org_id: r.org_id,
            url: r.url,
            description: r.description,
            enabled: r.enabled == 1,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since.map(rfc3339),
            previous_secret_until: r.previous_secret_until.filter(|&until| until > now_ms()).map(rfc3339),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

fn event_types(types: &[String]) -> ApiResult<Vec<String>> {
    if types.is_empty() {
        return Err(ApiError::invalid("event_types", "List the event types to send, or [\"*\"] for all of them."));
    }
    let mut out: Vec<String> = Vec::new();
    for t in types {
        let t = t.trim();
        if t == "*" {
            return Ok(vec!["*".to_owned()]);
        }
        if events::read_permission(t).is_none() {
            return Err(ApiError::invalid(
                "event_types",
                format!("\"{t}\" is not an event type; see the README's list (member.added, invitation.created, …)."),
            ));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

fn description(text: Option<&str>) -> ApiResult<String> {
    let text = text.unwrap_or("").trim();
    if text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(ApiError::invalid("description", "Describe the endpoint in at most 200 characters, one line."));
    }
    Ok(text.to_owned())
}

async fn load(conn: &mut Conn, org_id: &str, id: &str) -> ApiResult<EndpointRow> {
    store::webhooks::endpoint(conn, org_id, id).await?.ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

pub async fn list(state: &AppState, access: &OrgAccess) -> ApiResult<Vec<WebhookEndpoint>> {
    access.require(Permission::WebhooksManage)?;
    let rows = store::webhooks::endpoints_of(&state.db.pool, &access.org_id).await?;
    Ok(rows.into_iter().map(WebhookEndpoint::from).collect())
}

pub async fn get(state: &AppState, access: &OrgAccess, id: &str) -> ApiResult<WebhookEndpoint> {
    access.require(Permission::WebhooksManage)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(load(&mut conn, &access.org_id, id).await?.into())
}

pub async fn create(state: &AppState, access: &OrgAccess, req: CreateWebhookEndpoint) -> ApiResult<WebhookEndpoint> {
    access.require(Permission::WebhooksManage)?;
    state.webhooks.key()?;
    let url = guard::check_url(&req.url, state.webhooks.allow_private).await?;
    let description = description(req.description.as_deref())?;
    let types = event_types(&req.event_types)?;
    let id = new_id();
    let now = now_ms();
    let mut tx = state.db.write().await?;
    store::webhooks::insert_endpoint(
        tx.conn(),
        &store::webhooks::NewEndpoint {
            id: &id,
            org_id: &access.org_id,
            url: &url,
            description: &description,
            event_types: &storage_types(&types),
            created_by: access.person_id.as_deref(),
            now,
        },
    )
    .await?;
    let change = Change::new(AuditAction::WebhookCreated, Some(&id)).after(json!({"url": url, "event_types": types}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let row = load(tx.conn(), &access.org_id, &id).await?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn update(
    state: &AppState,
    access: &OrgAccess,
    id: &str,
    req: UpdateWebhookEndpoint,
) -> ApiResult<WebhookEndpoint> {
    access.require(Permission::WebhooksManage)?;
    let url = match &req.url {
        Some(url) => Some(guard::check_url(url, state.webhooks.allow_private).await?),
        None => None,
    };
    let description = match &req.description {
        Some(d) => Some(description(Some(d))?),
        None => None,
    };
    let types = match &req.event_types {
        Some(t) => Some(event_types(t)?),
        None => None,
    };
    let mut tx = state.db.write().await?;
    let before = load(tx.conn(), &access.org_id, id).await?;
    let mut after = before.clone();
    if let Some(url) = url {
        after.url = url;
    }
    if let Some(d) = description {
        after.description = d;
    }
    if let Some(t) = &types {
        after.event_types = storage_types(t);
    }
    if let Some(enabled) = req.enabled {
        after.enabled = i64::from(enabled);
    }
    let now = now_ms();
    if !store::webhooks::update_endpoint(tx.conn(), &after, now).await? {
        return Err(ApiError::not_found("webhook endpoint"));
    }
    let view =
        |r: &EndpointRow| json!({"url": r.url, "event_types": parse_types(&r.event_types), "enabled": r.enabled == 1});
    let change = Change::new(AuditAction::WebhookUpdated, Some(id)).before(view(&before)).after(view(&after));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let row = load(tx.conn(), &access.org_id, id).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes an endpoint with its deliveries and their log.
pub async fn delete(state: &AppState, access: &OrgAccess, id: &str) -> ApiResult<()> {
    access.require(Permission::WebhooksManage)?;
    let mut tx = state.db.write().await?;
    let before = load(tx.conn(), &access.org_id, id).await?;
    if !store::webhooks::delete_endpoint(tx.conn(), &access.org_id, id).await? {
        return Err(ApiError::not_found("webhook endpoint"));
    }
    let change = Change::new(AuditAction::WebhookDeleted, Some(id)).before(json!({"url": before.url}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The endpoint's current signing secret (and the previous one during an overlap).
pub async fn secret(state: &AppState, access: &OrgAccess, id: &str) -> ApiResult<WebhookSecret> {
    access.require(Permission::WebhooksManage)?;
    state.webhooks.key()?;
    let mut conn = state.db.pool.acquire().await?;
    let row = load(&mut conn, &access.org_id, id).await?;
    Ok(secret_of(state, &row))
}

fn secret_of(state: &AppState, row: &EndpointRow) -> WebhookSecret {
    let until = row.previous_secret_until.filter(|&until| until > now_ms() && row.secret_generation > 1);
    WebhookSecret {
        secret: state.webhooks.secret(&row.id, row.secret_generation).unwrap_or_default(),
        previous_secret: until.and_then(|_| state.webhooks.secret(&row.id, row.secret_generation - 1)),
        previous_secret_until: until.map(rfc3339),
    }
}

/// A new signing secret; the old one keeps signing for the overlap.
pub async fn rotate_secret(
    state: &AppState,
    access: &OrgAccess,
    id: &str,
    req: RotateWebhookSecret,
) -> ApiResult<WebhookSecret> {
    access.require(Permission::WebhooksManage)?;
    state.webhooks.key()?;
    let hours = req.overlap_hours.unwrap_or(24);
    if !(0..=168).contains(&hours) {
        return Err(ApiError::invalid("overlap_hours", "Keep the old secret signing for 0 to 168 hours."));
    }
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let Some(generation) =
        store::webhooks::rotate_secret(tx.conn(), &access.org_id, id, now + hours * HOUR, now).await?
    else {
        return Err(ApiError::not_found("webhook endpoint"));
    };
    let change = Change::new(AuditAction::WebhookSecretRotated, Some(id))
        .after(json!({"generation": generation, "overlap_hours": hours}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let row = load(tx.conn(), &access.org_id, id).await?;
    tx.commit().await?;
    Ok(secret_of(state, &row))
}

fn delivery_view(row: DeliveryRow, log: Vec<WebhookAttempt>) -> WebhookDelivery {
    WebhookDelivery {
        next_attempt_at: (row.status == "pending").then(|| rfc3339(row.next_attempt_at)),
        payload: serde_json::from_str(&row.body).unwrap_or(Value::Null),
        id: row.id,
        message_id: row.message_id,
        event_type: row.event_type,
        status: row.status,
        attempts: row.attempts,
        created_at: rfc3339(row.created_at),
        delivered_at: row.delivered_at.map(rfc3339),
        log,
    }
}

/// The endpoint's newest 100 deliveries with their attempts.
pub async fn deliveries(state: &AppState, access: &OrgAccess, id: &str) -> ApiResult<Vec<WebhookDelivery>> {
    access.require(Permission::WebhooksManage)?;
    let mut conn = state.db.pool.acquire().await?;
    load(&mut conn, &access.org_id, id).await?;
    let rows = store::webhooks::deliveries_of(&mut *conn, id, 100).await?;
    let oldest = rows.iter().map(|r| r.created_at).min().unwrap_or(0);
    let attempts = store::webhooks::attempts_of(&mut *conn, id, oldest).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let log = attempts
                .iter()
                .filter(|a| a.delivery_id == row.id)
                .map(|a| WebhookAttempt {
                    attempt: a.attempt,
                    at: rfc3339(a.at),
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    error: a.error.clone(),
                    response_excerpt: a.response_excerpt.clone(),
                })
                .collect();
            delivery_view(row, log)
        })
        .collect())
}

async fn queue_one(
    state: &AppState,
    access: &OrgAccess,
    endpoint_id: &str,
    message_id: &str,
    event_type: &str,
    body: &str,
) -> ApiResult<WebhookDelivery> {
    let mut tx = state.db.write().await?;
    load(tx.conn(), &access.org_id, endpoint_id).await?;
    let id = new_id();
    let delivery = NewDelivery {
        id: id.clone(),
        endpoint_id,
        org_id: &access.org_id,
        message_id,
        event_type,
        body,
        now: now_ms(),
    };
    store::webhooks::insert_deliveries(tx.conn(), &[delivery]).await?;
    let row = store::webhooks::delivery(tx.conn(), endpoint_id, &id).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    state.webhooks.queued.notify_one();
    Ok(delivery_view(row, Vec::new()))
}

/// Queues a `webhook.test` event to the endpoint (delivered like any other).
pub async fn send_test(state: &AppState, access: &OrgAccess, id: &str) -> ApiResult<WebhookDelivery> {
    access.require(Permission::WebhooksManage)?;
    let message_id = new_id();
    let body = json!({
        "id": message_id, "type": "webhook.test", "org_id": access.org_id, "timestamp": rfc3339(now_ms()),
        "data": {"endpoint_id": id},
    })
    .to_string();
    queue_one(state, access, id, &message_id, "webhook.test", &body).await
}

/// Queues the delivery's message once more: same `webhook-id`, same body.
pub async fn replay(state: &AppState, access: &OrgAccess, id: &str, delivery_id: &str) -> ApiResult<WebhookDelivery> {
    access.require(Permission::WebhooksManage)?;
    let mut conn = state.db.pool.acquire().await?;
    load(&mut conn, &access.org_id, id).await?;
    let row = store::webhooks::delivery(&mut *conn, id, delivery_id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook delivery"))?;
    drop(conn);
    queue_one(state, access, id, &row.message_id, &row.event_type, &row.body).await
}

/// The outbox side of `events::record`: a delivery per event and enabled
/// endpoint of its org that takes its type, in the caller's transaction.
pub async fn enqueue(conn: &mut Conn, events: &[NewEvent<'_>]) -> store::Result<()> {
    let mut orgs: Vec<&str> = events.iter().map(|e| e.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    for org_id in orgs {
        let endpoints = store::webhooks::live_endpoints(&mut *conn, org_id).await?;
        if endpoints.is_empty() {
            continue;
        }
        let bodies: Vec<(&NewEvent<'_>, String)> =
            events.iter().filter(|e| e.org_id == org_id).map(|e| (e, events::envelope_of(e).to_string())).collect();
        let mut deliveries = Vec::new();
        for (endpoint_id, types) in &endpoints {
            for (event, body) in &bodies {
                if takes(types, event.event_type) {
                    deliveries.push(NewDelivery {
                        id: new_id(),
                        endpoint_id,
                        org_id,
                        message_id: &event.id,
                        event_type: event.event_type,
                        body,
                        now: event.at,
                    });
                }
            }
        }
        store::webhooks::insert_deliveries(conn, &deliveries).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_match_with_a_wildcard() {
        let stored = storage_types(&["member.added".to_owned(), "role.created".to_owned()]);
        assert!(takes(&stored, "member.added"));
        assert!(!takes(&stored, "member.removed"));
        assert!(takes(" * ", "org.deleted"));
    }

    #[test]
    fn secrets_differ_per_endpoint_and_generation() {
        let w = Webhooks::new(
            Some("a server key of at least 32 characters"),
            false,
            std::time::Duration::from_secs(1),
            false,
        );
        let a1 = w.secret("a", 1).unwrap();
        assert!(a1.starts_with("whsec_"));
        assert_ne!(a1, w.secret("a", 2).unwrap());
        assert_ne!(a1, w.secret("b", 1).unwrap());
        let keys = |previous_until| SecretGenerations { endpoint_id: "a", generation: 2, previous_until };
        let one = w.signature(&keys(None), "m", 1, "{}", 0).unwrap();
        assert!(one.starts_with("v1,") && !one.contains(' '));
        let both = w.signature(&keys(Some(10)), "m", 1, "{}", 0).unwrap();
        assert_eq!(both.split(' ').count(), 2, "both secrets sign during the overlap");
        assert!(Webhooks::new(None, false, std::time::Duration::from_secs(1), false).secret("a", 1).is_none());
    }
}
