//! Sign in with OpenID Connect against a real provider we did not write:
//! `oidc-provider` (OpenID Certified), started per test by
//! tests/oidc/provider.mjs on a loopback port. The "browser" is a reqwest
//! client that keeps cookies and posts the provider's development login and
//! consent forms. Needs node and `npm ci` (fails, never skips, without them).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use orgdesk_server::oidc::{challenge_of, ProviderConfig};
use reqwest::{Method, StatusCode, Url};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{TestApp, PASSWORD};

/// The test provider's node process, killed on drop.
struct Idp {
    issuer: String,
    _child: tokio::process::Child,
}

async fn start_idp(redirect_uri: &str) -> Idp {
    start_idp_with(redirect_uri, &[]).await
}

async fn start_idp_with(redirect_uri: &str, args: &[&str]) -> Idp {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(
        root.join("node_modules/oidc-provider/package.json").exists(),
        "the OpenID tests need the oidc-provider package: run `npm ci` at the repository root"
    );
    let mut child = tokio::process::Command::new("node")
        .arg(root.join("tests/oidc/provider.mjs"))
        .args(["--redirect-uri", redirect_uri])
        .args(args)
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the OpenID tests need node on PATH (Node 18 or newer)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let issuer = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("read the provider's output") {
            if let Some(issuer) = line.strip_prefix("issuer ") {
                return issuer.to_owned();
            }
        }
        panic!("the test provider exited before listening");
    })
    .await
    .expect("the test provider listens within 30 s");
    // Keep reading: a closed pipe would end the provider at its next line.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Idp { issuer, _child: child }
}

fn provider(id: &str, name: &str, issuer: &str, client: &str, secret: &str) -> ProviderConfig {
    ProviderConfig::parse(&format!("id={id},name={name},issuer={issuer},client-id={client},client-secret={secret}"))
        .unwrap()
}

/// A server with the provider `corp` (the test client), `broken` (a wrong
/// client secret), and the provider process.
async fn start() -> (TestApp, Idp) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let idp = start_idp(&format!("{base}/v1/auth/oidc/callback")).await;
    let providers = vec![
        provider("corp", "Corp SSO", &idp.issuer, "orgdesk-test", "orgdesk-test-secret"),
        provider("broken", "Broken SSO", &idp.issuer, "orgdesk-test", "not-the-secret"),
    ];
    (TestApp::start_on(listener, providers).await, idp)
}

/// A browser: keeps cookies, follows no redirect by itself.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new() -> Browser {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, cookies: HashMap::new() }
    }

    async fn send(&mut self, method: Method, url: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut r = self.http.request(method, url);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            r = r.header("cookie", jar.join("; "));
        }
        if let Some(form) = form {
            let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
            r = r.header("content-type", "application/x-www-form-urlencoded").body(body.join("&"));
        }
        let response = r.send().await.expect("the browser reaches the server");
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        let status = response.status();
        let base = Url::parse(url).unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|l| base.join(l.to_str().unwrap()).map(String::from).unwrap_or_else(|_| l.to_str().unwrap().into()));
        Page { status, location, body: response.text().await.unwrap_or_default() }
    }

    async fn get(&mut self, url: &str) -> Page {
        self.send(Method::GET, url, None).await
    }

    /// Follows the provider's redirects from `url`, signing in as `login`
    /// and consenting, until the provider sends the browser to the Orgdesk
    /// server: answers that URL (the callback).
    async fn sign_in_at_provider(&mut self, url: &str, idp: &Idp, login: &str) -> String {
        let mut next = url.to_owned();
        for _ in 0..12 {
            if !next.starts_with(&idp.issuer) {
                return next;
            }
            let page = self.get(&next).await;
            if let Some(location) = page.location {
                next = location;
                continue;
            }
            assert_eq!(page.status, StatusCode::OK, "the provider's page {next}: {}", page.body);
            let action = form_action(&page.body).unwrap_or_else(|| panic!("a form on {next}: {}", page.body));
            let action = Url::parse(&next).unwrap().join(&action).unwrap().to_string();
            let submitted = if page.body.contains("value=\"login\"") {
                self.send(Method::POST, &action, Some(&[("prompt", "login"), ("login", login), ("password", "x")]))
                    .await
            } else {
                self.send(Method::POST, &action, Some(&[("prompt", "consent")])).await
            };
            next = submitted.location.unwrap_or_else(|| panic!("the provider's form redirects: {}", submitted.body));
        }
        panic!("the provider never sent the browser back (last {next})");
    }
}

