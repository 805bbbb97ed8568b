//! An org's member list as the app shows it, held in memory by Rust: built
//! once from the cache (or the sync that just wrote it), with one order per
//! sort key (computed when first asked for) and lower-cased search keys. The
//! UI asks for a window (sort, direction, filters, query, offset, limit)
//! and gets those rows and the counts; no answer carries the whole list.

use std::sync::OnceLock;

use orgdesk_core::api::{BulkMemberResults, BulkOutcome, Member, MemberStatus};
use serde::{Deserialize, Serialize};

/// The most rows one window answers.
pub const MAX_WINDOW: usize = 500;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberSortKey {
    #[default]
    Name,
    Email,
    Role,
    Status,
    Joined,
    LastActive,
}

const SORT_KEYS: [MemberSortKey; 6] = [
    MemberSortKey::Name,
    MemberSortKey::Email,
    MemberSortKey::Role,
    MemberSortKey::Status,
    MemberSortKey::Joined,
    MemberSortKey::LastActive,
];

/// Which members, in which order.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFilter {
    /// Matches the start of the email, of the name, or of a word of the name
    /// (case-insensitive); empty matches everyone.
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub status: Option<MemberStatus>,
    #[serde(default)]
    pub sort: MemberSortKey,
    #[serde(default)]
    pub desc: bool,
}

/// Rows `offset..offset + rows.len()` of the filtered, sorted list.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MemberWindow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub offset: u64,
    pub rows: Vec<Member>,
    /// Members matching the filter.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// Members of the org.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub all: u64,
    /// When the list was last synced (RFC 3339).
    pub synced_at: Option<String>,
    /// Which state of the list the rows are from ([`MemberListState::revision`]).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revision: u64,
}

/// What a member list's view channel says about the list: its size, and a
/// number that grows with every change of its rows (a sync that changed
/// something, an edit, an event), so a screen asks for its rows again only
/// when they can differ from the ones it has.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberListState {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revision: u64,
}

/// Every view gets the next number: a newer view has a larger one.
static REVISIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// How many of some members hold each role.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCount {
    pub role: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// What a bulk change did, for the UI's summary and its Undo / Re-invite.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BulkReport {
    /// The members changed (role or status), as they are now.
    pub changed_ids: Vec<String>,
    /// The members removed, as they were (to invite them back).
    pub removed: Vec<Member>,
    /// One line per refused member: "<email>: <why>".
    pub refusals: Vec<String>,
}

/// The lower-cased search keys of one member; `None` where the field is
/// lower-case already (most emails), so it is not kept twice.
struct Keys {
    name: Option<Box<str>>,
    email: Option<Box<str>>,
}

fn lowered(s: &str) -> Option<Box<str>> {
    let lower = s.to_lowercase();
    (lower != s).then(|| lower.into_boxed_str())
}

impl Keys {
    fn of(m: &Member) -> Keys {
        Keys { name: lowered(&m.name), email: lowered(&m.email) }
    }
}

type Order = std::sync::Arc<Vec<u32>>;

pub struct MemberView {
    members: Vec<Member>,
    keys: std::sync::Arc<Vec<Keys>>,
    orders: [OnceLock<Order>; 6],
    /// Indices sorted by user id (for [`MemberView::get`]), computed once.
    by_id: OnceLock<Order>,
    /// Where each cached page ends in `members` (cumulative), when the view
    /// was built from the cache's pages; empty otherwise.
    page_ends: Vec<u32>,
    revision: u64,
    /// The last filter's matches in its order (a window, the next window
    /// while scrolling, and a search narrowed by one more key typed reuse it).
    last_match: std::sync::Mutex<Option<(MemberFilter, Order)>>,
}

impl MemberView {
    pub fn new(members: Vec<Member>) -> MemberView {
        MemberView::paged(members, Vec::new())
    }

