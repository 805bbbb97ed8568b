//! The Orgdesk desktop shell: Tauri commands over `orgdesk-client`.

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_deep_link::init())
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("the Orgdesk window failed to start");
}
