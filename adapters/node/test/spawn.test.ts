import { describe, expect, it } from "vitest";
import { PlatformError, readAllText, run } from "@aral/platform";
import { createPlatform } from "../src/index.ts";

const platform = createPlatform();
const { spawn } = platform.process;

describe("spawn exit status", () => {
  it.each([0, 1, 3, 42, 255])("keeps exit code %i exactly", async (code) => {
    const child = spawn("sh", ["-c", `exit ${code}`]);
    expect(child.pid).toBeGreaterThan(0);
    expect(await child.status).toEqual({ code, signal: null, success: code === 0 });
  });

  it.each(["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP"] as const)(
    "reports a child killed with %s as that signal",
    async (signal) => {
      const child = spawn("sleep", ["30"]);
      child.kill(signal);
      expect(await child.status).toEqual({ code: null, signal, success: false });
      child.kill(); // after exit: a no-op, not a throw
    },
  );

  it("aborting opts.signal sends SIGTERM, also when already aborted", async () => {
    const controller = new AbortController();
    const child = spawn("sleep", ["30"], { signal: controller.signal });
    expect(child.pid).toBeGreaterThan(0); // running: the abort below reaches a live child
    controller.abort();
    expect(await child.status).toMatchObject({ code: null, signal: "SIGTERM" });
    const early = spawn("sleep", ["30"], { signal: AbortSignal.abort() });
    expect(await early.status).toMatchObject({ signal: "SIGTERM" });
  });

  it("resolves status even when nobody reads a piped stdout", async () => {
    const child = spawn("sh", ["-c", "echo unread; exit 5"]);
    expect((await child.status).code).toBe(5);
    expect(await readAllText(child.stdout)).toBe("unread\n");
  });
});

describe("spawn start failures", () => {
  it("a missing command: spawn does not throw, status rejects NotFound, pid 0", async () => {
    const child = spawn("aral-no-such-command-xyz", ["a"]);
    expect(child.pid).toBe(0);
    expect(child.stdout).toBeNull();
    const error = await child.status.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "NotFound", path: "aral-no-such-command-xyz", syscall: "spawn" });
    child.kill();
  });

  it("a missing cwd is NotFound naming the directory", async () => {
    const error = await spawn("sh", ["-c", "true"], { cwd: "/definitely/not/here" }).status.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NotFound", path: "/definitely/not/here" });
  });

  it("a non-executable file is PermissionDenied", async () => {
    const dir = await platform.fs.makeTempDir();
    await platform.fs.writeFile(`${dir}/script`, "#!/bin/sh\n", { mode: 0o644 });
    const error = await spawn(`${dir}/script`).status.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PermissionDenied" });
    await platform.fs.remove(dir, { recursive: true });
  });

  it("bad arguments throw a TypeError naming them", () => {
    expect(() => spawn("sh", ["-c", 1 as unknown as string])).toThrow(/args/);
    expect(() => spawn("sh", [], { stdout: "file" as "pipe" })).toThrow(/stdout/);
    const child = spawn("sleep", ["30"]);
    expect(() => child.kill("SIGUSR1" as "SIGTERM")).toThrow(/SIGUSR1/);
    child.kill("SIGKILL");
    return child.status;
  });
});

describe("spawn streams and environment", () => {
  it("echoes stdin to stdout through web streams, with stderr separate", async () => {
    const child = spawn("sh", ["-c", "cat; echo oops >&2"], { stdin: "pipe" });
    const writer = child.stdin!.getWriter();
    const payload = "x".repeat(300_000);
    const [out, err] = await Promise.all([
      readAllText(child.stdout),
      readAllText(child.stderr),
      writer.write(new TextEncoder().encode(payload)).then(() => writer.close()),
    ]);
    expect(out).toBe(payload);
    expect(err).toBe("oops\n");
    expect((await child.status).success).toBe(true);
  });

  it("writing to a child that exited without reading rejects instead of crashing", async () => {
    const child = spawn("true", [], { stdin: "pipe" });
    await child.status;
    const writer = child.stdin!.getWriter();
    const big = new Uint8Array(1024 * 1024);
    await expect(
      (async () => {
        for (let i = 0; i < 4; i++) await writer.write(big);
      })(),
    ).rejects.toBeInstanceOf(PlatformError);
  });

  it("null stdio gives null streams", () => {
    const child = spawn("true", [], { stdout: "null", stderr: "null" });
    expect([child.stdin, child.stdout, child.stderr]).toEqual([null, null, null]);
    return child.status;
  });

  it("merges env over the parent's; clearEnv passes only opts.env", async () => {
    process.env["ARAL_PARENT_ONLY"] = "leak";
    try {
      const merged = await run(platform, "sh", ["-c", 'echo "$ARAL_PARENT_ONLY|$ARAL_CHILD"'], {
        env: { ARAL_CHILD: "c" },
      });
      expect(merged.stdoutText).toBe("leak|c\n");
      const cleared = await run(platform, "env", [], { clearEnv: true, env: { ARAL_CHILD: "c" } });
      expect(cleared.stdoutText).toBe("ARAL_CHILD=c\n");
    } finally {
      delete process.env["ARAL_PARENT_ONLY"];
    }
  });

  it("runs in cwd", async () => {
    const result = await run(platform, "pwd", [], { cwd: "/tmp" });
    expect(result.stdoutText.trim()).toBe(await platform.fs.realPath("/tmp"));
  });
});