    /// A view of the cache's pages, in order, remembering where each ends.
    pub fn from_pages(pages: Vec<Vec<Member>>) -> MemberView {
        let mut page_ends = Vec::with_capacity(pages.len());
        let mut members = Vec::with_capacity(pages.iter().map(Vec::len).sum());
        for page in pages {
            members.extend(page);
            page_ends.push(members.len() as u32);
        }
        MemberView::paged(members, page_ends)
    }

    fn paged(members: Vec<Member>, page_ends: Vec<u32>) -> MemberView {
        let keys = std::sync::Arc::new(members.iter().map(Keys::of).collect());
        MemberView {
            members,
            keys,
            orders: Default::default(),
            by_id: OnceLock::new(),
            page_ends,
            revision: next_revision(),
            last_match: Default::default(),
        }
    }

    /// The cache page holding member `i`, when the view knows its pages.
    pub(crate) fn page_of(&self, i: usize) -> Option<usize> {
        let page = self.page_ends.partition_point(|&end| end as usize <= i);
        (page < self.page_ends.len()).then_some(page)
    }

    /// How many cache pages the view was built from (0 when unknown).
    pub(crate) fn page_count(&self) -> usize {
        self.page_ends.len()
    }

    /// The members of cache page `page`.
    pub(crate) fn page(&self, page: usize) -> &[Member] {
        let start = if page == 0 { 0 } else { self.page_ends[page - 1] as usize };
        &self.members[start..self.page_ends[page] as usize]
    }

    /// This view with some cache pages replaced (`replaced`: page number and
    /// its members now). What the change left alone is reused: the other
    /// members' search keys, and each sort order whose key no replaced
    /// member changed, when no member came or went.
    pub(crate) fn with_pages(&self, replaced: Vec<(usize, Vec<Member>)>) -> MemberView {
        let mut replaced: std::collections::BTreeMap<usize, Vec<Member>> = replaced.into_iter().collect();
        let same_shape = replaced.iter().all(|(&p, items)| p < self.page_count() && items.len() == self.page(p).len());
        if !same_shape {
            let pages =
                (0..self.page_count()).map(|p| replaced.remove(&p).unwrap_or_else(|| self.page(p).to_vec())).collect();
            return MemberView::from_pages(pages);
        }
        let mut members = self.members.clone();
        let mut changed = Vec::new();
        for (p, items) in replaced {
            let start = if p == 0 { 0 } else { self.page_ends[p - 1] as usize };
            for (offset, m) in items.into_iter().enumerate() {
                let i = start + offset;
                if members[i] != m {
                    changed.push(i);
                    members[i] = m;
                }
            }
        }
        let old = &self.members;
        let same_ids = changed.iter().all(|&i| old[i].user_id == members[i].user_id);
        let same_text =
            same_ids && changed.iter().all(|&i| old[i].name == members[i].name && old[i].email == members[i].email);
        let keys =
            if same_text { self.keys.clone() } else { std::sync::Arc::new(members.iter().map(Keys::of).collect()) };
        let view = MemberView {
            members,
            keys,
            orders: Default::default(),
            by_id: OnceLock::new(),
            page_ends: self.page_ends.clone(),
            revision: next_revision(),
            last_match: Default::default(),
        };
        if same_ids {
            if let Some(order) = self.by_id.get() {
                let _ = view.by_id.set(order.clone());
            }
        }
        if same_text {
            for (slot, key) in SORT_KEYS.iter().enumerate() {
                let unchanged =
                    changed.iter().all(|&i| sort_value(&old[i], *key) == sort_value(&view.members[i], *key));
                if let (true, Some(order)) = (unchanged, self.orders[slot].get()) {
                    let _ = view.orders[slot].set(order.clone());
                }
            }
        }
        view
    }

