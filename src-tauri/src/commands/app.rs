//! The desktop shell itself: incoming links, the last screen, diagnostics.

use tauri::ipc::Channel;
use tauri::State;

use super::Answer;
use crate::desk::Desk;
use crate::links::{org_link, LinkEvent, OrgScreen};
use orgdesk_client::{Code, UiError};

/// Sends every `orgdesk://` link received, now and later, over `links`:
/// a link to open, or why one was refused.
#[tauri::command]
pub fn watch_links(desk: State<'_, Desk>, links: Channel<LinkEvent>) {
    desk.links.subscribe(links);
}

/// Rebuilds the tray menu (the account's first nine orgs, invitations
/// expiring within 24 hours); the UI asks after each refresh of the org list.
#[tauri::command]
pub async fn refresh_tray(app: tauri::AppHandle) -> Answer<()> {
    crate::tray::refresh(&app).await;
    Ok(())
}

/// The labels of the tray menu as last set (the tray cannot be read back
/// from the desktop under Xvfb, so tests read it here).
#[tauri::command]
pub fn tray_menu(desk: State<'_, Desk>) -> Vec<String> {
    desk.tray.labels()
}

/// Whether closing the window keeps the app running in the tray.
#[tauri::command]
pub fn set_keep_in_tray(desk: State<'_, Desk>, on: bool) -> Answer<()> {
    desk.place.set_keep_in_tray(on)
}

/// Native notifications on or off (kept in the profile).
#[tauri::command]
pub fn set_notifications(desk: State<'_, Desk>, on: bool) -> Answer<()> {
    desk.place.set_notifications(on)
}

/// The last notices of the live streams and whether each was shown (for
/// diagnostics and the end-to-end run; titles only, no names).
#[tauri::command]
pub fn notification_log(desk: State<'_, Desk>) -> Vec<String> {
    desk.notices.recent()
}

/// Remembers the screen shown, to open it again after a restart.
#[tauri::command]
pub fn remember_screen(desk: State<'_, Desk>, screen: String) -> Answer<()> {
    desk.place.set_screen(&screen)
}

/// What support asks for, as text to paste: versions, OS, server, the
/// connection's last error, the last problems of the log file and the UI's
/// own last errors (`ui_errors`). Carries no token and no email address.
#[tauri::command]
pub async fn diagnostics(
    desk: State<'_, Desk>,
    updates: State<'_, crate::updates::Updates>,
    ui_errors: Vec<String>,
) -> Answer<String> {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("Orgdesk {} (Tauri {})", env!("CARGO_PKG_VERSION"), tauri::VERSION));
    line(format!("OS: {} {} ({})", std::env::consts::OS, std::env::consts::ARCH, os_name()));
    line(format!("Keychain: {:?}", desk.accounts.vault_status()));
    line(format!("Updates: {}", updates.status().summary()));
    line(format!(
        "Accounts: {} ({} signed in)",
        desk.accounts.list().len(),
        desk.accounts.list().iter().filter(|a| a.signed_in).count()
    ));
    match desk.accounts.active().filter(|a| a.signed_in) {
        Some(account) => {
            line(format!("Server: {}", account.server_url));
            if let Ok(session) = desk.session().await {
                let status = session.status();
                line(format!(
                    "Online: {}; live stream: {:?}; last sync: {}; last event: {}",
                    status.online,
                    status.stream,
                    status.last_sync_at.as_deref().unwrap_or("never"),
                    session.last_event_id().await.unwrap_or_else(|| "none".into())
                ));
                if let Some(error) = status.last_error {
                    line(format!("Last connection error: {:?}: {}", error.code, error.message));
                }
            }
        }
        None => line("Server: none (not signed in)".into()),
    }
    line(format!("Views watched: {}", desk.views.count()));
    line(format!("Notifications: {}", if desk.place.notifications() { "on" } else { "off" }));
    for notice in desk.notices.recent() {
        line(format!("  {notice}"));
    }
    line(format!("Log file: {}", desk.log.path().map(|p| p.display().to_string()).unwrap_or_else(|| "none".into())));
    line("Last problems in the log:".into());
    let problems = desk.log.recent_problems(20);
    if problems.is_empty() {
        line("  none".into());
    }
    for problem in problems {
        line(format!("  {}", redact_addresses(&problem)));
    }
    line("Last errors shown:".into());
    if ui_errors.is_empty() {
        line("  none".into());
    }
    for error in ui_errors.iter().rev().take(20).rev() {
        line(format!("  {}", redact_addresses(&error.chars().take(500).collect::<String>())));
    }
    Ok(out)
}

/// `text` with every word that looks like an email address replaced by
/// `<address>`: an error toast can name the account ("which a@b cannot see").
fn redact_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
            match bare.split_once('@') {
                Some((user, host)) if !user.is_empty() && host.contains('.') => word.replace(bare, "<address>"),
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// PRETTY_NAME of /etc/os-release, where there is one.
fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The `orgdesk://o/<slug>/<screen>` link of an org's screen, made by the
/// same module that parses links, so what is copied opens again.
#[tauri::command]
pub fn screen_link(slug: String, screen: Option<OrgScreen>) -> Answer<String> {
    match crate::links::parse(&org_link(&slug, screen)) {
        Ok(_) => Ok(org_link(&slug, screen)),
        Err(refused) => Err(UiError { code: Code::ValidationFailed, message: refused.0 }),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_addresses;

    #[test]
    fn diagnostics_name_no_address() {
        assert_eq!(
            redact_addresses("The link points to “x”, which agency@orgdesk.test cannot see."),
            "The link points to “x”, which <address> cannot see."
        );
        assert_eq!(redact_addresses("Invited (a.b@example.com)"), "Invited (<address>)");
        assert_eq!(redact_addresses("no @ here, user@localhost stays"), "no @ here, user@localhost stays");
    }
}
