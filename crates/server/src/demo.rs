//! Demo data for `--demo`: an agency user who owns or administers 40 client
//! organizations, one organization with 10,000 members, about 200 pending
//! invitations with a spread of expiries, custom roles and audit history.

use orgdesk_core::api::{AuditAction, MemberStatus};
use orgdesk_core::permissions::BuiltinRole;
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{hash_password, new_token, Actor};
use crate::db::Db;
use crate::orgs::insert_org;
use crate::store::{
    self,
    accounts::NewUser,
    invitations::NewInvitation,
    memberships::{insert as insert_membership, SeedMembership},
};
use crate::time::{new_id, now_ms, DAY, HOUR, MINUTE};

pub const DEMO_PASSWORD: &str = "orgdesk-demo-2026";
pub const AGENCY_EMAIL: &str = "agency@orgdesk.test";
pub const MEMBER_EMAIL: &str = "member@orgdesk.test";
/// The owner of the partner org "Acme Reseller", and a person of its support team.
pub const RESELLER_EMAIL: &str = "reseller@orgdesk.test";
pub const SUPPORT_EMAIL: &str = "support@orgdesk.test";
pub const PARTNER_SLUG: &str = "acme-reseller";
/// The customer workspaces the partner created (the first ends within 30 days).
const WORKSPACES: [&str; 3] = ["Initech", "Hooli Foods", "Vandelay Imports"];
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
    if !store::accounts::email_key_in_use(&db.pool, AGENCY_EMAIL).await? {
        tracing::info!("seeding demo data (10,000 members, 40 client organizations)…");
        seed_all(db).await?;
    }
    Ok(format!(
        "\n  Orgdesk demo data is ready.\n  Agency admin: {AGENCY_EMAIL} / {DEMO_PASSWORD}\n  Plain member: {MEMBER_EMAIL} / {DEMO_PASSWORD}\n  Partner \"{PARTNER_SLUG}\": owner {RESELLER_EMAIL}, support team {SUPPORT_EMAIL} (same password)\n  Large organization: \"{BIG_ORG_SLUG}\" with {BIG_ORG_MEMBERS} members.\n"
    ))
}

/// `n` people named from FIRST × LAST, with addresses at `domain`.
fn generated_people(n: usize, domain: &str) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            Person {
                id: new_id(),
                email: format!("{}.{}{}@{domain}", first.to_lowercase(), last.to_lowercase(), i),
                name: format!("{first} {last}"),
            }
        })
        .collect()
}

