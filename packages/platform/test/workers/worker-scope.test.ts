import { afterEach, describe, expect, it } from "vitest";
import { installWorkerScope } from "../../src/workers/worker-scope.ts";

const KEYS = ["self", "postMessage", "addEventListener", "removeEventListener", "close", "onmessage"] as const;
const saved = new Map(KEYS.map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)]));

afterEach(() => {
  for (const [key, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, key, descriptor);
    else delete (globalThis as Record<string, unknown>)[key];
  }
});

function fakePort() {
  let listener: (data: unknown) => void = () => {};
  const sent: unknown[] = [];
  return {
    sent,
    deliver: (data: unknown) => listener(data),
    on: (_event: "message", l: (data: unknown) => void) => (listener = l),
    postMessage: (m: unknown) => void sent.push(m),
  };
}

describe("installWorkerScope", () => {
  it("gives the thread Web worker globals over the port, holding messages until the module has loaded", () => {
    const port = fakePort();
    let observe: (error: unknown, kind: "exception" | "rejection") => void = () => {};
    const exits: number[] = [];
    const scope = installWorkerScope(port, {
      exit: (code) => void exits.push(code),
      observeUncaught: (l) => (observe = l),
    });
    const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown> & { onmessage: unknown };
    port.deliver("early");
    const seen: unknown[] = [];
    const listener = (event: { data: unknown }) => seen.push(["listener", event.data]);
    g.addEventListener!("message", listener);
    g.onmessage = (event: { data: unknown }) => seen.push(["onmessage", event.data]);
    expect(seen).toEqual([]);
    scope.loaded();
    port.deliver("late");
    g.removeEventListener!("message", listener);
    port.deliver("last");
    expect(seen).toEqual([
      ["onmessage", "early"],
      ["listener", "early"],
      ["onmessage", "late"],
      ["listener", "late"],
      ["onmessage", "last"],
    ]);
    g.postMessage!({ reply: 1 });
    expect(port.sent).toEqual([{ reply: 1 }]);
    expect(g.self).toBe(globalThis);
    const errors: unknown[] = [];
    g.addEventListener!("error", (event: { error: unknown }) => errors.push(["error", (event.error as Error).message]));
    g.addEventListener!("unhandledrejection", (event: { reason: unknown }) => errors.push(["rejection", event.reason]));
    observe(new Error("boom"), "exception");
    observe("why", "rejection");
    expect(errors).toEqual([
      ["error", "boom"],
      ["rejection", "why"],
    ]);
    g.close!();
    expect(exits).toEqual([0]);
  });
});
