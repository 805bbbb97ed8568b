//! Native notifications (`tauri-plugin-notification`, on Linux the desktop's
//! org.freedesktop.Notifications service) for the notices of every signed-in
//! account's live stream: an invitation I sent was accepted or declined, I
//! was invited somewhere. On by default; the person can turn them off
//! (`place.json`). Each notice is also logged (`recent`), shown or not, for
//! "Copy diagnostics" and the end-to-end run.

use std::collections::VecDeque;
use std::sync::Mutex;

use orgdesk_client::Notice;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::desk::Desk;

/// The last notices and what became of each.
#[derive(Default)]
pub struct NoticeLog {
    lines: Mutex<VecDeque<String>>,
}

impl NoticeLog {
    fn push(&self, line: String) {
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.push_back(line);
        while lines.len() > 20 {
            lines.pop_front();
        }
    }

    pub fn recent(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }
}

/// Shows every notice from now on, while the app runs.
pub fn start(app: &AppHandle) {
    let app = app.clone();
    let mut notices = app.state::<Desk>().accounts.notices();
    tauri::async_runtime::spawn(async move {
        loop {
            match notices.recv().await {
                Ok(notice) => show(&app, &notice),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "notices came faster than they were shown")
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

fn show(app: &AppHandle, notice: &Notice) {
    let desk = app.state::<Desk>();
    let kind = format!("{:?}", notice.kind);
    if !desk.place.notifications() {
        desk.notices.push(format!("{kind}: not shown (notifications are off)"));
        return;
    }
    let shown = app.notification().builder().title(&notice.title).body(&notice.body).show();
    match shown {
        Ok(()) => {
            tracing::info!(kind = %kind, "notification shown");
            // The title only: the body names a person.
            desk.notices.push(format!("{kind}: shown ({})", notice.title));
        }
        Err(e) => {
            tracing::warn!(error = %e, "a notification could not be shown");
            desk.notices.push(format!("{kind}: failed ({e})"));
        }
    }
}
