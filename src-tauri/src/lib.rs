//! The Orgdesk desktop shell: thin Tauri commands over `orgdesk-client`.
//! Only this side talks to the network and the keychain; the web UI gets
//! data and `{code, message}` errors, never a token.

mod browser;
mod close_guard;
mod commands;
mod desk;
mod files;
mod links;
mod logging;
mod notify;
mod place;
mod rendering;
mod tray;
mod updates;
mod views;
mod window;

#[cfg(all(test, feature = "ts"))]
mod bindings;
#[cfg(all(test, feature = "ts"))]
mod contract;

use std::path::PathBuf;

use tauri::Manager;

pub use desk::{AppState, Desk};

/// `ORGDESK_DATA_DIR` when set: tests use a temporary profile. The app's
/// data, its log and its window state then all live under it.
fn profile_override() -> Option<PathBuf> {
    std::env::var_os("ORGDESK_DATA_DIR").map(PathBuf::from)
}

/// Where accounts and caches live: the override, else the platform's app data directory.
fn data_dir(app: &tauri::App) -> PathBuf {
    profile_override().unwrap_or_else(|| app.path().app_data_dir().expect("no app data directory on this system"))
}

/// Where the log file goes: `<profile>/logs` with the override, else the
/// platform's log directory (on Linux ~/.local/share/dev.orgdesk.app/logs).
fn log_dir(app: &tauri::App) -> PathBuf {
    match profile_override() {
        Some(dir) => dir.join("logs"),
        None => app.path().app_log_dir().expect("no log directory on this system"),
    }
}

pub fn run() {
    let painting = rendering::choose();
    let log = logging::init();
    tauri::Builder::default()
        // First: a second launch hands its arguments (an orgdesk:// link) to
        // the running app and exits before anything else of it starts.
        .plugin(window::single_instance(profile_override().as_deref()))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(window::window_state(profile_override().as_deref()))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            match log.open(&log_dir(app)) {
                Ok(path) => {
                    tracing::info!(path = %path.display(), version = env!("CARGO_PKG_VERSION"), "Orgdesk started")
                }
                Err(e) => tracing::warn!(error = %e, "the log file could not be opened; logging to stderr only"),
            }
            if painting == rendering::Painting::CpuWithoutGpu {
                tracing::info!("no GPU render node: the web view paints on the CPU");
            }
            let dir = data_dir(app);
            let desk = tauri::async_runtime::block_on(Desk::open(dir, log)).map_err(|e| e.message)?;
            app.manage(desk);
            notify::start(app.handle());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { handle.state::<Desk>().warm_up().await });
            app.manage(close_guard::CloseGuard::default());
            links::listen(app.handle());
            app.manage(updates::Updates::from_config(app.handle()));
            window::open_main(app)?;
            tray::create(app.handle());
            updates::start(app.handle());
            Ok(())
        })
        .on_window_event(close_guard::on_window_event)
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("the Orgdesk window failed to start");
}
