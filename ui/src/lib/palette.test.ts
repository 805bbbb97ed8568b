import { describe, expect, it } from "vitest";
import { rankEntries, type PaletteEntry } from "./palette";

const entry = (label: string): PaletteEntry => ({ id: label, label, hint: "", run: () => {} });
const entries = ["Switch to Northwind", "Switch to Acme Client 04", "Go to Members", "Go to Audit log"].map(entry);

describe("rankEntries", () => {
  it("keeps entries holding every word", () => {
    expect(rankEntries(entries, "client acme").map((e) => e.label)).toEqual(["Switch to Acme Client 04"]);
  });
  it("ranks a word-start match above a mid-word match", () => {
    const list = [entry("Go to Audit log"), entry("Switch to Northwind"), entry("Northwind settings")];
    expect(rankEntries(list, "north")[0].label).toBe("Northwind settings");
  });
  it("lists everything up to the limit for an empty query", () => {
    expect(rankEntries(entries, "  ", 2)).toHaveLength(2);
  });
});
