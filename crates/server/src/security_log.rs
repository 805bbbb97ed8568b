//! The security log: sign-ins, failed attempts, password resets and session
//! revocations of an account. The person reads their own, networks and
//! devices included; an org admin reads only the times of a member's
//! sign-ins. Written outside the change's transaction where the change has
//! none (a failed attempt writes nothing else).

use orgdesk_core::api::{MemberSignIns, Page, PageQuery, SecurityEvent, SecurityEventKind};
use orgdesk_core::Permission;

use crate::access::OrgAccess;
use crate::auth::{AuthUser, ClientMeta};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::state::AppState;
use crate::store::{self, Conn};
use crate::time::{now_ms, rfc3339};

/// How many sign-in times an admin sees per member.
const RECENT_SIGN_INS: i64 = 20;

pub async fn record(conn: &mut Conn, user_id: &str, kind: SecurityEventKind, meta: &ClientMeta) -> store::Result<()> {
    store::security_log::insert(conn, user_id, kind, now_ms(), meta.ip.as_deref(), meta.user_agent.as_deref()).await
}

/// [`record`] on a pool connection of its own.
pub async fn record_now(state: &AppState, user_id: &str, kind: SecurityEventKind, meta: &ClientMeta) -> ApiResult<()> {
    let mut conn = state.db.pool.acquire().await?;
    record(&mut conn, user_id, kind, meta).await?;
    Ok(())
}

/// My security log, newest first.
pub async fn mine(state: &AppState, user: &AuthUser, query: &PageQuery) -> ApiResult<Page<SecurityEvent>> {
    let limit = page_limit(query.limit)?;
    let (before_at, before_id): (i64, String) = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => decode_cursor(c)?,
        None => (i64::MAX, String::new()),
    };
    let mut rows = store::security_log::page(&state.db.pool, &user.user_id, before_at, &before_id, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(&(r.at, &r.id)))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| SecurityEvent {
            kind: SecurityEventKind::parse(&r.kind).unwrap_or(SecurityEventKind::SignIn),
            id: r.id,
            at: rfc3339(r.at),
            ip: r.ip,
            user_agent: r.user_agent,
            provider: r.provider,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// A member's sign-in times, for whoever may read the org's members.
pub async fn member_sign_ins(state: &AppState, access: &OrgAccess, member_id: &str) -> ApiResult<MemberSignIns> {
    access.require(Permission::MembersRead)?;
    if !store::memberships::is_member(&state.db.pool, &access.org_id, member_id).await? {
        return Err(ApiError::not_found("member"));
    }
    let times = store::security_log::sign_in_times(&state.db.pool, member_id, RECENT_SIGN_INS).await?;
    Ok(MemberSignIns {
        last_sign_in_at: times.first().copied().map(rfc3339),
        recent: times.into_iter().map(rfc3339).collect(),
    })
}
