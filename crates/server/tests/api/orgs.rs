use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{send, TestApp, PNG};

#[tokio::test]
async fn create_generates_unique_slugs_and_validates() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let first = app.post(&ada.token, "/v1/orgs", json!({"name": "Acme GmbH & Co."})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["slug"], "acme-gmbh-co");
    let second = app.post(&ada.token, "/v1/orgs", json!({"name": "Acme GmbH & Co"})).await;
    assert_eq!(second.body["slug"], "acme-gmbh-co-2", "a taken slug gets a suffix");
    let chosen = app.post(&ada.token, "/v1/orgs", json!({"name": "Beta", "slug": "beta-team"})).await;
    assert_eq!(chosen.body["slug"], "beta-team");
    app.post(&ada.token, "/v1/orgs", json!({"name": "Beta", "slug": "beta-team"}))
        .await
        .assert_problem(409, "slug_taken");
    let bad = app.post(&ada.token, "/v1/orgs", json!({"name": "Beta", "slug": "Beta_Team"})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "slug");
    app.post(&ada.token, "/v1/orgs", json!({"name": ""})).await.assert_problem(422, "validation_failed");

    let mine = app.get(&ada.token, "/v1/orgs").await;
    assert_eq!(mine.body.as_array().unwrap().len(), 4, "personal + three created");
    let acme = mine.body.as_array().unwrap().iter().find(|o| o["slug"] == "acme-gmbh-co").unwrap();
    assert_eq!(acme["role"], "owner");
    assert!(acme["permissions"].as_array().unwrap().iter().any(|p| p == "org:delete"));
}

#[tokio::test]
async fn get_by_id_or_slug_with_etag() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let by_id = app.get(&ada.token, &format!("/v1/orgs/{}", org.id)).await;
    let by_slug = app.get(&ada.token, &format!("/v1/orgs/{}", org.slug)).await;
    assert_eq!(by_id.body, by_slug.body);
    assert_eq!(by_id.body["member_count"], 1);
    assert_eq!(by_id.body["invitation_lifetime_days"], 7);
    let etag = by_id.header("etag").unwrap().to_owned();
    let again = app
        .request(Method::GET, &format!("/v1/orgs/{}", org.id), Some(&ada.token))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // A new member changes the count, so the same ETag no longer matches.
    app.member(&ada, &org, "bob@example.com", "member").await;
    let after = send(
        app.request(Method::GET, &format!("/v1/orgs/{}", org.id), Some(&ada.token)).header("if-none-match", &etag),
    )
    .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["member_count"], 2);
}

#[tokio::test]
async fn settings_update_with_if_match() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let read = app.get(&ada.token, &format!("/v1/orgs/{}", org.id)).await;
    let etag = read.header("etag").unwrap().to_owned();
    let body = json!({"name": "Acme Inc", "default_language": "de-ch", "timezone": "Europe/Zurich", "invitation_lifetime_days": 14});
    let r = send(
        app.request(Method::PATCH, &format!("/v1/orgs/{}", org.id), Some(&ada.token))
            .header("if-match", &etag)
            .json(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Acme Inc");
    assert_eq!(r.body["slug"], "acme", "renaming keeps the slug");
    assert_eq!(r.body["default_language"], "de-CH");
    assert_eq!(r.body["invitation_lifetime_days"], 14);
    // The same, now stale, ETag loses.
    let stale = send(
        app.request(Method::PATCH, &format!("/v1/orgs/{}", org.id), Some(&ada.token))
            .header("if-match", &etag)
            .json(&json!({"name": "Lost"})),
    )
    .await;
    stale.assert_problem(412, "precondition_failed");
    assert_eq!(app.get(&ada.token, &format!("/v1/orgs/{}", org.id)).await.body["name"], "Acme Inc", "nothing lost");

    for (body, field) in [
        (json!({"default_language": "english"}), "default_language"),
        (json!({"timezone": "Moon/Base"}), "timezone"),
        (json!({"invitation_lifetime_days": 31}), "invitation_lifetime_days"),
        (json!({"invitation_lifetime_days": 0}), "invitation_lifetime_days"),
        (json!({"slug": "a"}), "slug"),
    ] {
        let r = app.patch(&ada.token, &format!("/v1/orgs/{}", org.id), body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], field);
    }
    let other = app.org(&ada, "Other").await;
    app.patch(&ada.token, &format!("/v1/orgs/{}", org.id), json!({"slug": other.slug}))
        .await
        .assert_problem(409, "slug_taken");
}

