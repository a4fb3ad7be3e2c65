import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import {
  QueueFullError,
  ShutdownError,
  TaskCancelledError,
  TaskQueue,
  TaskTimeoutError,
} from "../../src/tasks/index.ts";
import { settle } from "../resilience/helpers.ts";

/** How a generated task behaves once started. */
type Behaviour = "resolve" | "reject" | "hang-but-honour-abort" | "hang-forever";

type Command =
  | { kind: "add"; priority: number; behaviour: Behaviour; timeoutMs: number | undefined; cancellable: boolean }
  | { kind: "cancel"; index: number }
  | { kind: "finish"; index: number }
  | { kind: "pause" }
  | { kind: "resume" }
  | { kind: "tick"; ms: number }
  | { kind: "clear" }
  | { kind: "shed" };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      priority: fc.integer({ min: -1, max: 2 }),
      behaviour: fc.constantFrom<Behaviour>("resolve", "reject", "hang-but-honour-abort", "hang-forever"),
      timeoutMs: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
      cancellable: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), index: fc.nat(40) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("finish" as const), index: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "pause" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "resume" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "shed" as const }) },
);

type Outcome = "completed" | "failed" | "timedOut" | "cancelled" | "returned" | "aborted" | "refused";

function classify(result: { ok: boolean; error?: unknown }): Outcome {
  if (result.ok) return "completed";
  const error = result.error;
  if (error instanceof TaskTimeoutError) return "timedOut";
  if (error instanceof TaskCancelledError) return "cancelled";
  if (error instanceof QueueFullError) return "refused";
  // shed tasks are returned unstarted, like cleared ones (stats count them as returned)
  if (error instanceof ShutdownError)
    return error.outcome === "closed" ? "refused" : error.outcome === "shed" ? "returned" : error.outcome;
  return "failed";
}

describe("TaskQueue accounting (property)", () => {
  it("never leaves an accepted task pending and files each under exactly one outcome", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(2, 5, Infinity),
        fc.constantFrom("reject" as const, "wait" as const),
        fc.integer({ min: 0, max: 60 }),
        async (commands, concurrency, maxQueued, overflow, shutdownTimeoutMs) => {
          const clock = new ManualClock();
          const queue = new TaskQueue({ concurrency, maxQueued, overflow, clock });
          const results: Array<{ ok: boolean; error?: unknown } | undefined> = [];
          const controllers: AbortController[] = [];
          const finishers: Array<(ok: boolean) => void> = [];

          for (const c of commands) {
            switch (c.kind) {
              case "add": {
                const index = results.length;
                results.push(undefined);
                const controller = new AbortController();
                controllers.push(controller);
                const promise = queue.add(
                  (signal) =>
                    new Promise((resolve, reject) => {
                      finishers.push((ok) => (ok ? resolve(index) : reject(new Error(`task ${index} failed`))));
                      if (c.behaviour === "resolve") resolve(index);
                      if (c.behaviour === "reject") reject(new Error(`task ${index} failed`));
                      if (c.behaviour === "hang-but-honour-abort")
                        signal.addEventListener("abort", () => reject(signal.reason));
                    }),
                  {
                    priority: c.priority,
                    timeoutMs: c.timeoutMs,
                    signal: c.cancellable ? controller.signal : undefined,
                  },
                );
                promise.then(
                  () => (results[index] = { ok: true }),
                  (error: unknown) => (results[index] = { ok: false, error }),
                );
                break;
              }
              case "cancel":
                controllers[c.index % Math.max(1, controllers.length)]?.abort(new Error("cancelled by test"));
                break;
              case "finish":
                finishers[c.index % Math.max(1, finishers.length)]?.(c.index % 2 === 0);
                break;
              case "pause":
                queue.pause();
                break;
              case "resume":
                queue.resume();
                break;
              case "tick":
                await clock.advance(c.ms);
                break;
              case "clear":
                queue.clear();
                break;
              case "shed":
                queue.shed("normal");
                break;
            }
            await settle();
          }

          const reportPromise = queue.shutdown({ timeoutMs: shutdownTimeoutMs });
          await settle();
          await clock.advance(shutdownTimeoutMs);
          const report = await reportPromise;
          await settle();

          // No promise left pending.
          expect(results.every((r) => r !== undefined)).toBe(true);
          const counts: Record<Outcome, number> = {
            completed: 0,
            failed: 0,
            timedOut: 0,
            cancelled: 0,
            returned: 0,
            aborted: 0,
            refused: 0,
          };
          for (const r of results) counts[classify(r!)]++;

          const stats = queue.stats();
          expect(stats.accepted + stats.rejected).toBe(results.length);
          expect(stats.rejected).toBe(counts.refused);
          expect({
            completed: stats.completed,
            failed: stats.failed,
            timedOut: stats.timedOut,
            cancelled: stats.cancelled,
            returned: stats.returned,
            aborted: stats.aborted,
          }).toEqual({
            completed: counts.completed,
            failed: counts.failed,
            timedOut: counts.timedOut,
            cancelled: counts.cancelled,
            returned: counts.returned,
            aborted: counts.aborted,
          });
          expect(
            stats.completed + stats.failed + stats.timedOut + stats.cancelled + stats.returned + stats.aborted,
          ).toBe(stats.accepted);
          expect(stats.queued + stats.waiting).toBe(0);
          expect(report.aborted).toBeLessThanOrEqual(stats.aborted);
          expect(report.returned).toBeLessThanOrEqual(stats.returned);
        },
      ),
      { numRuns: 100 },
    );
  });
});
