//! Sign in, accounts, connection state.

use orgdesk_client::{AccountSummary, ConnectionStatus};
use tauri::ipc::Channel;
use tauri::State;

use super::Answer;
use crate::close_guard::CloseGuard;
use crate::desk::{AppState, Desk};

#[tauri::command]
pub async fn app_state(desk: State<'_, Desk>) -> Answer<AppState> {
    Ok(desk.state().await)
}

#[tauri::command]
pub async fn sign_in(
    desk: State<'_, Desk>,
    server_url: String,
    email: String,
    password: String,
) -> Answer<AccountSummary> {
    let session = desk.accounts.sign_in(&server_url, &email, &password).await?;
    Ok(session.account().expect("a session's account is in the book"))
}

#[tauri::command]
pub async fn switch_account(desk: State<'_, Desk>, account_id: String) -> Answer<AccountSummary> {
    let session = desk.accounts.switch_to(&account_id).await?;
    Ok(session.account().expect("a session's account is in the book"))
}

#[tauri::command]
pub async fn sign_out(desk: State<'_, Desk>, account_id: String) -> Answer<()> {
    Ok(desk.accounts.sign_out(&account_id).await?)
}

#[tauri::command]
pub async fn connection_status(desk: State<'_, Desk>) -> Answer<ConnectionStatus> {
    Ok(desk.session().await?.status())
}

#[tauri::command]
pub async fn remember_org(desk: State<'_, Desk>, org_id: String) -> Answer<()> {
    let session = desk.session().await?;
    Ok(desk.accounts.set_last_org(session.account_id(), &org_id)?)
}

/// The UI has (or no longer has) edits that closing the window would drop.
#[tauri::command]
pub fn set_unsaved_edits(guard: State<'_, CloseGuard>, unsaved: bool) {
    guard.set_unsaved(unsaved);
}

/// Close requests held for unsaved edits arrive on `channel`.
#[tauri::command]
pub fn watch_close_requests(guard: State<'_, CloseGuard>, channel: Channel<()>) {
    guard.listen(channel);
}

/// Closes the window after the person agreed to drop unsaved edits.
#[tauri::command]
pub fn close_window(window: tauri::Window, guard: State<'_, CloseGuard>) {
    guard.agree_to_close();
    if let Err(e) = window.close() {
        tracing::warn!(error = %e, "closing the window failed");
    }
}
