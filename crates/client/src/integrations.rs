//! An org's API keys and webhook endpoints. None of it is cached: a key is
//! shown once in the answer that creates it, a webhook's signing secret only
//! in the answer of an explicit reveal or rotation, and neither ever reaches
//! the offline cache (the lists are small and read fresh; offline, these
//! screens say so).

use orgdesk_core::api::{
    ApiKey, CreateApiKey, CreateWebhookEndpoint, CreatedApiKey, RotateWebhookSecret, UpdateWebhookEndpoint,
    WebhookDelivery, WebhookEndpoint, WebhookSecret,
};

use crate::error::Result;
use crate::session::Session;

impl Session {
    /// The org's API keys, revoked and expired ones included; with
    /// `created_by`, only the keys that person created (what removing or
    /// disabling them would leave behind).
    pub async fn api_keys(&self, org_id: &str, created_by: Option<&str>) -> Result<Vec<ApiKey>> {
        self.call(|api| api.list_api_keys(org_id, created_by)).await
    }

    /// A new key carrying `permissions` (a subset of mine), expiring at
    /// `expires_at` (RFC 3339) or never. The answer's `secret` is the key:
    /// shown this once, kept nowhere.
    pub async fn create_api_key(
        &self,
        org_id: &str,
        name: &str,
        permissions: Vec<String>,
        expires_at: Option<String>,
    ) -> Result<CreatedApiKey> {
        let req = CreateApiKey { name: name.to_owned(), permissions, expires_at };
        self.call(|api| api.create_api_key(org_id, &req)).await
    }

    /// Revokes a key at once; revoking a revoked key changes nothing.
    pub async fn revoke_api_key(&self, org_id: &str, key_id: &str) -> Result<()> {
        self.call(|api| api.revoke_api_key(org_id, key_id)).await
    }

    pub async fn webhooks(&self, org_id: &str) -> Result<Vec<WebhookEndpoint>> {
        self.call(|api| api.list_webhooks(org_id)).await
    }

    pub async fn create_webhook(
        &self,
        org_id: &str,
        url: &str,
        description: Option<String>,
        event_types: Vec<String>,
    ) -> Result<WebhookEndpoint> {
        let req = CreateWebhookEndpoint { url: url.to_owned(), description, event_types };
        self.call(|api| api.create_webhook(org_id, &req)).await
    }

    /// Changes the fields set in `change` (URL, description, event types, enabled).
    pub async fn update_webhook(
        &self,
        org_id: &str,
        endpoint_id: &str,
        change: &UpdateWebhookEndpoint,
    ) -> Result<WebhookEndpoint> {
        self.call(|api| api.update_webhook(org_id, endpoint_id, change)).await
    }

    pub async fn delete_webhook(&self, org_id: &str, endpoint_id: &str) -> Result<()> {
        self.call(|api| api.delete_webhook(org_id, endpoint_id)).await
    }

    /// The endpoint's signing secret (and the previous one while it still
    /// signs), on this explicit request only; never cached.
    pub async fn reveal_webhook_secret(&self, org_id: &str, endpoint_id: &str) -> Result<WebhookSecret> {
        self.call(|api| api.webhook_secret(org_id, endpoint_id)).await
    }

    /// A new signing secret; the old one keeps signing for `overlap_hours`
    /// (0–168; none: the server's 24).
    pub async fn rotate_webhook_secret(
        &self,
        org_id: &str,
        endpoint_id: &str,
        overlap_hours: Option<i64>,
    ) -> Result<WebhookSecret> {
        let req = RotateWebhookSecret { overlap_hours };
        self.call(|api| api.rotate_webhook_secret(org_id, endpoint_id, &req)).await
    }

    /// Queues a `webhook.test` delivery to the endpoint.
    pub async fn send_test_webhook(&self, org_id: &str, endpoint_id: &str) -> Result<WebhookDelivery> {
        self.call(|api| api.send_test_webhook(org_id, endpoint_id)).await
    }

    /// The endpoint's newest deliveries, each with its attempts.
    pub async fn webhook_deliveries(&self, org_id: &str, endpoint_id: &str) -> Result<Vec<WebhookDelivery>> {
        self.call(|api| api.webhook_deliveries(org_id, endpoint_id)).await
    }

    /// Sends a delivery's message again (same `webhook-id` and body).
    pub async fn replay_webhook_delivery(
        &self,
        org_id: &str,
        endpoint_id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery> {
        self.call(|api| api.replay_webhook_delivery(org_id, endpoint_id, delivery_id)).await
    }
}
