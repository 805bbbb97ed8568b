// End-to-end test of partners in the desktop app (issue 14): the real app in
// WebKitWebDriver against a real orgdesk-server with the demo data, in a
// fresh profile. The demo partner "Acme Reseller"'s support person sees its
// customers grouped under Acme; the reseller creates a customer workspace,
// its owner accepts the hand-off (through the emailed link), the support
// team administers it within the granted role, and a customer (the agency)
// ends partner access on its Members screen: the partner's people lose it
// at once.
// Run through scripts/test.d/40-e2e.sh, after tests/e2e.mjs.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, apiAs, waitFor } from "./support.mjs";
import * as axe from "./axe.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "debug/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const PASSWORD = "orgdesk-demo-2026";
const RESELLER = "reseller@orgdesk.test";
const SUPPORT = "support@orgdesk.test";
const AGENCY = "agency@orgdesk.test";
const NEW_OWNER = "erin.owner@echo-events.test";

const server = new DemoServer(serverBinary);
const app = new AppDriver(appBinary, { dataDir: mkdtempSync(join(tmpdir(), "orgdesk-e2e-partners-")) });
let browser;
let passed = 0;

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
  } catch (error) {
    await browser?.saveScreenshot(join(process.cwd(), "docs", "e2e-failure.png")).catch(() => {});
    const seen = await browser?.execute(() => ({
      main: document.querySelector("main")?.innerText.slice(0, 800),
      sidebar: document.querySelector('[data-testid="org-list"]')?.innerText.slice(0, 400),
      toasts: [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent),
    })).catch(() => ({}));
    throw new Error(`partners step "${name}" failed: ${error.message}; the screen showed ${JSON.stringify(seen)}`);
  }
  passed += 1;
  console.log(`ok partners ${passed} - ${name} (${Date.now() - started} ms)`);
}

const byTest = (id) => browser.$(`[data-testid="${id}"]`);
const visible = async (id, timeout = 30_000) => {
  const el = await byTest(id);
  await el.waitForDisplayed({ timeout });
  return el;
};
const toastSays = (words) =>
  waitFor(`a toast saying "${words}"`, async () => {
    for (const toast of await browser.$$('[data-testid="toast"]')) if ((await toast.getText()).includes(words)) return true;
    return false;
  });
const orgItem = (slug) => browser.$(`[data-testid="org-item"][data-slug="${slug}"]`);
const shot = (name) => browser.saveScreenshot(join(process.cwd(), "docs", "screenshots", `${name}.png`));

async function signIn(email) {
  await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
  await (await browser.$('input[name="server"]')).setValue(server.url);
  await (await browser.$('input[name="email"]')).setValue(email);
  await (await browser.$('input[name="password"]')).setValue(PASSWORD);
  await (await browser.$('button[type="submit"]')).click();
  await waitFor("the org list", async () => (await browser.$$('[data-testid="org-item"]')).length > 0, 60_000);
}

async function switchAccount(email) {
  const value = await browser.execute((wanted) =>
    [...document.querySelectorAll('select[aria-label="Account"] option')].find((o) => o.textContent.startsWith(wanted))?.value, email);
  if (!value) throw new Error(`${email} is not in the account menu`);
  await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", value);
  await waitFor("the org list", async () => (await browser.$$('[data-testid="org-item"]')).length > 0);
}

/** The newest invitation link emailed to `to`, from the demo's outbox. */
async function invitationLink(to) {
  let link = null;
  await waitFor(`an invitation email to ${to}`, async () => {
    const mails = await (await fetch(`${server.url}/v1/dev/outbox?to=${encodeURIComponent(to)}`)).json();
    link = mails.map((m) => m.body.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/)).find(Boolean)?.[0] ?? null;
    return !!link;
  });
  return link;
}