    /// The index of a member, by user id.
    pub(crate) fn index_of(&self, user_id: &str) -> Option<usize> {
        let by_id = self.by_id.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.members.len() as u32).collect();
            order.sort_by(|&a, &b| self.members[a as usize].user_id.cmp(&self.members[b as usize].user_id));
            std::sync::Arc::new(order)
        });
        let found = by_id.binary_search_by(|&i| self.members[i as usize].user_id.as_str().cmp(user_id)).ok()?;
        Some(by_id[found] as usize)
    }

    fn name_key(&self, i: usize) -> &str {
        self.keys[i].name.as_deref().unwrap_or(&self.members[i].name)
    }

    fn email_key(&self, i: usize) -> &str {
        self.keys[i].email.as_deref().unwrap_or(&self.members[i].email)
    }

    /// Which state of the list this is (see [`MemberListState`]).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }

    pub fn get(&self, user_id: &str) -> Option<&Member> {
        self.index_of(user_id).map(|i| &self.members[i])
    }

    /// Ascending order of `key` (ties by user id), computed once.
    fn order(&self, key: MemberSortKey) -> &[u32] {
        let slot = SORT_KEYS.iter().position(|k| *k == key).unwrap_or(0);
        self.orders[slot].get_or_init(|| {
            let mut order: Vec<u32> = (0..self.members.len() as u32).collect();
            let m = &self.members;
            match key {
                MemberSortKey::Name => order.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    let name = |i: usize| if m[i].name.is_empty() { self.email_key(i) } else { self.name_key(i) };
                    name(a).cmp(name(b)).then_with(|| m[a].user_id.cmp(&m[b].user_id))
                }),
                MemberSortKey::Email => order.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    self.email_key(a).cmp(self.email_key(b)).then_with(|| m[a].user_id.cmp(&m[b].user_id))
                }),
                _ => order.sort_by(|&a, &b| {
                    let (a, b) = (&m[a as usize], &m[b as usize]);
                    sort_value(a, key).cmp(sort_value(b, key)).then_with(|| a.user_id.cmp(&b.user_id))
                }),
            }
            std::sync::Arc::new(order)
        })
    }

    fn matches(&self, i: usize, filter: &MemberFilter, query: &str) -> bool {
        let m = &self.members[i];
        if filter.role.as_deref().is_some_and(|r| r != m.role) || filter.status.is_some_and(|s| s != m.status) {
            return false;
        }
        if query.is_empty() {
            return true;
        }
        let name = self.name_key(i);
        self.email_key(i).starts_with(query)
            || name.starts_with(query)
            || name.split(|c: char| c.is_whitespace() || c == '-').any(|word| word.starts_with(query))
    }

    /// The indices of the matching members in the filter's order. The last
    /// answer is kept: the same filter (the next window) costs nothing, and
    /// a query that extends the last one (one more key typed) only narrows
    /// the last matches, since a prefix of the longer query is a prefix of
    /// the shorter.
    fn matching(&self, filter: &MemberFilter) -> Order {
        let filter = MemberFilter { query: filter.query.trim().to_lowercase(), ..filter.clone() };
        let mut last = self.last_match.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, matched)) = last.as_ref() {
            if *seen == filter {
                return matched.clone();
            }
        }
        let narrowing = last.as_ref().filter(|(seen, _)| {
            seen.sort == filter.sort
                && seen.desc == filter.desc
                && seen.role == filter.role
                && seen.status == filter.status
                && filter.query.starts_with(&seen.query)
        });
        let query = filter.query.as_str();
        let matched: Vec<u32> = match narrowing {
            Some((_, before)) => before.iter().copied().filter(|&i| self.matches(i as usize, &filter, query)).collect(),
            None => {
                let order = self.order(filter.sort);
                let keep = |&&i: &&u32| self.matches(i as usize, &filter, query);
                if filter.desc {
                    order.iter().rev().filter(keep).copied().collect()
                } else {
                    order.iter().filter(keep).copied().collect()
                }
            }
        };
        let matched = std::sync::Arc::new(matched);
        *last = Some((filter, matched.clone()));
        matched
    }

    /// Rows `offset..offset + limit` (at most [`MAX_WINDOW`]) of the matching members.
    pub fn window(
        &self,
        filter: &MemberFilter,
        offset: usize,
        limit: usize,
        synced_at: Option<String>,
    ) -> MemberWindow {
        let limit = limit.min(MAX_WINDOW);
        let matched = self.matching(filter);
        let rows = matched.iter().skip(offset).take(limit).map(|&i| self.members[i as usize].clone()).collect();
        MemberWindow {
            offset: offset as u64,
            rows,
            total: matched.len() as u64,
            all: self.members.len() as u64,
            synced_at,
            revision: self.revision,
        }
    }

    /// The ids of every matching member, in order (for "select all shown").
    pub fn ids(&self, filter: &MemberFilter) -> Vec<String> {
        self.matching(filter).iter().map(|&i| self.members[i as usize].user_id.clone()).collect()
    }

    /// How many of `user_ids` hold each role, most common first.
    pub fn role_counts(&self, user_ids: &[String]) -> Vec<RoleCount> {
        let wanted: std::collections::HashSet<&str> = user_ids.iter().map(String::as_str).collect();
        let mut counts: std::collections::BTreeMap<&str, u64> = Default::default();
        for m in self.members.iter().filter(|m| wanted.contains(m.user_id.as_str())) {
            *counts.entry(m.role.as_str()).or_default() += 1;
        }
        let mut out: Vec<RoleCount> =
            counts.into_iter().map(|(role, count)| RoleCount { role: role.to_owned(), count }).collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.role.cmp(&b.role)));
        out
    }

    /// A bulk answer in words, with the removed members as this view knew them.
    pub fn bulk_report(&self, answer: &BulkMemberResults) -> BulkReport {
        let mut report = BulkReport { changed_ids: Vec::new(), removed: Vec::new(), refusals: Vec::new() };
        for r in &answer.results {
            match r.outcome {
                BulkOutcome::Changed if r.member.is_some() => report.changed_ids.push(r.user_id.clone()),
                BulkOutcome::Removed => {
                    if let Some(m) = self.get(&r.user_id) {
                        report.removed.push(m.clone());
                    }
                }
                BulkOutcome::Refused => {
                    let who = self.get(&r.user_id).map(|m| m.email.as_str()).unwrap_or(r.user_id.as_str());
                    let why = r.message.as_deref().or(r.code.map(|c| c.as_str())).unwrap_or("refused");
                    report.refusals.push(format!("{who}: {why}"));
                }
                _ => {}
            }
        }
        report
    }
}

