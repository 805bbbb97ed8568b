// Desktop app benchmark: prints numbers, asserts nothing about time.
//   cold start to the cached 10,000-member list painted, against an empty
//   Tauri window (same binary, blank page) in the same run;
//   org switch to rendered rows; RSS of the app's process tree;
//   with BENCH_SCALE=1 (scripts/bench-app.sh sets it; the server seeds
//   --demo-scale): scale@orgdesk.test in a fresh profile, "megacorp" with
//   100,000 members: the same cold start, a keystroke in its search to the
//   filtered rows painted, scrolling to its end, RSS, and a bulk role change
//   of its disabled members (about a thousand).
// Run through scripts/bench-app.sh (Xvfb, D-Bus, gnome-keyring).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, treeRssKiB, waitFor } from "./support.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "debug/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SCALE = process.env.BENCH_SCALE === "1";
const LARGE = 100_000; // the members of the scale seed's "megacorp"
const LARGE_SLUG = "megacorp";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

// In the page: resolves once `ready()` holds on an animation frame, with the
// page's own clock (ms since navigation start).
const untilPainted = (browser, readyBody) =>
  browser.executeAsync(
    new Function("done", `const ready = () => { ${readyBody} };
      const check = () => ready() ? requestAnimationFrame(() => done(performance.now())) : requestAnimationFrame(check);
      check();`),
  );
const NORTHWIND_PAINTED = `
  const section = document.querySelector('[data-org-slug="northwind"]');
  const count = document.querySelector('[data-testid="member-count"]');
  return !!section && !!section.querySelector('[data-testid="member-row"]') &&
    Number((count?.textContent ?? "").split(" of ")[1]?.replace(/[^0-9]/g, "")) >= 10000;`;

let serverUrl;

async function main() {
  const server = new DemoServer(serverBinary, SCALE ? ["--demo-scale"] : []);
  const dataDir = mkdtempSync(join(tmpdir(), "orgdesk-bench-profile-"));
  const app = new AppDriver(appBinary, { dataDir });
  const blank = new AppDriver(appBinary, { dataDir, env: { ORGDESK_BENCH_BLANK_WINDOW: "1" } });
  try {
    await server.start();
    serverUrl = server.url;
    await app.startDriver();
    await blank.startDriver();

    // Sign in once and fill the cache with northwind's 10,000 members.
    let browser = await app.launch();
    await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
    await (await browser.$('input[name="server"]')).setValue(server.url);
    await (await browser.$('input[name="email"]')).setValue("agency@orgdesk.test");
    await (await browser.$('input[name="password"]')).setValue("orgdesk-demo-2026");
    await (await browser.$('button[type="submit"]')).click();
    await waitFor("orgs", async () => (await browser.$$('[data-testid="org-item"]')).length > 0);
    await (await browser.$('[data-testid="org-item"][data-slug="northwind"]')).click();
    await untilPainted(browser, NORTHWIND_PAINTED);
    await waitFor("sync to finish", async () => !(await (await browser.$('[role="progressbar"]')).isExisting()), 120_000);
    await app.quitApp();

    const blankWall = [], blankPage = [], appWall = [], appPage = [];
    let blankRss, appRss;
    for (let round = 0; round < ROUNDS; round++) {
      let t0 = performance.now();
      const empty = await blank.launch();
      blankPage.push(await untilPainted(empty, "return document.readyState === 'complete';"));
      blankWall.push(performance.now() - t0);
      blankRss = treeRssKiB(blank.driver.pid, appBinary);
      await blank.quitApp();

      t0 = performance.now();
      browser = await app.launch();
      appPage.push(await untilPainted(browser, NORTHWIND_PAINTED));
      appWall.push(performance.now() - t0);
      if (round < ROUNDS - 1) await app.quitApp();
    }

    // Org switch, with both orgs' lists cached: click, then the first frame
    // that shows the new org's rows.
    const switchTo = (slug) =>
      browser.executeAsync(
        new Function("slug", "done", `const start = performance.now();
          document.querySelector('[data-testid="org-item"][data-slug="' + slug + '"]').click();
          const check = () => {
            const section = document.querySelector('[data-org-slug="' + slug + '"]');
            if (section && section.querySelector('[data-testid="member-row"]')) requestAnimationFrame(() => done(performance.now() - start));
            else requestAnimationFrame(check);
          };
          check();`),
        slug,
      );
    await switchTo("acme-robotics");
    await waitFor("acme sync", async () => !(await (await browser.$('[role="progressbar"]')).isExisting()), 60_000);
    const toSmall = [], toLarge = [];
    for (let round = 0; round < ROUNDS; round++) {
      toLarge.push(await switchTo("northwind"));
      toSmall.push(await switchTo("acme-robotics"));
    }
    await switchTo("northwind");
    await new Promise((r) => setTimeout(r, 2000));
    appRss = treeRssKiB(app.driver.pid, appBinary);

    const mib = (kib) => (kib / 1024).toFixed(0);
    console.log(`Cold start, empty Tauri window (blank page) painted: ${fmt(blankWall)} wall; in-page ${fmt(blankPage)}`);
    console.log(`Cold start, cached 10,000-member list painted:       ${fmt(appWall)} wall; in-page ${fmt(appPage)}`);
    console.log(`Org switch to a 10,000-member org (cached), rows painted: ${fmt(toLarge)}`);
    console.log(`Org switch to a small org (cached), rows painted:         ${fmt(toSmall)}`);
    console.log(`RSS, empty window, process tree: ${mib(blankRss.kib)} MiB (${blankRss.processes.join(", ")})`);
    console.log(`RSS, 10,000 members loaded, process tree: ${mib(appRss.kib)} MiB (${appRss.processes.join(", ")})`);
    await app.quitApp();
    if (SCALE) await large(blankWall, blankRss);
  } finally {
    await app.stop();
    await blank.stop();
    await server.stop();
  }
}

