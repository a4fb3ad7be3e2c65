import { equal, ok } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { within } from "../harness/helpers.ts";
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
]);
