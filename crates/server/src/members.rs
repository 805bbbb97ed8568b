//! Memberships: the keyset-paginated list, one member, role and status
//! changes, removal.

use orgdesk_core::api::{
    AuditAction, BulkChange, BulkMemberChange, BulkMemberResult, BulkMemberResults, BulkOutcome, Member, MemberQuery,
    MemberStatus, Page, UpdateMember,
};
use orgdesk_core::{validate, ErrorCode, Permission};
use serde_json::{json, Value};

use crate::access::{load_role, OrgAccess};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::error::{precondition_failed, ApiError, ApiResult};
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::store::{
    self,
    memberships::{MemberPage, MemberRow, SortKey},
    Conn,
};
use crate::time::rfc3339;

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Member {
        Member {
            user_id: r.user_id,
            email: r.email,
            name: r.name,
            role: r.role,
            status: MemberStatus::parse(&r.status).unwrap_or(MemberStatus::Disabled),
            joined_at: rfc3339(r.joined_at),
            last_active_at: r.last_active_at.map(rfc3339),
            timezone: r.timezone,
            version: r.version,
        }
    }
}

pub async fn list(db: &Db, access: &OrgAccess, query: &MemberQuery) -> ApiResult<Page<Member>> {
    access.require(Permission::MembersRead)?;
    let limit = page_limit(query.limit)?;
    let rows = store::memberships::page(db, &page_query(&access.org_id, query, limit)?).await?;
    let total = rows.len();
    let mut items = Vec::with_capacity(total);
    let mut last_key = None;
    for (member, key) in rows.into_iter().take(limit as usize) {
        last_key = Some(key);
        items.push(Member::from(member));
    }
    let next_cursor = (total as i64 > limit)
        .then(|| {
            let key = match last_key? {
                SortKey::Text(s) => Value::from(s),
                SortKey::Int(n) => Value::from(n),
            };
            items.last().map(|m: &Member| encode_cursor(&(&key, &m.user_id)))
        })
        .flatten();
    Ok(Page { items, next_cursor })
}

/// The page `query` asks for, reading `limit` members and one more (which
/// says whether a next page exists).
pub fn page_query<'a>(org_id: &'a str, query: &'a MemberQuery, limit: i64) -> ApiResult<MemberPage<'a>> {
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(cursor) => {
            let (key, id): (Value, String) = decode_cursor(cursor)?;
            let key = match key {
                Value::String(s) => SortKey::Text(s),
                Value::Number(n) if n.is_i64() => SortKey::Int(n.as_i64().unwrap_or_default()),
                _ => {
                    return Err(ApiError::invalid(
                        "cursor",
                        "This cursor belongs to another sort order; start again without a cursor.",
                    ))
                }
            };
            Some((key, id))
        }
    };
    Ok(MemberPage {
        org_id,
        search: query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase),
        role: query.role.as_deref(),
        status: query.status,
        sort: query.sort.unwrap_or_default(),
        desc: query.desc.unwrap_or(false),
        after,
        rows: limit + 1,
    })
}

pub async fn load_member(conn: &mut Conn, org_id: &str, user_id: &str) -> ApiResult<Member> {
    let row = store::memberships::member(conn, org_id, user_id).await?;
    row.map(Member::from).ok_or_else(|| ApiError::not_found("member"))
}

pub async fn get(db: &Db, access: &OrgAccess, user_id: &str) -> ApiResult<Member> {
    access.require(Permission::MembersRead)?;
    let mut conn = db.pool.acquire().await?;
    load_member(&mut conn, &access.org_id, user_id).await
}

fn owner_protected() -> ApiError {
    ApiError::new(
        ErrorCode::OwnerProtected,
        "The owner cannot be removed, disabled or demoted; transfer ownership first.",
    )
}

