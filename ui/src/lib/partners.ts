// Partners and their customers, as the app shows them: the switcher's
// grouping of customer workspaces under their partner, the renewal reminder
// and the words for a relationship's state. The server decides access.

import type { MyOrg } from "./bindings/MyOrg";
import type { OrgName } from "./bindings/OrgName";
import type { PartnerRelationship } from "./bindings/PartnerRelationship";
import type { TeamAssignment } from "./bindings/TeamAssignment";
import { DAY } from "./time";

/** An org with its place in the org list (Ctrl+1…9 follow it). */
export interface Placed {
  org: MyOrg;
  position: number;
}

export interface PartnerGroup {
  partner: OrgName;
  orgs: Placed[];
}

/** My own orgs in list order, then the customer workspaces I reach through each partner, by partner name. */
export function groupOrgs(placed: readonly Placed[]): { own: Placed[]; partners: PartnerGroup[] } {
  const own: Placed[] = [];
  const groups = new Map<string, PartnerGroup>();
  for (const entry of placed) {
    const partner = entry.org.via_partner;
    if (!partner) {
      own.push(entry);
      continue;
    }
    const group = groups.get(partner.id) ?? { partner, orgs: [] };
    group.orgs.push(entry);
    groups.set(partner.id, group);
  }
  const partners = [...groups.values()].sort((a, b) => a.partner.name.localeCompare(b.partner.name));
  return { own, partners };
}

/** "Acme Reseller → 48 customers". */
export function groupLabel(group: PartnerGroup): string {
  const n = group.orgs.length;
  return `${group.partner.name} → ${n} customer${n === 1 ? "" : "s"}`;
}

export const RENEWAL_REMINDER_DAYS = 30;

/** Days until the relationship ends, rounded up; 0 when it has. */
export function daysLeft(relationship: Pick<PartnerRelationship, "ends_at">, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(relationship.ends_at) - now) / DAY));
}

/** An active relationship that ends within 30 days (the customer renews it). */
export function needsRenewal(relationship: Pick<PartnerRelationship, "status" | "ends_at">, now: number): boolean {
  return relationship.status === "active" && Date.parse(relationship.ends_at) - now <= RENEWAL_REMINDER_DAYS * DAY;
}

export function statusLabel(relationship: Pick<PartnerRelationship, "status">): string {
  switch (relationship.status) {
    case "requested":
      return "Waiting for the customer";
    case "active":
      return "Active";
    case "ended":
      return "Ended";
    case "expired":
      return "Expired";
  }
}

/** The relationship's assignments with `team` holding `role` added (once); the rest kept. */
export function withAssignment(current: readonly TeamAssignment[] | null | undefined, teamId: string, role: string): TeamAssignment[] {
  const kept = (current ?? []).map(({ team_id, role }) => ({ team_id, role }));
  if (!kept.some((a) => a.team_id === teamId && a.role === role)) kept.push({ team_id: teamId, role });
  return kept;
}

/** An end date `days` from now, as the API takes it (RFC 3339, at most two years ahead). */
export function endDateIn(days: number, now: number): string {
  return new Date(now + days * DAY).toISOString();
}

/**
 * The first `limit` orgs of a grouped list, in its order (own orgs, then
 * each partner's): what the switcher renders before the first paint when
 * the list is long; the rest follows a frame later.
 */
export function firstOrgs(grouped: { own: Placed[]; partners: PartnerGroup[] }, limit: number): { own: Placed[]; partners: PartnerGroup[] } {
  const own = grouped.own.slice(0, limit);
  let left = limit - own.length;
  const partners: PartnerGroup[] = [];
  for (const group of grouped.partners) {
    if (left <= 0) break;
    const orgs = group.orgs.slice(0, left);
    partners.push({ ...group, orgs });
    left -= orgs.length;
  }
  return { own, partners };
}
