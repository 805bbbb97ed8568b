//! The webhook delivery worker: every replica runs one. A due delivery is
//! leased first (compare-and-set on `next_attempt_at`), so two replicas
//! never send it at once; a replica that dies mid-delivery leaves a lease
//! that runs out, and another replica sends the same message again (same
//! `webhook-id`, so receivers can drop the duplicate). Failures are retried
//! with exponential backoff for more than a day; an endpoint whose
//! deliveries all failed for a day is disabled, with an audit event and an
//! email to the org's owner.

use std::time::{Duration, Instant};

use orgdesk_core::api::AuditAction;
use reqwest::Url;
use serde_json::json;
use tokio::task::JoinSet;

use super::guard;
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::emails::{compose, Block};
use crate::state::AppState;
use crate::store::{
    self,
    webhooks::{DueDelivery, NewAttempt},
};
use crate::time::{new_id, now_ms, DAY, HOUR, SECOND};

/// How much of a receiver's answer the log keeps.
pub const EXCERPT_BYTES: usize = 1024;

/// A delivery is retried until it is this old, then given up.
pub const GIVE_UP_AFTER: i64 = DAY + 2 * HOUR;

/// An endpoint whose deliveries all failed this long is disabled.
pub const DISABLE_AFTER: i64 = DAY;

/// Retry delay after `attempts` failures: 10 s, 20 s, 40 s … capped at 4 h
/// (so a delivery is tried about 17 times over its 26 hours).
pub fn backoff_ms(attempts: i64) -> i64 {
    ((10 * SECOND) << (attempts - 1).clamp(0, 20)).min(4 * HOUR)
}

/// How long a lease holds: longer than any attempt can take.
fn lease_ms(state: &AppState) -> i64 {
    2 * state.webhooks.timeout.as_millis() as i64 + 5 * SECOND
}

