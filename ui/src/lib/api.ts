// The app's commands: the wrappers are generated from the Rust commands
// (src-tauri/src/contract.rs → ./bindings/commands.ts); nothing is written
// here by hand. Every command rejects with a UiError `{code, message}`.
export * from "./bindings/commands";
