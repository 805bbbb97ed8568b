//! Generates the UI's side of the command contract from the Rust source, so
//! that nothing about a command is written twice:
//!
//! - `ui/src/lib/bindings/commands.ts`: one typed wrapper per command
//!   registered in `commands/mod.rs` (its name, its argument keys in Tauri's
//!   camelCase, their TypeScript types, the answer's type, its doc comment),
//!   read from the `#[tauri::command]` functions in `commands/*.rs`;
//! - `src-tauri/capabilities/main.json`: the main window's grants, exactly
//!   `allow-<command>` for each registered command.
//!
//! The types named come from ts-rs (`bindings.rs` writes them to the same
//! directory). Run with the bindings (`cargo test --features ts --lib -p
//! orgdesk`); CI fails when the committed files differ.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use syn::{FnArg, GenericArgument, Item, PathArguments, ReturnType, Type};

/// Arguments Tauri injects rather than the UI passes.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow", "Webview"];

/// One command as the UI sees it.
#[derive(Debug)]
pub struct Command {
    /// `sign_in`.
    pub name: String,
    pub doc: Vec<String>,
    /// (camelCase key, TypeScript type)
    pub args: Vec<(String, String)>,
    /// The TypeScript type of a successful answer.
    pub answer: String,
}

/// The registered commands (`module::name` lines of `commands::handler`), in order.
pub fn registered(mod_rs: &str) -> Vec<(String, String)> {
    let start = mod_rs.find("generate_handler![").expect("commands/mod.rs has generate_handler![");
    let list = &mod_rs[start..];
    let end = list.find(']').expect("the handler list ends");
    list["generate_handler![".len()..end]
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (module, name) = entry.split_once("::").unwrap_or_else(|| panic!("`{entry}` is module::command"));
            (module.to_owned(), name.to_owned())
        })
        .collect()
}

/// Reads every registered command's signature from `commands/<module>.rs`.
pub fn commands(dir: &Path) -> Vec<Command> {
    let mod_rs = std::fs::read_to_string(dir.join("mod.rs")).expect("read commands/mod.rs");
    let mut by_module: BTreeMap<String, BTreeMap<String, Command>> = BTreeMap::new();
    let mut out = Vec::new();
    for (module, name) in registered(&mod_rs) {
        let found = by_module.entry(module.clone()).or_insert_with(|| {
            let source = std::fs::read_to_string(dir.join(format!("{module}.rs")))
                .unwrap_or_else(|e| panic!("read commands/{module}.rs: {e}"));
            let file = syn::parse_file(&source).unwrap_or_else(|e| panic!("parse commands/{module}.rs: {e}"));
            file.items.iter().filter_map(command_of).map(|c| (c.name.clone(), c)).collect()
        });
        let command = found
            .remove(&name)
            .unwrap_or_else(|| panic!("{module}::{name} is registered but is not a #[tauri::command] there"));
        out.push(command);
    }
    for (module, left) in by_module {
        assert!(left.is_empty(), "commands/{module}.rs has commands nobody registered: {:?}", left.keys());
    }
    out
}

fn command_of(item: &Item) -> Option<Command> {
    let Item::Fn(f) = item else { return None };
    let is_command = f.attrs.iter().any(|a| {
        let segments: Vec<String> = a.path().segments.iter().map(|s| s.ident.to_string()).collect();
        segments == ["tauri", "command"] || segments == ["command"]
    });
    if !is_command {
        return None;
    }
    let doc = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let FnArg::Typed(arg) = input else { continue };
        if INJECTED.contains(&last_ident(&arg.ty).as_str()) {
            continue;
        }
        let syn::Pat::Ident(name) = &*arg.pat else { panic!("{}: arguments must be plain names", f.sig.ident) };
        args.push((camel_case(&name.ident.to_string()), ts_type(&arg.ty)));
    }
    let answer = match &f.sig.output {
        ReturnType::Default => "void".to_owned(),
        ReturnType::Type(_, ty) => match (last_ident(ty).as_str(), generic_args(ty).as_slice()) {
            ("Answer", [inner]) => ts_type(inner),
            _ => ts_type(ty),
        },
    };
    Some(Command { name: f.sig.ident.to_string(), doc, args, answer })
}

fn last_ident(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        Type::Reference(r) => last_ident(&r.elem),
        _ => String::new(),
    }
}

fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(p) = ty else { return Vec::new() };
    let Some(last) = p.path.segments.last() else { return Vec::new() };
    let PathArguments::AngleBracketed(args) = &last.arguments else { return Vec::new() };
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The TypeScript of a Rust argument or answer type (as ts-rs writes them).
pub fn ts_type(ty: &Type) -> String {
    if let Type::Tuple(t) = ty {
        assert!(t.elems.is_empty(), "tuples are not part of the contract");
        return "void".to_owned();
    }
    if let Type::Reference(r) = ty {
        return ts_type(&r.elem);
    }
    let name = last_ident(ty);
    let args: Vec<String> = generic_args(ty).into_iter().map(ts_type).collect();
    match (name.as_str(), args.as_slice()) {
        ("String" | "str", []) => "string".into(),
        ("bool", []) => "boolean".into(),
        ("i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "f32" | "f64", []) => "number".into(),
        ("Option", [inner]) => format!("{inner} | null"),
        ("Vec", [inner]) if inner.contains(' ') => format!("({inner})[]"),
        ("Vec", [inner]) => format!("{inner}[]"),
        ("Value", []) => "unknown".into(),
        (named, []) => named.into(),
        (named, args) => format!("{named}<{}>", args.join(", ")),
    }
}

/// Tauri's key for an argument: `org_id` → `orgId`.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The names a TypeScript type refers to that ts-rs exported.
fn named_types(ts: &str, into: &mut BTreeSet<String>) {
    for word in ts.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && word != "Channel" {
            into.insert(word.to_owned());
        }
    }
}

