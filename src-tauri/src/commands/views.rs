//! One read channel per view: a screen watches a view once and gets on its
//! channel the cached snapshot at once, the fresh one after revalidation,
//! every later change (from the account's live event stream) and the
//! connection status (`orgdesk_client::watch`). Each answers the watch's id,
//! which `unwatch` stops when the screen goes.

use orgdesk_client::core::api::{Invitation, ManagedInvitation, MyInvitation, MyOrg, Org, Page, Role};
use orgdesk_client::{MemberListState, Sink, ViewEvent};
use tauri::ipc::Channel;
use tauri::State;

use super::Answer;
use crate::desk::Desk;

fn sink<T: serde::Serialize + Clone + Send + Sync + 'static>(channel: Channel<ViewEvent<T>>) -> Sink<T> {
    std::sync::Arc::new(move |event| channel.send(event).is_ok())
}

/// My orgs (the sidebar), with the connection status for the offline banner.
#[tauri::command]
pub async fn watch_orgs(desk: State<'_, Desk>, channel: Channel<ViewEvent<Vec<MyOrg>>>) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_orgs(sink(channel))))
}

/// One org's settings.
#[tauri::command]
pub async fn watch_org(desk: State<'_, Desk>, org_id: String, channel: Channel<ViewEvent<Org>>) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_org(&org_id, sink(channel))))
}

/// An org's member list: its size, revision and sync time, sync progress,
/// and a message whenever it changed (the rows come from `member_window`;
/// ask again only when the revision moved past the rows').
#[tauri::command]
pub async fn watch_members(
    desk: State<'_, Desk>,
    org_id: String,
    channel: Channel<ViewEvent<MemberListState>>,
) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_members(&org_id, sink(channel))))
}

/// An org's open invitations.
#[tauri::command]
pub async fn watch_invitations(
    desk: State<'_, Desk>,
    org_id: String,
    channel: Channel<ViewEvent<Page<Invitation>>>,
) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_invitations(&org_id, sink(channel))))
}

/// An org's roles.
#[tauri::command]
pub async fn watch_roles(desk: State<'_, Desk>, org_id: String, channel: Channel<ViewEvent<Vec<Role>>>) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_roles(&org_id, sink(channel))))
}

/// The invitations addressed to me.
#[tauri::command]
pub async fn watch_my_invitations(
    desk: State<'_, Desk>,
    channel: Channel<ViewEvent<Vec<MyInvitation>>>,
) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_my_invitations(sink(channel))))
}

/// Every pending invitation in the orgs I manage.
#[tauri::command]
pub async fn watch_managed_invitations(
    desk: State<'_, Desk>,
    channel: Channel<ViewEvent<Vec<ManagedInvitation>>>,
) -> Answer<u32> {
    let session = desk.session().await?;
    Ok(desk.views.add(session.watch_managed_invitations(sink(channel))))
}

/// Stops a watch (the screen that made it went away).
#[tauri::command]
pub fn unwatch(desk: State<'_, Desk>, id: u32) {
    desk.views.remove(id);
}
