import { readAll } from "@aral/platform";
import type { ShutdownSignal } from "@aral/platform";
import { deepEqual } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceCase, ConformanceContext } from "../harness/case.ts";
import { collectText, lines, statusWithin } from "../harness/helpers.ts";

const WAIT_MS = 8_000;

/** Starts the signal-handler fixture, waits for "ready", sends the signal, returns stdout lines and status. */
async function signalChild(ctx: ConformanceContext, signal: ShutdownSignal, mode: string) {
  const child = ctx.spawnFixture("signal-handler", [signal, mode]);
  const out = collectText(child.stdout);
  void readAll(child.stderr).catch(() => {});
  await out.waitFor("ready\n", WAIT_MS);
  child.kill(signal);
  const status = await statusWithin(child, WAIT_MS, `exit after ${signal}`);
  return { lines: lines(await out.done), status };
}

export const signalCases: ConformanceCase[] = defineCases([
  ...(["SIGTERM", "SIGINT", "SIGHUP"] as const).map(
    (signal): ConformanceCase => ({
      name: `signals: a child subscribed with signals.on("${signal}") runs its handler and exits 0`,
      capability: "signals",
      async run(ctx) {
        const { lines: out, status } = await signalChild(ctx, signal, "handle");
        deepEqual(out, ["ready", `got ${signal}`], "stdout of the signalled child");
        deepEqual(status, { code: 0, signal: null, success: true }, "status of the signalled child");
      },
    }),
  ),
  {
    name: "signals: every handler subscribed to a signal runs",
    capability: "signals",
    async run(ctx) {
      const { lines: out, status } = await signalChild(ctx, "SIGTERM", "two");
      deepEqual(out.slice(1).sort(), ["first got SIGTERM", "second got SIGTERM"], "handler output (sorted)");
      deepEqual(status, { code: 0, signal: null, success: true }, "status");
    },
  },
  {
    name: "signals: unsubscribe removes only that handler",
    capability: "signals",
    async run(ctx) {
      const { lines: out, status } = await signalChild(ctx, "SIGTERM", "one-left");
      deepEqual(out, ["ready", "second got SIGTERM"], "stdout (the unsubscribed first handler must not run)");
      deepEqual(status, { code: 0, signal: null, success: true }, "status");
    },
  },
  {
    name: "signals: once its only handler is unsubscribed, SIGTERM ends the child by default again",
    capability: "signals",
    async run(ctx) {
      const { lines: out, status } = await signalChild(ctx, "SIGTERM", "unsubscribed");
      deepEqual(out, ["ready"], "stdout (the unsubscribed handler must not run)");
      deepEqual(status, { code: null, signal: "SIGTERM", success: false }, "status of the child with no handler left");
    },
  },
]);
