import { describe, expect, it } from "vitest";
import { bannerShown, dismissKey } from "./updates";

describe("the update banner", () => {
  const available = { state: "available", version: "0.2.0", notes: "n", date: null } as const;

  it("shows an offered version until it is dismissed, and the next version again", () => {
    expect(bannerShown(available, null)).toBe(true);
    expect(bannerShown(available, dismissKey(available))).toBe(false);
    expect(bannerShown({ ...available, version: "0.3.0" }, dismissKey(available))).toBe(true);
  });

  it("shows installs and refusals, not quiet states or a failed check", () => {
    expect(bannerShown({ state: "installing", version: "0.2.0" }, null)).toBe(true);
    expect(bannerShown({ state: "installed", version: "0.2.0" }, null)).toBe(true);
    expect(bannerShown({ state: "failed", message: "refused", version: "0.2.0" }, null)).toBe(true);
    expect(bannerShown({ state: "failed", message: "offline", version: null }, null)).toBe(false);
    expect(bannerShown({ state: "off", reason: "no key" }, null)).toBe(false);
    expect(bannerShown({ state: "checking" }, null)).toBe(false);
    expect(bannerShown({ state: "up_to_date", version: "0.1.0" }, null)).toBe(false);
    expect(bannerShown(null, null)).toBe(false);
  });

  it("a dismissed offer comes back as a refusal of the same version", () => {
    const refused = { state: "failed", message: "refused", version: "0.2.0" } as const;
    expect(bannerShown(refused, dismissKey(available))).toBe(true);
  });
});
