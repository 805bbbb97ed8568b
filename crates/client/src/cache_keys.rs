//! Every row of the offline cache, in one place: its name and the type
//! stored under it. The cache's `get`/`put` take a [`Key<T>`], so a row is
//! always read as the type it was written as, and no module spells a row
//! name. (Member pages have their own table, keyed by org and page number.)

use std::marker::PhantomData;

use orgdesk_core::api::{
    AuditEvent, AuditQuery, Invitation, ManagedInvitation, MyInvitation, MyOrg, MyPermissions, Org, Page,
    PersonMembership, Role,
};

use crate::cache::Cache;
use crate::member_view::MemberWindow;
use crate::sync::SyncState;

/// A cache row holding a `T`.
pub(crate) struct Key<T> {
    name: String,
    value: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    fn new(name: String) -> Key<T> {
        Key { name, value: PhantomData }
    }

    /// The row's name (also the authenticated data of its sealed value).
    pub fn name(&self) -> &str {
        &self.name
    }

    #[cfg(test)]
    pub fn for_test(name: &str) -> Key<T> {
        Key::new(name.to_owned())
    }
}

/// My orgs (the switcher).
pub(crate) fn orgs() -> Key<Vec<MyOrg>> {
    Key::new("orgs".into())
}

/// One org's settings.
pub(crate) fn org(org_id: &str) -> Key<Org> {
    Key::new(format!("org/{org_id}"))
}

/// My role and permissions in an org.
pub(crate) fn permissions(org_id: &str) -> Key<MyPermissions> {
    Key::new(format!("permissions/{org_id}"))
}

pub(crate) fn roles(org_id: &str) -> Key<Vec<Role>> {
    Key::new(format!("roles/{org_id}"))
}

/// An org's open invitations.
pub(crate) fn invitations(org_id: &str) -> Key<Page<Invitation>> {
    Key::new(format!("invitations/{org_id}"))
}

/// The invitations addressed to me.
pub(crate) fn my_invitations() -> Key<Vec<MyInvitation>> {
    Key::new("my-invitations".into())
}

/// Every pending invitation in the orgs I manage.
pub(crate) fn managed_invitations() -> Key<Vec<ManagedInvitation>> {
    Key::new("managed-invitations".into())
}

/// What the last member sync of an org left (its pages are in `member_pages`).
pub(crate) fn member_sync(org_id: &str) -> Key<SyncState> {
    Key::new(format!("members-sync/{org_id}"))
}

/// The top rows of an org's member list in the default order, kept with
/// each change of the list: a cold start paints them before the whole list
/// is decoded (`Session::member_window`). Dropped with the member pages.
pub(crate) fn member_first_window(org_id: &str) -> Key<MemberWindow> {
    Key::new(format!("members-first-window/{org_id}"))
}

/// The id of the last event applied from the live stream (resumed from).
pub(crate) fn event_cursor() -> Key<String> {
    Key::new("events-cursor".into())
}

/// One page of an org's audit log for one filter and cursor; the filter can
/// name people, so a keyed hash stands in for it.
pub(crate) fn audit(cache: &Cache, org_id: &str, query: &AuditQuery) -> Key<Page<AuditEvent>> {
    let filter = serde_json::to_string(query).unwrap_or_default();
    Key::new(cache.private_name(&format!("audit/{org_id}"), &filter))
}

/// One person's memberships across my orgs; a keyed hash stands in for the email.
pub(crate) fn person(cache: &Cache, email: &str) -> Key<Vec<PersonMembership>> {
    Key::new(cache.private_name("people", &email.trim().to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are what earlier versions wrote: existing caches stay readable.
    #[test]
    fn row_names_are_stable() {
        assert_eq!(orgs().name(), "orgs");
        assert_eq!(org("o1").name(), "org/o1");
        assert_eq!(permissions("o1").name(), "permissions/o1");
        assert_eq!(roles("o1").name(), "roles/o1");
        assert_eq!(invitations("o1").name(), "invitations/o1");
        assert_eq!(my_invitations().name(), "my-invitations");
        assert_eq!(managed_invitations().name(), "managed-invitations");
        assert_eq!(member_sync("o1").name(), "members-sync/o1");
        assert_eq!(event_cursor().name(), "events-cursor");
    }

    #[tokio::test]
    async fn personal_keys_hide_what_they_are_keyed_by() {
        let cache = Cache::open(None, &crate::cache::new_key()).await.unwrap();
        let ada = person(&cache, " Ada@Example.com ");
        assert_eq!(ada.name(), person(&cache, "ada@example.com").name(), "trimmed and lower-cased");
        assert!(ada.name().starts_with("people/") && !ada.name().contains("ada"));
        let query = AuditQuery { actor: Some("ada@example.com".into()), ..Default::default() };
        let audit = audit(&cache, "o1", &query);
        assert!(audit.name().starts_with("audit/o1/") && !audit.name().contains("ada"));
    }
}
