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

/// The text fields of a [`Row`], in the order they are laid out in its
/// page's text: the member's fields, then the lower-cased search keys (kept
/// only where they differ from the field).
const USER_ID: usize = 0;
const EMAIL: usize = 1;
const NAME: usize = 2;
const ROLE: usize = 3;
const JOINED: usize = 4;
const LAST_ACTIVE: usize = 5;
const TIMEZONE: usize = 6;
const NAME_KEY: usize = 7;
const EMAIL_KEY: usize = 8;
const FIELDS: usize = 9;

/// [`Row::flags`]: `last_active_at` is set; the lower-cased name / email
/// differ from the field and are stored.
const HAS_LAST_ACTIVE: u8 = 1;
const HAS_NAME_KEY: u8 = 2;
const HAS_EMAIL_KEY: u8 = 4;

/// One member, compact: its text lives in its page's [`PageRows::text`]
/// (`start..ends[0]` is the user id, `ends[f - 1]..ends[f]` field `f`).
#[derive(Clone, Copy, Debug)]
struct Row {
    /// The page (index into [`MemberView::texts`]).
    page: u32,
    start: u32,
    ends: [u32; FIELDS],
    version: i64,
    status: MemberStatus,
    flags: u8,
}

/// The members of one cache page as the view keeps them: all their text in
/// one buffer and one small row each (instead of a `Member` with seven
/// owned strings each). Built straight from a page's JSON by
/// [`PageRows::decode`], or from members.
pub(crate) struct PageRows {
    text: std::sync::Arc<str>,
    rows: Vec<Row>,
}

/// A [`PageRows`] being filled.
struct PageBuilder {
    text: String,
    rows: Vec<Row>,
}

/// A string of a cached page: borrowed from the page's JSON where it has no
/// escapes, owned where it had some.
struct Text<'a>(std::borrow::Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = std::borrow::Cow<'de, str>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(std::borrow::Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(std::borrow::Cow::Owned(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(std::borrow::Cow::Owned(v))
            }
        }
        d.deserialize_str(Visit).map(Text)
    }
}

/// A [`Member`] as a cached page's JSON holds it (the same fields, the
/// same defaults), its strings borrowed from the page.
#[derive(Deserialize)]
struct RawMember<'a> {
    #[serde(borrow)]
    user_id: Text<'a>,
    #[serde(borrow)]
    email: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    role: Text<'a>,
    status: MemberStatus,
    #[serde(borrow)]
    joined_at: Text<'a>,
    #[serde(borrow)]
    last_active_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    timezone: Option<Text<'a>>,
    version: i64,
}

/// A cached page ([`crate::cache::StoredPage`]) read for the view: only its
/// members (the cursors and the ETag are the sync's).
#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(borrow)]
    items: Vec<RawMember<'a>>,
}

/// The fields of one member to append to a page's text.
struct Fields<'a> {
    user_id: &'a str,
    email: &'a str,
    name: &'a str,
    role: &'a str,
    joined_at: &'a str,
    last_active_at: Option<&'a str>,
    timezone: &'a str,
    status: MemberStatus,
    version: i64,
}

impl PageRows {
    fn with_capacity(members: usize, text: usize) -> PageBuilder {
        PageBuilder { text: String::with_capacity(text), rows: Vec::with_capacity(members) }
    }

    /// The members of a cached page's JSON; `None` when it is not one.
    pub(crate) fn decode(json: &[u8]) -> Option<PageRows> {
        let page: RawPage = serde_json::from_slice(json).ok()?;
        let mut out = PageRows::with_capacity(page.items.len(), json.len() / 2);
        for m in &page.items {
            out.push(Fields {
                user_id: &m.user_id.0,
                email: &m.email.0,
                name: &m.name.0,
                role: &m.role.0,
                joined_at: &m.joined_at.0,
                last_active_at: m.last_active_at.as_ref().map(|t| &*t.0),
                timezone: m.timezone.as_ref().map_or("", |t| &t.0),
                status: m.status,
                version: m.version,
            })?;
        }
        Some(out.finish())
    }

