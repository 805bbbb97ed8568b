//! Webhooks: the `webhook_endpoints`, `webhook_deliveries` (the outbox) and
//! `webhook_attempts` (the delivery log) tables.

use super::on;
use super::{Executor, Result};
use crate::db::{Bind, Sql};

pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub event_types: &'a str,
    pub created_by: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_endpoint(db: impl Executor<'_>, e: &NewEndpoint<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, org_id, url, description, event_types, enabled, secret_generation, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 1, $6, $7, $7)",
        )
        .bind(e.id)
        .bind(e.org_id)
        .bind(e.url)
        .bind(e.description)
        .bind(e.event_types)
        .bind(e.created_by)
        .bind(e.now)
        .execute(db)
        .await
        .map(|_| ())
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct EndpointRow {
    pub id: String,
    pub org_id: String,
    pub url: String,
    pub description: String,
    pub event_types: String,
    pub enabled: i64,
    pub disabled_reason: Option<String>,
    pub secret_generation: i64,
    pub previous_secret_until: Option<i64>,
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const ENDPOINT_COLUMNS: &str = "SELECT id, org_id, url, description, event_types, enabled, disabled_reason, \
     secret_generation, previous_secret_until, failing_since, created_at, updated_at FROM webhook_endpoints";

pub async fn endpoints_of(db: impl Executor<'_>, org_id: &str) -> Result<Vec<EndpointRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{ENDPOINT_COLUMNS} WHERE org_id = $1 ORDER BY created_at, id"))
            .bind(org_id)
            .fetch_all(db)
            .await
    })
}

pub async fn endpoint(db: impl Executor<'_>, org_id: &str, id: &str) -> Result<Option<EndpointRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{ENDPOINT_COLUMNS} WHERE org_id = $1 AND id = $2"))
            .bind(org_id)
            .bind(id)
            .fetch_optional(db)
            .await
    })
}

/// Sets an endpoint's fields; enabling it also clears its failure run.
pub async fn update_endpoint(db: impl Executor<'_>, row: &EndpointRow, now: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3, enabled = $4, updated_at = $5, \
             disabled_reason = CASE WHEN $4 = 1 THEN NULL ELSE disabled_reason END, \
             failing_since = CASE WHEN $4 = 1 AND enabled = 0 THEN NULL ELSE failing_since END \
             WHERE org_id = $6 AND id = $7",
        )
        .bind(row.url.as_str())
        .bind(row.description.as_str())
        .bind(row.event_types.as_str())
        .bind(row.enabled)
        .bind(now)
        .bind(row.org_id.as_str())
        .bind(row.id.as_str())
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Deletes an endpoint with its deliveries (their attempts cascade).
pub async fn delete_endpoint(conn: &mut super::Conn, org_id: &str, id: &str) -> Result<bool> {
    on!(conn, |conn| {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1").bind(id).execute(&mut *conn).await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Copies what sending needs from the org's enabled endpoints onto their
/// pending deliveries, before the org (and its endpoints with it) is
/// deleted in the same transaction: those deliveries, `org.deleted` among
/// them, are still sent. Deliveries to disabled endpoints are left without
/// a URL and pruned.
pub async fn keep_pending_of_org(db: impl Executor<'_>, org_id: &str) -> Result<u64> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET \
             url = (SELECT e.url FROM webhook_endpoints e WHERE e.id = webhook_deliveries.endpoint_id), \
             secret_generation = (SELECT e.secret_generation FROM webhook_endpoints e \
                WHERE e.id = webhook_deliveries.endpoint_id), \
             previous_secret_until = (SELECT e.previous_secret_until FROM webhook_endpoints e \
                WHERE e.id = webhook_deliveries.endpoint_id) \
             WHERE org_id = $1 AND status = 'pending' AND endpoint_id IN \
             (SELECT id FROM webhook_endpoints WHERE org_id = $1 AND enabled = 1)",
        )
        .bind(org_id)
        .execute(db)
        .await?;
        Ok(done.rows_affected())
    })
}

