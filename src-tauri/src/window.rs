//! The main window: one per profile (single instance), its size, position
//! and maximised state remembered (window state), brought forward when a
//! second launch hands over a link.
//!
//! Made here rather than by the config so the benchmark can open the same
//! binary with an empty page (`ORGDESK_BENCH_BLANK_WINDOW=1`): the "empty
//! Tauri window" that cold start is compared with.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::plugin::TauriPlugin;
use tauri::{App, AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent, Wry};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

pub const MAIN: &str = "main";
/// What is remembered of the window: everything but whether it was shown.
const FLAGS: StateFlags = StateFlags::SIZE.union(StateFlags::POSITION).union(StateFlags::MAXIMIZED);
/// Moves and resizes come in bursts: save once this long after the last.
const SAVE_AFTER: Duration = Duration::from_millis(400);

/// The D-Bus name that makes the instance single: the app's identifier, and
/// for a profile other than the default (`ORGDESK_DATA_DIR`) a name derived
/// from its path, so two profiles can run side by side but one profile never
/// runs twice.
pub fn instance_id(profile: Option<&Path>) -> Option<String> {
    let profile = profile?;
    // FNV-1a: stable across builds and runs, unlike std's hasher.
    let hash = profile
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    Some(format!("dev.orgdesk.app.profile{hash:016x}"))
}

pub fn single_instance(profile: Option<&Path>) -> TauriPlugin<Wry> {
    let mut builder = tauri_plugin_single_instance::Builder::new().callback(|app, args, _cwd| {
        tracing::info!("a second launch handed over to this one");
        // Off the D-Bus thread: the second process waits for this call to
        // return, and window calls wait for the main thread, which may be busy.
        let app = app.clone();
        std::thread::spawn(move || {
            crate::links::from_second_launch(&app, &args);
            bring_forward(&app);
        });
    });
    if let Some(id) = instance_id(profile) {
        builder = builder.dbus_id(id);
    }
    builder.build()
}

/// The window-state plugin (it restores a window as it is made), its file
/// beside the profile's data when there is an override, else in the
/// platform's config directory.
pub fn window_state(profile: Option<&Path>) -> TauriPlugin<Wry> {
    let mut builder = tauri_plugin_window_state::Builder::new().with_state_flags(FLAGS);
    if let Some(dir) = profile {
        // An absolute file name: the plugin joins it to its directory, which leaves it as is.
        builder = builder.with_filename(dir.join("window-state.json").to_string_lossy());
    }
    builder.build()
}

pub fn open_main(app: &App) -> tauri::Result<()> {
    let mut config = app.config().app.windows[0].clone();
    if std::env::var_os("ORGDESK_BENCH_BLANK_WINDOW").is_some() {
        config.url = WebviewUrl::App("blank.html".into());
    }
    config.create = true;
    let window = WebviewWindowBuilder::from_config(app.handle(), &config)?.build()?;
    save_on_change(app.handle());
    // Closing keeps the app in the tray when the person turned that on (and there is a tray).
    let handle = app.handle().clone();
    window.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { api, .. } = event {
            let desk = handle.state::<crate::desk::Desk>();
            if desk.place.keep_in_tray() && desk.tray.ready() {
                api.prevent_close();
                if let Some(window) = handle.get_webview_window(MAIN) {
                    let _ = window.hide();
                }
            }
        }
    });
    Ok(())
}

/// The plugin saves on a clean exit only; an app that is killed (by a
/// session ending, or a test driver) would forget. Save shortly after each
/// move or resize as well.
fn save_on_change(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN) else { return };
    let generation = Arc::new(AtomicU64::new(0));
    let handle = app.clone();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
            return;
        }
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let (generation, handle) = (generation.clone(), handle.clone());
        std::thread::spawn(move || {
            std::thread::sleep(SAVE_AFTER);
            if generation.load(Ordering::SeqCst) == mine {
                if let Err(e) = handle.save_window_state(FLAGS) {
                    tracing::warn!(error = %e, "the window state could not be saved");
                }
            }
        });
    });
}

/// Shows, unminimises and focuses the main window.
pub fn bring_forward(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use super::instance_id;
    use std::path::Path;

    #[test]
    fn one_instance_name_per_profile() {
        assert_eq!(instance_id(None), None, "the default profile uses the app identifier");
        let a = instance_id(Some(Path::new("/tmp/profile-a"))).unwrap();
        let b = instance_id(Some(Path::new("/tmp/profile-b"))).unwrap();
        assert_ne!(a, b);
        assert_eq!(a, instance_id(Some(Path::new("/tmp/profile-a"))).unwrap(), "stable");
        // A valid D-Bus well-known name: dot-separated elements of [A-Za-z0-9_-], none starting with a digit.
        for element in a.split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()), "{a}");
            assert!(element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{a}");
        }
    }
}
