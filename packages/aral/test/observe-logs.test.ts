// Logs that tell the truth (issue 13): the manifest's level from the first record, pino's standard base fields,
// and a StopReport whose totals count the whole run. In-process on Node (the cross-runtime half is observe.test.ts).
import { hostname } from "node:os";
import process from "node:process";
import { describe, expect, it } from "vitest";
import { AralRuntime } from "aral";

function capture(): { lines: Record<string, unknown>[]; sink: (line: string) => void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, sink: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe("runtime logs", () => {
  it('logging.level "warn" holds back the first info record ("runtime starting") too', async () => {
    const { lines, sink } = capture();
    const runtime = new AralRuntime({ logging: { level: "warn" } }, { logSink: sink, handleSignals: false, env: {} });
    await runtime.start();
    await runtime.stop();
    expect(lines.filter((l) => (l["level"] as number) < 40)).toEqual([]);
  });

  it("at the default level the transitions are logged in order, starting first", async () => {
    const { lines, sink } = capture();
    const runtime = new AralRuntime({}, { logSink: sink, handleSignals: false, env: {} });
    await runtime.start();
    await runtime.stop();
    expect(lines.filter((l) => l["event"] === "lifecycle.transition").map((l) => l["to"])).toEqual([
      "starting",
      "running",
      "stopping",
      "stopped",
    ]);
  });

  it("a manifest that fails to load still logs the starting record before the failure", async () => {
    const { lines, sink } = capture();
    const runtime = new AralRuntime({ tasks: { concurrency: 0 } }, { logSink: sink, handleSignals: false, env: {} });
    await expect(runtime.start()).rejects.toThrow(/concurrency/);
    expect(lines.filter((l) => l["event"] === "lifecycle.transition").map((l) => l["to"])).toEqual([
      "starting",
      "failed",
    ]);
  });

  it("every line carries pino's pid and hostname, so pino tooling reads it as its own", async () => {
    const { lines, sink } = capture();
    const runtime = new AralRuntime({}, { logSink: sink, handleSignals: false, env: {} });
    await runtime.start();
    await runtime.stop();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatchObject({
        pid: process.pid,
        hostname: hostname(),
        level: expect.any(Number),
        time: expect.any(Number),
        msg: expect.any(String),
      });
  });
});

describe("StopReport", () => {
  it("counts the whole run: 6 tasks finished before the stop are finished, the drain's own figures under tasks.drain", async () => {
    const runtime = new AralRuntime(
      { tasks: { concurrency: 2 } },
      { logSink: () => {}, handleSignals: false, env: {} },
    );
    await runtime.start();
    await Promise.all(Array.from({ length: 6 }, (_, i) => runtime.submit(async () => i)));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = runtime.submit(() => held);
    const stopping = runtime.stop();
    release();
    await running;
    const report = await stopping;
    expect(report.tasks).toEqual({
      accepted: 7,
      finished: 7,
      aborted: 0,
      returned: 0,
      drain: { finished: 1, aborted: 0, returned: 0 },
    });
  });
});
