//! Invitations of an org, my own invitations, and invitation links.

use orgdesk_client::core::api::{Accepted, Invitation, InvitationPreview, InviteResults, MyInvitation, Page};
use orgdesk_client::Snapshot;
use tauri::State;

use super::Answer;
use crate::desk::Desk;

#[tauri::command]
pub async fn cached_invitations(desk: State<'_, Desk>, org_id: String) -> Answer<Option<Snapshot<Page<Invitation>>>> {
    Ok(desk.session().await?.cached_invitations(&org_id).await?)
}

#[tauri::command]
pub async fn refresh_invitations(desk: State<'_, Desk>, org_id: String) -> Answer<Snapshot<Page<Invitation>>> {
    Ok(desk.session().await?.invitations(&org_id).await?)
}

/// The open invitations after the page whose `next_cursor` this is.
#[tauri::command]
pub async fn more_invitations(desk: State<'_, Desk>, org_id: String, cursor: String) -> Answer<Page<Invitation>> {
    Ok(desk.session().await?.more_invitations(&org_id, &cursor).await?)
}

#[tauri::command]
pub async fn invite(desk: State<'_, Desk>, org_id: String, emails: Vec<String>, role: String) -> Answer<InviteResults> {
    Ok(desk.session().await?.invite(&org_id, &emails, &role).await?)
}

#[tauri::command]
pub async fn resend_invitation(desk: State<'_, Desk>, org_id: String, invitation_id: String) -> Answer<Invitation> {
    Ok(desk.session().await?.resend_invitation(&org_id, &invitation_id).await?)
}

#[tauri::command]
pub async fn cancel_invitation(desk: State<'_, Desk>, org_id: String, invitation_id: String) -> Answer<()> {
    Ok(desk.session().await?.revoke_invitation(&org_id, &invitation_id).await?)
}

#[tauri::command]
pub async fn cached_my_invitations(desk: State<'_, Desk>) -> Answer<Option<Snapshot<Vec<MyInvitation>>>> {
    Ok(desk.session().await?.cached_my_invitations().await?)
}

#[tauri::command]
pub async fn refresh_my_invitations(desk: State<'_, Desk>) -> Answer<Snapshot<Vec<MyInvitation>>> {
    Ok(desk.session().await?.my_invitations().await?)
}

#[tauri::command]
pub async fn accept_my_invitation(desk: State<'_, Desk>, invitation_id: String) -> Answer<Accepted> {
    Ok(desk.session().await?.accept_my_invitation(&invitation_id).await?)
}

#[tauri::command]
pub async fn decline_my_invitation(desk: State<'_, Desk>, invitation_id: String) -> Answer<()> {
    Ok(desk.session().await?.decline_my_invitation(&invitation_id).await?)
}

#[tauri::command]
pub async fn preview_invitation(desk: State<'_, Desk>, token: String) -> Answer<InvitationPreview> {
    Ok(desk.session().await?.call(|api| api.preview_invitation(&token)).await?)
}

#[tauri::command]
pub async fn accept_invitation_link(desk: State<'_, Desk>, token: String) -> Answer<Accepted> {
    Ok(desk.session().await?.call(|api| api.accept_invitation(&token)).await?)
}

#[tauri::command]
pub async fn decline_invitation_link(desk: State<'_, Desk>, token: String) -> Answer<()> {
    Ok(desk.session().await?.call(|api| api.decline_invitation(&token)).await?)
}
