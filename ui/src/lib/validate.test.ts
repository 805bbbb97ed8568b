import { describe, expect, it } from "vitest";
import { emailProblem, firstProblem, languageProblem, newPasswordProblem, personNameProblem, serverUrlProblem, lifetimeProblem, slugProblem, timeZoneProblem, timeZoneSuggestions } from "./validate";

describe("form checks", () => {
  it("time zones: IANA names pass, others are named", () => {
    expect(timeZoneProblem("Europe/Berlin")).toBeNull();
    expect(timeZoneProblem("UTC")).toBeNull();
    expect(timeZoneProblem("Mars/Olympus_Mons")).toMatch(/“Mars\/Olympus_Mons” is not an IANA time zone/);
    expect(timeZoneProblem(" ")).toMatch(/Choose a time zone/);
  });
  it("suggests UTC first and real zones", () => {
    const zones = timeZoneSuggestions();
    expect(zones[0]).toBe("UTC");
    expect(zones).toContain("Europe/Berlin");
  });
  it("languages: the shapes core accepts", () => {
    for (const ok of ["en", "pt-BR", "zh-Hant-TW", "es-419", "de-CH-1901"]) expect(languageProblem(ok)).toBeNull();
    for (const bad of ["english", "en_US", "e", "en-", "en-US-x"]) expect(languageProblem(bad)).not.toBeNull();
  });
  it("slugs and lifetimes", () => {
    expect(slugProblem("acme-2")).toBeNull();
    expect(slugProblem("Acme")).toMatch(/lowercase/);
    expect(slugProblem("a b")).toMatch(/only lowercase/);
    expect(lifetimeProblem(7)).toBeNull();
    expect(lifetimeProblem(31)).toMatch(/1 to 30/);
  });
  it("sign-in fields", () => {
    expect(serverUrlProblem("http://127.0.0.1:8787")).toBeNull();
    expect(serverUrlProblem("orgdesk.example.com")).toMatch(/not a web address/);
    expect(serverUrlProblem("ftp://x")).toMatch(/https/);
    expect(emailProblem("a@b.test")).toBeNull();
    expect(emailProblem("ab.test")).toMatch(/not an email/);
    expect(emailProblem("")).toMatch(/Give your email/);
  });
  it("sign-up fields, as core counts them", () => {
    expect(newPasswordProblem("123456789")).toMatch(/at least 10/);
    expect(newPasswordProblem("1234567890")).toBeNull();
    expect(newPasswordProblem("🔑".repeat(10))).toBeNull();
    expect(personNameProblem("  ")).toMatch(/Give your name/);
    expect(personNameProblem("Ada Lovelace")).toBeNull();
    expect(personNameProblem("x".repeat(101))).toMatch(/at most 100/);
  });
});

describe("firstProblem", () => {
  it("names the first field in error, in the form's order", () => {
    expect(firstProblem({ name: null, owner: "Give an address.", roles: "Choose one." })).toBe("owner");
    expect(firstProblem({ name: null, owner: null })).toBeNull();
  });
});
