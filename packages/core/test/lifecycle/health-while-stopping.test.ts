import { describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { until } from "../wait.ts";

interface Report {
  checks: Record<string, { lastRun: string | null; ok: boolean }>;
}

describe("health while a graceful stop drains", () => {
  it("the process stays live (/health/live 200, the built-in check passing, no 'health check failing') and is not ready", async () => {
    const lines: string[] = [];
    const runtime = new AralRuntime(
      {
        logging: { level: "info" },
        health: { enabled: true },
        lifecycle: { healthcheck: { enabled: true, interval: 20, timeout: 500 }, shutdownTimeout: 10_000 },
      } as never,
      { platform: createPlatform(), logSink: (line) => void lines.push(line), handleSignals: false, env: {} },
    );
    await runtime.start();
    const url = runtime.healthUrl!.replace(/\/$/, "");
    let release!: () => void;
    const draining = runtime.submit(() => new Promise<void>((resolve) => (release = resolve)));
    await until("the task to run", () => runtime.tasks.stats().running === 1);
    const stopped = runtime.stop();
    await until("the stop to begin", () => runtime.getStatus() === "stopping");
    const before = ((await (await fetch(`${url}/health`)).json()) as Report).checks["runtime"]!.lastRun;
    // a health round while stopping: the built-in check has run during the drain
    let report: Report;
    const deadline = Date.now() + 10_000;
    for (;;) {
      report = (await (await fetch(`${url}/health`)).json()) as Report;
      if (report.checks["runtime"]!.lastRun !== before) break;
      if (Date.now() > deadline) throw new Error("no health round ran during the stop within 10 s");
    }
    const live = await fetch(`${url}/health/live`);
    const ready = await fetch(`${url}/health/ready`);
    await live.body?.cancel();
    await ready.body?.cancel();
    expect(runtime.getStatus()).toBe("stopping");
    expect(report.checks["runtime"]!.ok).toBe(true);
    expect(live.status).toBe(200);
    expect(ready.status).toBe(503);
    release();
    await draining;
    await stopped;
    expect(lines.filter((line) => line.includes("health check failing"))).toEqual([]);
  });
});
