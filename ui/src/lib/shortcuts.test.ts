import { describe, expect, it } from "vitest";
import { SHORTCUTS, shortcutFor } from "./shortcuts";

const key = (k: string, mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {}) => ({
  key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods,
});

describe("shortcutFor", () => {
  it("maps Ctrl+1…9 to org positions", () => {
    expect(shortcutFor(key("2", { ctrlKey: true }))).toEqual({ kind: "org", position: 2 });
    expect(shortcutFor(key("9", { metaKey: true }))).toEqual({ kind: "org", position: 9 });
  });
  it("opens the palette on Ctrl+K either case", () => {
    expect(shortcutFor(key("k", { ctrlKey: true }))).toEqual({ kind: "palette" });
    expect(shortcutFor(key("K", { ctrlKey: true }))).toEqual({ kind: "palette" });
  });
  it("ignores plain keys, Ctrl+0 and extra modifiers so typing is not hijacked", () => {
    expect(shortcutFor(key("2"))).toBeNull();
    expect(shortcutFor(key("0", { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key("2", { ctrlKey: true, shiftKey: true }))).toBeNull();
  });
  it("opens the shortcuts sheet on ? outside text fields only", () => {
    expect(shortcutFor(key("?", { shiftKey: true }))).toEqual({ kind: "help" });
    expect(shortcutFor(key("?", { shiftKey: true }), true)).toBeNull();
    expect(shortcutFor(key("?", { ctrlKey: true }))).toBeNull();
  });
  it("Ctrl+Z undoes outside text fields only", () => {
    expect(shortcutFor(key("z", { ctrlKey: true }))).toEqual({ kind: "undo" });
    expect(shortcutFor(key("z", { ctrlKey: true }), true)).toBeNull();
  });
  it("lists every global shortcut in the sheet", () => {
    const keys = SHORTCUTS.map((s) => s.keys);
    for (const k of ["Ctrl+K", "Ctrl+1 … Ctrl+9", "?", "Ctrl+Z"]) expect(keys).toContain(k);
  });
});
