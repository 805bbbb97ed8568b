//! An org's API keys and webhook endpoints (settings screens shown with
//! `api_keys:manage` and `webhooks:manage`). Nothing here is cached: a new
//! key and a revealed webhook secret go to the screen that asked, once.

use orgdesk_client::core::api::{
    ApiKey, CreatedApiKey, UpdateWebhookEndpoint, WebhookDelivery, WebhookEndpoint, WebhookSecret,
};
use tauri::State;

use super::Answer;
use crate::desk::Desk;

/// The org's API keys (never the keys themselves); with `created_by`, only
/// those that person created.
#[tauri::command]
pub async fn api_keys(desk: State<'_, Desk>, org_id: String, created_by: Option<String>) -> Answer<Vec<ApiKey>> {
    Ok(desk.session().await?.api_keys(&org_id, created_by.as_deref()).await?)
}

/// A new key; its `secret` is shown this once and kept nowhere.
#[tauri::command]
pub async fn create_api_key(
    desk: State<'_, Desk>,
    org_id: String,
    name: String,
    permissions: Vec<String>,
    expires_at: Option<String>,
) -> Answer<CreatedApiKey> {
    Ok(desk.session().await?.create_api_key(&org_id, &name, permissions, expires_at).await?)
}

#[tauri::command]
pub async fn revoke_api_key(desk: State<'_, Desk>, org_id: String, key_id: String) -> Answer<()> {
    Ok(desk.session().await?.revoke_api_key(&org_id, &key_id).await?)
}

#[tauri::command]
pub async fn webhooks(desk: State<'_, Desk>, org_id: String) -> Answer<Vec<WebhookEndpoint>> {
    Ok(desk.session().await?.webhooks(&org_id).await?)
}

#[tauri::command]
pub async fn create_webhook(
    desk: State<'_, Desk>,
    org_id: String,
    url: String,
    description: Option<String>,
    event_types: Vec<String>,
) -> Answer<WebhookEndpoint> {
    Ok(desk.session().await?.create_webhook(&org_id, &url, description, event_types).await?)
}

/// Changes the fields set in `change`: URL, description, event types, enabled.
#[tauri::command]
pub async fn update_webhook(
    desk: State<'_, Desk>,
    org_id: String,
    endpoint_id: String,
    change: UpdateWebhookEndpoint,
) -> Answer<WebhookEndpoint> {
    Ok(desk.session().await?.update_webhook(&org_id, &endpoint_id, &change).await?)
}

#[tauri::command]
pub async fn delete_webhook(desk: State<'_, Desk>, org_id: String, endpoint_id: String) -> Answer<()> {
    Ok(desk.session().await?.delete_webhook(&org_id, &endpoint_id).await?)
}

/// The endpoint's signing secret, on this explicit request only.
#[tauri::command]
pub async fn reveal_webhook_secret(
    desk: State<'_, Desk>,
    org_id: String,
    endpoint_id: String,
) -> Answer<WebhookSecret> {
    Ok(desk.session().await?.reveal_webhook_secret(&org_id, &endpoint_id).await?)
}

/// A new signing secret; the old one also signs for `overlap_hours` (none: 24).
#[tauri::command]
pub async fn rotate_webhook_secret(
    desk: State<'_, Desk>,
    org_id: String,
    endpoint_id: String,
    overlap_hours: Option<i64>,
) -> Answer<WebhookSecret> {
    Ok(desk.session().await?.rotate_webhook_secret(&org_id, &endpoint_id, overlap_hours).await?)
}

/// Queues a `webhook.test` delivery to the endpoint.
#[tauri::command]
pub async fn send_test_webhook(desk: State<'_, Desk>, org_id: String, endpoint_id: String) -> Answer<WebhookDelivery> {
    Ok(desk.session().await?.send_test_webhook(&org_id, &endpoint_id).await?)
}

/// The endpoint's newest deliveries with their attempts.
#[tauri::command]
pub async fn webhook_deliveries(
    desk: State<'_, Desk>,
    org_id: String,
    endpoint_id: String,
) -> Answer<Vec<WebhookDelivery>> {
    Ok(desk.session().await?.webhook_deliveries(&org_id, &endpoint_id).await?)
}

/// Sends a delivery again (same `webhook-id` and body).
#[tauri::command]
pub async fn replay_webhook_delivery(
    desk: State<'_, Desk>,
    org_id: String,
    endpoint_id: String,
    delivery_id: String,
) -> Answer<WebhookDelivery> {
    Ok(desk.session().await?.replay_webhook_delivery(&org_id, &endpoint_id, &delivery_id).await?)
}
