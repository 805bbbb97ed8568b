//! The tray icon: the signed-in account's organizations (the first nine) to
//! switch to, how many pending invitations I manage expire within 24 hours,
//! "Open Orgdesk" and "Quit". Closing the window keeps the app running in
//! the tray when the person turned that on (off by default; `place.rs`).
//!
//! The menu is made from a plain model ([`items`]), unit-tested here; the
//! labels of the menu last set are kept so `tray_menu` can answer them (the
//! end-to-end run reads them: a tray cannot be driven under Xvfb, which has
//! no status-notifier host).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use orgdesk_client::core::api::{InvitationStatus, ManagedInvitation, MyOrg};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::desk::Desk;
use crate::links::{Link, LinkEvent};
use crate::window::bring_forward;

const TRAY_ID: &str = "main";
pub const MAX_ORGS: usize = 9;

/// One entry of the tray menu, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// Opens the org (its members) in the window.
    Org {
        slug: String,
        label: String,
    },
    /// "N invitations expire within 24 hours"; opens the window.
    Expiring {
        count: usize,
    },
    Separator,
    Open,
    Quit,
}

impl Item {
    pub fn id(&self) -> String {
        match self {
            Item::Org { slug, .. } => format!("org:{slug}"),
            Item::Expiring { .. } => "expiring".into(),
            Item::Separator => "-".into(),
            Item::Open => "open".into(),
            Item::Quit => "quit".into(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Item::Org { label, .. } => label.clone(),
            Item::Expiring { count: 0 } => "No invitation expires within 24 hours".into(),
            Item::Expiring { count: 1 } => "1 invitation expires within 24 hours".into(),
            Item::Expiring { count } => format!("{count} invitations expire within 24 hours"),
            Item::Separator => "—".into(),
            Item::Open => "Open Orgdesk".into(),
            Item::Quit => "Quit".into(),
        }
    }
}

/// Pending invitations among `managed` that expire after `now` and within 24 hours.
pub fn expiring_soon(managed: &[ManagedInvitation], now: OffsetDateTime) -> usize {
    let until = now + Duration::hours(24);
    managed
        .iter()
        .filter(|m| m.invitation.status == InvitationStatus::Pending)
        .filter_map(|m| OffsetDateTime::parse(&m.invitation.expires_at, &Rfc3339).ok())
        .filter(|at| *at > now && *at <= until)
        .count()
}

/// The menu for a signed-in account (`orgs` as the sidebar lists them), or
/// for none.
pub fn items(orgs: Option<&[MyOrg]>, expiring: usize) -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(orgs) = orgs {
        for (i, org) in orgs.iter().take(MAX_ORGS).enumerate() {
            items.push(Item::Org { slug: org.slug.clone(), label: format!("{} {}", i + 1, org.name) });
        }
        items.push(Item::Separator);
        items.push(Item::Expiring { count: expiring });
        items.push(Item::Separator);
    }
    items.push(Item::Open);
    items.push(Item::Quit);
    items
}

/// Whether the tray icon exists, and the labels of its menu.
#[derive(Default)]
pub struct Tray {
    ready: AtomicBool,
    labels: Mutex<Vec<String>>,
}

