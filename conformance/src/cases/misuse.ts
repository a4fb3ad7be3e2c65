/**
 * Misuse by the caller — an argument of the wrong type or outside its range — is a TypeError naming
 * the bad argument, on every adapter (contract.ts): not a PlatformError, not a crash, not a hang.
 * An adapter gets all of this by returning core's guardPlatform({...}).
 */
import { readAll, readAllText } from "@aral/platform";
import type { ConformanceContext } from "../harness/case.ts";
import { deepEqual, describe, describeError, equal, fail, match } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { collectText, lines, statusWithin, within } from "../harness/helpers.ts";

const CAPABILITY = "misuse";
const WAIT_MS = 5_000;

type Cleanup = ConformanceContext["defer"];

/** Whatever a wrongly accepted call returned is cleaned up: a server closed, a child killed, a subscription ended. */
function cleanUp(result: unknown, defer: Cleanup): void {
  const value = result as { close?: unknown; kill?: unknown; status?: unknown } | null;
  if (typeof result === "function") defer(() => (result as () => unknown)());
  else if (typeof value?.close === "function") defer(() => (value.close as () => unknown)());
  else if (typeof value?.kill === "function") defer(() => (value.kill as (signal: string) => unknown)("SIGKILL"));
}

/**
 * Requires `call()` to throw (or, for a method returning a promise, to throw or reject) a TypeError
 * whose message matches `naming`, within WAIT_MS.
 */
async function misused(defer: Cleanup, what: string, call: () => unknown, naming: RegExp): Promise<void> {
  let error: unknown;
  try {
    const result = call();
    const settled = result instanceof Promise ? await within(result, WAIT_MS, `${what} settling`) : result;
    cleanUp(settled, defer);
    fail(`${what}: expected a TypeError, but it returned ${describe(settled)}`);
  } catch (e) {
    error = e;
  }
  if ((error as Error | undefined)?.name === "AssertionError") throw error;
  if (!(error instanceof TypeError)) fail(`${what}: expected a TypeError, got ${describeError(error)}`);
  match(error.message, naming, `${what}: the TypeError's message (it must name the bad argument)`);
}

const NOT_A_PATH: readonly [string, unknown][] = [
  ["a number", 3],
  ["an empty string", ""],
  ["a string with NUL", "a\0b"],
  ["undefined", undefined],
];