#[tokio::test]
async fn logo_upload_is_sniffed_and_size_limited() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let path = format!("/v1/orgs/{}/logo", org.id);
    // The content decides, not the claimed type.
    let up =
        send(app.request(Method::PUT, &path, Some(&ada.token)).header("content-type", "image/jpeg").body(PNG.to_vec()))
            .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    assert_eq!(up.body["has_logo"], true);
    let down = app.request(Method::GET, &path, Some(&ada.token)).send().await.unwrap();
    assert_eq!(down.headers()["content-type"], "image/png");
    assert_eq!(down.headers()["x-content-type-options"], "nosniff");
    assert_eq!(down.headers()["content-security-policy"], "default-src 'none'; sandbox");
    assert!(down.headers()["content-disposition"].to_str().unwrap().contains("logo.png"));
    let served = image::load_from_memory(&down.bytes().await.unwrap()).expect("the served logo is an image");
    assert_eq!((served.width(), served.height()), (1, 1));

    // A PNG header followed by HTML is not an image, whatever its first bytes say.
    let mut disguised = b"\x89PNG\r\n\x1a\n".to_vec();
    disguised.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    send(app.request(Method::PUT, &path, Some(&ada.token)).body(disguised))
        .await
        .assert_problem(415, "unsupported_media_type");
    // A valid image with HTML appended is stored without it: re-encoded pixels only.
    let mut appended = PNG.to_vec();
    appended.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let up = send(app.request(Method::PUT, &path, Some(&ada.token)).body(appended)).await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    let stored = app.request(Method::GET, &path, Some(&ada.token)).send().await.unwrap().bytes().await.unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("script"), "appended bytes are not served");
    // A large JPEG is decoded, scaled to 512 px and served as PNG.
    let photo = image::RgbImage::from_fn(1200, 600, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(photo)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let up = send(app.request(Method::PUT, &path, Some(&ada.token)).body(jpeg)).await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    let down = app.request(Method::GET, &path, Some(&ada.token)).send().await.unwrap();
    assert_eq!(down.headers()["content-type"], "image/png");
    let served = image::load_from_memory(&down.bytes().await.unwrap()).unwrap();
    assert_eq!((served.width(), served.height()), (512, 256));

    let svg = send(
        app.request(Method::PUT, &path, Some(&ada.token)).body(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()),
    )
    .await;
    svg.assert_problem(415, "unsupported_media_type");
    let mut big = PNG.to_vec();
    big.resize(513 * 1024, 0);
    let too_big = send(app.request(Method::PUT, &path, Some(&ada.token)).body(big)).await;
    too_big.assert_problem(413, "payload_too_large");
    let huge = send(app.request(Method::PUT, &path, Some(&ada.token)).body(vec![0u8; 2 * 1024 * 1024])).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(app.delete(&ada.token, &path).await.body["has_logo"], false);
    app.get(&ada.token, &path).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn delete_needs_the_slug_repeated() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let admin = app.member(&ada, &org, "admin@example.com", "admin").await;
    let path = format!("/v1/orgs/{}", org.id);
    let r = app.call(Method::DELETE, &path, Some(&admin.token), Some(json!({"confirm_slug": "acme"}))).await;
    r.assert_problem(403, "forbidden");
    let r = app.call(Method::DELETE, &path, Some(&ada.token), Some(json!({"confirm_slug": "acm"}))).await;
    r.assert_problem(422, "confirmation_mismatch");
    let r = app.call(Method::DELETE, &path, Some(&ada.token), Some(json!({"confirm_slug": "acme"}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&ada.token, &path).await.assert_problem(404, "not_found");
    app.get(&admin.token, &path).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn transfer_makes_the_old_owner_admin() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let admin = app.member(&ada, &org, "carol@example.com", "admin").await;
    let path = format!("/v1/orgs/{}/transfer", org.id);
    app.post(&admin.token, &path, json!({"user_id": bob.id})).await.assert_problem(403, "forbidden");
    app.post(&ada.token, &path, json!({"user_id": "nobody"})).await.assert_problem(422, "validation_failed");
    let r = app.post(&ada.token, &path, json!({"user_id": bob.id})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let owners = app.get(&bob.token, &format!("/v1/orgs/{}/members?role=owner", org.id)).await;
    assert_eq!(owners.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(owners.body["items"][0]["user_id"], bob.id.as_str());
    let ada_now = app.get(&ada.token, &format!("/v1/orgs/{}/permissions", org.id)).await;
    assert_eq!(ada_now.body["role"], "admin");
    // Ada is no longer the owner, so she cannot transfer again.
    app.post(&ada.token, &path, json!({"user_id": admin.id})).await.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn anyone_but_the_owner_may_leave() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "viewer").await;
    let path = format!("/v1/orgs/{}/leave", org.id);
    assert_eq!(app.post(&bob.token, &path, json!({})).await.status, StatusCode::NO_CONTENT);
    app.get(&bob.token, &format!("/v1/orgs/{}", org.id)).await.assert_problem(404, "not_found");
    app.post(&ada.token, &path, json!({})).await.assert_problem(409, "owner_protected");
}
