//! Demo data for `--demo`: an agency user who owns or administers 40 client
//! organizations, one organization with 10,000 members, about 200 pending
//! invitations with a spread of expiries, custom roles and audit history.

use orgdesk_core::api::AuditAction;
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{hash_password, new_token, Actor};
use crate::db::{Db, Sql};
use crate::orgs::insert_org;
use crate::store::memberships::insert as insert_membership;
use crate::time::{new_id, now_ms, DAY, HOUR, MINUTE};

pub const DEMO_PASSWORD: &str = "orgdesk-demo-2026";
pub const AGENCY_EMAIL: &str = "agency@orgdesk.test";
pub const MEMBER_EMAIL: &str = "member@orgdesk.test";
pub const BIG_ORG_SLUG: &str = "northwind";
pub const BIG_ORG_MEMBERS: usize = 10_000;

const FIRST: [&str; 40] = [
    "Ada", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kai", "Lena", "Mateo", "Nora",
    "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko",
    "Bruno", "Carmen", "Dmitri", "Elif", "Felix", "Greta", "Hana", "Ivan", "Jade", "Kofi", "Luca", "Maya", "Nils",
];
const LAST: [&str; 25] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Schmidt",
    "Rossi",
    "Novak",
    "Haddad",
    "Kowalski",
    "Silva",
    "Nguyen",
    "Larsen",
    "Fischer",
    "Costa",
    "Ivanova",
    "Murphy",
    "Yilmaz",
    "Dubois",
    "Sato",
    "Garcia",
    "Berg",
    "Patel",
    "Keller",
    "Mendes",
    "Ahmed",
];
const CLIENTS: [&str; 40] = [
    "Acme Robotics",
    "Blue Harbor Dental",
    "Cedar & Pine Law",
    "Delta Freight",
    "Evergreen Schools",
    "Fjord Analytics",
    "Granite Insurance",
    "Helios Solar",
    "Ironwood Builders",
    "Juniper Health",
    "Kestrel Air",
    "Lumen Studios",
    "Maple Street Bakery",
    "Nimbus Cloudworks",
    "Orchid Spa",
    "Pioneer Outdoor",
    "Quartz Jewelry",
    "Riverbend Clinic",
    "Summit Climbing",
    "Tidewater Marine",
    "Umbra Security",
    "Vantage Realty",
    "Willow Vet",
    "Xenon Labs",
    "Yellowtail Sushi",
    "Zephyr Cycles",
    "Atlas Logistics",
    "Beacon Media",
    "Cobalt Mining",
    "Driftwood Hotels",
    "Ember Coffee",
    "Falcon Drones",
    "Glacier Water",
    "Harbor Lights",
    "Indigo Textiles",
    "Jasper Ceramics",
    "Kite Education",
    "Lotus Yoga",
    "Meridian Bank",
    "Nova Pharmacy",
];

/// Seeds once; later runs find the agency user and only print the credentials.
pub async fn seed(db: &Db) -> anyhow::Result<String> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_key = $1")
        .bind(AGENCY_EMAIL)
        .fetch_one(&db.pool)
        .await?;
    if exists == 0 {
        tracing::info!("seeding demo data (10,000 members, 40 client organizations)…");
        seed_all(db).await?;
    }
    Ok(format!(
        "\n  Orgdesk demo data is ready.\n  Agency admin: {AGENCY_EMAIL} / {DEMO_PASSWORD}\n  Plain member: {MEMBER_EMAIL} / {DEMO_PASSWORD}\n  Large organization: \"{BIG_ORG_SLUG}\" with {BIG_ORG_MEMBERS} members.\n"
    ))
}

struct Person {
    id: String,
    email: String,
    name: String,
}

