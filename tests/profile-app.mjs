// Where the desktop app's time goes: prints the WebView's own timeline of a
// cold start to the cached 10,000-member list and of an org switch, from
// the User Timing entries the UI records (`ui/src/lib/trace.ts`: every
// command's round trip, the first script line, the mount) and the
// navigation and resource timings. A measurement, asserts nothing.
// Run through scripts/profile-app.sh (Xvfb, D-Bus, gnome-keyring).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppDriver, DemoServer, waitFor } from "./support.mjs";

const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/orgdesk-target`;
const appBinary = process.env.ORGDESK_APP_BIN ?? join(target, "release/orgdesk");
const serverBinary = process.env.ORGDESK_SERVER_BIN ?? join(target, "debug/orgdesk-server");
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 3);
// PROFILE_SCALE=1: the cold start of the scale seed's 100,000-member "megacorp" instead (no switch).
const SCALE = process.env.PROFILE_SCALE === "1";
const [EMAIL, SLUG, MEMBERS] = SCALE ? ["scale@orgdesk.test", "megacorp", 100000] : ["agency@orgdesk.test", "northwind", 10000];

const PAINTED = `
  const section = document.querySelector('[data-org-slug="${SLUG}"]');
  const count = document.querySelector('[data-testid="member-count"]');
  return !!section && !!section.querySelector('[data-testid="member-row"]') &&
    Number((count?.textContent ?? "").split(" of ")[1]?.replace(/[^0-9]/g, "")) >= ${MEMBERS};`;

const untilPainted = (browser, readyBody) =>
  browser.executeAsync(
    new Function("done", `const ready = () => { ${readyBody} };
      const check = () => ready() ? requestAnimationFrame(() => done(performance.now())) : requestAnimationFrame(check);
      check();`),
  );

/** The page's timeline since `from` (ms on the page's clock), one line per entry, in start order. */
const timeline = (browser, from = 0) =>
  browser.execute((from) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const rows = [];
    if (nav && from === 0) {
      rows.push([0, nav.responseEnd, "navigation: page response"]);
      rows.push([nav.domInteractive, 0, "navigation: DOM interactive"]);
    }
    for (const e of performance.getEntriesByType("resource")) if (e.startTime >= from) rows.push([e.startTime, e.duration, `resource ${e.name.split("/").pop()}`]);
    for (const e of performance.getEntriesByType("mark")) if (e.startTime >= from) rows.push([e.startTime, 0, `mark ${e.name}`]);
    for (const e of performance.getEntriesByType("measure")) if (e.startTime >= from) rows.push([e.startTime, e.duration, e.name]);
    rows.sort((a, b) => a[0] - b[0]);
    return rows.map(([t, d, name]) => `${t.toFixed(1).padStart(8)} ms ${d ? `+${d.toFixed(1)}`.padStart(8) : "        "}  ${name}`).join("\n");
  }, from);

async function main() {
  const server = new DemoServer(serverBinary, SCALE ? ["--demo-scale"] : []);
  const dataDir = mkdtempSync(join(tmpdir(), "orgdesk-profile-"));
  const app = new AppDriver(appBinary, { dataDir });
  try {
    await server.start();
    await app.startDriver();
    let browser = await app.launch();
    await (await browser.$('input[name="server"]')).waitForDisplayed({ timeout: 30_000 });
    await (await browser.$('input[name="server"]')).setValue(server.url);
    await (await browser.$('input[name="email"]')).setValue(EMAIL);
    await (await browser.$('input[name="password"]')).setValue("orgdesk-demo-2026");
    await (await browser.$('button[type="submit"]')).click();
    await waitFor("orgs", async () => (await browser.$$('[data-testid="org-item"]')).length > 0);
    for (const slug of SCALE ? [SLUG] : ["acme-robotics", "northwind"]) {
      await (await browser.$(`[data-testid="org-item"][data-slug="${slug}"]`)).click();
      await waitFor(`${slug} shown`, async () => (await browser.$(`[data-org-slug="${slug}"] [data-testid="member-row"]`)).isExisting(), 60_000);
      await waitFor("sync to finish", async () => !(await (await browser.$('[role="progressbar"]')).isExisting()), 900_000);
    }
    await app.quitApp();

    for (let round = 0; round < ROUNDS; round++) {
      browser = await app.launch();
      const painted = await untilPainted(browser, PAINTED);
      console.log(`\n== cold start ${round + 1}: the cached ${MEMBERS.toLocaleString("en-US")}-member list painted at ${painted.toFixed(1)} ms (page clock)`);
      console.log(await timeline(browser));
      console.log("elements:", await browser.execute(() => document.getElementsByTagName("*").length));
      if (round < ROUNDS - 1) await app.quitApp();
    }
    if (SCALE) return;

    const switchTo = (slug) =>
      browser.executeAsync(
        new Function("slug", "done", `const start = performance.now();
          performance.mark("switch: click " + slug);
          document.querySelector('[data-testid="org-item"][data-slug="' + slug + '"]').click();
          performance.mark("switch: click handled");
          const frames = () => { performance.mark("frame"); if (performance.now() - start < 400) requestAnimationFrame(frames); };
          requestAnimationFrame(frames);
          const check = () => {
            const section = document.querySelector('[data-org-slug="' + slug + '"]');
            if (section && section.querySelector('[data-testid="member-row"]')) {
              performance.mark("switch: rows in the DOM");
              requestAnimationFrame(() => { performance.mark("switch: frame"); done([start, performance.now() - start]); });
            } else requestAnimationFrame(check);
          };
          check();`),
        slug,
      );
    await switchTo("acme-robotics");
    await new Promise((r) => setTimeout(r, 1500));
    const SWITCHES = Number(process.env.PROFILE_SWITCHES ?? ROUNDS);
    for (let round = 0; round < SWITCHES; round++) {
      for (const slug of ["northwind", "acme-robotics"]) {
        const [start, took] = await switchTo(slug);
        await new Promise((r) => setTimeout(r, 300));
        console.log(`\n== switch to ${slug}: rows painted after ${took.toFixed(1)} ms`);
        console.log(await timeline(browser, start - 0.01));
        await new Promise((r) => setTimeout(r, 700));
      }
    }
    await app.quitApp();
  } finally {
    await app.stop();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
