//! What the caller may do in one organization. Every org-scoped handler starts
//! by resolving an [`OrgAccess`]; a caller who is not a member gets 404, so ids
//! from other tenants reveal nothing.
//!
//! A person who is not a member may still hold **delegated access** through a
//! partner relationship (`crate::partners`): resolved here, per request, from
//! the relationship, its team assignments and the person's partner
//! membership (`store::partners::delegated_access`), so every org-scoped
//! endpoint enforces it and an end holds on every replica at the next request.

use orgdesk_core::{BuiltinRole, ErrorCode, Permission, PermissionSet};

use crate::auth::{Actor, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, memberships::AccessRow, orgs::OrgRef, Conn};
use crate::time::{now_ms, MINUTE};

#[derive(Clone, Debug)]
pub struct OrgAccess {
    pub org_id: String,
    pub user_id: String,
    pub role: String,
    pub permissions: PermissionSet,
    pub actor: Actor,
    /// The person acting: the caller, or the creator of the caller's API key
    /// (`None` when that person's account is gone).
    pub person_id: Option<String>,
    /// The caller's API key, when it presented one (then `user_id` is the
    /// key's id and `role` names the key).
    pub api_key: Option<String>,
    /// Set when the caller is not a member but acts through a partner
    /// relationship (then `role` lists the relationship's roles they hold).
    pub delegation: Option<Delegation>,
}

/// Access held through a partner relationship.
#[derive(Clone, Debug)]
pub struct Delegation {
    pub relationship_id: String,
    pub partner_org_id: String,
    pub partner_name: String,
}

/// What one person holds in one org through partner relationships.
#[derive(Clone, Debug)]
pub struct Delegated {
    pub org_id: String,
    pub delegation: Delegation,
    /// The acting relationship's roles the person's teams hold, by key.
    pub roles: Vec<String>,
    /// Their permissions together, without what is never delegated.
    pub permissions: PermissionSet,
}

impl Delegated {
    /// From one org's rows, ordered by relationship id: one relationship
    /// acts (a person in two partners of one customer acts through the
    /// first), so its roles and permissions are what the person holds.
    pub fn of(rows: &[store::partners::DelegatedRow]) -> Option<Delegated> {
        let first = rows.first()?;
        let mut permissions = PermissionSet::default();
        let mut roles = Vec::new();
        for row in rows.iter().filter(|r| r.relationship_id == first.relationship_id) {
            permissions.extend(&role_permissions(&row.role_key, row.builtin, &row.permissions));
            if !roles.contains(&row.role_key) {
                roles.push(row.role_key.clone());
            }
        }
        for p in NEVER_DELEGATED {
            permissions.remove(p);
        }
        Some(Delegated {
            org_id: first.org_id.clone(),
            delegation: Delegation {
                relationship_id: first.relationship_id.clone(),
                partner_org_id: first.partner_org_id.clone(),
                partner_name: first.partner_name.clone(),
            },
            roles,
            permissions,
        })
    }

    /// Every org in `rows` (grouped by org, then ordered by relationship
    /// id, as `store::partners::delegated_orgs` reads them), each with the
    /// index of its first row.
    pub fn of_each(rows: &[store::partners::DelegatedOrgRow]) -> Vec<(usize, Delegated)> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < rows.len() {
            let org = &rows[start].access.org_id;
            let end = start + rows[start..].iter().take_while(|r| &r.access.org_id == org).count();
            let group: Vec<store::partners::DelegatedRow> = rows[start..end].iter().map(|r| r.access.clone()).collect();
            if let Some(held) = Delegated::of(&group) {
                out.push((start, held));
            }
            start = end;
        }
        out
    }
}

/// What a relationship never grants, whatever its roles hold: deleting or
/// transferring the org and deciding on partners (the customer's alone),
/// and credentials that would outlive the relationship (API keys, webhook
/// endpoints).
pub const NEVER_DELEGATED: [Permission; 5] = [
    Permission::OrgDelete,
    Permission::OrgTransfer,
    Permission::PartnersManage,
    Permission::ApiKeysManage,
    Permission::WebhooksManage,
];

/// The effective permissions of a role row.
pub fn role_permissions(role_key: &str, builtin: i64, stored: &str) -> PermissionSet {
    match (builtin, BuiltinRole::from_key(role_key)) {
        (1, Some(role)) => role.permission_set(),
        _ => PermissionSet::from_storage(stored),
    }
}

impl OrgAccess {
    /// Resolves `org_ref` for the caller: an id when it has an id's shape, a
    /// slug otherwise. Slugs never take the id shape (`validate::slug`), so a
    /// reference names at most one org and an id is never looked up as a slug.
    ///
    /// For the org the request's path names, the row was read with the
    /// session (`AuthUser::org_access`) and no query runs here.
    pub async fn resolve(state: &AppState, user: &AuthUser, org_ref: &str) -> ApiResult<OrgAccess> {
        if let Some(key) = &user.api_key {
            return Self::of_key(user, key, org_ref);
        }
        let row = match &user.org_access {
            Some(prefetched) if prefetched.org_ref == org_ref.to_ascii_lowercase() => prefetched.row.clone(),
            _ => Self::query(state, user, org_ref).await?,
        };
        match row {
            Some(row) => Self::from_row(state, user, Some(row)).await,
            None => Self::delegated(state, user, org_ref).await,
        }
    }

