//! Endpoints across all my organizations, for agency staff.

use std::collections::HashMap;

use orgdesk_core::api::{
    ManagedInvitation, MemberStatus, PersonMembership, RemoveOutcome, RemovePersonResult, RemovePersonResults,
};
use orgdesk_core::{ErrorCode, Permission, PermissionSet};

use crate::access::OrgAccess;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::invitations::{InvitationRow, INVITATION_SELECT};
use crate::members::{self, MemberRow, MEMBER_COLUMNS};
use crate::orgs;
use crate::state::AppState;
use crate::time::now_ms;

struct MyOrgRole {
    name: String,
    slug: String,
    permissions: PermissionSet,
}

/// My active memberships with effective permissions, by org id.
async fn my_roles(state: &AppState, user: &AuthUser) -> ApiResult<HashMap<String, MyOrgRole>> {
    Ok(orgs::list_mine(state, user)
        .await?
        .into_iter()
        .filter(|o| o.status == MemberStatus::Active)
        .map(|o| (o.id, MyOrgRole { name: o.name, slug: o.slug, permissions: PermissionSet::from_iter(o.permissions) }))
        .collect())
}

/// How far back expired, unanswered invitations still show across my orgs.
pub const EXPIRED_SHOWN_FOR_MS: i64 = 30 * crate::time::DAY;

/// Every invitation waiting for an answer in the orgs where I hold
/// `invitations:read`, soonest expiry first: the pending ones and those that
/// expired unanswered in the last 30 days (`status: expired`, to resend).
pub async fn managed_invitations(state: &AppState, user: &AuthUser) -> ApiResult<Vec<ManagedInvitation>> {
    let roles = my_roles(state, user).await?;
    let mut sql = crate::db::Sql::new(&managed_invitations_sql());
    sql.bind_value(user.user_id.as_str()).bind_value(now_ms() - EXPIRED_SHOWN_FOR_MS);
    let rows: Vec<InvitationRow> = match state.db.read(&sql, InvitationRow::from_sqlite).await {
        Some(rows) => rows?,
        None => sql.query_as().fetch_all(&state.db.pool).await?,
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let org = roles.get(&row.org_id)?;
            if !org.permissions.has(Permission::InvitationsRead) {
                return None;
            }
            Some(ManagedInvitation {
                org_id: row.org_id.clone(),
                org_name: org.name.clone(),
                org_slug: org.slug.clone(),
                can_resend: org.permissions.has(Permission::MembersInvite),
                can_revoke: org.permissions.has(Permission::InvitationsRevoke),
                invitation: row.into_api(None),
            })
        })
        .collect())
}

/// Stands in for the id of an address that has no account, so an unknown
/// address costs the same queries as a known one that is in none of my orgs:
/// the answer's timing does not tell whether an account exists.
const NO_ACCOUNT: &str = "00000000-0000-0000-0000-000000000000";

/// The statement behind [`managed_invitations`]: $1 the caller, $2 the
/// oldest expiry shown. Public for the plan tests.
pub fn managed_invitations_sql() -> String {
    format!(
        "{INVITATION_SELECT} JOIN memberships me ON me.org_id = i.org_id AND me.user_id = $1 AND me.status = 'active' \
         WHERE i.status = 'pending' AND i.expires_at > $2 ORDER BY i.expires_at, i.id"
    )
}

/// The memberships of a person across the orgs where I hold `members:read`.
pub async fn find_person(state: &AppState, user: &AuthUser, email: &str) -> ApiResult<Vec<PersonMembership>> {
    let person_id = members::user_id_by_email(&state.db, email).await?.unwrap_or_else(|| NO_ACCOUNT.to_owned());
    let roles = my_roles(state, user).await?;
    let rows = sqlx::query(&format!(
        "SELECT m.org_id AS member_org_id, {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1"
    ))
    .bind(&person_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for row in &rows {
        use sqlx::{FromRow, Row};
        let org_id: String = row.try_get("member_org_id")?;
        let member = MemberRow::from_row(row)?;
        let Some(org) = roles.get(&org_id) else {
            continue;
        };
        if !org.permissions.has(Permission::MembersRead) {
            continue;
        }
        let can_remove =
            org.permissions.has(Permission::MembersRemove) && member.role != "owner" && person_id != user.user_id;
        out.push(PersonMembership {
            org_id,
            org_name: org.name.clone(),
            org_slug: org.slug.clone(),
            member: member.into(),
            can_remove,
        });
    }
    out.sort_by_key(|m| m.org_name.to_lowercase());
    Ok(out)
}

/// Removes a person from each listed org, answering per org.
pub async fn remove_person(
    state: &AppState,
    user: &AuthUser,
    email: &str,
    org_ids: &[String],
) -> ApiResult<RemovePersonResults> {
    if org_ids.is_empty() {
        return Err(ApiError::invalid("org_ids", "Choose at least one organization."));
    }
    if org_ids.len() > 500 {
        return Err(ApiError::invalid("org_ids", "Remove from at most 500 organizations at once."));
    }
    // An unknown address goes through the same steps as a non-member (see
    // NO_ACCOUNT), so the answer's timing does not tell whether it has an account.
    let person_id = members::user_id_by_email(&state.db, email).await?.unwrap_or_else(|| NO_ACCOUNT.to_owned());
    let mut results = Vec::with_capacity(org_ids.len());
    for org_id in org_ids {
        let outcome = match OrgAccess::resolve(state, user, org_id).await {
            Ok(access) => members::remove(&state.db, &access, &person_id).await,
            Err(e) => Err(e),
        };
        let (outcome, message) = match outcome {
            Ok(()) => (RemoveOutcome::Removed, None),
            Err(e) => match e.code {
                ErrorCode::NotFound => {
                    (RemoveOutcome::NotAMember, Some("Not a member of this organization.".to_owned()))
                }
                ErrorCode::OwnerProtected => (RemoveOutcome::OwnerProtected, Some(e.detail)),
                ErrorCode::Forbidden
                | ErrorCode::RoleEscalation
                | ErrorCode::MemberDisabled
                | ErrorCode::ValidationFailed => (RemoveOutcome::Denied, Some(e.detail)),
                _ => return Err(e),
            },
        };
        results.push(RemovePersonResult { org_id: org_id.clone(), outcome, message });
    }
    Ok(RemovePersonResults { results })
}
