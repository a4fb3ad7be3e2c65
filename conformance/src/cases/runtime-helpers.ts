import { AralRuntime } from "@aral/core";
import { memorySink } from "@aral/core/logging";
import type { MemorySink } from "@aral/core/logging";
import type { RuntimeDeps, RuntimeInput } from "@aral/core";
import type { ConformanceContext } from "../harness/case.ts";

/**
 * An AralRuntime on the platform under test, in this process: no signal or uncaught handlers (they
 * belong to the suite's process), logs kept in memory, stopped after the case.
 */
export function runtimeFor(
  ctx: ConformanceContext,
  config?: RuntimeInput,
  deps: RuntimeDeps = {},
): { runtime: AralRuntime; log: MemorySink } {
  const log = memorySink();
  const runtime = new AralRuntime(config, {
    platform: ctx.platform,
    logSink: log,
    handleSignals: false,
    handleUncaught: false,
    exitAfterSignal: false,
    ...deps,
  });
  ctx.defer(() => runtime.stop(false));
  return { runtime, log };
}

/** The lifecycle transitions a runtime logged, as "from→to". */
export function transitions(log: MemorySink): string[] {
  return log.records.filter((r) => r["event"] === "lifecycle.transition").map((r) => `${r["from"]}→${r["to"]}`);
}

/** A task that takes `ms` unless its signal aborts first (then it rejects with the signal's reason). */
export function sleepTask<T = string>(ms: number, value: T = "done" as T) {
  return (signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
}

export { deferred } from "../harness/serve.ts";
