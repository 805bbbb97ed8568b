//! Files the app writes or reads on the user's behalf. The native dialogs are
//! opened from Rust and Rust does the I/O, so the web UI never names a path.
//!
//! The dialogs are awaited, never blocked on: the plugin's `blocking_*` calls
//! park a thread of the async runtime for as long as the dialog is open, and
//! with them every other command waited for the person to close it. Callers
//! gather what they need and let go of the session before asking.

use std::path::PathBuf;

use orgdesk_client::core::api::Member;
use orgdesk_client::{Code, UiError};
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};

fn storage_error(message: String) -> UiError {
    UiError { code: Code::Storage, message }
}

/// Which dialog to show; both answer `None` when the person cancelled.
enum Ask {
    Save,
    Pick,
}

/// Shows the dialog through the plugin's callback API and awaits its answer
/// on a channel: the calling task yields instead of holding a runtime thread.
async fn ask(dialog: FileDialogBuilder<tauri::Wry>, kind: Ask) -> Option<PathBuf> {
    let (tx, mut rx) = tauri::async_runtime::channel::<Option<FilePath>>(1);
    // Called once, from the plugin's own thread; capacity 1 always has room.
    let answer = move |path: Option<FilePath>| drop(tx.try_send(path));
    match kind {
        Ask::Save => dialog.save_file(answer),
        Ask::Pick => dialog.pick_file(answer),
    }
    // `None` from `recv` means the plugin dropped the callback unanswered
    // (the dialog could not be shown): the same as cancelled.
    rx.recv().await.flatten().and_then(|path| path.into_path().ok())
}

/// Asks where to save; `None` when the person cancelled.
pub async fn ask_save_path(app: &AppHandle, suggested_name: &str) -> Option<PathBuf> {
    let dialog = app.dialog().file().add_filter("CSV", &["csv"]).set_file_name(suggested_name);
    ask(dialog, Ask::Save).await
}

/// Asks for an image; `None` when the person cancelled.
pub async fn ask_image_path(app: &AppHandle) -> Option<PathBuf> {
    let dialog = app.dialog().file().add_filter("Image", &["png", "jpg", "jpeg", "webp"]);
    ask(dialog, Ask::Pick).await
}

pub fn write_text(path: &PathBuf, text: &str) -> Result<String, UiError> {
    std::fs::write(path, text).map_err(|e| storage_error(format!("Could not write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

/// The image's bytes and its media type, judged by the file name.
pub fn read_image(path: &PathBuf) -> Result<(Vec<u8>, &'static str), UiError> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let content_type = match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => {
            return Err(UiError {
                code: Code::UnsupportedMediaType,
                message: "Choose a PNG, JPEG or WebP image.".into(),
            })
        }
    };
    let bytes = std::fs::read(path).map_err(|e| storage_error(format!("Could not read {}: {e}", path.display())))?;
    Ok((bytes, content_type))
}

pub fn members_csv(members: &[Member]) -> Result<String, UiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| storage_error(format!("Could not write the CSV: {e}"));
    writer.write_record(["name", "email", "role", "status", "joined_at", "last_active_at"]).map_err(fail)?;
    for m in members {
        writer
            .write_record([
                m.name.as_str(),
                m.email.as_str(),
                m.role.as_str(),
                m.status.as_str(),
                m.joined_at.as_str(),
                m.last_active_at.as_deref().unwrap_or(""),
            ])
            .map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| storage_error(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| storage_error(e.to_string()))
}

/// A file name from an org slug, safe on every platform.
pub fn csv_name(slug: &str, what: &str) -> String {
    let slug: String = slug.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("{slug}-{what}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgdesk_client::core::api::MemberStatus;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let member = Member {
            user_id: "u1".into(),
            email: "ada@example.com".into(),
            name: "Lovelace, \"Ada\"".into(),
            role: "admin".into(),
            status: MemberStatus::Active,
            joined_at: "2026-01-01T00:00:00Z".into(),
            last_active_at: None,
            timezone: "Europe/London".into(),
            version: 1,
        };
        let text = members_csv(&[member]).unwrap();
        assert_eq!(
            text,
            "name,email,role,status,joined_at,last_active_at\n\"Lovelace, \"\"Ada\"\"\",ada@example.com,admin,active,2026-01-01T00:00:00Z,\n"
        );
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(csv_name("north/../wind", "members"), "northwind-members.csv");
    }
}
