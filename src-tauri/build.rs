//! Build script of the desktop shell: the Tauri config and capabilities live at
//! the workspace root (tauri.conf.json) and in src-tauri/capabilities.
fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("tauri.conf.json")
        .capabilities_path_pattern("./src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri build script");
}
