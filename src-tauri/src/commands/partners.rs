//! Teams (any org), a partner org's customers, and a customer's partner
//! access. Read fresh (see `orgdesk_client::Session::partner_access`).

use orgdesk_client::core::api::{
    CreateCustomerWorkspace, PartnerAccess, PartnerRelationship, Team, TeamAssignment, TeamMember,
};
use tauri::State;

use super::Answer;
use crate::desk::Desk;

#[tauri::command]
pub async fn teams(desk: State<'_, Desk>, org_id: String) -> Answer<Vec<Team>> {
    Ok(desk.session().await?.teams(&org_id).await?)
}

#[tauri::command]
pub async fn create_team(desk: State<'_, Desk>, org_id: String, name: String) -> Answer<Team> {
    Ok(desk.session().await?.create_team(&org_id, &name).await?)
}

#[tauri::command]
pub async fn rename_team(desk: State<'_, Desk>, org_id: String, team_id: String, name: String) -> Answer<Team> {
    Ok(desk.session().await?.rename_team(&org_id, &team_id, &name).await?)
}

#[tauri::command]
pub async fn delete_team(desk: State<'_, Desk>, org_id: String, team_id: String) -> Answer<()> {
    Ok(desk.session().await?.delete_team(&org_id, &team_id).await?)
}

#[tauri::command]
pub async fn team_members(desk: State<'_, Desk>, org_id: String, team_id: String) -> Answer<Vec<TeamMember>> {
    Ok(desk.session().await?.team_members(&org_id, &team_id).await?)
}

/// Adds a member of the org to the team; answers the team's members after.
#[tauri::command]
pub async fn add_team_member(
    desk: State<'_, Desk>,
    org_id: String,
    team_id: String,
    user_id: String,
) -> Answer<Vec<TeamMember>> {
    Ok(desk.session().await?.add_team_member(&org_id, &team_id, &user_id).await?)
}

#[tauri::command]
pub async fn remove_team_member(desk: State<'_, Desk>, org_id: String, team_id: String, user_id: String) -> Answer<()> {
    Ok(desk.session().await?.remove_team_member(&org_id, &team_id, &user_id).await?)
}

/// The partner org's customer relationships, with their team assignments.
#[tauri::command]
pub async fn customers(desk: State<'_, Desk>, org_id: String) -> Answer<Vec<PartnerRelationship>> {
    Ok(desk.session().await?.customers(&org_id).await?)
}

/// A new org for a customer: the relationship is active at once and its first owner is invited.
#[tauri::command]
pub async fn create_customer_workspace(
    desk: State<'_, Desk>,
    org_id: String,
    workspace: CreateCustomerWorkspace,
) -> Answer<PartnerRelationship> {
    Ok(desk.session().await?.create_customer_workspace(&org_id, workspace).await?)
}

/// Asks an existing org (slug or id) to accept this partner with `roles` until `ends_at`.
#[tauri::command]
pub async fn request_customer(
    desk: State<'_, Desk>,
    org_id: String,
    customer: String,
    roles: Vec<String>,
    ends_at: String,
) -> Answer<PartnerRelationship> {
    Ok(desk.session().await?.request_customer(&org_id, &customer, roles, &ends_at).await?)
}

/// Replaces which partner teams hold which of the relationship's roles.
#[tauri::command]
pub async fn set_team_assignments(
    desk: State<'_, Desk>,
    org_id: String,
    relationship_id: String,
    assignments: Vec<TeamAssignment>,
) -> Answer<PartnerRelationship> {
    Ok(desk.session().await?.set_team_assignments(&org_id, &relationship_id, assignments).await?)
}

#[tauri::command]
pub async fn end_as_partner(desk: State<'_, Desk>, org_id: String, relationship_id: String) -> Answer<()> {
    Ok(desk.session().await?.end_as_partner(&org_id, &relationship_id).await?)
}

/// Reminds the customer's owner and admins to renew (at most once a day).
#[tauri::command]
pub async fn request_renewal(desk: State<'_, Desk>, org_id: String, relationship_id: String) -> Answer<()> {
    Ok(desk.session().await?.request_renewal(&org_id, &relationship_id).await?)
}

/// The customer's view: each partner's access and who holds it now.
#[tauri::command]
pub async fn partner_access(desk: State<'_, Desk>, org_id: String) -> Answer<Vec<PartnerAccess>> {
    Ok(desk.session().await?.partner_access(&org_id).await?)
}

#[tauri::command]
pub async fn accept_partner(
    desk: State<'_, Desk>,
    org_id: String,
    relationship_id: String,
) -> Answer<PartnerRelationship> {
    Ok(desk.session().await?.accept_partner(&org_id, &relationship_id).await?)
}

/// Ends a partner's access at once, for every one of its people.
#[tauri::command]
pub async fn end_partner_access(desk: State<'_, Desk>, org_id: String, relationship_id: String) -> Answer<()> {
    Ok(desk.session().await?.end_partner_access(&org_id, &relationship_id).await?)
}

#[tauri::command]
pub async fn renew_partner_access(
    desk: State<'_, Desk>,
    org_id: String,
    relationship_id: String,
    ends_at: String,
) -> Answer<PartnerRelationship> {
    Ok(desk.session().await?.renew_partner_access(&org_id, &relationship_id, &ends_at).await?)
}
