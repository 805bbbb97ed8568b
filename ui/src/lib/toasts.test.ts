import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ToastTimers, toastLifetime } from "./toasts";

describe("toastLifetime", () => {
  it("gives a short message its floor by kind", () => {
    expect(toastLifetime("Saved.", "info", false)).toBe(5000);
    expect(toastLifetime("Saved.", "info", true)).toBe(10000);
    expect(toastLifetime("Failed.", "error", false)).toBe(8000);
  });
  it("gives a long message time to be read", () => {
    const long = Array.from({ length: 40 }, () => "word").join(" ");
    expect(toastLifetime(long, "info", false)).toBe(2000 + 40 * 250);
  });
});

describe("ToastTimers", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("expires a toast after its time", () => {
    const timers = new ToastTimers();
    const expire = vi.fn();
    timers.start(1, 5000, expire);
    vi.advanceTimersByTime(4999);
    expect(expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledOnce();
  });

  it("holds every toast while held and runs on with what was left", () => {
    const timers = new ToastTimers();
    const first = vi.fn();
    const second = vi.fn();
    timers.start(1, 5000, first);
    vi.advanceTimersByTime(3000);
    timers.hold(true);
    timers.start(2, 1000, second); // one arriving while held waits too
    vi.advanceTimersByTime(60_000);
    expect(first).not.toHaveBeenCalled();
    expect(second).not.toHaveBeenCalled();
    timers.hold(false);
    vi.advanceTimersByTime(1000);
    expect(second).toHaveBeenCalledOnce();
    expect(first).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(first).toHaveBeenCalledOnce();
  });

  it("forgets a toast dismissed by hand", () => {
    const timers = new ToastTimers();
    const expire = vi.fn();
    timers.start(1, 5000, expire);
    timers.stop(1);
    vi.advanceTimersByTime(10_000);
    expect(expire).not.toHaveBeenCalled();
  });
});
