//! Memberships: the keyset-paginated list, one member, role and status
//! changes, removal.

use orgdesk_core::api::{AuditAction, Member, MemberQuery, MemberSort, MemberStatus, Page, UpdateMember};
use orgdesk_core::{validate, ErrorCode, Permission};
use serde_json::{json, Value};
use sqlx::AnyConnection;

use crate::access::{load_role, OrgAccess};
use crate::audit::{self, Change};
use crate::db::{Db, Sql};
use crate::error::{precondition_failed, ApiError, ApiResult};
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::time::rfc3339;

#[derive(sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
    pub joined_at: i64,
    pub last_active_at: Option<i64>,
    pub version: i64,
}

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
            version: r.version,
        }
    }
}

/// Adds a membership; `sort_name` copies the user's name for the name order.
pub async fn insert_membership(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    role: &str,
    joined_at: i64,
) -> Result<(), sqlx::Error> {
    let name: String =
        sqlx::query_scalar("SELECT name FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, status, joined_at, sort_name) \
         VALUES ($1, $2, $3, 'active', $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(role)
    .bind(joined_at)
    .bind(name.to_lowercase())
    .execute(conn)
    .await
    .map(|_| ())
}

pub const MEMBER_COLUMNS: &str =
    "m.user_id, u.email, u.name, m.role, m.status, m.joined_at, m.last_active_at, m.version";

pub async fn list(db: &Db, access: &OrgAccess, query: &MemberQuery) -> ApiResult<Page<Member>> {
    access.require(Permission::MembersRead)?;
    let limit = page_limit(query.limit)?;
    let sort = query.sort.unwrap_or_default();
    let sql = list_sql(&access.org_id, query, limit)?;
    let by_name = sort == MemberSort::Name;
    let read = db.read(&sql, move |r| {
        let key = if by_name {
            Value::from(r.get::<_, String>("sort_key")?)
        } else {
            Value::from(r.get::<_, i64>("sort_key")?)
        };
        let member = MemberRow {
            user_id: r.get("user_id")?,
            email: r.get("email")?,
            name: r.get("name")?,
            role: r.get("role")?,
            status: r.get("status")?,
            joined_at: r.get("joined_at")?,
            last_active_at: r.get("last_active_at")?,
            version: r.get("version")?,
        };
        Ok((member, key))
    });
    let rows: Vec<(MemberRow, Value)> = match read.await {
        Some(rows) => rows?,
        None => {
            use sqlx::{FromRow, Row};
            let mut out = Vec::new();
            for row in sql.query().fetch_all(&db.pool).await? {
                let key = if by_name {
                    Value::from(row.try_get::<String, _>("sort_key")?)
                } else {
                    Value::from(row.try_get::<i64, _>("sort_key")?)
                };
                out.push((MemberRow::from_row(&row)?, key));
            }
            out
        }
    };
    let total = rows.len();
    let mut items = Vec::with_capacity(total);
    let mut last_key = Value::Null;
    for (member, key) in rows.into_iter().take(limit as usize) {
        last_key = key;
        items.push(Member::from(member));
    }
    let next_cursor = (total as i64 > limit)
        .then(|| items.last().map(|m: &Member| encode_cursor(&(&last_key, &m.user_id))))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// The statement of one member page (public for the query-plan tests).
pub fn list_sql(org_id: &str, query: &MemberQuery, limit: i64) -> ApiResult<Sql> {
    let sort = query.sort.unwrap_or_default();
    let desc = query.desc.unwrap_or(false);
    let sort_expr = match sort {
        MemberSort::Name => "m.sort_name",
        MemberSort::Joined => "m.joined_at",
        MemberSort::LastActive => "COALESCE(m.last_active_at, 0)",
    };
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBER_COLUMNS}, {sort_expr} AS sort_key FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = "
    ));
    sql.bind(org_id);
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        sql.push(" AND (m.sort_name LIKE ").bind(crate::store::like_prefix(&q)).push(" ESCAPE '\\'");
        sql.push(" OR m.sort_name LIKE ").bind(format!("% {}", crate::store::like_prefix(&q))).push(" ESCAPE '\\'");
        sql.push(" OR u.email_key LIKE ").bind(crate::store::like_prefix(&q)).push(" ESCAPE '\\')");
    }
    if let Some(role) = &query.role {
        sql.push(" AND m.role = ").bind(role.as_str());
    }
    if let Some(status) = query.status {
        sql.push(" AND m.status = ").bind(status.as_str());
    }
    let (cmp, dir) = if desc { ("<", "DESC") } else { (">", "ASC") };
    if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
        let (key, id): (Value, String) = decode_cursor(cursor)?;
        sql.push(&format!(" AND ({sort_expr} {cmp} "));
        bind_key(&mut sql, &key)?;
        sql.push(&format!(" OR ({sort_expr} = "));
        bind_key(&mut sql, &key)?;
        sql.push(&format!(" AND m.user_id {cmp} ")).bind(id).push("))");
    }
    sql.push(&format!(" ORDER BY {sort_expr} {dir}, m.user_id {dir} LIMIT ")).bind(limit + 1);
    Ok(sql)
}

