import { deepEqual, equal, ok } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { collectText, statusWithin, within } from "../harness/helpers.ts";

/** The JSON log records among the agent's stdout lines (its own lines start with "fixture "). */
function records(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export const runtimeExitOnSignalCases = defineCases([
  {
    name: "runtime signals: lifecycle.exitOnSignal false - SIGTERM stops the agent gracefully and the process stays, still answering on stdin, until it exits by itself",
    capability: "runtime.signals",
    timeoutMs: 30_000,
    async run(ctx) {
      const child = ctx.spawnFixture("agent-stays", [], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
      const out = collectText(child.stdout);
      const err = collectText(child.stderr, "stderr");
      await out.waitFor("fixture ready\n", 15_000);
      child.kill("SIGTERM");
      // The stop has finished once the runtime logs lifecycle.stay: that is where it would have exited.
      await out.waitFor('"event":"lifecycle.stay"', 10_000);
      ok(!out.text().includes('"event":"lifecycle.exit"'), "no 'runtime exiting' record: it does not exit");
      ok(out.text().includes("fixture stopped signal SIGTERM\n"), "onStop ran, with the signal as the reason");
      const transitions = records(out.text())
        .filter((r) => r["event"] === "lifecycle.transition")
        .map((r) => `${r["from"]}->${r["to"]}`);
      ok(
        transitions.includes("running->stopping") && transitions.includes("stopping->stopped"),
        `a graceful stop was logged (got ${transitions.join(", ")})`,
      );
      // Still alive after the stop: it reads stdin and answers.
      const writer = child.stdin!.getWriter();
      await writer.write(new TextEncoder().encode("ping\n"));
      // Not closed: the fixture exits at the ping, and the harness ends what is left.
      writer.releaseLock();
      await out.waitFor("fixture alive status=stopped\n", 10_000);
      const status = await statusWithin(child, 10_000, "the agent's own exit after the ping");
      const stderr = await within(err.done, 5_000, "the agent's stderr closing");
      deepEqual(
        status,
        { code: 7, signal: null, success: false },
        `exit status: the fixture's own exit 7 after the ping, not the runtime's exit after the stop (stderr: ${stderr.slice(-500)})`,
      );
      equal(
        records(await out.done).filter((r) => r["event"] === "lifecycle.signal").length,
        1,
        "one signal logged (the stop was not forced)",
      );
    },
  },
]);
