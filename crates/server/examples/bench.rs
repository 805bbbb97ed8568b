//! API throughput and latency on the demo's 10,000-member organization,
//! measured against `/healthz` (a handler that does nothing) in the same run.
//!
//!     cargo run --release -p orgdesk-server --example bench [-- <seconds per endpoint> <concurrency>]
//!
//! Uses a fresh SQLite file; set ORGDESK_BENCH_DATABASE_URL to a PostgreSQL
//! database to measure that instead.

use std::time::{Duration, Instant};

use orgdesk_server::{demo, Db, Options};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("ORGDESK_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let db = Db::connect(&url).await?;
    demo::seed(&db).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = orgdesk_server::state(db, Options::new(base.clone()));
    tokio::spawn(orgdesk_server::serve(listener, state, std::future::pending()));

    let http = reqwest::Client::new();
    let grant: serde_json::Value = http
        .post(format!("{base}/v1/auth/signin"))
        .json(&serde_json::json!({"email": demo::AGENCY_EMAIL, "password": demo::DEMO_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = grant["token"].as_str().unwrap_or_default().to_owned();
    let backend = if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" };
    println!("{backend}, {concurrency} concurrent clients, {seconds} s per endpoint, 10,002-member org\n");
    println!("| endpoint | requests/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    for (label, path) in [
        ("GET /healthz (no-op baseline)", "/healthz".to_owned()),
        ("GET /v1/orgs (41 orgs)", "/v1/orgs".to_owned()),
        ("GET members, first page of 50", "/v1/orgs/northwind/members?limit=50".to_owned()),
        ("GET members, page of 200", "/v1/orgs/northwind/members?limit=200".to_owned()),
        (
            "GET members, sorted by last active",
            "/v1/orgs/northwind/members?limit=50&sort=last_active&desc=true".to_owned(),
        ),
        ("GET members, search \"ada\"", "/v1/orgs/northwind/members?limit=50&q=ada".to_owned()),
        ("GET members, role filter", "/v1/orgs/northwind/members?limit=50&role=support-agent".to_owned()),
        ("GET pending invitations", "/v1/orgs/northwind/invitations".to_owned()),
        ("GET across-org pending invitations", "/v1/me/managed-invitations".to_owned()),
    ] {
        let (rate, p50, p99) =
            measure(&http, &format!("{base}{path}"), &token, concurrency, Duration::from_secs(seconds)).await;
        println!("| {label} | {rate:.0} | {p50:.2} | {p99:.2} |");
    }
    Ok(())
}

async fn measure(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    concurrency: usize,
    length: Duration,
) -> (f64, f64, f64) {
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, url, token) = (http.clone(), url.to_owned(), token.to_owned());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while started.elapsed() < length {
                let t = Instant::now();
                let r = http.get(&url).bearer_auth(&token).send().await.expect("request");
                assert!(r.status().is_success(), "{url}: {}", r.status());
                r.bytes().await.expect("body");
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| all.get(((all.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    (all.len() as f64 / elapsed, pick(0.5), pick(0.99))
}
