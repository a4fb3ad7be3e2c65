import { equal, ok } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { adapterImportSpecifier, fixtureCommand } from "../harness/fixture-command.ts";
import { collectText, within } from "../harness/helpers.ts";
import { deferred, runtimeFor, sleepTask } from "./runtime-helpers.ts";
import type { StopReport } from "@aral/core";

export const runtimeSupervisorWatchCases: ConformanceCase[] = defineCases([
  {
    name: "runtime: under a supervisor (ARAL_SUPERVISOR_PID) that dies, it notices and stops gracefully by itself — the running task finishes",
    capability: "runtime.supervisor-watch",
    timeoutMs: 30_000,
    async run(ctx) {
      if (ctx.platform.runtime.os !== "linux") ctx.skip("the supervisor watch reads /proc, which only Linux has");
      // A stand-in supervisor: a process we can SIGKILL.
      const supervisor = ctx.platform.process.spawn("sleep", ["60"], { stdout: "null", stderr: "null" });
      ctx.defer(() => supervisor.kill("SIGKILL"));
      const { runtime, log } = runtimeFor(ctx, undefined, {
        env: { ARAL_SUPERVISOR_PID: String(supervisor.pid) },
        watchSupervisor: true,
      });
      const stopped = deferred<StopReport>();
      runtime.onStop((report) => stopped.resolve(report));
      await runtime.start();
      const task = runtime.submit(sleepTask(1_500, "finished"));
      supervisor.kill("SIGKILL");
      await supervisor.status;
      const report = await within(stopped.promise, 10_000, "the runtime's own stop after its supervisor died");
      equal(report.forced, false, "report.forced");
      equal(await task, "finished", "the task running when the supervisor died");
      ok(
        report.reason.includes(`supervisor ${supervisor.pid} gone`),
        `stop reason names the supervisor (got ${JSON.stringify(report.reason)})`,
      );
      ok(
        log.records.some((r) => r["event"] === "lifecycle.supervisor-gone"),
        "a lifecycle.supervisor-gone warning was logged",
      );
    },
  },
  {
    name: "runtime: started by its supervisor (its parent), it sees the parent die through its parent pid and stops gracefully by itself: the running tasks finish",
    capability: "runtime.supervisor-watch",
    timeoutMs: 30_000,
    async run(ctx) {
      if (ctx.platform.runtime.os === "windows") ctx.skip("the case puts a POSIX sh in the supervisor's place");
      const { command, args } = fixtureCommand(ctx.platform, "agent");
      // sh stands in for the supervisor: the agent's parent, named by ARAL_SUPERVISOR_PID
      const supervisor = ctx.platform.process.spawn(
        "sh",
        [
          "-c",
          'ARAL_SUPERVISOR_PID=$$ "$@" & wait',
          "sh",
          command,
          ...args,
          adapterImportSpecifier(ctx.adapter),
          "drain",
          "tasks=2",
          "taskMs=1500",
        ],
        { stdout: "pipe", stderr: "null" },
      );
      ctx.defer(() => supervisor.kill("SIGKILL"));
      const out = collectText(supervisor.stdout);
      await out.waitFor("fixture ready\n", 15_000);
      supervisor.kill("SIGKILL");
      await out.waitFor("fixture report ", 10_000);
      await within(out.done, 10_000, "the agent's exit after its own stop");
      const line = out
        .text()
        .split("\n")
        .find((l) => l.startsWith("fixture report "));
      const report = JSON.parse(line!.slice("fixture report ".length)) as {
        outcomes: Record<string, number>;
        forced: boolean;
      };
      equal(report.forced, false, "report.forced");
      equal(JSON.stringify(report.outcomes), JSON.stringify({ completed: 2 }), "the running tasks' outcomes");
      ok(
        out.text().includes(`"event":"lifecycle.supervisor-gone"`) &&
          out.text().includes(`"supervisorPid":${supervisor.pid}`),
        "a lifecycle.supervisor-gone warning naming the dead parent was logged",
      );
    },
  },
]);
