//! Everything the Orgdesk desktop app needs below its UI, usable without a
//! window: the typed API client ([`Api`]), several accounts on several
//! servers ([`Accounts`]), session tokens in the OS keychain ([`Vault`]), an
//! encrypted offline cache per account, and paged member sync.
//!
//! A Tauri command layer holds one [`Accounts`] and asks it for the active
//! [`Session`]. Each signed-in session keeps one live subscription to the
//! server's event stream ([`live`]), which keeps the offline cache current;
//! a screen watches one view ([`watch`]) and gets, on one sink, the cached
//! snapshot at once, the fresh one after revalidation, every later change and
//! the connection status. Errors reach the UI as [`UiError`] `{code,
//! message}`; no public method hands out a session token.

pub mod accounts;
pub mod api;
mod cache;
mod cache_keys;
pub mod error;
mod integrations;
mod invitations;
pub mod live;
pub mod logfile;
pub mod member_view;
mod members;
mod orgs;
mod partners;
mod people;
pub mod profile;
pub mod provider_sign_in;
pub mod sensitive;
pub mod session;
pub mod snapshot;
pub mod sse;
pub mod sync;
pub mod vault;
pub mod watch;

pub use accounts::{AccountSummary, Accounts, ClientOptions};
pub use api::{Api, ApiOptions, Fetched, Meter};
pub use cache::CacheNotice;
pub use error::{Code, Error, Result, UiError};
pub use live::{Change, Notice, NoticeKind, StreamState};
pub use member_view::{BulkReport, MemberFilter, MemberListState, MemberSortKey, MemberWindow, RoleCount};
pub use profile::{pasted_token, LinkKind};
pub use sensitive::Sensitive;
pub use session::Session;
pub use snapshot::{ConnectionStatus, Snapshot, Source};
pub use sync::{CancelToken, SyncMode, SyncPhase, SyncProgress, SyncReport};
pub use vault::{Vault, VaultStatus};
pub use watch::{Sink, ViewEvent, Watch};

/// Re-exported so callers need not depend on `orgdesk-core` for wire types.
pub use orgdesk_core as core;

/// Counts the heap the tests' process holds (live bytes and the peak), for
/// the ignored measurements of the member view's memory.
#[cfg(test)]
pub(crate) mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    struct Counting;

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    fn grew(by: usize) {
        let now = LIVE.fetch_add(by, Relaxed) + by;
        PEAK.fetch_max(now, Relaxed);
    }

    // SAFETY: every call is forwarded to the system allocator unchanged;
    // only the counters are added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                grew(layout.size());
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                grew(layout.size());
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            LIVE.fetch_sub(layout.size(), Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                LIVE.fetch_sub(layout.size(), Relaxed);
                grew(new_size);
            }
            p
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// Bytes allocated and not freed.
    pub fn live() -> usize {
        LIVE.load(Relaxed)
    }

    /// The most bytes live at once since the last [`reset_peak`].
    pub fn peak() -> usize {
        PEAK.load(Relaxed)
    }

    pub fn reset_peak() {
        PEAK.store(live(), Relaxed);
    }

    /// The process's resident set and its high-water mark (KiB), from /proc.
    pub fn rss_kib() -> (u64, u64) {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}
