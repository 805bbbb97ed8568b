// End-to-end test of the desktop app: the real app in WebKitWebDriver (via
// tauri-driver) against a real orgdesk-server with demo data. Run it through
// scripts/test.d/40-e2e.sh, which builds both and provides Xvfb, a session
// bus and an unlocked gnome-keyring. Screenshots land in docs/screenshots/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, apiAs, sleep, waitFor } from "./support.mjs";
import * as gtk from "./gtk-dialog.mjs";
import * as axe from "./axe.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "debug/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const shots = join(process.cwd(), "docs/screenshots");
const PASSWORD = "orgdesk-demo-2026";

const files = mkdtempSync(join(tmpdir(), "orgdesk-e2e-files-"));

const server = new DemoServer(serverBinary);
const app = new AppDriver(appBinary);
/** The same profile in an app with one async-runtime worker, for the dialog steps. */
let oneWorker;
let browser;
let passed = 0;

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
  } catch (error) {
    await browser?.saveScreenshot(join(shots, "..", `e2e-failure.png`)).catch(() => {});
    throw new Error(`step "${name}" failed: ${error.message}`);
  }
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - started} ms)`);
}

const byTest = (id) => browser.$(`[data-testid="${id}"]`);
const allByTest = (id) => browser.$$(`[data-testid="${id}"]`);
const visible = async (id, timeout = 30_000) => {
  const el = await byTest(id);
  await el.waitForDisplayed({ timeout });
  return el;
};
const gone = (id, timeout = 30_000) =>
  waitFor(`${id} to disappear`, async () => !(await (await byTest(id)).isExisting()), timeout);
const text = async (id) => (await byTest(id)).getText();
const shot = async (name) => {
  for (const close of await browser.$$('[aria-label="Dismiss"]')) await close.click().catch(() => {});
  await sleep(400); // let transitions settle
  await browser.saveScreenshot(join(shots, `${name}.png`));
};
/** axe-core on what shows now, light and dark; fails on a critical or serious violation. */
const a11y = (name) => axe.checkA11y(browser, name);
const currentOrgSlug = async () => (await browser.$('[data-testid="org-item"][aria-current="true"]')).getAttribute("data-slug");
const openOrg = async (slug) => (await browser.$(`[data-testid="org-item"][data-slug="${slug}"]`)).click();
const nav = async (screen) => (await visible(`nav-${screen}`)).click();
const toastSays = (words) =>
  waitFor(`a toast saying "${words}"`, async () => {
    for (const toast of await allByTest("toast")) if ((await toast.getText()).includes(words)) return true;
    return false;
  });
// WebKitWebDriver's getText leaves out the ellipsized name of a sidebar item; its text content is what shows.
const orgItemText = async (item) => (await item.getProperty("textContent")).replace(/\s+/g, " ");
const noError = async (id) => {
  const el = await byTest(id);
  if (await el.isExisting()) throw new Error(`the screen shows an error: ${await el.getText()}`);
};
async function replaceValue(id, value) {
  const input = await visible(id);
  await input.clearValue();
  await input.setValue(value);
  await waitFor(`${id} to read ${value}`, async () => (await input.getValue()) === String(value));
}

/**
 * Opens `screen` from the sidebar and answers how many ms passed until
 * `painted()` held; fails after `limitMs`. Used while a native dialog is open:
 * the screen's data comes from app commands, which must not wait for it.
 */
async function paintTime(screen, painted, limitMs = 5_000) {
  const nav = await visible(`nav-${screen}`);
  const started = Date.now();
  await nav.click();
  for (;;) {
    try {
      if (await painted()) return Date.now() - started;
    } catch {
      // not yet
    }
    if (Date.now() - started > limitMs)
      throw new Error(`the ${screen} screen did not paint within ${limitMs} ms while the file dialog was open`);
    await sleep(25);
  }
}

/**
 * Clicks `button`, waits for the GTK dialog titled `title`, runs `whileOpen`
 * with the dialog up, then types `path` into it and presses Enter. On a
 * failure the whole X screen is saved (docs/e2e-failure-x.png) and the dialog
 * dismissed, so a stuck app is not left waiting on it.
 */
async function throughDialog({ button, title, path, whileOpen }) {
  if ((await gtk.windowsTitled(title)).length) throw new Error(`a dialog titled ${title} is open already`);
  await (await visible(button)).click();
  const dialog = await gtk.waitForDialog(title);
  try {
    const result = await whileOpen();
    await gtk.answerDialog(dialog, path);
    return result;
  } catch (error) {
    await gtk.screenshotX(join(shots, "..", "e2e-failure-x.png"));
    throw error;
  } finally {
    await gtk.dismissDialog(dialog);
  }
}

async function signIn(email) {
  await (await browser.$('input[name="server"]')).setValue(server.url);
  await (await browser.$('input[name="email"]')).setValue(email);
  await (await browser.$('input[name="password"]')).setValue(PASSWORD);
  await (await browser.$('button[type="submit"]')).click();
  await waitFor("the org list", async () => (await allByTest("org-item")).length > 0);
}

async function memberRow(email) {
  const search = await visible("member-search");
  await search.setValue(email);
  const row = await browser.$(`[data-testid="member-row"][data-email="${email}"]`);
  await row.waitForDisplayed({ timeout: 30_000 });
  return row;
}

/** Waits until the table holds at least `least` members (the demo org has 10,000 plus its admins). */
async function waitForMembers(least) {
  await waitFor(`${least} members`, async () => {
    const total = Number((await text("member-count")).split(" of ")[1]?.replace(/[^0-9]/g, ""));
    return total >= least;
  }, 120_000);
}

async function main() {
  mkdirSync(shots, { recursive: true });
  await server.start();
  await app.startDriver();
  browser = await app.launch();
  await browser.setWindowSize?.(1280, 800).catch(() => {});

  await step("sign-in screen paints", async () => {
    await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
    await shot("sign-in");
    await a11y("sign-in");
  });

  await step("agency signs in and sees their orgs", async () => {
    await signIn("agency@orgdesk.test");
    if ((await allByTest("org-item")).length < 40) throw new Error("expected 41 orgs in the sidebar");
  });

  await step("switch org by click", async () => {
    await openOrg("northwind");
    await waitFor("northwind selected", async () => (await currentOrgSlug()) === "northwind");
  });

  await step("switch org by Ctrl+2", async () => {
    const second = await (await allByTest("org-item"))[1].getAttribute("data-slug");
    await browser.keys(["Control", "2"]);
    await waitFor("second org selected", async () => (await currentOrgSlug()) === second);
  });

  await step("10,000 members of northwind load into the virtualized table", async () => {
    await openOrg("northwind");
    await waitForMembers(10_000);
    const rendered = (await allByTest("member-row")).length;
    if (rendered > 60) throw new Error(`${rendered} rows in the DOM; the table should render only a window`);
    await shot("members");
    await a11y("members");
  });

  const invitees = ["e2e.one@example.com", "e2e.two@example.com", "e2e.three@example.com"];
  await step("invite three emails and see them pending", async () => {
    await nav("invitations");
    await (await visible("invite-open")).click();
    await (await visible("invite-emails")).setValue(invitees.join(",\n"));
    await a11y("invite-dialog");
    await (await visible("invite-send")).click();
    await waitFor("three results", async () => (await browser.$$('[data-testid="invite-result"][data-outcome="invited"]')).length === 3);
    await a11y("invite-results");
    await (await visible("invite-done")).click();
    for (const email of invitees) {
      await (await browser.$(`[data-testid="invitation-row"][data-email="${email}"]`)).waitForDisplayed({ timeout: 30_000 });
    }
    await shot("invitations");
    await a11y("invitations");
  });

  await step("an expired invitation shows greyed, apart from the pending count, and resending renews it", async () => {
    const lapsed = '[data-testid="invitation-row"][data-email="lapsed0@prospect.test"]';
    const row = await browser.$(lapsed);
    await row.waitForDisplayed({ timeout: 30_000 });
    if ((await row.getAttribute("data-status")) !== "expired") throw new Error("lapsed0 should show as expired");
    const count = await text("invitation-count");
    if (!/^\d+ pending, \d+ expired$/.test(count)) throw new Error(`the count should keep expired apart: "${count}"`);
    await (await row.$('[data-testid="invitation-resend"]')).click();
    await waitFor("the resent invitation is pending", async () => (await browser.$(lapsed).getAttribute("data-status")) === "pending");
  });

  await step("resend one invitation", async () => {
    const row = await browser.$(`[data-testid="invitation-row"][data-email="${invitees[0]}"]`);
    await (await row.$('[data-testid="invitation-resend"]')).click();
    await (await row.$('[data-testid="copy-link"]')).waitForDisplayed({ timeout: 30_000 });
  });

  await step("cancel one invitation", async () => {
    const row = await browser.$(`[data-testid="invitation-row"][data-email="${invitees[1]}"]`);
    await (await row.$('[data-testid="invitation-cancel"]')).click();
    await visible("confirm-button");
    await a11y("confirm-dialog");
    await (await visible("confirm-button")).click();
    await waitFor("the row to go", async () => !(await row.isExisting()));
  });

  await step("change a member's role", async () => {
    await nav("members");
    const row = await memberRow("ada.ahmed960@northwind.test");
    await (await row.$('[data-testid="member-role"]')).selectByAttribute("value", "viewer");
    await waitFor("role saved", async () => {
      const again = await browser.$('[data-testid="member-row"][data-email="ada.ahmed960@northwind.test"]');
      return (await (await again.$('[data-testid="member-role"]')).getValue()) === "viewer";
    });
  });

  await step("remove a member", async () => {
    const email = "ada.ahmed1960@northwind.test";
    const row = await memberRow(email);
    await (await row.$('[data-testid="member-remove"]')).click();
    await (await visible("confirm-button")).click();
    await waitFor("the row to go", async () => !(await browser.$(`[data-testid="member-row"][data-email="${email}"]`).isExisting()));
    await (await visible("member-search")).clearValue();
  });

  await step("bulk-select two members and change their role; disable one", async () => {
    const emails = ["ada.berg800@northwind.test", "ada.berg1800@northwind.test"];
    await (await visible("member-search")).setValue("ada.berg");
    for (const email of emails) {
      await (await browser.$(`input[aria-label="Select ${email}"]`)).click();
    }
    await visible("bulk-bar");
    await a11y("members-bulk-bar");
    await (await browser.$('select[aria-label="New role for selected"]')).selectByAttribute("value", "billing");
    await (await visible("bulk-apply")).click();
    for (const email of emails) {
      await waitFor(`${email} to be billing`, async () => {
        const row = await browser.$(`[data-testid="member-row"][data-email="${email}"]`);
        return (await (await row.$('[data-testid="member-role"]')).getValue()) === "billing";
      });
    }
    const first = await browser.$(`[data-testid="member-row"][data-email="${emails[0]}"]`);
    await (await first.$('[data-testid="member-toggle-status"]')).click();
    await waitFor("disabled badge", async () => (await first.getText()).includes("disabled"));
    await (await visible("member-search")).clearValue();
  });

  await step("Ctrl+K palette switches org by name", async () => {
    await openOrg("acme-robotics");
    await browser.keys(["Control", "k"]);
    const input = await (await visible("palette")).$("input");
    await input.setValue("Northwind");
    await a11y("palette");
    await browser.keys(["Enter"]);
    await waitFor("northwind selected", async () => (await currentOrgSlug()) === "northwind");
  });

  await step("screens across orgs, roles, settings and audit paint", async () => {
    for (const screen of ["across", "roles", "settings", "audit"]) {
      if (screen !== "across") await openOrg("northwind");
      await nav(screen);
      await (await visible(`screen-${screen}`)).waitForDisplayed();
      await sleep(1500);
      await shot(screen);
      await a11y(screen);
    }
    await nav("members");
  });

  // The real GTK dialogs, driven with xdotool. While each is open another
  // screen must paint at once: no command may wait for the dialog. The app
  // runs with a single async-runtime worker here, the worst case (one core,
  // or every other worker busy): a command that blocks its worker on the
  // dialog then stalls every other command, so each step fails on it. With
  // the default runtime only some of them stall: blocking_save_file in the
  // members export did (invitations unpainted after 30 s); the audit export
  // and the logo picker did not on a 2-core machine.
  await step("restart the app on the same profile with one async-runtime worker", async () => {
    await app.quitApp();
    oneWorker = new AppDriver(appBinary, { dataDir: app.dataDir, env: { TOKIO_WORKER_THREADS: "1" } });
    await oneWorker.startDriver();
    browser = await oneWorker.launch();
    await waitFor("the org list", async () => (await allByTest("org-item")).length > 0);
  });

  await step("export members as CSV through the save dialog; invitations paint while it is open", async () => {
    const path = join(files, "northwind-members.csv");
    await openOrg("northwind");
    await nav("members");
    await waitForMembers(10_000);
    const ms = await throughDialog({
      button: "members-export",
      title: gtk.SAVE,
      path,
      whileOpen: () => paintTime("invitations", async () => /^\d+ pending/.test(await text("invitation-count"))),
    });
    console.log(`# invitations painted in ${ms} ms with the save dialog open`);
    await toastSays(`Saved ${path}`);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    if (lines[0] !== "name,email,role,status,joined_at,last_active_at") throw new Error(`unexpected header: ${lines[0]}`);
    if (lines.length < 10_001) throw new Error(`${lines.length - 1} members in the CSV; expected at least 10,000`);
  });

  await step("export the audit log as CSV through the save dialog; roles paint while it is open", async () => {
    const path = join(files, "northwind-audit.csv");
    await nav("audit");
    await waitFor("the audit log", async () => (await allByTest("audit-row")).length > 0);
    const ms = await throughDialog({
      button: "audit-export",
      title: gtk.SAVE,
      path,
      whileOpen: () => paintTime("roles", async () => (await allByTest("role-column")).length >= 5),
    });
    console.log(`# roles painted in ${ms} ms with the save dialog open`);
    await toastSays(`Saved ${path}`);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    if (!lines[0].startsWith("time,action,")) throw new Error(`unexpected header: ${lines[0]}`);
    if (!lines.some((line) => line.includes("member.role_changed"))) throw new Error("the audit CSV lacks the role change made earlier");
  });

  await step("upload a logo through the open dialog; the audit log paints while it is open", async () => {
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const org = (await asAgency("GET", "/v1/orgs")).find((o) => o.slug === "northwind");
    if ((await asAgency("GET", `/v1/orgs/${org.id}`)).has_logo) await asAgency("DELETE", `/v1/orgs/${org.id}/logo`);
    const path = join(files, "logo.png");
    const png = gtk.writePng(path);
    await nav("settings");
    await visible("screen-settings");
    const ms = await throughDialog({
      button: "logo-choose",
      title: gtk.OPEN,
      path,
      whileOpen: () => paintTime("audit", async () => (await allByTest("audit-row")).length > 0),
    });
    console.log(`# the audit log painted in ${ms} ms with the open dialog up`);
    await waitFor("the server to have the logo", async () => (await asAgency("GET", `/v1/orgs/${org.id}`)).has_logo, 15_000);
    await nav("settings");
    const img = await visible("org-logo");
    const src = await img.getAttribute("src");
    // The server stores the decoded image re-encoded as PNG, so the bytes
    // differ from the file; the size and the PNG signature must not.
    const shown = Buffer.from(src.replace(/^data:image\/png;base64,/, ""), "base64");
    const chosen = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
    const isPng = shown.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    if (!isPng || shown.readUInt32BE(16) !== chosen.width || shown.readUInt32BE(20) !== chosen.height) {
      throw new Error(`the logo shown is not the one chosen: ${src.slice(0, 60)}…`);
    }
  });

  await step("back to the app with its default runtime", async () => {
    await oneWorker.stop();
    oneWorker = undefined;
    browser = await app.launch();
    await waitFor("the org list", async () => (await allByTest("org-item")).length > 0);
    await openOrg("northwind");
    await nav("members");
  });

  let created;
  await step("create an organization from the sidebar", async () => {
    const name = "E2E Widgets";
    await (await visible("org-create")).click();
    await (await visible("create-org-name")).setValue(name);
    await (await visible("create-org-slug")).setValue("northwind"); // taken
    await (await visible("create-org-submit")).click();
    await waitFor("an error about the slug", async () => (await text("create-org-error")).includes("slug is taken"));
    await a11y("create-org-dialog");
    // Emptied the way a person does (WebDriver's clear fires no input event).
    await (await visible("create-org-slug")).click();
    await browser.keys(["Control", "a"]);
    await browser.keys(["Backspace"]);
    await waitFor("the slug emptied", async () => (await (await byTest("create-org-slug")).getValue()) === "");
    await (await visible("create-org-submit")).click();
    await toastSays(`Created ${name}.`);
    await gone("create-org-name");
    await waitFor("the new org selected and in sight in the sidebar", async () => {
      const current = await browser.$('[data-testid="org-item"][aria-current="true"]');
      return (await current.isDisplayed({ withinViewport: true })) && (await orgItemText(current)).includes(name);
    });
    created = { name, slug: await currentOrgSlug() };
    if (!/^e2e-widgets/.test(created.slug)) throw new Error(`unexpected slug ${created.slug}`);
    if (!(await orgItemText(await browser.$('[data-testid="org-item"][aria-current="true"]'))).includes("Owner"))
      throw new Error("the creator should be the owner");
  });

  await step("settings save name, time zone, language and invitation lifetime", async () => {
    const wanted = { name: "E2E Widgets GmbH", slug: "e2e-widgets-gmbh", timezone: "America/New_York", language: "fr-CA", lifetime: "14" };
    await nav("settings");
    await visible("screen-settings");
    await waitFor("the settings form", async () => (await (await visible("settings-name")).getValue()) === created.name);
    await replaceValue("settings-timezone", "Mars/Olympus_Mons");
    await (await visible("settings-save")).click();
    await waitFor("an error about the time zone", async () => (await text("settings-error")).includes("Mars/Olympus_Mons"));
    await replaceValue("settings-name", wanted.name);
    await replaceValue("settings-slug", wanted.slug);
    await replaceValue("settings-timezone", wanted.timezone);
    await replaceValue("settings-language", wanted.language);
    await replaceValue("settings-lifetime", wanted.lifetime);
    await (await visible("settings-save")).click();
    await toastSays("Settings saved.");
    await gone("settings-error");
    await waitFor("the new name and slug in the sidebar", async () =>
      (await orgItemText(await browser.$(`[data-testid="org-item"][data-slug="${wanted.slug}"]`))).includes(wanted.name));
    if ((await currentOrgSlug()) !== wanted.slug) throw new Error("the renamed org is no longer the current one");
    // Fresh from the server after leaving the screen.
    await nav("members");
    await nav("settings");
    await waitFor("saved values after reopening settings", async () =>
      (await (await visible("settings-name")).getValue()) === wanted.name &&
      (await (await byTest("settings-slug")).getValue()) === wanted.slug &&
      (await (await byTest("settings-timezone")).getValue()) === wanted.timezone &&
      (await (await byTest("settings-language")).getValue()) === wanted.language &&
      (await (await byTest("settings-lifetime")).getValue()) === wanted.lifetime);
    Object.assign(created, { name: wanted.name, slug: wanted.slug });
    // The new lifetime applies to invitations sent afterwards.
    await nav("invitations");
    await (await visible("invite-open")).click();
    await (await visible("invite-emails")).setValue("e2e.lifetime@example.com");
    await (await visible("invite-send")).click();
    await waitFor("the invitation sent", async () => (await allByTest("invite-result")).length === 1);
    await (await visible("invite-done")).click();
    const row = await browser.$('[data-testid="invitation-row"][data-email="e2e.lifetime@example.com"]');
    await row.waitForDisplayed({ timeout: 30_000 });
    await waitFor("a 14-day expiry", async () => (await row.getText()).includes("in 13 d 23 h"));
  });

  await step("roles: create a custom role, edit its permissions, delete it", async () => {
    const column = () => browser.$('[data-testid="role-column"][data-role="e2e-agent"]');
    const box = () => browser.$('input[aria-label="E2E agent: audit:read"]');
    await nav("roles");
    await visible("screen-roles");
    const key = await browser.$('input[aria-label="Role key"]');
    const roleName = await browser.$('input[aria-label="Role name"]');
    await key.setValue("admin"); // taken by a built-in role
    await roleName.setValue("Second admin");
    await (await visible("role-create")).click();
    await visible("roles-error");
    await key.clearValue();
    await key.setValue("e2e-agent");
    await roleName.clearValue();
    await roleName.setValue("E2E agent");
    await (await visible("role-create")).click();
    await (await column()).waitForDisplayed({ timeout: 30_000 });
    await toastSays("Created E2E agent.");
    await gone("roles-error", 5_000);
    if (!(await (await browser.$('input[aria-label="E2E agent: members:read"]')).isSelected()))
      throw new Error("a new role starts with members:read");
    if (await (await box()).isSelected()) throw new Error("a new role should not have audit:read");
    await (await box()).click();
    await (await browser.$('[data-testid="role-save"][data-role="e2e-agent"]')).click();
    await toastSays("Saved E2E agent.");
    await noError("roles-error");
    await nav("members");
    await nav("roles");
    await waitFor("audit:read kept after reopening roles", async () => (await (await box()).isSelected()));
    await (await browser.$('[data-testid="role-delete"][data-role="e2e-agent"]')).click();
    await waitFor("the role column to go", async () => !(await (await column()).isExisting()));
    await toastSays("Deleted E2E agent.");
    await noError("roles-error");
    await nav("members");
    await nav("roles");
    await waitFor("the roles to load", async () => (await allByTest("role-column")).length >= 5);
    if (await (await column()).isExisting()) throw new Error("the deleted role came back");
  });

  await step("audit log filtered by action shows only those events", async () => {
    await nav("audit");
    await visible("screen-audit");
    await waitFor("the unfiltered log", async () => (await allByTest("audit-row")).length >= 4);
    await (await browser.$('input[aria-label="Action"]')).setValue("role.created");
    await (await visible("audit-filter")).click();
    await waitFor("only role.created rows", async () => {
      const rows = await allByTest("audit-row");
      if (rows.length === 0) return false;
      for (const row of rows) if ((await row.getAttribute("data-action")) !== "role.created") return false;
      return (await rows[0].getProperty("textContent")).includes("e2e-agent"); // the target cell is ellipsized
    });
    // A From–To range of just today keeps today's events.
    const pad = (n) => String(n).padStart(2, "0");
    const now = new Date();
    const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    for (const label of ["From", "To"]) {
      const input = await browser.$(`input[type="date"][aria-label="${label}"]`);
      await browser.execute((el, value) => {
        el.value = value;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }, input, today);
    }
    await (await visible("audit-filter")).click();
    await waitFor("today's role.created rows", async () => {
      const rows = await allByTest("audit-row");
      return rows.length > 0 && (await rows[0].getProperty("textContent")).includes("e2e-agent");
    }, 10_000);
  });

  await step("across my orgs: find a person and remove them from two selected orgs", async () => {
    const email = "chloe.okafor2@northwind.test";
    const targets = ["Acme Robotics", "Blue Harbor Dental"];
    const membership = (org) => browser.$(`[data-testid="person-membership"][data-org="${org}"]`);
    await nav("across");
    await (await visible("person-email")).setValue(email);
    await (await visible("person-find")).click();
    await waitFor("memberships in many orgs", async () => (await allByTest("person-membership")).length >= 10);
    await a11y("across-person-found");
    for (const item of await allByTest("person-membership")) {
      const box = await item.$('input[type="checkbox"]');
      const want = targets.includes(await item.getAttribute("data-org"));
      if ((await box.isSelected()) !== want && (await box.isEnabled())) await box.click();
    }
    const remove = await visible("person-remove");
    await waitFor("two selected", async () => (await remove.getText()).includes("2 selected"));
    await remove.click();
    await (await visible("confirm-button")).click();
    await waitFor("a removal result per org", async () => (await allByTest("person-result")).length === 2);
    await a11y("across-person-removed");
    for (const result of await allByTest("person-result")) {
      const line = await result.getText();
      if ((await result.getAttribute("data-outcome")) !== "removed" || !line.includes("Removed"))
        throw new Error(`unexpected result: ${line}`);
      if (!targets.some((org) => line.startsWith(org))) throw new Error(`result for an org not chosen: ${line}`);
    }
    for (const org of targets) if (await (await membership(org)).isExisting()) throw new Error(`still listed in ${org}`);
    if (!(await (await membership("Northwind Traders")).isExisting())) throw new Error("removed from an org not chosen");
    await (await visible("person-find")).click();
    await waitFor("the search again", async () => (await allByTest("person-membership")).length >= 10);
    for (const org of targets) if (await (await membership(org)).isExisting()) throw new Error(`still a member of ${org}`);
    // An org's owner cannot be removed: shown, not selectable.
    await replaceValue("person-email", "owner0@client.test");
    await (await visible("person-find")).click();
    await waitFor("the owner's membership", async () => (await allByTest("person-membership")).length === 1);
    const owned = (await allByTest("person-membership"))[0];
    if (await (await owned.$('input[type="checkbox"]')).isEnabled()) throw new Error("an owner can be selected for removal");
    if (!(await owned.getText()).includes("cannot remove")) throw new Error(`no reason shown: ${await owned.getText()}`);
    if (await (await visible("person-remove")).isEnabled()) throw new Error("remove is enabled with nothing removable");
    await openOrg("northwind");
  });

  await step("a member-role account sees members but no invitation controls", async () => {
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    await signIn("member@orgdesk.test");
    await openOrg("northwind");
    await waitForMembers(10_000);
    if (await (await byTest("nav-invitations")).isExisting()) throw new Error("a member sees the invitations screen");
    if (await (await byTest("member-role")).isExisting()) throw new Error("a member sees role controls");
    if (await (await byTest("member-remove")).isExisting()) throw new Error("a member sees remove buttons");
    if (await (await byTest("invite-open")).isExisting()) throw new Error("a member sees the invite button");
    await a11y("members-as-member");
  });

  await step("my invitations: accept one and decline another", async () => {
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const asMember = await apiAs(server.url, "member@orgdesk.test", PASSWORD);
    const mine = new Set((await asMember("GET", "/v1/orgs")).map((o) => o.id));
    const owned = (await asAgency("GET", "/v1/orgs")).filter((o) => !mine.has(o.id) && o.role === "owner");
    const declined = owned[owned.length - 1];
    await asAgency("POST", `/v1/orgs/${declined.id}/invitations`, { emails: ["member@orgdesk.test"], role: "member" });
    const accepted = "Juniper Health"; // the demo's invitation for the plain member
    const row = (org) => browser.$(`[data-testid="my-invitation-row"][data-org="${org}"]`);
    const inSidebar = async (name) => {
      for (const item of await allByTest("org-item")) if ((await orgItemText(item)).includes(name)) return true;
      return false;
    };
    await nav("my-invitations");
    await (await row(accepted)).waitForDisplayed({ timeout: 30_000 });
    await (await row(declined.name)).waitForDisplayed({ timeout: 30_000 });
    await a11y("my-invitations");
    if (await inSidebar(accepted)) throw new Error(`already a member of ${accepted}`);
    await (await (await row(accepted)).$('[data-testid="my-invitation-accept"]')).click();
    await toastSays(`You joined ${accepted}.`);
    await waitFor("the accepted invitation to go", async () => !(await (await row(accepted)).isExisting()));
    await waitFor(`${accepted} in the sidebar`, () => inSidebar(accepted));
    await (await (await row(declined.name)).$('[data-testid="my-invitation-decline"]')).click();
    await toastSays("Declined.");
    await waitFor("the declined invitation to go", async () => !(await (await row(declined.name)).isExisting()));
    if (await inSidebar(declined.name)) throw new Error(`declining joined ${declined.name}`);
    await waitFor("no invitations left", async () => (await (await browser.$('[data-testid="screen-my-invitations"] .empty')).getText()).includes("No invitations are waiting"));
    for (const item of await allByTest("org-item")) {
      const line = await orgItemText(item);
      if (line.includes(accepted) && !line.includes("Viewer")) throw new Error(`joined ${accepted} not as a viewer: ${line}`);
    }
    await openOrg("northwind");
    await waitForMembers(10_000);
  });

  await step("server stops: offline banner, cached list stays", async () => {
    await server.stop();
    await nav("roles");
    await nav("members");
    await visible("offline-banner");
    await waitForMembers(10_000);
    await a11y("members-offline");
  });

  await step("restart the app while the server is down: cached members still shown", async () => {
    await app.quitApp();
    browser = await app.launch();
    await visible("offline-banner", 60_000);
    await waitForMembers(10_000);
    if ((await allByTest("member-row")).length === 0) throw new Error("no cached rows painted");
  });

  await step("server comes back: the app revalidates", async () => {
    const syncedBefore = await (await byTest("members-synced")).getAttribute("data-synced-at");
    await server.start();
    await gone("offline-banner", 60_000);
    await waitFor("the member list to re-sync", async () =>
      (await (await byTest("members-synced")).getAttribute("data-synced-at")) !== syncedBefore, 60_000);
  });

  await step("an orgdesk://invite/<token> link given at launch opens the accept flow", async () => {
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const asMember = await apiAs(server.url, "member@orgdesk.test", PASSWORD);
    const mine = new Set((await asMember("GET", "/v1/orgs")).map((o) => o.id));
    const org = (await asAgency("GET", "/v1/orgs")).find((o) => !mine.has(o.id) && o.role === "owner");
    const answer = await asAgency("POST", `/v1/orgs/${org.id}/invitations`, { emails: ["member@orgdesk.test"], role: "member" });
    const token = answer.results[0].invitation.link.split("/invite/")[1];
    await app.quitApp();
    browser = await app.launch([`orgdesk://invite/${token}`]);
    await visible("screen-my-invitations", 60_000);
    await waitFor("the invitation preview", async () => (await text("invite-link")).includes(org.name));
    await a11y("invite-link");
    await (await visible("link-accept")).click();
    await waitFor(`${org.name} in the sidebar`, async () =>
      (await browser.$(`[data-testid="org-item"][data-slug="${org.slug}"]`)).isExisting());
  });

  await step("without a keychain the app says so at sign-in", async () => {
    const bare = new AppDriver(appBinary, { env: { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/orgdesk-e2e" } });
    await bare.startDriver();
    try {
      const other = await bare.launch();
      const notice = await other.$('[data-testid="keychain-unavailable"]');
      await notice.waitForDisplayed({ timeout: 30_000 });
      if (!(await notice.getText()).includes("keychain is not available")) throw new Error("unclear keychain notice");
    } finally {
      await bare.stop();
    }
  });

  console.log(axe.summary());
  if (process.env.ORGDESK_AXE_REPORT) axe.writeReport(process.env.ORGDESK_AXE_REPORT);
  console.log(`1..${passed}\nall ${passed} end-to-end steps passed`);
}

try {
  await main();
} finally {
  await oneWorker?.stop();
  await app.stop();
  await server.stop();
  rmSync(files, { recursive: true, force: true });
}
