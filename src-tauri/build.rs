//! Build script of the desktop shell. The Tauri config sits at the workspace
//! root (tauri.conf.json), capabilities in src-tauri/capabilities. Every
//! command registered in src-tauri/src/commands/mod.rs becomes an
//! `allow-<command>` permission, so the capability file can grant exactly
//! the app's own commands and nothing else.

const COMMANDS_FILE: &str = "src-tauri/src/commands/mod.rs";

/// `module::command,` lines of the `generate_handler!` list.
fn command_names() -> &'static [&'static str] {
    let source = std::fs::read_to_string(COMMANDS_FILE).expect("read the command list");
    let names: Vec<&'static str> = source
        .lines()
        .filter_map(|line| line.trim().strip_suffix(','))
        .filter_map(|entry| entry.split_once("::").map(|(_, name)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(|name| &*Box::leak(name.to_owned().into_boxed_str()))
        .collect();
    Box::leak(names.into_boxed_slice())
}

fn main() {
    println!("cargo:rerun-if-changed={COMMANDS_FILE}");
    let attributes = tauri_build::Attributes::new()
        .config_path("tauri.conf.json")
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(command_names()));
    tauri_build::try_build(attributes).expect("tauri build script");
}