/** The scale seed's 100,000-member org, as its owner in a fresh profile: cached once, then the same measurements. */
async function large(blankWall, blankRss) {
  const app = new AppDriver(appBinary, { dataDir: mkdtempSync(join(tmpdir(), "orgdesk-bench-scale-")) });
  await app.startDriver();
  let browser = await app.launch();
  await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
  await (await browser.$('input[name="server"]')).setValue(serverUrl);
  await (await browser.$('input[name="email"]')).setValue("scale@orgdesk.test");
  await (await browser.$('input[name="password"]')).setValue("orgdesk-demo-2026");
  await (await browser.$('button[type="submit"]')).click();
  await waitFor("orgs", async () => (await browser.$$('[data-testid="org-item"]')).length > 0, 60_000);
  const PAINTED = `
    const section = document.querySelector('[data-org-slug="${LARGE_SLUG}"]');
    const count = document.querySelector('[data-testid="member-count"]');
    return !!section && !!section.querySelector('[data-testid="member-row"]') &&
      Number((count?.textContent ?? "").split(" of ")[1]?.replace(/[^0-9]/g, "")) >= ${LARGE};`;
  await browser.execute((slug) => document.querySelector(`[data-testid="org-item"][data-slug="${slug}"]`).click(), LARGE_SLUG);
  const t0 = performance.now();
  // The first sync walks 500 pages: poll rather than wait in one script.
  await waitFor("the large org painted", async () => browser.execute(new Function(PAINTED)), 900_000);
  await waitFor("the large sync to finish", async () => !(await (await browser.$('[role="progressbar"]')).isExisting()), 900_000);
  const firstSync = performance.now() - t0;
  console.log(`First sync of the ${LARGE.toLocaleString("en-US")}-member org (not cached): ${firstSync.toFixed(0)} ms`);
  await app.quitApp();
  const wall = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    browser = await app.launch();
    await untilPainted(browser, PAINTED);
    wall.push(performance.now() - started);
    if (round < ROUNDS - 1) await app.quitApp();
  }
  console.log(`Cold start, cached ${LARGE.toLocaleString("en-US")}-member list painted: ${fmt(wall)} wall (${(median(wall) / median(blankWall)).toFixed(2)}× the empty window)`);
  // A keystroke in the search: from the input event to the frame showing the filtered count.
  const keystroke = [];
  for (const query of ["a", "ad", "ada", "ada.o", "k", "ko", "kof", "kofi"]) {
    keystroke.push(await browser.executeAsync(new Function("query", "done", `
      const input = document.querySelector('[data-testid="member-search"]');
      const start = performance.now();
      input.value = query;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      const check = () => {
        const count = document.querySelector('[data-testid="member-count"]');
        if (count?.dataset.query === query && document.querySelector('[data-testid="member-row"]'))
          requestAnimationFrame(() => done(performance.now() - start));
        else requestAnimationFrame(check);
      };
      check();`), query));
  }
  console.log(`Keystroke in the search of ${LARGE.toLocaleString("en-US")} members to filtered rows painted: ${fmt(keystroke)}`);
  // Clear the search, then scroll to the end: the frame showing the last rows.
  await browser.executeAsync(new Function("done", `
    const input = document.querySelector('[data-testid="member-search"]');
    input.value = ""; input.dispatchEvent(new Event("input", { bubbles: true }));
    const check = () => document.querySelector('[data-testid="member-count"]')?.dataset.query === "" ? done() : requestAnimationFrame(check);
    check();`));
  const toEnd = await browser.executeAsync(new Function("done", `
    const scroller = document.querySelector('[data-testid="member-table"] .scroller');
    const total = Number(document.querySelector('[data-testid="member-table"]').getAttribute("aria-rowcount")) - 1;
    const start = performance.now();
    scroller.scrollTop = scroller.scrollHeight;
    const check = () => {
      const last = document.querySelector('[data-testid="member-row"][aria-rowindex="' + (total + 1) + '"]');
      if (last) requestAnimationFrame(() => done(performance.now() - start)); else requestAnimationFrame(check);
    };
    check();`));
  console.log(`Scroll to the end of ${LARGE.toLocaleString("en-US")} members, last row painted: ${toEnd.toFixed(0)} ms`);
  await new Promise((r) => setTimeout(r, 2000));
  const rss = treeRssKiB(app.driver.pid, appBinary);
  const mib = (kib) => (kib / 1024).toFixed(0);
  console.log(`RSS, ${LARGE.toLocaleString("en-US")} members loaded, process tree: ${mib(rss.kib)} MiB (${(rss.kib / blankRss.kib).toFixed(2)}× the empty window; ${rss.processes.join(", ")})`);

  // The selected members to billing and back, each from the confirmation's click to the toast.
  const bulk = [];
  try {
  for (const [from, role] of [["member", "billing"], ["billing", "member"]]) {
    // The disabled members holding `from` (about 600 in the scale seed), all selected, made `role`.
    // Filters and selection through WebDriver (real change events); the timing in the page.
    const shown = async () => Number((await (await browser.$('[data-testid="member-count"]')).getText()).split(" of ")[0].replace(/[^0-9]/g, ""));
    await (await browser.$('select[aria-label="Filter by status"]')).selectByAttribute("value", "disabled");
    await (await browser.$('select[aria-label="Filter by role"]')).selectByAttribute("value", from);
    await waitFor("the disabled members", async () => { const n = await shown(); return n > 0 && n < 1000; }, 60_000);
    const selected = await shown();
    await (await browser.$('input[aria-label="Select all shown"]')).click();
    await (await browser.$('[data-testid="bulk-bar"]')).waitForDisplayed({ timeout: 30_000 });
    await (await browser.$('select[aria-label="New role for selected"]')).selectByAttribute("value", role);
    await (await browser.$('[data-testid="bulk-apply"]')).click();
    await (await browser.$('[data-testid="confirm-button"]')).waitForDisplayed({ timeout: 30_000 });
    bulk.push([await browser.executeAsync(new Function("done", `
      const toasts = document.querySelectorAll('[data-testid="toast"]').length;
      const start = performance.now();
      document.querySelector('[data-testid="confirm-button"]').click();
      const check = () => [...document.querySelectorAll('[data-testid="toast"]')].some((t) => t.textContent.includes("Made ")) &&
        document.querySelectorAll('[data-testid="toast"]').length > toasts ? done(performance.now() - start) : requestAnimationFrame(check);
      check();`)), selected]);
    await browser.execute(() => document.querySelectorAll('[data-testid="toast"] [aria-label="Dismiss"]').forEach((b) => b.click()));
  }
  console.log(`Bulk role change of ${bulk.map((b) => b[1]).join(" and ")} selected members, confirmation to toast: ${bulk.map((b) => b[0].toFixed(0)).join(" ms, ")} ms (one request each)`);
  } catch (error) {
    const seen = await browser.execute(() => ({
      count: document.querySelector('[data-testid="member-count"]')?.textContent,
      toasts: [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent),
      dialog: document.querySelector('[data-testid="confirm-dialog"]')?.textContent,
    })).catch(() => ({}));
    console.log(`# bulk step state: ${JSON.stringify(seen)}`);
    console.log(`Bulk role change in the 100,000-member org: not measured (${String(error.message ?? error).split("\n")[0]})`);
  }
  await app.stop();
}

await main();
