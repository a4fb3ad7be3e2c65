import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PROTOCOL_TAG } from "../../src/workers/protocol.ts";

type Listener = (event: { data?: unknown; error?: unknown; reason?: unknown; message?: unknown }) => void;

/** A Web worker scope on globalThis for the duration of a test; defineWorker sees only these globals. */
let posted: unknown[];
let listeners: Map<string, Listener[]>;
const originals = {
  postMessage: (globalThis as Record<string, unknown>).postMessage,
  addEventListener: (globalThis as Record<string, unknown>).addEventListener,
};

beforeEach(() => {
  posted = [];
  listeners = new Map();
  Object.assign(globalThis, {
    postMessage: (message: unknown) => {
      if (
        typeof message === "object" &&
        message !== null &&
        typeof (message as { value?: unknown }).value === "function"
      ) {
        throw new DOMException("function could not be cloned", "DataCloneError");
      }
      posted.push(message);
    },
    addEventListener: (type: string, listener: Listener) =>
      listeners.set(type, [...(listeners.get(type) ?? []), listener]),
  });
  vi.resetModules();
});

afterEach(() => {
  Object.assign(globalThis, originals);
});

async function loadDefineWorker() {
  return (await import("../../src/workers/define-worker.ts")).defineWorker;
}

const dispatch = (type: string, event: Parameters<Listener>[0]) => {
  for (const listener of listeners.get(type) ?? []) listener(event);
};
const task = (id: number, data: unknown) =>
  dispatch("message", { data: { aral: PROTOCOL_TAG, kind: "task", id, data } });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("defineWorker", () => {
  it("announces ready, answers tasks by id with values or serialized errors", async () => {
    const defineWorker = await loadDefineWorker();
    defineWorker(async (data: { n?: number; fail?: string; fn?: boolean }) => {
      if (data.fail) throw new SyntaxError(data.fail);
      if (data.fn) return () => 1;
      return data.n! * 2;
    });
    expect(posted).toEqual([{ aral: PROTOCOL_TAG, kind: "ready" }]);
    task(7, { n: 21 });
    task(8, { fail: "no good" });
    task(9, { fn: true });
    dispatch("message", { data: { something: "else" } });
    await flush();
    expect(posted[1]).toEqual({ aral: PROTOCOL_TAG, kind: "result", id: 7, ok: true, value: 42 });
    expect(posted[2]).toMatchObject({
      kind: "result",
      id: 8,
      ok: false,
      error: { name: "SyntaxError", message: "no good" },
    });
    expect((posted[2] as { error: { stack: string } }).error.stack).toContain("no good");
    expect(posted[3]).toMatchObject({ kind: "result", id: 9, ok: false, error: { name: "DataCloneError" } });
    expect(posted).toHaveLength(4);
  });

  it("reports a non-Error throw with a description", async () => {
    const defineWorker = await loadDefineWorker();
    defineWorker(() => {
      throw "plain string";
    });
    task(1, null);
    await flush();
    expect(posted[1]).toMatchObject({
      ok: false,
      error: { name: "Error", message: 'non-Error value thrown: "plain string"' },
    });
  });

  it("posts a crash report from the scope's error and unhandledrejection events", async () => {
    const defineWorker = await loadDefineWorker();
    defineWorker(() => 1);
    dispatch("error", { error: new Error("uncaught one"), message: "Uncaught Error: uncaught one" });
    dispatch("unhandledrejection", { reason: new TypeError("rejected one") });
    expect(posted.slice(1)).toMatchObject([
      { kind: "crash", error: { name: "Error", message: "uncaught one" } },
      { kind: "crash", error: { name: "TypeError", message: "rejected one" } },
    ]);
  });

  it("refuses a second handler, a non-function, and a scope without worker globals", async () => {
    const defineWorker = await loadDefineWorker();
    expect(() => defineWorker("nope" as never)).toThrow(TypeError);
    defineWorker(() => 1);
    expect(() => defineWorker(() => 2)).toThrow(/already called/);
    vi.resetModules();
    Object.assign(globalThis, { postMessage: undefined });
    const fresh = await loadDefineWorker();
    expect(() => fresh(() => 1)).toThrow(/not running in a worker/);
  });
});