fn form_action(html: &str) -> Option<String> {
    let start = html.find("action=\"")? + "action=\"".len();
    Some(html[start..].split('"').next()?.replace("&amp;", "&"))
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The app's PKCE pair.
fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2));
    let challenge = challenge_of(&verifier);
    (verifier, challenge)
}

/// Starts a flow as the app does; answers the authorize URL.
async fn start_flow(
    app: &TestApp,
    provider: &str,
    redirect: &str,
    challenge: &str,
    invitation: Option<&str>,
) -> String {
    let mut body = json!({"redirect_uri": redirect, "code_challenge": challenge});
    if let Some(token) = invitation {
        body["invitation"] = token.into();
    }
    let r = app.call(Method::POST, &format!("/v1/auth/oidc/{provider}/flows"), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["authorize_url"].as_str().unwrap().to_owned()
}

/// The whole round trip as the app and the browser make it: answers where
/// the callback sent the browser.
async fn round_trip(app: &TestApp, idp: &Idp, login: &str, challenge: &str, invitation: Option<&str>) -> String {
    round_trip_via(app, idp, "corp", login, challenge, invitation).await
}

async fn round_trip_via(
    app: &TestApp,
    idp: &Idp,
    provider: &str,
    login: &str,
    challenge: &str,
    invitation: Option<&str>,
) -> String {
    let authorize = start_flow(app, provider, "orgdesk://auth/callback", challenge, invitation).await;
    let mut browser = Browser::new();
    let callback = browser.sign_in_at_provider(&authorize, idp, login).await;
    assert!(callback.starts_with(&format!("{}/v1/auth/oidc/callback?", app.base)), "{callback}");
    let page = browser.get(&callback).await;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    page.location.unwrap()
}

async fn redeem(app: &TestApp, code: &str, verifier: &str) -> crate::support::Reply {
    app.call(
        Method::POST,
        "/v1/auth/oidc/token",
        None,
        Some(json!({"code": code, "code_verifier": verifier, "device_name": "Orgdesk test"})),
    )
    .await
}

/// Signs in through the provider as `login`; answers the session grant.
async fn sign_in(app: &TestApp, idp: &Idp, login: &str) -> serde_json::Value {
    let (verifier, challenge) = pkce();
    let back = round_trip(app, idp, login, &challenge, None).await;
    let code = query_param(&back, "code").unwrap_or_else(|| panic!("a code in {back}"));
    let r = redeem(app, &code, &verifier).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_signs_in_end_to_end() {
    let (app, idp) = start().await;
    let r = app.call(Method::GET, "/v1/auth/providers", None, None).await;
    assert_eq!(r.body, json!([{"id": "corp", "name": "Corp SSO"}, {"id": "broken", "name": "Broken SSO"}]));

    let (verifier, challenge) = pkce();
    let back = round_trip(&app, &idp, "ada@example.com", &challenge, None).await;
    assert!(back.starts_with("orgdesk://auth/callback?code=odc_"), "{back}");
    let code = query_param(&back, "code").unwrap();
    let grant = redeem(&app, &code, &verifier).await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);
    assert_eq!(grant.body["user"]["email"], "ada@example.com");
    assert_eq!(grant.body["user"]["email_verified"], true);
    assert_eq!(grant.body["session"]["device_name"], "Orgdesk test");
    let token = grant.body["token"].as_str().unwrap();
    let orgs = app.get(token, "/v1/orgs").await;
    assert_eq!(orgs.status, StatusCode::OK, "{}", orgs.text);
    assert_eq!(orgs.body.as_array().map(Vec::len), Some(1), "a personal workspace: {}", orgs.text);
    let log = app.get(token, "/v1/me/security-log").await;
    assert_eq!(log.body["items"][0]["kind"], "sign_in", "{}", log.text);
    assert_eq!(log.body["items"][0]["provider"], "corp", "{}", log.text);
    // No usable password: signing in with one fails like any wrong password.
    let r = app
        .call(Method::POST, "/v1/auth/signin", None, Some(json!({"email": "ada@example.com", "password": PASSWORD})))
        .await;
    r.assert_problem(401, "invalid_credentials");

    // The code is single use.
    redeem(&app, &code, &verifier).await.assert_problem(400, "invalid_grant");
    // The same person again: the same account, through the link.
    let again = sign_in(&app, &idp, "ada@example.com").await;
    assert_eq!(again["user"]["id"], grant.body["user"]["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_address_links_to_the_existing_account() {
    let (app, idp) = start().await;
    let grace = app.user("grace@example.com", "Grace").await;
    let grant = sign_in(&app, &idp, "grace@example.com").await;
    assert_eq!(grant["user"]["id"], grace.id.as_str());
    assert_eq!(grant["user"]["name"], "Grace", "the account is Grace's own, not a new one");
    // Her password and her other session still work.
    assert_eq!(app.get(&grace.token, "/v1/me").await.status, StatusCode::OK);
    let r = app
        .call(Method::POST, "/v1/auth/signin", None, Some(json!({"email": grace.email, "password": PASSWORD})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_address_is_never_linked() {
    let (app, idp) = start().await;
    // The provider does not confirm this address; an account holds it here.
    let owner = app.user("unverified.mallory@example.com", "Mallory").await;
    let (verifier, challenge) = pkce();
    let back = round_trip(&app, &idp, "unverified.mallory@example.com", &challenge, None).await;
    assert_eq!(query_param(&back, "error").as_deref(), Some("email_not_verified"), "{back}");
    assert!(query_param(&back, "error_description").unwrap().contains("did not confirm"), "{back}");
    assert!(query_param(&back, "code").is_none());
    let links: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM oidc_links").fetch_one(p).await).unwrap();
    assert_eq!(links, 0);
    assert_eq!(app.get(&owner.token, "/v1/me").await.status, StatusCode::OK, "the owner's session is untouched");
    let _ = verifier;
    // Nor does it create an account for an address nobody proved.
    let (_, challenge) = pkce();
    let back = round_trip(&app, &idp, "unverified.nobody@example.com", &challenge, None).await;
    assert_eq!(query_param(&back, "error").as_deref(), Some("email_not_verified"), "{back}");
    let users: i64 = on_pool!(app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE email = 'unverified.nobody@example.com'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_survives_the_round_trip() {
    let (app, idp) = start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Contoso").await;
    // From the app: the flow carries the invitation.
    app.invite(&owner, &org, "newbie@example.com", "member").await;
    let token = app.token_from_outbox("newbie@example.com", "/invite/").await;
    let (verifier, challenge) = pkce();
    let back = round_trip(&app, &idp, "newbie@example.com", &challenge, Some(&token)).await;
    assert!(query_param(&back, "invitation_error").is_none(), "{back}");
    let grant = redeem(&app, &query_param(&back, "code").unwrap(), &verifier).await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);
    let session = grant.body["token"].as_str().unwrap();
    let org_view = app.get(session, &format!("/v1/orgs/{}", org.id)).await;
    assert_eq!(org_view.status, StatusCode::OK, "a member now: {}", org_view.text);

    // An invitation for another address: signed in, but not joined, and told why.
    app.invite(&owner, &org, "someone.else@example.com", "member").await;
    let other = app.token_from_outbox("someone.else@example.com", "/invite/").await;
    let (_, challenge) = pkce();
    let back = round_trip(&app, &idp, "newbie2@example.com", &challenge, Some(&other)).await;
    assert_eq!(query_param(&back, "invitation_error").as_deref(), Some("invitation_email_mismatch"), "{back}");
    assert!(query_param(&back, "code").is_some());

    // From the server's invitation page: "Continue with Corp SSO".
    app.invite(&owner, &org, "pat@example.com", "viewer").await;
    let pat = app.token_from_outbox("pat@example.com", "/invite/").await;
    let mut browser = Browser::new();
    let page = browser.get(&format!("{}/invite/{pat}", app.base)).await;
    assert!(page.body.contains("Continue with Corp SSO"), "{}", page.body);
    let started = browser.send(Method::POST, &format!("{}/invite/{pat}/oidc/corp", app.base), Some(&[])).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let callback = browser.sign_in_at_provider(&started.location.unwrap(), &idp, "pat@example.com").await;
    let done = browser.get(&callback).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("You joined Contoso"), "{}", done.body);
    let members = app.get(&owner.token, &format!("/v1/orgs/{}/members", org.id)).await;
    assert!(members.text.contains("pat@example.com"), "{}", members.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_replayed_or_expired_state_is_refused() {
    let (app, idp) = start().await;
    let mut browser = Browser::new();
    for query in ["", "?code=x", "?code=x&state=not-a-flow"] {
        let page = browser.get(&format!("{}/v1/auth/oidc/callback{query}", app.base)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}: {}", page.body);
        assert!(page.body.contains("Start signing in again"), "{}", page.body);
    }
    // Replayed: the callback works once.
    let (_, challenge) = pkce();
    let authorize = start_flow(&app, "corp", "orgdesk://auth/callback", &challenge, None).await;
    let callback = browser.sign_in_at_provider(&authorize, &idp, "ada@example.com").await;
    assert_eq!(browser.get(&callback).await.status, StatusCode::FOUND);
    let replay = browser.get(&callback).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.body);
    assert!(replay.body.contains("completed already"), "{}", replay.body);
    // Expired: the flow is older than 10 minutes.
    let authorize = start_flow(&app, "corp", "orgdesk://auth/callback", &challenge, None).await;
    let callback = Browser::new().sign_in_at_provider(&authorize, &idp, "ada@example.com").await;
    app.sql("UPDATE oidc_flows SET expires_at = 0 WHERE used_at IS NULL", &[]).await;
    assert_eq!(Browser::new().get(&callback).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_for_another_nonce_or_a_refused_client_signs_nobody_in() {
    let (app, idp) = start().await;
    // The authorize URL asks the provider for another nonce: its ID token is
    // for another sign-in.
    let (_, challenge) = pkce();
    let authorize = start_flow(&app, "corp", "orgdesk://auth/callback", &challenge, None).await;
    let mut url = Url::parse(&authorize).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" { "another-nonce".to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let mut browser = Browser::new();
    let callback = browser.sign_in_at_provider(url.as_str(), &idp, "ada@example.com").await;
    let back = browser.get(&callback).await.location.unwrap();
    assert_eq!(query_param(&back, "error").as_deref(), Some("invalid_id_token"), "{back}");
    assert!(query_param(&back, "error_description").unwrap().contains("nonce"), "{back}");
    // A client the provider does not accept (wrong secret): no code exchange.
    let authorize = start_flow(&app, "broken", "orgdesk://auth/callback", &challenge, None).await;
    let mut browser = Browser::new();
    let callback = browser.sign_in_at_provider(&authorize, &idp, "ada@example.com").await;
    let back = browser.get(&callback).await.location.unwrap();
    assert_eq!(query_param(&back, "error").as_deref(), Some("provider_error"), "{back}");
    let users: i64 = on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await).unwrap();
    assert_eq!(users, 0, "nobody was signed up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_with_another_verifier_is_burnt() {
    let (app, idp) = start().await;
    let (verifier, challenge) = pkce();
    let back = round_trip(&app, &idp, "ada@example.com", &challenge, None).await;
    let code = query_param(&back, "code").unwrap();
    let (other_verifier, _) = pkce();
    let r = redeem(&app, &code, &other_verifier).await;
    r.assert_problem(400, "invalid_grant");
    assert!(r.text.contains("does not match"), "{}", r.text);
    redeem(&app, &code, &verifier).await.assert_problem(400, "invalid_grant");
    redeem(&app, "odc_unknown", &verifier).await.assert_problem(400, "invalid_grant");
    redeem(&app, &code, "short").await.assert_problem(422, "validation_failed");
    // An expired code (older than 2 minutes).
    let (verifier, challenge) = pkce();
    let back = round_trip(&app, &idp, "ada@example.com", &challenge, None).await;
    app.sql("UPDATE oidc_codes SET expires_at = 0 WHERE used_at IS NULL", &[]).await;
    redeem(&app, &query_param(&back, "code").unwrap(), &verifier).await.assert_problem(400, "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_check_their_input() {
    let (app, idp) = start().await;
    let (verifier, challenge) = pkce();
    let flows = |p: &str| format!("/v1/auth/oidc/{p}/flows");
    let body = |redirect: &str, challenge: &str| json!({"redirect_uri": redirect, "code_challenge": challenge});
    let r = app.call(Method::POST, &flows("nope"), None, Some(body("orgdesk://auth/callback", &challenge))).await;
    r.assert_problem(404, "not_found");
    for bad in ["https://evil.example/cb", "http://localhost:1234/cb", "orgdesk://other"] {
        let r = app.call(Method::POST, &flows("corp"), None, Some(body(bad, &challenge))).await;
        r.assert_problem(422, "validation_failed");
    }
    let r = app.call(Method::POST, &flows("corp"), None, Some(body("orgdesk://auth/callback", "plain"))).await;
    r.assert_problem(422, "validation_failed");
    let mut with_invitation = body("orgdesk://auth/callback", &challenge);
    with_invitation["invitation"] = "odi_unknown".into();
    app.call(Method::POST, &flows("corp"), None, Some(with_invitation)).await.assert_problem(404, "not_found");
    // A loopback redirect (RFC 8252 §7.3) gets the code.
    let authorize = start_flow(&app, "corp", "http://127.0.0.1:53682/done", &challenge, None).await;
    assert_eq!(query_param(&authorize, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(query_param(&authorize, "scope").as_deref(), Some("openid email profile"));
    assert_ne!(query_param(&authorize, "code_challenge").as_deref(), Some(challenge.as_str()), "the server's own PKCE");
    let mut browser = Browser::new();
    let callback = browser.sign_in_at_provider(&authorize, &idp, "ada@example.com").await;
    let back = browser.get(&callback).await.location.unwrap();
    assert!(back.starts_with("http://127.0.0.1:53682/done?code=odc_"), "{back}");
    let r = redeem(&app, &query_param(&back, "code").unwrap(), &verifier).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Only the state's hash is stored.
    let state = query_param(&authorize, "state").unwrap();
    let stored: i64 = on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM oidc_flows WHERE state_hash = $1")
        .bind(&state)
        .fetch_one(p)
        .await)
    .unwrap();
    assert_eq!(stored, 0);
}

/// Two first sign-ins of one person at once: the unique keys decide, and
/// both reach the one account the winner created (never a 500, never two).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_first_sign_ins_at_once_reach_one_account() {
    let (app, idp) = start().await;
    let mut pending = Vec::new();
    for _ in 0..4 {
        let (verifier, challenge) = pkce();
        let authorize = start_flow(&app, "corp", "orgdesk://auth/callback", &challenge, None).await;
        let mut browser = Browser::new();
        let callback = browser.sign_in_at_provider(&authorize, &idp, "twin@example.com").await;
        pending.push((browser, callback, verifier));
    }
    let answers = futures_join(pending.into_iter().map(|(mut browser, callback, verifier)| async move {
        let page = browser.get(&callback).await;
        (page, verifier)
    }))
    .await;
    let mut users = std::collections::BTreeSet::new();
    for (page, verifier) in answers {
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        let back = page.location.unwrap();
        let code = query_param(&back, "code").unwrap_or_else(|| panic!("a code: {back}"));
        let grant = redeem(&app, &code, &verifier).await;
        assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);
        users.insert(grant.body["user"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(users.len(), 1, "one account: {users:?}");
    let links: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM oidc_links").fetch_one(p).await).unwrap();
    assert_eq!(links, 1);
}

async fn futures_join<F: std::future::Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// A real ID token of the provider, issued to its other client: the
/// server's checks refuse it for ours (wrong audience), and take it for the
/// client it was issued to (so nothing else about it is wrong).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_token_for_another_client_is_refused() {
    let (app, idp) = start().await;
    let callback = format!("{}/v1/auth/oidc/callback", app.base);
    let verifier = "another-client-verifier-0123456789-abcdefghijkl";
    let mut authorize = Url::parse(&format!("{}/auth", idp.issuer)).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "orgdesk-other")
        .append_pair("redirect_uri", &callback)
        .append_pair("scope", "openid email profile")
        .append_pair("state", "s")
        .append_pair("nonce", "n-other")
        .append_pair("code_challenge", &challenge_of(verifier))
        .append_pair("code_challenge_method", "S256");
    let back = Browser::new().sign_in_at_provider(authorize.as_str(), &idp, "ada@example.com").await;
    let code = query_param(&back, "code").unwrap_or_else(|| panic!("a code: {back}"));
    let http = reqwest::Client::new();
    let tokens: serde_json::Value = http
        .post(format!("{}/token", idp.issuer))
        .basic_auth("orgdesk-other", Some("orgdesk-other-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &callback),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"].as_str().unwrap_or_else(|| panic!("an ID token: {tokens}"));
    let keys: jsonwebtoken::jwk::JwkSet =
        http.get(format!("{}/jwks", idp.issuer)).send().await.unwrap().json().await.unwrap();
    use orgdesk_server::oidc::{verify_id_token, verify_id_token_at, IdTokenError};
    let ours = verify_id_token(id_token, &keys, &idp.issuer, "orgdesk-test", "n-other");
    assert_eq!(ours.unwrap_err(), IdTokenError::Audience);
    let theirs = verify_id_token(id_token, &keys, &idp.issuer, "orgdesk-other", "n-other").unwrap();
    assert_eq!(theirs.sub, "ada@example.com");
    assert_eq!(
        verify_id_token(id_token, &keys, &idp.issuer, "orgdesk-other", "n-ours").unwrap_err(),
        IdTokenError::Nonce
    );
    // The same real token once it expired (a minute's leeway past `exp`).
    let at = |now: i64| verify_id_token_at(id_token, &keys, &idp.issuer, "orgdesk-other", "n-other", now);
    assert!(at(theirs.exp + 60).is_ok(), "within the leeway");
    assert_eq!(at(theirs.exp + 61).unwrap_err(), IdTokenError::Expired);
}

/// A provider that never sends `email_verified` (Microsoft Entra ID) but
/// its own claim (`xms_edov`): configured with `email-verified-claim`, its
/// confirmed addresses link; configured without, nothing links.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_may_confirm_addresses_by_its_own_claim() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let idp = start_idp(&format!("{base}/v1/auth/oidc/callback")).await;
    let corp = provider("corp", "Corp SSO", &idp.issuer, "orgdesk-test", "orgdesk-test-secret");
    let entra = ProviderConfig::parse(&format!(
        "id=entra,name=Entra ID,issuer={},client-id=orgdesk-test,client-secret=orgdesk-test-secret,\
         email-verified-claim=xms_edov",
        idp.issuer
    ))
    .unwrap();
    let app = TestApp::start_on(listener, vec![corp, entra]).await;
    let lin = app.user("domain.lin@example.com", "Lin").await;

    let (_, challenge) = pkce();
    let back = round_trip(&app, &idp, "domain.lin@example.com", &challenge, None).await;
    assert_eq!(query_param(&back, "error").as_deref(), Some("email_not_verified"), "{back}");

    let (verifier, challenge) = pkce();
    let back = round_trip_via(&app, &idp, "entra", "domain.lin@example.com", &challenge, None).await;
    let code = query_param(&back, "code").unwrap_or_else(|| panic!("a code in {back}"));
    let grant = redeem(&app, &code, &verifier).await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);
    assert_eq!(grant.body["user"]["id"], lin.id.as_str(), "linked to Lin's account by the confirmed address");

    // `email_verified: true` alone does not count for that provider.
    let (_, challenge) = pkce();
    let back = round_trip_via(&app, &idp, "entra", "ada@example.com", &challenge, None).await;
    assert_eq!(query_param(&back, "error").as_deref(), Some("email_not_verified"), "{back}");
}

/// A strict provider puts the email only in userinfo: the server reads it
/// there (for the ID token's subject) and signs the person in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_email_may_come_from_userinfo() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let idp = start_idp_with(&format!("{base}/v1/auth/oidc/callback"), &["--strict"]).await;
    let corp = provider("corp", "Corp SSO", &idp.issuer, "orgdesk-test", "orgdesk-test-secret");
    let app = TestApp::start_on(listener, vec![corp]).await;
    let grant = sign_in(&app, &idp, "strict@example.com").await;
    assert_eq!(grant["user"]["email"], "strict@example.com");
    let (_, challenge) = pkce();
    let back = round_trip(&app, &idp, "unverified.strict@example.com", &challenge, None).await;
    assert_eq!(query_param(&back, "error").as_deref(), Some("email_not_verified"), "{back}");
}
