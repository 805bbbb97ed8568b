//! Event fan-out: N subscribers of `GET /v1/events` on one server; for each
//! of a series of changes, the time from just before the change's request is
//! sent (its commit is inside that request) to each subscriber receiving its
//! event, and the server's RSS. The baseline of the same run is one
//! subscriber, and the idle server's RSS.
//!
//!     cargo run --release -p orgdesk-server --example fanout [-- <subscribers> <changes>]
//!
//! The server runs in a child process (this binary, re-run as a server) on
//! a fresh SQLite file; ORGDESK_BENCH_DATABASE_URL names a PostgreSQL
//! database instead.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_server::{Db, Options};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const SERVE: &str = "ORGDESK_BENCH_SERVE";

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    if std::env::var_os(SERVE).is_some() {
        return runtime.block_on(serve());
    }
    let args: Vec<String> = std::env::args().collect();
    let subscribers: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let changes: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("ORGDESK_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("fanout.db").display()));
    let mut child = Command::new(std::env::current_exe()?)
        .env(SERVE, "1")
        .env("ORGDESK_BENCH_DATABASE_URL", &url)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout from the server"))?;
    let mut base = None;
    for line in std::io::BufReader::new(stdout).lines() {
        if let Some(b) = line?.strip_prefix("listening ") {
            base = Some(b.to_owned());
            break;
        }
    }
    let base = base.ok_or_else(|| anyhow::anyhow!("the server exited before listening"))?;
    let result = runtime.block_on(run(&base, child.id(), subscribers, changes));
    let _ = child.kill();
    let _ = child.wait();
    result
}

async fn serve() -> anyhow::Result<()> {
    let url = std::env::var("ORGDESK_BENCH_DATABASE_URL")?;
    let db = Db::connect(&url).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("listening {base}");
    let state = orgdesk_server::state(db, Options::new(base));
    orgdesk_server::serve(listener, state, std::future::pending()).await?;
    Ok(())
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Opens a subscriber; every `role.created` it reads goes to `seen` as
/// (role key, when).
async fn subscriber(
    http: reqwest::Client,
    base: String,
    token: String,
    seen: mpsc::UnboundedSender<(String, Instant)>,
) {
    let Ok(mut response) = http.get(format!("{base}/v1/events")).bearer_auth(&token).send().await else {
        return;
    };
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                if let Ok(event) = serde_json::from_str::<Value>(data.trim()) {
                    if let Some(key) = event["data"]["key"].as_str() {
                        let _ = seen.send((key.to_owned(), at));
                    }
                }
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// N subscribers, then `changes` role creations one after another.
async fn measure(
    base: &str,
    token: &str,
    org: &str,
    pid: u32,
    n: usize,
    changes: usize,
    label: &str,
) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for _ in 0..n {
        tasks.push(tokio::spawn(subscriber(http.clone(), base.to_owned(), token.to_owned(), tx.clone())));
    }
    // Let every stream open (the server counts them).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_open = rss_kb(pid);
    let api = reqwest::Client::new();
    let mut all = Vec::new();
    let mut last = Vec::new();
    for i in 0..changes {
        let key = format!("{label}-{i}");
        let started = Instant::now();
        let r = api
            .post(format!("{base}/v1/orgs/{org}/roles"))
            .bearer_auth(token)
            .json(&json!({"key": key, "name": key, "permissions": ["org:read"]}))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "creating a role: {}", r.status());
        let mut got = 0;
        let mut slowest = Duration::ZERO;
        while got < n {
            let (seen, at) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await?
                .ok_or_else(|| anyhow::anyhow!("subscribers ended"))?;
            if seen == key {
                let latency = at.duration_since(started);
                all.push(latency);
                slowest = slowest.max(latency);
                got += 1;
            }
        }
        last.push(slowest);
        // Spread the changes over the poll interval.
        tokio::time::sleep(Duration::from_millis(97)).await;
    }
    let rss_after = rss_kb(pid);
    all.sort();
    last.sort();
    println!(
        "| {label} | {n} | {changes} | {} | {} | {} | {} | {} MB | {} MB |",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(percentile(&last, 0.5)),
        ms(percentile(&last, 0.99)),
        rss_open / 1024,
        rss_after / 1024,
    );
    for t in tasks {
        t.abort();
    }
    Ok(())
}

async fn run(base: &str, pid: u32, subscribers: usize, changes: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let r: Value = http
        .post(format!("{base}/v1/auth/signup"))
        .json(&json!({"email": "fanout@example.com", "name": "Fan Out", "password": "correct horse battery"}))
        .send()
        .await?
        .json()
        .await?;
    let token = r["token"].as_str().ok_or_else(|| anyhow::anyhow!("no token: {r}"))?.to_owned();
    // The personal workspace sign-up made.
    let list: Value = http.get(format!("{base}/v1/orgs")).bearer_auth(&token).send().await?.json().await?;
    let list = list.get("items").cloned().unwrap_or(list);
    let org = list[0]["id"].as_str().ok_or_else(|| anyhow::anyhow!("no org: {list}"))?.to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_kb(pid);
    println!("server RSS idle, no subscriber: {} MB", idle / 1024);
    println!();
    println!("| run | subscribers | changes | all p50 | all p99 | last subscriber p50 | last subscriber p99 | RSS open | RSS after |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let token = Arc::new(token);
    measure(base, &token, &org, pid, 1, changes, "baseline").await?;
    measure(base, &token, &org, pid, subscribers, changes, "fan-out").await?;
    Ok(())
}
