// Drives the app's real GTK file dialogs with xdotool (Debian package
// `xdotool`). Under Xvfb there is no window manager: a dialog is one more
// top-level window, found by its title, focused explicitly and typed into.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { sleep } from "./support.mjs";

function xdotool(...args) {
  return new Promise((resolve, reject) => {
    execFile("xdotool", args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve(stdout.trim());
    });
  });
}

/** Ids of the visible top-level windows whose title matches `title` (a regular expression). */
export async function windowsTitled(title) {
  try {
    return (await xdotool("search", "--onlyvisible", "--name", title)).split("\n").filter(Boolean);
  } catch (error) {
    if (error.code === 1 && !error.stderr) return []; // xdotool answers 1 when nothing matches
    throw error;
  }
}

/** GTK's own titles for rfd's dialogs: "Save File" for a save, "Open File" for a pick. */
export const SAVE = "^Save File$";
export const OPEN = "^Open File$";

/** Waits until one dialog titled `title` is on screen and answers its window id. */
export async function waitForDialog(title, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await windowsTitled(title);
    if (found.length === 1) {
      await sleep(300); // let GTK map its widgets before keys arrive
      await debugShot(`${found[0]}-open`);
      return found[0];
    }
    if (found.length > 1) throw new Error(`${found.length} dialogs titled ${title} are open; expected one`);
    if (Date.now() > deadline) throw new Error(`no dialog titled ${title} appeared within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Types `path` into the dialog and presses Enter: Ctrl+L opens the location
 * field (in a save dialog it selects the name field), Ctrl+A replaces the
 * suggested name. Waits until the dialog has closed.
 */
export async function answerDialog(id, path, timeoutMs = 15_000) {
  await xdotool("windowfocus", "--sync", id);
  // Keys go to the focused window through XTEST: GTK ignores keys sent to a window with XSendEvent.
  await xdotool("key", "--clearmodifiers", "ctrl+l");
  await sleep(200);
  await xdotool("key", "--clearmodifiers", "ctrl+a");
  await xdotool("type", "--delay", "20", "--clearmodifiers", path);
  await sleep(300); // GTK's location completion settles
  await debugShot(`${id}-typed`);
  await xdotool("key", "--clearmodifiers", "Return");
  await waitForClosed(id, timeoutMs);
}

/** Presses Escape in the dialog if it is still open (cleanup after a failure). */
export async function dismissDialog(id) {
  if (!(await isOpen(id))) return;
  await xdotool("windowfocus", "--sync", id).catch(() => {});
  await xdotool("key", "Escape").catch(() => {});
  await waitForClosed(id, 5_000).catch(() => {});
}

async function isOpen(id) {
  try {
    await xdotool("getwindowname", id);
    return (await xdotool("search", "--onlyvisible", "--name", ".")).split("\n").includes(id);
  } catch {
    return false;
  }
}

async function waitForClosed(id, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (await isOpen(id)) {
    if (Date.now() > deadline) throw new Error(`the dialog (window ${id}) is still open after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** With ORGDESK_E2E_XSHOTS=<dir>, the X screen at each stage of a dialog, to check the driving by eye. */
async function debugShot(name) {
  const dir = process.env.ORGDESK_E2E_XSHOTS;
  if (dir) await screenshotX(`${dir}/${name}.png`);
}

/** The whole X screen (dialog included; WebDriver's screenshot shows only the web view). */
export function screenshotX(path) {
  return new Promise((resolve) => execFile("import", ["-window", "root", path], () => resolve()));
}

/** Writes a valid `size`×`size` PNG of one colour (RGB 51,102,204). */
export function writePng(path, size = 16) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(size).fill([51, 102, 204]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(size).fill(row)));
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  writeFileSync(path, png);
  return png;
}