    /// A non-member's access through partner relationships: the union of
    /// the roles their partner teams hold in the org, without what a
    /// relationship never grants; 404 when there is none, as for anyone
    /// who is not a member.
    async fn delegated(state: &AppState, user: &AuthUser, org_ref: &str) -> ApiResult<OrgAccess> {
        let org_ref = org_ref.to_ascii_lowercase();
        let rows =
            store::partners::delegated_access(&state.db.pool, OrgRef::of(&org_ref), &user.user_id, now_ms()).await?;
        let Some(held) = Delegated::of(&rows) else {
            return Err(ApiError::not_found("organization"));
        };
        let mut actor = user.actor();
        actor.label = Some(format!("{} via {}", user.name, held.delegation.partner_name));
        actor.via_relationship = Some(held.delegation.relationship_id.clone());
        Ok(OrgAccess {
            org_id: held.org_id,
            user_id: user.user_id.clone(),
            role: held.roles.join(", "),
            permissions: held.permissions,
            actor,
            person_id: Some(user.user_id.clone()),
            api_key: None,
            delegation: Some(held.delegation),
        })
    }

    /// An API key reaches its own org only (by id or slug); anywhere else it
    /// finds nothing, like a non-member.
    fn of_key(user: &AuthUser, key: &store::api_keys::CallerKey, org_ref: &str) -> ApiResult<OrgAccess> {
        let org_ref = org_ref.to_ascii_lowercase();
        if org_ref != key.org_id && org_ref != key.org_slug {
            return Err(ApiError::not_found("organization"));
        }
        Ok(OrgAccess {
            org_id: key.org_id.clone(),
            user_id: key.id.clone(),
            role: user.name.clone(),
            permissions: PermissionSet::from_storage(&key.permissions),
            actor: user.actor(),
            person_id: key.created_by.clone(),
            api_key: Some(key.id.clone()),
            delegation: None,
        })
    }

    async fn query(state: &AppState, user: &AuthUser, org_ref: &str) -> ApiResult<Option<AccessRow>> {
        let org_ref = org_ref.to_ascii_lowercase();
        Ok(store::memberships::access(&state.db.pool, OrgRef::of(&org_ref), &user.user_id).await?)
    }

    async fn from_row(state: &AppState, user: &AuthUser, row: Option<AccessRow>) -> ApiResult<OrgAccess> {
        let row = row.ok_or_else(|| ApiError::not_found("organization"))?;
        if row.status != orgdesk_core::api::MemberStatus::Active.as_str() {
            return Err(ApiError::new(
                ErrorCode::MemberDisabled,
                "Your membership in this organization is disabled; ask one of its admins to enable it.",
            ));
        }
        touch_last_active(state, &row.org_id, &user.user_id).await?;
        Ok(OrgAccess {
            permissions: role_permissions(&row.role, row.builtin, &row.permissions),
            org_id: row.org_id,
            user_id: user.user_id.clone(),
            role: row.role,
            actor: user.actor(),
            person_id: Some(user.user_id.clone()),
            api_key: None,
            delegation: None,
        })
    }

    /// Refuses a delegated caller, for what only a member may do (leave).
    pub fn require_member(&self) -> ApiResult<()> {
        match &self.delegation {
            None => Ok(()),
            Some(d) => Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("You act in this organization through {}; you are not one of its members.", d.partner_name),
            )),
        }
    }

    /// Refuses an API key, for what only a person may do (leave, transfer).
    pub fn require_person(&self) -> ApiResult<()> {
        match self.api_key {
            None => Ok(()),
            Some(_) => Err(ApiError::new(
                ErrorCode::Forbidden,
                "An API key cannot do this; it needs a person's session (leaving or transferring an organization).",
            )),
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.has(permission)
    }

    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("This needs the permission {permission}, which your role \"{}\" does not have.", self.role),
            ))
        }
    }

    /// The escalation rule: nobody grants, invites to or acts on a role whose
    /// permissions they do not hold, and the owner role is reached only by transfer.
    pub fn require_covers(&self, role_key: &str, role_permissions: &PermissionSet) -> ApiResult<()> {
        if role_key == BuiltinRole::Owner.key() {
            return Err(ApiError::new(
                ErrorCode::OwnerProtected,
                "The owner role moves only by transferring ownership.",
            ));
        }
        if self.permissions.covers(role_permissions) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::RoleEscalation,
                format!(
                    "The role \"{role_key}\" has permissions your role \"{}\" does not; ask someone who holds them.",
                    self.role
                ),
            ))
        }
    }
}

/// A role of the org with its effective permissions, or 404 / 422.
pub async fn load_role(conn: &mut Conn, org_id: &str, role_key: &str) -> ApiResult<PermissionSet> {
    match store::roles::permissions(conn, org_id, role_key).await? {
        Some((builtin, stored)) => Ok(role_permissions(role_key, builtin, &stored)),
        None => Err(ApiError::invalid(
            "role",
            format!("This organization has no role \"{role_key}\"; see GET /v1/orgs/{{org}}/roles."),
        )),
    }
}

/// Writes `last_active_at` at most once a minute per member and process.
async fn touch_last_active(state: &AppState, org_id: &str, user_id: &str) -> ApiResult<()> {
    let now = now_ms();
    let key = (org_id.to_owned(), user_id.to_owned());
    {
        let mut written = state.activity_written.lock().unwrap_or_else(|p| p.into_inner());
        if written.get(&key).is_some_and(|at| now - at < MINUTE) {
            return Ok(());
        }
        if written.len() > 100_000 {
            written.clear();
        }
        written.insert(key, now);
    }
    store::memberships::touch_last_active(&state.db.pool, org_id, user_id, now, now - MINUTE).await?;
    Ok(())
}
