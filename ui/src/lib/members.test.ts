import { describe, expect, it } from "vitest";
import type { Member } from "./bindings/Member";
import { DEFAULT_VIEW, chunksCovering, rowAt, toggleSort } from "./members";

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
