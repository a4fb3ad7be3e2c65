// exporter "global": the runtime's spans go to the TracerProvider an SDK registered with @opentelemetry/api, and with a
// context manager (here a minimal AsyncLocalStorage one, as @opentelemetry/context-async-hooks provides) a dependency
// call made inside a task is that task's child.
import { AsyncLocalStorage } from "node:async_hooks";
import { context, trace, ROOT_CONTEXT, type Context, type ContextManager } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import type { SpanRecord } from "../../src/tracing/index.ts";
import { createSampler } from "../../src/tracing/sampler.ts";
import { DEFAULT_SAMPLER } from "../../src/tracing/sampler-setting.ts";
import { ExportingTracerProvider } from "../../src/tracing/tracer.ts";

class AlsContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

const spans: SpanRecord[] = [];
context.setGlobalContextManager(new AlsContextManager());
trace.setGlobalTracerProvider(
  new ExportingTracerProvider({ trace, context }, (record) => spans.push(record), createSampler(DEFAULT_SAMPLER)),
);
afterAll(() => {
  trace.disable();
  context.disable();
});

describe('observability.tracing.exporter "global"', () => {
  it("sends spans to the registered provider; a dependency call inside a task is the task's child", async () => {
    const runtime = new AralRuntime(
      {
        observability: { tracing: { enabled: true, exporter: "global" } },
        errorHandling: { maxRetries: 1 },
        lifecycle: { healthcheck: { enabled: false } },
      },
      { platform: createPlatform(), logSink: () => {}, handleSignals: false, env: {} },
    );
    await runtime.start();
    await runtime.submit(() => runtime.callDependency("db", async () => "row"), { priority: "high", id: "job-1" });
    await runtime.stop();
    const task = spans.find((s) => s.name === "aral.task")!;
    const dependency = spans.find((s) => s.name === "aral.dependency")!;
    expect(task.attributes).toEqual(
      expect.arrayContaining([
        { key: "aral.task.id", value: { stringValue: "job-1" } },
        { key: "aral.task.outcome", value: { stringValue: "completed" } },
      ]),
    );
    expect(dependency.parentSpanId).toBe(task.spanId);
    expect(dependency.traceId).toBe(task.traceId);
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(["aral.lifecycle.starting", "aral.lifecycle.stopping"]),
    );
  });
});