fn bind_key(sql: &mut Sql, key: &Value) -> ApiResult<()> {
    match key {
        Value::String(s) => sql.bind(s.as_str()),
        Value::Number(n) if n.is_i64() => sql.bind(n.as_i64().unwrap_or_default()),
        _ => {
            return Err(ApiError::invalid(
                "cursor",
                "This cursor belongs to another sort order; start again without a cursor.",
            ))
        }
    };
    Ok(())
}

pub async fn load_member(conn: &mut AnyConnection, org_id: &str, user_id: &str) -> ApiResult<Member> {
    let row: Option<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2"
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
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
) -> ApiResult<Member> {
    access.require(Permission::MembersUpdate)?;
    if req.role.is_none() && req.status.is_none() {
        return Err(ApiError::invalid("role", "Send a new role, a new status, or both."));
    }
    if user_id == access.user_id && req.status == Some(MemberStatus::Disabled) {
        return Err(ApiError::invalid("status", "You cannot disable yourself; leave the organization instead."));
    }
    let mut tx = db.write().await?;
    // The membership's row lock until commit (see orgs::lock_org): a change
    // without If-Match waits for a concurrent one and applies on top of it.
    sqlx::query("UPDATE memberships SET version = version WHERE org_id = $1 AND user_id = $2")
        .bind(&access.org_id)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    let before = load_member(tx.conn(), &access.org_id, user_id).await?;
    if before.role == "owner" {
        return Err(owner_protected());
    }
    if let Some(expected) = if_match {
        if expected != before.version {
            return Err(precondition_failed());
        }
    }
    let current_perms = load_role(tx.conn(), &access.org_id, &before.role).await?;
    access.require_covers(&before.role, &current_perms)?;
    let role = match &req.role {
        Some(role) => {
            let role = role.trim().to_owned();
            let perms = load_role(tx.conn(), &access.org_id, &role).await?;
            access.require_covers(&role, &perms)?;
            role
        }
        None => before.role.clone(),
    };
    let status = req.status.unwrap_or(before.status);
    let updated = sqlx::query(
        "UPDATE memberships SET role = $1, status = $2, version = version + 1 \
         WHERE org_id = $3 AND user_id = $4 AND version = $5 AND role <> 'owner'",
    )
    .bind(&role)
    .bind(status.as_str())
    .bind(&access.org_id)
    .bind(user_id)
    .bind(before.version)
    .execute(tx.conn())
    .await?;
    if updated.rows_affected() != 1 {
        return Err(precondition_failed());
    }
    if role != before.role {
        let change = Change::new(AuditAction::MemberRoleChanged, Some(user_id))
            .before(json!({"role": before.role}))
            .after(json!({"role": role}));
        audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    }
    if status != before.status {
        let action =
            if status == MemberStatus::Disabled { AuditAction::MemberDisabled } else { AuditAction::MemberEnabled };
        let change = Change::new(action, Some(user_id))
            .before(json!({"status": before.status}))
            .after(json!({"status": status}));
        audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    }
    let member = load_member(tx.conn(), &access.org_id, user_id).await?;
    tx.commit().await?;
    Ok(member)
}

/// Removes a member. Used by the per-org endpoint and by the cross-org removal.
pub async fn remove(db: &Db, access: &OrgAccess, user_id: &str) -> ApiResult<()> {
    access.require(Permission::MembersRemove)?;
    if user_id == access.user_id {
        return Err(ApiError::invalid("user_id", "To remove yourself, leave the organization instead."));
    }
    let mut tx = db.write().await?;
    let before = load_member(tx.conn(), &access.org_id, user_id).await?;
    if before.role == "owner" {
        return Err(owner_protected());
    }
    let perms = load_role(tx.conn(), &access.org_id, &before.role).await?;
    access.require_covers(&before.role, &perms)?;
    let removed = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 AND role <> 'owner'")
        .bind(&access.org_id)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    if removed.rows_affected() != 1 {
        // Changed since it was read: removed meanwhile, or made the owner by a transfer.
        return Err(match load_member(tx.conn(), &access.org_id, user_id).await {
            Ok(_) => owner_protected(),
            Err(e) => e,
        });
    }
    let change = Change::new(AuditAction::MemberRemoved, Some(user_id))
        .before(json!({"email": before.email, "role": before.role}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The user id behind an email, for cross-org lookups.
pub async fn user_id_by_email(db: &Db, email: &str) -> ApiResult<Option<String>> {
    let key = validate::email_key(email);
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1").bind(key).fetch_optional(&db.pool).await?)
}
