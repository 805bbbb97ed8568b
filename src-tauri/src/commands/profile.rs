//! Creating an account, recovering it, and the signed-in person's own
//! account screen: profile, address, sessions, security log. Emailed links
//! are passed as pasted; `orgdesk_client::pasted_token` reads them.

use orgdesk_client::core::api::{OidcProvider, Page, SecurityEvent, Session, SignUp, UpdateProfile, User};
use orgdesk_client::AccountSummary;
use tauri::State;

use super::Answer;
use crate::desk::Desk;

#[tauri::command]
pub async fn sign_up(
    desk: State<'_, Desk>,
    server_url: String,
    name: String,
    email: String,
    password: String,
    timezone: Option<String>,
) -> Answer<AccountSummary> {
    let req = SignUp { email: email.trim().to_owned(), name: name.trim().to_owned(), password, timezone };
    let session = desk.accounts.sign_up(&server_url, &req).await?;
    Ok(session.account().expect("a session's account is in the book"))
}

#[tauri::command]
pub async fn request_password_reset(desk: State<'_, Desk>, server_url: String, email: String) -> Answer<()> {
    Ok(desk.accounts.request_password_reset(&server_url, &email).await?)
}

#[tauri::command]
pub async fn reset_password(desk: State<'_, Desk>, server_url: String, link: String, password: String) -> Answer<()> {
    Ok(desk.accounts.reset_password(&server_url, &link, &password).await?)
}

#[tauri::command]
pub async fn my_profile(desk: State<'_, Desk>) -> Answer<User> {
    Ok(desk.session().await?.me().await?)
}

#[tauri::command]
pub async fn update_profile(desk: State<'_, Desk>, name: Option<String>, timezone: Option<String>) -> Answer<User> {
    Ok(desk.session().await?.update_profile(&UpdateProfile { name, timezone }).await?)
}

#[tauri::command]
pub async fn verify_email(desk: State<'_, Desk>, link: String) -> Answer<User> {
    Ok(desk.session().await?.verify_email(&link).await?)
}

#[tauri::command]
pub async fn resend_verification(desk: State<'_, Desk>) -> Answer<()> {
    Ok(desk.session().await?.resend_verification().await?)
}

#[tauri::command]
pub async fn change_email(desk: State<'_, Desk>, email: String, password: String) -> Answer<()> {
    Ok(desk.session().await?.change_email(&email, &password).await?)
}

#[tauri::command]
pub async fn confirm_email_change(desk: State<'_, Desk>, link: String) -> Answer<User> {
    Ok(desk.session().await?.confirm_email_change(&link).await?)
}

#[tauri::command]
pub async fn my_sessions(desk: State<'_, Desk>) -> Answer<Vec<Session>> {
    Ok(desk.session().await?.sessions().await?)
}

#[tauri::command]
pub async fn revoke_session(desk: State<'_, Desk>, session_id: String) -> Answer<()> {
    Ok(desk.session().await?.revoke_session(&session_id).await?)
}

#[tauri::command]
pub async fn security_log(desk: State<'_, Desk>, cursor: Option<String>) -> Answer<Page<SecurityEvent>> {
    Ok(desk.session().await?.security_log(cursor).await?)
}

#[tauri::command]
pub async fn auth_providers(desk: State<'_, Desk>, server_url: String) -> Answer<Vec<OidcProvider>> {
    Ok(desk.accounts.auth_providers(&server_url).await?)
}

/// Starts signing in with `provider` and opens its page in the system
/// browser; the app continues when `orgdesk://auth/callback?code=…` arrives.
#[tauri::command]
pub async fn start_provider_sign_in(
    desk: State<'_, Desk>,
    server_url: String,
    provider: String,
    invitation: Option<String>,
) -> Answer<()> {
    let url = desk.accounts.start_provider_sign_in(&server_url, &provider, invitation.as_deref()).await?;
    crate::browser::open(&url)
}

/// Redeems the one-time code of the provider round trip for a session.
#[tauri::command]
pub async fn finish_provider_sign_in(desk: State<'_, Desk>, code: String) -> Answer<AccountSummary> {
    let session = desk.accounts.finish_provider_sign_in(&code).await?;
    Ok(session.account().expect("a session's account is in the book"))
}
