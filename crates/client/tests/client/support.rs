//! The harness: a real Orgdesk server in this process on 127.0.0.1 over a
//! fresh SQLite file, which a test can stop and start again on the same
//! port; and real `Accounts` in a temp data dir over the real keychain.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use orgdesk_client::core::api::SignUp;
use orgdesk_client::{Accounts, ApiOptions, ClientOptions, Session, VaultStatus};
use orgdesk_server::{Db, Options};
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery";
pub const KEYCHAIN_SERVICE: &str = "orgdesk-client-test";

pub struct TestServer {
    pub url: String,
    addr: SocketAddr,
    db_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_inner(false).await
    }

    /// With the demo data: "northwind" has 10,000 members.
    pub async fn start_demo() -> TestServer {
        TestServer::start_inner(true).await
    }

    async fn start_inner(demo: bool) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_url = format!("sqlite://{}?mode=rwc", dir.path().join("server.db").display());
        if demo {
            let db = Db::connect(&db_url).await.expect("open server database");
            orgdesk_server::demo::seed(&db).await.expect("seed demo data");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let mut server =
            TestServer { url: format!("http://{addr}"), addr, db_url, shutdown: None, task: None, _dir: dir };
        server.serve(listener).await;
        server
    }

    async fn serve(&mut self, listener: tokio::net::TcpListener) {
        let db = Db::connect(&self.db_url).await.expect("open server database");
        // Webhooks can be created (a signing key) and reach the tests' own
        // receivers on 127.0.0.1.
        let webhooks = orgdesk_server::WebhookOptions {
            secret_key: Some("client-test-webhook-key-0123456789abcdef0123456789abcdef".into()),
            allow_private: true,
            timeout: Duration::from_secs(5),
            deliver: true,
        };
        let state = orgdesk_server::state(db, Options { dev_outbox: true, webhooks, ..Options::new(self.url.clone()) });
        let (tx, rx) = oneshot::channel();
        self.shutdown = Some(tx);
        self.task = Some(tokio::spawn(async move {
            let _ = orgdesk_server::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        }));
    }

    /// Stops serving; connections are refused until `restart`.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut Box::pin(task)).await.is_err() {
                panic!("the test server did not stop within 5 s");
            }
        }
    }

    /// Serves again on the same port, over the same database file.
    pub async fn restart(&mut self) {
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot bind {} again: {e}", self.addr),
            }
        };
        self.serve(listener).await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Fast retries so an offline server is noticed quickly.
pub fn options() -> ClientOptions {
    ClientOptions {
        api: ApiOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(2),
            retries: 1,
            backoff: Duration::from_millis(20),
            ..Default::default()
        },
        keychain_service: KEYCHAIN_SERVICE.into(),
        device_name: "client test".into(),
        use_keychain: true,
        // The request counts of the sync tests stay exact; tests/live.rs turns it on.
        live_events: false,
    }
}

pub async fn accounts(dir: &std::path::Path) -> Accounts {
    Accounts::open(dir, options()).await.expect("open accounts")
}

/// scripts/test.d/20-client.sh sets ORGDESK_TEST_KEYCHAIN=required: there a
/// missing keychain fails the test. Elsewhere the test says loudly that it
/// did not run and returns false.
pub fn keychain_ready(accounts: &Accounts) -> bool {
    match accounts.vault_status() {
        VaultStatus::Keychain => true,
        VaultStatus::Unavailable { reason } => {
            if std::env::var("ORGDESK_TEST_KEYCHAIN").is_ok_and(|v| v == "required") {
                panic!("ORGDESK_TEST_KEYCHAIN=required but the keychain is unavailable: {reason}");
            }
            eprintln!(
                "!!! NOT RUN: this test needs the Secret Service keychain ({reason}); run scripts/test.d/20-client.sh"
            );
            false
        }
    }
}

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

pub fn unique_email(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}-{n}-{nanos}@example.test")
}

/// Signs up a new user through `accounts` and verifies their email with the
/// link from the dev outbox.
pub async fn sign_up_verified(accounts: &Accounts, server: &TestServer, name: &str) -> Arc<Session> {
    let email = unique_email(&name.to_lowercase());
    let req = SignUp { email: email.clone(), name: name.into(), password: PASSWORD.into(), timezone: None };
    let session = accounts.sign_up(&server.url, &req).await.expect("sign up");
    let outbox = session.call(|api| api.dev_outbox(Some(&email))).await.expect("read the dev outbox");
    let body = &outbox.first().expect("a verification email").body;
    let token =
        body.split("/verify/").nth(1).and_then(|rest| rest.split_whitespace().next()).expect("a /verify/<token> link");
    session.call(|api| api.verify_email(token)).await.expect("verify email");
    session
}

/// The id of the user's personal org (the only one after sign-up).
pub async fn personal_org(session: &Session) -> String {
    let orgs = session.orgs().await.expect("list orgs");
    orgs.data.iter().find(|o| o.personal).expect("a personal org").id.clone()
}

/// Every log line of this test binary, for the secrets test.
pub fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

#[derive(Clone)]
struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        captured_logs().lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        std::io::Write::write_all(&mut captured_log_file().writer(), buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The app's rotating log file, fed the same lines as [`captured_logs`], in
/// a directory of its own (512 KiB files, seven old ones: the whole suite
/// logs into it at TRACE level).
pub fn captured_log_file() -> &'static orgdesk_client::logfile::LogFile {
    static FILE: OnceLock<(orgdesk_client::logfile::LogFile, tempfile::TempDir)> = OnceLock::new();
    let (log, _dir) = FILE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let log = orgdesk_client::logfile::LogFile::new(512 * 1024, 7);
        log.open(dir.path()).unwrap();
        (log, dir)
    });
    log
}

/// Installs a global subscriber that records every event at TRACE level, in
/// memory and in a rotating log file.
pub fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| Capture)
            .try_init();
    });
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A secret as the Secret Service holds it, read with libsecret's
/// `secret-tool`, not through the crate under test. `kind` is
/// "session-token" or "cache-key".
pub fn keychain_secret(kind: &str, account_id: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", KEYCHAIN_SERVICE, "username", &format!("{kind}:{account_id}")])
        .output()
        .expect("run secret-tool (Debian package libsecret-tools)");
    let value = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && !value.is_empty()).then_some(value)
}

pub fn clear_keychain_secret(kind: &str, account_id: &str) {
    let status = std::process::Command::new("secret-tool")
        .args(["clear", "service", KEYCHAIN_SERVICE, "username", &format!("{kind}:{account_id}")])
        .status()
        .expect("run secret-tool");
    assert!(status.success());
}
