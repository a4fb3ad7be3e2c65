/**
 * Process, signal and worker promises the first cases did not pin (found by a mutation audit): a child's output
 * keeps every byte for a slow reader, the same handler subscribed twice is two subscriptions, and a worker module
 * given by a relative path resolves against cwd().
 */
import { readAll } from "@aral/platform";
import { bytesEqual, deepEqual, fail } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { fileUrlToPath, fixtureUrl } from "../harness/fixture-command.ts";
import {
  chunksOf,
  collectText,
  lines,
  patternedBytes,
  statusWithin,
  within,
  writeAllAndClose,
} from "../harness/helpers.ts";
import { readSlowly } from "./contract-gaps-fs.ts";

const WAIT_MS = 8_000;

/** `to` relative to the directory `from` ("./a/b", "../x"), both absolute with "/" separators; null across drives. */
function relativePath(from: string, to: string): string | null {
  const a = from.split("/").filter(Boolean);
  const b = to.split("/").filter(Boolean);
  if (/^[A-Za-z]:$/.test(a[0] ?? "") || /^[A-Za-z]:$/.test(b[0] ?? "")) {
    if ((a[0] ?? "").toLowerCase() !== (b[0] ?? "").toLowerCase()) return null;
  }
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  const up = a.length - common;
  return [up === 0 ? "." : Array(up).fill("..").join("/"), ...b.slice(common)].join("/");
}

async function sameHandlerChild(ctx: ConformanceContext, mode: string) {
  const child = ctx.spawnFixture("signal-same-handler", ["SIGTERM", mode]);
  const out = collectText(child.stdout);
  void readAll(child.stderr).catch(() => {});
  await out.waitFor("ready\n", WAIT_MS);
  child.kill("SIGTERM");
  const status = await statusWithin(child, WAIT_MS, "exit after SIGTERM");
  return { lines: lines(await out.done), status };
}

export const contractGapProcessCases: ConformanceCase[] = defineCases([
  {
    name: "process.spawn: a child's stdout keeps every byte for a reader that pauses between reads (4 MiB), in plain Uint8Array chunks",
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const input = patternedBytes(4 * 1024 * 1024 + 5, 19);
      const child = spawnFixture("echo-stdin", [], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
      const [output] = await Promise.all([
        readSlowly(child.stdout, "the child's stdout"),
        writeAllAndClose(child.stdin, chunksOf(input, [256 * 1024])),
        readAll(child.stderr),
      ]);
      bytesEqual(output, input, "stdout of the echoing child, read slowly");
      deepEqual(await statusWithin(child, WAIT_MS), { code: 0, signal: null, success: true }, "status");
    },
  },
  {
    name: "signals: the same handler subscribed twice runs twice",
    capability: "signals",
    async run(ctx) {
      const { lines: out, status } = await sameHandlerChild(ctx, "twice");
      deepEqual(out, ["ready", "ran 2"], "stdout (the handler counts its calls)");
      deepEqual(status, { code: 0, signal: null, success: true }, "status");
    },
  },
  {
    name: "signals: the same handler subscribed twice, one subscription unsubscribed: the other still runs it and keeps the child alive",
    capability: "signals",
    async run(ctx) {
      const { lines: out, status } = await sameHandlerChild(ctx, "unsubscribe-one");
      deepEqual(out, ["ready", "ran 1"], "stdout (the handler counts its calls)");
      deepEqual(
        status,
        { code: 0, signal: null, success: true },
        "status (a SIGTERM death means unsubscribing one subscription removed both)",
      );
    },
  },
  {
    name: "workers: a module given by a path relative to cwd() starts and exchanges messages",
    capability: "workers",
    async run(ctx) {
      const cwd = ctx.platform.process.cwd().replaceAll("\\", "/");
      const module = relativePath(cwd, fileUrlToPath(fixtureUrl("worker-echo")));
      if (module === null) return ctx.skip(`the fixtures are on another drive than cwd() (${cwd})`);
      const handle = ctx.platform.workers.spawn(module, { name: "conformance-relative" });
      ctx.defer(() => handle.terminate());
      const ready = new Promise<unknown>((resolve, reject) => {
        handle.onMessage((message) => {
          if ((message as { kind?: unknown }).kind === "ready") resolve(message);
        });
        handle.onError((error) => reject(error));
        handle.onExit((code) => reject(new Error(`the worker exited (${code}) before it was ready`)));
      });
      try {
        await within(ready, WAIT_MS, `the ready message of the worker spawned as ${JSON.stringify(module)}`);
      } catch (error) {
        if ((error as Error)?.name === "AssertionError") throw error;
        const e = error as { code?: unknown; message?: unknown };
        fail(
          `spawn(${JSON.stringify(module)}) with cwd() ${cwd} failed: ${String(e.code ?? "")} ${String(e.message ?? error)}`,
        );
      }
    },
  },
]);
