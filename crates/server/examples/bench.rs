//! API throughput, latency and server CPU per request on the demo's
//! 10,000-member organization, each endpoint against `/healthz` (a handler
//! that does nothing, through the same middleware) in the same run.
//!
//!     cargo run --release -p orgdesk-server --example bench [-- <seconds per endpoint> <concurrency>]
//!
//! The server runs in a child process (this binary, re-run as a server), so
//! its CPU is read from /proc apart from the load generator's. A fresh SQLite
//! file by default; ORGDESK_BENCH_DATABASE_URL names a PostgreSQL database
//! instead. ORGDESK_BENCH_SERVER_BIN=<path to an orgdesk-server binary>
//! measures that binary (started with --demo) instead, e.g. an older build.
//! ORGDESK_BENCH_ONLY=<text> runs the baseline and the rows whose label
//! contains it (for profiling one endpoint).
//!
//! The last rows run at scale (`demo::seed_scale`, skipped with
//! ORGDESK_BENCH_NO_SCALE): a 100,000-member org and an account in 500 orgs,
//! signed in as `demo::SCALE_EMAIL`. A build without that seed prints "not
//! measured" for them. Every row prints its share of the no-op's rate and the
//! server's CPU per request (and the load generator's own, which shares the
//! machine's cores).

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgdesk_server::{demo, Db, Options};

const SERVE: &str = "ORGDESK_BENCH_SERVE";

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    if std::env::var_os(SERVE).is_some() {
        return runtime.block_on(serve());
    }
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("ORGDESK_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let (mut child, base) = start_server(&url)?;
    let result = runtime.block_on(run(&base, &url, child.id(), seconds, concurrency));
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Child mode: seed, listen on a free port, print the address, serve.
async fn serve() -> anyhow::Result<()> {
    let url = std::env::var("ORGDESK_BENCH_DATABASE_URL")?;
    let db = Db::connect(&url).await?;
    demo::seed(&db).await?;
    if std::env::var_os("ORGDESK_BENCH_NO_SCALE").is_none() {
        demo::seed_scale(&db).await?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("listening {base}");
    // Bulk invitations of 1,000 addresses need the operator-raised limits.
    let limits = orgdesk_server::Limits {
        invitation_emails_per_call: 1000,
        invitations_per_org: 1_000_000,
        invitations_per_user: 1_000_000,
        invitations_global: 1_000_000,
        orgs_per_user_per_day: 1000,
        ..orgdesk_server::Limits::default()
    };
    let state = orgdesk_server::state(db, Options { limits, ..Options::new(base) });
    orgdesk_server::serve(listener, state, std::future::pending()).await?;
    Ok(())
}

fn start_server(url: &str) -> anyhow::Result<(Child, String)> {
    let mut child = match std::env::var("ORGDESK_BENCH_SERVER_BIN") {
        Ok(bin) => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let child = Command::new(bin)
                .args(["--database-url", url, "--listen", &format!("127.0.0.1:{port}"), "--demo"])
                .env("RUST_LOG", "warn")
                // Read by builds that have --demo-scale; older ones ignore it.
                .env(
                    "ORGDESK_DEMO_SCALE",
                    if std::env::var_os("ORGDESK_BENCH_NO_SCALE").is_some() { "false" } else { "true" },
                )
                .stdout(Stdio::null())
                .spawn()?;
            wait_ready(&format!("http://127.0.0.1:{port}"))?;
            return Ok((child, format!("http://127.0.0.1:{port}")));
        }
        Err(_) => Command::new(std::env::current_exe()?)
            .env(SERVE, "1")
            .env("ORGDESK_BENCH_DATABASE_URL", url)
            .stdout(Stdio::piped())
            .spawn()?,
    };
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout from the server"))?;
    for line in std::io::BufReader::new(stdout).lines() {
        if let Some(base) = line?.strip_prefix("listening ") {
            return Ok((child, base.to_owned()));
        }
    }
    anyhow::bail!("the benchmark server exited before listening")
}

fn wait_ready(base: &str) -> anyhow::Result<()> {
    let addr = base.trim_start_matches("http://").to_owned();
    for _ in 0..600 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            std::thread::sleep(Duration::from_millis(200));
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("{base} did not start listening")
}

/// The process's user + system CPU time so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of stat; here 11 and 12.
    let total = ticks(11) + ticks(12);
    let hz = 100; // USER_HZ on Linux
    Duration::from_micros(total * 1_000_000 / hz)
}

