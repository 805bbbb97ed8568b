// axe-core (npm axe-core) injected into the running app: each check audits
// the page as it is, in the light and the dark theme, and counts violations
// by impact. A critical or serious one fails the check unless
// ORGDESK_AXE_REPORT_ONLY is set (used once to record the counts before the
// fixes). The counts of every check are kept for the run's summary.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const reportOnly = !!process.env.ORGDESK_AXE_REPORT_ONLY;
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const FAILING = new Set(["critical", "serious"]);

/** name → theme → { critical, serious, moderate, minor, rules: [...] } */
export const counts = {};

async function inject(browser) {
  const present = await browser.execute(() => typeof window.axe === "object");
  if (!present) await browser.execute(`${source}\n;window.axe = window.axe || axe;`);
}

async function setTheme(browser, theme) {
  await browser.execute((t) => {
    if (t) document.documentElement.dataset.theme = t;
    else delete document.documentElement.dataset.theme;
  }, theme);
  // Transitions and repaint after the theme switch.
  await new Promise((r) => setTimeout(r, 150));
}

async function runOnce(browser) {
  return browser.executeAsync((tags, done) => {
    window.axe
      .run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
      .then((result) =>
        done(result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
        }))),
      )
      .catch((error) => done({ error: String(error) }));
  }, TAGS);
}

/**
 * Audits the current page in light and dark. Answers the violations; throws
 * (listing each failing rule and node) when one is critical or serious.
 */
export async function checkA11y(browser, name) {
  await inject(browser);
  const failures = [];
  for (const theme of ["light", "dark"]) {
    await setTheme(browser, theme);
    const violations = await runOnce(browser);
    if (violations.error) throw new Error(`axe failed on ${name}: ${violations.error}`);
    const tally = { critical: 0, serious: 0, moderate: 0, minor: 0, rules: [] };
    for (const v of violations) {
      tally[v.impact] = (tally[v.impact] ?? 0) + v.nodes.length;
      tally.rules.push(`${v.impact} ${v.id} ×${v.nodes.length}`);
      (tally.nodes ??= []).push(...v.nodes.slice(0, 3).map((n) => `${v.id}: ${n.target}`));
      if (FAILING.has(v.impact)) {
        for (const node of v.nodes.slice(0, 5)) failures.push(`[${theme}] ${v.impact} ${v.id}: ${node.target} — ${v.help}`);
      }
    }
    (counts[name] ??= {})[theme] = tally;
  }
  await setTheme(browser, "");
  if (failures.length && !reportOnly) throw new Error(`axe on ${name}:\n  ${failures.join("\n  ")}`);
  return counts[name];
}

/** One line per check and theme: the counts by impact. */
export function summary() {
  const lines = [];
  for (const [name, themes] of Object.entries(counts)) {
    for (const [theme, t] of Object.entries(themes)) {
      lines.push(`# axe ${name} [${theme}]: critical ${t.critical}, serious ${t.serious}, moderate ${t.moderate}, minor ${t.minor}${t.rules.length ? ` (${t.rules.join("; ")})` : ""}`);
    }
  }
  return lines.join("\n");
}

export function writeReport(path) {
  writeFileSync(path, `${JSON.stringify(counts, null, 2)}\n`);
}
