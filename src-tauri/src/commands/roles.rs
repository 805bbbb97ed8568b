//! Roles of an org and the permission catalog.

use orgdesk_client::core::api::{CreateRole, PermissionInfo, Role, UpdateRole};
use orgdesk_client::Snapshot;
use tauri::State;

use super::Answer;
use crate::desk::Desk;

#[tauri::command]
pub async fn cached_roles(desk: State<'_, Desk>, org_id: String) -> Answer<Option<Snapshot<Vec<Role>>>> {
    Ok(desk.session().await?.cached_roles(&org_id).await?)
}

#[tauri::command]
pub async fn refresh_roles(desk: State<'_, Desk>, org_id: String) -> Answer<Snapshot<Vec<Role>>> {
    Ok(desk.session().await?.roles(&org_id).await?)
}

#[tauri::command]
pub async fn permission_catalog(desk: State<'_, Desk>) -> Answer<Vec<PermissionInfo>> {
    Ok(desk.session().await?.call(|api| api.permission_catalog()).await?)
}

#[tauri::command]
pub async fn create_role(desk: State<'_, Desk>, org_id: String, role: CreateRole) -> Answer<Role> {
    Ok(desk.session().await?.create_role(&org_id, &role).await?)
}

#[tauri::command]
pub async fn update_role(desk: State<'_, Desk>, org_id: String, key: String, change: UpdateRole) -> Answer<Role> {
    Ok(desk.session().await?.update_role(&org_id, &key, &change).await?)
}

#[tauri::command]
pub async fn delete_role(desk: State<'_, Desk>, org_id: String, key: String) -> Answer<()> {
    Ok(desk.session().await?.delete_role(&org_id, &key).await?)
}
