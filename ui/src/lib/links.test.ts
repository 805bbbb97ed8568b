import { describe, expect, it } from "vitest";
import type { MyOrg } from "./bindings/MyOrg";
import { isOrgScreen, resolveLink } from "./links";

const org = (slug: string, permissions: string[]): MyOrg =>
  ({ id: `id-${slug}`, slug, name: slug.toUpperCase(), permissions }) as unknown as MyOrg;
const admin = ["members:read", "invitations:read", "org:read", "audit:read"];
const orgs = [org("northwind", admin), org("client-01", ["members:read", "org:read"])];
const open = (slug: string, screen: string | null) =>
  ({ event: "open", link: { kind: "org", slug, screen } }) as const;

describe("resolveLink", () => {
  it("opens an org's screen", () => {
    expect(resolveLink(open("northwind", "invitations") as never, orgs, "a@x")).toEqual({
      kind: "open-org", orgId: "id-northwind", screen: "invitations", notice: null,
    });
  });
  it("opens the members of an org without a screen", () => {
    expect(resolveLink(open("northwind", null) as never, orgs, "a@x")).toMatchObject({ screen: "members" });
  });
  it("says so when the account cannot see the org", () => {
    const action = resolveLink(open("elsewhere", "members") as never, orgs, "a@x");
    expect(action.kind).toBe("tell");
    expect(action.kind === "tell" && action.message).toContain("“elsewhere”, which a@x cannot see");
  });
  it("opens an allowed screen when the role does not allow the one linked", () => {
    const action = resolveLink(open("client-01", "audit") as never, orgs, "a@x");
    expect(action).toMatchObject({ kind: "open-org", orgId: "id-client-01", screen: "members" });
    expect(action.kind === "open-org" && action.notice).toContain("does not open its audit log");
  });
  it("passes invitations and refusals on", () => {
    expect(resolveLink({ event: "open", link: { kind: "invite", token: "t" } }, orgs, "a@x")).toEqual({ kind: "invite", token: "t" });
    expect(resolveLink({ event: "refused", message: "no" }, orgs, "a@x")).toEqual({ kind: "tell", message: "no" });
  });
});

describe("isOrgScreen", () => {
  it("knows the org screens only", () => {
    expect(isOrgScreen("roles")).toBe(true);
    expect(isOrgScreen("across")).toBe(false);
  });
});
