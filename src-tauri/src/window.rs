//! The main window, made here rather than by the config so the benchmark can
//! open the same binary with an empty page (`ORGDESK_BENCH_BLANK_WINDOW=1`):
//! the "empty Tauri window" that cold start is compared with.

use tauri::{App, WebviewUrl, WebviewWindowBuilder};

pub fn open_main(app: &App) -> tauri::Result<()> {
    let mut config = app.config().app.windows[0].clone();
    if std::env::var_os("ORGDESK_BENCH_BLANK_WINDOW").is_some() {
        config.url = WebviewUrl::App("blank.html".into());
    }
    config.create = true;
    WebviewWindowBuilder::from_config(app.handle(), &config)?.build()?;
    Ok(())
}