async fn run(base: &str, url: &str, pid: u32, seconds: u64, concurrency: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let token = sign_in(&http, base, demo::AGENCY_EMAIL).await?.unwrap_or_default();
    // The scale rows' account (a 100,000-member org, 500 orgs); a build
    // without the scale seed (ORGDESK_BENCH_SERVER_BIN, ORGDESK_BENCH_NO_SCALE) has none.
    let scale = sign_in(&http, base, demo::SCALE_EMAIL).await?;
    let backend = if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" };
    println!("{backend}, {concurrency} concurrent clients, {seconds} s per endpoint, 10,002-member org\n");
    println!("| endpoint | requests/s | share of the no-op | p50 ms | p99 ms | server CPU µs/request | load generator CPU µs/request |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut baseline = None;
    let scale_rows = [
        ("GET 100,000-member org, first page of 50", "/v1/orgs/megacorp/members?limit=50"),
        ("GET 100,000-member org, search \"ada\"", "/v1/orgs/megacorp/members?limit=50&q=ada"),
        ("GET 100,000-member org, search \"zoe ahm\"", "/v1/orgs/megacorp/members?limit=50&q=zoe%20ahm"),
        // 2,500 matches, all at the end of the name order (a first name).
        ("GET 100,000-member org, search \"zoe\"", "/v1/orgs/megacorp/members?limit=50&q=zoe"),
        // 4,000 matches spread through the name order (a surname).
        ("GET 100,000-member org, search \"ahmed\"", "/v1/orgs/megacorp/members?limit=50&q=ahmed"),
        (
            "GET 100,000-member org, search \"zoe ahm\" by join date",
            "/v1/orgs/megacorp/members?limit=50&q=zoe%20ahm&sort=joined",
        ),
        ("GET across-org pending invitations, 500 orgs", "/v1/me/managed-invitations"),
        // (Not in builds before the paged list; their rows stop at the one above.)
        ("GET across-org pending invitations, first page of 50 (500-org agency)", "/v1/me/managed-invitations/page"),
    ];
    let rows = [
        ("GET /healthz (no-op baseline)", "/healthz"),
        ("GET /v1/orgs (41 orgs)", "/v1/orgs"),
        ("GET one member", "/v1/orgs/northwind/members?limit=1"),
        ("GET members, first page of 50", "/v1/orgs/northwind/members?limit=50"),
        ("GET members, page of 200", "/v1/orgs/northwind/members?limit=200"),
        ("GET members, sorted by last active", "/v1/orgs/northwind/members?limit=50&sort=last_active&desc=true"),
        ("GET members, search \"ada\"", "/v1/orgs/northwind/members?limit=50&q=ada"),
        ("GET members, role filter", "/v1/orgs/northwind/members?limit=50&role=support-agent"),
        ("GET pending invitations", "/v1/orgs/northwind/invitations"),
        ("GET across-org pending invitations", "/v1/me/managed-invitations"),
    ];
    let everyday = rows.iter().map(|(label, path)| (*label, *path, Some(token.as_str())));
    let at_scale = scale_rows.iter().map(|(label, path)| (*label, *path, scale.as_deref()));
    for (label, path, token) in everyday.chain(at_scale) {
        // ORGDESK_BENCH_ONLY=<text>: the baseline and the rows whose label contains it.
        if std::env::var("ORGDESK_BENCH_ONLY").is_ok_and(|only| baseline.is_some() && !label.contains(&only)) {
            continue;
        }
        let Some(token) = token else {
            println!("| {label} | not measured (no scale data in this build) | | | | | |");
            continue;
        };
        let (cpu_before, own_before) = (cpu_time(pid), cpu_time(std::process::id()));
        let m = measure(&http, &format!("{base}{path}"), token, concurrency, Duration::from_secs(seconds)).await;
        let per_request = |d: Duration| d.as_secs_f64() * 1e6 / m.requests.max(1) as f64;
        let cpu = per_request(cpu_time(pid).saturating_sub(cpu_before));
        // The load generator shares the machine's cores with the server.
        let own = per_request(cpu_time(std::process::id()).saturating_sub(own_before));
        let share = baseline.map_or(100.0, |b: f64| m.rate / b * 100.0);
        baseline.get_or_insert(m.rate);
        println!("| {label} | {:.0} | {share:.1}% | {:.2} | {:.2} | {cpu:.0} | {own:.0} |", m.rate, m.p50, m.p99);
    }
    bulk_invitation(&http, base, &token).await?;
    bulk_role_change(&http, base, &token).await?;
    Ok(())
}

/// A session token of a demo account; `None` when the account does not exist.
async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<Option<String>> {
    let r = http
        .post(format!("{base}/v1/auth/signin"))
        .json(&serde_json::json!({"email": email, "password": demo::DEMO_PASSWORD}))
        .send()
        .await?;
    if !r.status().is_success() {
        return Ok(None);
    }
    let grant: serde_json::Value = r.json().await?;
    Ok(grant["token"].as_str().map(str::to_owned))
}

/// One request changing the role of 500 members of the big org (to viewer
/// and back, so every round changes all 500), three times.
async fn bulk_role_change(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<()> {
    let mut ids: Vec<String> = Vec::new();
    let mut cursor = String::new();
    while ids.len() < 500 {
        let page: serde_json::Value = http
            .get(format!("{base}/v1/orgs/northwind/members?role=member&limit=200{cursor}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        ids.extend(
            page["items"].as_array().into_iter().flatten().filter_map(|m| m["user_id"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    ids.truncate(500);
    let mut times = Vec::new();
    for role in ["viewer", "member", "viewer"] {
        let started = Instant::now();
        let r = http
            .post(format!("{base}/v1/orgs/northwind/members/bulk"))
            .bearer_auth(token)
            .json(&serde_json::json!({"user_ids": ids, "change": {"kind": "role", "role": role}}))
            .send()
            .await?;
        let status = r.status();
        r.bytes().await?;
        if !status.is_success() {
            println!("bulk role change of 500 members: not measured ({status})");
            return Ok(());
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "bulk role change of {} members, one request: median {:.0} ms of 3 ({:.0}–{:.0})",
        ids.len(),
        times[1],
        times[0],
        times[2]
    );
    Ok(())
}

/// One request inviting 1,000 new addresses into a fresh org, three times.
async fn bulk_invitation(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<()> {
    let mut times = Vec::new();
    for round in 0..3 {
        let org: serde_json::Value = http
            .post(format!("{base}/v1/orgs"))
            .bearer_auth(token)
            .json(&serde_json::json!({"name": format!("Bulk bench {round}")}))
            .send()
            .await?
            .json()
            .await?;
        let emails: Vec<String> = (0..1000).map(|i| format!("bulk{round}-{i}@bench.test")).collect();
        let started = Instant::now();
        let r = http
            .post(format!("{base}/v1/orgs/{}/invitations", org["id"].as_str().unwrap_or_default()))
            .bearer_auth(token)
            .json(&serde_json::json!({"emails": emails, "role": "member"}))
            .send()
            .await?;
        let status = r.status();
        r.bytes().await?;
        if !status.is_success() {
            println!("\nbulk invitation of 1,000 addresses: not measured ({status}; this build's limits refuse it)");
            return Ok(());
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "\nbulk invitation of 1,000 addresses, one request: median {:.0} ms of 3 ({:.0}–{:.0})",
        times[1], times[0], times[2]
    );
    Ok(())
}

struct Measured {
    requests: usize,
    rate: f64,
    p50: f64,
    p99: f64,
}

async fn measure(http: &reqwest::Client, url: &str, token: &str, concurrency: usize, length: Duration) -> Measured {
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
    Measured { requests: all.len(), rate: all.len() as f64 / elapsed, p50: pick(0.5), p99: pick(0.99) }
}
