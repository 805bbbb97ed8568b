#!/usr/bin/env node
// Stands in for the system browser in the end-to-end run: the app runs
// ORGDESK_BROWSER with the provider's sign-in URL. This follows the
// provider's pages with a cookie jar, signs in as $ORGDESK_TEST_OIDC_LOGIN
// on the development login page, consents, follows the Orgdesk server's
// callback, and hands the app the orgdesk:// answer the way a desktop does:
// by starting the app again with the link ($ORGDESK_APP_BIN; the
// single-instance plugin forwards it to the running window). Anything
// unexpected is written to $ORGDESK_TEST_OIDC_LOG and ends it with 1.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";

const log = (line) => process.env.ORGDESK_TEST_OIDC_LOG && appendFileSync(process.env.ORGDESK_TEST_OIDC_LOG, `${line}\n`);
const login = process.env.ORGDESK_TEST_OIDC_LOGIN ?? "sso.person@example.com";
const cookies = new Map();

async function send(url, form) {
  const headers = {};
  if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  let body;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(url, { method: form ? "POST" : "GET", headers, body, redirect: "manual" });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const at = pair.indexOf("=");
    cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  const location = response.headers.get("location");
  return { status: response.status, location: location && new URL(location, url).toString(), text: await response.text() };
}

async function main() {
  let next = process.argv[2];
  for (let hops = 0; hops < 20; hops += 1) {
    if (next.startsWith("orgdesk://")) {
      log(`handing the app ${next.split("?")[0]}`);
      spawn(process.env.ORGDESK_APP_BIN, [next], { detached: true, stdio: "ignore" }).unref();
      return;
    }
    const page = await send(next);
    if (page.location) {
      next = page.location;
      continue;
    }
    const action = page.text.match(/action="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    if (page.status !== 200 || !action) throw new Error(`no form at ${next} (${page.status}): ${page.text.slice(0, 300)}`);
    const target = new URL(action, next).toString();
    const form = page.text.includes('value="login"') ? { prompt: "login", login, password: "x" } : { prompt: "consent" };
    const submitted = await send(target, form);
    if (!submitted.location) throw new Error(`the form at ${next} did not redirect: ${submitted.text.slice(0, 300)}`);
    next = submitted.location;
  }
  throw new Error(`the provider never sent the browser back (last ${next})`);
}

main().catch((error) => {
  log(`browser: ${error.message}`);
  process.exit(1);
});