/// `commands.ts`.
pub fn typescript(commands: &[Command]) -> String {
    let mut types = BTreeSet::new();
    let mut uses_channel = false;
    for c in commands {
        for (_, ty) in &c.args {
            named_types(ty, &mut types);
            uses_channel |= ty.starts_with("Channel<");
        }
        named_types(&c.answer, &mut types);
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/commands/*.rs by src-tauri/src/contract.rs\n\
         // (`cargo test --features ts --lib -p orgdesk`). Do not edit: CI fails when it is stale.\n\
         // Every command rejects with a UiError `{code, message}`.\n\n",
    );
    // `invoke` is the traced one (ui/src/lib/trace.ts: each round trip in
    // the WebView's User Timing entries).
    out.push_str(if uses_channel {
        "import { Channel } from \"@tauri-apps/api/core\";\nimport { invoke } from \"../trace\";\n"
    } else {
        "import { invoke } from \"../trace\";\n"
    });
    for ty in &types {
        let _ = writeln!(out, "import type {{ {ty} }} from \"./{ty}\";");
    }
    if uses_channel {
        out.push_str("\nexport { Channel };\n");
    }
    out.push_str("\n/** The name of every command the app registers. */\nexport const COMMANDS = [\n");
    for c in commands {
        let _ = writeln!(out, "  \"{}\",", c.name);
    }
    out.push_str("] as const;\n");
    for c in commands {
        out.push('\n');
        if !c.doc.is_empty() {
            let _ = writeln!(out, "/** {} */", c.doc.join(" ").replace("*/", "* /"));
        }
        let params: Vec<String> = c.args.iter().map(|(k, t)| format!("{k}: {t}")).collect();
        let keys: Vec<&str> = c.args.iter().map(|(k, _)| k.as_str()).collect();
        let call = if keys.is_empty() {
            format!("invoke<{}>(\"{}\")", c.answer, c.name)
        } else {
            format!("invoke<{}>(\"{}\", {{ {} }})", c.answer, c.name, keys.join(", "))
        };
        let _ = writeln!(
            out,
            "export const {} = ({}): Promise<{}> => {call};",
            camel_case(&c.name),
            params.join(", "),
            c.answer
        );
    }
    out
}

/// `capabilities/main.json`.
pub fn capability(commands: &[Command]) -> String {
    let permissions: Vec<String> = commands.iter().map(|c| format!("allow-{}", c.name.replace('_', "-"))).collect();
    let doc = serde_json::json!({
        "$schema": "../../gen/schemas/desktop-schema.json",
        "identifier": "main",
        "description": "Generated by src-tauri/src/contract.rs from the command list: the main window may call the app's \
            own commands and nothing else. The CSV save dialog and the logo picker are opened from Rust, which also \
            reads and writes the files, so the web UI never holds a path and needs no dialog or file-system permission.",
        "windows": ["main"],
        "permissions": permissions,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a capability is JSON");
    text.push('\n');
    text
}

#[test]
fn types_map_as_ts_rs_writes_them() {
    let ts = |s: &str| ts_type(&syn::parse_str(s).unwrap());
    assert_eq!(ts("String"), "string");
    assert_eq!(ts("&str"), "string");
    assert_eq!(ts("Option<Snapshot<Vec<Member>>>"), "Snapshot<Member[]> | null");
    assert_eq!(ts("Vec<Option<String>>"), "(string | null)[]");
    assert_eq!(ts("Channel<SyncProgress>"), "Channel<SyncProgress>");
    assert_eq!(ts("()"), "void");
    assert_eq!(camel_case("confirm_slug"), "confirmSlug");
}

#[test]
fn an_unregistered_or_missing_command_is_named() {
    let dir = tempfile_dir();
    std::fs::write(dir.join("mod.rs"), "tauri::generate_handler![\n a::one,\n a::two,\n]").unwrap();
    std::fs::write(dir.join("a.rs"), "#[tauri::command]\npub fn one() {}\n#[tauri::command]\npub fn three() {}\n")
        .unwrap();
    let missing = std::panic::catch_unwind(|| commands(&dir)).unwrap_err();
    let message = missing.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("a::two is registered"), "{message}");
    std::fs::write(dir.join("mod.rs"), "tauri::generate_handler![\n a::one,\n]").unwrap();
    let extra = std::panic::catch_unwind(|| commands(&dir)).unwrap_err();
    let message = extra.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("\"three\""), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(test)]
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("orgdesk-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