async function main() {
  await server.start();
  await app.startDriver();
  browser = await app.launch();
  await browser.setWindowSize?.(1280, 800).catch(() => {});

  await step("the partner's support person sees the customer workspaces grouped under the partner, with the delegated role", async () => {
    await signIn(SUPPORT);
    const group = await browser.$('[data-testid="partner-group"][data-partner="acme-reseller"]');
    await group.waitForDisplayed({ timeout: 30_000 });
    if (!(await group.getText()).includes("Acme Reseller → 4 customers")) throw new Error(`the group reads ${await group.getText()}`);
    for (const [slug, role] of [["initech", "Admin"], ["hooli-foods", "Admin"], ["vandelay-imports", "Admin"], ["cedar-pine-law", "Member"]]) {
      const item = await orgItem(slug);
      if ((await item.getAttribute("data-partner")) !== "acme-reseller") throw new Error(`${slug} is not under Acme`);
      const badge = await (await item.$('[data-testid="org-delegated"]')).getText();
      if (!badge.includes(role)) throw new Error(`${slug} shows ${badge}, not ${role}`);
    }
    // A delegated workspace opens like any other; its members show, and the partner's people are not among them.
    await (await orgItem("hooli-foods")).click();
    await waitFor("Hooli Foods' members", async () => (await (await byTest("member-count")).getText()).includes(" of "));
    if (await (await browser.$(`[data-testid="member-row"][data-email="${SUPPORT}"]`)).isExisting()) throw new Error("the support person shows as a member");
    await shot("partners-switcher");
    await axe.checkA11y(browser, "partners-switcher");
  });

  await step("the reseller's Customers screen: the renewal reminder, and Create customer workspace with the partner's owner as owner of record", async () => {
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    await signIn(RESELLER);
    await (await orgItem("acme-reseller")).click();
    await (await visible("nav-customers")).click();
    await visible("screen-customers");
    await waitFor("the renewal reminder (Initech ends in 20 days)", async () => (await (await byTest("renewal-reminder")).getText()).includes("Initech"));
    // Only the customer renews: the partner asks Initech's owner and admins to.
    const ask = await browser.$('[data-testid="customer-row"][data-slug="initech"] [data-testid="ask-renewal"]');
    await ask.waitForDisplayed({ timeout: 30_000 });
    await ask.click();
    await toastSays("Asked Initech's owner and admins to renew");
    if ((await ask.getText()) !== "Asked" || (await ask.isEnabled())) throw new Error("the ask stays available after asking");
    await waitFor("the reminder email to Initech's owner of record (the reseller, until the hand-off)", async () => {
      const mails = await (await fetch(`${server.url}/v1/dev/outbox?to=${encodeURIComponent(RESELLER)}`)).json();
      return mails.some((m) => m.subject.includes("to renew its partner access"));
    });
    await (await visible("ws-name")).setValue("Echo Events");
    await (await visible("ws-owner")).setValue(NEW_OWNER);
    await (await visible("ws-create")).click();
    await toastSays("Created Echo Events");
    const row = await browser.$('[data-testid="customer-row"][data-slug="echo-events"]');
    await row.waitForDisplayed({ timeout: 30_000 });
    if (!(await row.getText()).includes("owner of record")) throw new Error(`no owner of record: ${await row.getText()}`);
    await shot("partners-customers");
    await axe.checkA11y(browser, "partners-customers");
  });

  await step("the customer's owner accepts the hand-off; the support team gets Admin there, administers it as 'via Acme Reseller' and finds it across its orgs", async () => {
    const token = new URL(await invitationLink(NEW_OWNER)).pathname.split("/").filter(Boolean).pop();
    const signup = await fetch(`${server.url}/v1/invitations/${token}/signup`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Erin Owner", password: PASSWORD }),
    });
    if (!signup.ok) throw new Error(`the owner's sign-up: ${signup.status} ${await signup.text()}`);
    await browser.execute(() => document.querySelectorAll('[data-testid="toast"] [aria-label="Dismiss"]').forEach((b) => b.click()));
    const row = await browser.$('[data-testid="customer-row"][data-slug="echo-events"]');
    await waitFor("the hand-off to show", async () => {
      await (await visible("nav-teams")).click();
      await (await visible("nav-customers")).click();
      await row.waitForDisplayed({ timeout: 10_000 });
      return !(await (await row.$('[data-testid="owner-of-record"]')).isExisting());
    });
    // "Assign team to customers" over a selection: Support tier 1 as Admin in Echo Events.
    await (await row.$('[data-testid="customer-select"]')).click();
    await visible("customers-bulk");
    await (await byTest("assign-role")).selectByAttribute("value", "admin");
    await (await byTest("assign-apply")).click();
    await toastSays("is Admin in 1 customer");
    await waitFor("the team in the row", async () => (await (await row.$('[data-testid="customer-teams"]')).getText()).includes("Support tier 1"));
    // The support person now reaches Echo Events, under Acme, as an admin.
    await switchAccount(SUPPORT);
    await waitFor("Echo Events under Acme", async () =>
      (await (await orgItem("echo-events")).isExisting()) && (await (await orgItem("echo-events")).getAttribute("data-partner")) === "acme-reseller", 30_000);
    await (await orgItem("echo-events")).click();
    await waitFor("Echo Events' members", async () => (await browser.$(`[data-testid="member-row"][data-email="${NEW_OWNER}"]`)).isExisting(), 60_000);
    const ownerRow = await browser.$(`[data-testid="member-row"][data-email="${NEW_OWNER}"]`);
    if (await (await ownerRow.$('[data-testid="member-toggle-status"]')).isExisting()) throw new Error("the owner can be disabled by a delegated admin");
    // A delegated change is recorded in the customer's audit log with the person and the partner.
    const asSupport = await apiAs(server.url, SUPPORT, PASSWORD);
    await asSupport("POST", "/v1/orgs/echo-events/invitations", { emails: ["guest@echo-events.test"], role: "member" });
    // Across my orgs, the customer workspace counts within the delegated role:
    // its pending invitation, and its owner found by name.
    await (await visible("nav-across")).click();
    await visible("screen-across");
    await waitFor("the customer's invitation across my orgs", async () =>
      (await browser.$('[data-testid="across-row"][data-email="guest@echo-events.test"][data-org="Echo Events"]')).isExisting(), 30_000);
    await (await visible("person-email")).setValue("Erin");
    await (await visible("person-find")).click();
    await waitFor("the customer's owner found across my orgs", async () =>
      (await browser.$(`[data-testid="person-group"][data-email="${NEW_OWNER}"]`)).isExisting(), 30_000);
    await shot("partners-across");
    await axe.checkA11y(browser, "partners-across");
    const asOwner = await apiAs(server.url, NEW_OWNER, PASSWORD);
    const audit = JSON.stringify(await asOwner("GET", "/v1/orgs/echo-events/audit"));
    if (!audit.includes("Sasha Support via Acme Reseller")) throw new Error(`the audit log does not name the delegated actor: ${audit.slice(0, 400)}`);
    // Never the owner role through a relationship.
    const ownerInvite = await asSupport("POST", "/v1/orgs/echo-events/invitations", { emails: ["boss@echo-events.test"], role: "owner" })
      .then(() => "accepted", (e) => String(e.message));
    if (ownerInvite === "accepted") throw new Error("a delegated admin invited an owner");
  });

  await step("a customer ends partner access on its Members screen; the partner's people lose it at once", async () => {
    // The customer: the agency owns Cedar & Pine Law, where Acme's support team holds Member.
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    await signIn(AGENCY);
    await (await orgItem("cedar-pine-law")).click();
    const row = await browser.$('[data-testid="partner-access-row"][data-partner="acme-reseller"]');
    await row.waitForDisplayed({ timeout: 30_000 });
    const people = await (await row.$('[data-testid="partner-access-people"]')).getText();
    for (const name of ["Rene Reseller", "Sasha Support"]) if (!people.includes(name)) throw new Error(`${name} missing: ${people}`);
    await shot("partners-customer-access");
    await axe.checkA11y(browser, "partners-customer-access");
    await (await row.$('[data-testid="partner-access-end"]')).click();
    const dialog = await visible("confirm-dialog");
    if (!(await dialog.getText()).includes("2 partner people lose it at once")) throw new Error(`unclear confirmation: ${await dialog.getText()}`);
    await (await visible("confirm-button")).click();
    await toastSays("Ended Acme Reseller's access");
    await waitFor("the section gone", async () => !(await row.isExisting()));
    // The partner's people are refused on their next request.
    const asSupport = await apiAs(server.url, SUPPORT, PASSWORD);
    const refused = await asSupport("GET", "/v1/orgs/cedar-pine-law/members").then(() => false, (e) => /404/.test(String(e.message)));
    if (!refused) throw new Error("a partner person still reaches the customer after the end");
    // And the support person's switcher no longer lists it.
    await switchAccount(SUPPORT);
    await waitFor("Cedar & Pine Law gone from the switcher", async () => !(await (await orgItem("cedar-pine-law")).isExisting()), 30_000);
    const group = await browser.$('[data-testid="partner-group"][data-partner="acme-reseller"]');
    if (!(await group.getText()).includes("→ 4 customers")) throw new Error(`the group reads ${await group.getText()}`);
  });

  console.log(`partners: ${passed} steps passed`);
}

try {
  await main();
} finally {
  await app.stop().catch(() => {});
  await server.stop().catch(() => {});
}
