import { describe, expect, test } from "bun:test";
import { isPlatformError, readAllText, run } from "@aral/platform";
import { createPlatform } from "../src/index.ts";

const platform = createPlatform();
const { spawn } = platform.process;

describe("spawn exit status", () => {
  for (const code of [0, 1, 3, 42]) {
    test(`exit code ${code} is kept exactly`, async () => {
      const child = spawn("sh", ["-c", `exit ${code}`]);
      expect(child.pid).toBeGreaterThan(0);
      expect(await child.status).toEqual({ code, signal: null, success: code === 0 });
    });
  }
  test("killed by SIGTERM and SIGKILL: code null, signal name", async () => {
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      const child = spawn("sleep", ["10"]);
      child.kill(signal);
      expect(await child.status).toEqual({ code: null, signal, success: false });
    }
  });
  test("a child killing itself reports the signal", async () => {
    expect(await spawn("sh", ["-c", "kill -HUP $$"]).status).toEqual({ code: null, signal: "SIGHUP", success: false });
  });
  test("kill() after exit is a no-op", async () => {
    const child = spawn("true");
    await child.status;
    child.kill();
    child.kill("SIGKILL");
  });
  test("aborting opts.signal sends SIGTERM, also when aborted before spawn", async () => {
    const controller = new AbortController();
    const child = spawn("sleep", ["10"], { signal: controller.signal });
    expect(child.pid).toBeGreaterThan(0); // running: the abort below reaches a live child
    controller.abort();
    expect(await child.status).toEqual({ code: null, signal: "SIGTERM", success: false });
    expect(await spawn("sleep", ["10"], { signal: AbortSignal.abort() }).status).toMatchObject({ signal: "SIGTERM" });
  });
});

describe("spawn start failures settle status, never throw", () => {
  test("a missing command rejects status with NotFound", async () => {
    const child = spawn("aral-no-such-command-xyz", ["a"]);
    expect(child.pid).toBe(0);
    expect([child.stdin, child.stdout, child.stderr]).toEqual([null, null, null]);
    const error = await child.status.catch((e: unknown) => e);
    expect(isPlatformError(error, "NotFound")).toBe(true);
    expect(error).toMatchObject({ path: "aral-no-such-command-xyz", syscall: "spawn" });
    child.kill();
  });
  test("a missing absolute path and a non-executable file", async () => {
    expect(isPlatformError(await spawn("/no/such/bin").status.catch((e: unknown) => e), "NotFound")).toBe(true);
    const dir = await platform.fs.makeTempDir();
    try {
      await platform.fs.writeFile(`${dir}/not-executable`, "#!/bin/sh\n", { mode: 0o644 });
      const error = await spawn(`${dir}/not-executable`).status.catch((e: unknown) => e);
      expect(isPlatformError(error, "PermissionDenied")).toBe(true);
    } finally {
      await platform.fs.remove(dir, { recursive: true });
    }
  });
  test("a missing cwd is NotFound naming the directory", async () => {
    const error = await spawn("ls", [], { cwd: "/no/such/dir" }).status.catch((e: unknown) => e);
    expect(isPlatformError(error, "NotFound")).toBe(true);
    expect(error).toMatchObject({ path: "/no/such/dir" });
  });
  test("bad arguments are TypeErrors", () => {
    expect(() => spawn("")).toThrow(TypeError);
    expect(() => spawn("ls", [1 as unknown as string])).toThrow(TypeError);
    expect(() => spawn("ls", [], { stdout: "file" as "pipe" })).toThrow(TypeError);
  });
});

describe("spawn stdio and environment", () => {
  test("stdin pipe is a WritableStream, stdout/stderr ReadableStreams", async () => {
    const child = spawn("sh", ["-c", "cat; echo err >&2"], { stdin: "pipe" });
    expect(child.stdin).toBeInstanceOf(WritableStream);
    const writer = child.stdin!.getWriter();
    await writer.write(new TextEncoder().encode("hello "));
    await writer.write(new TextEncoder().encode("world"));
    await writer.close();
    const [out, err, status] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr), child.status]);
    expect([out, err, status.code]).toEqual(["hello world", "err\n", 0]);
  });
  test("defaults: stdin null, stdout and stderr piped; 'null' and 'inherit' give null streams", async () => {
    const child = spawn("true");
    expect(child.stdin).toBeNull();
    expect(child.stdout).toBeInstanceOf(ReadableStream);
    expect(child.stderr).toBeInstanceOf(ReadableStream);
    const quiet = spawn("true", [], { stdout: "null", stderr: "inherit" });
    expect([quiet.stdout, quiet.stderr]).toEqual([null, null]);
    await Promise.all([child.status, quiet.status]);
  });
  test("8 MiB through cat via run()", async () => {
    const input = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 251);
    const result = await run(platform, "cat", [], { input });
    expect(result.stdout.length).toBe(input.length);
    expect(Buffer.compare(result.stdout, input)).toBe(0);
  });
  test("env merges over the parent; clearEnv passes only opts.env", async () => {
    platform.env.set("ARAL_BUN_PARENT", "p");
    try {
      const merged = await run(platform, "sh", ["-c", 'echo "$ARAL_BUN_PARENT/$ARAL_BUN_CHILD"'], {
        env: { ARAL_BUN_CHILD: "c" },
      });
      expect(merged.stdoutText).toBe("p/c\n");
      const cleared = await run(platform, "env", [], { env: { ONLY: "1" }, clearEnv: true });
      expect(cleared.stdoutText).toBe("ONLY=1\n");
    } finally {
      platform.env.delete("ARAL_BUN_PARENT");
    }
  });
  test("cwd", async () => {
    expect((await run(platform, "pwd", [], { cwd: "/tmp" })).stdoutText).toBe("/tmp\n");
  });
});
