import { readAll } from "@aral/platform";
import type { ExitStatus, ProcessSignal } from "@aral/platform";
import { verifyAuditLog } from "@aral/core/logging";
import { deepEqual, equal, fail, ok } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { collectText, statusWithin } from "../harness/helpers.ts";

interface AgentReport {
  accepted: number;
  outcomes: Record<string, number>;
  tasks: {
    accepted: number;
    finished: number;
    aborted: number;
    returned: number;
    drain: { finished: number; aborted: number; returned: number };
  };
  forced: boolean;
}

/** Runs the agent fixture, sends `signals` (the later ones once the first was logged), returns its report and exit. */
async function signalAgent(
  ctx: ConformanceContext,
  options: string[],
  signals: ProcessSignal[],
): Promise<{ report: AgentReport; status: ExitStatus; output: string }> {
  const child = ctx.spawnFixture("agent", ["drain", ...options]);
  const out = collectText(child.stdout);
  void readAll(child.stderr).catch(() => {});
  await out.waitFor("fixture ready\n", 15_000);
  const [first, ...more] = signals;
  child.kill(first);
  if (more.length) {
    await out.waitFor('"event":"lifecycle.signal"', 5_000);
    for (const signal of more) child.kill(signal);
  }
  const status = await statusWithin(child, 15_000, "the agent's exit");
  return { report: parseReport(await out.done), status, output: out.text() };
}

function parseReport(output: string): AgentReport {
  const line = output.split("\n").find((l) => l.startsWith("fixture report "));
  if (!line) fail(`the agent printed no report; its output was:\n${output.slice(-2_000)}`);
  return JSON.parse(line.slice("fixture report ".length)) as AgentReport;
}

/** Every accepted task is exactly one of: completed, or returned/aborted with ShutdownError. */
function assertAccounted(report: AgentReport): void {
  const { completed = 0, ShutdownError = 0, ...other } = report.outcomes;
  deepEqual(other, {}, "task outcomes other than completed and ShutdownError");
  equal(
    completed + ShutdownError,
    report.accepted,
    `tasks accounted for (completed ${completed} + ShutdownError ${ShutdownError}) vs accepted`,
  );
  equal(
    ShutdownError,
    report.tasks.returned + report.tasks.aborted,
    "ShutdownError outcomes vs report.tasks.returned + aborted",
  );
  equal(report.tasks.accepted, report.accepted, "report.tasks.accepted vs tasks the agent submitted");
  equal(
    report.tasks.finished + report.tasks.aborted + report.tasks.returned,
    report.tasks.accepted,
    "report.tasks: finished + aborted + returned vs accepted",
  );
}

export const runtimeSignalCases = defineCases([
  {
    name: "runtime signals: SIGTERM to a real agent with a loaded queue stops it gracefully — every accepted task finished or returned, exit 0 (3 runs)",
    capability: "runtime.signals",
    timeoutMs: 60_000,
    async run(ctx) {
      for (let run = 1; run <= 3; run++) {
        const { report, status } = await signalAgent(ctx, ["tasks=40", "taskMs=60", "concurrency=3"], ["SIGTERM"]);
        deepEqual(status, { code: 0, signal: null, success: true }, `run ${run}: exit status`);
        equal(report.accepted, 40, `run ${run}: tasks accepted`);
        equal(report.forced, false, `run ${run}: report.forced`);
        equal(report.tasks.aborted, 0, `run ${run}: tasks aborted in a graceful stop with time to spare`);
        ok(
          report.tasks.returned > 0,
          `run ${run}: some queued tasks were returned (got ${report.tasks.returned}); the queue was still loaded`,
        );
        assertAccounted(report);
      }
    },
  },
  {
    name: "runtime signals: SIGINT with lifecycle.signalExitCode exits 130 (128 + 2) after a clean stop",
    capability: "runtime.signals",
    timeoutMs: 30_000,
    async run(ctx) {
      const { report, status } = await signalAgent(ctx, ["tasks=6", "taskMs=50", "signalExitCode=true"], ["SIGINT"]);
      deepEqual(status, { code: 130, signal: null, success: false }, "exit status");
      assertAccounted(report);
    },
  },
  {
    name: "runtime signals: a second SIGTERM forces the stop — running tasks aborted with ShutdownError, exit 1",
    capability: "runtime.signals",
    timeoutMs: 30_000,
    async run(ctx) {
      const started = Date.now();
      const { report, status } = await signalAgent(
        ctx,
        ["tasks=4", "taskMs=20000", "concurrency=2", "shutdownMs=15000"],
        ["SIGTERM", "SIGTERM"],
      );
      deepEqual(status, { code: 1, signal: null, success: false }, "exit status");
      equal(report.forced, true, "report.forced");
      deepEqual(
        report.tasks,
        { accepted: 4, finished: 0, aborted: 2, returned: 2, drain: { finished: 0, aborted: 2, returned: 2 } },
        "report.tasks",
      );
      assertAccounted(report);
      ok(
        Date.now() - started < 12_000,
        `the forced stop did not wait for the 20 s tasks (took ${Date.now() - started} ms)`,
      );
    },
  },
  {
    name: "runtime signals: an unhandled rejection in an agent is logged as critical, stops it gracefully, and exits 1",
    capability: "runtime.signals",
    timeoutMs: 30_000,
    async run(ctx) {
      const child = ctx.spawnFixture("agent", ["crash", "tasks=10", "taskMs=40"]);
      const out = collectText(child.stdout);
      void readAll(child.stderr).catch(() => {});
      const status = await statusWithin(child, 15_000, "the crashing agent's exit");
      const output = await out.done;
      deepEqual(status, { code: 1, signal: null, success: false }, "exit status");
      const records = output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      ok(
        records.some((r) => (r["level"] as number) >= 50 && JSON.stringify(r).includes("agent crashed on purpose")),
        "an error-level log record names the crash",
      );
      ok(
        output.includes("fixture onError agent crashed on purpose"),
        "the runtime's onError hooks were told about the crash",
      );
      const transitions = records
        .filter((r) => r["event"] === "lifecycle.transition")
        .map((r) => `${r["from"]}→${r["to"]}`);
      ok(
        transitions.includes("running→stopping") && transitions.includes("stopping→stopped"),
        `graceful stop transitions logged (got ${transitions.join(", ")})`,
      );
      assertAccounted(parseReport(output));
    },
  },
  {
    name: "signals: the audit file sink is flushed before the exit a signal causes — the stopping and stopped records are on disk and the chain verifies",
    capability: "runtime.signals",
    async run(ctx) {
      const audit = `${await ctx.tempDir()}/audit.log`;
      const { status } = await signalAgent(ctx, ["tasks=4", "taskMs=30", `audit=${audit}`], ["SIGTERM"]);
      equal(status.signal, null, "the agent exited by itself (not killed by the signal)");
      const text = await ctx.platform.fs.readTextFile(audit);
      const verification = await verifyAuditLog(text);
      ok(verification.ok, `the audit log verifies (${JSON.stringify(verification)})`);
      const transitions = text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; data: { from?: string; to?: string } })
        .filter((r) => r.type === "lifecycle.transition")
        .map((r) => `${r.data.from}→${r.data.to}`);
      ok(
        transitions.includes("running→stopping") && transitions.includes("stopping→stopped"),
        `stopping and stopped recorded in the audit file (got ${transitions.join(", ")})`,
      );
    },
  },
]);
