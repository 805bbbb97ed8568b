// The "invitations I manage" list across orgs: search, filters, grouping by
// org and paging, all on the list the server gave (soonest expiry first).
import type { ManagedInvitation } from "./bindings/ManagedInvitation";
import { isExpired } from "./time";

export interface InvitationFilter {
  /** Prefix of the email, or of a word of the org's name, case-insensitive. */
  query: string;
  orgId: string | null;
  role: string | null;
  /** Only those expiring within this many days (expired ones count as expiring now); null: any. */
  withinDays: number | null;
  /** "pending", "expired" or null for both. */
  status: "pending" | "expired" | null;
}

export const NO_FILTER: InvitationFilter = { query: "", orgId: null, role: null, withinDays: null, status: null };

const DAY = 24 * 3600 * 1000;

export function filterInvitations(items: readonly ManagedInvitation[], f: InvitationFilter, now: number): ManagedInvitation[] {
  const q = f.query.trim().toLowerCase();
  return items.filter((item) => {
    const inv = item.invitation;
    if (f.orgId && item.org_id !== f.orgId) return false;
    if (f.role && inv.role !== f.role) return false;
    const expired = isExpired(inv, now);
    if (f.status === "pending" && expired) return false;
    if (f.status === "expired" && !expired) return false;
    if (f.withinDays !== null && Date.parse(inv.expires_at) - now > f.withinDays * DAY) return false;
    if (q) {
      const words = item.org_name.toLowerCase().split(/\s+/);
      if (!inv.email.toLowerCase().startsWith(q) && !words.some((w) => w.startsWith(q)) && !item.org_name.toLowerCase().startsWith(q))
        return false;
    }
    return true;
  });
}

export interface OrgGroup {
  orgId: string;
  orgName: string;
  items: ManagedInvitation[];
}

/** Groups by org, orgs by name; each group keeps the soonest-expiry order. */
export function groupByOrg(items: readonly ManagedInvitation[]): OrgGroup[] {
  const groups = new Map<string, OrgGroup>();
  for (const item of items) {
    let group = groups.get(item.org_id);
    if (!group) groups.set(item.org_id, (group = { orgId: item.org_id, orgName: item.org_name, items: [] }));
    group.items.push(item);
  }
  return [...groups.values()].sort((a, b) => a.orgName.localeCompare(b.orgName));
}

export interface PageOf<T> {
  items: T[];
  page: number;
  pages: number;
  from: number;
  to: number;
  total: number;
}

/** Page `page` (0-based, clamped) of `size` items. */
export function pageOf<T>(items: readonly T[], page: number, size: number): PageOf<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  const slice = items.slice(p * size, p * size + size);
  return { items: slice, page: p, pages, from: items.length ? p * size + 1 : 0, to: p * size + slice.length, total: items.length };
}
