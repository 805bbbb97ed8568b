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
