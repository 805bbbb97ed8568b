//! One person across all my orgs: find them, remove them from several orgs
//! in one action with one outcome per org.

use orgdesk_core::api::{PersonMembership, RemoveOutcome, RemovePerson, RemovePersonResults};

use crate::cache_keys as keys;
use crate::error::Result;
use crate::session::Session;
use crate::snapshot::Snapshot;

impl Session {
    pub async fn cached_person(&self, email: &str) -> Result<Option<Snapshot<Vec<PersonMembership>>>> {
        self.cached(&keys::person(self.cache()?, email)).await
    }

    /// The person's memberships in every org where I may read members.
    pub async fn find_person(&self, email: &str) -> Result<Snapshot<Vec<PersonMembership>>> {
        let key = keys::person(self.cache()?, email);
        self.refresh(&key, |api| api.find_person(email)).await
    }

    /// Everyone whose name or email starts with `prefix`, with their
    /// memberships in every org where I may read members. Not cached: a
    /// removal could not tell which stored searches it made stale.
    pub async fn find_people(&self, prefix: &str) -> Result<Vec<PersonMembership>> {
        self.call(|api| api.find_people(prefix)).await
    }

    /// Removes the person from `org_ids`; the answer has one outcome per
    /// org. With `revoke_api_keys`, each removal also revokes the keys the
    /// person created in that org (an org where I may not manage keys
    /// answers `denied`).
    pub async fn remove_person(
        &self,
        email: &str,
        org_ids: &[String],
        revoke_api_keys: bool,
    ) -> Result<RemovePersonResults> {
        let req = RemovePerson { email: email.to_owned(), org_ids: org_ids.to_vec(), revoke_api_keys };
        let results = self.call(|api| api.remove_person(&req)).await?;
        for r in &results.results {
            if r.outcome == RemoveOutcome::Removed {
                self.edit_cached_members(&r.org_id, None, |list| list.retain(|m| !m.email.eq_ignore_ascii_case(email)))
                    .await?;
            }
        }
        self.cache()?.remove(&keys::person(self.cache()?, email)).await?;
        Ok(results)
    }
}
