//! How the web view paints, chosen once at start-up.
//!
//! WebKitGTK composites its layers with OpenGL. On a machine with no GPU (no
//! DRM render node: a virtual machine, a remote desktop, Xvfb) that OpenGL is
//! Mesa's software rasteriser, and every frame drawn through it costs more
//! than painting on the CPU: on the benchmark machine a cold start's first
//! frames took 60–130 ms each and the org switch's frame 40–60 ms
//! (docs/benchmarks.md, "where the WebView's time goes"). There the app asks
//! WebKit's Skia renderer to paint on the CPU, which keeps threaded
//! compositing and scrolling. A machine with a GPU keeps WebKit's default,
//! and a value the person set for the variable wins.

use std::path::Path;

/// WebKitGTK's switch for painting with Skia on the CPU.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// What was chosen, for the start-up log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painting {
    /// A GPU render node exists: WebKit's default (OpenGL).
    Default,
    /// No GPU: the app set the CPU switch.
    CpuWithoutGpu,
    /// The person set the switch themselves.
    AsSet,
}

/// Chooses the painting before GTK or WebKit start (and before any thread:
/// it may set an environment variable).
pub fn choose() -> Painting {
    if std::env::var_os(CPU_RENDERING).is_some() {
        return Painting::AsSet;
    }
    if cfg!(target_os = "linux") && !has_render_node(Path::new("/dev/dri")) {
        std::env::set_var(CPU_RENDERING, "1");
        return Painting::CpuWithoutGpu;
    }
    Painting::Default
}

/// Whether `dir` holds a DRM render node (`renderD128`, …): a GPU that
/// OpenGL can use without a display server's help.
fn has_render_node(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_and_a_missing_or_empty_dri_directory_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dir.path().join("missing")));
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dir.path()), "a display card alone is not a render node");
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
