//! The audit trail: the `audit_events` table.

use super::on;
use orgdesk_core::api::AuditAction;

use super::{Executor, Result};
use crate::db::{Bind, Db, Sql};
use crate::time::new_id;

/// An event to record; `before` and `after` are JSON texts.
pub struct NewEvent<'a> {
    pub org_id: &'a str,
    pub actor_id: Option<&'a str>,
    /// Who acted when it was not a person ("API key <name>").
    pub actor_label: Option<&'a str>,
    /// The partner relationship the actor acted through, if any.
    pub via_relationship_id: Option<&'a str>,
    pub action: AuditAction,
    pub target: Option<&'a str>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(db: impl Executor<'_>, event: &NewEvent<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO audit_events (id, org_id, actor_id, action, target, before_data, after_data, at, ip, user_agent, \
             actor_label, via_relationship_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id())
        .bind(event.org_id)
        .bind(event.actor_id)
        .bind(event.action.as_str())
        .bind(event.target)
        .bind(event.before.as_deref())
        .bind(event.after.as_deref())
        .bind(event.at)
        .bind(event.ip)
        .bind(event.user_agent)
        .bind(event.actor_label)
        .bind(event.via_relationship_id)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Many events, in one statement per 100.
pub async fn insert_many(conn: &mut super::Conn, events: &[NewEvent<'_>]) -> Result<()> {
    on!(conn, |conn| {
        for chunk in events.chunks(100) {
            let mut sql = Sql::new(
                "INSERT INTO audit_events (id, org_id, actor_id, action, target, before_data, after_data, at, ip, user_agent, \
                 actor_label, via_relationship_id) VALUES ",
            );
            sql.values(chunk.iter().map(|e| {
                [
                    Bind::from(new_id()),
                    Bind::from(e.org_id),
                    Bind::from(e.actor_id),
                    Bind::from(e.action.as_str()),
                    Bind::from(e.target),
                    Bind::from(e.before.clone()),
                    Bind::from(e.after.clone()),
                    Bind::from(e.at),
                    Bind::from(e.ip),
                    Bind::from(e.user_agent),
                    Bind::from(e.actor_label),
                    Bind::from(e.via_relationship_id),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub org_id: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub before_data: Option<String>,
    pub after_data: Option<String>,
    pub at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One page of an org's events, newest first, keyset-paginated on (at, id).
pub struct EventPage<'a> {
    pub org_id: &'a str,
    pub action: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    /// What the events are about (a member's user id, an invitation, a role key).
    pub target: Option<&'a str>,
    /// Inclusive lower bound of `at`.
    pub since: Option<i64>,
    /// Exclusive upper bound of `at`.
    pub until: Option<i64>,
    /// The last event of the previous page.
    pub before: Option<(i64, String)>,
    /// How many rows to read.
    pub rows: i64,
    /// For a caller acting through a partner relationship: the partner
    /// entries of this relationship only, and no action taken through
    /// another one (another partner's people).
    pub partner_relationship: Option<&'a str>,
}

/// The page's events (SQLite's read path).
pub async fn page(db: &Db, page: &EventPage<'_>) -> Result<Vec<EventRow>> {
    let mut sql = Sql::new(
        "SELECT e.id, e.org_id, e.actor_id, COALESCE(e.actor_label, u.name) AS actor_name, e.action, e.target, e.before_data, e.after_data, \
                e.at, e.ip, e.user_agent \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.org_id = ",
    );
    sql.bind(page.org_id);
    if let Some(action) = page.action {
        sql.push(" AND e.action = ").bind(action);
    }
    if let Some(actor) = page.actor_id {
        sql.push(" AND e.actor_id = ").bind(actor);
    }
    if let Some(target) = page.target {
        sql.push(" AND e.target = ").bind(target);
    }
    if let Some(relationship) = page.partner_relationship {
        sql.push(" AND (e.action NOT LIKE 'partner.%' OR e.target = ").bind(relationship).push(")");
        sql.push(" AND (e.via_relationship_id IS NULL OR e.via_relationship_id = ").bind(relationship).push(")");
    }
    if let Some(since) = page.since {
        sql.push(" AND e.at >= ").bind(since);
    }
    if let Some(until) = page.until {
        sql.push(" AND e.at < ").bind(until);
    }
    if let Some((at, id)) = &page.before {
        sql.push(" AND (e.at < ")
            .bind(*at)
            .push(" OR (e.at = ")
            .bind(*at)
            .push(" AND e.id < ")
            .bind(id.as_str())
            .push("))");
    }
    sql.push(" ORDER BY e.at DESC, e.id DESC LIMIT ").bind(page.rows);
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
    match read.await {
        Some(rows) => rows,
        None => on!(&db.pool, |e| sql.query_as().fetch_all(e).await),
    }
}
