//! Endpoints across all my organizations, for agency staff.

use std::collections::HashMap;

use orgdesk_core::api::{
    ManagedInvitation, MemberStatus, Page, PageQuery, PersonMembership, PersonQuery, RemoveOutcome, RemovePersonResult,
    RemovePersonResults, PEOPLE_LIMIT,
};
use orgdesk_core::{BuiltinRole, ErrorCode, Permission, PermissionSet};

use crate::access::{role_permissions, Delegated, OrgAccess};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::members;
use crate::orgs;
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::state::AppState;
use crate::store::{self, memberships::OrgMemberRow};
use crate::time::now_ms;

struct MyOrgRole {
    name: String,
    slug: String,
    permissions: PermissionSet,
    /// Reached through a partner relationship, not a membership.
    delegated: bool,
}

/// My active memberships, and the orgs I reach through partner
/// relationships, with effective permissions, by org id.
async fn my_roles(state: &AppState, user: &AuthUser) -> ApiResult<HashMap<String, MyOrgRole>> {
    Ok(orgs::list_mine(state, user)
        .await?
        .into_iter()
        .filter(|o| o.status == MemberStatus::Active)
        .map(|o| {
            let role = MyOrgRole {
                name: o.name,
                slug: o.slug,
                permissions: PermissionSet::from_iter(o.permissions),
                delegated: o.via_partner.is_some(),
            };
            (o.id, role)
        })
        .collect())
}

/// The orgs among `roles` I reach through a partner relationship.
fn delegated_ids(roles: &HashMap<String, MyOrgRole>) -> Vec<&str> {
    roles.iter().filter(|(_, r)| r.delegated).map(|(id, _)| id.as_str()).collect()
}

/// How far back expired, unanswered invitations still show across my orgs.
pub const EXPIRED_SHOWN_FOR_MS: i64 = 30 * crate::time::DAY;

