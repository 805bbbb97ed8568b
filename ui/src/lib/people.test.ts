import { describe, expect, it } from "vitest";
import type { PersonMembership } from "./bindings/PersonMembership";
import { groupByPerson, listOrgs, removableOrgs } from "./people";

const m = (email: string, org: string, can_remove = true): PersonMembership => ({
  org_id: `id-${org}`,
  org_name: org,
  org_slug: org.toLowerCase(),
  can_remove,
  member: {
    user_id: `u-${email}`, email, name: email.split("@")[0], role: "member", status: "active",
    joined_at: "2026-01-01T00:00:00Z", last_active_at: null, version: 1,
  } as PersonMembership["member"],
});

describe("groupByPerson", () => {
  it("groups memberships by email, keeping the server's order", () => {
    const groups = groupByPerson([m("ben@x.test", "Acme"), m("Ben@x.test", "Beta"), m("chloe@x.test", "Acme")]);
    expect(groups.map((g) => [g.email, g.memberships.map((x) => x.org_name)])).toEqual([
      ["ben@x.test", ["Acme", "Beta"]],
      ["chloe@x.test", ["Acme"]],
    ]);
  });
  it("selects all only where removal is allowed", () => {
    const [group] = groupByPerson([m("a@x.test", "Acme"), m("a@x.test", "Owned", false)]);
    expect(removableOrgs(group)).toEqual(["id-Acme"]);
  });
});

describe("listOrgs", () => {
  it("names one, two, or a few and a count", () => {
    expect(listOrgs(["Acme"])).toBe("Acme");
    expect(listOrgs(["Acme", "Beta"])).toBe("Acme and Beta");
    expect(listOrgs(["Acme", "Beta", "Gamma", "Delta"])).toBe("Acme, Beta and 2 more");
  });
});
