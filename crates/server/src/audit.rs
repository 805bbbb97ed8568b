//! The audit trail: one event per change, written in the change's transaction.

use orgdesk_core::api::{AuditAction, AuditEvent, AuditQuery, Page};
use orgdesk_core::Permission;
use serde_json::Value;
use sqlx::AnyConnection;

use crate::access::OrgAccess;
use crate::auth::Actor;
use crate::db::{Bind, Db, Sql};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::time::{new_id, now_ms, parse_rfc3339, rfc3339};

/// The change an event records.
pub struct Change<'a> {
    pub action: AuditAction,
    pub target: Option<&'a str>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Change<'a> {
    pub fn new(action: AuditAction, target: Option<&'a str>) -> Change<'a> {
        Change { action, target, before: None, after: None }
    }

    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }
}

pub async fn record(
    conn: &mut AnyConnection,
    org_id: &str,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (id, org_id, actor_id, action, target, before_data, after_data, at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(org_id)
    .bind(actor.user_id.as_deref())
    .bind(change.action.as_str())
    .bind(change.target)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .bind(now_ms())
    .bind(actor.meta.ip.as_deref())
    .bind(actor.meta.user_agent.as_deref())
    .execute(conn)
    .await
    .map(|_| ())
}

/// Many events of one actor in one org, in one statement per 100.
pub async fn record_many(
    conn: &mut AnyConnection,
    org_id: &str,
    actor: &Actor,
    changes: Vec<Change<'_>>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for chunk in changes.chunks(100) {
        let mut sql = Sql::new(
            "INSERT INTO audit_events (id, org_id, actor_id, action, target, before_data, after_data, at, ip, user_agent) VALUES ",
        );
        sql.values(chunk.iter().map(|change| {
            [
                Bind::from(new_id()),
                Bind::from(org_id),
                Bind::from(actor.user_id.clone()),
                Bind::from(change.action.as_str()),
                Bind::from(change.target),
                Bind::from(change.before.as_ref().map(|v| v.to_string())),
                Bind::from(change.after.as_ref().map(|v| v.to_string())),
                Bind::from(now),
                Bind::from(actor.meta.ip.clone()),
                Bind::from(actor.meta.user_agent.clone()),
            ]
        }));
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    org_id: String,
    actor_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    target: Option<String>,
    before_data: Option<String>,
    after_data: Option<String>,
    at: i64,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl From<EventRow> for AuditEvent {
    fn from(r: EventRow) -> AuditEvent {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEvent {
            id: r.id,
            org_id: r.org_id,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            target: r.target,
            before: parse(r.before_data),
            after: parse(r.after_data),
            at: rfc3339(r.at),
            ip: r.ip,
            user_agent: r.user_agent,
        }
    }
}

/// Newest first, keyset-paginated on (at, id).
pub async fn list(db: &Db, access: &OrgAccess, query: &AuditQuery) -> ApiResult<Page<AuditEvent>> {
    access.require(Permission::AuditRead)?;
    let limit = page_limit(query.limit)?;
    let mut sql = Sql::new(
        "SELECT e.id, e.org_id, e.actor_id, u.name AS actor_name, e.action, e.target, e.before_data, e.after_data, \
                e.at, e.ip, e.user_agent \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.org_id = ",
    );
    sql.bind(access.org_id.as_str());
    if let Some(action) = &query.action {
        sql.push(" AND e.action = ").bind(action.as_str());
    }
    if let Some(actor) = &query.actor {
        sql.push(" AND e.actor_id = ").bind(actor.as_str());
    }
    if let Some(target) = &query.target {
        sql.push(" AND e.target = ").bind(target.as_str());
    }
    if let Some(since) = &query.since {
        let ms = parse_rfc3339(since).ok_or_else(|| {
            ApiError::invalid("since", format!("\"{since}\" is not an RFC 3339 time such as 2026-01-31T12:00:00Z."))
        })?;
        sql.push(" AND e.at >= ").bind(ms);
    }
    if let Some(until) = &query.until {
        let ms = parse_rfc3339(until).ok_or_else(|| {
            ApiError::invalid("until", format!("\"{until}\" is not an RFC 3339 time such as 2026-01-31T12:00:00Z."))
        })?;
        sql.push(" AND e.at < ").bind(ms);
    }
    if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
        let (at, id): (i64, String) = decode_cursor(cursor)?;
        sql.push(" AND (e.at < ").bind(at).push(" OR (e.at = ").bind(at).push(" AND e.id < ").bind(id).push("))");
    }
    sql.push(" ORDER BY e.at DESC, e.id DESC LIMIT ").bind(limit + 1);
    let read = db.read(&sql, |r| {
        Ok(EventRow {
            id: r.get("id")?,
            org_id: r.get("org_id")?,
            actor_id: r.get("actor_id")?,
            actor_name: r.get("actor_name")?,
            action: r.get("action")?,
            target: r.get("target")?,
            before_data: r.get("before_data")?,
            after_data: r.get("after_data")?,
            at: r.get("at")?,
            ip: r.get("ip")?,
            user_agent: r.get("user_agent")?,
        })
    });
    let mut rows: Vec<EventRow> = match read.await {
        Some(rows) => rows?,
        None => sql.query_as().fetch_all(&db.pool).await?,
    };
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(&(r.at, &r.id)))
    } else {
        None
    };
    Ok(Page { items: rows.into_iter().map(AuditEvent::from).collect(), next_cursor })
}

/// Every matching event as CSV, newest first.
pub async fn export_csv(db: &Db, access: &OrgAccess, query: &AuditQuery) -> ApiResult<String> {
    // The export is every matching event; a limit is checked like the list's
    // so a bad one is refused, not silently ignored.
    page_limit(query.limit)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| {
        tracing::error!(error = %e, "csv export");
        ApiError::internal()
    };
    writer
        .write_record(["time", "action", "actor_id", "actor_name", "target", "before", "after", "ip", "user_agent"])
        .map_err(csv_err)?;
    let mut page_query = AuditQuery { limit: Some(200), cursor: None, ..query.clone() };
    loop {
        let page = list(db, access, &page_query).await?;
        for e in &page.items {
            let json = |v: &Option<Value>| v.as_ref().map(Value::to_string).unwrap_or_default();
            writer
                .write_record([
                    e.at.as_str(),
                    &e.action,
                    e.actor_id.as_deref().unwrap_or(""),
                    e.actor_name.as_deref().unwrap_or(""),
                    e.target.as_deref().unwrap_or(""),
                    &json(&e.before),
                    &json(&e.after),
                    e.ip.as_deref().unwrap_or(""),
                    e.user_agent.as_deref().unwrap_or(""),
                ])
                .map_err(csv_err)?;
        }
        match page.next_cursor {
            Some(c) => page_query.cursor = Some(c),
            None => break,
        }
    }
    let bytes = writer.into_inner().map_err(|e| csv_err(e.into_error().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