/// Every invitation waiting for an answer in the orgs where I hold
/// `invitations:read`, soonest expiry first: the pending ones and those that
/// expired unanswered in the last 30 days (`status: expired`, to resend).
pub async fn managed_invitations(state: &AppState, user: &AuthUser) -> ApiResult<Vec<ManagedInvitation>> {
    let roles = my_roles(state, user).await?;
    let oldest = now_ms() - EXPIRED_SHOWN_FOR_MS;
    let mut rows = store::invitations::managed(&state.db, &user.user_id, oldest).await?;
    let delegated = delegated_ids(&roles);
    if !delegated.is_empty() {
        rows.extend(store::invitations::pending_in_orgs(&state.db, &delegated, oldest).await?);
        rows.sort_by(|a, b| (a.expires_at, &a.id).cmp(&(b.expires_at, &b.id)));
    }
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

/// One page of [`managed_invitations`]' list, in the same order, keyset-paged
/// on (expiry, id) like the member list: one statement reads the page with
/// its orgs and my role in each, so a page costs its own rows however many
/// orgs and invitations I have. One more reads the orgs I reach through a
/// partner, and, when any of them lets me read invitations, one their page,
/// merged into the same order.
pub async fn managed_invitations_page(
    state: &AppState,
    user: &AuthUser,
    query: &PageQuery,
) -> ApiResult<Page<ManagedInvitation>> {
    let limit = page_limit(query.limit)?;
    let after: (i64, String) = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => decode_cursor(cursor)?,
        None => (i64::MIN, String::new()),
    };
    // The statement names the built-in roles that read invitations: written once.
    static STATEMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let statement = STATEMENT.get_or_init(|| {
        let readers: Vec<&str> = BuiltinRole::ALL
            .iter()
            .filter(|r| r.permission_set().has(Permission::InvitationsRead))
            .map(|r| r.key())
            .collect();
        let builtin: Vec<&str> = BuiltinRole::ALL.iter().map(|r| r.key()).collect();
        store::invitations::managed_page_sql(&readers, &builtin)
    });
    let now = now_ms();
    let oldest = now - EXPIRED_SHOWN_FOR_MS;
    let rows =
        store::invitations::managed_page(&state.db, statement, &user.user_id, oldest, (after.0, &after.1), limit + 1)
            .await?;
    // Each with its key in the order, (expiry, id).
    let mut page: Vec<((i64, String), ManagedInvitation)> = Vec::with_capacity(rows.len());
    for row in rows {
        let permissions = role_permissions(&row.my_role, row.my_builtin, &row.my_permissions);
        // The statement chose these orgs by the same rule; this keeps the
        // answer right even if the two ever disagreed.
        if !permissions.has(Permission::InvitationsRead) {
            continue;
        }
        let key = (row.invitation.expires_at, row.invitation.id.clone());
        page.push((
            key,
            ManagedInvitation {
                org_id: row.invitation.org_id.clone(),
                org_name: row.org_name,
                org_slug: row.org_slug,
                can_resend: permissions.has(Permission::MembersInvite),
                can_revoke: permissions.has(Permission::InvitationsRevoke),
                invitation: row.invitation.into_api(None),
            },
        ));
    }
    // The customer workspaces I reach through a partner, within the
    // delegated permissions: a page of theirs merged into the same order.
    let delegated = store::partners::delegated_orgs(&state.db.pool, &user.user_id, now).await?;
    let readable: Vec<(usize, Delegated)> = Delegated::of_each(&delegated)
        .into_iter()
        .filter(|(_, held)| held.permissions.has(Permission::InvitationsRead))
        .collect();
    if !readable.is_empty() {
        let ids: Vec<&str> = readable.iter().map(|(_, held)| held.org_id.as_str()).collect();
        let rows = store::invitations::pending_page_in_orgs(
            &state.db,
            &user.user_id,
            &ids,
            oldest,
            (after.0, &after.1),
            limit + 1,
        )
        .await?;
        for row in rows {
            let Some((first, held)) = readable.iter().find(|(_, held)| held.org_id == row.org_id) else { continue };
            let key = (row.expires_at, row.id.clone());
            page.push((
                key,
                ManagedInvitation {
                    org_id: row.org_id.clone(),
                    org_name: delegated[*first].org_name.clone(),
                    org_slug: delegated[*first].org_slug.clone(),
                    can_resend: held.permissions.has(Permission::MembersInvite),
                    can_revoke: held.permissions.has(Permission::InvitationsRevoke),
                    invitation: row.into_api(None),
                },
            ));
        }
        page.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let more = page.len() as i64 > limit;
    page.truncate(limit as usize);
    let last = page.last().map(|(key, _)| key.clone());
    let items: Vec<ManagedInvitation> = page.into_iter().map(|(_, m)| m).collect();
    let next_cursor = if more { last.map(|key| encode_cursor(&key)) } else { None };
    Ok(Page { items, next_cursor })
}

/// Stands in for the id of an address that has no account, so an unknown
/// address costs the same queries as a known one that is in none of my orgs:
/// the answer's timing does not tell whether an account exists.
const NO_ACCOUNT: &str = "00000000-0000-0000-0000-000000000000";

/// `GET /v1/me/people`: by exact `email`, by a name or email prefix `q`, or
/// both (that person, if the prefix matches them). Neither, or a blank `q`
/// alone, finds nobody.
pub async fn find_people(state: &AppState, user: &AuthUser, query: &PersonQuery) -> ApiResult<Vec<PersonMembership>> {
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 100) {
        return Err(ApiError::invalid("q", "Search with at most 100 characters of a name or email."));
    }
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
    match (query.email.as_deref(), q) {
        (Some(email), None) => find_person(state, user, email).await,
        (Some(email), Some(q)) => {
            let mut found = find_person(state, user, email).await?;
            found.retain(|m| {
                let name = m.member.name.to_lowercase();
                name.starts_with(&q) || name.contains(&format!(" {q}")) || m.member.email.to_lowercase().starts_with(&q)
            });
            Ok(found)
        }
        (None, Some(q)) => find_by_prefix(state, user, &q).await,
        (None, None) => Ok(Vec::new()),
    }
}