    fn of(members: &[Member]) -> PageRows {
        let text = members.iter().map(|m| m.user_id.len() + m.email.len() + m.name.len() + 64).sum();
        let mut out = PageRows::with_capacity(members.len(), text);
        for m in members {
            let fields = Fields {
                user_id: &m.user_id,
                email: &m.email,
                name: &m.name,
                role: &m.role,
                joined_at: &m.joined_at,
                last_active_at: m.last_active_at.as_deref(),
                timezone: &m.timezone,
                status: m.status,
                version: m.version,
            };
            // A page of more than 4 GiB of text cannot come from the cache
            // (SQLite's blobs end at 1 GB); from memory, it would be split.
            out.push(fields).expect("a page's text fits in 4 GiB");
        }
        out.finish()
    }
}

impl PageBuilder {
    fn finish(self) -> PageRows {
        PageRows { text: self.text.into(), rows: self.rows }
    }

    /// Appends one member; `None` when the page's text would pass 4 GiB.
    fn push(&mut self, m: Fields) -> Option<()> {
        let text = &mut self.text;
        let start = u32::try_from(text.len()).ok()?;
        let mut ends = [0u32; FIELDS];
        let mut put = |f: usize, s: &str, text: &mut String| -> Option<()> {
            text.push_str(s);
            ends[f] = u32::try_from(text.len()).ok()?;
            Some(())
        };
        put(USER_ID, m.user_id, text)?;
        put(EMAIL, m.email, text)?;
        put(NAME, m.name, text)?;
        put(ROLE, m.role, text)?;
        put(JOINED, m.joined_at, text)?;
        put(LAST_ACTIVE, m.last_active_at.unwrap_or(""), text)?;
        put(TIMEZONE, m.timezone, text)?;
        let mut flags = if m.last_active_at.is_some() { HAS_LAST_ACTIVE } else { 0 };
        if push_lowered(text, m.name) {
            flags |= HAS_NAME_KEY;
        }
        ends[NAME_KEY] = u32::try_from(text.len()).ok()?;
        if push_lowered(text, m.email) {
            flags |= HAS_EMAIL_KEY;
        }
        ends[EMAIL_KEY] = u32::try_from(text.len()).ok()?;
        self.rows.push(Row { page: 0, start, ends, version: m.version, status: m.status, flags });
        Some(())
    }
}

/// Appends `s` lower-cased to `text` when that differs from `s` (most
/// emails are lower-case already, so their key is not kept twice); true
/// when it did.
fn push_lowered(text: &mut String, s: &str) -> bool {
    if !s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        return false;
    }
    let mark = text.len();
    if s.is_ascii() {
        // Has an upper-case letter: differs.
        text.push_str(s);
        text[mark..].make_ascii_lowercase();
        return true;
    }
    // `str::to_lowercase`, not char by char: a final sigma depends on its place.
    text.push_str(&s.to_lowercase());
    if text[mark..] == *s {
        text.truncate(mark);
        return false;
    }
    true
}

/// Hands the heap's free pages back to the system, off the async threads.
/// glibc keeps what a build of a large list freed (the sealed and opened
/// pages, the parser's buffers) in its arenas, one per thread that
/// allocated, and returns it only when asked: without this a 100,000-member
/// build leaves tens of MiB resident that nothing uses.
pub(crate) fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(|| {
            // SAFETY: malloc_trim takes no pointers; it only releases the
            // free memory glibc's allocator already owns.
            unsafe { libc::malloc_trim(0) };
        });
    }
}

type Order = std::sync::Arc<Vec<u32>>;
/// One bit per member (`i / 64`, bit `i % 64`).
type Hits = std::sync::Arc<Vec<u64>>;

/// What splits a name into the words a search matches the start of.
fn separates(c: char) -> bool {
    c.is_whitespace() || c == '-'
}

/// A search, lower-cased and trimmed.
struct Query<'a> {
    text: &'a str,
    /// No separator inside: it can be the start of a word of a name.
    one_word: bool,
}

