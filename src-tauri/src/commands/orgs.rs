//! Organizations: my list, create, settings, logo, transfer, leave, delete.

use orgdesk_client::core::api::{CreateOrg, MyOrg, Org, UpdateOrg};
use orgdesk_client::Snapshot;
use tauri::{AppHandle, State};

use super::Answer;
use crate::desk::Desk;
use crate::files;

#[tauri::command]
pub async fn cached_orgs(desk: State<'_, Desk>) -> Answer<Option<Snapshot<Vec<MyOrg>>>> {
    Ok(desk.session().await?.cached_orgs().await?)
}

#[tauri::command]
pub async fn refresh_orgs(desk: State<'_, Desk>) -> Answer<Snapshot<Vec<MyOrg>>> {
    Ok(desk.session().await?.orgs().await?)
}

#[tauri::command]
pub async fn create_org(desk: State<'_, Desk>, name: String, slug: Option<String>) -> Answer<Org> {
    Ok(desk.session().await?.create_org(&CreateOrg { name, slug }).await?)
}

#[tauri::command]
pub async fn cached_org_details(desk: State<'_, Desk>, org_id: String) -> Answer<Option<Snapshot<Org>>> {
    Ok(desk.session().await?.cached_org(&org_id).await?)
}

#[tauri::command]
pub async fn org_details(desk: State<'_, Desk>, org_id: String) -> Answer<Snapshot<Org>> {
    Ok(desk.session().await?.org(&org_id).await?)
}

#[tauri::command]
pub async fn update_org(desk: State<'_, Desk>, org_id: String, version: i64, change: UpdateOrg) -> Answer<Org> {
    Ok(desk.session().await?.update_org(&org_id, version, &change).await?)
}

/// Opens a file picker and uploads the chosen image; `None` when cancelled.
/// No session is held while the picker is open: the upload takes the
/// session of the account that asked, afterwards (an error if it signed
/// out meanwhile; switching accounts does not send the logo elsewhere).
#[tauri::command]
pub async fn choose_org_logo(app: AppHandle, desk: State<'_, Desk>, org_id: String) -> Answer<Option<Org>> {
    let account_id = desk.session().await?.account_id().to_owned();
    let Some(path) = files::ask_image_path(&app).await else { return Ok(None) };
    let (bytes, content_type) = files::read_image(&path)?;
    let session = desk.accounts.session(&account_id).await?;
    Ok(Some(session.call(|api| api.set_org_logo(&org_id, bytes, content_type)).await?))
}

/// The logo as a `data:` URL (the CSP allows images from data: only).
#[tauri::command]
pub async fn org_logo(desk: State<'_, Desk>, org_id: String) -> Answer<String> {
    let session = desk.session().await?;
    let (bytes, content_type) = session.call(|api| api.org_logo(&org_id)).await?;
    Ok(format!("data:{content_type};base64,{}", base64_encode(&bytes)))
}

#[tauri::command]
pub async fn transfer_ownership(desk: State<'_, Desk>, org_id: String, user_id: String) -> Answer<()> {
    let session = desk.session().await?;
    Ok(session.call(|api| api.transfer_ownership(&org_id, &user_id)).await?)
}

#[tauri::command]
pub async fn leave_org(desk: State<'_, Desk>, org_id: String) -> Answer<()> {
    Ok(desk.session().await?.call(|api| api.leave_org(&org_id)).await?)
}

#[tauri::command]
pub async fn delete_org(desk: State<'_, Desk>, org_id: String, confirm_slug: String) -> Answer<()> {
    let session = desk.session().await?;
    Ok(session.call(|api| api.delete_org(&org_id, &confirm_slug)).await?)
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