/// Deletes deliveries whose endpoint is gone (deleted meanwhile, or with
/// its org) unless they are still pending with their own URL (kept when
/// the org was deleted), and finished ones created before `finished_before`.
pub async fn prune(conn: &mut super::Conn, finished_before: i64) -> Result<u64> {
    on!(conn, |conn| {
        let orphans = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE (url IS NULL OR status <> 'pending') AND NOT EXISTS \
             (SELECT 1 FROM webhook_endpoints e WHERE e.id = webhook_deliveries.endpoint_id)",
        )
        .execute(&mut *conn)
        .await?;
        let finished =
            sqlx::query("DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < $1")
                .bind(finished_before)
                .execute(&mut *conn)
                .await?;
        Ok(orphans.rows_affected() + finished.rows_affected())
    })
}

/// A new signing secret generation; the previous one signs until
/// `previous_until`. Answers the new generation.
pub async fn rotate_secret(
    db: impl Executor<'_>,
    org_id: &str,
    id: &str,
    previous_until: i64,
    now: i64,
) -> Result<Option<i64>> {
    on!(db, |db| {
        sqlx::query_scalar(
            "UPDATE webhook_endpoints SET secret_generation = secret_generation + 1, previous_secret_until = $1, \
             updated_at = $2 WHERE org_id = $3 AND id = $4 RETURNING secret_generation",
        )
        .bind(previous_until)
        .bind(now)
        .bind(org_id)
        .bind(id)
        .fetch_optional(db)
        .await
    })
}

/// The org's enabled endpoints and the event types they take.
pub async fn live_endpoints(db: impl Executor<'_>, org_id: &str) -> Result<Vec<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, event_types FROM webhook_endpoints WHERE org_id = $1 AND enabled = 1")
            .bind(org_id)
            .fetch_all(db)
            .await
    })
}

pub struct NewDelivery<'a> {
    pub id: String,
    pub endpoint_id: &'a str,
    pub org_id: &'a str,
    pub message_id: &'a str,
    pub event_type: &'a str,
    pub body: &'a str,
    pub now: i64,
}

