//! Logging: to stderr and to a rotating file in the platform's log directory
//! (`orgdesk.log`, 1 MiB each, three old ones kept), for support. The file
//! gets what stderr gets; no log line carries a session token, an invitation
//! token or an email body (crates/client/tests/client/secrets.rs checks the
//! same writer, tests/e2e.mjs the app's own file).

use orgdesk_client::logfile::LogFile;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
pub const OLD_FILES_KEPT: usize = 3;

/// Installs the subscriber; the file starts once [`LogFile::open`] is told
/// where (lines before that are kept and written first).
pub fn init() -> LogFile {
    let log = LogFile::new(MAX_FILE_BYTES, OLD_FILES_KEPT);
    let file = log.clone();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,orgdesk=info".into());
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(move || file.writer()))
        .try_init();
    log
}