/// The memberships of a person across the orgs where I hold `members:read`.
pub async fn find_person(state: &AppState, user: &AuthUser, email: &str) -> ApiResult<Vec<PersonMembership>> {
    let person_id = members::user_id_by_email(&state.db, email).await?.unwrap_or_else(|| NO_ACCOUNT.to_owned());
    let rows = store::memberships::of_user(&state.db.pool, &person_id).await?;
    let roles = my_roles(state, user).await?;
    let mut out = visible_memberships(&roles, user, rows);
    out.sort_by_key(|m| m.org_name.to_lowercase());
    Ok(out)
}

/// Everyone whose name (or a word of it) or email starts with `q`, in the
/// orgs where I hold `members:read`: by person (email), then org name; at
/// most `PEOPLE_LIMIT` memberships.
async fn find_by_prefix(state: &AppState, user: &AuthUser, q: &str) -> ApiResult<Vec<PersonMembership>> {
    // Orgs where my role cannot read members are dropped after the query;
    // asking for more keeps the answer full in the usual case.
    let roles = my_roles(state, user).await?;
    let limit = 4 * PEOPLE_LIMIT as i64;
    let mut rows = store::memberships::search_in_orgs_of(&state.db.pool, &user.user_id, q, limit).await?;
    let delegated = delegated_ids(&roles);
    if !delegated.is_empty() {
        rows.extend(store::memberships::search_in_orgs(&state.db.pool, &delegated, q, limit).await?);
    }
    let mut out = visible_memberships(&roles, user, rows);
    out.sort_by(|a, b| {
        (a.member.email.to_lowercase(), a.org_name.to_lowercase())
            .cmp(&(b.member.email.to_lowercase(), b.org_name.to_lowercase()))
    });
    out.truncate(PEOPLE_LIMIT);
    Ok(out)
}

/// The rows (memberships with `member_org_id`) in orgs where I hold `members:read`.
fn visible_memberships(
    roles: &HashMap<String, MyOrgRole>,
    user: &AuthUser,
    rows: Vec<OrgMemberRow>,
) -> Vec<PersonMembership> {
    let mut out = Vec::new();
    for OrgMemberRow { member_org_id: org_id, member } in rows {
        let Some(org) = roles.get(&org_id) else {
            continue;
        };
        if !org.permissions.has(Permission::MembersRead) {
            continue;
        }
        let can_remove =
            org.permissions.has(Permission::MembersRemove) && member.role != "owner" && member.user_id != user.user_id;
        out.push(PersonMembership {
            org_id,
            org_name: org.name.clone(),
            org_slug: org.slug.clone(),
            member: member.into(),
            can_remove,
        });
    }
    out
}

/// Removes a person from each listed org, answering per org; with
/// `revoke_api_keys`, each org's removal also revokes the keys the person
/// created there, in its transaction (an org where the caller may not
/// manage keys answers `denied` and keeps the membership).
pub async fn remove_person(
    state: &AppState,
    user: &AuthUser,
    email: &str,
    org_ids: &[String],
    revoke_api_keys: bool,
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
            Ok(access) => members::remove(&state.db, &access, &person_id, revoke_api_keys).await,
            Err(e) => Err(e),
        };
        let mut api_keys_revoked = 0;
        let (outcome, message) = match outcome {
            Ok(revoked) => {
                api_keys_revoked = revoked as u32;
                (RemoveOutcome::Removed, None)
            }
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
        results.push(RemovePersonResult { org_id: org_id.clone(), outcome, message, api_keys_revoked });
    }
    Ok(RemovePersonResults { results })
}
