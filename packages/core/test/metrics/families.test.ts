import { describe, expect, it } from "vitest";
import { MetricsError, MetricsRegistry, RuntimeFamilies } from "../../src/metrics/index.ts";
import { TaskQueue } from "../../src/tasks/index.ts";
import { promtoolCheck, promtoolMissing } from "./promtool.ts";

describe("constant labels", () => {
  it("go on every sample, first; a clash with a metric's own label is refused", () => {
    const registry = new MetricsRegistry();
    registry.counter("x_total", "X.", ["kind"]).inc({ kind: "a" });
    registry.setConstantLabels({ agent: 'a"b', instance_id: "i-1" });
    registry.gauge("y", "Y.").set(2);
    const text = registry.render();
    expect(text).toContain('x_total{agent="a\\"b",instance_id="i-1",kind="a"} 1\n');
    expect(text).toContain('y{agent="a\\"b",instance_id="i-1"} 2\n');
    expect(() => registry.gauge("z", "Z.", ["agent"])).toThrow(MetricsError);
    expect(() => registry.setConstantLabels({ kind: "k" })).toThrow(/clashes/);
    expect(() => registry.setConstantLabels({ "bad-name": "k" })).toThrow(MetricsError);
  });
});

describe("TaskQueue for the task families", () => {
  it("counts queued and running tasks per priority, and reports each settled run time", async () => {
    const durations: number[] = [];
    const queue = new TaskQueue({ concurrency: 1, onRunSettled: (ms) => durations.push(ms) });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tasks = [
      queue.add(() => gate, { priority: "low" }),
      queue.add(() => gate, { priority: "high" }),
      queue.add(() => gate, { priority: "high" }),
      queue.add(() => gate, { priority: 7 }),
    ];
    const cancel = new AbortController();
    const cancelled = queue.add(() => gate, { priority: "low", signal: cancel.signal }).catch((e: Error) => e.name);
    cancel.abort();
    expect(await cancelled).toBe("TaskCancelledError");
    expect(queue.byPriority()).toEqual([
      { priority: 20, queued: 2, running: 0 },
      { priority: 7, queued: 1, running: 0 },
      { priority: -10, queued: 0, running: 1 },
    ]);
    release();
    await Promise.all(tasks);
    expect(queue.byPriority()).toEqual([]);
    expect(durations).toHaveLength(4);
    expect(() => new TaskQueue({ onRunSettled: 1 as never })).toThrow(/onRunSettled/);
  });
});

describe("RuntimeFamilies", () => {
  it.skipIf(promtoolMissing !== undefined)(
    `render promtool-clean even with every source present${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ""}`,
    () => {
      const registry = new MetricsRegistry();
      registry.setConstantLabels({ agent: "a", instance_id: "i" });
      const families = new RuntimeFamilies(registry);
      families.taskDuration.observe(0.2);
      families.retries.inc({ context: "db" });
      families.breakerTransitions.inc({ dependency: "db", to: "open" });
      const zero = {
        accepted: 0,
        completed: 0,
        failed: 0,
        timedOut: 0,
        cancelled: 0,
        returned: 0,
        aborted: 0,
        rejected: 0,
      };
      families.collect(
        {
          tasks: {
            counts: { ...zero, accepted: 3, completed: 1 },
            byPriority: [{ priority: 5, queued: 2, running: 1 }],
            waiting: 0,
          },
          breakers: [{ name: "db", state: "open" }],
          resources: { leases: 1, memory: { limit: 100, allocated: 10 }, cpu: { limit: null, allocated: 0.5 } },
          monitor: { memoryRatio: 0.5, disk: [{ root: "/data", usedRatio: 0.25 }], degraded: false, throttled: true },
          health: { db: { ok: true, durationMs: 12, lastRun: new Date() } },
          fetch: {
            inFlight: 1,
            waiting: 0,
            counts: { requests: 4, timeouts: 1, responseBytes: 2048, requestBytes: 10 },
          },
          eventLoopLag: { lastMs: 3, maxMs: 9 },
          runtime: { name: "node", version: "24.0.0" },
        },
        { tasks: { ...zero, accepted: 10 }, fetch: { requests: 1, timeouts: 0, responseBytes: 100, requestBytes: 5 } },
      );
      const text = registry.render();
      expect(text).toContain('aral_tasks_accepted_total{agent="a",instance_id="i"} 13\n');
      expect(text).toContain('aral_tasks_queued{agent="a",instance_id="i",priority="5"} 2\n');
      expect(text).toContain('aral_tasks_queued{agent="a",instance_id="i",priority="normal"} 0\n');
      expect(text).toContain('aral_fetch_requests_total{agent="a",instance_id="i"} 5\n');
      expect(text).toContain('aral_fetch_response_bytes_total{agent="a",instance_id="i"} 2148\n');
      expect(text).toContain('aral_fetch_request_bytes_total{agent="a",instance_id="i"} 15\n');
      expect(text).not.toContain("aral_resource_cpu_limit_cores");
      expect(promtoolCheck(text)).toEqual({ code: 0, output: "" });
    },
  );
});
