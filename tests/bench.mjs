// Desktop app benchmark: prints numbers, asserts nothing about time.
//   cold start to the cached 10,000-member list painted, against an empty
//   Tauri window (same binary, blank page) in the same run;
//   org switch to rendered rows; RSS of the app's process tree.
// Run through scripts/bench-app.sh (Xvfb, D-Bus, gnome-keyring).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, treeRssKiB, waitFor } from "./support.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "debug/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

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

async function main() {
  const server = new DemoServer(serverBinary);
  const dataDir = mkdtempSync(join(tmpdir(), "orgdesk-bench-profile-"));
  const app = new AppDriver(appBinary, { dataDir });
  const blank = new AppDriver(appBinary, { dataDir, env: { ORGDESK_BENCH_BLANK_WINDOW: "1" } });
  try {
    await server.start();
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
  } finally {
    await app.stop();
    await blank.stop();
    await server.stop();
  }
}

await main();
