//! Client benchmark: prints numbers, asserts nothing about time.
//!
//! Starts the real server in this process on 127.0.0.1 over a temp SQLite
//! file seeded with the demo data ("northwind", 10,000 members), signs in as
//! the agency admin, and measures a full member sync, a re-sync of the
//! unchanged org, a forced page walk, and cached reads of the whole list.
//! The cache is a file only with a keychain, so run it under a Secret Service:
//!
//! dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//!   cargo run --release -p orgdesk-client --example bench'

use std::time::{Duration, Instant};

use orgdesk_client::{Accounts, CancelToken, ClientOptions, SyncMode, SyncReport, VaultStatus};
use orgdesk_server::{Db, Options};

const RUNS: usize = 20;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}?mode=rwc", dir.path().join("server.db").display());
    let db = Db::connect(&db_url).await?;
    orgdesk_server::demo::seed(&db).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let state = orgdesk_server::state(db, Options::new(url.clone()));
    tokio::spawn(orgdesk_server::serve(listener, state, std::future::pending()));

    let options = ClientOptions { keychain_service: "orgdesk-bench".into(), ..Default::default() };
    let accounts = Accounts::open(dir.path().join("app"), options).await?;
    let cache_kind = match accounts.vault_status() {
        VaultStatus::Keychain => "encrypted SQLite file, key in the Secret Service",
        VaultStatus::Unavailable { .. } => "in-memory SQLite (no keychain: run under dbus-run-session for the file)",
    };
    let session = accounts.sign_in(&url, "agency@orgdesk.test", "orgdesk-demo-2026").await?;
    let orgs = session.orgs().await?.data;
    let org = orgs.iter().find(|o| o.slug == "northwind").ok_or("no northwind org")?;
    let id = org.id.clone();
    println!("Client benchmark ({} build), cache: {cache_kind}", build());

    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        session.call(|api| api.healthz()).await?;
        times.push(started.elapsed());
    }
    println!("baseline GET /healthz round trip: median {:.2} ms over {RUNS} runs", ms(median(&mut times)));

    let cancel = CancelToken::new();
    let started = Instant::now();
    let full = session.sync_members(&id, SyncMode::Auto, |_| {}, &cancel).await?;
    print_sync("full sync (cold cache)", &full, started.elapsed());

    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = Some(session.sync_members(&id, SyncMode::Auto, |_| {}, &cancel).await?);
        times.push(started.elapsed());
    }
    if let Some(r) = &last {
        print_sync("re-sync, unchanged org (median)", r, median(&mut times));
    }

    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        last = Some(session.sync_members(&id, SyncMode::Full, |_| {}, &cancel).await?);
        times.push(started.elapsed());
    }
    if let Some(r) = &last {
        print_sync("forced page walk, unchanged (median)", r, median(&mut times));
    }

    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let cached = session.cached_members(&id).await?.ok_or("nothing cached")?;
        times.push(started.elapsed());
        count = cached.data.len();
    }
    println!("cached read of {count} members: median {:.1} ms over {RUNS} runs", ms(median(&mut times)));
    if let Some(path) = session.cache_path() {
        println!("cache file: {} KiB", std::fs::metadata(path)?.len() / 1024);
    }

    // As after an app restart: open the accounts, the session (keychain
    // reads, cache file open and key check) and read the list.
    let account_id = session.account_id().to_owned();
    drop((session, accounts));
    let started = Instant::now();
    let options = ClientOptions { keychain_service: "orgdesk-bench".into(), ..Default::default() };
    let accounts = Accounts::open(dir.path().join("app"), options).await?;
    let session = accounts.session(&account_id).await?;
    let cached = session.cached_members(&id).await?.ok_or("nothing cached")?;
    println!(
        "restart to {} cached members (open accounts + session + read): {:.1} ms",
        cached.data.len(),
        ms(started.elapsed())
    );
    accounts.sign_out(&account_id).await?;
    Ok(())
}

fn print_sync(what: &str, r: &SyncReport, took: Duration) {
    println!(
        "{what}: {} members, {} pages ({} answered 304), {} requests, {} response bytes, {:.1} ms",
        r.members,
        r.pages,
        r.pages_unchanged,
        r.requests,
        r.bytes,
        ms(took)
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn build() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}