impl<'a> Query<'a> {
    fn new(text: &'a str) -> Query<'a> {
        Query { text, one_word: !text.chars().any(separates) }
    }
}

pub struct MemberView {
    /// The text of each page's members (one for a view not built from pages).
    texts: Vec<std::sync::Arc<str>>,
    rows: Vec<Row>,
    orders: [OnceLock<Order>; 6],
    /// Indices sorted by user id (for [`MemberView::get`]), computed once.
    by_id: OnceLock<Order>,
    /// Where each cached page ends in `rows` (cumulative), when the view
    /// was built from the cache's pages; empty otherwise.
    page_ends: Vec<u32>,
    revision: u64,
    /// The last filter's matches in its order (a window, the next window
    /// while scrolling, and a search narrowed by one more key typed reuse it).
    /// With the set of them, one bit per member.
    last_match: std::sync::Mutex<Option<(MemberFilter, Order, Hits)>>,
}

impl MemberView {
    pub fn new(members: Vec<Member>) -> MemberView {
        let mut view = MemberView::from_rows(vec![PageRows::of(&members)]);
        view.page_ends.clear();
        view
    }

    /// A view of the cache's pages, in order, remembering where each ends.
    /// Each page's `Member`s are dropped as soon as its rows are built, so
    /// a sync never holds the list twice over as `Member`s and rows.
    pub fn from_pages(pages: Vec<Vec<Member>>) -> MemberView {
        MemberView::from_rows(pages.into_iter().map(|p| PageRows::of(&p)).collect())
    }

    /// A view of the cache's pages as [`PageRows::decode`] read them, in order.
    pub(crate) fn from_rows(pages: Vec<PageRows>) -> MemberView {
        MemberView::assemble(pages.into_iter().map(|p| (p.text, p.rows)))
    }

