import { describe, expect, it } from "vitest";
import type { MyOrg } from "./bindings/MyOrg";
import { daysLeft, endDateIn, firstOrgs, groupLabel, groupOrgs, needsRenewal, statusLabel, withAssignment } from "./partners";

const org = (id: string, partner?: string): MyOrg => ({
  id, name: id, slug: id, personal: false, has_logo: false, role: "admin", role_name: "Admin", status: "active",
  permissions: [], via_partner: partner ? { id: `p-${partner}`, name: partner, slug: partner.toLowerCase() } : undefined,
});
const now = Date.parse("2026-12-01T12:00:00Z");
const DAY = 86_400_000;

describe("groupOrgs", () => {
  it("keeps my own orgs in order and groups customer workspaces under their partner, partners by name", () => {
    const placed = [org("a"), org("c1", "Zeta"), org("b"), org("c2", "Acme"), org("c3", "Zeta")].map((o, i) => ({ org: o, position: i + 1 }));
    const { own, partners } = groupOrgs(placed);
    expect(own.map((p) => p.org.id)).toEqual(["a", "b"]);
    expect(partners.map((g) => g.partner.name)).toEqual(["Acme", "Zeta"]);
    expect(partners[1].orgs.map((p) => [p.org.id, p.position])).toEqual([["c1", 2], ["c3", 5]]);
    expect(groupLabel(partners[1])).toBe("Zeta → 2 customers");
    expect(groupLabel(partners[0])).toBe("Acme → 1 customer");
  });
});

describe("renewal", () => {
  it("reminds for an active relationship ending within 30 days, not for others", () => {
    expect(needsRenewal({ status: "active", ends_at: new Date(now + 29 * DAY).toISOString() }, now)).toBe(true);
    expect(needsRenewal({ status: "active", ends_at: new Date(now + 31 * DAY).toISOString() }, now)).toBe(false);
    expect(needsRenewal({ status: "ended", ends_at: new Date(now + 5 * DAY).toISOString() }, now)).toBe(false);
  });
  it("counts days left, never below zero", () => {
    expect(daysLeft({ ends_at: new Date(now + 2.5 * DAY).toISOString() }, now)).toBe(3);
    expect(daysLeft({ ends_at: new Date(now - DAY).toISOString() }, now)).toBe(0);
    expect(endDateIn(365, now)).toBe("2027-12-01T12:00:00.000Z");
  });
  it("names each state", () => {
    expect(statusLabel({ status: "requested" })).toBe("Waiting for the customer");
    expect(statusLabel({ status: "expired" })).toBe("Expired");
  });
});

describe("withAssignment", () => {
  it("adds a team's role once and keeps the others without their names", () => {
    const current = [{ team_id: "t1", role: "admin", team_name: "Tier 1" }];
    expect(withAssignment(current, "t2", "member")).toEqual([{ team_id: "t1", role: "admin" }, { team_id: "t2", role: "member" }]);
    expect(withAssignment(current, "t1", "admin")).toEqual([{ team_id: "t1", role: "admin" }]);
    expect(withAssignment(null, "t1", "admin")).toEqual([{ team_id: "t1", role: "admin" }]);
  });
});

describe("firstOrgs", () => {
  const placed = (slug: string, partner?: string, position = 0) =>
    ({ org: { id: slug, slug, name: slug, via_partner: partner ? { id: partner, slug: partner, name: partner } : null }, position }) as never;
  it("keeps the order, own orgs first, then each partner's, up to the limit", () => {
    const grouped = groupOrgs([placed("a"), placed("c1", "p"), placed("b"), placed("c2", "p"), placed("d1", "q")]);
    expect(firstOrgs(grouped, 10)).toEqual(grouped);
    const three = firstOrgs(grouped, 3);
    expect(three.own.map((p) => p.org.slug)).toEqual(["a", "b"]);
    expect(three.partners.map((g) => [g.partner.id, g.orgs.map((p) => p.org.slug)])).toEqual([["p", ["c1"]]]);
    expect(firstOrgs(grouped, 1)).toEqual({ own: [grouped.own[0]], partners: [] });
  });
});
