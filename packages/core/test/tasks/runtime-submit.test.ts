// AralRuntime.submit() checks a task the same way on every path: with tracing on, and while the resource monitor
// reports the runtime degraded (admission first), junk is refused with the queue's TaskQueueConfigError and an
// already-aborted signal with TaskCancelledError, exactly as on the plain path.
import { describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { ResourceDegradedError } from "../../src/resources/errors.ts";
import { TaskCancelledError, TaskQueueConfigError } from "../../src/tasks/index.ts";
import { until, within } from "../wait.ts";

function runtime(manifest: Record<string, unknown>): AralRuntime {
  return new AralRuntime(
    { logging: { level: "error" }, lifecycle: { healthcheck: { enabled: false } }, ...manifest } as never,
    { platform: createPlatform(), logSink: () => {}, handleSignals: false, env: {} },
  );
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe("AralRuntime.submit input checks", () => {
  it("with tracing on, refuses a task that is not a function with TaskQueueConfigError and accepts nothing", async () => {
    const r = runtime({ observability: { tracing: { enabled: true, exporter: "global" } } });
    await r.start();
    try {
      for (const junk of [undefined, "do it", { run() {} }, Promise.resolve(1)]) {
        const { error } = (await outcome(r.submit(junk as never))) as { error: unknown };
        expect(error).toBeInstanceOf(TaskQueueConfigError);
        expect(error).toMatchObject({ option: "fn" });
      }
      expect(r.tasks.stats()).toMatchObject({ accepted: 0, failed: 0 });
      await expect(r.submit(async (_signal) => "traced")).resolves.toBe("traced");
    } finally {
      await r.stop();
    }
  });

  it("while degraded, checks the task before admission: the same errors as the plain path", async () => {
    for (const fallback of ["reject", "shed"] as const) {
      const r = runtime({
        resources: { memory: { limit: "16Mi" }, fallback, monitor: { enabled: true, interval: 100 } },
      });
      await r.start();
      try {
        await until("the monitor to report degraded", () => r.monitor?.degraded === true);
        const aborted = new AbortController();
        aborted.abort(new Error("caller gone"));
        const cases = {
          preAborted: await outcome(r.submit(async (_signal) => 1, { signal: aborted.signal })),
          fakeSignal: await outcome(
            r.submit(async (_signal) => 1, { signal: { aborted: true, reason: "x" } as never }),
          ),
          badFn: await outcome(r.submit("nope" as never)),
          badPriority: await outcome(r.submit(async (_signal) => 1, { priority: "HIGH" as never })),
        };
        expect((cases.preAborted as { error: unknown }).error).toBeInstanceOf(TaskCancelledError);
        expect((cases.fakeSignal as { error: unknown }).error).toMatchObject({
          name: "TaskQueueConfigError",
          option: "signal",
        });
        expect((cases.badFn as { error: unknown }).error).toMatchObject({ name: "TaskQueueConfigError", option: "fn" });
        expect((cases.badPriority as { error: unknown }).error).toMatchObject({
          name: "TaskQueueConfigError",
          option: "priority",
        });
        const good = await outcome(r.submit(async (_signal) => "ran"));
        if (fallback === "reject") expect((good as { error: unknown }).error).toBeInstanceOf(ResourceDegradedError);
        else expect(good).toEqual({ value: "ran" });
        // only the pre-aborted task was accepted (and cancelled), as on the plain path
        expect(r.tasks.stats()).toMatchObject({ accepted: fallback === "reject" ? 1 : 2, cancelled: 1 });
      } finally {
        await r.stop();
      }
    }
  });
});

describe("AralRuntime task timeouts", () => {
  it("a task that ignores its timeout's abort frees its slot after the grace and is logged as tasks.abandoned", async () => {
    const lines: string[] = [];
    const r = new AralRuntime(
      {
        logging: { level: "warn" },
        lifecycle: { healthcheck: { enabled: false } },
        tasks: { concurrency: 1, timeout: 50 },
      } as never,
      { platform: createPlatform(), logSink: (line) => void lines.push(line), handleSignals: false, env: {} },
    );
    await r.start();
    try {
      const stuck = outcome(r.submit(() => new Promise(() => {}), { id: "stuck" }));
      const next = r.submit(async () => "ran");
      expect(await next).toBe("ran"); // grace = min(timeout, 5 s) = 50 ms, then the slot is free
      expect((await stuck) as { error: unknown }).toMatchObject({ error: { name: "TaskTimeoutError" } });
      const record = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((l) => l["event"] === "tasks.abandoned");
      expect(record).toMatchObject({ id: "stuck", reason: "timeout", timeoutMs: 50, graceMs: 50, level: 40 });
    } finally {
      await r.stop(false);
    }
  });

  it("a task that ignores the stop's abort is abandoned 5 s later: logged as tasks.abandoned, the queue goes idle", async () => {
    const lines: string[] = [];
    const r = new AralRuntime({ logging: { level: "warn" }, lifecycle: { healthcheck: { enabled: false } } } as never, {
      platform: createPlatform(),
      logSink: (line) => void lines.push(line),
      handleSignals: false,
      env: {},
    });
    await r.start();
    const queue = r.tasks;
    const stuck = outcome(r.submit(() => new Promise(() => {}), { id: "ignores-stop" }));
    await until("the task to start", () => queue.pending === 1);
    const report = await r.stop(false);
    expect(report.tasks).toMatchObject({ accepted: 1, aborted: 1 });
    expect((await stuck) as { error: unknown }).toMatchObject({ error: { name: "ShutdownError", outcome: "aborted" } });
    await within("onIdle() after the stop", queue.onIdle(), 8_000);
    const record = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l["event"] === "tasks.abandoned");
    expect(record).toMatchObject({ id: "ignores-stop", reason: "shutdown", graceMs: 5000, level: 40 });
    expect(record?.["msg"]).toContain("shutdown abort");
    expect(queue.stats()).toMatchObject({ aborted: 1, abandoned: 1, running: 0 });
  }, 15_000);
});