    fn assemble(pages: impl ExactSizeIterator<Item = (std::sync::Arc<str>, Vec<Row>)>) -> MemberView {
        let mut texts = Vec::with_capacity(pages.len());
        let mut page_ends = Vec::with_capacity(pages.len());
        let mut rows = Vec::new();
        for (n, (text, page_rows)) in pages.enumerate() {
            texts.push(text);
            if rows.is_empty() {
                rows.reserve(page_rows.len() * page_ends.capacity());
            }
            rows.extend(page_rows.into_iter().map(|r| Row { page: n as u32, ..r }));
            page_ends.push(rows.len() as u32);
        }
        MemberView {
            texts,
            rows,
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

    fn page_range(&self, page: usize) -> std::ops::Range<usize> {
        let start = if page == 0 { 0 } else { self.page_ends[page - 1] as usize };
        start..self.page_ends[page] as usize
    }

    /// This view with some cache pages replaced (`replaced`: page number and
    /// its members now). What the change left alone is reused: the other
    /// pages as they are, and each sort order whose key no replaced member
    /// changed, when no member came or went.
    pub(crate) fn with_pages(&self, replaced: Vec<(usize, Vec<Member>)>) -> MemberView {
        let mut replaced: std::collections::BTreeMap<usize, Vec<Member>> = replaced.into_iter().collect();
        let replaced_pages: Vec<usize> = replaced.keys().copied().collect();
        let same_shape =
            replaced.iter().all(|(&p, items)| p < self.page_count() && items.len() == self.page_range(p).len());
        let pages = (0..self.page_count()).map(|p| match replaced.remove(&p) {
            Some(members) => {
                let page = PageRows::of(&members);
                (page.text, page.rows)
            }
            None => (self.texts[p].clone(), self.rows[self.page_range(p)].to_vec()),
        });
        let view = MemberView::assemble(pages.collect::<Vec<_>>().into_iter());
        if !same_shape {
            return view;
        }
        let changed: Vec<usize> = replaced_pages
            .iter()
            .flat_map(|&p| self.page_range(p))
            .filter(|&i| !self.same_member(i, &view, i))
            .collect();
        let same_ids = changed.iter().all(|&i| self.user_id(i) == view.user_id(i));
        let same_text = same_ids
            && changed
                .iter()
                .all(|&i| self.field(i, NAME) == view.field(i, NAME) && self.field(i, EMAIL) == view.field(i, EMAIL));
        if same_ids {
            if let Some(order) = self.by_id.get() {
                let _ = view.by_id.set(order.clone());
            }
        }
        if same_text {
            for (slot, key) in SORT_KEYS.iter().enumerate() {
                let unchanged = changed.iter().all(|&i| self.sort_value(i, *key) == view.sort_value(i, *key));
                if let (true, Some(order)) = (unchanged, self.orders[slot].get()) {
                    let _ = view.orders[slot].set(order.clone());
                }
            }
        }
        view
    }

    fn field(&self, i: usize, f: usize) -> &str {
        let row = &self.rows[i];
        let start = if f == 0 { row.start } else { row.ends[f - 1] };
        &self.texts[row.page as usize][start as usize..row.ends[f] as usize]
    }

    /// Whether member `i` here and member `j` of `other` are equal.
    fn same_member(&self, i: usize, other: &MemberView, j: usize) -> bool {
        let (a, b) = (&self.rows[i], &other.rows[j]);
        a.status == b.status
            && a.version == b.version
            && a.flags & HAS_LAST_ACTIVE == b.flags & HAS_LAST_ACTIVE
            && (USER_ID..=TIMEZONE).all(|f| self.field(i, f) == other.field(j, f))
    }

    fn user_id(&self, i: usize) -> &str {
        self.field(i, USER_ID)
    }

    /// Member `i` as the API's type (built only for the rows asked for).
    fn member(&self, i: usize) -> Member {
        let row = &self.rows[i];
        Member {
            user_id: self.field(i, USER_ID).to_owned(),
            email: self.field(i, EMAIL).to_owned(),
            name: self.field(i, NAME).to_owned(),
            role: self.field(i, ROLE).to_owned(),
            status: row.status,
            joined_at: self.field(i, JOINED).to_owned(),
            last_active_at: (row.flags & HAS_LAST_ACTIVE != 0).then(|| self.field(i, LAST_ACTIVE).to_owned()),
            timezone: self.field(i, TIMEZONE).to_owned(),
            version: row.version,
        }
    }

    /// The index of a member, by user id.
    pub(crate) fn index_of(&self, user_id: &str) -> Option<usize> {
        let by_id = self.by_id.get_or_init(|| std::sync::Arc::new(self.sorted(|i| self.user_id(i))));
        let found = by_id.binary_search_by(|&i| self.user_id(i as usize).cmp(user_id)).ok()?;
        Some(by_id[found] as usize)
    }

    fn name_key(&self, i: usize) -> &str {
        self.field(i, if self.rows[i].flags & HAS_NAME_KEY != 0 { NAME_KEY } else { NAME })
    }

    fn email_key(&self, i: usize) -> &str {
        self.field(i, if self.rows[i].flags & HAS_EMAIL_KEY != 0 { EMAIL_KEY } else { EMAIL })
    }

    /// Which state of the list this is (see [`MemberListState`]).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every member, in the cache's order (built on demand).
    pub fn members(&self) -> Vec<Member> {
        (0..self.len()).map(|i| self.member(i)).collect()
    }

    pub fn get(&self, user_id: &str) -> Option<Member> {
        self.index_of(user_id).map(|i| self.member(i))
    }

    /// The role and status of a member, by user id (nothing copied).
    pub(crate) fn role_and_status(&self, user_id: &str) -> Option<(&str, MemberStatus)> {
        self.index_of(user_id).map(|i| (self.field(i, ROLE), self.rows[i].status))
    }

    fn sort_value(&self, i: usize, key: MemberSortKey) -> &str {
        match key {
            MemberSortKey::Role => self.field(i, ROLE),
            MemberSortKey::Status => self.rows[i].status.as_str(),
            MemberSortKey::Joined => self.field(i, JOINED),
            MemberSortKey::LastActive => self.field(i, LAST_ACTIVE),
            MemberSortKey::Name => self.field(i, NAME),
            MemberSortKey::Email => self.field(i, EMAIL),
        }
    }

    /// Every index, ascending by `key`, then by user id, then by index (so
    /// the answer is the same whatever the sort). Sorts plain numbers first
    /// (the first 12 bytes of the key above the index), then compares the
    /// keys themselves only within a run of the same 12 bytes.
    fn sorted<'a>(&'a self, key: impl Fn(usize) -> &'a str) -> Vec<u32> {
        const PREFIX: usize = 12;
        let keyed = |i: usize| -> u128 {
            let mut bytes = [0u8; 16];
            let s = key(i).as_bytes();
            let n = s.len().min(PREFIX);
            bytes[..n].copy_from_slice(&s[..n]);
            bytes[PREFIX..].copy_from_slice(&(i as u32).to_be_bytes());
            u128::from_be_bytes(bytes)
        };
        let mut numbers: Vec<u128> = (0..self.len()).map(keyed).collect();
        numbers.sort_unstable();
        let mut order: Vec<u32> = numbers.iter().map(|&k| k as u32).collect();
        let mut start = 0;
        while start < numbers.len() {
            let prefix = numbers[start] >> 32;
            let end = start + numbers[start..].iter().take_while(|&&k| k >> 32 == prefix).count();
            if end - start > 1 {
                order[start..end].sort_unstable_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    key(a).cmp(key(b)).then_with(|| self.user_id(a).cmp(self.user_id(b))).then(a.cmp(&b))
                });
            }
            start = end;
        }
        order
    }

