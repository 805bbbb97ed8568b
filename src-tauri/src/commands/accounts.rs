//! Sign in, accounts, connection state.

use orgdesk_client::{AccountSummary, ConnectionStatus};
use tauri::State;

use super::Answer;
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
