//! The email outbox: the `outbox` table, written in the transaction of the
//! change that needs an email, read by the delivery worker.

use super::on;
use super::{Executor, Result};
use crate::db::{Bind, Sql};
use crate::time::new_id;

/// An email: plain text, optionally an HTML alternative, optionally an
/// organization whose logo the HTML shows (`cid:logo`, attached when sent).
/// Build them with `emails::compose`.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    pub logo_org_id: Option<String>,
}

/// Queues an email, due at once.
pub async fn insert(db: impl Executor<'_>, email: &Email, now: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO outbox (id, to_email, subject, body, created_at, attempts, next_attempt_at, html_body, logo_org_id) \
             VALUES ($1, $2, $3, $4, $5, 0, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(email.to.as_str())
        .bind(email.subject.as_str())
        .bind(email.body.as_str())
        .bind(now)
        .bind(email.html.as_deref())
        .bind(email.logo_org_id.as_deref())
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Many emails, in one statement per 100.
pub async fn insert_many(conn: &mut super::Conn, emails: &[Email], now: i64) -> Result<()> {
    on!(conn, |conn| {
        for chunk in emails.chunks(100) {
            let mut sql = Sql::new(
                "INSERT INTO outbox (id, to_email, subject, body, created_at, attempts, next_attempt_at, html_body, logo_org_id) VALUES ",
            );
            sql.values(chunk.iter().map(|e| {
                [
                    Bind::from(new_id()),
                    Bind::from(e.to.as_str()),
                    Bind::from(e.subject.as_str()),
                    Bind::from(e.body.as_str()),
                    Bind::from(now),
                    Bind::from(0i64),
                    Bind::from(now),
                    Bind::from(e.html.clone()),
                    Bind::from(e.logo_org_id.clone()),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

#[derive(sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
}

/// The parts of an email only delivery needs: its HTML and the org's logo.
#[derive(sqlx::FromRow)]
pub struct HtmlParts {
    pub html_body: Option<String>,
    pub logo_type: Option<String>,
    pub logo_data: Option<String>,
}

/// The newest emails, to `to` (any case) or to anyone.
pub async fn newest(db: impl Executor<'_>, to: Option<&str>, limit: i64) -> Result<Vec<OutboxRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, to_email, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at FROM outbox \
             WHERE ($1 = '' OR LOWER(to_email) = LOWER($1)) ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(to.unwrap_or(""))
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// Deletes emails sent before `cutoff`; answers how many.
pub async fn delete_sent_before(db: impl Executor<'_>, cutoff: i64) -> Result<u64> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1")
            .bind(cutoff)
            .execute(db)
            .await?;
        Ok(done.rows_affected())
    })
}

/// Up to 20 unsent emails due at `now` with fewer than `max_attempts` tries,
/// the longest waiting first.
pub async fn due(db: impl Executor<'_>, max_attempts: i64, now: i64) -> Result<Vec<OutboxRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, to_email, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at FROM outbox \
             WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT 20",
        )
        .bind(max_attempts)
        .bind(now)
        .fetch_all(db)
        .await
    })
}

/// Leases an email until `lease_until`, if it is still unsent and nobody
/// leased it since it was read (its `next_attempt_at` is still `seen`).
pub async fn lease(db: impl Executor<'_>, id: &str, seen: i64, lease_until: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
        )
        .bind(lease_until)
        .bind(id)
        .bind(seen)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

pub async fn html_parts(db: impl Executor<'_>, id: &str) -> Result<HtmlParts> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT x.html_body, o.logo_type, o.logo_data FROM outbox x LEFT JOIN orgs o ON o.id = x.logo_org_id WHERE x.id = $1",
        )
        .bind(id)
        .fetch_one(db)
        .await
    })
}

pub async fn mark_sent(db: impl Executor<'_>, id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Counts a failed attempt and when to try again.
pub async fn mark_failed(db: impl Executor<'_>, id: &str, error: &str, retry_at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(error)
            .bind(retry_at)
            .bind(id)
            .execute(db)
            .await
            .map(|_| ())
    })
}
