//! Built-in and custom roles, and the permission catalog.

use orgdesk_core::api::AuditAction;
use orgdesk_core::api::{CreateRole, PermissionInfo, Role, UpdateRole};
use orgdesk_core::{validate, BuiltinRole, ErrorCode, Permission, PermissionSet};
use serde_json::json;

use crate::access::{load_role, role_permissions, OrgAccess};
use crate::audit::{self, Change};
use crate::db::{violation, Constraint, Db};
use crate::error::{field, ApiError, ApiResult};
use crate::store::{self, roles::RoleRow, Conn};
use crate::time::now_ms;

pub fn catalog() -> Vec<PermissionInfo> {
    Permission::ALL.into_iter().map(|p| PermissionInfo { key: p, description: p.description().to_owned() }).collect()
}

impl From<RoleRow> for Role {
    fn from(r: RoleRow) -> Role {
        Role {
            permissions: role_permissions(&r.role_key, r.builtin, &r.permissions).to_vec(),
            key: r.role_key,
            name: r.name,
            builtin: r.builtin == 1,
            member_count: r.member_count,
        }
    }
}

/// Built-in roles first in the table's order, then custom ones by name.
pub async fn list(db: &Db, access: &OrgAccess) -> ApiResult<Vec<Role>> {
    access.require(Permission::MembersRead)?;
    let rows = store::roles::of_org(&db.pool, &access.org_id).await?;
    let mut roles: Vec<Role> = rows.into_iter().map(Role::from).collect();
    let rank = |r: &Role| BuiltinRole::ALL.iter().position(|b| b.key() == r.key).unwrap_or(BuiltinRole::ALL.len());
    roles.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    Ok(roles)
}

async fn get(db: &Db, org_id: &str, key: &str) -> ApiResult<Role> {
    let mut conn = db.pool.acquire().await?;
    load(&mut conn, org_id, key).await
}

async fn load(conn: &mut Conn, org_id: &str, key: &str) -> ApiResult<Role> {
    let row = store::roles::role(conn, org_id, key).await?;
    row.map(Role::from).ok_or_else(|| ApiError::not_found("role"))
}

/// Takes the role row's write lock until commit (see `orgs::lock_org`) and
/// reads it: concurrent changes of one role queue, and a role deleted
/// meanwhile answers 404.
async fn lock_and_load(conn: &mut Conn, org_id: &str, key: &str) -> ApiResult<Role> {
    store::roles::lock(&mut *conn, org_id, key).await?;
    load(conn, org_id, key).await
}

fn permission_set(names: &[String]) -> ApiResult<PermissionSet> {
    let names = validate::permission_names(names).map_err(field("permissions"))?;
    Ok(PermissionSet::from_iter(names))
}

pub async fn create(db: &Db, access: &OrgAccess, req: CreateRole) -> ApiResult<Role> {
    access.require(Permission::RolesManage)?;
    let key = validate::role_key(&req.key).map_err(field("key"))?;
    let name = validate::person_name(&req.name).map_err(field("name"))?;
    let perms = permission_set(&req.permissions)?;
    access.require_covers(&key, &perms)?;
    let mut tx = db.write().await?;
    let inserted =
        store::roles::insert_custom(tx.conn(), &access.org_id, &key, &name, &perms.to_storage(), now_ms()).await;
    match inserted {
        Ok(_) => {}
        Err(e) if violation(&e) == Some(Constraint::RoleKey) => {
            return Err(ApiError::new(
                ErrorCode::RoleExists,
                format!("This organization has a role \"{key}\" already."),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let change =
        Change::new(AuditAction::RoleCreated, Some(&key)).after(json!({"name": name, "permissions": perms.to_vec()}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    get(db, &access.org_id, &key).await
}

fn builtin_refused(key: &str) -> ApiResult<()> {
    if BuiltinRole::from_key(key).is_some() {
        return Err(ApiError::invalid(
            "key",
            format!("\"{key}\" is a built-in role; built-in roles cannot be changed or deleted."),
        ));
    }
    Ok(())
}

pub async fn update(db: &Db, access: &OrgAccess, key: &str, req: UpdateRole) -> ApiResult<Role> {
    access.require(Permission::RolesManage)?;
    if req.name.is_none() && req.permissions.is_none() {
        return Err(ApiError::invalid("name", "Send a new name, new permissions, or both."));
    }
    builtin_refused(key)?;
    let mut tx = db.write().await?;
    let before = lock_and_load(tx.conn(), &access.org_id, key).await?;
    let old_perms = load_role(tx.conn(), &access.org_id, key).await?;
    access.require_covers(key, &old_perms)?;
    let name = match &req.name {
        Some(n) => validate::person_name(n).map_err(field("name"))?,
        None => before.name.clone(),
    };
    let perms = match &req.permissions {
        Some(p) => permission_set(p)?,
        None => old_perms,
    };
    access.require_covers(key, &perms)?;
    store::roles::update(tx.conn(), &access.org_id, key, &name, &perms.to_storage()).await?;
    let change = Change::new(AuditAction::RoleUpdated, Some(key))
        .before(json!({"name": before.name, "permissions": before.permissions}))
        .after(json!({"name": name, "permissions": perms.to_vec()}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    get(db, &access.org_id, key).await
}

pub async fn delete(db: &Db, access: &OrgAccess, key: &str) -> ApiResult<()> {
    access.require(Permission::RolesManage)?;
    builtin_refused(key)?;
    let mut tx = db.write().await?;
    let before = lock_and_load(tx.conn(), &access.org_id, key).await?;
    let perms = load_role(tx.conn(), &access.org_id, key).await?;
    access.require_covers(key, &perms)?;
    let pending = store::invitations::pending_with_role(tx.conn(), &access.org_id, key).await?;
    let in_use = || {
        ApiError::new(
            ErrorCode::RoleInUse,
            format!("Members or pending invitations still hold the role \"{key}\"; give them another role first."),
        )
    };
    if pending {
        return Err(in_use());
    }
    // Memberships reference the role row, so the database refuses the delete
    // while anyone holds it, even under a concurrent role change.
    match store::roles::delete(tx.conn(), &access.org_id, key).await {
        Ok(true) => {}
        Ok(false) => return Err(ApiError::not_found("role")),
        Err(e) if violation(&e) == Some(Constraint::MembershipRole) => return Err(in_use()),
        Err(e) => return Err(e.into()),
    }
    let change = Change::new(AuditAction::RoleDeleted, Some(key))
        .before(json!({"name": before.name, "permissions": before.permissions}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}