pub async fn update(
    db: &Db,
    access: &OrgAccess,
    user_id: &str,
    req: UpdateMember,
    if_match: Option<i64>,
    revoke_api_keys: bool,
) -> ApiResult<Member> {
    access.require(Permission::MembersUpdate)?;
    if req.role.is_none() && req.status.is_none() {
        return Err(ApiError::invalid("role", "Send a new role, a new status, or both."));
    }
    if revoke_api_keys && req.status != Some(MemberStatus::Disabled) {
        return Err(ApiError::invalid(
            "revoke_api_keys",
            "Revoking a member's API keys goes with disabling or removing them; send status \"disabled\".",
        ));
    }
    let mut tx = db.write().await?;
    let (member, _) = update_in(tx.conn(), access, user_id, &req, if_match).await?;
    if revoke_api_keys {
        crate::api_keys::revoke_created_by(tx.conn(), access, user_id).await?;
    }
    tx.commit().await?;
    Ok(member)
}

/// A role or status change inside the caller's transaction: the member
/// after it, and whether anything changed. Every check comes before the
/// first write, so a refusal leaves the transaction as it was.
async fn update_in(
    conn: &mut Conn,
    access: &OrgAccess,
    user_id: &str,
    req: &UpdateMember,
    if_match: Option<i64>,
) -> ApiResult<(Member, bool)> {
    if user_id == access.user_id && req.status == Some(MemberStatus::Disabled) {
        return Err(ApiError::invalid("status", "You cannot disable yourself; leave the organization instead."));
    }
    // The membership's row lock until commit (see orgs::lock_org): a change
    // without If-Match waits for a concurrent one and applies on top of it.
    store::memberships::lock(&mut *conn, &access.org_id, user_id).await?;
    let before = load_member(conn, &access.org_id, user_id).await?;
    if before.role == "owner" {
        return Err(owner_protected());
    }
    if let Some(expected) = if_match {
        if expected != before.version {
            return Err(precondition_failed());
        }
    }
    let current_perms = load_role(&mut *conn, &access.org_id, &before.role).await?;
    access.require_covers(&before.role, &current_perms)?;
    let role = match &req.role {
        Some(role) => {
            let role = role.trim().to_owned();
            let perms = load_role(&mut *conn, &access.org_id, &role).await?;
            access.require_covers(&role, &perms)?;
            role
        }
        None => before.role.clone(),
    };
    let status = req.status.unwrap_or(before.status);
    if !store::memberships::update(&mut *conn, &access.org_id, user_id, before.version, &role, status).await? {
        return Err(precondition_failed());
    }
    if role != before.role {
        let change = Change::new(AuditAction::MemberRoleChanged, Some(user_id))
            .before(json!({"role": before.role}))
            .after(json!({"role": role}));
        audit::record(&mut *conn, &access.org_id, &access.actor, change).await?;
    }
    if status != before.status {
        let action =
            if status == MemberStatus::Disabled { AuditAction::MemberDisabled } else { AuditAction::MemberEnabled };
        let change = Change::new(action, Some(user_id))
            .before(json!({"status": before.status}))
            .after(json!({"status": status}));
        audit::record(&mut *conn, &access.org_id, &access.actor, change).await?;
    }
    let member = load_member(conn, &access.org_id, user_id).await?;
    Ok((member, role != before.role || status != before.status))
}

/// Removes a member, and with `revoke_api_keys` the API keys they created
/// in the org (answering how many), in one transaction. Used by the
/// per-org endpoint and by the cross-org removal.
pub async fn remove(db: &Db, access: &OrgAccess, user_id: &str, revoke_api_keys: bool) -> ApiResult<usize> {
    access.require(Permission::MembersRemove)?;
    if revoke_api_keys {
        access.require(Permission::ApiKeysManage)?;
    }
    let mut tx = db.write().await?;
    remove_in(tx.conn(), access, user_id).await?;
    let revoked =
        if revoke_api_keys { crate::api_keys::revoke_created_by(tx.conn(), access, user_id).await? } else { 0 };
    tx.commit().await?;
    Ok(revoked)
}

/// A removal inside the caller's transaction; every check comes before the write.
async fn remove_in(conn: &mut Conn, access: &OrgAccess, user_id: &str) -> ApiResult<()> {
    if user_id == access.user_id {
        return Err(ApiError::invalid("user_id", "To remove yourself, leave the organization instead."));
    }
    let before = load_member(conn, &access.org_id, user_id).await?;
    if before.role == "owner" {
        return Err(owner_protected());
    }
    let perms = load_role(&mut *conn, &access.org_id, &before.role).await?;
    access.require_covers(&before.role, &perms)?;
    if !store::memberships::remove_unless_owner(&mut *conn, &access.org_id, user_id).await? {
        // Changed since it was read: removed meanwhile, or made the owner by a transfer.
        return Err(match load_member(&mut *conn, &access.org_id, user_id).await {
            Ok(_) => owner_protected(),
            Err(e) => e,
        });
    }
    let change = Change::new(AuditAction::MemberRemoved, Some(user_id))
        .before(json!({"email": before.email, "role": before.role}));
    audit::record(conn, &access.org_id, &access.actor, change).await?;
    Ok(())
}

