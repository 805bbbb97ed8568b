import { describe, expect, it } from "vitest";
import { countdown, dayRange, expiresSoon, isExpired, localDate, localDateTime, shortDate, timeAgo } from "./time";

const now = Date.parse("2026-11-23T12:00:00Z");
const at = (ms: number) => new Date(now + ms).toISOString();
const HOUR = 3_600_000;

describe("countdown", () => {
  it("shows days and hours for far expiries", () => {
    expect(countdown(at(6 * 24 * HOUR + 4 * HOUR + 5), now)).toBe("in 6 d 4 h");
  });
  it("shows hours and minutes within a day", () => {
    expect(countdown(at(3 * HOUR + 12 * 60_000), now)).toBe("in 3 h 12 min");
  });
  it("shows seconds in the last minute", () => {
    expect(countdown(at(45_000), now)).toBe("in 45 s");
  });
  it("says expired at and after the deadline", () => {
    expect(countdown(at(0), now)).toBe("expired");
    expect(countdown(at(-HOUR), now)).toBe("expired");
  });
  it("does not crash on a malformed time", () => {
    expect(countdown("not a time", now)).toBe("unknown");
  });
});

describe("expiresSoon", () => {
  it("is true within the last 24 hours only", () => {
    expect(expiresSoon(at(23 * HOUR), now)).toBe(true);
    expect(expiresSoon(at(24 * HOUR), now)).toBe(true);
    expect(expiresSoon(at(25 * HOUR), now)).toBe(false);
  });
  it("is false once expired: that is a different state", () => {
    expect(expiresSoon(at(-1), now)).toBe(false);
  });
});

describe("timeAgo", () => {
  it("phrases recent syncs", () => {
    expect(timeAgo(at(-10_000), now)).toBe("just now");
    expect(timeAgo(at(-5 * 60_000), now)).toBe("5 min ago");
    expect(timeAgo(at(-3 * HOUR), now)).toBe("3 h ago");
    expect(timeAgo(at(-12 * 24 * HOUR), now)).toBe("12 d ago");
  });
  it("says never without a time", () => {
    expect(timeAgo(null, now)).toBe("never");
  });
});

describe("dayRange", () => {
  it("takes whole local days, the last one included", () => {
    const { since, until } = dayRange("2026-11-23", "2026-11-23");
    expect(new Date(since!).getTime()).toBe(new Date(2026, 10, 23).getTime());
    expect(new Date(until!).getTime()).toBe(new Date(2026, 10, 24).getTime());
    const event = new Date(2026, 10, 23, 7, 8).getTime();
    expect(event >= Date.parse(since!) && event < Date.parse(until!)).toBe(true);
  });
  it("crosses month ends and leaves empty bounds open", () => {
    expect(new Date(dayRange("", "2026-11-30").until!).getTime()).toBe(new Date(2026, 11, 1).getTime());
    expect(dayRange("", "")).toEqual({ since: null, until: null });
  });
});

describe("isExpired", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  it("trusts the server's status", () => {
    expect(isExpired({ status: "expired", expires_at: "2026-12-09T00:00:00Z" }, now)).toBe(true);
  });
  it("notices a pending invitation whose time passed since it was fetched", () => {
    expect(isExpired({ status: "pending", expires_at: "2026-12-01T11:59:59Z" }, now)).toBe(true);
    expect(isExpired({ status: "pending", expires_at: "2026-12-01T12:00:01Z" }, now)).toBe(false);
  });
});

describe("localDate and localDateTime", () => {
  it("write what toLocaleDateString and toLocaleString write, from one formatter each", () => {
    for (const iso of ["2026-03-04T05:06:07.000Z", "1999-12-31T23:59:59.000Z", "2026-11-30T12:00:00Z"]) {
      expect(localDate(iso)).toBe(new Date(iso).toLocaleDateString());
      expect(localDateTime(iso)).toBe(new Date(iso).toLocaleString());
    }
  });
  it("say unknown for a time that is not one, and shortDate a dash", () => {
    expect(localDate("soon")).toBe("unknown");
    expect(localDateTime("")).toBe("unknown");
    expect(shortDate("soon")).toBe("—");
    expect(shortDate(null)).toBe("—");
  });
});
