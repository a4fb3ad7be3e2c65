import { isPlatformError, readAll, readAllText } from "@aral/platform";
import { bytesEqual, deepEqual, equal, fail, ok, rejects } from "../harness/assert.ts";
import type { ProcessSignal } from "@aral/platform";
import { defineCases } from "../harness/case.ts";
import type { ConformanceCase, ConformanceContext } from "../harness/case.ts";
import { chunksOf, collectText, patternedBytes, statusWithin, within, writeAllAndClose } from "../harness/helpers.ts";

const EXIT_WAIT_MS = 8_000;

export const spawnCases: ConformanceCase[] = defineCases([
  {
    name: "process.spawn: a child echoes stdin to stdout through the web streams, byte-exact",
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const input = patternedBytes(512 * 1024 + 3, 5);
      const child = spawnFixture("echo-stdin", [], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
      ok(Number.isInteger(child.pid) && child.pid > 0, `a started child has a positive integer pid, got ${child.pid}`);
      const [output] = await Promise.all([
        readAll(child.stdout),
        writeAllAndClose(child.stdin, chunksOf(input, [100_000, 7, 65_536])),
        readAll(child.stderr),
      ]);
      bytesEqual(output, input, "stdout of the echoing child");
      deepEqual(
        await statusWithin(child, EXIT_WAIT_MS),
        { code: 0, signal: null, success: true },
        "status of the echoing child",
      );
    },
  },
  {
    name: "process.spawn: closing a child's stdin after the child has exited settles at once (it never hangs)",
    capability: "process.spawn",
    async run({ platform }) {
      const child = platform.process.spawn("sh", ["-c", "read line; exit 0"], {
        stdin: "pipe",
        stdout: "null",
        stderr: "null",
      });
      const writer = child.stdin!.getWriter();
      await writer.write(new TextEncoder().encode("ping\n"));
      deepEqual(await statusWithin(child, EXIT_WAIT_MS), { code: 0, signal: null, success: true }, "status");
      // resolving (nothing left to deliver) or rejecting with a PlatformError both settle; waiting forever does not
      await within(
        writer.close().catch((error: unknown) => {
          if (!isPlatformError(error)) throw error;
        }),
        3_000,
        "close() of the exited child's stdin",
      );
    },
  },
  {
    name: "process.spawn: stdout and stderr are separate pipes",
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const child = spawnFixture("stdio-split");
      const [stdout, stderr, status] = await Promise.all([
        readAllText(child.stdout),
        readAllText(child.stderr),
        statusWithin(child, EXIT_WAIT_MS),
      ]);
      equal(stdout, "marker-on-stdout\n", "stdout");
      ok(
        stderr.includes("marker-on-stderr\n") && !stderr.includes("marker-on-stdout"),
        `stderr must hold the stderr marker only, got ${JSON.stringify(stderr)}`,
      );
      deepEqual(status, { code: 0, signal: null, success: true }, "status");
    },
  },
  {
    name: 'process.spawn: stdio defaults (stdin null, stdout/stderr piped) and "null" give no stream',
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const defaults = spawnFixture("stdio-split");
      equal(defaults.stdin, null, "stdin with the default mode");
      ok(defaults.stdout instanceof ReadableStream, "stdout with the default mode must be a ReadableStream");
      ok(defaults.stderr instanceof ReadableStream, "stderr with the default mode must be a ReadableStream");
      const [out] = await Promise.all([readAllText(defaults.stdout), readAllText(defaults.stderr)]);
      equal(out, "marker-on-stdout\n", "stdout with default modes");
      await statusWithin(defaults, EXIT_WAIT_MS);
      const silent = spawnFixture("stdio-split", [], { stdin: "null", stdout: "null", stderr: "null" });
      deepEqual([silent.stdin, silent.stdout, silent.stderr], [null, null, null], 'streams with every stdio "null"');
      deepEqual(
        await statusWithin(silent, EXIT_WAIT_MS),
        { code: 0, signal: null, success: true },
        'status with stdio "null"',
      );
      const piped = spawnFixture("echo-stdin", [], { stdin: "pipe" });
      ok(piped.stdin instanceof WritableStream, 'stdin "pipe" must be a WritableStream');
      await Promise.all([writeAllAndClose(piped.stdin, []), readAll(piped.stdout), readAll(piped.stderr)]);
      deepEqual(
        await statusWithin(piped, EXIT_WAIT_MS),
        { code: 0, signal: null, success: true },
        "status after closing an empty stdin",
      );
    },
  },
  {
    name: "process.spawn: exit codes 0, 1, 42, 255 are reported exactly",
    capability: "process.spawn",
    timeoutMs: 30_000,
    async run({ spawnFixture }) {
      const codes = [0, 1, 42, 255];
      const statuses = await Promise.all(
        codes.map(async (code) => {
          const child = spawnFixture("exit-code", [String(code)]);
          await Promise.all([readAll(child.stdout), readAll(child.stderr)]);
          return statusWithin(child, EXIT_WAIT_MS, `exit of the child exiting ${code}`);
        }),
      );
      deepEqual(
        statuses,
        codes.map((code) => ({ code, signal: null, success: code === 0 })),
        "statuses of children exiting 0, 1, 42, 255",
      );
    },
  },
  {
    name: "process.exit() without a code exits 0",
    capability: "process",
    async run({ spawnFixture }) {
      const child = spawnFixture("exit-code");
      deepEqual(
        await statusWithin(child, EXIT_WAIT_MS),
        { code: 0, signal: null, success: true },
        "status after exit()",
      );
    },
  },
  ...(["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP"] as const).map(
    (signal): ConformanceCase => ({
      name: `process.spawn: kill("${signal}") ends the child and status reports signal "${signal}" with code null`,
      capability: "process.spawn",
      run: (ctx) => killAndExpectSignal(ctx, signal),
    }),
  ),
  {
    name: "process.spawn: kill() without a signal sends SIGTERM; kill after exit is a no-op",
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const child = spawnFixture("wait");
      const out = collectText(child.stdout);
      await out.waitFor("ready", EXIT_WAIT_MS);
      child.kill();
      deepEqual(
        await statusWithin(child, EXIT_WAIT_MS, "exit after kill()"),
        { code: null, signal: "SIGTERM", success: false },
        "status after kill()",
      );
      child.kill("SIGKILL");
      child.kill();
      const done = spawnFixture("exit-code", ["0"]);
      await statusWithin(done, EXIT_WAIT_MS);
      done.kill("SIGTERM");
      deepEqual(
        await done.status,
        { code: 0, signal: null, success: true },
        "status of an exited child after a late kill",
      );
    },
  },
  {
    name: "process.spawn: aborting opts.signal kills the child with SIGTERM",
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const controller = new AbortController();
      const child = spawnFixture("wait", [], { signal: controller.signal });
      await collectText(child.stdout).waitFor("ready", EXIT_WAIT_MS);
      controller.abort();
      deepEqual(
        await statusWithin(child, EXIT_WAIT_MS, "exit after abort"),
        { code: null, signal: "SIGTERM", success: false },
        "status after abort",
      );
    },
  },
  {
    name: "process.spawn: a missing command does not throw; status rejects NotFound (pid 0)",
    capability: "process.spawn",
    async run({ platform }) {
      const command = "aral-conformance-no-such-command-7f3a";
      let child;
      try {
        child = platform.process.spawn(command, ["x"]);
      } catch (error) {
        fail(`spawn() of a missing command must not throw (status rejects instead), it threw ${String(error)}`);
      }
      equal(child.pid, 0, "pid of a child that never started");
      await rejects(() => child.status, { code: "NotFound", path: command }, "status of a missing command");
      child.kill("SIGTERM");
    },
  },
  {
    name: "process.spawn: args reach the child exactly (spaces, quotes, unicode, empty)",
    capability: "process.spawn",
    async run({ spawnFixture }) {
      const args = ["plain", "with space", 'quote"d', "it's", "ünïcødé ✓", "", "--flag=value", "$HOME", "*"];
      const child = spawnFixture("print-argv", args);
      const [out] = await Promise.all([readAllText(child.stdout), readAll(child.stderr)]);
      deepEqual(JSON.parse(out), args, "argv seen by the child");
      equal((await statusWithin(child, EXIT_WAIT_MS)).code, 0, "exit code");
    },
  },
  {
    name: "process.spawn: cwd sets the child's working directory; a missing cwd rejects NotFound",
    capability: "process.spawn",
    async run({ platform, spawnFixture, tempDir }) {
      const dir = await tempDir();
      const child = spawnFixture("print-cwd", [], { cwd: dir });
      const [out] = await Promise.all([readAllText(child.stdout), readAll(child.stderr)]);
      equal((await statusWithin(child, EXIT_WAIT_MS)).code, 0, "exit code of the cwd child");
      equal(await platform.fs.realPath(out.trim()), await platform.fs.realPath(dir), "the child's cwd (real path)");
      const missing = spawnFixture("print-cwd", [], { cwd: `${dir}/no-such-dir` });
      await rejects(() => missing.status, { code: "NotFound" }, "status of a child spawned in a missing cwd");
    },
  },
  {
    name: "process.spawn: env is merged into the inherited environment (and overrides it)",
    capability: "process.spawn",
    async run({ platform, spawnFixture, defer }) {
      const parentKey = `ARAL_CONFORMANCE_PARENT_${Math.floor(Math.random() * 1e9)}`;
      platform.env.set(parentKey, "from-parent");
      platform.env.set("ARAL_CONFORMANCE_OVERRIDE", "parent-value");
      defer(() => {
        platform.env.delete(parentKey);
        platform.env.delete("ARAL_CONFORMANCE_OVERRIDE");
      });
      const child = spawnFixture("print-env", [], {
        env: { ARAL_CONFORMANCE_CHILD: "child value ✓", ARAL_CONFORMANCE_OVERRIDE: "child-value" },
      });
      const [out] = await Promise.all([readAllText(child.stdout), readAll(child.stderr)]);
      equal((await statusWithin(child, EXIT_WAIT_MS)).code, 0, "exit code of the env child");
      const env = JSON.parse(out) as Record<string, string>;
      equal(env["ARAL_CONFORMANCE_CHILD"], "child value ✓", "child env ARAL_CONFORMANCE_CHILD (given in opts.env)");
      equal(
        env["ARAL_CONFORMANCE_OVERRIDE"],
        "child-value",
        "child env ARAL_CONFORMANCE_OVERRIDE (opts.env wins over the parent)",
      );
      equal(env[parentKey], "from-parent", `child env ${parentKey} (set with platform.env.set, inherited)`);
      const path = platform.env.get("PATH");
      if (path !== undefined) equal(env["PATH"], path, "child env PATH (inherited)");
    },
  },
  {
    name: "process.spawn: clearEnv gives the child only the given env",
    capability: "process.spawn",
    async run({ platform, spawnFixture, defer }) {
      platform.env.set("ARAL_CONFORMANCE_MUST_NOT_LEAK", "secret");
      defer(() => platform.env.delete("ARAL_CONFORMANCE_MUST_NOT_LEAK"));
      // PATH is passed on purpose: a runtime child may change its own env when PATH is missing
      // (Deno puts a `node` shim on it), which is the child runtime's doing, not a leak.
      const path = platform.env.get("PATH");
      const given: Record<string, string> = {
        ARAL_ONLY_A: "1",
        ARAL_ONLY_B: "two words",
        ...(path === undefined ? {} : { PATH: path }),
      };
      const child = spawnFixture("print-env", [], { clearEnv: true, env: given });
      const [out, err] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr)]);
      equal(
        (await statusWithin(child, EXIT_WAIT_MS)).code,
        0,
        `exit code of the clearEnv child (stderr: ${err.slice(0, 300)})`,
      );
      deepEqual(JSON.parse(out), given, "the whole environment of a clearEnv child");
    },
  },
]);

async function killAndExpectSignal(ctx: ConformanceContext, signal: ProcessSignal): Promise<void> {
  const child = ctx.spawnFixture("wait");
  const out = collectText(child.stdout);
  await out.waitFor("ready", EXIT_WAIT_MS);
  child.kill(signal);
  deepEqual(
    await statusWithin(child, EXIT_WAIT_MS, `exit after kill("${signal}")`),
    { code: null, signal, success: false },
    `status after kill("${signal}")`,
  );
}