/// Verified accounts with the demo password for `people`, in multi-row inserts.
async fn insert_users(conn: &mut store::Conn, people: &[&Person], hash: &str, now: i64) -> anyhow::Result<()> {
    let keys: Vec<String> = people.iter().map(|p| p.email.to_lowercase()).collect();
    let users: Vec<NewUser<'_>> = people
        .iter()
        .zip(&keys)
        .map(|(p, key)| NewUser {
            id: &p.id,
            email: &p.email,
            email_key: key,
            name: &p.name,
            password_hash: hash,
            timezone: "Europe/Berlin",
            email_verified_at: Some(now),
            created_at: now,
        })
        .collect();
    store::accounts::insert_many(conn, &users).await?;
    Ok(())
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
    let people = generated_people(BIG_ORG_MEMBERS, "northwind.test");
    let owners: Vec<Person> = (0..20)
        .map(|i| Person {
            id: new_id(),
            email: format!("owner{i}@client.test"),
            name: format!("{} {}", FIRST[(i * 7) % 40], LAST[i % 25]),
        })
        .collect();
    let reseller = Person { id: new_id(), email: RESELLER_EMAIL.into(), name: "Rene Reseller".into() };
    let support = Person { id: new_id(), email: SUPPORT_EMAIL.into(), name: "Sasha Support".into() };
    let everyone: Vec<&Person> =
        [&agency, &member, &reseller, &support].into_iter().chain(owners.iter()).chain(people.iter()).collect();
    insert_users(&mut *conn, &everyone, &hash, now).await?;
    let agency_actor = Actor { user_id: Some(agency.id.clone()), ..Default::default() };

    // The large organization, owned by the agency user, with custom roles.
    let big = insert_org(conn, "Northwind Traders", Some(BIG_ORG_SLUG), false, &agency.id, &agency_actor)
        .await
        .map_err(api_err)?;
    for (key, name, perms) in [
        ("support-agent", "Support agent", "org:read members:read app:tickets.reply app:tickets.read"),
        ("auditor", "Auditor", "org:read members:read audit:read"),
    ] {
        store::roles::insert_custom(&mut *conn, &big, key, name, perms, now).await?;
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
    let memberships: Vec<SeedMembership<'_>> = people
        .iter()
        .enumerate()
        .map(|(k, p)| SeedMembership {
            org_id: &big,
            user_id: &p.id,
            role: roles[k % roles.len()],
            status: if k % 97 == 0 { MemberStatus::Disabled } else { MemberStatus::Active },
            joined_at: now - (k as i64 % 900) * DAY / 3 - k as i64 * MINUTE,
            last_active_at: now - (k as i64 % 500) * HOUR,
            sort_name: p.name.to_lowercase(),
            email_key: p.email.to_lowercase(),
        })
        .collect();
    store::memberships::insert_many(&mut *conn, &memberships).await?;
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

    seed_partner(conn, &reseller, &support, &orgs[3], now).await?;

    // About 200 pending invitations, expiring from within the hour to a week
    // out; a few that expired unanswered (two in the big org), to show them
    // greyed with "Resend"; and one for the plain member, to show "My
    // invitations".
    struct Seeded {
        id: String,
        org: String,
        email: String,
        role: &'static str,
        token_hash: String,
        created: i64,
        expires: i64,
    }
    let mut seeded = Vec::new();
    for k in 0..200i64 {
        seeded.push(Seeded {
            id: new_id(),
            org: orgs[(k as usize) % orgs.len()].clone(),
            email: format!("invitee{k}@prospect.test"),
            role: if k % 5 == 0 { "admin" } else { "member" },
            token_hash: new_token("odi").1,
            created: now - (k % 6) * DAY,
            expires: now + HOUR / 2 + k * 50 * MINUTE,
        });
    }
    for k in 0..6i64 {
        let expires = now - (k + 1) * 5 * HOUR;
        seeded.push(Seeded {
            id: new_id(),
            org: if k < 2 { orgs[0].clone() } else { orgs[(k as usize * 7) % orgs.len()].clone() },
            email: format!("lapsed{k}@prospect.test"),
            role: "member",
            token_hash: new_token("odi").1,
            created: expires - 7 * DAY,
            expires,
        });
    }
    let audited = seeded.len();
    seeded.push(Seeded {
        id: new_id(),
        org: orgs[10].clone(),
        email: MEMBER_EMAIL.to_owned(),
        role: "viewer",
        token_hash: new_token("odi").1,
        created: now,
        expires: now + 5 * DAY,
    });
    let invitations: Vec<NewInvitation<'_>> = seeded
        .iter()
        .map(|i| NewInvitation {
            id: &i.id,
            org_id: &i.org,
            email: &i.email,
            email_key: &i.email,
            role: i.role,
            invited_by: Some(&agency.id),
            token_hash: &i.token_hash,
            created_at: i.created,
            expires_at: i.expires,
        })
        .collect();
    store::invitations::insert_unless_pending(&mut *conn, &invitations).await?;
    for i in &seeded[..audited] {
        let change = Change::new(AuditAction::InvitationCreated, Some(&i.id)).after(json!({"email": i.email}));
        audit::record(conn, &i.org, &agency_actor, change).await?;
    }
    tx.commit().await?;
    // Fresh statistics, so the planners use the member-list indexes at once
    // instead of waiting for autovacuum (PostgreSQL) or never (SQLite).
    store::analyze(db).await?;
    Ok(())
}

/// "Acme Reseller": a partner org with a support team that holds "admin" in
/// three customer workspaces it created (not handed off yet, so the
/// reseller is their owner of record) and "member" in one client org of the
/// agency that accepted its request.
async fn seed_partner(
    conn: &mut store::Conn,
    reseller: &Person,
    support: &Person,
    client: &str,
    now: i64,
) -> anyhow::Result<()> {
    let actor = Actor { user_id: Some(reseller.id.clone()), ..Default::default() };
    let partner =
        insert_org(conn, "Acme Reseller", Some(PARTNER_SLUG), false, &reseller.id, &actor).await.map_err(api_err)?;
    insert_membership(conn, &partner, &support.id, "member", now).await?;
    let team = new_id();
    let new_team = store::teams::NewTeam {
        id: &team,
        org_id: &partner,
        name: "Support tier 1",
        name_key: "support tier 1",
        created_at: now,
    };
    store::teams::insert(&mut *conn, &new_team).await?;
    for person in [reseller, support] {
        store::teams::add_member(&mut *conn, &partner, &team, &person.id, now).await?;
    }
    let mut customers = Vec::new();
    for (i, name) in WORKSPACES.iter().enumerate() {
        let org = insert_org(conn, name, None, false, &reseller.id, &actor).await.map_err(api_err)?;
        let ends_at = if i == 0 { now + 20 * DAY } else { now + 365 * DAY };
        customers.push((org, "admin", ends_at, true));
    }
    customers.push((client.to_owned(), "member", now + 180 * DAY, false));
    for (org, role, ends_at, created) in customers {
        let id = new_id();
        let new = store::partners::NewRelationship {
            id: &id,
            partner_org_id: &partner,
            customer_org_id: &org,
            status: "active",
            ends_at,
            requested_by: Some(&reseller.id),
            request_token_hash: None,
            created_at: now,
            created_workspace: created,
        };
        store::partners::insert(&mut *conn, &new).await?;
        store::partners::insert_role(&mut *conn, &id, &org, role).await?;
        store::partners::assign(&mut *conn, &id, &partner, &team, role).await?;
        let action = if created { AuditAction::PartnerWorkspaceCreated } else { AuditAction::PartnerAccepted };
        let after = json!({"roles": [role], "partner_org_id": partner, "customer_org_id": org});
        for at in [&partner, &org] {
            audit::record(conn, at, &actor, Change::new(action, Some(&id)).after(after.clone())).await?;
        }
    }
    Ok(())
}

/// The scale account: owner of [`LARGE_ORG_SLUG`] and of [`MANY_ORGS`] small
/// client orgs (the benchmark's 100,000-member and 500-org cases).
pub const SCALE_EMAIL: &str = "scale@orgdesk.test";
pub const LARGE_ORG_SLUG: &str = "megacorp";
pub const LARGE_ORG_MEMBERS: usize = 100_000;
pub const MANY_ORGS: usize = 500;
/// Pending invitations in each of the many orgs.
pub const INVITATIONS_PER_ORG: usize = 2;

/// The scale data, apart from the everyday demo (seeds once): "megacorp"
/// with 100,000 members, and 500 client orgs with two members and two
/// pending invitations each, all owned by [`SCALE_EMAIL`]. Multi-row
/// statements of a few hundred rows each (about 470 statements for 100,000
/// users and memberships), in one transaction.
pub async fn seed_scale(db: &Db) -> anyhow::Result<()> {
    seed_scale_sized(db, LARGE_ORG_MEMBERS, MANY_ORGS).await
}

/// [`seed_scale`] with `members` in the large org and `clients` small orgs
/// (the tests seed a small one).
pub async fn seed_scale_sized(db: &Db, members: usize, clients: usize) -> anyhow::Result<()> {
    if store::accounts::email_key_in_use(&db.pool, SCALE_EMAIL).await? {
        return Ok(());
    }
    tracing::info!("seeding scale data (100,000 members, 500 client organizations)…");
    let hash = hash_password(DEMO_PASSWORD);
    let now = now_ms();
    let mut tx = db.write().await?;
    let conn = tx.conn();

    let scale = Person { id: new_id(), email: SCALE_EMAIL.into(), name: "Sasha Scale".into() };
    let people = generated_people(members, "megacorp.test");
    let everyone: Vec<&Person> = std::iter::once(&scale).chain(people.iter()).collect();
    insert_users(&mut *conn, &everyone, &hash, now).await?;

    let large = new_id();
    let clients: Vec<(String, String, String)> =
        (0..clients).map(|i| (new_id(), format!("Client {:03}", i + 1), format!("scale-client-{}", i + 1))).collect();
    let mut orgs = vec![store::orgs::NewOrg {
        id: &large,
        name: "Megacorp Global",
        slug: LARGE_ORG_SLUG,
        personal: false,
        created_at: now,
    }];
    orgs.extend(clients.iter().map(|(id, name, slug)| store::orgs::NewOrg {
        id,
        name,
        slug,
        personal: false,
        created_at: now,
    }));
    store::orgs::insert_many(&mut *conn, &orgs).await?;
    let org_ids: Vec<&str> = orgs.iter().map(|o| o.id).collect();
    let builtin: Vec<(&str, &str)> = BuiltinRole::ALL.iter().map(|r| (r.key(), r.name())).collect();
    store::roles::insert_builtin_many(&mut *conn, &org_ids, &builtin, now).await?;

    let roles = ["member", "member", "member", "member", "viewer", "member", "billing", "admin", "viewer", "member"];
    let member = |org_id, user_id, role, k: usize| SeedMembership {
        org_id,
        user_id,
        role,
        status: if k % 97 == 1 { MemberStatus::Disabled } else { MemberStatus::Active },
        joined_at: now - (k as i64 % 900) * DAY / 3 - k as i64 * MINUTE,
        last_active_at: now - (k as i64 % 500) * HOUR,
        sort_name: String::new(),
        email_key: String::new(),
    };
    let mut memberships: Vec<SeedMembership<'_>> =
        org_ids.iter().map(|org| member(org, &scale.id, "owner", 0)).collect();
    for (k, p) in people.iter().enumerate() {
        memberships.push(member(&large, &p.id, roles[k % roles.len()], k + 1));
    }
    for (i, (org, _, _)) in clients.iter().enumerate() {
        for p in people.iter().skip(i * 2).take(2) {
            memberships.push(member(org, &p.id, "member", i + 2));
        }
    }
    let by_id: std::collections::HashMap<&str, &Person> = everyone.iter().map(|p| (p.id.as_str(), *p)).collect();
    for m in &mut memberships {
        m.sort_name = by_id[m.user_id].name.to_lowercase();
        m.email_key = by_id[m.user_id].email.to_lowercase();
    }
    store::memberships::insert_many(&mut *conn, &memberships).await?;

    let seeded: Vec<(String, String, String, i64)> = clients
        .iter()
        .enumerate()
        .flat_map(|(i, (org, _, _))| {
            (0..INVITATIONS_PER_ORG).map(move |j| {
                let k = (i * INVITATIONS_PER_ORG + j) as i64;
                (org.clone(), format!("scale{k}@prospect.test"), new_token("odi").1, now + HOUR + k * MINUTE)
            })
        })
        .collect();
    let ids: Vec<String> = seeded.iter().map(|_| new_id()).collect();
    let invitations: Vec<NewInvitation<'_>> = seeded
        .iter()
        .zip(&ids)
        .map(|((org, email, token_hash, expires), id)| NewInvitation {
            id,
            org_id: org,
            email,
            email_key: email,
            role: "member",
            invited_by: Some(&scale.id),
            token_hash,
            created_at: now,
            expires_at: *expires,
        })
        .collect();
    for chunk in invitations.chunks(250) {
        store::invitations::insert_unless_pending(&mut *conn, chunk).await?;
    }
    tx.commit().await?;
    store::analyze(db).await?;
    Ok(())
}

fn api_err(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.detail)
}