    /// Ascending order of `key` (ties by user id), computed once.
    fn order(&self, key: MemberSortKey) -> &[u32] {
        let slot = SORT_KEYS.iter().position(|k| *k == key).unwrap_or(0);
        self.orders[slot].get_or_init(|| {
            let order = match key {
                MemberSortKey::Name => self.sorted(|i| {
                    if self.rows[i].ends[NAME] == self.rows[i].ends[EMAIL] {
                        self.email_key(i)
                    } else {
                        self.name_key(i)
                    }
                }),
                MemberSortKey::Email => self.sorted(|i| self.email_key(i)),
                _ => self.sorted(|i| self.sort_value(i, key)),
            };
            std::sync::Arc::new(order)
        })
    }

    fn matches(&self, i: usize, filter: &MemberFilter, query: &Query) -> bool {
        let row = &self.rows[i];
        if filter.role.as_deref().is_some_and(|r| r != self.field(i, ROLE))
            || filter.status.is_some_and(|s| s != row.status)
        {
            return false;
        }
        let Some(first) = query.text.as_bytes().first() else {
            return true;
        };
        let name = self.name_key(i);
        if self.email_key(i).starts_with(query.text) || name.starts_with(query.text) {
            return true;
        }
        // A later word of the name: where the query's first byte follows a
        // separator. That byte leads a character, so it is never found inside
        // one; a query holding a separator is no word's start.
        query.one_word
            && name.bytes().enumerate().skip(1).any(|(at, b)| {
                b == *first
                    && name[at..].starts_with(query.text)
                    && name[..at].chars().next_back().is_some_and(separates)
            })
    }

