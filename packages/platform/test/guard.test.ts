import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guardPlatform } from "../src/guard.ts";
import type { ChildProcess, Platform } from "../src/contract.ts";

/** A Platform whose every method records its call and answers "adapter:<method>"; nothing real runs. */
function fakePlatform() {
  const calls: { method: string; args: unknown[] }[] = [];
  let pid = 100;
  let ppid = 1;
  const record =
    (method: string) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
      return method.startsWith("fs.") || method === "net.serve"
        ? Promise.resolve(`adapter:${method}`)
        : `adapter:${method}`;
    };
  let childPid = 7;
  const child: ChildProcess = {
    get pid() {
      return childPid;
    },
    stdin: null,
    stdout: null,
    stderr: null,
    status: Promise.resolve({ code: 0, signal: null, success: true }),
    kill: (signal) => void calls.push({ method: "kill", args: [signal] }),
  };
  const fsMethods = [
    "readFile",
    "readTextFile",
    "writeFile",
    "stat",
    "lstat",
    "exists",
    "mkdir",
    "readDir",
    "remove",
    "rename",
    "realPath",
    "symlink",
    "makeTempDir",
    "openRead",
    "openWrite",
    "diskUsage",
    "openDir",
  ];
  const fetch = (() => Promise.resolve(new Response("x"))) as unknown as typeof globalThis.fetch;
  const platform = {
    runtime: { name: "fake", version: "1.0.0", os: "linux", arch: "x64", cpus: 1, hostname: "test-host" },
    fs: Object.fromEntries(fsMethods.map((m) => [m, record(`fs.${m}`)])),
    process: {
      spawn: (...args: unknown[]) => {
        calls.push({ method: "process.spawn", args });
        return child;
      },
      get pid() {
        return pid;
      },
      get ppid() {
        return ppid;
      },
      cwd: record("process.cwd"),
      argv: ["a"],
      execPath: "/bin/fake",
      exit: record("process.exit"),
      onUncaught: record("process.onUncaught"),
    },
    env: {
      get: record("env.get"),
      set: record("env.set"),
      delete: record("env.delete"),
      has: record("env.has"),
      toObject: () => ({ A: "1" }),
    },
    signals: { on: record("signals.on") },
    net: {
      fetch,
      serve: record("net.serve"),
      listenUnix: record("net.listenUnix"),
      connectUnix: record("net.connectUnix"),
    },
    usage: {
      memory: () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 1 }),
      cpu: () => ({ userMicros: 1, systemMicros: 1 }),
    },
    workers: { spawn: record("workers.spawn") },
  } as unknown as Platform;
  return {
    platform,
    calls,
    setPid: (value: number) => (pid = value),
    setPpid: (value: number) => (ppid = value),
    setChildPid: (value: number) => (childPid = value),
    child,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

const PATH_METHODS = [
  "readFile",
  "readTextFile",
  "stat",
  "lstat",
  "exists",
  "readDir",
  "realPath",
  "openRead",
  "openWrite",
  "diskUsage",
  "openDir",
] as const;

describe("guardPlatform: fs", () => {
  it("rejects (does not throw) a bad path with a TypeError naming method and argument; the adapter never sees it", async () => {
    const { platform, calls } = fakePlatform();
    const fs = guardPlatform(platform).fs;
    for (const method of PATH_METHODS) {
      const call = fs[method] as (path: unknown) => Promise<unknown>;
      let result: Promise<unknown> | undefined;
      expect(() => (result = call(3))).not.toThrow();
      const error = await rejection(result!);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(
        `fs.${method}: path must be a non-empty string without NUL characters, got number`,
      );
      await expect(call("")).rejects.toThrow(
        `fs.${method}: path must be a non-empty string without NUL characters, got ""`,
      );
      await expect(call("a\0b")).rejects.toThrow(
        `fs.${method}: path must be a non-empty string without NUL characters, got "a\\u0000b"`,
      );
      await expect(call(new URL("file:///tmp/x"))).rejects.toThrow(/got URL$/);
      await expect(call(null)).rejects.toThrow(/got null$/);
    }
    expect(calls).toEqual([]);
  });

  it("delegates good calls once, with the same arguments, returning the adapter's result", async () => {
    const { platform, calls } = fakePlatform();
    const fs = guardPlatform(platform).fs;
    for (const method of PATH_METHODS)
      expect(await (fs[method] as (path: string) => Promise<unknown>)("/tmp/x")).toBe(`adapter:fs.${method}`);
    await fs.writeFile("/tmp/x", "data", { append: true, mode: 0o644 });
    await fs.writeFile("/tmp/x", new Uint8Array([1]));
    await fs.mkdir("/tmp/d", { recursive: true });
    await fs.remove("/tmp/d");
    await fs.rename("/a", "/b");
    await fs.symlink("relative/target", "/link");
    await fs.makeTempDir();
    await fs.makeTempDir({ prefix: "" });
    expect(calls.map((c) => c.method)).toEqual([
      ...PATH_METHODS.map((m) => `fs.${m}`),
      "fs.writeFile",
      "fs.writeFile",
      "fs.mkdir",
      "fs.remove",
      "fs.rename",
      "fs.symlink",
      "fs.makeTempDir",
      "fs.makeTempDir",
    ]);
    expect(calls[PATH_METHODS.length]!.args).toEqual(["/tmp/x", "data", { append: true, mode: 0o644 }]);
    expect(calls.at(-4)!.args).toEqual(["/a", "/b"]);
  });

  it("writeFile: data, opts, append and mode", async () => {
    const { platform, calls } = fakePlatform();
    const fs = guardPlatform(platform).fs;
    await expect(fs.writeFile("/f", 42 as never)).rejects.toThrow(
      "fs.writeFile: data must be a string or a Uint8Array, got number",
    );
    await expect(fs.writeFile("/f", new ArrayBuffer(1) as never)).rejects.toThrow(
      "fs.writeFile: data must be a string or a Uint8Array, got ArrayBuffer",
    );
    await expect(fs.writeFile("/f", new Uint16Array(1) as never)).rejects.toThrow("got Uint16Array");
    await expect(fs.writeFile("/f", "x", "a" as never)).rejects.toThrow(
      "fs.writeFile: opts must be an object, got string",
    );
    await expect(fs.writeFile("/f", "x", { append: "yes" as never })).rejects.toThrow(
      "fs.writeFile: opts.append must be a boolean, got string",
    );
    for (const mode of [0o10000, -1, 1.5, Number.NaN]) {
      await expect(fs.writeFile("/f", "x", { mode })).rejects.toThrow(
        `fs.writeFile: opts.mode must be an integer from 0 to 0o7777, got ${mode}`,
      );
    }
    await expect(fs.writeFile("/f", "x", { mode: "644" as never })).rejects.toThrow(
      "opts.mode must be an integer from 0 to 0o7777, got string",
    );
    expect(calls).toEqual([]);
  });

  it("two-path methods name the bad one; option bags are checked", async () => {
    const { platform, calls } = fakePlatform();
    const fs = guardPlatform(platform).fs;
    await expect(fs.rename("/a", "")).rejects.toThrow(
      'fs.rename: to must be a non-empty string without NUL characters, got ""',
    );
    await expect(fs.rename(1 as never, "/b")).rejects.toThrow("fs.rename: from must be");
    await expect(fs.symlink(undefined as never, "/l")).rejects.toThrow(
      "fs.symlink: target must be a non-empty string without NUL characters, got undefined",
    );
    await expect(fs.symlink("/t", "")).rejects.toThrow("fs.symlink: path must be");
    await expect(fs.mkdir("/d", { recursive: 1 as never })).rejects.toThrow(
      "fs.mkdir: opts.recursive must be a boolean, got number",
    );
    await expect(fs.remove("/d", null as never)).rejects.toThrow("fs.remove: opts must be an object, got null");
    await expect(fs.makeTempDir({ prefix: "../escape" })).rejects.toThrow(
      'fs.makeTempDir: opts.prefix must be a string without path separators or NUL characters, got "../escape"',
    );
    await expect(fs.makeTempDir({ prefix: "a\\b" })).rejects.toThrow("opts.prefix");
    await expect(fs.makeTempDir({ prefix: 5 as never })).rejects.toThrow(
      "opts.prefix must be a string without path separators or NUL characters, got number",
    );
    await expect(fs.makeTempDir([] as never)).rejects.toThrow("fs.makeTempDir: opts must be an object, got an array");
    expect(calls).toEqual([]);
  });

  it("property: any value that is not a non-empty NUL-free string is rejected for every path method, anything else passes", async () => {
    const { platform, calls } = fakePlatform();
    const fs = guardPlatform(platform).fs;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything(), fc.string()),
        fc.constantFrom(...PATH_METHODS),
        async (value, method) => {
          calls.length = 0;
          const valid = typeof value === "string" && value !== "" && !value.includes("\0");
          const outcome = await (fs[method] as (path: unknown) => Promise<unknown>)(value).then(
            () => "delegated",
            (error: unknown) =>
              error instanceof TypeError && error.message.startsWith(`fs.${method}: path must be`)
                ? "TypeError"
                : `other: ${String(error)}`,
          );
          expect(outcome).toBe(valid ? "delegated" : "TypeError");
          expect(calls.length).toBe(valid ? 1 : 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("guardPlatform: process", () => {
  it("spawn throws a TypeError for each kind of bad argument and never calls the adapter", () => {
    const { platform, calls } = fakePlatform();
    const { spawn } = guardPlatform(platform).process;
    const cases: [() => unknown, string][] = [
      [
        () => spawn(42 as never),
        "process.spawn: command must be a non-empty string without NUL characters, got number",
      ],
      [() => spawn(""), 'process.spawn: command must be a non-empty string without NUL characters, got ""'],
      [() => spawn("ls", "-l" as never), "process.spawn: args must be an array of strings, got string"],
      [
        () => spawn("ls", ["a", 1 as never]),
        "process.spawn: args[1] must be a string without NUL characters, got number",
      ],
      [() => spawn("ls", ["a\0"]), 'process.spawn: args[0] must be a string without NUL characters, got "a\\u0000"'],
      [() => spawn("ls", [], "x" as never), "process.spawn: opts must be an object, got string"],
      [
        () => spawn("ls", [], { cwd: "" }),
        'process.spawn: opts.cwd must be a non-empty string without NUL characters, got ""',
      ],
      [
        () => spawn("ls", [], { stdout: "file" as never }),
        'process.spawn: opts.stdout must be one of "pipe", "inherit", "null", got "file"',
      ],
      [
        () => spawn("ls", [], { stdin: "piped" as never }),
        'opts.stdin must be one of "pipe", "inherit", "null", got "piped"',
      ],
      [() => spawn("ls", [], { stderr: 1 as never }), "opts.stderr must be one of"],
      [
        () => spawn("ls", [], { env: { A: 1 as never } }),
        "process.spawn: opts.env.A must be a string without NUL characters, got number",
      ],
      [
        () => spawn("ls", [], { env: { "A=B": "x" } }),
        `process.spawn: opts.env key must be a non-empty string without '=' or NUL characters, got "A=B"`,
      ],
      [() => spawn("ls", [], { env: [] as never }), "process.spawn: opts.env must be an object, got an array"],
      [
        () => spawn("ls", [], { clearEnv: "yes" as never }),
        "process.spawn: opts.clearEnv must be a boolean, got string",
      ],
      [
        () => spawn("ls", [], { signal: {} as never }),
        "process.spawn: opts.signal must be an AbortSignal, got an object",
      ],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(message);
    }
    expect(calls).toEqual([]);
  });

  it("spawn delegates good calls; the child reads live from the adapter's child and checks kill()", () => {
    const { platform, calls, setChildPid } = fakePlatform();
    const { spawn } = guardPlatform(platform).process;
    const signal = new AbortController().signal;
    const child = spawn("ls", ["-l"], {
      cwd: "/tmp",
      env: { A: "" },
      clearEnv: true,
      stdin: "pipe",
      stdout: "inherit",
      stderr: "null",
      signal,
    });
    expect(spawn("ls").pid).toBe(7);
    expect(calls.map((c) => c.args)).toEqual([
      [
        "ls",
        ["-l"],
        { cwd: "/tmp", env: { A: "" }, clearEnv: true, stdin: "pipe", stdout: "inherit", stderr: "null", signal },
      ],
      ["ls", undefined, undefined],
    ]);
    setChildPid(8);
    expect(child.pid).toBe(8);
    expect(() => child.kill("SIGUSR1" as never)).toThrow(
      'ChildProcess.kill: signal must be one of "SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", got "SIGUSR1"',
    );
    const { kill } = child;
    kill();
    kill("SIGKILL");
    expect(calls.slice(2)).toEqual([
      { method: "kill", args: [undefined] },
      { method: "kill", args: ["SIGKILL"] },
    ]);
  });

  it("exit takes an integer from 0 to 255 or nothing; onUncaught a function", () => {
    const { platform, calls } = fakePlatform();
    const { exit, onUncaught } = guardPlatform(platform).process;
    for (const code of [256, -1, 1.5])
      expect(() => exit(code)).toThrow(`process.exit: code must be an integer from 0 to 255, got ${code}`);
    expect(() => exit("3" as never)).toThrow("process.exit: code must be an integer from 0 to 255, got string");
    expect(() => onUncaught("x" as never)).toThrow("process.onUncaught: handler must be a function, got string");
    expect(calls).toEqual([]);
    exit();
    exit(255);
    onUncaught(() => {});
    expect(calls.map((c) => [c.method, ...c.args.filter((a) => typeof a !== "function")])).toEqual([
      ["process.exit", undefined],
      ["process.exit", 255],
      ["process.onUncaught"],
    ]);
  });

  it("pid, ppid, argv and execPath are read live, not snapshotted", () => {
    const { platform, setPid, setPpid } = fakePlatform();
    const proc = guardPlatform(platform).process;
    expect(proc.pid).toBe(100);
    setPid(200);
    expect(proc.pid).toBe(200);
    expect(proc.ppid).toBe(1);
    setPpid(300);
    expect(proc.ppid).toBe(300);
    expect(proc.argv).toEqual(["a"]);
    expect(proc.execPath).toBe("/bin/fake");
    expect(proc.cwd()).toBe("adapter:process.cwd");
  });
});

describe("guardPlatform: env, signals, net, workers", () => {
  it("env keys and values", () => {
    const { platform, calls } = fakePlatform();
    const env = guardPlatform(platform).env;
    expect(() => env.set("A=B", "x")).toThrow(
      `env.set: key must be a non-empty string without '=' or NUL characters, got "A=B"`,
    );
    expect(() => env.set("A", 1 as never)).toThrow(
      "env.set: value must be a string without NUL characters, got number",
    );
    expect(() => env.set("A", "a\0")).toThrow("env.set: value must be");
    expect(() => env.get("")).toThrow(
      "env.get: key must be a non-empty string without '=' or NUL characters, got \"\"",
    );
    expect(() => env.has(3 as never)).toThrow("env.has: key must be");
    expect(() => env.delete("\0")).toThrow("env.delete: key must be");
    expect(calls).toEqual([]);
    const { get, set } = env;
    set("A", "");
    get("A");
    expect(env.toObject()).toEqual({ A: "1" });
    expect(calls).toEqual([
      { method: "env.set", args: ["A", ""] },
      { method: "env.get", args: ["A"] },
    ]);
  });

  it("signals.on takes a shutdown signal and a function", () => {
    const { platform, calls } = fakePlatform();
    const { on } = guardPlatform(platform).signals;
    expect(() => on("SIGKILL" as never, () => {})).toThrow(
      'signals.on: signal must be one of "SIGINT", "SIGTERM", "SIGHUP", got "SIGKILL"',
    );
    expect(() => on(undefined as never, () => {})).toThrow("signals.on: signal must be one of");
    expect(() => on("SIGINT", "x" as never)).toThrow("signals.on: handler must be a function, got string");
    expect(calls).toEqual([]);
    on("SIGHUP", () => {});
    expect(calls.map((c) => c.args[0])).toEqual(["SIGHUP"]);
  });

  it("net.serve rejects bad handler, port, hostname and signal; fetch passes http(s) to the adapter and refuses every other scheme", async () => {
    const { platform, calls } = fakePlatform();
    const net = guardPlatform(platform).net;
    const ok = () => new Response("ok");
    expect(await (await net.fetch("http://127.0.0.1:1/x")).text()).toBe("x");
    for (const url of ["file:///etc/passwd", "data:,x", "blob:null/1", "no-scheme"]) {
      await expect(net.fetch(url)).rejects.toMatchObject({ name: "PlatformError", code: "Unsupported" });
    }
    await expect(net.serve("x" as never)).rejects.toThrow("net.serve: handler must be a function, got string");
    await expect(net.serve(ok, { port: 70000 })).rejects.toThrow(
      "net.serve: opts.port must be an integer from 0 to 65535, got 70000",
    );
    await expect(net.serve(ok, { port: -1 })).rejects.toThrow("got -1");
    await expect(net.serve(ok, { port: "80" as never })).rejects.toThrow(
      "opts.port must be an integer from 0 to 65535, got string",
    );
    await expect(net.serve(ok, { hostname: "" })).rejects.toThrow(
      'net.serve: opts.hostname must be a non-empty string, got ""',
    );
    await expect(net.serve(ok, { signal: "abort" as never })).rejects.toThrow(
      "net.serve: opts.signal must be an AbortSignal, got string",
    );
    expect(calls).toEqual([]);
    expect(await net.serve(ok, { port: 0, hostname: "::1", signal: new AbortController().signal })).toBe(
      "adapter:net.serve",
    );
    expect(await net.serve(ok)).toBe("adapter:net.serve");
  });

  it("workers.spawn checks module and name only", () => {
    const { platform, calls } = fakePlatform();
    const workers = guardPlatform(platform).workers;
    expect(() => workers.spawn(42 as never)).toThrow(
      "workers.spawn: module must be a non-blank string path or a URL, got number",
    );
    expect(() => workers.spawn("  ")).toThrow(
      'workers.spawn: module must be a non-blank string path or a URL, got "  "',
    );
    expect(() => workers.spawn("./w.ts", { name: 1 as never })).toThrow(
      "workers.spawn: opts.name must be a string, got number",
    );
    expect(calls).toEqual([]);
    workers.spawn(new URL("file:///w.ts"));
    workers.spawn("./w.ts", { name: "w" });
    expect(calls.length).toBe(2);
  });
});

describe("guardPlatform: shape", () => {
  it("keeps runtime, usage and fetch; guards once; keeps members beyond the contract, getters live", () => {
    const { platform } = fakePlatform();
    let extra = 1;
    Object.defineProperty(platform, "extra", { get: () => extra, enumerable: true });
    const guarded = guardPlatform(platform);
    expect(guarded.runtime).toBe(platform.runtime);
    expect(guarded.usage).toBe(platform.usage);
    expect(guardPlatform(guarded)).toBe(guarded);
    extra = 2;
    expect((guarded as unknown as { extra: number }).extra).toBe(2);
  });

  it("recognizes a platform guarded by another copy of @aral/platform; a spread copy (fs replaced, say) is guarded again", async () => {
    const { platform, calls } = fakePlatform();
    const byOtherCopy = { ...platform };
    Object.defineProperty(byOtherCopy, Symbol.for("@aral/platform.guardedPlatform"), { value: true });
    expect(guardPlatform(byOtherCopy)).toBe(byOtherCopy);
    const respread = guardPlatform({ ...guardPlatform(platform), fs: platform.fs });
    await expect(respread.fs.readFile("")).rejects.toThrow(TypeError);
    expect(calls).toEqual([]);
  });

  it("a platform without workers stays without", () => {
    const { platform } = fakePlatform();
    const { workers: _workers, ...rest } = platform;
    expect("workers" in guardPlatform(rest as Platform)).toBe(false);
  });

  it("calls the adapter's methods on their own object, so an adapter using `this` keeps working", async () => {
    const { platform } = fakePlatform();
    const fs = {
      ...platform.fs,
      prefix: "this-ok:",
      readTextFile(this: { prefix: string }, path: string) {
        return Promise.resolve(this.prefix + path);
      },
    };
    const { readTextFile } = guardPlatform({ ...platform, fs }).fs;
    expect(await readTextFile("/x")).toBe("this-ok:/x");
  });
});
