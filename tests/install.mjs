// The installed package, used as a person would: the app from /usr/bin with
// its default profile (under the temporary XDG_* directories that
// scripts/test.d/45-install.sh sets), a sign-in against a demo server, then
// an orgdesk:// link opened through xdg-open — which starts a second
// process from the .desktop entry's Exec line; that one must hand the link
// to the running app and exit. Checks, with WebDriver, that the one window
// shows the linked screen and that one app process runs.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppDriver, DemoServer, waitFor } from "./support.mjs";

const execFileAsync = promisify(execFile);
const appBinary = process.env.ORGDESK_INSTALLED_BIN ?? "/usr/bin/orgdesk";
const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const server = new DemoServer(process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server"));
const app = new AppDriver(appBinary, { dataDir: false });
let passed = 0;
let browser;

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
  } catch (error) {
    await browser?.saveScreenshot(join(process.cwd(), "docs", "install-failure.png")).catch(() => {});
    throw new Error(`step "${name}" failed: ${error.message}`);
  }
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - started} ms)`);
}

const byTest = (id) => browser.$(`[data-testid="${id}"]`);
const appProcesses = () =>
  readdirSync("/proc").filter((pid) => {
    try {
      return /^\d+$/.test(pid) && readlinkSync(`/proc/${pid}/exe`) === appBinary;
    } catch {
      return false;
    }
  });

try {
  await server.start();
  await app.startDriver();

  await step("the installed app starts and signs in against the demo server", async () => {
    browser = await app.launch();
    await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 60_000 });
    await (await browser.$('input[name="server"]')).setValue(server.url);
    await (await browser.$('input[name="email"]')).setValue("agency@orgdesk.test");
    await (await browser.$('input[name="password"]')).setValue("orgdesk-demo-2026");
    await (await browser.$('button[type="submit"]')).click();
    await waitFor("the org list", async () => (await browser.$$('[data-testid="org-item"]')).length > 0, 60_000);
  });

  await step("xdg-open orgdesk://o/northwind/invitations: the running app shows it, one process", async () => {
    await (await byTest("nav-roles")).click();
    await (await byTest("screen-roles")).waitForDisplayed({ timeout: 30_000 });
    await execFileAsync("xdg-open", ["orgdesk://o/northwind/invitations"], { timeout: 30_000 });
    await (await browser.$('[data-testid="nav-invitations"][aria-current="page"]')).waitForDisplayed({ timeout: 30_000 });
    await waitFor("northwind selected", async () =>
      (await (await browser.$('[data-testid="org-item"][aria-current="true"]')).getAttribute("data-slug")) === "northwind");
    // xdg-open returns once it has started the second process; let that one finish handing over.
    await waitFor("one app process", async () => appProcesses().length === 1, 15_000);
    await browser.saveScreenshot(join(process.cwd(), "docs", "screenshots", "installed-link.png"));
  });

  await step("the platform log file exists and holds the link's kind", async () => {
    const dataHome = process.env.XDG_DATA_HOME;
    const log = readFileSync(join(dataHome, "dev.orgdesk.app", "logs", "orgdesk.log"), "utf8");
    if (!log.includes("received an org link")) throw new Error("the log file lacks the link");
  });

  console.log(`1..${passed}\n${passed} passed, 0 failed`);
} finally {
  await app.stop();
  await server.stop();
}
