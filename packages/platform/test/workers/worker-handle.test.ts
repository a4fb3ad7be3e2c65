import { describe, expect, it } from "vitest";
import { createWorkerHandle } from "../../src/workers/worker-handle.ts";

function backend() {
  const posted: unknown[] = [];
  let terminations = 0;
  return {
    posted,
    get terminations() {
      return terminations;
    },
    post: (message: unknown) => void posted.push(message),
    terminate: () => {
      terminations++;
      return new Promise<void>((resolve) => setTimeout(resolve, 5));
    },
  };
}

describe("createWorkerHandle", () => {
  it("delivers messages and errors to every subscriber until unsubscribed", () => {
    const controls = createWorkerHandle("w", backend());
    const seen: unknown[] = [];
    const stopA = controls.handle.onMessage((m) => seen.push(["a", m]));
    controls.handle.onMessage((m) => seen.push(["b", m]));
    controls.handle.onError((e) => seen.push(["error", e.message]));
    controls.message(1);
    stopA();
    stopA();
    controls.message(2);
    controls.error(new Error("x"));
    expect(seen).toEqual([
      ["a", 1],
      ["b", 1],
      ["b", 2],
      ["error", "x"],
    ]);
    expect(controls.handle.name).toBe("w");
  });

  it("fires onExit exactly once and nothing after it; postMessage is a no-op once exited", () => {
    const b = backend();
    const controls = createWorkerHandle("w", b);
    const seen: unknown[] = [];
    controls.handle.onMessage((m) => seen.push(m));
    controls.handle.onExit((code) => seen.push(["exit", code]));
    controls.handle.postMessage("before");
    controls.exit(3);
    controls.exit(1);
    controls.message("late");
    controls.error(new Error("late"));
    controls.handle.postMessage("after");
    expect(seen).toEqual([["exit", 3]]);
    expect(b.posted).toEqual(["before"]);
    expect(controls.exited).toBe(true);
  });

  it("terminate() is idempotent, calls the backend once and fires onExit(null)", async () => {
    const b = backend();
    const controls = createWorkerHandle("w", b);
    const exits: (number | null)[] = [];
    controls.handle.onExit((code) => exits.push(code));
    const first = controls.handle.terminate();
    const second = controls.handle.terminate();
    expect(second).toBe(first);
    await first;
    await controls.handle.terminate();
    expect(b.terminations).toBe(1);
    expect(exits).toEqual([null]);
  });

  it("rejects a listener that is not a function with TypeError", () => {
    const controls = createWorkerHandle("w", backend());
    expect(() => controls.handle.onMessage("nope" as never)).toThrow(TypeError);
    expect(() => controls.handle.onExit(undefined as never)).toThrow(/onExit/);
  });
});
