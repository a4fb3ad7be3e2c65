import { isPlatformError, readAllText, run } from "@aral/platform";
import { platform } from "../src/index.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const { spawn } = platform.process;

Deno.test("spawn keeps exit codes exactly", async () => {
  for (const code of [0, 1, 3, 42]) {
    const result = await run(platform, "sh", ["-c", `exit ${code}`]);
    assertEquals([result.code, result.signal, result.success], [code, null, code === 0], `exit ${code}`);
  }
});

Deno.test("spawn: killed by a signal gives code null and the signal name; kill after exit is a no-op", async () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    const child = spawn("sleep", ["10"]);
    assert(child.pid > 0, "pid");
    child.kill(signal);
    assertEquals(await child.status, { code: null, signal, success: false });
    child.kill(); // after exit: nothing happens, nothing throws
    await Promise.all([child.stdout!.cancel(), child.stderr!.cancel()]);
  }
  // A child exiting 143 on its own is an exit code, not a signal.
  assertEquals((await run(platform, "sh", ["-c", "exit 143"])).code, 143);
});

Deno.test("spawn: aborting the signal sends SIGTERM, also when already aborted", async () => {
  const controller = new AbortController();
  const child = spawn("sleep", ["10"], { stdout: "null", stderr: "null" });
  const aborted = spawn("sleep", ["10"], { stdout: "null", stderr: "null", signal: AbortSignal.abort() });
  const later = spawn("sleep", ["10"], { stdout: "null", stderr: "null", signal: controller.signal });
  controller.abort();
  assertEquals((await later.status).signal, "SIGTERM");
  assertEquals((await aborted.status).signal, "SIGTERM");
  child.kill("SIGKILL");
  assertEquals((await child.status).signal, "SIGKILL");
});

Deno.test("spawn: a missing command rejects status with NotFound, spawn does not throw", async () => {
  const child = spawn("aral-no-such-command-xyz", ["a"]);
  assertEquals([child.pid, child.stdin, child.stdout, child.stderr], [0, null, null, null]);
  child.kill();
  await assertRejects(
    () => child.status,
    (e) => isPlatformError(e, "NotFound") && e.path === "aral-no-such-command-xyz",
    "missing command",
  );
  const badCwd = spawn("true", [], { cwd: "/aral/no/such/dir" });
  await assertRejects(
    () => badCwd.status,
    (e) => isPlatformError(e, "NotFound"),
    "missing cwd",
  );
});

Deno.test("spawn: stdio modes, stdin pipe, cwd, env merge and clearEnv", async () => {
  const echo = spawn("cat", [], { stdin: "pipe", stderr: "null" });
  assertEquals(echo.stderr, null);
  const writer = echo.stdin!.getWriter();
  await writer.write(new TextEncoder().encode("hello"));
  await writer.close();
  assertEquals(await readAllText(echo.stdout), "hello");
  assert((await echo.status).success, "cat failed");

  const quiet = spawn("true");
  assertEquals(quiet.stdin, null);
  await Promise.all([quiet.status, quiet.stdout!.cancel(), quiet.stderr!.cancel()]);

  const dir = await Deno.makeTempDir();
  try {
    assertEquals((await run(platform, "pwd", [], { cwd: dir })).stdoutText.trim(), await Deno.realPath(dir));
  } finally {
    await Deno.remove(dir);
  }

  Deno.env.set("ARAL_DENO_PARENT", "inherited");
  try {
    const merged = await run(platform, "sh", ["-c", 'echo "$ARAL_DENO_PARENT $ARAL_DENO_CHILD"'], {
      env: { ARAL_DENO_CHILD: "added" },
    });
    assertEquals(merged.stdoutText, "inherited added\n");
    const cleared = await run(platform, "env", [], { clearEnv: true, env: { ONLY: "this" } });
    assertEquals(cleared.stdoutText, "ONLY=this\n");
  } finally {
    Deno.env.delete("ARAL_DENO_PARENT");
  }
});

Deno.test("spawn: bad input is a TypeError naming what was wrong", () => {
  const throwsNaming = (op: () => unknown, word: string) => {
    try {
      op();
    } catch (error) {
      assert(
        error instanceof TypeError && error.message.includes(word),
        `expected TypeError about ${word}, got ${String(error)}`,
      );
      return;
    }
    throw new Error(`no error for bad ${word}`);
  };
  throwsNaming(() => spawn(""), "command");
  throwsNaming(() => spawn("true", [], { stdout: "piped" as never }), "stdout");
  throwsNaming(() => spawn("true", [1 as never]), "args");
});
