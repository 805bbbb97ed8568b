// The installed package, used as a person would: the app from /usr/bin with
// its default profile (under the temporary XDG_* directories that
// scripts/test.d/45-install.sh sets), a sign-in against a demo server, then
// an orgdesk:// link opened through xdg-open — which starts a second
// process from the .desktop entry's Exec line; that one must hand the link
// to the running app and exit. Checks, with WebDriver, that the one window
// shows the linked screen and that one app process runs.
//
// Then updates, from a local HTTP server standing in for the update URL
// (ORGDESK_UPDATE_URL): the app found version 0.1.1 when it started and
// shows it with its notes; the first manifest's signature is a forger's,
// which the app refuses after the download, in words; with the real
// signature it installs the package in place (the plugin runs dpkg -i
// through pkexec, else sudo — here sudo, as root, since CI has no polkit),
// and dpkg then knows version 0.1.1. The package is this run's own, repacked
// under the higher version by scripts/test.d/45-install.sh.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkA11y } from "./axe.mjs";
import { AppDriver, DemoServer, waitFor } from "./support.mjs";

const execFileAsync = promisify(execFile);
const appBinary = process.env.ORGDESK_INSTALLED_BIN ?? "/usr/bin/orgdesk";
const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const server = new DemoServer(process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server"));
const updateDir = process.env.ORGDESK_UPDATE_DIR;
if (!updateDir) throw new Error("ORGDESK_UPDATE_DIR (the signed update package) is not set: run scripts/test.d/45-install.sh");
const NOTES = "Orgdesk 0.1.1\n\n- Invitations expiring today are listed first.\n- Faster member search.";

// The update server: the manifest now served, the files, and what was asked for.
const served = { manifest: null, requests: [] };
const updates = createServer((request, response) => {
  served.requests.push(request.url);
  const file = { "/orgdesk_0.1.1_amd64.deb": "orgdesk_0.1.1_amd64.deb", "/forged.deb": "forged.deb" }[request.url];
  if (request.url === "/latest.json" && served.manifest) {
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served.manifest));
  } else if (file) {
    response.writeHead(200, { "content-type": "application/vnd.debian.binary-package" }).end(readFileSync(join(updateDir, file)));
  } else {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => updates.listen(0, "127.0.0.1", resolve));
const updateBase = `http://127.0.0.1:${updates.address().port}`;
/** A latest.json for 0.1.1 offering `file` with the signature in `file.sig`. */
function manifest(file) {
  const platform = { url: `${updateBase}/${file}`, signature: readFileSync(join(updateDir, `${file}.sig`), "utf8").trim() };
  return {
    version: "0.1.1",
    notes: NOTES,
    pub_date: "2026-12-01T12:00:00Z",
    platforms: { "linux-x86_64-deb": platform, "linux-x86_64-rpm": platform },
  };
}
served.manifest = manifest("forged.deb");
const dpkgVersion = async () =>
  (await execFileAsync("dpkg-query", ["-W", "-f=${Version}", "orgdesk"])).stdout.trim();

const app = new AppDriver(appBinary, { dataDir: false, env: { ORGDESK_UPDATE_URL: `${updateBase}/latest.json` } });
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

  const banner = () => browser.$('[data-testid="update-banner"]');
  await step("the app found the update at start: 'Update available' with its notes, keyboard reachable, axe clean", async () => {
    await (await banner()).waitForDisplayed({ timeout: 30_000 });
    const title = await (await browser.$("#update-title")).getText();
    if (title !== "Update available: Orgdesk 0.1.1") throw new Error(`the banner says "${title}"`);
    const notes = await (await byTest("update-notes")).getText();
    if (!notes.includes("Faster member search.")) throw new Error(`the notes shown are "${notes}"`);
    if (!served.requests.includes("/latest.json")) throw new Error("the app never asked for the manifest");
    // From the top of the main area, Tab reaches "Install update".
    await browser.execute(() => document.getElementById("main").focus());
    await waitFor("Tab to reach Install update", async () => {
      await browser.keys("Tab");
      return browser.execute(() => document.activeElement?.dataset?.testid === "update-install");
    }, 15_000);
    await checkA11y(browser, "update available");
    await browser.saveScreenshot(join(process.cwd(), "docs", "screenshots", "update-available.png"));
  });

  await step("a forged signature is refused after the download, in words, and nothing is installed", async () => {
    await browser.keys("Enter"); // on the focused "Install update"
    await (await browser.$('[data-testid="update-banner"][data-state="failed"]')).waitForDisplayed({ timeout: 120_000 });
    const message = await (await byTest("update-message")).getText();
    if (!message.includes("Orgdesk 0.1.1 was refused: its signature does not match")) throw new Error(`the app says "${message}"`);
    if (!served.requests.includes("/forged.deb")) throw new Error("the package was never downloaded, so no signature was checked");
    const version = await dpkgVersion();
    if (version !== "0.1.0") throw new Error(`dpkg knows orgdesk ${version} after a refused update`);
    await checkA11y(browser, "update refused");
    await browser.saveScreenshot(join(process.cwd(), "docs", "screenshots", "update-refused.png"));
  });

  await step("with the real signature, Install puts 0.1.1 in place (dpkg -i) and the app says to restart", async () => {
    served.manifest = manifest("orgdesk_0.1.1_amd64.deb");
    await (await byTest("update-check")).click();
    await (await browser.$('[data-testid="update-banner"][data-state="available"]')).waitForDisplayed({ timeout: 30_000 });
    await (await byTest("update-install")).click();
    await (await browser.$('[data-testid="update-banner"][data-state="installed"]')).waitForDisplayed({ timeout: 300_000 });
    if (!served.requests.includes("/orgdesk_0.1.1_amd64.deb")) throw new Error("the signed package was never downloaded");
    const version = await dpkgVersion();
    if (version !== "0.1.1") throw new Error(`dpkg knows orgdesk ${version}, not the update 0.1.1`);
    await browser.saveScreenshot(join(process.cwd(), "docs", "screenshots", "update-installed.png"));
  });

  console.log(`1..${passed}\n${passed} passed, 0 failed`);
} finally {
  await app.stop();
  await server.stop();
  updates.close();
}
