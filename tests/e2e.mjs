// End-to-end test of the desktop app: the real app in WebKitWebDriver (via
// tauri-driver) against a real orgdesk-server with demo data. Run it through
// scripts/test.d/40-e2e.sh, which builds both and provides Xvfb, a session
// bus and an unlocked gnome-keyring. Screenshots land in docs/screenshots/.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, apiAs, freePort, sleep, startTestProvider, waitFor } from "./support.mjs";
import * as gtk from "./gtk-dialog.mjs";
import * as axe from "./axe.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "debug/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const shots = join(process.cwd(), "docs/screenshots");
const PASSWORD = "orgdesk-demo-2026";

const execFileAsync = promisify(execFile);
const files = mkdtempSync(join(tmpdir(), "orgdesk-e2e-files-"));

const server = new DemoServer(serverBinary);
const SSO_LOGIN = "sso.person@example.com";
const oidcLog = join(tmpdir(), `orgdesk-e2e-oidc-${process.pid}.log`);
// The system browser is tests/oidc/browser.mjs, which signs in at the test provider as SSO_LOGIN.
const app = new AppDriver(appBinary, {
  env: {
    ORGDESK_BROWSER: join(import.meta.dirname, "oidc", "browser.mjs"),
    ORGDESK_TEST_OIDC_LOGIN: SSO_LOGIN,
    ORGDESK_TEST_OIDC_LOG: oidcLog,
    ORGDESK_APP_BIN: appBinary,
  },
});
let idp;
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
  // Dismissed from script, so the focus (part of some shots) stays where it is.
  await browser.execute(() => document.querySelectorAll('[data-testid="toast"] [aria-label="Dismiss"]').forEach((b) => b.click()));
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
/** Clicks the action button (Undo, Re-invite) of the toast that says `words`. */
const toastAction = async (words) => {
  await toastSays(words);
  for (const toast of await allByTest("toast")) {
    if ((await toast.getText()).includes(words)) return (await toast.$('[data-testid="toast-action"]')).click();
  }
};
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

/** What has focus: its test id, tag, and a few attributes. */
const focused = () =>
  browser.execute(() => {
    const el = document.activeElement;
    return {
      testid: el?.getAttribute("data-testid") ?? null,
      tag: el?.tagName.toLowerCase(),
      id: el?.id ?? "",
      type: el?.getAttribute("type"),
      inMain: !!el?.closest("main"),
      inDialog: !!el?.closest("dialog[open]"),
      rowIndex: el?.getAttribute("aria-rowindex"),
      group: el?.closest("[data-testid=person-group]")?.getAttribute("data-email") ?? null,
      text: (el?.textContent ?? "").trim().slice(0, 60),
    };
  });

/** Presses Tab (Shift+Tab with back) until `wanted(focused)` holds; answers how many presses it took. */
async function tabTo(what, wanted, { max = 40, back = false } = {}) {
  if (wanted(await focused())) return 0;
  for (let presses = 1; presses <= max; presses++) {
    await browser.keys(back ? ["Shift", "Tab"] : ["Tab"]);
    if (wanted(await focused())) return presses;
  }
  throw new Error(`${what} not reached within ${max} Tab presses (at ${JSON.stringify(await focused())})`);
}
const key = (k) => browser.keys([k]);

async function signIn(email) {
  await (await browser.$('input[name="server"]')).setValue(server.url);
  await (await browser.$('input[name="email"]')).setValue(email);
  await (await browser.$('input[name="password"]')).setValue(PASSWORD);
  await (await browser.$('button[type="submit"]')).click();
  await waitFor("the org list", async () => (await allByTest("org-item")).length > 0);
}

/** Waits until the sidebar marks `screen` as the one shown. */
const onScreen = (screen, timeout = 30_000) =>
  browser.$(`[data-testid="nav-${screen}"][aria-current="page"]`).waitForDisplayed({ timeout });

/** The account select: switch to the signed-in account of `email`. */
async function switchAccount(email) {
  const value = await browser.execute((wanted) =>
    [...document.querySelectorAll('select[aria-label="Account"] option')].find((o) => o.textContent.includes(wanted))?.value, email);
  if (!value) throw new Error(`${email} is not in the account menu`);
  await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", value);
  await waitFor("the org list", async () => (await allByTest("org-item")).length > 0);
}

