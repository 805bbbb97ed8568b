//! Invitation flows end to end: the server's mail worker delivers over a real
//! SMTP socket to a sink in this test, and the emailed link is followed.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::support::{link_token, TestApp, PASSWORD};

/// A minimal SMTP server: accepts every message and hands its raw text over.
async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut data = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            tx.send(std::mem::take(&mut data)).ok();
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            data.push_str(line.strip_prefix('.').unwrap_or(&line));
                            data.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(answer).await.ok();
                }
            });
        }
    });
    (port, rx)
}

/// Undoes quoted-printable soft line breaks and `=3D`, so links can be read.
fn unfold(raw: &str) -> String {
    raw.replace("=\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn invitation_email_arrives_over_smtp_and_its_link_signs_up_and_joins() {
    let app = TestApp::start().await;
    let (port, mut inbox) = smtp_sink().await;
    tokio::spawn(orgdesk_server::outbox::run_mailer(
        app.state.clone(),
        format!("smtp://127.0.0.1:{port}"),
        "Orgdesk <no-reply@orgdesk.test>".parse().unwrap(),
    ));

    // Ada's own verification email comes first.
    let ada = app.unverified_user("ada@example.com", "Ada").await;
    let verification =
        tokio::time::timeout(Duration::from_secs(20), inbox.recv()).await.expect("an email within 20 s").unwrap();
    assert!(verification.contains("To: ada@example.com"), "{verification}");
    // Sending invitations needs a verified address: follow the emailed link.
    let verify = link_token(&unfold(&verification), "/verify/").expect("a /verify/ link");
    let r = app.call(reqwest::Method::POST, "/v1/auth/verify-email", None, Some(json!({ "token": verify }))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let org = app.org(&ada, "Acme").await;
    app.patch(&ada.token, &format!("/v1/orgs/{}", org.id), json!({"timezone": "Europe/Berlin"})).await;
    let logo = crate::support::send(
        app.request(reqwest::Method::PUT, &format!("/v1/orgs/{}/logo", org.id), Some(&ada.token))
            .body(crate::support::PNG.to_vec()),
    )
    .await;
    assert_eq!(logo.status, StatusCode::OK, "{}", logo.text);
    app.invite(&ada, &org, "dan@example.com", "viewer").await;
    let raw =
        tokio::time::timeout(Duration::from_secs(20), inbox.recv()).await.expect("the invitation within 20 s").unwrap();
    let email = unfold(&raw);
    assert!(email.contains("To: dan@example.com"), "{email}");
    assert!(email.contains("Subject: Join Acme on Orgdesk: Ada invited you"), "the subject names the org: {email}");
    assert!(email.contains("Ada invited you to join Acme on Orgdesk as Viewer."), "inviter, org and role: {email}");
    // Plain text and HTML, and the org's logo inline.
    assert!(
        email.contains("multipart/alternative") && email.contains("text/plain") && email.contains("text/html"),
        "{email}"
    );
    assert!(
        email.contains("Content-ID: <logo>") && email.contains("image/png") && email.contains("cid:logo"),
        "{email}"
    );
    // An absolute expiry date in the org's time zone, not "in 7 days".
    let expires = orgdesk_server::emails::long_time(
        orgdesk_server::time::now_ms() + 7 * orgdesk_server::time::DAY,
        "Europe/Berlin",
    );
    let day = expires.split(" at ").next().unwrap();
    assert!(email.contains(&format!("expires on {day}")) && email.contains("(Europe/Berlin)"), "{day}: {email}");
    let token = link_token(&email, "/invite/").expect("an /invite/ link");
    assert!(email.contains(&format!("orgdesk://invite/{token}")), "the app link too");

    // The emailed link opens the server's page with the email filled in.
    let page = app.http.get(format!("{}/invite/{token}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer", "the token in the address must not leak");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Join Acme") && html.contains("dan@example.com") && html.contains("orgdesk://invite/"),
        "{html}"
    );

    let joined = app
        .http
        .post(format!("{}/invite/{token}/signup", app.base))
        .form(&[("name", "Dan"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(joined.text().await.unwrap().contains("Welcome to Orgdesk"));
    let signin = app
        .call(
            reqwest::Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "dan@example.com", "password": PASSWORD})),
        )
        .await;
    let dan = signin.body["token"].as_str().unwrap();
    let orgs = app.get(dan, "/v1/orgs").await;
    assert!(
        orgs.body.as_array().unwrap().iter().any(|o| o["id"] == org.id.as_str() && o["role"] == "viewer"),
        "{}",
        orgs.text
    );

    let sent: i64 = on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
        .fetch_one(p)
        .await)
    .unwrap();
    assert!(sent >= 2, "the outbox records the deliveries");
    let _ = ada;
}

#[tokio::test]
async fn existing_user_accepts_through_the_page_with_their_password() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.unverified_user("dan@example.com", "Dan").await;
    app.invite(&ada, &org, "dan@example.com", "member").await;
    let token = app.token_from_outbox("dan@example.com", "/invite/").await;
    let wrong = app
        .http
        .post(format!("{}/invite/{token}/accept", app.base))
        .form(&[("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "the error page says so in its status too");
    assert!(wrong.text().await.unwrap().contains("wrong"));
    let ok = app
        .http
        .post(format!("{}/invite/{token}/accept", app.base))
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("You joined"));
    assert_eq!(app.get(&dan.token, &format!("/v1/orgs/{}/permissions", org.id)).await.body["role"], "member");
    // The used link: its page and its form answer 409, an unknown one 404.
    let page = app.http.get(format!("{}/invite/{token}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::CONFLICT);
    let again = app.http.post(format!("{}/invite/{token}/decline", app.base)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let unknown = app.http.get(format!("{}/invite/odi_unknown", app.base)).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&dan.token, "/v1/me").await.body["email_verified"], true);
}

#[tokio::test]
async fn undeliverable_mail_is_retried_with_backoff() {
    let app = TestApp::start().await;
    // Nothing listens on this port: every attempt fails.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    tokio::spawn(orgdesk_server::outbox::run_mailer(
        app.state.clone(),
        format!("smtp://127.0.0.1:{closed}"),
        "Orgdesk <no-reply@orgdesk.test>".parse().unwrap(),
    ));
    app.unverified_user("ada@example.com", "Ada").await;
    let mut attempts = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let row: (i64, Option<String>, i64, i64) =
            on_pool!(app, |p| sqlx::query_as("SELECT attempts, last_error, next_attempt_at, created_at FROM outbox")
                .fetch_one(p)
                .await)
            .unwrap();
        attempts = row.0;
        if attempts >= 1 {
            assert!(row.1.is_some(), "the failure is recorded");
            assert!(row.2 > row.3, "the next attempt waits");
            break;
        }
    }
    assert!(attempts >= 1, "the worker tried");
}
