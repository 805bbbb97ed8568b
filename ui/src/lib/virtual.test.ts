import { describe, expect, it } from "vitest";
import { rowWindow, scrollToReveal } from "./virtual";

describe("rowWindow", () => {
  it("renders only the visible rows plus overscan at the top", () => {
    const w = rowWindow(10_000, 36, 0, 720, 5);
    expect(w.start).toBe(0);
    expect(w.end).toBe(21 + 5);
    expect(w.offsetTop).toBe(0);
    expect(w.totalHeight).toBe(360_000);
  });
  it("keeps a small window in the middle of 10,000 rows", () => {
    const w = rowWindow(10_000, 36, 36 * 5000, 720, 5);
    expect(w.start).toBe(4995);
    expect(w.end).toBe(5000 + 21 + 5);
    expect(w.offsetTop).toBe(4995 * 36);
    expect(w.end - w.start).toBeLessThan(40);
  });
  it("clamps a scroll position past the end (list shrank after filtering)", () => {
    const w = rowWindow(30, 36, 999_999, 720, 5);
    expect(w.end).toBe(30);
    expect(w.start).toBeGreaterThanOrEqual(0);
    expect(w.start).toBeLessThan(30);
  });
  it("renders nothing for an empty list", () => {
    expect(rowWindow(0, 36, 100, 720)).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });
  it("treats a negative scroll (elastic scrolling) as the top", () => {
    expect(rowWindow(100, 36, -50, 720, 0).start).toBe(0);
  });
});

describe("scrollToReveal", () => {
  it("scrolls up to a row above the viewport", () => {
    expect(scrollToReveal(2, 36, 360, 720)).toBe(72);
  });
  it("scrolls down just enough for a row below it", () => {
    expect(scrollToReveal(30, 36, 0, 720)).toBe(31 * 36 - 720);
  });
  it("leaves a visible row alone", () => {
    expect(scrollToReveal(5, 36, 0, 720)).toBeNull();
  });
});