fn sort_value(m: &Member, key: MemberSortKey) -> &str {
    match key {
        MemberSortKey::Role => &m.role,
        MemberSortKey::Status => m.status.as_str(),
        MemberSortKey::Joined => &m.joined_at,
        MemberSortKey::LastActive => m.last_active_at.as_deref().unwrap_or(""),
        MemberSortKey::Name => &m.name,
        MemberSortKey::Email => &m.email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgdesk_core::api::BulkMemberResult;

    fn member(id: &str, name: &str, email: &str, role: &str, status: MemberStatus, joined: &str) -> Member {
        Member {
            user_id: id.into(),
            email: email.into(),
            name: name.into(),
            role: role.into(),
            status,
            joined_at: joined.into(),
            last_active_at: None,
            timezone: "UTC".into(),
            version: 1,
        }
    }

    fn view() -> MemberView {
        use MemberStatus::*;
        MemberView::new(vec![
            member("u3", "Ada Okafor", "ada@x.test", "admin", Active, "2026-01-03"),
            member("u1", "Bea Berg", "bea@x.test", "member", Disabled, "2026-01-01"),
            member("u2", "", "zed@x.test", "member", Active, "2026-01-02"),
            member("u4", "Chi Okafor-Lee", "chi@y.test", "viewer", Active, "2026-01-04"),
        ])
    }

    fn ids(w: &MemberWindow) -> Vec<&str> {
        w.rows.iter().map(|m| m.user_id.as_str()).collect()
    }

    fn by(sort: MemberSortKey, desc: bool) -> MemberFilter {
        MemberFilter { sort, desc, ..Default::default() }
    }

    #[test]
    fn every_sort_in_both_directions() {
        let v = view();
        // A member without a name sorts by their email.
        assert_eq!(ids(&v.window(&by(MemberSortKey::Name, false), 0, 10, None)), ["u3", "u1", "u4", "u2"]);
        assert_eq!(ids(&v.window(&by(MemberSortKey::Name, true), 0, 10, None)), ["u2", "u4", "u1", "u3"]);
        assert_eq!(ids(&v.window(&by(MemberSortKey::Email, false), 0, 10, None)), ["u3", "u1", "u4", "u2"]);
        assert_eq!(ids(&v.window(&by(MemberSortKey::Role, false), 0, 10, None)), ["u3", "u1", "u2", "u4"]);
        assert_eq!(ids(&v.window(&by(MemberSortKey::Status, false), 0, 10, None)), ["u2", "u3", "u4", "u1"]);
        assert_eq!(ids(&v.window(&by(MemberSortKey::Joined, true), 0, 10, None)), ["u4", "u3", "u2", "u1"]);
        assert_eq!(ids(&v.window(&by(MemberSortKey::LastActive, false), 0, 10, None)), ["u1", "u2", "u3", "u4"]);
    }

    #[test]
    fn windows_page_through_the_filtered_list_with_its_counts() {
        let v = view();
        let w = v.window(&by(MemberSortKey::Joined, false), 1, 2, Some("2026-12-01T00:00:00.000Z".into()));
        assert_eq!((ids(&w), w.offset, w.total, w.all), (vec!["u2", "u3"], 1, 4, 4));
        assert_eq!(w.synced_at.as_deref(), Some("2026-12-01T00:00:00.000Z"));
        let past_the_end = v.window(&by(MemberSortKey::Joined, false), 9, 2, None);
        assert_eq!((past_the_end.rows.len(), past_the_end.total), (0, 4));
        // No window is larger than MAX_WINDOW.
        let many = MemberView::new(
            (0..MAX_WINDOW + 10)
                .map(|i| member(&format!("u{i:04}"), "N", "n@x.test", "member", MemberStatus::Active, "j"))
                .collect(),
        );
        assert_eq!(many.window(&MemberFilter::default(), 0, 100_000, None).rows.len(), MAX_WINDOW);
    }

    #[test]
    fn search_is_a_prefix_of_the_email_the_name_or_a_word_of_it() {
        let v = view();
        let q = |query: &str| MemberFilter { query: query.into(), ..Default::default() };
        assert_eq!(ids(&v.window(&q("okafor"), 0, 10, None)), ["u3", "u4"]);
        assert_eq!(ids(&v.window(&q("  LEE "), 0, 10, None)), ["u4"], "a word after a hyphen, any case, trimmed");
        assert_eq!(ids(&v.window(&q("zed@"), 0, 10, None)), ["u2"]);
        assert_eq!(v.window(&q("kafor"), 0, 10, None).total, 0, "not the middle of a word");
        let admins = MemberFilter { query: "okafor".into(), role: Some("admin".into()), ..Default::default() };
        assert_eq!(ids(&v.window(&admins, 0, 10, None)), ["u3"]);
        let disabled = MemberFilter { status: Some(MemberStatus::Disabled), ..Default::default() };
        assert_eq!(v.ids(&disabled), ["u1"]);
    }

    #[test]
    fn role_counts_and_bulk_reports_use_what_the_view_knows() {
        let v = view();
        let counts = v.role_counts(&["u1".into(), "u2".into(), "u3".into(), "nobody".into()]);
        assert_eq!(
            counts,
            [RoleCount { role: "member".into(), count: 2 }, RoleCount { role: "admin".into(), count: 1 }]
        );
        let result = |id: &str, outcome, member: Option<Member>, message: Option<&str>| BulkMemberResult {
            user_id: id.into(),
            outcome,
            member,
            code: None,
            message: message.map(Into::into),
        };
        let answer = BulkMemberResults {
            results: vec![
                result("u1", BulkOutcome::Changed, v.get("u1").cloned(), None),
                result("u2", BulkOutcome::Removed, None, None),
                result("u3", BulkOutcome::Refused, None, Some("The owner cannot be changed.")),
            ],
        };
        let report = v.bulk_report(&answer);
        assert_eq!(report.changed_ids, ["u1"]);
        assert_eq!(report.removed.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(), ["zed@x.test"]);
        assert_eq!(report.refusals, ["ada@x.test: The owner cannot be changed."]);
    }

    #[test]
    fn replacing_pages_changes_only_them_and_keeps_what_still_holds() {
        use MemberStatus::*;
        let page = |ids: &[(&str, &str)]| -> Vec<Member> {
            ids.iter()
                .map(|(id, role)| member(id, &format!("Name {id}"), &format!("{id}@x.test"), role, Active, "j"))
                .collect()
        };
        let v = MemberView::from_pages(vec![page(&[("a", "admin"), ("b", "member")]), page(&[("c", "member")])]);
        assert_eq!(
            (v.page_count(), v.page_of(0), v.page_of(1), v.page_of(2), v.page_of(3)),
            (2, Some(0), Some(0), Some(1), None)
        );
        let by_name = ids(&v.window(&by(MemberSortKey::Name, false), 0, 10, None))
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>();
        let _ = v.window(&by(MemberSortKey::Role, false), 0, 10, None);
        assert_eq!(v.index_of("c"), Some(2));

        // A role change: the name order is the same one, the role order is new.
        let w = v.with_pages(vec![(1, page(&[("c", "viewer")]))]);
        assert_eq!(w.get("c").unwrap().role, "viewer");
        assert!(std::sync::Arc::ptr_eq(w.orders[0].get().unwrap(), v.orders[0].get().unwrap()), "name order reused");
        assert!(w.orders[2].get().is_none(), "the role order is computed again");
        assert_eq!(ids(&w.window(&by(MemberSortKey::Name, false), 0, 10, None)), by_name);
        assert_eq!(ids(&w.window(&by(MemberSortKey::Role, false), 0, 10, None)), ["a", "b", "c"]);

        // A removal: the page shrinks, the rest follows.
        let x = w.with_pages(vec![(0, page(&[("b", "member")]))]);
        assert_eq!(
            (x.len(), x.page_of(0), x.page_of(1), x.index_of("a"), x.index_of("c")),
            (2, Some(0), Some(1), None, Some(1))
        );
        assert_eq!(ids(&x.window(&by(MemberSortKey::Name, false), 0, 10, None)), ["b", "c"]);
    }

    #[test]
    fn typing_narrows_the_last_matches_and_every_answer_equals_a_fresh_one() {
        let typed = view();
        let q = |query: &str, role: Option<&str>| MemberFilter {
            query: query.into(),
            role: role.map(Into::into),
            sort: MemberSortKey::Joined,
            ..Default::default()
        };
        // Typing, a backspace, a filter added and dropped, a new start.
        let steps = [
            ("o", None),
            ("ok", None),
            ("oka", None),
            ("ok", None),
            ("ok", Some("viewer")),
            ("ok", None),
            ("z", None),
            ("", None),
        ];
        for (query, role) in steps {
            let filter = q(query, role);
            let fresh = view();
            let (a, b) = (typed.window(&filter, 0, 10, None), fresh.window(&filter, 0, 10, None));
            assert_eq!((ids(&a), a.total), (ids(&b), b.total), "{query:?} {role:?}");
            assert_eq!(typed.ids(&filter), fresh.ids(&filter));
        }
        assert_eq!(ids(&typed.window(&q("oka", None), 1, 10, None)), ["u4"], "a later window of the same matches");
    }
}
