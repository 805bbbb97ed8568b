use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn pending_invitations_across_the_orgs_i_manage() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let boss = app.user("boss@example.com", "Boss").await;
    let acme = app.org(&ada, "Acme").await;
    let beta = app.org(&boss, "Beta").await;
    let gamma = app.org(&boss, "Gamma").await;
    app.join(&boss, &beta, &ada, "admin").await;
    app.join(&boss, &gamma, &ada, "viewer").await;
    let a = app.invite(&ada, &acme, "x1@example.com", "member").await;
    let b = app.invite(&boss, &beta, "x2@example.com", "member").await;
    app.invite(&boss, &gamma, "x3@example.com", "member").await;
    app.sql("UPDATE invitations SET expires_at = expires_at - 3600000 WHERE id = $1", &[&b]).await;

    let r = app.get(&ada.token, "/v1/me/managed-invitations").await;
    let items = r.body.as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["invitation"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [b.as_str(), a.as_str()], "soonest expiry first; Gamma is not Ada's to manage");
    assert_eq!(items[0]["org_name"], "Beta");
    assert_eq!(items[0]["can_resend"], true);
    let etag = r.header("etag").unwrap().to_owned();
    let again = app
        .request(reqwest::Method::GET, "/v1/me/managed-invitations", Some(&ada.token))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn find_a_person_and_remove_them_from_many_orgs() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let boss = app.user("boss@example.com", "Boss").await;
    let leaver = app.user("leaver@example.com", "Leaver").await;
    let acme = app.org(&ada, "Acme").await;
    let beta = app.org(&boss, "Beta").await;
    let gamma = app.org(&boss, "Gamma").await;
    let delta = app.org(&boss, "Delta").await;
    app.join(&boss, &beta, &ada, "admin").await;
    app.join(&boss, &gamma, &ada, "viewer").await;
    for org in [&beta, &gamma, &delta] {
        app.join(&boss, org, &leaver, "member").await;
    }
    app.join(&ada, &acme, &leaver, "member").await;

    let found = app.get(&ada.token, "/v1/me/people?email=LEAVER@example.com").await;
    let orgs: Vec<&str> = found.body.as_array().unwrap().iter().map(|m| m["org_name"].as_str().unwrap()).collect();
    assert_eq!(orgs, ["Acme", "Beta", "Gamma"], "Delta is not visible to Ada");
    let gamma_row = found.body.as_array().unwrap().iter().find(|m| m["org_name"] == "Gamma").unwrap();
    assert_eq!(gamma_row["can_remove"], false, "a viewer cannot remove");

    let r = app
        .post(
            &ada.token,
            "/v1/me/people/remove",
            json!({"email": "leaver@example.com", "org_ids": [acme.id, beta.id, gamma.id, delta.id, "nope"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let outcomes: Vec<&str> =
        r.body["results"].as_array().unwrap().iter().map(|x| x["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["removed", "removed", "denied", "not_a_member", "not_a_member"]);
    let after = app.get(&ada.token, "/v1/me/people?email=leaver@example.com").await;
    assert_eq!(after.body.as_array().unwrap().len(), 1, "only Gamma remains");

    // The owner is protected here too.
    let r =
        app.post(&ada.token, "/v1/me/people/remove", json!({"email": "boss@example.com", "org_ids": [beta.id]})).await;
    assert_eq!(r.body["results"][0]["outcome"], "owner_protected");
    let none = app.get(&ada.token, "/v1/me/people?email=nobody@example.com").await;
    assert_eq!(none.body, json!([]));
}

#[tokio::test]
async fn find_people_by_name_or_email_prefix_across_my_orgs() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let boss = app.user("boss@example.com", "Boss").await;
    let ben = app.user("ben.okafor@example.com", "Ben Okafor").await;
    let chloe = app.user("chloe@okafor.test", "Chloe Okafor").await;
    let other = app.user("bentley@example.com", "Bentley Percent_Sign").await;
    let acme = app.org(&ada, "Acme").await;
    let beta = app.org(&boss, "Beta").await;
    let hidden = app.org(&boss, "Hidden").await;
    app.join(&boss, &beta, &ada, "admin").await;
    for org in [&acme, &beta] {
        let inviter = if org.id == acme.id { &ada } else { &boss };
        app.join(inviter, org, &ben, "member").await;
    }
    app.join(&ada, &acme, &chloe, "member").await;
    app.join(&boss, &hidden, &chloe, "member").await;
    app.join(&ada, &acme, &other, "member").await;

    let names = |r: &crate::support::Reply| -> Vec<(String, String)> {
        r.body
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["member"]["email"].as_str().unwrap().to_owned(), m["org_name"].as_str().unwrap().to_owned()))
            .collect()
    };
    // A full name, as the palette offers it: by person, then org.
    let r = app.get(&ada.token, "/v1/me/people?q=Ben%20Okafor").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        names(&r),
        [("ben.okafor@example.com".into(), "Acme".into()), ("ben.okafor@example.com".into(), "Beta".into())]
    );
    // A word of the name: both Okafors, but not Chloe's membership in an org Ada cannot see.
    let r = app.get(&ada.token, "/v1/me/people?q=okaf").await;
    let found = names(&r);
    assert!(found.contains(&("chloe@okafor.test".into(), "Acme".into())));
    assert!(!found.iter().any(|(_, org)| org == "Hidden"), "{found:?}");
    assert_eq!(found.len(), 3);
    // An email prefix, case-insensitive; wildcards are literal.
    let r = app.get(&ada.token, "/v1/me/people?q=BEN").await;
    let emails: Vec<String> = names(&r).into_iter().map(|(e, _)| e).collect();
    assert_eq!(emails, ["ben.okafor@example.com", "ben.okafor@example.com", "bentley@example.com"]);
    assert_eq!(app.get(&ada.token, "/v1/me/people?q=b%25").await.body, json!([]));
    // The member row says what I may do: the org owner cannot be removed.
    let r = app.get(&ada.token, "/v1/me/people?q=boss").await;
    assert_eq!(r.body[0]["can_remove"], false);
    // Both: that person, if the prefix matches; neither or a blank q: nobody; q is at most 100 characters.
    let r = app.get(&ada.token, "/v1/me/people?email=ben.okafor@example.com&q=oka").await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = app.get(&ada.token, "/v1/me/people?email=ben.okafor@example.com&q=chloe").await;
    assert_eq!(r.body, json!([]));
    for nobody in ["/v1/me/people", "/v1/me/people?q=%20"] {
        let r = app.get(&ada.token, nobody).await;
        assert_eq!((r.status, r.body), (StatusCode::OK, json!([])), "{nobody}");
    }
    let long = format!("/v1/me/people?q={}", "a".repeat(101));
    assert_eq!(app.get(&ada.token, &long).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn removing_a_person_from_many_orgs_can_revoke_their_keys() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let boss = app.user("boss@example.com", "Boss").await;
    let leaver = app.user("leaver@example.com", "Leaver").await;
    let acme = app.org(&ada, "Acme").await;
    let beta = app.org(&boss, "Beta").await;
    let gamma = app.org(&boss, "Gamma").await;
    app.join(&boss, &beta, &ada, "admin").await;
    // In Gamma, Ada may remove members but not manage API keys.
    let r = app
        .post(
            &boss.token,
            &format!("/v1/orgs/{}/roles", gamma.id),
            json!({"key": "remover", "name": "Remover", "permissions": ["org:read", "members:read", "members:remove"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.join(&boss, &gamma, &ada, "remover").await;
    let mut keys = Vec::new();
    for (owner, org) in [(&ada, &acme), (&boss, &beta), (&boss, &gamma)] {
        app.join(owner, org, &leaver, "admin").await;
        let r = app
            .post(
                &leaver.token,
                &format!("/v1/orgs/{}/api-keys", org.id),
                json!({"name": "CI", "permissions": ["org:read"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        keys.push(r.body["secret"].as_str().unwrap().to_owned());
    }
    let r = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/api-keys", acme.id),
            json!({"name": "Mine", "permissions": ["org:read"]}),
        )
        .await;
    let ada_key = r.body["secret"].as_str().unwrap().to_owned();

    let r = app
        .post(
            &ada.token,
            "/v1/me/people/remove",
            json!({"email": "leaver@example.com", "org_ids": [acme.id, beta.id, gamma.id], "revoke_api_keys": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let results = r.body["results"].as_array().unwrap();
    let outcomes: Vec<&str> = results.iter().map(|x| x["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["removed", "removed", "denied"], "{}", r.text);
    let revoked: Vec<u64> = results.iter().map(|x| x["api_keys_revoked"].as_u64().unwrap()).collect();
    assert_eq!(revoked, [1, 1, 0]);
    assert!(results[2]["message"].as_str().unwrap().contains("api_keys:manage"), "{}", r.text);

    app.get(&keys[0], &format!("/v1/orgs/{}", acme.id)).await.assert_problem(401, "unauthenticated");
    app.get(&keys[1], &format!("/v1/orgs/{}", beta.id)).await.assert_problem(401, "unauthenticated");
    assert_eq!(
        app.get(&keys[2], &format!("/v1/orgs/{}", gamma.id)).await.status,
        StatusCode::OK,
        "Gamma was refused whole"
    );
    assert_eq!(app.get(&ada_key, &format!("/v1/orgs/{}", acme.id)).await.status, StatusCode::OK, "others' keys stay");
    let still = app.get(&ada.token, "/v1/me/people?email=leaver@example.com").await;
    let orgs: Vec<&str> = still.body.as_array().unwrap().iter().map(|m| m["org_name"].as_str().unwrap()).collect();
    assert_eq!(orgs, ["Gamma"], "the refused org keeps the membership");
    let audit = app.get(&ada.token, &format!("/v1/orgs/{}/audit?action=api_key.revoked", acme.id)).await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 1, "{}", audit.text);

    // Without the flag the keys stay, as before.
    let r = app
        .post(&boss.token, "/v1/me/people/remove", json!({"email": "leaver@example.com", "org_ids": [gamma.id]}))
        .await;
    assert_eq!(r.body["results"][0]["outcome"], "removed", "{}", r.text);
    assert_eq!(r.body["results"][0]["api_keys_revoked"], 0);
    assert_eq!(app.get(&keys[2], &format!("/v1/orgs/{}", gamma.id)).await.status, StatusCode::OK);
}

/// The paged list is the whole list cut into pages: the same items in the
/// same order, whatever the page size, through built-in and custom roles
/// that may or may not read invitations, and expired ones still shown.
#[tokio::test]
async fn managed_invitations_page_like_the_member_list() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let boss = app.user("boss@example.com", "Boss").await;
    let acme = app.org(&ada, "Acme").await;
    let beta = app.org(&boss, "Beta").await;
    let gamma = app.org(&boss, "Gamma").await;
    let delta = app.org(&boss, "Delta").await;
    let epsilon = app.org(&boss, "Epsilon").await;
    for (org, key, permissions) in [
        (&delta, "inviter", json!(["org:read", "invitations:read", "invitations:revoke"])),
        (&epsilon, "reader", json!(["org:read", "members:read"])),
    ] {
        let r = app
            .post(
                &boss.token,
                &format!("/v1/orgs/{}/roles", org.id),
                json!({"key": key, "name": key, "permissions": permissions}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text);
    }
    app.join(&boss, &beta, &ada, "admin").await;
    app.join(&boss, &gamma, &ada, "viewer").await;
    app.join(&boss, &delta, &ada, "inviter").await;
    app.join(&boss, &epsilon, &ada, "reader").await;
    let mut ids = Vec::new();
    for (who, org, n) in
        [(&ada, &acme, 4), (&boss, &beta, 3), (&boss, &gamma, 2), (&boss, &delta, 2), (&boss, &epsilon, 2)]
    {
        for i in 0..n {
            ids.push(app.invite(who, org, &format!("x{i}.{}@example.com", org.slug), "viewer").await);
        }
    }
    // One expired yesterday (still shown, to resend), one long ago (not shown),
    // two with the same expiry (the id breaks the tie).
    app.sql("UPDATE invitations SET expires_at = expires_at - 691200000 WHERE id = $1", &[&ids[0]]).await;
    app.sql("UPDATE invitations SET expires_at = expires_at - 5184000000 WHERE id = $1", &[&ids[1]]).await;
    app.sql(
        "UPDATE invitations SET expires_at = (SELECT expires_at FROM invitations WHERE id = $1) WHERE id = $2",
        &[&ids[2], &ids[5]],
    )
    .await;

    let all = app.get(&ada.token, "/v1/me/managed-invitations").await;
    let all = all.body.as_array().unwrap().clone();
    // Acme 3 of 4 (one too old), Beta 3, Delta 2; not Gamma (viewer) nor Epsilon (no invitations:read).
    assert_eq!(all.len(), 8, "{all:#?}");
    assert_eq!(all[0]["invitation"]["status"], "expired");
    let delta_item = all.iter().find(|i| i["org_id"] == delta.id.as_str()).unwrap();
    assert_eq!((&delta_item["can_resend"], &delta_item["can_revoke"]), (&json!(false), &json!(true)));
    for limit in [1, 3, 8, 50] {
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = app.get(&ada.token, &format!("/v1/me/managed-invitations/page?limit={limit}{cursor}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= limit, "{limit}");
            paged.extend(items.iter().cloned());
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(paged, all, "pages of {limit}");
    }
    let first = app.get(&ada.token, "/v1/me/managed-invitations/page").await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 8, "the default limit is the member list's (50)");
    assert!(first.body["next_cursor"].is_null());
    app.get(&ada.token, "/v1/me/managed-invitations/page?cursor=bogus").await.assert_problem(422, "validation_failed");
    app.get(&ada.token, "/v1/me/managed-invitations/page?limit=0").await.assert_problem(422, "validation_failed");
    let none = app.get(&boss.token, "/v1/me/managed-invitations/page?limit=2").await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 2, "the boss manages their own orgs");
}
