//! An org's members: the cached list, its sync with progress, and changes.

use orgdesk_client::core::api::{BulkChange, Member, MemberSignIns, MemberStatus, UpdateMember};
use orgdesk_client::sync::SyncMode;
use orgdesk_client::{BulkReport, CancelToken, MemberFilter, MemberWindow, RoleCount, SyncProgress, SyncReport};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use super::Answer;
use crate::desk::Desk;
use crate::files;

/// Rows `offset..offset + limit` (at most 500) of the cached members matching
/// `filter`, with the counts; `null` before the first sync.
#[tauri::command]
pub async fn member_window(
    desk: State<'_, Desk>,
    org_id: String,
    filter: MemberFilter,
    offset: u32,
    limit: u32,
) -> Answer<Option<MemberWindow>> {
    Ok(desk.session().await?.member_window(&org_id, &filter, offset as usize, limit as usize).await?)
}

/// The ids of every cached member matching `filter` ("select all shown").
#[tauri::command]
pub async fn member_ids(desk: State<'_, Desk>, org_id: String, filter: MemberFilter) -> Answer<Vec<String>> {
    Ok(desk.session().await?.member_ids(&org_id, &filter).await?)
}

/// One cached member (the member pane follows changes with it).
#[tauri::command]
pub async fn cached_member(desk: State<'_, Desk>, org_id: String, user_id: String) -> Answer<Option<Member>> {
    Ok(desk.session().await?.cached_member(&org_id, &user_id).await?)
}

/// How many of the selected members hold each role (for the bulk change's warning).
#[tauri::command]
pub async fn member_role_counts(
    desk: State<'_, Desk>,
    org_id: String,
    user_ids: Vec<String>,
) -> Answer<Vec<RoleCount>> {
    Ok(desk.session().await?.member_role_counts(&org_id, &user_ids).await?)
}

/// Brings the cached list up to date, reporting progress after each page.
#[tauri::command]
pub async fn sync_members(
    desk: State<'_, Desk>,
    org_id: String,
    progress: Channel<SyncProgress>,
) -> Answer<SyncReport> {
    let report = |p: SyncProgress| drop(progress.send(p));
    let session = desk.session().await?;
    Ok(session.sync_members(&org_id, SyncMode::Auto, report, &CancelToken::new()).await?)
}

#[tauri::command]
pub async fn change_member_role(
    desk: State<'_, Desk>,
    org_id: String,
    user_id: String,
    version: i64,
    role: String,
) -> Answer<Member> {
    let change = UpdateMember { role: Some(role), status: None };
    Ok(desk.session().await?.update_member(&org_id, &user_id, version, &change).await?)
}

/// With `revoke_api_keys` (disabling only), also revokes the API keys the
/// member created in the org, in the same transaction.
#[tauri::command]
pub async fn set_member_status(
    desk: State<'_, Desk>,
    org_id: String,
    user_id: String,
    version: i64,
    status: MemberStatus,
    revoke_api_keys: bool,
) -> Answer<Member> {
    let session = desk.session().await?;
    if revoke_api_keys && status == MemberStatus::Disabled {
        return Ok(session.disable_member_and_revoke_keys(&org_id, &user_id, version).await?);
    }
    let change = UpdateMember { role: None, status: Some(status) };
    Ok(session.update_member(&org_id, &user_id, version, &change).await?)
}

/// With `revoke_api_keys`, also revokes the API keys the member created in
/// the org, in the same transaction.
#[tauri::command]
pub async fn remove_member(
    desk: State<'_, Desk>,
    org_id: String,
    user_id: String,
    revoke_api_keys: bool,
) -> Answer<()> {
    Ok(desk.session().await?.remove_member(&org_id, &user_id, revoke_api_keys).await?)
}

/// The selected members' role, status or membership, in one request; with
/// `revoke_api_keys` (a removal or disabling), each one's API keys too.
#[tauri::command]
pub async fn bulk_change_members(
    desk: State<'_, Desk>,
    org_id: String,
    user_ids: Vec<String>,
    change: BulkChange,
    revoke_api_keys: bool,
) -> Answer<BulkReport> {
    Ok(desk.session().await?.bulk_change_members(&org_id, user_ids, change, revoke_api_keys).await?)
}

/// Writes the cached member list as CSV where the person chooses; answers
/// the path written, or `None` when they cancelled. The list is read first;
/// the session is not held while the dialog is open.
#[tauri::command]
pub async fn export_members_csv(
    app: AppHandle,
    desk: State<'_, Desk>,
    org_id: String,
    slug: String,
) -> Answer<Option<String>> {
    let members = desk.session().await?.cached_members(&org_id).await?.map(|s| s.data).unwrap_or_default();
    let csv = files::members_csv(&members)?;
    let Some(path) = files::ask_save_path(&app, &files::csv_name(&slug, "members")).await else { return Ok(None) };
    files::write_text(&path, &csv).map(Some)
}

/// A member's recent sign-in times, for the member pane.
#[tauri::command]
pub async fn member_sign_ins(desk: State<'_, Desk>, org_id: String, user_id: String) -> Answer<MemberSignIns> {
    Ok(desk.session().await?.member_sign_ins(&org_id, &user_id).await?)
}