async fn seed_all(db: &Db) -> anyhow::Result<()> {
    let hash = hash_password(DEMO_PASSWORD);
    let now = now_ms();
    let mut tx = db.write().await?;
    let conn = tx.conn();

    let agency = Person { id: new_id(), email: AGENCY_EMAIL.into(), name: "Avery Agency".into() };
    let member = Person { id: new_id(), email: MEMBER_EMAIL.into(), name: "Morgan Member".into() };
    let mut people: Vec<Person> = (0..BIG_ORG_MEMBERS)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            Person {
                id: new_id(),
                email: format!("{}.{}{}@northwind.test", first.to_lowercase(), last.to_lowercase(), i),
                name: format!("{first} {last}"),
            }
        })
        .collect();
    let owners: Vec<Person> = (0..20)
        .map(|i| Person {
            id: new_id(),
            email: format!("owner{i}@client.test"),
            name: format!("{} {}", FIRST[(i * 7) % 40], LAST[i % 25]),
        })
        .collect();
    let everyone: Vec<&Person> = [&agency, &member].into_iter().chain(owners.iter()).chain(people.iter()).collect();
    for chunk in everyone.chunks(400) {
        let mut sql = Sql::new("INSERT INTO users (id, email, email_key, name, password_hash, timezone, email_verified_at, created_at) VALUES ");
        for (i, p) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(p.id.as_str()).push(", ").bind(p.email.as_str()).push(", ").bind(p.email.to_lowercase());
            sql.push(", ")
                .bind(p.name.as_str())
                .push(", ")
                .bind(hash.as_str())
                .push(", 'Europe/Berlin', ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    let agency_actor = Actor { user_id: Some(agency.id.clone()), ..Default::default() };

    // The large organization, owned by the agency user, with custom roles.
    let big = insert_org(conn, "Northwind Traders", Some(BIG_ORG_SLUG), false, &agency.id, &agency_actor)
        .await
        .map_err(api_err)?;
    for (key, name, perms) in [
        ("support-agent", "Support agent", "org:read members:read app:tickets.reply app:tickets.read"),
        ("auditor", "Auditor", "org:read members:read audit:read"),
    ] {
        sqlx::query("INSERT INTO roles (org_id, role_key, name, builtin, permissions, created_at) VALUES ($1, $2, $3, 0, $4, $5)")
            .bind(&big).bind(key).bind(name).bind(perms).bind(now).execute(&mut *conn).await?;
        audit::record(
            conn,
            &big,
            &agency_actor,
            Change::new(AuditAction::RoleCreated, Some(key))
                .after(json!({"name": name, "permissions": perms.split(' ').collect::<Vec<_>>()})),
        )
        .await?;
    }
    let roles =
        ["member", "member", "member", "member", "viewer", "support-agent", "billing", "admin", "auditor", "member"];
    people.rotate_left(0);
    for (n, chunk) in people.chunks(500).enumerate() {
        let mut sql = Sql::new(
            "INSERT INTO memberships (org_id, user_id, role, status, joined_at, last_active_at, sort_name) VALUES ",
        );
        for (i, p) in chunk.iter().enumerate() {
            let k = n * 500 + i;
            if i > 0 {
                sql.push(", ");
            }
            let status = if k % 97 == 0 { "disabled" } else { "active" };
            let joined = now - (k as i64 % 900) * DAY / 3 - k as i64 * MINUTE;
            sql.push("(").bind(big.as_str()).push(", ").bind(p.id.as_str()).push(", ").bind(roles[k % roles.len()]);
            sql.push(", ")
                .bind(status)
                .push(", ")
                .bind(joined)
                .push(", ")
                .bind(now - (k as i64 % 500) * HOUR)
                .push(", ")
                .bind(p.name.to_lowercase())
                .push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    insert_membership(conn, &big, &member.id, "member", now).await?;
    for (k, p) in people.iter().take(30).enumerate() {
        let change = Change::new(AuditAction::MemberRoleChanged, Some(&p.id))
            .before(json!({"role": "member"}))
            .after(json!({"role": roles[k % roles.len()]}));
        audit::record(conn, &big, &agency_actor, change).await?;
    }

    // Forty client organizations: the agency owns half and administers the rest.
    let mut orgs = vec![big.clone()];
    for (i, name) in CLIENTS.iter().enumerate() {
        let owned = i % 2 == 0;
        let owner = if owned { &agency.id } else { &owners[i / 2].id };
        let actor = Actor { user_id: Some(owner.clone()), ..Default::default() };
        let org = insert_org(conn, name, None, false, owner, &actor).await.map_err(api_err)?;
        if !owned {
            insert_membership(conn, &org, &agency.id, "admin", now).await?;
        }
        if i < 5 {
            insert_membership(conn, &org, &member.id, "member", now).await?;
        }
        // A few people appear in many orgs, so "find a person" has something to find.
        for p in people.iter().skip(i * 7).take(8 + i % 12) {
            let role = if p.id.ends_with('0') { "admin" } else { "member" };
            insert_membership(conn, &org, &p.id, role, now - (i as i64) * DAY).await?;
        }
        for p in people.iter().take(3) {
            insert_membership(conn, &org, &p.id, "member", now).await?;
        }
        orgs.push(org);
    }

    // About 200 pending invitations, expiring from within the hour to a week out.
    for k in 0..200i64 {
        let org = &orgs[(k as usize) % orgs.len()];
        let (_, token_hash) = new_token("odi");
        let created = now - (k % 6) * DAY;
        let expires = now + HOUR / 2 + k * 50 * MINUTE;
        let email = format!("invitee{k}@prospect.test");
        let id = new_id();
        sqlx::query(
            "INSERT INTO invitations (id, org_id, email, email_key, role, invited_by, token_hash, status, created_at, expires_at, last_sent_at, send_count) \
             VALUES ($1, $2, $3, $3, $4, $5, $6, 'pending', $7, $8, $7, 1)",
        )
        .bind(&id).bind(org).bind(&email).bind(if k % 5 == 0 { "admin" } else { "member" }).bind(&agency.id)
        .bind(token_hash).bind(created).bind(expires)
        .execute(&mut *conn).await?;
        audit::record(
            conn,
            org,
            &agency_actor,
            Change::new(AuditAction::InvitationCreated, Some(&id)).after(json!({"email": email})),
        )
        .await?;
    }
    // A few that expired unanswered (two in the big org), to show them greyed with "Resend".
    for k in 0..6i64 {
        let org = &orgs[(k as usize * 7) % orgs.len()];
        let (_, token_hash) = new_token("odi");
        let email = format!("lapsed{k}@prospect.test");
        let id = new_id();
        let expires = now - (k + 1) * 5 * HOUR;
        sqlx::query(
            "INSERT INTO invitations (id, org_id, email, email_key, role, invited_by, token_hash, status, created_at, expires_at, last_sent_at, send_count) \
             VALUES ($1, $2, $3, $3, 'member', $4, $5, 'pending', $6, $7, $6, 1)",
        )
        .bind(&id).bind(if k < 2 { &orgs[0] } else { org }).bind(&email).bind(&agency.id)
        .bind(token_hash).bind(expires - 7 * DAY).bind(expires)
        .execute(&mut *conn).await?;
        audit::record(
            conn,
            if k < 2 { &orgs[0] } else { org },
            &agency_actor,
            Change::new(AuditAction::InvitationCreated, Some(&id)).after(json!({"email": email})),
        )
        .await?;
    }
    // An invitation for the plain member, to show "My invitations".
    let (_, token_hash) = new_token("odi");
    sqlx::query(
        "INSERT INTO invitations (id, org_id, email, email_key, role, invited_by, token_hash, status, created_at, expires_at, last_sent_at, send_count) \
         VALUES ($1, $2, $3, $3, 'viewer', $4, $5, 'pending', $6, $7, $6, 1)",
    )
    .bind(new_id()).bind(&orgs[10]).bind(MEMBER_EMAIL).bind(&agency.id).bind(token_hash).bind(now).bind(now + 5 * DAY)
    .execute(&mut *conn).await?;
    tx.commit().await?;
    // Fresh statistics, so the planners use the member-list indexes at once
    // instead of waiting for autovacuum (PostgreSQL) or never (SQLite).
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    Ok(())
}

fn api_err(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.detail)
}
