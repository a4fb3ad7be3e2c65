import { readAll, readAllText } from "@aral/platform";
import { deepEqual, equal, ok } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { adapterImportSpecifier, fixtureCommand } from "../harness/fixture-command.ts";
import { collectText, lines, statusWithin, within } from "../harness/helpers.ts";

export const processCases: ConformanceCase[] = defineCases([
  {
    name: "process: pid, cwd(), argv and execPath describe this process",
    capability: "process",
    async run({ platform }) {
      const p = platform.process;
      ok(Number.isInteger(p.pid) && p.pid > 0, `process.pid must be a positive integer, got ${p.pid}`);
      const cwd = p.cwd();
      ok(
        typeof cwd === "string" && (cwd.startsWith("/") || /^[A-Za-z]:[\\/]/.test(cwd)),
        `process.cwd() must be an absolute path, got ${JSON.stringify(cwd)}`,
      );
      equal((await platform.fs.stat(cwd)).isDirectory, true, "stat(process.cwd()).isDirectory");
      ok(
        Array.isArray(p.argv) && p.argv.every((a) => typeof a === "string"),
        "process.argv must be an array of strings",
      );
      ok(
        typeof p.execPath === "string" && p.execPath.length > 0,
        `process.execPath must be a non-empty path, got ${JSON.stringify(p.execPath)}`,
      );
      equal((await platform.fs.stat(p.execPath)).isFile, true, `stat(process.execPath = ${p.execPath}).isFile`);
    },
  },
  {
    name: "process: ppid is the parent's pid, read live: it changes once the parent dies and the process is reparented",
    capability: "process",
    timeoutMs: 30_000,
    async run(ctx) {
      if (ctx.platform.runtime.os === "windows") ctx.skip("the case puts a POSIX sh between it and the fixture");
      const { command, args } = fixtureCommand(ctx.platform, "parent-watch");
      // sh is the fixture's parent; killing it leaves the fixture to init (or a subreaper), with our pipe still open
      const parent = ctx.platform.process.spawn(
        "sh",
        ["-c", '"$@" & wait', "sh", command, ...args, adapterImportSpecifier(ctx.adapter)],
        { stdout: "pipe", stderr: "null" },
      );
      ctx.defer(() => parent.kill("SIGKILL"));
      const out = collectText(parent.stdout);
      await out.waitFor("\n", 15_000);
      equal(out.text(), `ppid ${parent.pid}\n`, "the fixture's first line: its ppid is the sh that started it");
      parent.kill("SIGKILL");
      await statusWithin(parent, 5_000, "the killed parent's exit");
      await out.waitFor("reparented", 5_000);
      await within(out.done, 10_000, "the fixture's exit after it saw the new parent");
      const now = /reparented (\d+)/.exec(out.text())?.[1];
      ok(
        now !== undefined && Number(now) > 0 && Number(now) !== parent.pid,
        `after the parent died, ppid names another process (output ${JSON.stringify(out.text())})`,
      );
    },
  },
  {
    name: "process: onUncaught receives an unhandled rejection and an uncaught exception; the child survives and exits 0 on its own",
    capability: "process.onUncaught",
    async run({ spawnFixture }) {
      const child = spawnFixture("uncaught", ["subscribed"]);
      const [out, err] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr)]);
      const status = await statusWithin(child, 8_000);
      deepEqual(
        lines(out),
        ["caught rejection: boom-rejection", "caught exception: boom-exception", "survived"],
        `stdout of the onUncaught child (stderr: ${err.slice(0, 300)})`,
      );
      deepEqual(status, { code: 0, signal: null, success: true }, "status of the onUncaught child");
    },
  },
  {
    name: "process: with onUncaught subscribed, writing to a stdout whose reader went away is not an uncaught error: the writes are dropped and the child runs on and exits 0 (Node spun on EPIPE until out of memory)",
    capability: "process.onUncaught",
    async run({ spawnFixture }) {
      const child = spawnFixture("uncaught", ["broken-stdout"]);
      const reader = child.stdout!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      ok(first.startsWith("ready"), `the child's first line, got ${JSON.stringify(first)}`);
      await reader.cancel();
      const err = await readAllText(child.stderr);
      const status = await statusWithin(child, 8_000);
      deepEqual(lines(err), ["survived"], "stderr of the child writing to a closed stdout");
      deepEqual(status, { code: 0, signal: null, success: true }, "status of the child");
    },
  },
  {
    name: "process: after onUncaught's unsubscribe an unhandled rejection crashes the child again",
    capability: "process.onUncaught",
    async run({ spawnFixture }) {
      const child = spawnFixture("uncaught", ["unsubscribed"]);
      const [out] = await Promise.all([readAllText(child.stdout), readAll(child.stderr)]);
      const status = await statusWithin(child, 8_000);
      deepEqual(
        lines(out),
        [],
        "stdout of the unsubscribed child (the handler must not run, the process must not survive)",
      );
      ok(
        status.code !== 0 && status.success === false,
        `an unhandled rejection without a handler must end the child unsuccessfully, got ${JSON.stringify(status)}`,
      );
    },
  },
]);