/** Processes running the app binary. */
function appProcesses() {
  const binary = realpathSync(appBinary);
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/exe`) === binary;
    } catch {
      return false;
    }
  });
}

/**
 * Starts the app a second time on the same profile with `link`, as a mail
 * client or xdg-open would: it must hand the link to the running app and
 * exit 0 at once (the single-instance plugin), never open a second window.
 */
function launchSecond(link) {
  return new Promise((resolve, reject) => {
    const child = spawn(appBinary, [link], { env: { ...process.env, ORGDESK_DATA_DIR: app.dataDir }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the second launch did not exit within 30 s: ${output}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`the second launch exited with ${code}: ${output}`));
    });
  });
}

/** Resizes the app's window as a person would (through X, with xdotool) and waits until the page sees it. */
async function resizeWindow(width, height) {
  const ids = (await execFileAsync("xdotool", ["search", "--onlyvisible", "--name", "^Orgdesk$"])).stdout.split("\n").filter(Boolean);
  if (ids.length !== 1) throw new Error(`${ids.length} windows titled Orgdesk`);
  await execFileAsync("xdotool", ["windowsize", ids[0], String(width), String(height)]);
  await waitFor(`a ${width}×${height} window`, async () =>
    JSON.stringify(await browser.execute(() => [window.outerWidth, window.outerHeight])) === JSON.stringify([width, height]), 10_000);
}

async function memberRow(email) {
  const search = await visible("member-search");
  await search.setValue(email);
  const row = await browser.$(`[data-testid="member-row"][data-email="${email}"]`);
  await row.waitForDisplayed({ timeout: 30_000 });
  return row;
}

/** Waits until the table holds at least `least` members (the demo org has 10,000 plus its admins). */
/** WM_DELETE_WINDOW to the app's window (tests/wm-close.py; there is no window manager under Xvfb). */
async function closeWindowAsTheWindowManagerDoes() {
  const python = join(process.env.ORGDESK_VENV ?? join(homedir(), ".cache", "orgdesk-venv"), "bin", "python");
  await new Promise((resolve, reject) =>
    execFile(python, [join(import.meta.dirname, "wm-close.py"), "Orgdesk"], { timeout: 10_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`wm-close.py: ${stderr || error.message}`)) : resolve()));
}

async function waitForMembers(least) {
  try {
    await waitFor(`${least} members`, async () => {
      const total = Number((await text("member-count")).split(" of ")[1]?.replace(/[^0-9]/g, ""));
      return total >= least;
    }, 120_000);
  } catch (error) {
    // Say what the screen showed instead, so a failure on CI can be read from its log.
    const seen = await browser.execute(() => ({
      screen: document.querySelector("main")?.innerText.slice(0, 600),
      toasts: [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.innerText),
    })).catch((e) => ({ unreadable: String(e) }));
    throw new Error(`${error.message}; the screen showed ${JSON.stringify(seen)}`);
  }
}

/**
 * The API suite's webhook receiver (tests/webhooks/receiver.py), which checks
 * every delivery's signature with the Standard Webhooks reference library.
 */
async function startReceiver() {
  const venv = process.env.ORGDESK_VENV ?? join(homedir(), ".cache/orgdesk-venv");
  const child = spawn(join(venv, "bin/python"), [join(import.meta.dirname, "webhooks", "receiver.py")], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    let seen = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the webhook receiver exited (${code}); run scripts/setup.d/15-python.sh`)));
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const found = /listening (\d+)/.exec(seen);
      if (found) resolve(Number(found[1]));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/e2e-hook`,
    secrets: (secrets) => fetch(`${base}/_control/secrets`, { method: "POST", body: JSON.stringify({ secrets }) }),
    log: async () => (await fetch(`${base}/_control/log`)).json(),
    stop: () => child.kill(),
  };
}

/** Calls the server's API with an organization API key as the bearer token; answers the status. */
async function withKey(key, method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.status;
}

async function main() {
  mkdirSync(shots, { recursive: true });
  // A real OpenID provider (oidc-provider) that sends browsers back to the server's callback.
  server.port = await freePort();
  idp = await startTestProvider(`http://127.0.0.1:${server.port}/v1/auth/oidc/callback`);
  server.args = [
    "--oidc-provider",
    `id=test,issuer=${idp.issuer},client-id=orgdesk-test,client-secret=orgdesk-test-secret,name=Test SSO`,
    // Webhooks can be created and may reach the test's receiver on 127.0.0.1.
    "--webhook-secret-key", "e2e-webhook-signing-key-0123456789abcdef",
    "--webhooks-allow-private",
  ];
  await server.start();
  await app.startDriver();
  browser = await app.launch();
  await browser.setWindowSize?.(1280, 800).catch(() => {});

  await step("sign-in screen paints", async () => {
    await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
    // Focus starts in the form (the server URL is filled in, so on the email).
    await waitFor("initial focus on the email field", async () =>
      browser.execute(() => document.activeElement?.getAttribute("name") === "email"), 5_000);
    await shot("sign-in");
    await a11y("sign-in");
    // Submitting it empty: the app names each problem next to its field and focuses the first.
    await (await browser.$('button[type="submit"]')).click();
    await waitFor("field messages", async () =>
      (await text("signin-email-error")).includes("email") && (await text("signin-password-error")).includes("password"));
    await waitFor("focus on the first field in error", async () =>
      browser.execute(() => document.activeElement?.getAttribute("name") === "email"), 5_000);
    await a11y("sign-in-field-errors");
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
    // Ctrl+Z runs the toast's Undo: a new invitation to the same address.
    await toastSays(`Cancelled the invitation to ${invitees[1]}`);
    if ((await focused()).id !== "main") throw new Error(`focus should fall back to main when the row is gone: ${JSON.stringify(await focused())}`);
    await browser.keys(["Control", "z"]);
    await toastSays(`Invited ${invitees[1]} again.`);
    await (await browser.$(`[data-testid="invitation-row"][data-email="${invitees[1]}"]`)).waitForDisplayed({ timeout: 30_000 });
  });

  await step("an org with more open invitations than one page: the first 200 show, the rest load on demand", async () => {
    const back = await currentOrgSlug();
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const emails = Array.from({ length: 210 }, (_, n) => `wave${n}@fjord.test`);
    await asAgency("POST", "/v1/orgs/fjord-analytics/invitations", { emails, role: "member" });
    await openOrg("fjord-analytics");
    await waitFor("fjord-analytics selected", async () => (await currentOrgSlug()) === "fjord-analytics");
    await nav("invitations");
    await waitFor("the first page of 200", async () => (await allByTest("invitation-row")).length === 200, 30_000);
    if (!(await text("invitation-count")).includes("more to load")) throw new Error(`the count hides the rest: "${await text("invitation-count")}"`);
    await (await visible("invitations-more")).click();
    // The demo's own invitations of the org come on top of the 210.
    await waitFor("every invitation, the button gone", async () =>
      !(await (await byTest("invitations-more")).isExisting()) && (await allByTest("invitation-row")).length >= 210, 30_000);
    const shown = await browser.execute(() => [...document.querySelectorAll('[data-testid="invitation-row"]')].map((r) => r.dataset.email));
    const missing = emails.filter((e) => !shown.includes(e));
    if (missing.length || new Set(shown).size !== shown.length) throw new Error(`missing ${missing.length}, or a row twice: ${missing.slice(0, 3)}`);
    await a11y("invitations-all-pages");
    await openOrg(back);
    await waitFor(`${back} selected again`, async () => (await currentOrgSlug()) === back);
  });

  await step("change a member's role; a demotion says what it takes away and can be undone", async () => {
    await nav("members");
    const admin = await memberRow("hugo.okafor7@northwind.test");
    const roleOf = async (email) =>
      (await (await browser.$(`[data-testid="member-row"][data-email="${email}"]`).$('[data-testid="member-role"]')).getValue());
    if ((await roleOf("hugo.okafor7@northwind.test")) !== "admin") throw new Error("expected an admin in the demo data");
    await (await admin.$('[data-testid="member-role"]')).selectByAttribute("value", "member");
    await waitFor("the demotion warning", async () => (await text("confirm-dialog")).includes("They lose"));
    await (await visible("confirm-dismiss")).click();
    await gone("confirm-dialog");
    if ((await roleOf("hugo.okafor7@northwind.test")) !== "admin") throw new Error("the select shows a role not saved");
    // WebKitWebDriver does not fire a second change on a select the page set back; a person's pick does.
    await browser.execute((el) => {
      el.value = "member";
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }, await admin.$('[data-testid="member-role"]'));
    await (await visible("confirm-button")).click();
    await waitFor("demoted", async () => (await roleOf("hugo.okafor7@northwind.test")) === "member");
    await toastAction("(was Admin)");
    await waitFor("admin again after Undo", async () => (await roleOf("hugo.okafor7@northwind.test")) === "admin");
    await (await visible("member-search")).clearValue();
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
    // A role change for many asks first, and says when it takes permissions away.
    await waitFor("the bulk confirmation", async () => (await text("confirm-dialog")).includes("Make 2 members Billing"));
    await (await visible("confirm-button")).click();
    for (const email of emails) {
      await waitFor(`${email} to be billing`, async () => {
        const row = await browser.$(`[data-testid="member-row"][data-email="${email}"]`);
        return (await (await row.$('[data-testid="member-role"]')).getValue()) === "billing";
      });
    }
    const first = await browser.$(`[data-testid="member-row"][data-email="${emails[0]}"]`);
    await (await first.$('[data-testid="member-toggle-status"]')).click();
    // Disabling asks first and says what happens.
    const dialog = await visible("confirm-dialog");
    if (!(await dialog.getText()).includes("lose access")) throw new Error(`unclear disable confirmation: ${await dialog.getText()}`);
    await (await visible("confirm-button")).click();
    await waitFor("disabled badge", async () => (await first.getText()).includes("disabled"));
    // The toast's Undo re-enables them.
    await toastAction("Disabled");
    await waitFor("enabled again", async () => !(await first.getText()).includes("disabled"));
    await toastSays("Enabled");
    await (await first.$('[data-testid="member-toggle-status"]')).click();
    await (await visible("confirm-button")).click();
    await waitFor("disabled again", async () => (await first.getText()).includes("disabled"));
    await (await visible("member-search")).clearValue();
  });

  await step("select every Okafor and disable them in one request; Undo enables them again", async () => {
    // The previous step's toasts (one offers its own Undo) go first, so the Undo below is this change's.
    await browser.execute(() => document.querySelectorAll('[data-testid="toast"] [aria-label="Dismiss"]').forEach((b) => b.click()));
    await replaceValue("member-search", "okafor");
    const shownNow = async () => Number((await text("member-count")).split(" of ")[0].replace(/[^0-9]/g, ""));
    const countedFor = async () => (await visible("member-count")).getAttribute("data-query");
    await waitFor("the Okafors", async () => (await countedFor()) === "okafor" && (await shownNow()) > 0 && (await shownNow()) < 1000);
    const shown = await shownNow();
    const disabledOf = async () => {
      let n = 0;
      for (const row of (await browser.$$('[data-testid="member-row"]')).slice(0, 10)) if ((await row.getText()).includes("disabled")) n += 1;
      return n;
    };
    const disabledBefore = await disabledOf();
    await (await browser.$('input[aria-label="Select all shown"]')).click();
    await waitFor("all selected", async () => (await text("bulk-bar")).includes(`${shown.toLocaleString("en-US")} selected`) ||
      (await text("bulk-bar")).includes(`${shown} selected`));
    await (await visible("bulk-disable")).click();
    await waitFor("the disable confirmation", async () => (await text("confirm-dialog")).includes(`Disable ${shown} members`));
    const started = Date.now();
    await (await visible("confirm-button")).click();
    await toastSays("Disabled");
    const took = Date.now() - started;
    await waitFor("the shown rows disabled", async () => (await disabledOf()) === 10);
    console.log(`# bulk disable of ${shown} members: ${took} ms from the confirmation to the toast, one request`);
    await toastAction("Disabled");
    await toastSays("Enabled");
    // Undo enables those the change disabled; who was disabled before stays so.
    await waitFor("enabled again", async () => (await disabledOf()) === disabledBefore);
    await (await visible("member-search")).clearValue();
  });

  await step("open the member pane and change a role from it", async () => {
    const email = "ada.ahmed2960@northwind.test";
    const row = await memberRow(email);
    await (await row.$('[data-testid="member-open"]')).click();
    const pane = await browser.$(`[data-testid="member-pane"][data-email="${email}"]`);
    await pane.waitForDisplayed({ timeout: 10_000 });
    await waitFor("the last sign-in", async () => (await text("member-pane-last-sign-in")) === "never");
    await (await visible("member-pane-role")).selectByAttribute("value", "admin");
    await toastSays("is now Admin");
    await waitFor("the row follows", async () =>
      (await browser.$(`[data-testid="member-row"][data-email="${email}"] [data-testid="member-role"]`).getValue()) === "admin");
    await waitFor("the change in the member's trail", async () => (await text("member-pane-audit")).includes("member role changed"));
    await shot("member-pane-changed");
    await key("Escape");
    await gone("member-pane");
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

  /** From nothing focused: Tab to the skip link, Enter, and answer the presses to main's first control. */
  async function skipToMain() {
    await browser.execute(() => document.activeElement?.blur());
    let presses = await tabTo("the skip link", (f) => f.testid === "skip-link", { max: 1 });
    await key("Enter");
    await waitFor("main focused", async () => (await focused()).id === "main", 5_000);
    presses += await tabTo("main's first control", (f) => f.inMain && f.id !== "main", { max: 3 });
    return presses;
  }

  await step("keyboard only: skip link, switch org by search and arrows, member rows, shortcuts sheet, palette focus", async () => {
    await openOrg("acme-robotics");
    await visible("screen-members");
    const presses = await skipToMain();
    console.log(`# ${presses} Tab presses from the top to the first control of the main content`);
    if (presses > 2) throw new Error(`${presses} Tab presses to the main content`);
    // The sidebar search: Enter opens the match.
    await browser.execute(() => document.activeElement?.blur());
    const toSearch = await tabTo("the org search", (f) => f.testid === "org-search", { max: 6 });
    if (toSearch > 4) throw new Error(`${toSearch} Tab presses to the org search`);
    await browser.keys("northw");
    await key("Enter");
    await waitFor("northwind opened from the search", async () => (await currentOrgSlug()) === "northwind");
    // Arrow keys in the org list (focus is still in the search); Enter opens the focused org.
    if ((await focused()).testid !== "org-search") throw new Error("focus left the search after Enter");
    await key("ArrowDown");
    await key("ArrowDown");
    const second = await (await allByTest("org-item"))[1].getAttribute("data-slug");
    if ((await focused()).testid !== "org-item") throw new Error("ArrowDown did not move into the org list");
    await key("Enter");
    await waitFor("the second org opened by keyboard", async () => (await currentOrgSlug()) === second);
    await key("ArrowUp");
    await key("ArrowUp");
    if ((await focused()).testid !== "org-search") throw new Error("ArrowUp from the first org should go back to the search");
    await browser.keys("northwind");
    await key("Enter");
    await waitFor("northwind again", async () => (await currentOrgSlug()) === "northwind");
    await waitForMembers(10_000);
    // Member rows: one Tab stop, arrows move, Enter goes into the row, Escape comes back.
    await skipToMain();
    await tabTo("a member row", (f) => f.testid === "member-row", { max: 20 });
    const startRow = Number((await focused()).rowIndex);
    await key("ArrowDown");
    await key("ArrowDown");
    await waitFor("two rows down", async () => Number((await focused()).rowIndex) === startRow + 2, 5_000);
    await key("End");
    await waitFor("the last row", async () => Number((await focused()).rowIndex) >= 10_000, 5_000);
    if ((await browser.$('[data-testid="member-table"]').getAttribute("aria-rowcount")) !== String(Number((await focused()).rowIndex)))
      throw new Error("aria-rowcount does not match the last row's aria-rowindex");
    await key("Home");
    await waitFor("the first row", async () => (await focused()).rowIndex === "2", 5_000);
    await key("ArrowDown");
    await shot("keyboard-focus");
    // Enter opens the member pane with focus in it; Escape closes it and focus comes back to the row.
    await key("Enter");
    await visible("member-pane");
    await waitFor("focus in the member pane", async () =>
      browser.execute(() => !!document.activeElement?.closest('[data-testid="member-pane"]')), 5_000);
    await waitFor("the last sign-in line", async () => !(await text("member-pane-last-sign-in")).includes("Loading"));
    await a11y("member-pane");
    await shot("member-pane");
    await key("Escape");
    await gone("member-pane");
    await waitFor("back on the row after the pane", async () => (await focused()).rowIndex === "3", 5_000);
    // → goes into the row's controls; Escape comes back.
    await key("ArrowRight");
    await waitFor("focus inside the row", async () => {
      const f = await focused();
      return f.testid !== "member-row" && f.inMain && ["input", "select", "button"].includes(f.tag);
    }, 5_000);
    await key("Escape");
    await waitFor("back on the row", async () => (await focused()).rowIndex === "3", 5_000);
    // ? opens the shortcuts sheet; Escape closes it and focus comes back.
    await browser.keys("?");
    await visible("shortcuts");
    await a11y("shortcuts");
    await shot("shortcuts");
    await key("Escape");
    await gone("shortcuts");
    await waitFor("focus restored after the sheet", async () => (await focused()).rowIndex === "3", 5_000);
    // The palette keeps Tab inside and gives focus back on Escape.
    await browser.keys(["Control", "k"]);
    await visible("palette");
    for (let i = 0; i < 4; i++) {
      await key("Tab");
      if (!(await focused()).inDialog) throw new Error("Tab left the open palette");
    }
    await key("Escape");
    await gone("palette");
    await waitFor("focus restored after the palette", async () => (await focused()).rowIndex === "3", 5_000);
  });

  await step("keyboard only: invite by email, remove a person from two orgs", async () => {
    await browser.keys(["Control", "k"]);
    await visible("palette");
    await browser.keys("Go to Invitations");
    await key("Enter");
    await visible("invite-open");
    await skipToMain();
    await tabTo("the invite button", (f) => f.testid === "invite-open", { max: 10 });
    await key("Enter");
    await visible("invite-dialog");
    await waitFor("focus in the invite dialog", async () => (await focused()).inDialog, 5_000);
    if ((await focused()).testid !== "invite-emails") await tabTo("the email field", (f) => f.testid === "invite-emails", { max: 5 });
    await browser.keys("e2e.keyboard@example.com");
    await tabTo("the send button", (f) => f.testid === "invite-send", { max: 6 });
    await key("Enter");
    await waitFor("the result", async () => (await browser.$$('[data-testid="invite-result"][data-outcome="invited"]')).length === 1);
    await tabTo("Done", (f) => f.testid === "invite-done", { max: 6 });
    await key("Enter");
    await gone("invite-dialog");
    await waitFor("focus back on the invite button", async () => (await focused()).testid === "invite-open", 5_000);
    await (await browser.$('[data-testid="invitation-row"][data-email="e2e.keyboard@example.com"]')).waitForDisplayed({ timeout: 30_000 });

    // Remove a person from two orgs: palette → find → choose two with Space → confirm.
    const person = "ben.okafor1@northwind.test";
    await browser.keys(["Control", "k"]);
    await visible("palette");
    await browser.keys(person);
    await key("Enter");
    await visible("screen-across");
    await waitFor("Ben's memberships", async () => (await browser.$$(`[data-testid="person-group"][data-email="${person}"] [data-testid="person-membership"]`)).length >= 10);
    await skipToMain();
    await tabTo("Ben's first org", (f) => f.group === person && f.type === "checkbox", { max: 10 });
    await key(" ");
    await key("Tab");
    if ((await focused()).type !== "checkbox") throw new Error("the next Tab stop is not the next org");
    await key(" ");
    await tabTo("the remove button (above the list)", (f) => f.testid === "person-remove" && f.group === person, { max: 6, back: true });
    if (!(await focused()).text.includes("2 selected")) throw new Error(`the button reads "${(await focused()).text}"`);
    await key("Enter");
    await visible("confirm-dialog");
    if ((await focused()).testid !== "confirm-dismiss") throw new Error("the confirmation should start on the safe choice");
    await tabTo("the confirm button", (f) => f.testid === "confirm-button", { max: 3, back: true });
    await key("Enter");
    await waitFor("two removals", async () => (await browser.$$('[data-testid="person-result"][data-outcome="removed"]')).length === 2);
    await toastSays("Removed Ben Okafor from");
  });

  await step("screens across orgs, roles, settings and audit paint", async () => {
    await nav("members"); // across my orgs opens fresh, not with the last search
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
    // The time zone and language fields suggest values (datalists of IANA zones and supported languages).
    const suggestions = await browser.execute(() => ({
      zones: document.querySelectorAll("#timezone-suggestions option").length,
      languages: document.querySelectorAll("#language-suggestions option").length,
      berlin: !!document.querySelector('#timezone-suggestions option[value="Europe/Berlin"]'),
    }));
    if (suggestions.zones < 300 || !suggestions.berlin || suggestions.languages < 10)
      throw new Error(`too few suggestions: ${JSON.stringify(suggestions)}`);
    await replaceValue("settings-timezone", "Mars/Olympus_Mons");
    await (await visible("settings-save")).click();
    // The app says it next to the field, in words, and puts focus there.
    await waitFor("an error next to the time zone", async () => (await text("settings-timezone-error")).includes("Mars/Olympus_Mons"));
    if ((await focused()).testid !== "settings-timezone") throw new Error("focus did not go to the field in error");
    if ((await (await byTest("settings-timezone")).getAttribute("aria-invalid")) !== "true") throw new Error("the field is not marked invalid");
    await a11y("settings-field-error");
    await replaceValue("settings-name", wanted.name);
    await replaceValue("settings-slug", wanted.slug);
    await replaceValue("settings-timezone", wanted.timezone);
    await replaceValue("settings-language", wanted.language);
    await replaceValue("settings-lifetime", wanted.lifetime);
    await (await visible("settings-save")).click();
    await toastSays("Settings saved.");
    await gone("settings-error");
    await gone("settings-timezone-error");
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
    // App-side checks, next to the field, in words (no native bubble).
    await key.setValue("Support Agent");
    await roleName.setValue("Second admin");
    await (await visible("role-create")).click();
    await waitFor("a message about capitals", async () => (await text("role-key-error")).includes("lowercase"));
    await a11y("roles-field-error");
    await key.clearValue();
    await key.setValue("admin"); // taken by a built-in role
    await waitFor("a message about built-in roles", async () => (await text("role-key-error")).includes("built-in"));
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
    // Leaving with the change unsaved asks first; staying keeps it.
    await nav("members");
    const leave = await visible("confirm-dialog");
    if (!(await leave.getText()).includes("unsaved")) throw new Error(`no unsaved warning: ${await leave.getText()}`);
    await a11y("unsaved-warning");
    await (await visible("confirm-dismiss")).click();
    await gone("confirm-dialog");
    await visible("screen-roles");
    if (!(await (await box()).isSelected())) throw new Error("the unsaved change was lost");
    // Signing out, and closing the window as a window manager asks it to, ask first too.
    await (await visible("sign-out")).click();
    await visible("confirm-dialog");
    await (await visible("confirm-dismiss")).click();
    await gone("confirm-dialog");
    await closeWindowAsTheWindowManagerDoes();
    // The X message is the harness's, not the app's: sent once more if it did not arrive.
    if (!(await (await byTest("confirm-dialog")).waitForDisplayed({ timeout: 5_000 }).catch(() => false)))
      await closeWindowAsTheWindowManagerDoes();
    if (!(await (await visible("confirm-dialog")).getText()).includes("unsaved")) throw new Error("closing did not warn");
    await (await visible("confirm-dismiss")).click();
    await gone("confirm-dialog");
    await visible("screen-roles");
    if (!(await (await box()).isSelected())) throw new Error("the unsaved change was lost");
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

  await step("API keys: create one (shown once, copied), use it within its scope, revoke it and see it refused", async () => {
    const slug = await currentOrgSlug();
    const row = () => browser.$('[data-testid="apikey-row"][data-name="E2E reporting"]');
    await nav("api-keys");
    await visible("screen-api-keys");
    await visible("apikeys-empty");
    await waitFor("the scope picker", async () => (await allByTest("apikey-scope")).length >= 5);
    // Only what the creator holds is offered; an owner holds every catalog permission.
    if (!(await (await browser.$('[data-testid="apikey-scope"][data-permission="org:delete"]')).isExisting()))
      throw new Error("the owner is not offered org:delete");
    await a11y("api-keys-empty");
    await (await visible("apikey-create")).click();
    await waitFor("a message about the name", async () => (await (await browser.$("#apikey-name-error")).getText()).includes("Name the key"));
    await replaceValue("apikey-name", "E2E reporting");
    for (const permission of ["org:read", "members:read"])
      await (await browser.$(`[data-testid="apikey-scope"][data-permission="${permission}"]`)).click();
    await (await visible("apikey-expiry")).selectByAttribute("value", "30");
    await (await visible("apikey-create")).click();
    const secret = await (await visible("apikey-secret")).getValue();
    if (!/^odk_[A-Za-z0-9_-]{40,}$/.test(secret)) throw new Error(`not a key: ${secret.slice(0, 8)}…`);
    await (await visible("apikey-copy")).click();
    await toastSays("Copied the key.");
    if ((await text("apikey-copy")) !== "Copied") throw new Error("the copy button does not say Copied");
    await shot("api-key-created");
    await a11y("api-key-created");
    // The key works through the API, within its scope only.
    if ((await withKey(secret, "GET", `/v1/orgs/${slug}`)) !== 200) throw new Error("the key cannot read its org");
    if ((await withKey(secret, "GET", `/v1/orgs/${slug}/members`)) !== 200) throw new Error("the key cannot read members");
    const invite = await withKey(secret, "POST", `/v1/orgs/${slug}/invitations`, { emails: ["keyed@example.com"], role: "member" });
    if (invite !== 403) throw new Error(`inviting without members:invite answered ${invite}`);
    const me = await withKey(secret, "GET", "/v1/me");
    if (me !== 403) throw new Error(`the key at /v1/me answered ${me}`);
    // Shown once: gone from the screen after Done, and not shown again on return.
    await (await visible("apikey-done")).click();
    await gone("apikey-created");
    await nav("members");
    await nav("api-keys");
    await (await row()).waitForDisplayed({ timeout: 30_000 });
    if (await browser.execute((s) => document.body.innerHTML.includes(s), secret)) throw new Error("the key is shown again");
    await waitFor("its last use shown", async () => (await (await (await row()).$('[data-testid="apikey-last-used"]')).getText()) !== "never");
    // Revoking asks first; afterwards the key is refused.
    await (await (await row()).$('[data-testid="apikey-revoke"]')).click();
    const confirm = await visible("confirm-dialog");
    if (!(await confirm.getText()).includes("E2E reporting")) throw new Error("the confirmation does not name the key");
    await a11y("api-key-revoke-confirm");
    await (await visible("confirm-button")).click();
    await toastSays("Revoked E2E reporting");
    await waitFor("the key marked revoked", async () => (await (await row()).getAttribute("data-state")) === "revoked");
    await noError("apikeys-error");
    const after = await withKey(secret, "GET", `/v1/orgs/${slug}`);
    if (after !== 401) throw new Error(`a revoked key answered ${after}`);
  });

  await step("webhooks: add an endpoint at the test's receiver, send a test event, see it delivered in the log, replay it", async () => {
    const receiver = await startReceiver();
    try {
      await nav("webhooks");
      await visible("screen-webhooks");
      await visible("webhooks-empty");
      await a11y("webhooks-empty");
      await (await visible("webhook-create")).click();
      await waitFor("a message about the URL", async () => (await (await browser.$("#webhook-url-error")).getText()).includes("URL"));
      await replaceValue("webhook-url", receiver.url);
      await replaceValue("webhook-description", "E2E receiver");
      for (const type of ["member.added", "member.removed"])
        await (await browser.$(`[data-testid="webhook-event"][data-type="${type}"]`)).click();
      await (await visible("webhook-create")).click();
      await toastSays("Added the endpoint");
      const endpoint = await visible("webhook-endpoint");
      if ((await text("webhook-events-label")) !== "member.added, member.removed") throw new Error(`events: ${await text("webhook-events-label")}`);
      // The signing secret only on an explicit reveal; the receiver verifies with it.
      await (await visible("webhook-reveal")).click();
      const whsec = await (await visible("webhook-secret")).getValue();
      if (!whsec.startsWith("whsec_")) throw new Error("not a signing secret");
      await receiver.secrets([whsec]);
      await (await visible("webhook-secret-hide")).click();
      await gone("webhook-secret");
      await (await endpoint.$('[data-testid="webhook-test"]')).click();
      await toastSays("Queued a test event");
      await visible("webhook-deliveries");
      const deliveredRow = '[data-testid="webhook-delivery"][data-type="webhook.test"][data-status="delivered"]';
      await waitFor("the test event delivered in the log", async () => {
        await (await visible("webhook-log-refresh")).click();
        await sleep(300);
        return (await browser.$(deliveredRow)).isExisting();
      }, 60_000);
      const row = await browser.$(deliveredRow);
      const summary = await (await row.$('[data-testid="webhook-attempt-summary"]')).getText();
      if (!summary.startsWith("200 ·")) throw new Error(`attempt: ${summary}`);
      const log = await receiver.log();
      if (log.length !== 1 || !log[0].verified || !log[0].body.includes("webhook.test"))
        throw new Error(`the receiver saw ${JSON.stringify(log).slice(0, 500)}`);
      await shot("webhook-delivery-log");
      await a11y("webhook-delivery-log");
      // A replay sends the same message again, with the same webhook-id.
      await (await row.$('[data-testid="webhook-replay"]')).click();
      await toastSays("Queued webhook.test again");
      await waitFor("the replay at the receiver", async () => (await receiver.log()).length === 2, 60_000);
      const [first, again] = await receiver.log();
      if (first.webhook_id !== again.webhook_id || !again.verified) throw new Error("the replay is not the same verified message");
      // Disabling asks nothing and says so; enabling again works the same.
      await (await endpoint.$('[data-testid="webhook-toggle"]')).click();
      await waitFor("the endpoint disabled", async () => (await text("webhook-state")) === "disabled");
      await (await endpoint.$('[data-testid="webhook-toggle"]')).click();
      await waitFor("the endpoint enabled", async () => (await text("webhook-state")) === "enabled");
      await noError("webhooks-error");
    } finally {
      receiver.stop();
    }
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
    await shot("safe-removal");
    // Nothing is preselected: the button is off until orgs are chosen.
    for (const box of await browser.$$('[data-testid="person-membership"] input[type="checkbox"]'))
      if (await box.isSelected()) throw new Error("an org is preselected for removal");
    if (await (await visible("person-remove")).isEnabled()) throw new Error("remove is enabled with nothing chosen");
    await (await visible("person-select-all")).click();
    const removable = (await browser.$$('[data-testid="person-membership"] input[type="checkbox"]:enabled')).length;
    await waitFor("all selected", async () => (await text("person-remove")).includes(`${removable} selected`));
    await (await visible("person-select-none")).click();
    await waitFor("none selected", async () => !(await (await byTest("person-remove")).isEnabled()));
    for (const item of await allByTest("person-membership")) {
      const box = await item.$('input[type="checkbox"]');
      const want = targets.includes(await item.getAttribute("data-org"));
      if ((await box.isSelected()) !== want && (await box.isEnabled())) await box.click();
    }
    const remove = await visible("person-remove");
    await waitFor("two selected", async () => (await remove.getText()).includes("2 selected"));
    await remove.click();
    const confirm = await visible("confirm-dialog");
    for (const org of targets) if (!(await confirm.getText()).includes(org)) throw new Error(`the confirmation does not name ${org}`);
    await shot("safe-removal-confirm");
    await (await visible("confirm-button")).click();
    await waitFor("a removal result per org", async () => (await allByTest("person-result")).length === 2);
    // The toast first: it goes after 4 s, and the accessibility check can take longer on a busy machine.
    await toastSays(`from ${targets[0]} and ${targets[1]}`);
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

  await step("across my orgs: find people by name; cancel an invitation asks, and Undo invites again", async () => {
    await nav("across");
    await replaceValue("person-email", "Ben Okafor");
    await (await visible("person-find")).click();
    await waitFor("several Ben Okafors", async () => (await allByTest("person-group")).length >= 5);
    for (const group of await allByTest("person-group"))
      if (!(await group.getAttribute("data-email")).startsWith("ben.okafor")) throw new Error(`not a Ben Okafor: ${await group.getAttribute("data-email")}`);
    // The pending list: search, filters, grouping.
    const rows = async () => (await allByTest("across-row")).length;
    await waitFor("the pending list", async () => (await rows()) > 0);
    await replaceValue("across-search", "e2e.three");
    await waitFor("one row", async () => (await rows()) === 1);
    await (await visible("across-group")).click();
    await waitFor("grouped by org", async () => (await allByTest("across-group-table")).length === 1);
    await a11y("across-filtered-grouped");
    const row = await browser.$('[data-testid="across-row"][data-email="e2e.three@example.com"]');
    await (await row.$('[data-testid="across-cancel"]')).click();
    const dialog = await visible("confirm-dialog");
    if (!(await dialog.getText()).includes("e2e.three@example.com")) throw new Error("the confirmation does not name the address");
    await (await visible("confirm-button")).click();
    await waitFor("the row to go", async () => (await rows()) === 0);
    await toastAction("Cancelled the invitation to e2e.three@example.com");
    await toastSays("Invited e2e.three@example.com");
    await waitFor("the invitation back", async () => (await rows()) === 1, 15_000);
    await (await visible("across-group")).click();
    await replaceValue("across-search", "zz-nothing");
    await waitFor("no rows", async () => (await rows()) === 0);
    await (await byTest("across-search")).clearValue();
    await openOrg("northwind");
    await nav("audit"); // the next account cannot open this screen
    await visible("screen-audit");
  });

  await step("a member-role account sees members but no invitation controls", async () => {
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    // Signing in by keyboard: focus starts on the email (the server is filled in), Tab, password, Enter.
    await waitFor("focus on the email field", async () =>
      browser.execute(() => document.activeElement?.getAttribute("name") === "email"), 10_000);
    await browser.keys("member@orgdesk.test");
    await key("Tab");
    await browser.keys(PASSWORD);
    await key("Enter");
    await waitFor("the org list", async () => (await allByTest("org-item")).length > 0);
    // The screen falls back to one the role allows (not the agency's audit log).
    await visible("screen-members");
    if (await (await byTest("screen-audit")).isExisting()) throw new Error("a plain member is shown the audit log");
    await openOrg("northwind");
    await waitForMembers(10_000);
    if (await (await byTest("screen-audit")).isExisting()) throw new Error("a plain member is shown the audit log");
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

  await step("another admin's changes reach the app's lists as they happen; an accepted invitation raises a notification", async () => {
    // The desktop's notification service as the app sees it: every Notify call on the session bus.
    const bus = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications',member='Notify'"], { stdio: ["ignore", "pipe", "ignore"] });
    let notified = "";
    bus.stdout.on("data", (chunk) => (notified += chunk.toString()));
    try {
      const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
      const northwind = (await asAgency("GET", "/v1/orgs")).find((o) => o.slug === "northwind");
      const stamp = Date.now();
      const adminEmail = `second.admin.${stamp}@example.test`;
      const joinerEmail = `live.joiner.${stamp}@example.test`;
      const signUp = async (link, name) => {
        const token = new URL(link).pathname.split("/").filter(Boolean).pop();
        const r = await fetch(`${server.url}/v1/invitations/${token}/signup`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, password: PASSWORD }),
        });
        if (!r.ok) throw new Error(`sign-up with the invitation: ${r.status} ${await r.text()}`);
      };
      const invitationRow = (email) => browser.$(`[data-testid="invitation-row"][data-email="${email}"]`);
      const memberRow = (email) => browser.$(`[data-testid="member-row"][data-email="${email}"]`);

      // The app shows the agency's northwind invitations; nothing is clicked from here on but navigation.
      const agencyAccount = await browser.execute(() =>
        [...document.querySelectorAll('select[aria-label="Account"] option')].find((o) => o.textContent.startsWith("agency@orgdesk.test"))?.value);
      await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", agencyAccount);
      await waitFor("the agency's orgs", async () => (await allByTest("org-item")).length > 5);
      await openOrg("northwind");
      await nav("invitations");
      await visible("invitation-count");

      // An invitation sent by the agency elsewhere (API) appears; its acceptance is a native notification.
      const sent = await asAgency("POST", `/v1/orgs/${northwind.id}/invitations`, { emails: [adminEmail], role: "admin" });
      await (await invitationRow(adminEmail)).waitForDisplayed({ timeout: 20_000 });
      await signUp(sent.results[0].invitation.link, "Second Admin");
      await waitFor("the accepted invitation to leave the list", async () => !(await (await invitationRow(adminEmail)).isExisting()), 20_000);
      await waitFor("a notification on the session bus", async () => notified.includes("Invitation accepted") && notified.includes(adminEmail), 20_000);
      const log = await browser.execute(() => window.__TAURI_INTERNALS__.invoke("notification_log"));
      if (!log.some((line) => line.startsWith("InvitationAccepted: shown"))) throw new Error(`the notification log reads: ${JSON.stringify(log)}`);

      // The second admin invites someone: the app's list shows it.
      const asAdmin = await apiAs(server.url, adminEmail, PASSWORD);
      const theirs = await asAdmin("POST", `/v1/orgs/${northwind.id}/invitations`, { emails: [joinerEmail], role: "member" });
      await (await invitationRow(joinerEmail)).waitForDisplayed({ timeout: 20_000 });
      const row = await invitationRow(joinerEmail);
      if (!(await row.getText()).includes("Second Admin")) throw new Error(`the invitation does not name its sender: ${await row.getText()}`);

      // The invitee joins and the second admin removes them: the member list follows both.
      await nav("members");
      await waitForMembers(10_000);
      await (await visible("member-search")).setValue(joinerEmail);
      await signUp(theirs.results[0].invitation.link, "Live Joiner");
      await (await memberRow(joinerEmail)).waitForDisplayed({ timeout: 20_000 });
      const joiner = await (await memberRow(joinerEmail)).getAttribute("data-user-id");
      await asAdmin("DELETE", `/v1/orgs/${northwind.id}/members/${joiner}`);
      await waitFor("the removed member to leave the list", async () => !(await (await memberRow(joinerEmail)).isExisting()), 20_000);
      await (await visible("member-search")).clearValue();
      await waitFor("the whole list again", async () => (await text("member-count")).includes(" of "));
      await a11y("members-live");

      // Back to the plain member's account, where the next steps expect the app.
      const memberAccount = await browser.execute(() =>
        [...document.querySelectorAll('select[aria-label="Account"] option')].find((o) => o.textContent.startsWith("member@orgdesk.test"))?.value);
      await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", memberAccount);
      await waitFor("the member's orgs", async () => (await allByTest("org-item")).length > 0);
      await openOrg("northwind");
      await waitForMembers(10_000);
    } finally {
      bus.kill();
    }
  });

  await step("server stops: offline banner, cached list stays", async () => {
    await server.stop();
    await nav("roles");
    await nav("members");
    await visible("offline-banner");
    await waitForMembers(10_000);
    await a11y("members-offline");
    await nav("across");
    await visible("screen-across");
    await a11y("across-offline");
    await nav("members");
  });

  await step("restart the app while the server is down: cached members still shown", async () => {
    await app.quitApp();
    browser = await app.launch();
    await visible("offline-banner", 60_000);
    await waitForMembers(10_000);
    if ((await allByTest("member-row")).length === 0) throw new Error("no cached rows painted");
    // "Last synced" is the cache's, not "never", though nothing reached the server since the start.
    const banner = await text("offline-banner");
    if (banner.includes("never")) throw new Error(`the offline banner after a restart reads: ${banner}`);
  });

  await step("server comes back: the app revalidates", async () => {
    const syncedBefore = await (await byTest("members-synced")).getAttribute("data-synced-at");
    await server.start();
    await gone("offline-banner", 60_000);
    await waitFor("the member list to re-sync", async () =>
      (await (await byTest("members-synced")).getAttribute("data-synced-at")) !== syncedBefore, 60_000);
  });

  const linkTokensAtLaunch = [];
  await step("an orgdesk://invite/<token> link given at launch opens the accept flow", async () => {
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const asMember = await apiAs(server.url, "member@orgdesk.test", PASSWORD);
    const mine = new Set((await asMember("GET", "/v1/orgs")).map((o) => o.id));
    const org = (await asAgency("GET", "/v1/orgs")).find((o) => !mine.has(o.id) && o.role === "owner");
    const answer = await asAgency("POST", `/v1/orgs/${org.id}/invitations`, { emails: ["member@orgdesk.test"], role: "member" });
    const token = answer.results[0].invitation.link.split("/invite/")[1];
    linkTokensAtLaunch.push(token);
    await app.quitApp();
    browser = await app.launch([`orgdesk://invite/${token}`]);
    await visible("screen-my-invitations", 60_000);
    await waitFor("the invitation preview", async () => (await text("invite-link")).includes(org.name));
    await a11y("invite-link");
    await (await visible("link-accept")).click();
    await waitFor(`${org.name} in the sidebar`, async () =>
      (await browser.$(`[data-testid="org-item"][data-slug="${org.slug}"]`)).isExisting());
  });

  const linkTokens = [];
  await step("a second launch with an invite link hands it to the running app: the accept flow, one app process", async () => {
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const asMember = await apiAs(server.url, "member@orgdesk.test", PASSWORD);
    const mine = new Set((await asMember("GET", "/v1/orgs")).map((o) => o.id));
    const pending = new Set((await asMember("GET", "/v1/me/invitations")).map((i) => i.org_id ?? i.org?.id));
    const org = (await asAgency("GET", "/v1/orgs")).find((o) => !mine.has(o.id) && !pending.has(o.id) && o.role === "owner");
    const answer = await asAgency("POST", `/v1/orgs/${org.id}/invitations`, { emails: ["member@orgdesk.test"], role: "member" });
    const token = answer.results[0].invitation.link.split("/invite/")[1];
    linkTokens.push(token);
    await nav("members");
    await visible("screen-members");
    await launchSecond(`orgdesk://invite/${token}`);
    await visible("screen-my-invitations", 30_000);
    await waitFor("the invitation preview", async () => (await text("invite-link")).includes(org.name));
    const count = appProcesses().length;
    if (count !== 1) throw new Error(`${count} app processes run; expected one`);
    await (await visible("link-accept")).click();
    await waitFor(`${org.name} in the sidebar`, async () =>
      (await browser.$(`[data-testid="org-item"][data-slug="${org.slug}"]`)).isExisting());
  });

  await step("org links from a second launch open their screen; an org the account cannot see and an unknown link are refused", async () => {
    await switchAccount("agency@orgdesk.test");
    await openOrg((await (await allByTest("org-item"))[1].getAttribute("data-slug")));
    await launchSecond("orgdesk://o/northwind/invitations");
    await onScreen("invitations");
    await waitFor("northwind selected", async () => (await currentOrgSlug()) === "northwind");
    await launchSecond("orgdesk://o/nobody-has-this-org/members");
    await toastSays("“nobody-has-this-org”, which agency@orgdesk.test cannot see");
    await launchSecond("orgdesk://o/northwind/payroll");
    await toastSays("Orgdesk did not open this link");
    await launchSecond("orgdesk://invite/not a token");
    await toastSays("Orgdesk did not open this link");
    // With its toasts (the shot helper dismisses them): the refusals say why.
    await browser.saveScreenshot(join(shots, "link-refused.png"));
    await onScreen("invitations");
    if ((await currentOrgSlug()) !== "northwind") throw new Error("a refused link changed the org");
  });

  let copiedLink;
  await step("Copy link to this screen (palette); the copied link opens that screen again", async () => {
    await nav("roles");
    await visible("screen-roles");
    await browser.keys(["Control", "k"]);
    await visible("palette");
    await waitFor("focus in the palette", async () =>
      browser.execute(() => document.activeElement?.getAttribute("aria-label") === "Command"), 5_000);
    await browser.keys("copy link");
    await waitFor("the copy-link entry", async () => (await (await browser.$("#palette-option-0")).getText()).includes("Copy link to this screen"), 5_000);
    await key("Enter");
    // The toast names the link; whether WebKit let the page write the clipboard under WebDriver is logged.
    await waitFor("a toast with the link", async () => {
      for (const toast of await allByTest("toast")) {
        const words = await (await toast.$("span")).getText();
        const found = /^(?:Copied|Could not copy the link:) (orgdesk:\/\/\S+)$/.exec(words.trim());
        if (found) {
          copiedLink = found[1];
          console.log(`# ${words.startsWith("Copied") ? "copied to the clipboard" : "the clipboard refused"}: ${copiedLink}`);
          return true;
        }
      }
      return false;
    });
    if (copiedLink !== "orgdesk://o/northwind/roles") throw new Error(`copied ${copiedLink}`);
    await nav("members");
    await visible("screen-members");
    await launchSecond(copiedLink);
    await visible("screen-roles", 30_000);
  });

  await step("restart: the window keeps its size, the org and the screen", async () => {
    await resizeWindow(1100, 700);
    await sleep(1500); // the app saves the window state shortly after a resize
    if (!existsSync(join(app.dataDir, "window-state.json"))) throw new Error("no window-state.json in the profile");
    await app.quitApp();
    browser = await app.launch();
    await waitFor("the org list", async () => (await allByTest("org-item")).length > 0, 60_000);
    await waitFor("the restored window size", async () =>
      JSON.stringify(await browser.execute(() => [window.outerWidth, window.outerHeight])) === "[1100,700]", 10_000);
    await visible("screen-roles", 30_000);
    if ((await currentOrgSlug()) !== "northwind") throw new Error(`reopened ${await currentOrgSlug()}`);
    await resizeWindow(1280, 800);
  });

  await step("Copy diagnostics; the log file names the links but holds no token", async () => {
    await (await visible("copy-diagnostics")).click();
    const shown = await (await visible("diagnostics-text")).getValue();
    for (const words of ["Orgdesk 0.1.0 (Tauri 2.", "OS: linux", `Server: ${server.url}`, "Log file: ", "Last problems in the log:"]) {
      if (!shown.includes(words)) throw new Error(`the diagnostics lack "${words}": ${shown}`);
    }
    if (shown.includes("agency@orgdesk.test")) throw new Error("the diagnostics name the account's address");
    for (const token of [...linkTokensAtLaunch, ...linkTokens]) if (shown.includes(token)) throw new Error("an invitation token is in the diagnostics");
    await a11y("diagnostics");
    await (await visible("diagnostics-copy")).click();
    await toastSays("Copied the diagnostics");
    await gone("diagnostics");
    const logs = join(app.dataDir, "logs", "orgdesk.log");
    const written = readFileSync(logs, "utf8");
    for (const words of ["Orgdesk started", "received an invitation link", "received an org link", "refused a link"]) {
      if (!written.includes(words)) throw new Error(`the log file lacks "${words}"`);
    }
    for (const token of [...linkTokensAtLaunch, ...linkTokens]) if (written.includes(token)) throw new Error("an invitation token is in the log file");
    if (written.includes("ods_")) throw new Error("a session token is in the log file");
  });

  await step("tray: the first nine orgs, the expiring count, Open and Quit (read through the tray_menu command); keep-in-tray is a setting", async () => {
    // A tray cannot be driven under Xvfb (no status-notifier host): the app answers the labels of the menu it set.
    const orgs = await Promise.all((await allByTest("org-item")).slice(0, 9).map(orgItemText));
    let labels;
    await waitFor("the tray menu with the orgs", async () => {
      labels = await browser.execute(() => window.__TAURI_INTERNALS__.invoke("tray_menu"));
      return labels.length === orgs.length + 5;
    }, 15_000);
    orgs.forEach((line, i) => {
      const name = labels[i].replace(/^\d /, "");
      if (!labels[i].startsWith(`${i + 1} `) || !line.includes(name)) throw new Error(`tray item ${i + 1} is "${labels[i]}" for "${line}"`);
    });
    const rest = labels.slice(orgs.length);
    if (!/^(No invitation expires|\d+ invitations? expires?) within 24 hours$/.test(rest[1])) throw new Error(`no expiring count: ${rest[1]}`);
    if (rest[3] !== "Open Orgdesk" || rest[4] !== "Quit") throw new Error(`tray ends with ${rest.slice(3)}`);
    for (const [words, on] of [["keep in the tray", true], ["quit when the window closes", false]]) {
      await browser.keys(["Control", "k"]);
      await visible("palette");
      await waitFor("focus in the palette", async () =>
        browser.execute(() => document.activeElement?.getAttribute("aria-label") === "Command"), 5_000);
      // "tray" alone: WebKitWebDriver drops the second of two equal keys in a row ("keep" arrives as "kep").
      await browser.keys("tray");
      await waitFor(`the entry for "${words}"`, async () =>
        (await (await browser.$("#palette-option-0")).getText()).toLowerCase().includes(words), 5_000);
      await key("Enter");
      await toastSays(on ? "now keeps Orgdesk in the tray" : "now quits Orgdesk");
      const saved = JSON.parse(readFileSync(join(app.dataDir, "place.json"), "utf8"));
      if (saved.keep_in_tray !== on) throw new Error(`place.json says keep_in_tray ${saved.keep_in_tray}`);
    }
  });

  /** The newest link of `kind` (verify, reset, email-change) emailed to `to`, from the demo's outbox. */
  async function emailedLink(to, kind) {
    let link = null;
    await waitFor(`a ${kind} email to ${to}`, async () => {
      const mails = await (await fetch(`${server.url}/v1/dev/outbox?to=${encodeURIComponent(to)}`)).json();
      const found = mails.map((m) => m.body.match(new RegExp(`https?://\\S+/${kind}/[A-Za-z0-9_-]+`))).find(Boolean);
      link = found?.[0] ?? null;
      return !!link;
    });
    return link;
  }

  const NEWCOMER = "newcomer@example.com";
  await step("create an account in the app and confirm it through the emailed link", async () => {
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    await (await visible("open-signup")).click();
    await visible("signup-form");
    await waitFor("focus on the name", async () => browser.execute(() => document.activeElement?.getAttribute("name") === "name"), 5_000);
    // Too short a password is named at its field before anything is sent.
    await browser.keys("Nia Newcomer");
    await (await browser.$('[data-testid="signup-form"] input[name="email"]')).setValue(NEWCOMER);
    await (await browser.$('[data-testid="signup-form"] input[name="password"]')).setValue("short");
    await (await visible("signup-submit")).click();
    await waitFor("the password's message", async () => (await text("signup-password-error")).includes("at least 10"));
    await a11y("sign-up");
    await shot("sign-up");
    const password = await browser.$('[data-testid="signup-form"] input[name="password"]');
    await password.clearValue();
    await password.setValue(PASSWORD);
    await (await visible("signup-submit")).click();
    await visible("verify-banner", 30_000);
    await waitFor("the personal workspace, labelled", async () => (await allByTest("org-personal")).length === 1);
    await a11y("verify-banner");
    await shot("verify-banner");
    const link = await emailedLink(NEWCOMER, "verify");
    await (await visible("verify-link")).setValue(link);
    await (await visible("verify-submit")).click();
    await gone("verify-banner");
    await toastSays(`Confirmed ${NEWCOMER}`);
  });

  await step("forgot password: reset through the emailed link, then signed in with the new password", async () => {
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    await (await visible("open-reset")).click();
    await visible("reset-ask-form");
    await (await browser.$('[data-testid="reset-ask-form"] input[name="email"]')).setValue(NEWCOMER);
    await a11y("reset-ask");
    await (await visible("reset-send")).click();
    await visible("reset-sent");
    // The email's app link, opened as a mail client would: a second launch hands it to the running app.
    await emailedLink(NEWCOMER, "reset");
    const mails = await (await fetch(`${server.url}/v1/dev/outbox?to=${encodeURIComponent(NEWCOMER)}`)).json();
    const appLink = mails.map((m) => m.body.match(/orgdesk:\/\/reset\/[A-Za-z0-9_-]+/)?.[0]).find(Boolean);
    if (!appLink) throw new Error("the reset email has no orgdesk:// link");
    await launchSecond(appLink);
    await waitFor("the link in the form", async () => appLink.endsWith(await (await visible("reset-link")).getValue()));
    await (await browser.$('[data-testid="reset-set-form"] input[name="new-password"]')).setValue("a-new-password-2026");
    await a11y("reset-set");
    await shot("reset-password");
    await (await visible("reset-submit")).click();
    await waitFor("signed in again", async () => (await allByTest("org-personal")).length === 1, 30_000);
    await toastSays("Your password is changed");
    // The old password no longer works.
    const refused = await fetch(`${server.url}/v1/auth/signin`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: NEWCOMER, password: PASSWORD }),
    });
    if (refused.status !== 401) throw new Error(`the old password still signs in (${refused.status})`);
  });

  await step("my account: profile, sessions and the security log", async () => {
    await (await visible("nav-account")).click();
    await visible("screen-account");
    await waitFor("the security log", async () => (await allByTest("security-event")).length > 0);
    const kinds = [];
    for (const event of await allByTest("security-event")) kinds.push(await event.getAttribute("data-kind"));
    if (!kinds.includes("password_reset") || !kinds.includes("sign_in")) throw new Error(`security log kinds: ${kinds}`);
    await waitFor("this session listed", async () => (await browser.$$('[data-testid="session-row"][data-current="true"]')).length === 1);
    await a11y("account");
    await shot("account");
    const name = await browser.$('[data-testid="screen-account"] input[name="name"]');
    await waitFor("the profile form", async () => (await name.getValue()) === "Nia Newcomer");
    await name.clearValue();
    await name.setValue("Nia N. Newcomer");
    await (await visible("profile-save")).click();
    await toastSays("Profile saved");
    // A new address: the password, then the link emailed to the new address, pasted.
    const moved = "nia.moved@example.com";
    await (await browser.$('[data-testid="email-change-form"] input[name="new-email"]')).setValue(moved);
    await (await browser.$('[data-testid="email-change-form"] input[name="current-password"]')).setValue("a-new-password-2026");
    await (await visible("email-change-send")).click();
    await visible("email-change-confirm");
    await a11y("email-change-confirm");
    await (await visible("email-change-link")).setValue(await emailedLink(moved, "email-change"));
    await (await browser.$('[data-testid="email-change-confirm"] button[type="submit"]')).click();
    await toastSays(`Your address is now ${moved}`);
    await waitFor("the new address shown", async () => (await text("account-email")).includes(moved));
    await waitFor("the account switcher shows the new address", async () =>
      (await browser.execute(() => document.querySelector('select[aria-label="Account"]')?.selectedOptions[0]?.textContent ?? "")).includes(moved));
    const told = await (await fetch(`${server.url}/v1/dev/outbox?to=${encodeURIComponent(NEWCOMER)}`)).json();
    if (!told.some((m) => m.subject === "Your Orgdesk address was changed" && m.body.includes(moved)))
      throw new Error("the old address was not told of the change");
  });

  await step("sign in with the identity provider: the system browser, the provider's pages, back in the app", async () => {
    // An invitation to SSO_LOGIN, opened as a link before signing in: the round trip accepts it.
    const asAgency = await apiAs(server.url, "agency@orgdesk.test", PASSWORD);
    const org = (await asAgency("GET", "/v1/orgs")).find((o) => o.role === "owner" && !o.personal && o.slug !== "northwind");
    const answer = await asAgency("POST", `/v1/orgs/${org.id}/invitations`, { emails: [SSO_LOGIN], role: "member" });
    const token = answer.results[0].invitation.link.split("/invite/")[1];
    await (await browser.$('select[aria-label="Account"]')).selectByAttribute("value", "__add");
    await launchSecond(`orgdesk://invite/${token}`);
    const button = await browser.$('[data-testid="provider-sign-in"][data-provider="test"]');
    await button.waitForDisplayed({ timeout: 15_000 });
    if (!(await button.getText()).includes("Continue with Test SSO")) throw new Error(`the button reads ${await button.getText()}`);
    await a11y("sign-in-with-provider");
    await button.click();
    await visible("provider-waiting");
    const account = () => browser.execute(() => document.querySelector('select[aria-label="Account"]')?.selectedOptions[0]?.textContent ?? "");
    try {
      await waitFor("signed in as the provider's person", async () => (await account()).includes(SSO_LOGIN), 60_000);
    } catch (error) {
      const trail = existsSync(oidcLog) ? readFileSync(oidcLog, "utf8") : "(the browser wrote nothing)";
      throw new Error(`${error.message}; the browser said: ${trail}`);
    }
    await waitFor("their personal workspace", async () => (await allByTest("org-personal")).length === 1);
    await waitFor(`${org.name}, joined through the round trip`, async () =>
      (await browser.$(`[data-testid="org-item"][data-slug="${org.slug}"]`)).isExisting());
    // The account came from the provider with a confirmed address: no banner asks to confirm it.
    if (await (await byTest("verify-banner")).isExisting()) throw new Error("a provider-confirmed address is asked to be confirmed");
    await shot("signed-in-with-provider");
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
  idp?.stop();
  rmSync(files, { recursive: true, force: true });
  rmSync(oidcLog, { force: true });
}
