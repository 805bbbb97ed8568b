//! The email outbox: emails are written in the transaction of the change that
//! needs them and delivered by a background worker over SMTP with retries.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use orgdesk_core::api::OutboxEmail;
use sqlx::AnyConnection;

use crate::db::Db;
use crate::state::AppState;
use crate::time::{new_id, now_ms, rfc3339, HOUR, MINUTE, SECOND};

pub const MAX_ATTEMPTS: i64 = 10;

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

pub async fn enqueue(conn: &mut AnyConnection, email: Email) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO outbox (id, to_email, subject, body, created_at, attempts, next_attempt_at, html_body, logo_org_id) \
         VALUES ($1, $2, $3, $4, $5, 0, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(email.to)
    .bind(email.subject)
    .bind(email.body)
    .bind(now)
    .bind(email.html)
    .bind(email.logo_org_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Many emails in one statement per 100.
pub async fn enqueue_many(conn: &mut AnyConnection, emails: Vec<Email>) -> Result<(), sqlx::Error> {
    use crate::db::{Bind, Sql};
    let now = now_ms();
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
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: String,
    to_email: String,
    subject: String,
    body: String,
    created_at: i64,
    sent_at: Option<i64>,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: i64,
}

#[derive(sqlx::FromRow)]
struct Parts {
    html_body: Option<String>,
    logo_type: Option<String>,
    logo_data: Option<String>,
}

impl From<OutboxRow> for OutboxEmail {
    fn from(r: OutboxRow) -> OutboxEmail {
        OutboxEmail {
            id: r.id,
            to: r.to_email,
            subject: r.subject,
            body: r.body,
            created_at: rfc3339(r.created_at),
            sent_at: r.sent_at.map(rfc3339),
            attempts: r.attempts,
            last_error: r.last_error,
        }
    }
}

/// The newest emails, optionally only those to one address.
pub async fn list(db: &Db, to: Option<&str>, limit: i64) -> Result<Vec<OutboxEmail>, sqlx::Error> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, to_email, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at FROM outbox \
         WHERE ($1 = '' OR LOWER(to_email) = LOWER($1)) ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(to.unwrap_or(""))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(OutboxEmail::from).collect())
}

/// Deletes emails sent more than `older_than_ms` ago: their links are live
/// tokens, and nothing reads a sent email again.
pub async fn prune_sent(conn: &mut AnyConnection, older_than_ms: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1")
        .bind(crate::time::now_ms() - older_than_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Retry delay after `attempts` failures: 2 s, 4 s, 8 s … capped at an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    (SECOND << attempts.clamp(1, 20)).min(HOUR)
}

/// Delivers due emails until the process stops. Each email is claimed with a
/// lease first, so replicas sharing a database do not send it twice.
pub async fn run_mailer(state: AppState, smtp_url: String, from: Mailbox) {
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp_url) {
        Ok(builder) => builder.timeout(Some(Duration::from_secs(20))).build(),
        Err(e) => {
            tracing::error!(error = %e, "the --smtp-url is not usable; emails stay in the outbox");
            return;
        }
    };
    loop {
        match deliver_due(&state, &transport, &from).await {
            Ok(0) => {
                let _ = tokio::time::timeout(Duration::from_secs(2), state.mail_queued.notified()).await;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "outbox scan failed");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

async fn deliver_due(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let due: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, to_email, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at FROM outbox \
         WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT 20",
    )
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?;
    let mut sent = 0;
    for row in due {
        let claimed = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
        )
        .bind(now + 5 * MINUTE)
        .bind(&row.id)
        .bind(row.next_attempt_at)
        .execute(&state.db.pool)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let parts: Parts = sqlx::query_as(
            "SELECT x.html_body, o.logo_type, o.logo_data FROM outbox x LEFT JOIN orgs o ON o.id = x.logo_org_id WHERE x.id = $1",
        )
        .bind(&row.id)
        .fetch_one(&state.db.pool)
        .await?;
        match send_one(transport, from, &row, &parts).await {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                    .bind(now_ms())
                    .bind(&row.id)
                    .execute(&state.db.pool)
                    .await?;
                state.metrics.count("orgdesk_emails_sent_total");
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email_id = %row.id, attempts = row.attempts + 1, %error, "email delivery failed; will retry");
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
                )
                .bind(error.chars().take(500).collect::<String>())
                .bind(now_ms() + backoff_ms(row.attempts + 1))
                .bind(&row.id)
                .execute(&state.db.pool)
                .await?;
                state.metrics.count("orgdesk_email_failures_total");
            }
        }
    }
    Ok(sent)
}

async fn send_one(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    row: &OutboxRow,
    parts: &Parts,
) -> Result<(), String> {
    use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};
    let to: Mailbox = row.to_email.parse().map_err(|e| format!("bad recipient: {e}"))?;
    let builder = Message::builder().from(from.clone()).to(to).subject(row.subject.clone());
    let message = match &parts.html_body {
        None => builder.body(row.body.clone()),
        Some(html) => {
            let html_part = SinglePart::html(html.clone());
            let logo = match (&parts.logo_type, &parts.logo_data) {
                (Some(kind), Some(data)) => {
                    use base64::Engine;
                    let bytes = base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| e.to_string())?;
                    let kind = ContentType::parse(kind).map_err(|e| e.to_string())?;
                    Some(Attachment::new_inline("logo".to_owned()).body(bytes, kind))
                }
                _ => None,
            };
            // Without a logo the HTML's cid:logo image is simply absent.
            let html_side = match logo {
                Some(logo) => MultiPart::related().singlepart(html_part).singlepart(logo),
                None => MultiPart::related().singlepart(html_part),
            };
            builder.multipart(
                MultiPart::alternative().singlepart(SinglePart::plain(row.body.clone())).multipart(html_side),
            )
        }
    }
    .map_err(|e| e.to_string())?;
    transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff_ms(1), 2_000);
        assert_eq!(super::backoff_ms(3), 8_000);
        assert_eq!(super::backoff_ms(30), super::HOUR);
    }
}
