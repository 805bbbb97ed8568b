// End-to-end test of the desktop app at scale (issue 12): the real app in
// WebKitWebDriver against a real orgdesk-server seeded with --demo-scale
// ("megacorp", 100,000 members, owned by scale@orgdesk.test). In a fresh
// profile: the first sync, search as you type, a sort change, scrolling to the
// last row, and a bulk role change of the org's disabled members (about 600)
// in one request. Run through scripts/test.d/40-e2e.sh, after tests/e2e.mjs.
// Prints what each took; asserts nothing about time.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, waitFor } from "./support.mjs";
import * as axe from "./axe.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "debug/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const LARGE = 100_000;
const SLUG = "megacorp";

const server = new DemoServer(serverBinary, ["--demo-scale"]);
const app = new AppDriver(appBinary, { dataDir: mkdtempSync(join(tmpdir(), "orgdesk-e2e-scale-")) });
let browser;
let passed = 0;

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
  } catch (error) {
    await browser?.saveScreenshot(join(process.cwd(), "docs", "e2e-failure.png")).catch(() => {});
    const seen = await browser?.execute(() => ({
      count: document.querySelector('[data-testid="member-count"]')?.textContent,
      toasts: [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent),
      dialog: document.querySelector('[data-testid="confirm-dialog"]')?.textContent,
    })).catch(() => ({}));
    throw new Error(`scale step "${name}" failed: ${error.message}; the screen showed ${JSON.stringify(seen)}`);
  }
  passed += 1;
  console.log(`ok scale ${passed} - ${name} (${Date.now() - started} ms)`);
}

const byTest = (id) => browser.$(`[data-testid="${id}"]`);
const text = async (id) => (await byTest(id)).getText();
/** "12 of 100,001 members": the shown and the whole count. */
const counts = async () => {
  const [shown, all] = (await text("member-count")).split(" of ").map((s) => Number(s.replace(/[^0-9]/g, "")));
  return { shown, all };
};
const countedQuery = async () => (await byTest("member-count")).getAttribute("data-query");
const rowCount = async () => Number(await (await byTest("member-table")).getAttribute("aria-rowcount")) - 1;

