import { describe, expect, it } from "vitest";
import { looksLikeEmail, parsePastedEmails } from "./emails";

describe("parsePastedEmails", () => {
  it("splits on commas, semicolons, spaces and new lines", () => {
    const { emails } = parsePastedEmails("a@x.io, b@x.io;c@x.io\nd@x.io  e@x.io\r\n\tf@x.io");
    expect(emails).toEqual(["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io"]);
  });
  it("takes the address out of 'Name <email>' as mail clients copy it", () => {
    const { emails } = parsePastedEmails('Ada Lovelace <ada@x.io>, "Grace Hopper" <grace@x.io>');
    expect(emails).toEqual(["ada@x.io", "grace@x.io"]);
  });
  it("drops repeats case-insensitively and reports them", () => {
    const result = parsePastedEmails("a@x.io\nA@X.io\nb@x.io");
    expect(result.emails).toEqual(["a@x.io", "b@x.io"]);
    expect(result.duplicates).toEqual(["A@X.io"]);
  });
  it("strips mailto: and quotes", () => {
    expect(parsePastedEmails("mailto:a@x.io 'b@x.io'").emails).toEqual(["a@x.io", "b@x.io"]);
  });
  it("keeps entries that are not emails so the server can say why per email", () => {
    expect(parsePastedEmails("not-an-email, a@x.io").emails).toEqual(["not-an-email", "a@x.io"]);
  });
  it("returns nothing for blank input", () => {
    expect(parsePastedEmails("  \n , ; ").emails).toEqual([]);
  });
});

describe("looksLikeEmail", () => {
  it("accepts user@host and refuses the rest", () => {
    expect(looksLikeEmail("a@x.io")).toBe(true);
    expect(looksLikeEmail("a.x.io")).toBe(false);
    expect(looksLikeEmail("a@")).toBe(false);
  });
});