/// Many deliveries, due at once, in one statement per 100.
pub async fn insert_deliveries(conn: &mut super::Conn, deliveries: &[NewDelivery<'_>]) -> Result<()> {
    on!(conn, |conn| {
        for chunk in deliveries.chunks(100) {
            let mut sql = Sql::new(
                "INSERT INTO webhook_deliveries (id, endpoint_id, org_id, message_id, event_type, body, status, attempts, \
                 created_at, next_attempt_at) VALUES ",
            );
            sql.values(chunk.iter().map(|d| {
                [
                    Bind::from(d.id.as_str()),
                    Bind::from(d.endpoint_id),
                    Bind::from(d.org_id),
                    Bind::from(d.message_id),
                    Bind::from(d.event_type),
                    Bind::from(d.body),
                    Bind::from("pending"),
                    Bind::from(0i64),
                    Bind::from(d.now),
                    Bind::from(d.now),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// A due delivery with what sending it needs from its endpoint.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DueDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub org_id: String,
    pub message_id: String,
    pub body: String,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub url: String,
    pub secret_generation: i64,
    pub previous_secret_until: Option<i64>,
    /// The endpoint went with its org: the delivery carries its own URL and
    /// secret generation, and no endpoint bookkeeping follows an attempt.
    pub endpoint_gone: bool,
}

/// Up to `limit` pending deliveries due at `now` to enabled endpoints, or
/// kept with their own URL when the org was deleted, the longest waiting
/// first.
pub async fn due(db: impl Executor<'_>, now: i64, limit: i64) -> Result<Vec<DueDelivery>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT d.id, d.endpoint_id, d.org_id, d.message_id, d.body, d.attempts, d.created_at, d.next_attempt_at, \
             COALESCE(e.url, d.url) AS url, COALESCE(e.secret_generation, d.secret_generation) AS secret_generation, \
             CASE WHEN e.id IS NULL THEN d.previous_secret_until ELSE e.previous_secret_until END AS previous_secret_until, \
             e.id IS NULL AS endpoint_gone \
             FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
             AND (e.enabled = 1 OR (e.id IS NULL AND d.url IS NOT NULL AND d.secret_generation IS NOT NULL)) \
             ORDER BY d.next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// Leases a delivery until `lease_until` if it is still pending and nobody
/// leased it since it was read (its `next_attempt_at` is still `seen`).
pub async fn lease(db: impl Executor<'_>, id: &str, seen: i64, lease_until: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND status = 'pending'",
        )
        .bind(lease_until)
        .bind(id)
        .bind(seen)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

pub struct NewAttempt<'a> {
    pub id: String,
    pub delivery_id: &'a str,
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<&'a str>,
    pub response_excerpt: Option<&'a str>,
}

pub async fn insert_attempt(db: impl Executor<'_>, a: &NewAttempt<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO webhook_attempts (id, delivery_id, attempt, at, status_code, duration_ms, error, response_excerpt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id.as_str())
        .bind(a.delivery_id)
        .bind(a.attempt)
        .bind(a.at)
        .bind(a.status_code)
        .bind(a.duration_ms)
        .bind(a.error)
        .bind(a.response_excerpt)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Records the outcome of an attempt: delivered, retry at `next_at`, or
/// given up (`status = 'failed'`).
pub async fn settle(
    db: impl Executor<'_>,
    id: &str,
    status: &str,
    attempts: i64,
    next_at: i64,
    delivered_at: Option<i64>,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, delivered_at = $4 WHERE id = $5",
        )
        .bind(status)
        .bind(attempts)
        .bind(next_at)
        .bind(delivered_at)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// A success ends the endpoint's run of failures.
pub async fn endpoint_succeeded(db: impl Executor<'_>, endpoint_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL")
            .bind(endpoint_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// A failure starts the endpoint's run of failures, or continues it.
pub async fn endpoint_failed(db: impl Executor<'_>, endpoint_id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE webhook_endpoints SET failing_since = $1 WHERE id = $2 AND failing_since IS NULL")
            .bind(at)
            .bind(endpoint_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Disables the endpoint if it is enabled and has failed without a success
/// since `cutoff`; answers its org and URL when this call disabled it.
pub async fn disable_failing(
    db: impl Executor<'_>,
    endpoint_id: &str,
    cutoff: i64,
    reason: &str,
    now: i64,
) -> Result<Option<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $1, updated_at = $2 \
             WHERE id = $3 AND enabled = 1 AND failing_since IS NOT NULL AND failing_since <= $4 RETURNING org_id, url",
        )
        .bind(reason)
        .bind(now)
        .bind(endpoint_id)
        .bind(cutoff)
        .fetch_optional(db)
        .await
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub message_id: String,
    pub event_type: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "SELECT id, endpoint_id, message_id, event_type, body, status, attempts, created_at, \
     next_attempt_at, delivered_at FROM webhook_deliveries";

/// An endpoint's newest deliveries.
pub async fn deliveries_of(db: impl Executor<'_>, endpoint_id: &str, limit: i64) -> Result<Vec<DeliveryRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{DELIVERY_COLUMNS} WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"))
            .bind(endpoint_id)
            .bind(limit)
            .fetch_all(db)
            .await
    })
}

pub async fn delivery(db: impl Executor<'_>, endpoint_id: &str, id: &str) -> Result<Option<DeliveryRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{DELIVERY_COLUMNS} WHERE endpoint_id = $1 AND id = $2"))
            .bind(endpoint_id)
            .bind(id)
            .fetch_optional(db)
            .await
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

/// The attempts of an endpoint's deliveries created since `since`, in order.
pub async fn attempts_of(db: impl Executor<'_>, endpoint_id: &str, since: i64) -> Result<Vec<AttemptRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT a.delivery_id, a.attempt, a.at, a.status_code, a.duration_ms, a.error, a.response_excerpt \
             FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
             WHERE d.endpoint_id = $1 AND d.created_at >= $2 ORDER BY a.at, a.attempt",
        )
        .bind(endpoint_id)
        .bind(since)
        .fetch_all(db)
        .await
    })
}

/// The org's owner's address and the org's name, for the notice that an
/// endpoint was disabled.
pub async fn owner_of(db: impl Executor<'_>, org_id: &str) -> Result<Option<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT u.email, o.name FROM memberships m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = m.org_id \
             WHERE m.org_id = $1 AND m.role = 'owner'",
        )
        .bind(org_id)
        .fetch_optional(db)
        .await
    })
}
