import { describe, expect, it } from "vitest";
import type { Member } from "./bindings/Member";
import type { MemberWindow } from "./bindings/MemberWindow";
import {
  DEFAULT_VIEW, chunksCovering, forgetFirstWindows, isDefaultView, keepFirstWindow, keptFirstWindow, prefetchFirstWindow, rowAt,
  takePrefetchedFirstWindow, toggleSort,
} from "./members";

const member = (n: number): Member => ({
  user_id: `u${n}`, email: `p${n}@example.com`, name: `P ${n}`, role: "member", status: "active",
  joined_at: "2026-01-01T00:00:00.000Z", last_active_at: null, timezone: "UTC", version: 1,
});

describe("toggleSort", () => {
  it("flips the direction on the same column and resets on a new one", () => {
    const byName = toggleSort(DEFAULT_VIEW, "name");
    expect(byName.desc).toBe(true);
    expect(toggleSort(byName, "joined")).toMatchObject({ sort: "joined", desc: false });
  });
});

describe("chunks of the member list", () => {
  it("covers a rendered range with the chunks that hold it", () => {
    expect(chunksCovering(0, 26)).toEqual([0]);
    expect(chunksCovering(95, 130)).toEqual([0, 1]);
    expect(chunksCovering(99_990, 100_000)).toEqual([999]);
    expect(chunksCovering(10, 10)).toEqual([]);
  });
  it("finds a row in its chunk, or nothing while the chunk is missing", () => {
    const chunks = new Map([[1, Array.from({ length: 100 }, (_, i) => member(100 + i))]]);
    expect(rowAt(chunks, 142)?.user_id).toBe("u142");
    expect(rowAt(chunks, 42)).toBeUndefined();
    expect(rowAt(chunks, 200)).toBeUndefined();
  });
});

describe("the kept first windows", () => {
  const win = (revision: number): MemberWindow => ({ offset: 0, rows: [], total: 3, all: 3, synced_at: null, revision });

  it("keep each org's last top rows, the sixteen most recent orgs, until the account changes", () => {
    forgetFirstWindows();
    keepFirstWindow("o1", win(1));
    keepFirstWindow("o1", win(2));
    expect(keptFirstWindow("o1")?.revision).toBe(2);
    for (let i = 2; i <= 16; i++) keepFirstWindow(`o${i}`, win(i));
    keepFirstWindow("o1", win(3)); // used again: the newest
    keepFirstWindow("o17", win(17));
    expect(keptFirstWindow("o2")).toBeUndefined();
    expect(keptFirstWindow("o1")?.revision).toBe(3);
    expect(keptFirstWindow("o17")?.revision).toBe(17);
    forgetFirstWindows();
    expect(keptFirstWindow("o1")).toBeUndefined();
  });

  it("hand a prefetched answer over once, and not after the account changed", async () => {
    forgetFirstWindows();
    prefetchFirstWindow("o1", async () => win(5));
    expect(await takePrefetchedFirstWindow("o1")).toEqual(win(5));
    expect(takePrefetchedFirstWindow("o1")).toBeUndefined();
    prefetchFirstWindow("o1", async () => win(6));
    forgetFirstWindows();
    expect(takePrefetchedFirstWindow("o1")).toBeUndefined();
  });

  it("know the default view from any other", () => {
    expect(isDefaultView({ ...DEFAULT_VIEW })).toBe(true);
    expect(isDefaultView({ ...DEFAULT_VIEW, query: "a" })).toBe(false);
    expect(isDefaultView({ ...DEFAULT_VIEW, desc: true })).toBe(false);
    expect(isDefaultView({ ...DEFAULT_VIEW, role: "admin" })).toBe(false);
  });
});
