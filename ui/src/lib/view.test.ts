import { describe, expect, it, vi } from "vitest";
import type { Channel } from "./bindings/commands";
import type { ConnectionStatus } from "./bindings/ConnectionStatus";
import type { Snapshot } from "./bindings/Snapshot";
import type { ViewEvent } from "./bindings/ViewEvent";
import { dispatch, watchView } from "./view";

const status: ConnectionStatus = { online: false, last_sync_at: "2026-12-01T10:00:00.000Z", last_error: null, stream: "reconnecting" };
const snapshot = (data: string[], source: "cache" | "network"): Snapshot<string[]> => ({ data, source, synced_at: null, offline: false });

/** A fake channel: the test sends what Rust would. */
function fakeChannel() {
  let deliver: (m: ViewEvent<string[]>) => void = () => {};
  const makeChannel = (onMessage: (m: ViewEvent<string[]>) => void) => {
    deliver = onMessage;
    return {} as Channel<ViewEvent<string[]>>;
  };
  return { makeChannel, send: (m: ViewEvent<string[]>) => deliver(m) };
}

describe("a view's channel", () => {
  it("hands each kind of message to its handler", () => {
    const handlers = { data: vi.fn(), status: vi.fn(), progress: vi.fn(), failed: vi.fn() };
    dispatch({ kind: "data", snapshot: snapshot(["a"], "cache") }, handlers);
    dispatch({ kind: "status", status }, handlers);
    dispatch({ kind: "progress", progress: { org_id: "o", phase: "fetching", pages: 1, members: 200, total: 400 } }, handlers);
    dispatch({ kind: "failed", error: { code: "forbidden", message: "No." } }, handlers);
    expect(handlers.data).toHaveBeenCalledWith(snapshot(["a"], "cache"));
    expect(handlers.status).toHaveBeenCalledWith(status);
    expect(handlers.progress.mock.calls[0][0].members).toBe(200);
    expect(handlers.failed.mock.calls[0][0].code).toBe("forbidden");
  });

  it("without a handler for a kind, that kind is ignored", () => {
    const data = vi.fn();
    dispatch({ kind: "status", status }, { data });
    dispatch({ kind: "failed", error: { code: "internal", message: "x" } }, { data });
    expect(data).not.toHaveBeenCalled();
  });

  it("the cached snapshot, then the fresh one, then changes, in order", async () => {
    const fake = fakeChannel();
    const seen: string[] = [];
    watchView<string[]>(async () => 7, { data: (s) => seen.push(`${s.source}:${s.data.join(",")}`) }, { makeChannel: fake.makeChannel, unwatch: vi.fn(async () => {}) });
    fake.send({ kind: "data", snapshot: snapshot(["a"], "cache") });
    fake.send({ kind: "data", snapshot: snapshot(["a", "b"], "network") });
    fake.send({ kind: "data", snapshot: snapshot(["b"], "cache") });
    expect(seen).toEqual(["cache:a", "network:a,b", "cache:b"]);
  });

  it("stopping ends the watch in Rust and drops later messages", async () => {
    const fake = fakeChannel();
    const unwatch = vi.fn(async () => {});
    const data = vi.fn();
    const stop = watchView<string[]>(async () => 3, { data }, { makeChannel: fake.makeChannel, unwatch });
    await Promise.resolve();
    stop();
    stop();
    fake.send({ kind: "data", snapshot: snapshot(["late"], "cache") });
    expect(data).not.toHaveBeenCalled();
    expect(unwatch).toHaveBeenCalledTimes(1);
    expect(unwatch).toHaveBeenCalledWith(3);
  });

  it("stopped before the watch answered: it is ended once its id comes", async () => {
    const fake = fakeChannel();
    const unwatch = vi.fn(async () => {});
    let answer: (id: number) => void = () => {};
    const stop = watchView<string[]>(() => new Promise<number>((r) => (answer = r)), { data: vi.fn() }, { makeChannel: fake.makeChannel, unwatch });
    stop();
    expect(unwatch).not.toHaveBeenCalled();
    answer(9);
    await new Promise((r) => setTimeout(r, 0));
    expect(unwatch).toHaveBeenCalledWith(9);
  });

  it("a watch that cannot start says why", async () => {
    const fake = fakeChannel();
    const failed = vi.fn();
    watchView<string[]>(async () => Promise.reject({ code: "not_signed_in", message: "Sign in first." }), { data: vi.fn(), failed }, { makeChannel: fake.makeChannel, unwatch: vi.fn(async () => {}) });
    await new Promise((r) => setTimeout(r, 0));
    expect(failed).toHaveBeenCalledWith({ code: "not_signed_in", message: "Sign in first." });
  });
});
