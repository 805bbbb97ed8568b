// Processes and helpers of the desktop end-to-end test: a real orgdesk-server
// with demo data on a temporary SQLite file, tauri-driver in front of
// WebKitWebDriver, and the real app in a temporary profile.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function run(name, command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  const keep = (chunk) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.on("exit", (code) => {
    if (code && !child.stopping) console.error(`${name} exited with ${code}:\n${log.join("")}`);
  });
  child.stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.stopping = true;
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return child;
}

/**
 * The test OpenID provider (tests/oidc/provider.mjs: the `oidc-provider`
 * package) on a loopback port, sending browsers back to `redirectUri`.
 * Answers its issuer URL and a stop function.
 */
export async function startTestProvider(redirectUri) {
  const child = spawn(process.execPath, [join(import.meta.dirname, "oidc", "provider.mjs"), "--redirect-uri", redirectUri], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test provider did not start: ${output}`)), 30_000);
    child.stderr.on("data", (d) => (output += d));
    child.stdout.on("data", (d) => {
      output += d;
      const found = output.match(/^issuer (\S+)$/m);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`the test provider exited (${code}): ${output}`)));
  });
  return { issuer, stop: () => child.kill() };
}

/** The API server on a fixed port and database, stoppable and restartable. */
export class DemoServer {
  /** `args` are extra server flags (e.g. an --oidc-provider), kept across restarts. */
  constructor(binary, args = []) {
    this.binary = binary;
    this.args = args;
    this.dir = mkdtempSync(join(tmpdir(), "orgdesk-e2e-server-"));
    this.databaseUrl = `sqlite://${join(this.dir, "orgdesk.db")}?mode=rwc`;
  }

  async start() {
    this.port ??= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.child = run("orgdesk-server", this.binary, [
      "--demo", "--database-url", this.databaseUrl, "--listen", `127.0.0.1:${this.port}`, ...this.args,
    ]);
    await waitFor("the server's /healthz", async () => (await fetch(`${this.url}/healthz`)).ok, 180_000);
  }

  async stop() {
    await this.child?.stop();
  }
}

/**
 * tauri-driver and app sessions; each session is a fresh app process. The
 * profile is a temporary ORGDESK_DATA_DIR unless `dataDir` is false: then
 * the app uses its default, platform profile (the install test).
 */
export class AppDriver {
  constructor(appBinary, { dataDir, env = {} } = {}) {
    this.appBinary = appBinary;
    this.dataDir = dataDir === false ? null : (dataDir ?? mkdtempSync(join(tmpdir(), "orgdesk-e2e-profile-")));
    this.env = env;
    if (this.dataDir) mkdirSync(this.dataDir, { recursive: true });
  }

  async startDriver() {
    this.port = await freePort();
    const nativePort = await freePort();
    this.driver = run("tauri-driver", "tauri-driver", ["--port", String(this.port), "--native-port", String(nativePort)], {
      ...(this.dataDir ? { ORGDESK_DATA_DIR: this.dataDir } : {}),
      ...this.env,
    });
    await waitFor("tauri-driver", async () => (await fetch(`http://127.0.0.1:${this.port}/status`)).ok, 20_000);
  }

  /** Launches the app and answers the WebDriver browser object. */
  async launch(args = []) {
    const open = () =>
      remote({
        hostname: "127.0.0.1",
        port: this.port,
        logLevel: "error",
        capabilities: { "tauri:options": { application: this.appBinary, args } },
      });
    try {
      this.browser = await open();
    } catch (error) {
      // Seen on the loaded 2-core machine: WebKitWebDriver exits before it
      // starts the app, and the session request hangs. Only when no app
      // process ran is that the driver's failure, worth one fresh driver;
      // an app that started and hung fails the run.
      if (this.appPids().length > 0) throw error;
      console.error(`# the WebDriver session did not start and no app ran (${error.message}); one retry with a fresh tauri-driver`);
      await this.driver?.stop();
      await this.startDriver();
      this.browser = await open();
    }
    return this.browser;
  }

  /** Ends the session and waits until the app process is gone: one profile runs one app, so the next launch must not find it. */
  async quitApp() {
    try {
      await this.browser?.deleteSession();
    } finally {
      this.browser = undefined;
      try {
        await waitFor("the app to exit", async () => this.appPids().length === 0, 20_000);
      } catch {
        // Still running after its session ended: end it, or the next launch would hand over to it.
        console.error(`# the app outlived its WebDriver session; killing ${this.appPids().join(", ")}`);
        for (const pid of this.appPids()) process.kill(Number(pid), "SIGKILL");
        await waitFor("the killed app to exit", async () => this.appPids().length === 0, 10_000);
      }
    }
  }

  /** Processes of this app binary on this driver's profile. */
  appPids() {
    let binary;
    try {
      binary = realpathSync(this.appBinary);
    } catch {
      return [];
    }
    return readdirSync("/proc").filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        if (readlinkSync(`/proc/${pid}/exe`) !== binary) return false;
        const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        return this.dataDir ? env.includes(`ORGDESK_DATA_DIR=${this.dataDir}`) : true;
      } catch {
        return false;
      }
    });
  }

  async stop() {
    await this.quitApp().catch(() => {});
    await this.driver?.stop();
  }
}

/** Resident memory (KiB) of the app process and every process below it (WebKit's), and each one's ("orgdesk 98 MiB"). */
export function treeRssKiB(rootPid, appBinary) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  const below = (pid) => [...parents].filter(([, ppid]) => ppid === pid).map(([child]) => child);
  const descendants = (pid) => below(pid).flatMap((child) => [child, ...descendants(child)]);
  const exe = (pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return "";
    }
  };
  const app = descendants(rootPid).find((pid) => exe(pid) === appBinary);
  if (!app) throw new Error("the app process was not found below tauri-driver");
  let total = 0;
  const names = [];
  for (const pid of [app, ...descendants(app)]) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      total += kib;
      names.push(`${/Name:\s+(\S+)/.exec(status)?.[1]} ${(kib / 1024).toFixed(0)} MiB`);
    } catch {
      // ended meanwhile
    }
  }
  return { kib: total, processes: names };
}

/** Signs in over the API (for test setup only) and answers a JSON caller. */
export async function apiAs(serverUrl, email, password) {
  const signin = await fetch(`${serverUrl}/v1/auth/signin`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const { token } = await signin.json();
  return async (method, path, body) => {
    const response = await fetch(`${serverUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  };
}