async function main() {
  const seeding = Date.now();
  await server.start();
  console.log(`# the server seeded the scale data in ${Date.now() - seeding} ms (debug build)`);
  await app.startDriver();
  browser = await app.launch();
  await browser.setWindowSize?.(1280, 800).catch(() => {});

  await step("the owner of a 100,000-member org signs in; its first sync fills the table", async () => {
    await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
    await (await browser.$('input[name="server"]')).setValue(server.url);
    await (await browser.$('input[name="email"]')).setValue("scale@orgdesk.test");
    await (await browser.$('input[name="password"]')).setValue("orgdesk-demo-2026");
    await (await browser.$('button[type="submit"]')).click();
    await waitFor("the org list", async () => (await browser.$$('[data-testid="org-item"]')).length > 0, 60_000);
    await (await browser.$(`[data-testid="org-item"][data-slug="${SLUG}"]`)).click();
    const started = Date.now();
    await waitFor("100,001 members", async () => (await counts()).all > LARGE, 600_000);
    await waitFor("the sync to finish", async () => !(await (await browser.$('[role="progressbar"]')).isExisting()), 600_000);
    console.log(`# first sync of ${LARGE.toLocaleString("en-US")} members: ${Date.now() - started} ms`);
    if ((await rowCount()) !== (await counts()).all) throw new Error(`the table announces ${await rowCount()} rows`);
    await axe.checkA11y(browser, "members-100k");
  });

  await step("search as you type narrows 100,000 members, and clearing it brings them back", async () => {
    const search = await byTest("member-search");
    for (const query of ["z", "zo", "zoe"]) {
      await search.addValue(query.at(-1));
      await waitFor(`the count for "${query}"`, async () => (await countedQuery()) === query);
    }
    const { shown, all } = await counts();
    if (!(shown > 0 && shown < all)) throw new Error(`"zoe" matched ${shown} of ${all}`);
    const rows = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="member-row"]')].slice(0, 5).map((r) => r.textContent.toLowerCase()));
    for (const row of rows) if (!row.includes("zoe")) throw new Error(`a row without "zoe": ${row}`);
    // Cleared by keystrokes (clearValue sends no input event).
    await search.click();
    await browser.keys(["Control", "a"]);
    await browser.keys(["Backspace"]);
    await waitFor("the whole org again", async () => (await countedQuery()) === "" && (await counts()).shown === (await counts()).all);
  });

  await step("scroll to the end of 100,000 members: the last row paints, sorted by name and reversed", async () => {
    const toLast = () => browser.executeAsync((done) => {
      const scroller = document.querySelector('[data-testid="member-table"] .scroller');
      const total = Number(document.querySelector('[data-testid="member-table"]').getAttribute("aria-rowcount"));
      const started = performance.now();
      scroller.scrollTop = scroller.scrollHeight;
      const check = () => {
        const last = document.querySelector(`[data-testid="member-row"][aria-rowindex="${total}"]`);
        if (last) requestAnimationFrame(() => done({ ms: performance.now() - started, email: last.dataset.email }));
        else requestAnimationFrame(check);
      };
      check();
    });
    const last = await toLast();
    console.log(`# scroll to the end: ${last.ms.toFixed(0)} ms to the last row painted (${last.email})`);
    // Reversing the order puts the last row first.
    await (await browser.$('[role="columnheader"][aria-sort="ascending"] button')).click();
    const firstEmail = async () => (await browser.$('[data-testid="member-row"][aria-rowindex="2"]')).getAttribute("data-email");
    await browser.execute(() => { document.querySelector('[data-testid="member-table"] .scroller').scrollTop = 0; });
    await waitFor("the order reversed", async () => (await firstEmail()) === last.email, 60_000);
    await (await browser.$('[role="columnheader"][aria-sort="descending"] button')).click();
    await waitFor("the order back", async () => (await firstEmail()) !== last.email, 60_000);
  });

  await step("bulk role change of the disabled members (about 600) in one request, rows updated", async () => {
    await (await browser.$('select[aria-label="Filter by status"]')).selectByAttribute("value", "disabled");
    await (await browser.$('select[aria-label="Filter by role"]')).selectByAttribute("value", "member");
    await waitFor("the disabled members", async () => { const { shown } = await counts(); return shown > 400 && shown < 1000; }, 60_000);
    const { shown } = await counts();
    await (await browser.$('input[aria-label="Select all shown"]')).click();
    await (await byTest("bulk-bar")).waitForDisplayed({ timeout: 30_000 });
    await (await browser.$('select[aria-label="New role for selected"]')).selectByAttribute("value", "billing");
    await (await byTest("bulk-apply")).click();
    await waitFor("the confirmation", async () => (await text("confirm-dialog")).includes(`Make ${shown.toLocaleString("en-US")} members Billing`) ||
      (await text("confirm-dialog")).includes(`Make ${shown} members Billing`));
    const started = Date.now();
    await (await byTest("confirm-button")).click();
    await waitFor("the toast", async () => {
      for (const toast of await browser.$$('[data-testid="toast"]')) if ((await toast.getText()).includes("Made ")) return true;
      return false;
    }, 120_000);
    console.log(`# bulk role change of ${shown} members: ${Date.now() - started} ms from the confirmation to the toast`);
    // The filter (disabled members) now matches none of them: they are billing.
    await waitFor("no disabled member left", async () => (await counts()).shown === 0, 60_000);
    await (await browser.$('select[aria-label="Filter by role"]')).selectByAttribute("value", "billing");
    await waitFor("them as billing", async () => (await counts()).shown >= shown, 60_000);
    const row = await browser.$('[data-testid="member-row"]');
    if ((await (await row.$('[data-testid="member-role"]')).getValue()) !== "billing") throw new Error("a row is not billing");
  });

  console.log(`scale: ${passed} steps passed`);
}

try {
  await main();
} finally {
  await app.stop().catch(() => {});
  await server.stop().catch(() => {});
}
