// Issue #9's fixes that depend on the runtime under test (its AbortSignal, its JSON, its WebCrypto), checked on
// every runtime: the queue's per-task cost, a 9 MiB manifest string, the audit chain's head anchor and HMAC key.
import { ConfigError, LifecycleError } from "@aral/core";
import { parseManifestText } from "@aral/core/config";
import { AuditError, AuditLog, memorySink, verifyAuditLog } from "@aral/core/logging";
import { deepEqual, equal, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { runtimeFor } from "./runtime-helpers.ts";

/**
 * Counts the "abort" listeners alive on each AbortSignal while `body` runs, through EventTarget's own methods
 * (the portable stand-in for Node's getEventListeners). `once` listeners that fired are not tracked: none here fire.
 */
export async function countingAbortListeners<T>(
  body: (live: (signal: AbortSignal) => number) => Promise<T>,
): Promise<T> {
  const counts = new WeakMap<object, number>();
  const proto = EventTarget.prototype;
  const { addEventListener: add, removeEventListener: remove } = proto;
  proto.addEventListener = function (this: EventTarget, type: string, ...rest: never[]) {
    if (type === "abort" && this instanceof AbortSignal && rest[0]) counts.set(this, (counts.get(this) ?? 0) + 1);
    return (add as (...args: unknown[]) => void).call(this, type, ...rest);
  } as typeof add;
  proto.removeEventListener = function (this: EventTarget, type: string, ...rest: never[]) {
    if (type === "abort" && this instanceof AbortSignal && rest[0])
      counts.set(this, Math.max(0, (counts.get(this) ?? 0) - 1));
    return (remove as (...args: unknown[]) => void).call(this, type, ...rest);
  } as typeof remove;
  try {
    return await body((signal) => counts.get(signal) ?? 0);
  } finally {
    proto.addEventListener = add;
    proto.removeEventListener = remove;
  }
}

export const runtimeIssue9Cases = defineCases([
  {
    name: "tasks: per-task cost stays constant — each task written like examples/agent.ts (a listener it never removes) gets its own signal, and no shared signal collects listeners",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { tasks: { concurrency: 8, maxQueued: 5_000 }, logging: { level: "error" } });
      await runtime.start();
      const taskSignals = new Set<AbortSignal>();
      const task = async (signal: AbortSignal) => {
        taskSignals.add(signal);
        signal.addEventListener("abort", () => {});
        await Promise.resolve();
      };
      const worst = await countingAbortListeners(async (live) => {
        await Promise.all(Array.from({ length: 2_000 }, () => runtime.submit(task)));
        return Math.max(...[...taskSignals].map(live));
      });
      equal(
        taskSignals.size,
        2_000,
        "distinct signals handed to 2,000 tasks (1 = one shared signal collects every listener)",
      );
      // exactly the task's own listener: 0 would mean the counting saw nothing, more that something else piles up
      equal(worst, 1, "the most abort listeners alive on one task's signal after its task ended");
    },
  },
  {
    name: "config: a 9 MiB JSON and JSONC string parses (no stack overflow); a bad escape is still a ConfigError",
    capability: "runtime.config",
    async run() {
      const big = "x".repeat(9 * 2 ** 20);
      for (const format of ["json", "jsonc"] as const) {
        const parsed = (await parseManifestText(`{"a": "${big}\\n"}`, format)) as { a: string };
        equal(parsed.a.length, big.length + 1, `${format}: length of the parsed string`);
      }
      await rejects(() => parseManifestText('{"a": "\\q"}', "json"), { instance: ConfigError }, "a bad escape");
    },
  },
  {
    name: "audit: a log is complete only against a head kept elsewhere (expectHead), and a keyed (HMAC) log re-chained without its key fails",
    capability: "runtime.lifecycle",
    async run() {
      const key = new TextEncoder().encode("sixteen+ bytes of audit key");
      const sink = memorySink();
      const log = new AuditLog({ sink, key });
      for (const step of ["a", "b", "c"]) await log.append("step", { step });
      await log.flush();
      const head = log.head;
      const whole = await verifyAuditLog(sink.lines, { key, expectHead: head });
      deepEqual(whole.ok && whole.count, 3, "records of the whole keyed log verified against its head");
      const cut = await verifyAuditLog(sink.lines.slice(0, 2), { key, expectHead: head });
      equal(cut.ok, false, "a log missing its last record, against the kept head");
      equal((await verifyAuditLog([], { expectHead: head })).ok, false, "an emptied log, against the kept head");

      // re-chained without the key: a valid plain SHA-256 chain with one record changed
      const forgedSink = memorySink();
      const forger = new AuditLog({ sink: forgedSink });
      for (const step of ["a", "FORGED", "c"]) await forger.append("step", { step });
      await forger.flush();
      equal((await verifyAuditLog(forgedSink.lines)).ok, true, "the forgery fools the unkeyed verifier");
      equal((await verifyAuditLog(forgedSink.lines, { key })).ok, false, "the forgery under the key");
      equal(
        (await verifyAuditLog(sink.lines, { key: new TextEncoder().encode("another key, 16+ bytes") })).ok,
        false,
        "the log under another key",
      );
    },
  },
  {
    name: "audit: logging.audit.{path,keyFile} — the runtime signs its own audit log under the key file; a key under 16 bytes fails start() (cause: AuditError)",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const dir = await ctx.tempDir();
      const keyFile = `${dir}/audit.key`;
      await ctx.platform.fs.writeFile(keyFile, "sixteen+ bytes of audit key");
      const path = `${dir}/audit.log`;
      const { runtime } = runtimeFor(ctx, { logging: { level: "error", audit: { path, keyFile } } });
      await runtime.start();
      await runtime.stop();
      const text = await ctx.platform.fs.readTextFile(path);
      const key = await ctx.platform.fs.readFile(keyFile);
      const keyed = await verifyAuditLog(text, { key });
      deepEqual(
        keyed.ok && keyed.count,
        4,
        "records verified under the key (created→starting→running→stopping→stopped)",
      );
      equal((await verifyAuditLog(text)).ok, false, "the keyed log verified without its key");

      await ctx.platform.fs.writeFile(`${dir}/short.key`, "too short");
      const { runtime: refused } = runtimeFor(ctx, {
        logging: { level: "error", audit: { path: `${dir}/other.log`, keyFile: `${dir}/short.key` } },
      });
      const failed = (await rejects(
        () => refused.start(),
        { instance: LifecycleError, message: /at least 16 bytes/ },
        "start() with a 9-byte key",
      )) as LifecycleError;
      equal(failed.cause instanceof AuditError, true, "the startup failure's cause is an AuditError");
    },
  },
  {
    name: "audit: logging.audit.path is created with its directory at start; a log that cannot be written fails start() (an audit trail is kept or refused, never lost line by line)",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const dir = await ctx.tempDir();
      const path = `${dir}/audit/of/agent.log`;
      const { runtime } = runtimeFor(ctx, { logging: { level: "error", audit: { path } } });
      await runtime.start();
      await runtime.stop();
      const made = await verifyAuditLog(await ctx.platform.fs.readTextFile(path));
      deepEqual(made.ok && made.count, 4, "records in the log whose directory start() made");

      await ctx.platform.fs.writeFile(`${dir}/a-file`, "not a directory");
      const { runtime: refused } = runtimeFor(ctx, {
        logging: { level: "error", audit: { path: `${dir}/a-file/audit.log` } },
      });
      const failed = (await rejects(
        () => refused.start(),
        { instance: LifecycleError, message: /Audit log .*a-file\/audit\.log cannot be written: NotADirectory/ },
        "start() with an audit log under a regular file",
      )) as LifecycleError;
      equal((failed.cause as AuditError).reason, "unwritable", "the cause's reason");
      equal(refused.getStatus(), "failed", "status");
    },
  },
]);