impl Tray {
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    pub fn labels(&self) -> Vec<String> {
        self.labels.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn menu(app: &AppHandle, items: &[Item]) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    for item in items {
        match item {
            Item::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
            other => menu.append(&MenuItem::with_id(app, other.id(), other.label(), true, None::<&str>)?)?,
        }
    }
    Ok(menu)
}

/// Makes the tray icon with the menu for no account; [`refresh`] fills it in.
pub fn create(app: &AppHandle) {
    let desk = app.state::<Desk>();
    let items = items(None, 0);
    let made = menu(app, &items).and_then(|menu| {
        let mut builder = TrayIconBuilder::with_id(TRAY_ID).menu(&menu).tooltip("Orgdesk").on_menu_event(on_menu);
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        builder.build(app)
    });
    match made {
        Ok(_) => {
            desk.tray.ready.store(true, Ordering::SeqCst);
            *desk.tray.labels.lock().unwrap_or_else(|p| p.into_inner()) = items.iter().map(Item::label).collect();
        }
        Err(e) => tracing::warn!(error = %e, "no tray icon on this desktop"),
    }
}

/// Rebuilds the menu from the active account's orgs and the invitations it
/// manages (asked from the server, else the cache).
pub async fn refresh(app: &AppHandle) {
    let desk = app.state::<Desk>();
    let (orgs, expiring) = match desk.session().await {
        Ok(session) => {
            let orgs = session.cached_orgs().await.ok().flatten().map(|s| s.data).unwrap_or_default();
            let managed = match session.managed_invitations().await {
                Ok(fresh) => fresh.data,
                Err(_) => session.cached_managed_invitations().await.ok().flatten().map(|s| s.data).unwrap_or_default(),
            };
            (Some(orgs), expiring_soon(&managed, OffsetDateTime::now_utc()))
        }
        Err(_) => (None, 0),
    };
    let items = items(orgs.as_deref(), expiring);
    *desk.tray.labels.lock().unwrap_or_else(|p| p.into_inner()) = items.iter().map(Item::label).collect();
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    match menu(app, &items) {
        Ok(menu) => {
            if let Err(e) = tray.set_menu(Some(menu)) {
                tracing::warn!(error = %e, "the tray menu could not be updated");
            }
        }
        Err(e) => tracing::warn!(error = %e, "the tray menu could not be made"),
    }
}

fn on_menu(app: &AppHandle, event: tauri::menu::MenuEvent) {
    let id = event.id().as_ref();
    if id == "quit" {
        app.exit(0);
        return;
    }
    bring_forward(app);
    let desk = app.state::<Desk>();
    if let Some(slug) = id.strip_prefix("org:") {
        desk.links.deliver(LinkEvent::Open { link: Link::Org { slug: slug.to_owned(), screen: None } });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgdesk_client::core::api::{Invitation, MemberStatus};

    fn org(n: usize) -> MyOrg {
        MyOrg {
            id: format!("id-{n}"),
            name: format!("Org {n}"),
            slug: format!("org-{n}"),
            personal: false,
            has_logo: false,
            role: "admin".into(),
            role_name: "Admin".into(),
            status: MemberStatus::Active,
            permissions: vec![],
            via_partner: None,
        }
    }

    fn invitation(status: InvitationStatus, expires_at: OffsetDateTime) -> ManagedInvitation {
        ManagedInvitation {
            org_id: "id-1".into(),
            org_name: "Org 1".into(),
            org_slug: "org-1".into(),
            can_resend: true,
            can_revoke: true,
            invitation: Invitation {
                id: "i".into(),
                org_id: "id-1".into(),
                email: "a@example.test".into(),
                role: "member".into(),
                status,
                invited_by: None,
                invited_by_name: None,
                created_at: "2026-01-01T00:00:00Z".into(),
                expires_at: expires_at.format(&Rfc3339).unwrap(),
                last_sent_at: "2026-01-01T00:00:00Z".into(),
                send_count: 1,
                link: None,
            },
        }
    }

    #[test]
    fn the_first_nine_orgs_then_the_count_then_open_and_quit() {
        let orgs: Vec<MyOrg> = (1..=12).map(org).collect();
        let labels: Vec<String> = items(Some(&orgs), 2).iter().map(Item::label).collect();
        assert_eq!(labels.len(), 9 + 5);
        assert_eq!(labels[0], "1 Org 1");
        assert_eq!(labels[8], "9 Org 9");
        assert_eq!(&labels[9..], ["—", "2 invitations expire within 24 hours", "—", "Open Orgdesk", "Quit"]);
        assert_eq!(items(Some(&orgs), 0)[0].id(), "org:org-1");
    }

    #[test]
    fn signed_out_has_open_and_quit_only() {
        assert_eq!(items(None, 0), vec![Item::Open, Item::Quit]);
    }

    #[test]
    fn counts_pending_invitations_expiring_within_a_day() {
        let now = OffsetDateTime::now_utc();
        let managed = [
            invitation(InvitationStatus::Pending, now + Duration::hours(2)),
            invitation(InvitationStatus::Pending, now + Duration::hours(23)),
            invitation(InvitationStatus::Pending, now + Duration::hours(25)),
            invitation(InvitationStatus::Pending, now - Duration::hours(1)),
            invitation(InvitationStatus::Revoked, now + Duration::hours(2)),
        ];
        assert_eq!(expiring_soon(&managed, now), 2);
        assert_eq!(Item::Expiring { count: 1 }.label(), "1 invitation expires within 24 hours");
    }
}
