import { childEnvironment, CrashLoopError, Supervisor } from "@aral/supervisor";
import type {
  OutputLine,
  SupervisedRuntime,
  SupervisorEventName,
  SupervisorEvents,
  SupervisorOptions,
} from "@aral/supervisor";
import { deepEqual, equal, ok } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { adapterImportSpecifier, fixtureCommand } from "../harness/fixture-command.ts";
import { within } from "../harness/helpers.ts";

/** Variables a fixture child of the runtime under test may need to start (module caches), on top of the least-privilege set. */
const RUNTIME_CACHE_VARIABLES = ["DENO_DIR", "BUN_INSTALL", "XDG_CACHE_HOME", "NODE_OPTIONS"];

function runtimeUnderTest(ctx: ConformanceContext): SupervisedRuntime {
  const name: string = ctx.platform.runtime.name;
  return name === "deno" ? "deno" : name === "bun" ? "bun" : "node";
}

/** A Supervisor running conformance/src/fixtures/supervised.ts <mode> in the runtime under test, events and output recorded. */
function superviseFixture(ctx: ConformanceContext, mode: string, options: Partial<SupervisorOptions> = {}) {
  const { command, args } = fixtureCommand(ctx.platform, "supervised");
  const lines: OutputLine[] = [];
  const supervisor = new Supervisor(ctx.platform, {
    command,
    args: [...args, adapterImportSpecifier(ctx.adapter), mode],
    env: childEnvironment(ctx.platform.env.toObject(), { allow: RUNTIME_CACHE_VARIABLES }),
    runtime: runtimeUnderTest(ctx),
    restart: { maxRestarts: 2, windowMs: 60_000, backoffMs: 20, maxBackoffMs: 1_000 },
    shutdownTimeoutMs: 5_000,
    logger: { info() {}, warn() {}, error() {} },
    onOutput: (line) => lines.push(line),
    ...options,
  });
  ctx.defer(() => supervisor.stop());
  const events: { name: SupervisorEventName; payload: unknown }[] = [];
  for (const name of ["started", "exited", "restarting", "crash-loop", "escalated", "memory-exceeded"] as const) {
    supervisor.on(name, (payload) => events.push({ name, payload }));
  }
  const of = <E extends SupervisorEventName>(name: E) =>
    events.filter((e) => e.name === name).map((e) => e.payload as SupervisorEvents[E]);
  const ready = async (): Promise<number> => {
    while (!lines.some((l) => l.line.startsWith("ready"))) {
      ok(
        supervisor.state === "running",
        `the supervised child should be running while it starts up (state ${supervisor.state}, output ${JSON.stringify(lines)})`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return supervisor.pid!;
  };
  return { supervisor, lines, of, ready: () => within(ready(), 20_000, "the supervised child's ready line") };
}

async function processGone(ctx: ConformanceContext, pid: number): Promise<boolean> {
  return ctx.platform.runtime.os !== "linux" || !(await ctx.platform.fs.exists(`/proc/${pid}`));
}

export const supervisorCases = defineCases([
  {
    name: "supervisor: a crashing child of the same runtime is restarted with doubling delays, then the crash loop is stopped; it sees only the least-privilege env",
    capability: "supervisor",
    timeoutMs: 60_000,
    async run(ctx) {
      ctx.platform.env.set("SUPERVISOR_CONFORMANCE_SECRET", "must not reach the child");
      ctx.defer(() => ctx.platform.env.delete("SUPERVISOR_CONFORMANCE_SECRET"));
      const run = superviseFixture(ctx, "crash");
      run.supervisor.start();
      const outcome = await within(run.supervisor.finished(), 50_000, "the end of the crash loop");
      equal(outcome.state, "crash-loop", "outcome.state");
      ok(outcome.error instanceof CrashLoopError, `outcome.error is a CrashLoopError (got ${String(outcome.error)})`);
      deepEqual([outcome.code, outcome.restarts], [3, 2], "[last exit code, restarts]");
      deepEqual(
        run.of("restarting").map((r) => r.delayMs),
        [20, 40],
        "restart delays",
      );
      deepEqual(
        run.lines.filter((l) => l.stream === "stdout").map((l) => l.line),
        [0, 1, 2].map((n) => `run restart=${n} supervised=1 secret=absent`),
        "what each run of the child saw",
      );
    },
  },
  {
    name: "supervisor: stop() on a child that handles SIGTERM ends it cleanly (code 0, not escalated) and leaves no process",
    capability: "supervisor",
    timeoutMs: 30_000,
    async run(ctx) {
      const run = superviseFixture(ctx, "graceful");
      run.supervisor.start();
      const pid = await run.ready();
      deepEqual(
        await within(run.supervisor.stop(), 10_000, "stop()"),
        { code: 0, signal: null, escalated: false },
        "stop() result",
      );
      ok(
        run.lines.some((l) => l.line === "got SIGTERM"),
        "the child saw SIGTERM",
      );
      equal(run.supervisor.state, "stopped", "state");
      ok(await processGone(ctx, pid), `pid ${pid} is gone`);
    },
  },
  {
    name: "supervisor: stop() on a child that ignores SIGTERM escalates to SIGKILL at terminationGracePeriodMs, later than shutdownTimeoutMs",
    capability: "supervisor",
    timeoutMs: 30_000,
    async run(ctx) {
      const run = superviseFixture(ctx, "stubborn", { shutdownTimeoutMs: 400, terminationGracePeriodMs: 700 });
      run.supervisor.start();
      const pid = await run.ready();
      const began = Date.now();
      deepEqual(
        await within(run.supervisor.stop(), 10_000, "stop()"),
        { code: null, signal: "SIGKILL", escalated: true },
        "stop() result",
      );
      ok(Date.now() - began >= 690, `SIGKILL came only after terminationGracePeriodMs (took ${Date.now() - began} ms)`);
      deepEqual(run.of("escalated"), [{ pid, afterMs: 700 }], "escalated events");
      ok(await processGone(ctx, pid), `pid ${pid} is gone`);
    },
  },
  {
    name: "supervisor: a child holding ~200 MB past a 100 MB limit is reported and stopped (Linux /proc sampling)",
    capability: "supervisor",
    timeoutMs: 30_000,
    async run(ctx) {
      if (ctx.platform.runtime.os !== "linux") ctx.skip("the child's memory is sampled from Linux /proc only");
      const limit = 100 * 1024 * 1024;
      const run = superviseFixture(ctx, "hog", {
        cgroups: "off",
        memoryLimitBytes: limit,
        sampleIntervalMs: 50,
        shutdownTimeoutMs: 1_000,
        restart: { maxRestarts: 0, windowMs: 1_000, backoffMs: 0, maxBackoffMs: 0 },
      });
      run.supervisor.start();
      const outcome = await within(run.supervisor.finished(), 20_000, "the end of supervision");
      const exceeded = run.of("memory-exceeded");
      equal(exceeded.length, 1, "memory-exceeded events");
      ok(exceeded[0]!.rssBytes > limit, `reported RSS ${exceeded[0]!.rssBytes} is past the limit ${limit}`);
      equal(run.of("exited")[0]?.reason, "memory-exceeded", "exit reason");
      equal(outcome.state, "crash-loop", "outcome.state (maxRestarts 0: no restart)");
      ok(await processGone(ctx, exceeded[0]!.pid), "the child is gone");
    },
  },
]);
