//! The state every command shares: the accounts (each with its session,
//! keychain entries, offline cache and live event stream), the links
//! received, the last screen and the app's settings, the log file, the views
//! the UI watches and the notices shown.

use std::path::PathBuf;
use std::sync::Arc;

use orgdesk_client::{AccountSummary, Accounts, CacheNotice, ClientOptions, Session, UiError, VaultStatus};
use serde::Serialize;

use orgdesk_client::logfile::LogFile;

use crate::links::Links;
use crate::notify::NoticeLog;
use crate::place::Place;
use crate::tray::Tray;
use crate::views::Views;

pub struct Desk {
    pub accounts: Accounts,
    pub links: Links,
    pub place: Place,
    pub log: LogFile,
    pub tray: Tray,
    /// The views the UI watches.
    pub views: Views,
    /// The notices of the live streams, shown or not.
    pub notices: NoticeLog,
}

/// What the UI needs to draw its first screen.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize)]
pub struct AppState {
    pub accounts: Vec<AccountSummary>,
    /// The id of the account shown, if one is signed in.
    pub active: Option<String>,
    /// Whether secrets survive a restart (OS keychain) or live in memory only.
    pub vault: VaultStatus,
    /// Messages about the active account's cache, e.g. "it was unreadable and rebuilt".
    pub cache_notices: Vec<CacheNotice>,
    /// Prefills the sign-in form: `ORGDESK_SERVER_URL`, set by scripts/run-app.sh.
    pub suggested_server_url: Option<String>,
    /// The screen shown when the app last ran (one of the UI's `ScreenId`s).
    pub last_screen: Option<String>,
    /// Closing the window keeps the app in the tray (off by default).
    pub keep_in_tray: bool,
    /// Native notifications (answered invitations, invitations to me); on by default.
    pub notifications: bool,
}

impl Desk {
    pub async fn open(data_dir: PathBuf, log: LogFile) -> Result<Desk, UiError> {
        let place = Place::open(data_dir.join("place.json"));
        let accounts = Accounts::open(data_dir, ClientOptions::default()).await?;
        Ok(Desk {
            accounts,
            links: Links::default(),
            place,
            log,
            tray: Tray::default(),
            views: Views::default(),
            notices: NoticeLog::default(),
        })
    }

    /// While the window starts, opens the active account's session and
    /// builds the member list of the org shown last in memory, so its
    /// windows are answered at once (errors are the first command's to report).
    pub async fn warm_up(&self) {
        self.warm_up_view().await;
        // Every signed-in account gets its live stream (and its notices).
        self.accounts.open_signed_in().await;
    }

    async fn warm_up_view(&self) {
        let Some(org_id) = self.accounts.active().filter(|a| a.signed_in).and_then(|a| a.last_org_id) else {
            return;
        };
        if let Ok(session) = self.session().await {
            // Kept top rows answer the first window: the list is then built
            // when the screen's view channel asks, not while the window starts.
            if !session.has_kept_first_window(&org_id).await {
                let _ = session.member_count(&org_id).await;
            }
        }
    }

    /// The active account's session, or `not_signed_in`.
    pub async fn session(&self) -> Result<Arc<Session>, UiError> {
        Ok(self.accounts.active_session().await?)
    }

    pub async fn state(&self) -> AppState {
        let active = self.accounts.active().filter(|a| a.signed_in).map(|a| a.id);
        let cache_notices = match &active {
            Some(_) => self.session().await.map(|s| s.cache_notices()).unwrap_or_default(),
            None => Vec::new(),
        };
        AppState {
            accounts: self.accounts.list(),
            active,
            vault: self.accounts.vault_status(),
            cache_notices,
            suggested_server_url: std::env::var("ORGDESK_SERVER_URL").ok(),
            last_screen: self.place.screen(),
            keep_in_tray: self.place.keep_in_tray(),
            notifications: self.place.notifications(),
        }
    }
}
