import { CircuitOpenError, RuntimeError } from "@aral/core";
import { equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { runtimeFor } from "./runtime-helpers.ts";

const errorHandling = (enabled: boolean) => ({
  maxRetries: 2,
  backoffMs: 1,
  maxBackoffMs: 5,
  jitter: "none" as const,
  circuitBreaker: { enabled, threshold: 2, timeout: 60_000 },
});

export const runtimeResilienceCases = defineCases([
  {
    name: "runtime: callDependency retries per errorHandling, trips the dependency's breaker at its threshold, then fails fast without calling",
    capability: "runtime.resilience",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx, { errorHandling: errorHandling(true) });
      await runtime.start();
      let calls = 0;
      const failing = async () => {
        calls++;
        throw new Error("upstream 503");
      };
      const first = (await rejects(() => runtime.callDependency("llm-api", failing), { instance: RuntimeError, message: /llm-api failed after 2 attempts/ }, "first call")) as RuntimeError;
      equal((first.cause as Error).message, "upstream 503", "cause of the exhausted retry");
      equal(calls, 2, "calls made by the first callDependency (maxRetries 2)");
      const open = (await rejects(() => runtime.callDependency("llm-api", failing), { instance: CircuitOpenError }, "call while open")) as CircuitOpenError;
      ok(open.retryAfterMs > 0, `CircuitOpenError says when to retry (retryAfterMs ${open.retryAfterMs})`);
      equal(calls, 2, "an open circuit makes no call and is not retried");
      equal(runtime.circuitBreaker("llm-api").state, "open", "breaker state");
      equal(await runtime.callDependency("other-api", async () => "fine"), "fine", "another dependency has its own breaker");
      ok(log.records.some((r) => r["event"] === "resilience.circuit" && r["to"] === "open"), "the transition to open was logged");
    },
  },
  {
    name: "runtime: with circuitBreaker.enabled false, callDependency only retries",
    capability: "runtime.resilience",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { errorHandling: errorHandling(false) });
      await runtime.start();
      let calls = 0;
      const failing = async () => {
        calls++;
        throw new Error("down");
      };
      for (let i = 0; i < 3; i++) await rejects(() => runtime.callDependency("db", failing), { instance: RuntimeError }, `call ${i + 1}`);
      equal(calls, 6, "every call retried, none cut short by a breaker");
    },
  },
]);
