import { describe, expect, it } from "vitest";
import type { ManagedInvitation } from "./bindings/ManagedInvitation";
import { NO_FILTER, filterInvitations, groupByOrg, pageOf } from "./across";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const H = 3600 * 1000;
const inv = (org: string, email: string, role: string, inHours: number): ManagedInvitation => ({
  org_id: `id-${org}`, org_name: org, org_slug: org.toLowerCase(), can_resend: true, can_revoke: true,
  invitation: {
    id: `${org}-${email}`, org_id: `id-${org}`, email, role, status: "pending", invited_by: null, invited_by_name: null,
    created_at: "2026-11-20T00:00:00Z", expires_at: new Date(NOW + inHours * H).toISOString(),
    last_sent_at: "2026-11-20T00:00:00Z", send_count: 1,
  } as ManagedInvitation["invitation"],
});
const list = [
  inv("Blue Harbor Dental", "ann@x.test", "member", -2),
  inv("Acme Robotics", "ben@x.test", "admin", 5),
  inv("Acme Robotics", "cat@x.test", "member", 100),
  inv("Blue Harbor Dental", "dan@x.test", "viewer", 300),
];
const emails = (items: ManagedInvitation[]) => items.map((i) => i.invitation.email);

describe("filterInvitations", () => {
  it("searches email prefixes and words of the org name", () => {
    expect(emails(filterInvitations(list, { ...NO_FILTER, query: "be" }, NOW))).toEqual(["ben@x.test"]);
    expect(emails(filterInvitations(list, { ...NO_FILTER, query: "harbor" }, NOW))).toEqual(["ann@x.test", "dan@x.test"]);
  });
  it("filters by org, role, status and expiring within days", () => {
    expect(emails(filterInvitations(list, { ...NO_FILTER, orgId: "id-Acme Robotics" }, NOW))).toEqual(["ben@x.test", "cat@x.test"]);
    expect(emails(filterInvitations(list, { ...NO_FILTER, role: "member" }, NOW))).toEqual(["ann@x.test", "cat@x.test"]);
    expect(emails(filterInvitations(list, { ...NO_FILTER, status: "expired" }, NOW))).toEqual(["ann@x.test"]);
    expect(emails(filterInvitations(list, { ...NO_FILTER, withinDays: 1 }, NOW))).toEqual(["ann@x.test", "ben@x.test"]);
  });
});

describe("groupByOrg and pageOf", () => {
  it("groups by org name, keeping expiry order inside", () => {
    expect(groupByOrg(list).map((g) => [g.orgName, emails(g.items)])).toEqual([
      ["Acme Robotics", ["ben@x.test", "cat@x.test"]],
      ["Blue Harbor Dental", ["ann@x.test", "dan@x.test"]],
    ]);
  });
  it("pages and clamps", () => {
    expect(pageOf([1, 2, 3, 4, 5], 1, 2)).toEqual({ items: [3, 4], page: 1, pages: 3, from: 3, to: 4, total: 5 });
    expect(pageOf([1, 2, 3], 9, 2).items).toEqual([3]);
    expect(pageOf([], 0, 2)).toEqual({ items: [], page: 0, pages: 1, from: 0, to: 0, total: 0 });
  });
});