/// The most members one bulk change may name.
pub const BULK_MAX: usize = 1000;

/// One change for many members, in one transaction: each member gets the
/// single operation's rules and audit event, and a refusal of one (the
/// owner, an unknown id, a role above the caller's) is reported for it
/// while the others go ahead.
///
/// With `revoke_api_keys`, removing or disabling a member also revokes the
/// API keys they created in the org, in that member's savepoint.
pub async fn bulk(
    db: &Db,
    access: &OrgAccess,
    req: BulkMemberChange,
    revoke_api_keys: bool,
) -> ApiResult<BulkMemberResults> {
    access.require(match req.change {
        BulkChange::Remove => Permission::MembersRemove,
        BulkChange::Role { .. } | BulkChange::Status { .. } => Permission::MembersUpdate,
    })?;
    let ends_access = matches!(req.change, BulkChange::Remove | BulkChange::Status { status: MemberStatus::Disabled });
    if revoke_api_keys && !ends_access {
        return Err(ApiError::invalid(
            "revoke_api_keys",
            "Revoking members' API keys goes with removing or disabling them.",
        ));
    }
    if revoke_api_keys {
        access.require(Permission::ApiKeysManage)?;
    }
    let mut seen = std::collections::HashSet::new();
    let user_ids: Vec<String> = req.user_ids.into_iter().filter(|id| seen.insert(id.clone())).collect();
    if user_ids.is_empty() || user_ids.len() > BULK_MAX {
        return Err(ApiError::invalid("user_ids", format!("Name 1 to {BULK_MAX} members.")));
    }
    let update = match &req.change {
        BulkChange::Role { role } => Some(UpdateMember { role: Some(role.trim().to_owned()), status: None }),
        BulkChange::Status { status } => Some(UpdateMember { role: None, status: Some(*status) }),
        BulkChange::Remove => None,
    };
    let mut tx = db.write().await?;
    let mut results = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        // Each member in a savepoint: a refusal the database makes (a role
        // deleted meanwhile) undoes only that member's change.
        store::savepoint(tx.conn(), "member").await?;
        let done = match &update {
            Some(change) => update_in(tx.conn(), access, &user_id, change, None).await.map(|(member, changed)| {
                (if changed { BulkOutcome::Changed } else { BulkOutcome::Unchanged }, Some(member))
            }),
            None => remove_in(tx.conn(), access, &user_id).await.map(|()| (BulkOutcome::Removed, None)),
        };
        let done = match done {
            Ok(result) if revoke_api_keys => {
                crate::api_keys::revoke_created_by(tx.conn(), access, &user_id).await.map(|_| result)
            }
            other => other,
        };
        match &done {
            Ok(_) => store::release_savepoint(tx.conn(), "member").await?,
            Err(_) => store::rollback_to_savepoint(tx.conn(), "member").await?,
        }
        results.push(match done {
            Ok((outcome, member)) => BulkMemberResult { user_id, outcome, member, code: None, message: None },
            // The database failing is not this member's answer: the whole change fails.
            Err(e) if matches!(e.code, ErrorCode::Internal | ErrorCode::Unavailable) => return Err(e),
            Err(e) => BulkMemberResult {
                user_id,
                outcome: BulkOutcome::Refused,
                member: None,
                code: Some(e.code),
                message: Some(e.detail),
            },
        });
    }
    tx.commit().await?;
    Ok(BulkMemberResults { results })
}

/// The user id behind an email, for cross-org lookups.
pub async fn user_id_by_email(db: &Db, email: &str) -> ApiResult<Option<String>> {
    let key = validate::email_key(email);
    Ok(store::accounts::id_by_email_key(&db.pool, &key).await?)
}
