//! The audit log: filtered pages and CSV export.

use orgdesk_client::core::api::{AuditEvent, AuditQuery, Page};
use orgdesk_client::Snapshot;
use tauri::{AppHandle, State};

use super::Answer;
use crate::desk::Desk;
use crate::files;

#[tauri::command]
pub async fn audit_page(
    desk: State<'_, Desk>,
    org_id: String,
    query: AuditQuery,
) -> Answer<Snapshot<Page<AuditEvent>>> {
    Ok(desk.session().await?.audit(&org_id, &query).await?)
}

/// Saves the server's CSV of the filtered log where the person chooses. The
/// CSV is fetched first and the session let go before the dialog opens.
#[tauri::command]
pub async fn export_audit_csv(
    app: AppHandle,
    desk: State<'_, Desk>,
    org_id: String,
    slug: String,
    query: AuditQuery,
) -> Answer<Option<String>> {
    let csv = {
        let session = desk.session().await?;
        session.call(|api| api.export_audit_csv(&org_id, &query)).await?
    };
    let Some(path) = files::ask_save_path(&app, &files::csv_name(&slug, "audit")).await else { return Ok(None) };
    files::write_text(&path, &csv).map(Some)
}
