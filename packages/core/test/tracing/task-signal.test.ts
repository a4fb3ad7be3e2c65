// callDependency(name, fn, { signal }) inside a task: the explicit link between a task and the calls it makes. Without
// tracing it still ties the call to the task (an aborted task stops its call); a signal that is not one is refused by name.
// (That its span is the task span's child with the built-in exporter is checked on Node, Deno and Bun by
// packages/aral/test/observe.test.ts.)
import { describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime, ResilienceConfigError } from "../../src/index.ts";

function runtime(): AralRuntime {
  return new AralRuntime(
    { errorHandling: { maxRetries: 3, backoffMs: 1, jitter: "none" }, lifecycle: { healthcheck: { enabled: false } } },
    { platform: createPlatform(), logSink: () => {}, handleSignals: false, env: {} },
  );
}

describe("callDependency with the task's signal", () => {
  it("an aborted task stops the dependency call it is waiting on, without further retries", async () => {
    const agent = runtime();
    await agent.start();
    const cancel = new AbortController();
    let attempts = 0;
    let callSignal: AbortSignal | undefined;
    let entered!: () => void;
    const inCall = new Promise<void>((resolve) => (entered = resolve));
    const task = agent.submit(
      (signal) =>
        agent.callDependency(
          "slow",
          (s) => {
            attempts++;
            callSignal = s;
            entered();
            return new Promise((_, reject) => s.addEventListener("abort", () => reject(s.reason), { once: true }));
          },
          { signal },
        ),
      { signal: cancel.signal },
    );
    await inCall;
    cancel.abort(new Error("user cancelled"));
    await expect(task).rejects.toThrow();
    expect(callSignal?.aborted).toBe(true);
    expect(attempts).toBe(1);
    await agent.stop();
  });

  it("refuses a signal that is not an AbortSignal with ResilienceConfigError naming it", async () => {
    const agent = runtime();
    await agent.start();
    expect(() => agent.callDependency("db", async () => 1, { signal: "task-1" as unknown as AbortSignal })).toThrow(
      ResilienceConfigError,
    );
    expect(() => agent.callDependency("db", async () => 1, { signal: {} as AbortSignal })).toThrow(
      /callDependency\("db"\): options.signal must be an AbortSignal/,
    );
    await agent.stop();
  });
});