/// Delivers due webhooks until the process stops.
pub async fn run(state: AppState) {
    loop {
        match deliver_due(&state).await {
            Ok(0) => {
                let _ = tokio::time::timeout(Duration::from_secs(1), state.webhooks.queued.notified()).await;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "webhook outbox scan failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// One pass: leases up to 20 due deliveries and attempts them at once.
/// Answers how many were attempted.
pub async fn deliver_due(state: &AppState) -> store::Result<usize> {
    let now = now_ms();
    let due = store::webhooks::due(&state.db.pool, now, 20).await?;
    let lease_until = now + lease_ms(state);
    let mut attempts = JoinSet::new();
    for row in due {
        if !store::webhooks::lease(&state.db.pool, &row.id, row.next_attempt_at, lease_until).await? {
            continue;
        }
        let state = state.clone();
        // A bound on the whole attempt, recording included, so one stuck
        // attempt cannot hold up the worker (its lease runs out meanwhile).
        let bound = state.webhooks.timeout * 3 + Duration::from_secs(30);
        attempts.spawn(async move {
            match tokio::time::timeout(bound, attempt(&state, row)).await {
                Ok(result) => result,
                Err(_) => {
                    tracing::warn!("a webhook attempt took too long; its lease will run out");
                    Ok(())
                }
            }
        });
    }
    let mut done = 0;
    while let Some(result) = attempts.join_next().await {
        match result {
            Ok(Ok(())) => done += 1,
            Ok(Err(e)) => tracing::warn!(error = %e, "recording a webhook attempt failed"),
            Err(e) => tracing::warn!(error = %e, "a webhook attempt stopped"),
        }
    }
    Ok(done)
}

/// What a receiver answered: its status and the start of its body.
struct Answer {
    status: u16,
    excerpt: String,
}

async fn attempt(state: &AppState, row: DueDelivery) -> store::Result<()> {
    let started = Instant::now();
    let result = send(state, &row).await;
    let duration_ms = started.elapsed().as_millis() as i64;
    let now = now_ms();
    let number = row.attempts + 1;
    let (status_code, error, excerpt) = match &result {
        Ok(a) if (200..300).contains(&a.status) => (Some(a.status), None, Some(a.excerpt.as_str())),
        Ok(a) if (300..400).contains(&a.status) => {
            (Some(a.status), Some("redirects are not followed".to_owned()), Some(a.excerpt.as_str()))
        }
        Ok(a) => (Some(a.status), Some(format!("the receiver answered {}", a.status)), Some(a.excerpt.as_str())),
        Err(e) => (None, Some(e.clone()), None),
    };
    let delivered = error.is_none();
    store::webhooks::insert_attempt(
        &state.db.pool,
        &NewAttempt {
            id: new_id(),
            delivery_id: &row.id,
            attempt: number,
            at: now,
            status_code: status_code.map(i64::from),
            duration_ms,
            error: error.as_deref(),
            response_excerpt: excerpt,
        },
    )
    .await?;
    if delivered {
        store::webhooks::settle(&state.db.pool, &row.id, "delivered", number, now, Some(now)).await?;
        if !row.endpoint_gone {
            store::webhooks::endpoint_succeeded(&state.db.pool, &row.endpoint_id).await?;
        }
        state.metrics.count("orgdesk_webhooks_delivered_total");
        return Ok(());
    }
    tracing::info!(delivery_id = %row.id, attempt = number, error = error.as_deref().unwrap_or(""), "webhook attempt failed");
    state.metrics.count("orgdesk_webhook_failures_total");
    let status = if now - row.created_at >= GIVE_UP_AFTER { "failed" } else { "pending" };
    store::webhooks::settle(&state.db.pool, &row.id, status, number, now + backoff_ms(number), None).await?;
    if row.endpoint_gone {
        // Retried like any delivery; there is no endpoint to disable nor
        // an owner to tell.
        return Ok(());
    }
    store::webhooks::endpoint_failed(&state.db.pool, &row.endpoint_id, now).await?;
    disable_if_failing(state, &row.endpoint_id).await
}

async fn send(state: &AppState, row: &DueDelivery) -> Result<Answer, String> {
    let url = Url::parse(&row.url).map_err(|e| format!("bad URL: {e}"))?;
    if let Some(refused) = guard::literal_refused(&url, state.webhooks.allow_private) {
        return Err(refused);
    }
    let now = now_ms();
    let timestamp = now / 1000;
    let keys = super::SecretGenerations {
        endpoint_id: &row.endpoint_id,
        generation: row.secret_generation,
        previous_until: row.previous_secret_until,
    };
    let signature = state
        .webhooks
        .signature(&keys, &row.message_id, timestamp, &row.body, now)
        .ok_or("no --webhook-secret-key: nothing can sign")?;
    let response = state
        .webhooks
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &row.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(row.body.clone())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    Ok(Answer { status, excerpt: excerpt(response).await })
}

/// The first [`EXCERPT_BYTES`] of the body; the rest is never read.
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(EXCERPT_BYTES);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The error with its causes (the resolver's refusal is a cause).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() { "timed out".to_owned() } else { e.to_string() };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}

/// Disables the endpoint when every delivery failed for a day: one
/// transaction with its audit event and the email to the org's owner.
async fn disable_if_failing(state: &AppState, endpoint_id: &str) -> store::Result<()> {
    let mut tx = state.db.write().await?;
    let now = now_ms();
    let reason = "Every delivery failed for a day.";
    let Some((org_id, url)) =
        store::webhooks::disable_failing(tx.conn(), endpoint_id, now - DISABLE_AFTER, reason, now).await?
    else {
        // Nothing changed; end the transaction now rather than on drop.
        return tx.commit().await;
    };
    let actor = Actor { user_id: None, label: Some("Orgdesk".to_owned()), ..Default::default() };
    let change =
        Change::new(AuditAction::WebhookDisabled, Some(endpoint_id)).after(json!({"url": url, "reason": reason}));
    audit::record(tx.conn(), &org_id, &actor, change).await?;
    if let Some((owner, org_name)) = store::webhooks::owner_of(tx.conn(), &org_id).await? {
        let email = compose(
            &owner,
            format!("A webhook of {org_name} was disabled"),
            "A webhook endpoint was disabled",
            &[
                Block::Para(format!(
                    "Every delivery to {url} failed for a day, so Orgdesk stopped sending to it. \
                     Its pending deliveries are kept."
                )),
                Block::Para(
                    "Fix the receiver, then enable the endpoint again in the organization's webhook settings; \
                     replay any delivery from its log."
                        .to_owned(),
                ),
            ],
            Some(&org_id),
        );
        crate::outbox::enqueue(tx.conn(), email).await?;
    }
    tx.commit().await?;
    state.mail_queued.notify_one();
    tracing::warn!(endpoint_id, "webhook endpoint disabled after a day of failures");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_spans_more_than_a_day() {
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(2), 20_000);
        assert_eq!(backoff_ms(40), 4 * HOUR);
        let mut waited = 0;
        let mut attempts = 0;
        while waited < GIVE_UP_AFTER {
            attempts += 1;
            waited += backoff_ms(attempts);
        }
        assert!(GIVE_UP_AFTER > DAY && attempts > 10, "{attempts} attempts over {waited} ms");
    }
}
