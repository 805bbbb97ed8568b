//! Signed updates: what the updater found, a check now, an install on request.

use tauri::ipc::Channel;
use tauri::State;

use super::Answer;
use crate::updates::{UpdateStatus, Updates};

/// Sends the updater's status now and on every change over `updates`.
#[tauri::command]
pub fn watch_updates(updates: State<'_, Updates>, channel: Channel<UpdateStatus>) {
    updates.subscribe(channel);
}

/// Asks the update URL now (the app also asks at start and daily).
#[tauri::command]
pub async fn check_for_update(app: tauri::AppHandle, updates: State<'_, Updates>) -> Answer<UpdateStatus> {
    Ok(updates.check(&app).await)
}

/// Downloads the update found, checks its signature and installs it.
#[tauri::command]
pub async fn install_update(updates: State<'_, Updates>) -> Answer<UpdateStatus> {
    Ok(updates.install().await)
}
