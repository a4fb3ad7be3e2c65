import { CircuitOpenError, RuntimeError } from "@aral/core";
import { createLimitedFetch } from "@aral/core/resources";
import { withTimeout } from "@aral/core/resilience";
import { systemClock } from "@aral/platform";
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
      const first = (await rejects(
        () => runtime.callDependency("llm-api", failing),
        { instance: RuntimeError, message: /llm-api failed after 2 attempts/ },
        "first call",
      )) as RuntimeError;
      equal((first.cause as Error).message, "upstream 503", "cause of the exhausted retry");
      equal(calls, 2, "calls made by the first callDependency (maxRetries 2)");
      const open = (await rejects(
        () => runtime.callDependency("llm-api", failing),
        { instance: CircuitOpenError },
        "call while open",
      )) as CircuitOpenError;
      ok(open.retryAfterMs > 0, `CircuitOpenError says when to retry (retryAfterMs ${open.retryAfterMs})`);
      equal(calls, 2, "an open circuit makes no call and is not retried");
      equal(runtime.circuitBreaker("llm-api").state, "open", "breaker state");
      equal(
        await runtime.callDependency("other-api", async () => "fine"),
        "fine",
        "another dependency has its own breaker",
      );
      ok(
        log.records.some((r) => r["event"] === "resilience.circuit" && r["to"] === "open"),
        "the transition to open was logged",
      );
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
      for (let i = 0; i < 3; i++)
        await rejects(() => runtime.callDependency("db", failing), { instance: RuntimeError }, `call ${i + 1}`);
      equal(calls, 6, "every call retried, none cut short by a breaker");
    },
  },
  {
    name: "timeouts: every timeout past 2^31-1 ms is refused at the API with a typed error naming it (as the manifest does), and the clock never fires a long sleep early",
    capability: "runtime.resilience",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx);
      await runtime.start();
      const huge = 1e12;
      await rejects(
        () => runtime.submit(async () => "done", { timeoutMs: huge }),
        { message: /timeoutMs.*2147483647/ },
        "submit(fn, { timeoutMs: 1e12 })",
      );
      await rejects(
        () => runtime.submit(async () => "done", { timeoutMs: Infinity }),
        { message: /timeoutMs must be a finite number/ },
        "submit(fn, { timeoutMs: Infinity })",
      );
      await rejects(
        async () => runtime.addHealthCheck("slow", () => true, { timeoutMs: 2 ** 31 }),
        { message: /timeoutMs.*2147483647/ },
        "addHealthCheck(…, { timeoutMs: 2^31 })",
      );
      await rejects(() => withTimeout(async () => 1, huge), { message: /2147483647/ }, "withTimeout(fn, 1e12)");
      await rejects(
        async () => createLimitedFetch({ fetch: ctx.platform.net.fetch, timeout: huge }),
        { instance: RangeError, message: /2147483647/ },
        "createLimitedFetch({ timeout: 1e12 })",
      );
      equal(
        await runtime.submit(async () => "done", { timeoutMs: 2 ** 31 - 1 }),
        "done",
        "submit with the largest timeout",
      );
      // Handed to setTimeout whole, 2^31 ms fires after ~1 ms on every runtime.
      const cancel = new AbortController();
      const long = systemClock.sleep(2 ** 31 + 5, cancel.signal).then(
        () => "fired",
        () => "cancelled",
      );
      const outcome = await Promise.race([
        long,
        new Promise((resolve) => setTimeout(() => resolve("still waiting"), 200)),
      ]);
      cancel.abort();
      equal(outcome, "still waiting", "systemClock.sleep(2^31 + 5 ms) after 200 ms");
      equal(await long, "cancelled", "the long sleep, aborted");
    },
  },
]);
