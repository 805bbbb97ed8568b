//! The Orgdesk desktop shell: thin Tauri commands over `orgdesk-client`.
//! Only this side talks to the network and the keychain; the web UI gets
//! data and `{code, message}` errors, never a token.

mod browser;
mod close_guard;
mod commands;
mod desk;
mod files;
mod invite_links;
mod window;

#[cfg(all(test, feature = "ts"))]
mod bindings;

use tauri::Manager;

pub use desk::{AppState, Desk};

/// Where accounts and caches live: `ORGDESK_DATA_DIR` when set (tests use a
/// temporary profile), else the platform's app data directory.
fn data_dir(app: &tauri::App) -> std::path::PathBuf {
    match std::env::var_os("ORGDESK_DATA_DIR") {
        Some(dir) => dir.into(),
        None => app.path().app_data_dir().expect("no app data directory on this system"),
    }
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,orgdesk=info".into()),
        )
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_deep_link::init())
        .setup(|app| {
            let desk = tauri::async_runtime::block_on(Desk::open(data_dir(app))).map_err(|e| e.message)?;
            app.manage(desk);
            app.manage(close_guard::CloseGuard::default());
            invite_links::listen(app.handle());
            window::open_main(app)?;
            Ok(())
        })
        .on_window_event(close_guard::on_window_event)
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("the Orgdesk window failed to start");
}
