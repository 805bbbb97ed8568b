//! The event log: the `events` table, written in the transaction of the
//! change (next to its audit event), read by the event stream and, through
//! the webhook outbox, by webhook delivery.

use super::on;
use super::{Executor, Result};
use crate::db::{Bind, Sql};

/// An event to record; `payload` is a JSON text.
pub struct NewEvent<'a> {
    pub id: String,
    pub org_id: &'a str,
    pub event_type: &'static str,
    pub payload: String,
    pub at: i64,
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct EventRow {
    pub id: String,
    pub org_id: String,
    #[sqlx(rename = "type")]
    pub event_type: String,
    pub payload: String,
    pub at: i64,
}

/// Many events, in one statement per 100.
pub async fn insert_many(conn: &mut super::Conn, events: &[NewEvent<'_>]) -> Result<()> {
    on!(conn, |conn| {
        for chunk in events.chunks(100) {
            let mut sql = Sql::new("INSERT INTO events (id, org_id, type, payload, at) VALUES ");
            sql.values(chunk.iter().map(|e| {
                [
                    Bind::from(e.id.as_str()),
                    Bind::from(e.org_id),
                    Bind::from(e.event_type),
                    Bind::from(e.payload.as_str()),
                    Bind::from(e.at),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// One event by id.
pub async fn get(db: impl Executor<'_>, id: &str) -> Result<Option<EventRow>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, org_id, type, payload, at FROM events WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await
    })
}

/// An org's events, oldest first, after the event `after` (its `(at, id)`).
pub async fn of_org_after(
    db: impl Executor<'_>,
    org_id: &str,
    after: (i64, &str),
    limit: i64,
) -> Result<Vec<EventRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, org_id, type, payload, at FROM events WHERE org_id = $1 AND (at > $2 OR (at = $2 AND id > $3)) \
             ORDER BY at, id LIMIT $4",
        )
        .bind(org_id)
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// Every org's events, oldest first, after `(at, id)`.
pub async fn after(db: impl Executor<'_>, after: (i64, &str), limit: i64) -> Result<Vec<EventRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, org_id, type, payload, at FROM events WHERE at > $1 OR (at = $1 AND id > $2) ORDER BY at, id LIMIT $3",
        )
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// Every org's events at or after `since`, oldest first (the stream's poll
/// reads a window, so events that commit late are still seen).
pub async fn since(db: impl Executor<'_>, since: i64, limit: i64) -> Result<Vec<EventRow>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, org_id, type, payload, at FROM events WHERE at >= $1 ORDER BY at, id LIMIT $2")
            .bind(since)
            .bind(limit)
            .fetch_all(db)
            .await
    })
}

/// The events of these orgs after `(at, id)`, oldest first.
pub async fn of_orgs_after(
    db: impl Executor<'_>,
    org_ids: &[&str],
    after: (i64, &str),
    limit: i64,
) -> Result<Vec<EventRow>> {
    on!(db, |db| {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT id, org_id, type, payload, at FROM events WHERE org_id IN (");
        for (i, org_id) in org_ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*org_id);
        }
        sql.push(") AND (at > ")
            .bind(after.0)
            .push(" OR (at = ")
            .bind(after.0)
            .push(" AND id > ")
            .bind(after.1)
            .push(")) ORDER BY at, id LIMIT ")
            .bind(limit);
        sql.query_as().fetch_all(db).await
    })
}

/// Deletes events older than `cutoff`; answers how many.
pub async fn delete_before(db: impl Executor<'_>, cutoff: i64) -> Result<u64> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM events WHERE at < $1").bind(cutoff).execute(db).await?;
        Ok(done.rows_affected())
    })
}

/// An invitation whose expiry the janitor noticed.
#[derive(sqlx::FromRow)]
pub struct ExpiredInvitation {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
}

/// Marks up to `limit` unanswered invitations that expired by `now` and have
/// no `invitation.expired` event yet, and answers them: one statement, so of
/// two janitors (replicas) only one gets each invitation.
pub async fn claim_expired_invitations(db: impl Executor<'_>, now: i64, limit: i64) -> Result<Vec<ExpiredInvitation>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE invitations SET expiry_event_at = $1 WHERE id IN (\
                 SELECT id FROM invitations WHERE expiry_event_at IS NULL AND expires_at <= $1 \
                 AND status IN ('pending', 'expired') ORDER BY expires_at LIMIT $2) \
             AND expiry_event_at IS NULL RETURNING id, org_id, email, role, expires_at",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(db)
        .await
    })
}