export const misuseCases = defineCases([
  {
    name: "misuse: every fs method given a path that is not a string, empty or contains NUL throws a TypeError naming it",
    capability: CAPABILITY,
    async run({ platform, defer, tempDir }) {
      const dir = await tempDir();
      const fs = platform.fs;
      const reading = [
        "readFile",
        "readTextFile",
        "stat",
        "lstat",
        "exists",
        "readDir",
        "realPath",
        "openRead",
        "diskUsage",
      ] as const;
      for (const method of reading) {
        for (const [label, path] of NOT_A_PATH) {
          await misused(defer, `fs.${method}(${label})`, () => (fs[method] as (p: unknown) => unknown)(path), /path/);
        }
      }
      // methods that write: never a number (a file descriptor to an adapter that does not check)
      const bad: readonly [string, unknown][] = [
        ["an empty string", ""],
        ["a string with NUL", `${dir}/a\0b`],
        ["null", null],
      ];
      const good = `${dir}/fine`;
      for (const [label, path] of bad) {
        await misused(defer, `fs.writeFile(${label})`, () => fs.writeFile(path as string, "x"), /path/);
        await misused(defer, `fs.openWrite(${label})`, () => fs.openWrite(path as string), /path/);
        await misused(defer, `fs.mkdir(${label})`, () => fs.mkdir(path as string), /path/);
        await misused(defer, `fs.remove(${label})`, () => fs.remove(path as string), /path/);
        await misused(defer, `fs.rename(${label}, good)`, () => fs.rename(path as string, good), /from/);
        await misused(defer, `fs.rename(good, ${label})`, () => fs.rename(good, path as string), /\bto\b/);
        await misused(defer, `fs.symlink(${label}, good)`, () => fs.symlink(path as string, good), /target/);
        await misused(defer, `fs.symlink(good, ${label})`, () => fs.symlink(good, path as string), /path/);
      }
      deepEqual(
        (await fs.readDir(dir)).map((e) => e.name),
        [],
        "entries of the temp dir after the misuse (nothing may have been created)",
      );
    },
  },
  {
    name: "misuse: writeFile data of a wrong type, a bad mode and a makeTempDir prefix with a separator are TypeErrors naming them; nothing is written",
    capability: CAPABILITY,
    async run({ platform, defer, tempDir }) {
      const dir = await tempDir();
      const fs = platform.fs;
      const file = `${dir}/f`;
      for (const [label, data] of [
        ["a number", 42],
        ["an object", { a: 1 }],
        ["an array", [1, 2]],
        ["an ArrayBuffer", new ArrayBuffer(2)],
        ["null", null],
      ] as const) {
        await misused(defer, `fs.writeFile(file, ${label})`, () => fs.writeFile(file, data as never), /data/);
      }
      for (const mode of [0o10000, -1, 1.5, "644"]) {
        await misused(
          defer,
          `fs.writeFile(file, "x", { mode: ${describe(mode)} })`,
          () => fs.writeFile(file, "x", { mode: mode as number }),
          /mode/,
        );
      }
      equal(await fs.exists(file), false, "exists(file) after the rejected writes");
      for (const prefix of ["../escape-", "a/b"]) {
        await misused(
          defer,
          `fs.makeTempDir({ prefix: ${describe(prefix)} })`,
          () => fs.makeTempDir({ prefix }),
          /prefix/,
        );
      }
    },
  },
  {
    name: "misuse: spawn with a bad command, args, stdio mode, env, or cwd throws a TypeError naming it and starts nothing",
    capability: CAPABILITY,
    async run({ platform, defer }) {
      const { spawn, execPath } = platform.process;
      await misused(defer, "spawn(42)", () => spawn(42 as never), /command/);
      await misused(defer, 'spawn("")', () => spawn(""), /command/);
      await misused(defer, 'spawn(execPath, "--version")', () => spawn(execPath, "--version" as never), /args/);
      await misused(defer, "spawn(execPath, [1])", () => spawn(execPath, [1 as never]), /args/);
      for (const stream of ["stdin", "stdout", "stderr"] as const) {
        for (const mode of ["file", "piped", 1]) {
          await misused(
            defer,
            `spawn(execPath, ["--version"], { ${stream}: ${describe(mode)} })`,
            () => spawn(execPath, ["--version"], { [stream]: mode as never }),
            new RegExp(stream),
          );
        }
      }
      await misused(
        defer,
        'spawn(execPath, ["--version"], { env: { X: 1 } })',
        () => spawn(execPath, ["--version"], { env: { X: 1 as never } }),
        /env/,
      );
      await misused(
        defer,
        'spawn(execPath, ["--version"], { env: { X: undefined } })',
        () => spawn(execPath, ["--version"], { env: { X: undefined as never } }),
        /env/,
      );
      await misused(
        defer,
        'spawn(execPath, ["--version"], { env: { "A=B": "x" } })',
        () => spawn(execPath, ["--version"], { env: { "A=B": "x" } }),
        /env/,
      );
      await misused(
        defer,
        'spawn(execPath, ["--version"], { cwd: "" })',
        () => spawn(execPath, ["--version"], { cwd: "" }),
        /cwd/,
      );
    },
  },
  {
    name: "misuse: kill() with a signal outside SIGTERM/SIGKILL/SIGINT/SIGHUP throws a TypeError and leaves the child running",
    capability: CAPABILITY,
    async run({ spawnFixture, defer }) {
      const child = spawnFixture("wait");
      const out = collectText(child.stdout);
      void readAll(child.stderr).catch(() => {});
      await out.waitFor("ready\n", WAIT_MS);
      for (const signal of ["SIGSTOP", "SIGUSR1", "TERM", 9]) {
        await misused(defer, `kill(${describe(signal)})`, () => child.kill(signal as never), /signal/);
      }
      child.kill("SIGTERM");
      deepEqual(
        await statusWithin(child, WAIT_MS),
        { code: null, signal: "SIGTERM", success: false },
        'status after kill("SIGTERM") (the child must have been running)',
      );
      deepEqual(lines(await out.done), ["ready"], "stdout of the waiting child");
    },
  },
  {
    name: "misuse: env keys that are empty or contain '=' and values that are not strings are TypeErrors",
    capability: CAPABILITY,
    async run({ platform, defer }) {
      const env = platform.env;
      const key = `ARAL_CONFORMANCE_MISUSE_${Math.floor(Math.random() * 1e9)}`;
      defer(() => env.delete(key));
      await misused(defer, `env.set("${key}=B", "x")`, () => env.set(`${key}=B`, "x"), /key/);
      await misused(defer, 'env.set("", "x")', () => env.set("", "x"), /key/);
      await misused(defer, "env.set(key, 42)", () => env.set(key, 42 as never), /value/);
      await misused(defer, "env.set(key, undefined)", () => env.set(key, undefined as never), /value/);
      await misused(defer, 'env.get("")', () => env.get(""), /key/);
      await misused(defer, "env.has(3)", () => env.has(3 as never), /key/);
      await misused(defer, 'env.delete("A=B")', () => env.delete("A=B"), /key/);
      equal(env.has(key), false, `has(${key}) after the rejected set calls`);
    },
  },
  {
    name: "misuse: signals.on with SIGKILL or an unknown signal, or a handler that is not a function, throws a TypeError",
    capability: CAPABILITY,
    async run({ platform, defer }) {
      const { on } = platform.signals;
      for (const signal of ["SIGKILL", "SIGUSR1", "INT", undefined]) {
        await misused(defer, `signals.on(${describe(signal)}, handler)`, () => on(signal as never, () => {}), /signal/);
      }
      for (const handler of ["exit", undefined, {}]) {
        await misused(
          defer,
          `signals.on("SIGTERM", ${describe(handler)})`,
          () => on("SIGTERM", handler as never),
          /handler/,
        );
      }
    },
  },
  {
    name: "misuse: serve with a port outside 0–65535, a bad hostname or a handler that is not a function is a TypeError",
    capability: CAPABILITY,
    async run({ platform, defer }) {
      const { serve } = platform.net;
      const handler = () => new Response("never");
      for (const port of [70000, -1, 1.5, "8080"]) {
        await misused(
          defer,
          `serve(handler, { port: ${describe(port)} })`,
          () => serve(handler, { port: port as number }),
          /port/,
        );
      }
      await misused(defer, 'serve(handler, { hostname: "" })', () => serve(handler, { hostname: "" }), /hostname/);
      for (const bad of [null, "handler", {}]) {
        await misused(defer, `serve(${describe(bad)})`, () => serve(bad as never), /handler/);
      }
    },
  },
  {
    name: "misuse: process.exit with a code outside 0–255 throws a TypeError instead of exiting (in a child)",
    capability: CAPABILITY,
    async run({ spawnFixture }) {
      const child = spawnFixture("misuse-exit");
      const [out, err] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr)]);
      const status = await statusWithin(child, WAIT_MS);
      deepEqual(
        lines(out),
        ["256: TypeError naming code", "-1: TypeError naming code", "1.5: TypeError naming code"],
        `stdout of the child (stderr: ${err.slice(0, 300)})`,
      );
      deepEqual(status, { code: 7, signal: null, success: false }, "status of the child (it exits 7 after the misuse)");
    },
  },
  {
    name: "misuse: onUncaught with a handler that is not a function, and workers.spawn with a module that is not a string or URL, are TypeErrors",
    capability: CAPABILITY,
    async run({ platform, defer }) {
      for (const handler of [undefined, "log"]) {
        await misused(
          defer,
          `process.onUncaught(${describe(handler)})`,
          () => platform.process.onUncaught(handler as never),
          /handler/,
        );
      }
      const workers = platform.workers as typeof platform.workers | undefined;
      if (workers === undefined) return;
      for (const module of [42, "", null]) {
        await misused(defer, `workers.spawn(${describe(module)})`, () => workers.spawn(module as never), /module/);
      }
    },
  },
]);
