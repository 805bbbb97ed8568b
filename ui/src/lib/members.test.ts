import { describe, expect, it } from "vitest";
import type { Member } from "./bindings/Member";
import { DEFAULT_VIEW, applyBulkResults, toggleSort, viewMembers } from "./members";

const member = (n: number, overrides: Partial<Member> = {}): Member => ({
  user_id: `u${String(n).padStart(5, "0")}`,
  email: `person${n}@example.com`,
  name: `Person ${String(n).padStart(5, "0")}`,
  role: n % 10 === 0 ? "admin" : "member",
  status: n % 7 === 0 ? "disabled" : "active",
  joined_at: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
  last_active_at: null,
  timezone: "UTC",
  version: 1,
  ...overrides,
});
const many = Array.from({ length: 10_000 }, (_, i) => member(i + 1));

describe("viewMembers", () => {
  it("searches name and email case-insensitively", () => {
    expect(viewMembers(many, { ...DEFAULT_VIEW, query: "PERSON42@" }).map((m) => m.user_id)).toEqual(["u00042"]);
    expect(viewMembers(many, { ...DEFAULT_VIEW, query: "person 00042" })).toHaveLength(1);
  });
  it("filters by role and status together", () => {
    const rows = viewMembers(many, { ...DEFAULT_VIEW, role: "admin", status: "disabled" });
    expect(rows.length).toBe(many.filter((m) => m.role === "admin" && m.status === "disabled").length);
    expect(rows.every((m) => m.role === "admin" && m.status === "disabled")).toBe(true);
  });
  it("sorts by join date both ways", () => {
    const asc = viewMembers(many, { ...DEFAULT_VIEW, sort: "joined" });
    const desc = viewMembers(many, { ...DEFAULT_VIEW, sort: "joined", desc: true });
    expect(asc[0].user_id).toBe("u00001");
    expect(desc[0].user_id).toBe("u10000");
  });
  it("does not mutate the cached list", () => {
    const copy = many.slice(0, 5).reverse();
    viewMembers(copy, DEFAULT_VIEW);
    expect(copy[0].user_id).toBe("u00005");
  });
});

describe("toggleSort", () => {
  it("flips the direction on the same column and resets on a new one", () => {
    const byName = toggleSort(DEFAULT_VIEW, "name");
    expect(byName.desc).toBe(true);
    expect(toggleSort(byName, "joined")).toMatchObject({ sort: "joined", desc: false });
  });
});

describe("applyBulkResults", () => {
  it("replaces changed members, drops removed ones and names each refusal", () => {
    const list = [member(1), member(2), member(3)];
    const viewer = { ...member(1), role: "viewer", version: 9 };
    const out = applyBulkResults(list, {
      results: [
        { user_id: "u00001", outcome: "changed", member: viewer, code: null, message: null },
        { user_id: "u00002", outcome: "removed", member: null, code: null, message: null },
        { user_id: "u00003", outcome: "refused", member: null, code: "owner_protected", message: "The owner cannot be removed." },
      ],
    });
    expect(out.members.map((m) => [m.user_id, m.role])).toEqual([["u00001", "viewer"], ["u00003", "member"]]);
    expect(out.changed).toBe(1);
    expect(out.changedIds).toEqual(["u00001"]);
    expect(out.removed.map((m) => m.user_id)).toEqual(["u00002"]);
    expect(out.refusals).toEqual(["person3@example.com: The owner cannot be removed."]);
  });
});
