//! The email outbox: emails are written in the transaction of the change that
//! needs them and delivered by a background worker over SMTP with retries.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use orgdesk_core::api::OutboxEmail;

use crate::db::Db;
use crate::state::AppState;
use crate::store::{
    self,
    outbox::{HtmlParts, OutboxRow},
    Conn,
};
use crate::time::{now_ms, rfc3339, HOUR, MINUTE, SECOND};

pub const MAX_ATTEMPTS: i64 = 10;

pub use crate::store::outbox::Email;

pub async fn enqueue(conn: &mut Conn, email: Email) -> store::Result<()> {
    store::outbox::insert(conn, &email, now_ms()).await
}

/// Many emails in one statement per 100.
pub async fn enqueue_many(conn: &mut Conn, emails: Vec<Email>) -> store::Result<()> {
    store::outbox::insert_many(conn, &emails, now_ms()).await
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
pub async fn list(db: &Db, to: Option<&str>, limit: i64) -> store::Result<Vec<OutboxEmail>> {
    let rows = store::outbox::newest(&db.pool, to, limit).await?;
    Ok(rows.into_iter().map(OutboxEmail::from).collect())
}

/// Deletes emails sent more than `older_than_ms` ago: their links are live
/// tokens, and nothing reads a sent email again.
pub async fn prune_sent(conn: &mut Conn, older_than_ms: i64) -> store::Result<u64> {
    store::outbox::delete_sent_before(conn, now_ms() - older_than_ms).await
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
) -> store::Result<usize> {
    let now = now_ms();
    let due = store::outbox::due(&state.db.pool, MAX_ATTEMPTS, now).await?;
    let mut sent = 0;
    for row in due {
        if !store::outbox::lease(&state.db.pool, &row.id, row.next_attempt_at, now + 5 * MINUTE).await? {
            continue;
        }
        let parts = store::outbox::html_parts(&state.db.pool, &row.id).await?;
        match send_one(transport, from, &row, &parts).await {
            Ok(()) => {
                store::outbox::mark_sent(&state.db.pool, &row.id, now_ms()).await?;
                state.metrics.count("orgdesk_emails_sent_total");
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email_id = %row.id, attempts = row.attempts + 1, %error, "email delivery failed; will retry");
                let error: String = error.chars().take(500).collect();
                store::outbox::mark_failed(&state.db.pool, &row.id, &error, now_ms() + backoff_ms(row.attempts + 1))
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
    parts: &HtmlParts,
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