    /// The indices of the matching members in the filter's order. The last
    /// answer is kept: the same filter (the next window) costs nothing, and
    /// a query that extends the last one (one more key typed) only narrows
    /// the last matches, since a prefix of the longer query is a prefix of
    /// the shorter.
    fn matching(&self, filter: &MemberFilter) -> Order {
        let filter = MemberFilter { query: filter.query.trim().to_lowercase(), ..filter.clone() };
        let mut last = self.last_match.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, matched, _)) = last.as_ref() {
            if *seen == filter {
                return matched.clone();
            }
        }
        let narrowing = last.as_ref().filter(|(seen, _, _)| {
            seen.sort == filter.sort
                && seen.desc == filter.desc
                && seen.role == filter.role
                && seen.status == filter.status
                && filter.query.starts_with(&seen.query)
        });
        // Members are tested in the order they are stored (the rows and
        // their text one after the other, not a walk through 20 MiB in the
        // sort's order, which waited on memory for most of the time), then
        // taken in the sort's order from the set of those that matched.
        let query = Query::new(&filter.query);
        let hits = self.scan(narrowing.map(|(_, _, hits)| hits.as_slice()), &filter, &query);
        let hit = |&i: &u32| hits[i as usize / 64] >> (i % 64) & 1 == 1;
        let matched: Vec<u32> = match narrowing {
            Some((_, before, _)) => before.iter().copied().filter(hit).collect(),
            None => {
                let order = self.order(filter.sort);
                if filter.desc {
                    order.iter().rev().copied().filter(hit).collect()
                } else {
                    order.iter().copied().filter(hit).collect()
                }
            }
        };
        let matched = std::sync::Arc::new(matched);
        *last = Some((filter, matched.clone(), hits));
        matched
    }

    /// One bit per member, set for those that match (of `among`, when given).
    fn scan(&self, among: Option<&[u64]>, filter: &MemberFilter, query: &Query) -> Hits {
        let mut hits = vec![0u64; self.len().div_ceil(64)];
        for (w, word) in hits.iter_mut().enumerate() {
            let mut candidates = among.map_or(u64::MAX, |bits| bits[w]);
            while candidates != 0 {
                let bit = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let i = w * 64 + bit;
                if i < self.len() && self.matches(i, filter, query) {
                    *word |= 1 << bit;
                }
            }
        }
        std::sync::Arc::new(hits)
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
        let rows = matched.iter().skip(offset).take(limit).map(|&i| self.member(i as usize)).collect();
        MemberWindow {
            offset: offset as u64,
            rows,
            total: matched.len() as u64,
            all: self.len() as u64,
            synced_at,
            revision: self.revision,
        }
    }

    /// The ids of every matching member, in order (for "select all shown").
    pub fn ids(&self, filter: &MemberFilter) -> Vec<String> {
        self.matching(filter).iter().map(|&i| self.user_id(i as usize).to_owned()).collect()
    }

    /// How many of `user_ids` hold each role, most common first.
    pub fn role_counts(&self, user_ids: &[String]) -> Vec<RoleCount> {
        let wanted: std::collections::HashSet<&str> = user_ids.iter().map(String::as_str).collect();
        let mut counts: std::collections::BTreeMap<&str, u64> = Default::default();
        for i in (0..self.len()).filter(|&i| wanted.contains(self.user_id(i))) {
            *counts.entry(self.field(i, ROLE)).or_default() += 1;
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
                        report.removed.push(m);
                    }
                }
                BulkOutcome::Refused => {
                    let who = self.index_of(&r.user_id).map(|i| self.field(i, EMAIL)).unwrap_or(r.user_id.as_str());
                    let why = r.message.as_deref().or(r.code.map(|c| c.as_str())).unwrap_or("refused");
                    report.refusals.push(format!("{who}: {why}"));
                }
                _ => {}
            }
        }
        report
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
                result("u1", BulkOutcome::Changed, v.get("u1"), None),
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

    /// What the view must answer, written plainly over `Member`s: the
    /// reference the compact view is compared with.
    fn reference(members: &[Member], filter: &MemberFilter) -> Vec<Member> {
        let query = filter.query.trim().to_lowercase();
        let mut out: Vec<&Member> = members
            .iter()
            .filter(|m| filter.role.as_deref().is_none_or(|r| r == m.role))
            .filter(|m| filter.status.is_none_or(|s| s == m.status))
            .filter(|m| {
                let (name, email) = (m.name.to_lowercase(), m.email.to_lowercase());
                query.is_empty()
                    || email.starts_with(&query)
                    || name.starts_with(&query)
                    || name.split(|c: char| c.is_whitespace() || c == '-').any(|w| w.starts_with(&query))
            })
            .collect();
        let key = |m: &Member| -> String {
            match filter.sort {
                MemberSortKey::Name if m.name.is_empty() => m.email.to_lowercase(),
                MemberSortKey::Name => m.name.to_lowercase(),
                MemberSortKey::Email => m.email.to_lowercase(),
                MemberSortKey::Role => m.role.clone(),
                MemberSortKey::Status => m.status.as_str().to_owned(),
                MemberSortKey::Joined => m.joined_at.clone(),
                MemberSortKey::LastActive => m.last_active_at.clone().unwrap_or_default(),
            }
        };
        out.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.user_id.cmp(&b.user_id)));
        if filter.desc {
            out.reverse();
        }
        out.into_iter().cloned().collect()
    }

    /// A list with what makes sorting and searching hard: shared prefixes
    /// longer than 16 bytes, empty names, upper case, letters whose lower
    /// case is longer (İ), hyphens, escapes in the JSON, no last activity.
    fn generated(n: usize, seed: u64) -> Vec<Member> {
        let mut state = seed;
        let mut next = move |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        let first = ["Ada", "ADA", "ada", "Bea", "Zoë", "İlkay", "Émile", "Chi", "", "Averyveryverylongfirstname"];
        let last =
            ["Okafor", "Okafor-Lee", "berg", "Ünal", "Quote\"d", "Tab\tbed", "O'Neil", "Averyveryverylongfirstname"];
        let roles = ["owner", "admin", "member", "viewer", "billing-admin"];
        (0..n)
            .map(|_| {
                let name = match (first[next(first.len())], last[next(last.len())]) {
                    ("", _) => String::new(),
                    (f, l) => format!("{f} {l}"),
                };
                let domain = ["x.test", "Y.Test", "northwind-scale.test"][next(3)];
                Member {
                    user_id: format!("01JZ{:06}", next(n * 4)),
                    email: format!("{}{}@{domain}", ["ada", "Ada", "zed", "émile"][next(4)], next(50)),
                    name,
                    role: roles[next(roles.len())].into(),
                    status: if next(4) == 0 { MemberStatus::Disabled } else { MemberStatus::Active },
                    joined_at: format!("2026-0{}-0{}T00:00:00.000Z", 1 + next(9), 1 + next(9)),
                    last_active_at: (next(3) > 0).then(|| format!("2026-11-{:02}T12:00:00.000Z", 1 + next(28))),
                    timezone: ["UTC", "Europe/Berlin", ""][next(3)].into(),
                    version: next(5) as i64,
                }
            })
            .collect()
    }

    fn filters() -> Vec<MemberFilter> {
        let queries = [
            "",
            "a",
            "ada",
            "ADA ",
            "okafor",
            "lee",
            "i̇lk",
            "zoë",
            "quote\"",
            "ü",
            "averyveryverylongf",
            "zed1",
            "nobody",
        ];
        let mut out = Vec::new();
        for sort in SORT_KEYS {
            for desc in [false, true] {
                for query in queries {
                    for (role, status) in [(None, None), (Some("admin"), None), (None, Some(MemberStatus::Disabled))] {
                        out.push(MemberFilter { query: query.into(), role: role.map(Into::into), status, sort, desc });
                    }
                }
            }
        }
        out
    }

    /// The heap a sync's view build needs at 100,000 members beyond the
    /// `Member`s it is handed. A measurement: `cargo test --release -p
    /// orgdesk-client --lib profile_view_from_members -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn profile_view_from_members() {
        let pages = || -> Vec<Vec<Member>> {
            let members = generated(100_000, 3);
            members.chunks(200).map(<[Member]>::to_vec).collect()
        };
        let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
        let held = pages();
        let start = crate::heap::live();
        crate::heap::reset_peak();
        let both = MemberView::from_rows(held.iter().map(|p| PageRows::of(p)).collect());
        let peak_both = crate::heap::peak() - start;
        drop((both, held));
        let base = crate::heap::live();
        let given = pages();
        let start = crate::heap::live();
        crate::heap::reset_peak();
        let view = MemberView::from_pages(given);
        let peak = crate::heap::peak() - start;
        println!(
            "from 100,000 Members ({:.1} MiB): {:.1} MiB above them at the peak while they are all kept, {:.1} MiB when each page is dropped once built (the view: {:.1} MiB)",
            mib(start - base),
            mib(peak_both),
            mib(peak),
            mib(crate::heap::live() - base),
        );
        drop(view);
    }

    #[test]
    fn a_row_stays_small() {
        // docs/architecture.md and docs/benchmarks.md say 56 bytes.
        assert_eq!(std::mem::size_of::<Row>(), 56);
    }

    #[test]
    fn the_compact_view_answers_what_the_plain_list_does() {
        for seed in [1, 7, 2026] {
            // Repeated user ids are possible here (the server never sends
            // them, but the answer must not depend on the sort's luck).
            let members = generated(600, seed);
            let view = MemberView::from_pages(members.chunks(200).map(<[Member]>::to_vec).collect());
            assert_eq!(view.members(), members);
            for filter in filters() {
                let expected = reference(&members, &filter);
                let all = view.window(&filter, 0, MAX_WINDOW, None);
                assert_eq!(all.total as usize, expected.len(), "{filter:?}");
                assert_eq!(all.rows, expected[..expected.len().min(MAX_WINDOW)], "{filter:?}");
                let later = view.window(&filter, 37, 50, None);
                assert_eq!(later.rows, expected.iter().skip(37).take(50).cloned().collect::<Vec<_>>(), "{filter:?}");
                assert_eq!(view.ids(&filter), expected.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>());
            }
            // Typing narrows the last matches (their bit set): each answer
            // is still the plain one.
            for sort in SORT_KEYS {
                for typed in
                    ["a", "av", "ave", "avery", "averyveryverylongf", "ave", "o", "ok", "okafor-", "okafor-l", "z"]
                {
                    let filter = MemberFilter {
                        query: typed.into(),
                        sort,
                        desc: sort == MemberSortKey::Role,
                        ..Default::default()
                    };
                    let expected = reference(&members, &filter);
                    assert_eq!(
                        view.ids(&filter),
                        expected.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>(),
                        "{filter:?}"
                    );
                }
            }
            for m in &members {
                let first = members.iter().find(|o| o.user_id == m.user_id);
                assert_eq!(view.get(&m.user_id).map(|g| g.user_id), first.map(|f| f.user_id.clone()));
            }
        }
    }

    #[test]
    fn pages_decode_from_the_cache_json_as_members_do() {
        let members = generated(300, 11);
        let page = crate::cache::StoredPage {
            cursor: Some("c".into()),
            next_cursor: None,
            etag: Some("W/\"1\"".into()),
            items: members.clone(),
        };
        let json = serde_json::to_vec(&page).unwrap();
        let decoded = MemberView::from_rows(vec![PageRows::decode(&json).expect("a page")]);
        assert_eq!(decoded.members(), members);
        // An older page without time zones reads them as empty, as `Member` does.
        let old = br#"{"cursor":null,"next_cursor":null,"etag":null,"items":[{"user_id":"u","email":"e@x","name":"N\u00e9","role":"member","status":"active","joined_at":"j","last_active_at":null,"version":3}]}"#;
        let plain: crate::cache::StoredPage<Member> = serde_json::from_slice(old).unwrap();
        assert_eq!(MemberView::from_rows(vec![PageRows::decode(old).unwrap()]).members(), plain.items);
        // What `Member` refuses, the view refuses too.
        for bad in [&b"{"[..], br#"{"items":[{"user_id":"u"}]}"#, br#"{"items":[{"user_id":"u","email":"e","name":"n","role":"r","status":"gone","joined_at":"j","version":1}]}"#] {
            assert!(serde_json::from_slice::<crate::cache::StoredPage<Member>>(bad).is_err());
            assert!(PageRows::decode(bad).is_none());
        }
    }

    #[test]
    fn replaced_pages_answer_what_a_fresh_view_of_them_does() {
        let members = generated(600, 5);
        let mut pages: Vec<Vec<Member>> = members.chunks(200).map(<[Member]>::to_vec).collect();
        let v = MemberView::from_pages(pages.clone());
        for filter in filters().iter().step_by(3) {
            let _ = v.window(filter, 0, 10, None);
        }
        pages[1][5].role = "viewer".into();
        pages[1][6].name = "Zz Renamed".into();
        pages[2].remove(0);
        let edited = v.with_pages(vec![(1, pages[1].clone())]).with_pages(vec![(2, pages[2].clone())]);
        let fresh = MemberView::from_pages(pages.clone());
        assert_eq!(edited.members(), fresh.members());
        for filter in filters() {
            assert_eq!(
                edited.window(&filter, 0, MAX_WINDOW, None).rows,
                fresh.window(&filter, 0, MAX_WINDOW, None).rows
            );
        }
    }
}
