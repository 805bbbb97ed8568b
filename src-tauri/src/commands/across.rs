//! Across my orgs: every pending invitation I manage, and one person in all
//! my orgs.

use orgdesk_client::core::api::{ManagedInvitation, PersonMembership, RemovePersonResults};
use orgdesk_client::Snapshot;
use tauri::State;

use super::Answer;
use crate::desk::Desk;

#[tauri::command]
pub async fn cached_managed_invitations(desk: State<'_, Desk>) -> Answer<Option<Snapshot<Vec<ManagedInvitation>>>> {
    Ok(desk.session().await?.cached_managed_invitations().await?)
}

#[tauri::command]
pub async fn refresh_managed_invitations(desk: State<'_, Desk>) -> Answer<Snapshot<Vec<ManagedInvitation>>> {
    Ok(desk.session().await?.managed_invitations().await?)
}

/// Everyone whose name or email starts with `query` across my orgs.
#[tauri::command]
pub async fn find_people(desk: State<'_, Desk>, query: String) -> Answer<Vec<PersonMembership>> {
    Ok(desk.session().await?.find_people(&query).await?)
}

/// With `revoke_api_keys`, each removal also revokes the keys the person
/// created in that org.
#[tauri::command]
pub async fn remove_person(
    desk: State<'_, Desk>,
    email: String,
    org_ids: Vec<String>,
    revoke_api_keys: bool,
) -> Answer<RemovePersonResults> {
    Ok(desk.session().await?.remove_person(&email, &org_ids, revoke_api_keys).await?)
}
