//! Organizations: the `orgs` table.

use orgdesk_core::validate;

/// How a request names an org: by id when the reference has an id's shape,
/// by slug otherwise (slugs never take the id shape, `validate::slug`), so
/// a reference names at most one org.
#[derive(Clone, Copy, Debug)]
pub enum OrgRef<'a> {
    Id(&'a str),
    Slug(&'a str),
}

impl<'a> OrgRef<'a> {
    /// `reference` lower-cased already.
    pub fn of(reference: &'a str) -> OrgRef<'a> {
        if validate::is_id_shaped(reference) {
            OrgRef::Id(reference)
        } else {
            OrgRef::Slug(reference)
        }
    }

    /// The column it is compared with, on `orgs o`.
    pub(super) fn column(self) -> &'static str {
        match self {
            OrgRef::Id(_) => "o.id",
            OrgRef::Slug(_) => "o.slug",
        }
    }

    pub(super) fn value(self) -> &'a str {
        match self {
            OrgRef::Id(v) | OrgRef::Slug(v) => v,
        }
    }
}
