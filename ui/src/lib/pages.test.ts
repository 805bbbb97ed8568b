import { describe, expect, it } from "vitest";
import { withFirstPage } from "./pages";

describe("withFirstPage", () => {
  const row = (id: string, v = 0) => ({ id, v });

  it("puts the later pages after the first", () => {
    expect(withFirstPage([row("a"), row("b")], [row("c")]).map((r) => r.id)).toEqual(["a", "b", "c"]);
  });

  it("keeps the fresh first page's copy of a row that moved up", () => {
    const merged = withFirstPage([row("a"), row("c", 2)], [row("c", 1), row("d")]);
    expect(merged).toEqual([row("a"), row("c", 2), row("d")]);
  });

  it("is the first page alone when nothing more was loaded", () => {
    expect(withFirstPage([row("a")], [])).toEqual([row("a")]);
  });
});
