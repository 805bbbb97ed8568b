//! What a read answers: the data with where it came from and how fresh it is,
//! and the connection state the offline banner shows.

use serde::{Deserialize, Serialize};

use crate::error::UiError;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Read from the local cache, without asking the server.
    Cache,
    /// The server confirmed it just now (fresh answer or 304).
    Network,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot<T> {
    pub data: T,
    pub source: Source,
    /// When the server last confirmed this data (RFC 3339), if ever.
    pub synced_at: Option<String>,
    /// The server could not be reached when this was asked for.
    pub offline: bool,
}

impl<T> Snapshot<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Snapshot<U> {
        Snapshot { data: f(self.data), source: self.source, synced_at: self.synced_at, offline: self.offline }
    }
}

/// For the offline banner: "Offline — last synced at …".
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionStatus {
    pub online: bool,
    /// The last time any request to this account's server succeeded (after
    /// a restart, until one does: the newest sync time in the offline cache).
    pub last_sync_at: Option<String>,
    /// Why the server is considered unreachable.
    pub last_error: Option<UiError>,
    /// The live event stream: connected, reconnecting, or off.
    #[serde(default)]
    pub stream: crate::live::StreamState,
}

/// Now as RFC 3339, UTC, millisecond precision.
pub(crate) fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(now.millisecond() as u32 * 1_000_000).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
