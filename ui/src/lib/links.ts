// What to do with an orgdesk:// link. Rust parses the link strictly
// (src-tauri/src/links.rs) and hands over a LinkEvent: a link to open, or
// why it was refused. This decides what the link means for the account
// shown: which org and screen it opens, or what to tell the person.
import type { LinkEvent } from "./bindings/LinkEvent";
import type { MyOrg } from "./bindings/MyOrg";
import type { OrgScreen } from "./bindings/OrgScreen";
import { ORG_SCREENS, permissionSet, visibleScreens } from "./permissions";

export type LinkAction =
  | { kind: "invite"; token: string }
  | { kind: "open-org"; orgId: string; screen: OrgScreen; notice: string | null }
  | { kind: "tell"; message: string };

const screenLabel = (screen: OrgScreen) => ORG_SCREENS.find((s) => s.id === screen)?.label ?? screen;

/** The action for `event` given the orgs the signed-in account `email` can see. */
export function resolveLink(event: LinkEvent, orgs: readonly MyOrg[], email: string): LinkAction {
  if (event.event === "refused") return { kind: "tell", message: event.message };
  const link = event.link;
  switch (link.kind) {
    case "invite":
      return { kind: "invite", token: link.token };
    case "org": {
      const org = orgs.find((o) => o.slug === link.slug);
      if (!org) {
        return {
          kind: "tell",
          message: `The link points to the organization “${link.slug}”, which ${email} cannot see. ` +
            "Sign in with an account that is a member, or ask one of its admins for an invitation.",
        };
      }
      const wanted = link.screen ?? "members";
      const allowed = visibleScreens(permissionSet(org.permissions)).map((s) => s.id);
      if (allowed.includes(wanted)) return { kind: "open-org", orgId: org.id, screen: wanted, notice: null };
      return {
        kind: "open-org",
        orgId: org.id,
        screen: allowed[0] ?? "members",
        notice: `Your role in ${org.name} does not open its ${screenLabel(wanted).toLowerCase()}.`,
      };
    }
    default:
      // The account's own links (verify, reset, email change, sign-in answer) are handled by the app state.
      return { kind: "tell", message: "This link is for the account screens." };
  }
}

/** Whether `screen` is one an org link can name (the cross-org screens have no link). */
export function isOrgScreen(screen: string): screen is OrgScreen {
  return ORG_SCREENS.some((s) => s.id === screen);
}
