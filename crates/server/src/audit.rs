//! The audit trail: one event per change, written in the change's
//! transaction, together with the change's domain events (`crate::events`).

use orgdesk_core::api::{AuditAction, AuditEvent, AuditQuery, Page};
use orgdesk_core::Permission;
use serde_json::Value;

use crate::access::OrgAccess;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::store::{
    self,
    audit::{EventPage, EventRow, NewEvent},
    Conn,
};
use crate::time::{now_ms, parse_rfc3339, rfc3339};

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

impl Change<'_> {
    fn event<'a>(&'a self, org_id: &'a str, actor: &'a Actor, at: i64) -> NewEvent<'a> {
        NewEvent {
            org_id,
            actor_id: actor.user_id.as_deref(),
            actor_label: actor.label.as_deref(),
            via_relationship_id: actor.via_relationship.as_deref(),
            action: self.action,
            target: self.target,
            before: self.before.as_ref().map(Value::to_string),
            after: self.after.as_ref().map(Value::to_string),
            at,
            ip: actor.meta.ip.as_deref(),
            user_agent: actor.meta.user_agent.as_deref(),
        }
    }

    fn domain_events<'a>(&self, org_id: &'a str, at: i64) -> Vec<crate::store::events::NewEvent<'a>> {
        events::for_audit(org_id, self.action, self.target, self.before.as_ref(), self.after.as_ref(), at)
    }
}

/// Records the change's audit event and its domain events.
pub async fn record(conn: &mut Conn, org_id: &str, actor: &Actor, change: Change<'_>) -> store::Result<()> {
    let now = now_ms();
    store::audit::insert(&mut *conn, &change.event(org_id, actor, now)).await?;
    events::record(conn, &change.domain_events(org_id, now)).await
}

/// Many events of one actor in one org, in one statement per 100.
pub async fn record_many(conn: &mut Conn, org_id: &str, actor: &Actor, changes: Vec<Change<'_>>) -> store::Result<()> {
    let now = now_ms();
    let audit_events: Vec<NewEvent<'_>> = changes.iter().map(|change| change.event(org_id, actor, now)).collect();
    store::audit::insert_many(conn, &audit_events).await?;
    let domain_events: Vec<_> = changes.iter().flat_map(|change| change.domain_events(org_id, now)).collect();
    events::record(conn, &domain_events).await
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
    let time = |field: &str, value: &Option<String>| match value {
        None => Ok(None),
        Some(text) => parse_rfc3339(text).map(Some).ok_or_else(|| {
            ApiError::invalid(field, format!("\"{text}\" is not an RFC 3339 time such as 2026-01-31T12:00:00Z."))
        }),
    };
    let since = time("since", &query.since)?;
    let until = time("until", &query.until)?;
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(decode_cursor::<(i64, String)>(cursor)?),
        None => None,
    };
    let page = EventPage {
        org_id: &access.org_id,
        action: query.action.as_deref(),
        actor_id: query.actor.as_deref(),
        target: query.target.as_deref(),
        since,
        until,
        before,
        rows: limit + 1,
        partner_relationship: access.delegation.as_ref().map(|d| d.relationship_id.as_str()),
    };
    let mut rows = store::audit::page(db, &page).await?;
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
