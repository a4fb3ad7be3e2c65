import { describe, expect, it, vi } from "vitest";
import { definePlatform } from "../src/define-platform.ts";
import type { PlatformPrimitives } from "../src/define-platform.ts";
import type { ChildProcess, ExitStatus, FileInfo, ProcessSignal } from "../src/contract.ts";
import { PlatformError, isPlatformError, toPlatformError } from "../src/errors.ts";
import type { SafeRequestHandler, ServeBinding } from "../src/derive-serve.ts";

const dirInfo: FileInfo = { isFile: false, isDirectory: true, isSymlink: false, size: 0, mtime: null, mode: 0o755 };

/** Primitives over an in-memory file map; spawn and serve record what the derived layer hands them. */
function primitives(files: Record<string, string | PlatformError>) {
  const kills: ProcessSignal[] = [];
  const spawned: unknown[] = [];
  const served: { handler?: SafeRequestHandler; opts?: unknown; closes: number } = { closes: 0 };
  let exit: (status: ExitStatus) => void = () => {};
  let startFailure: PlatformError | undefined;
  const lookup = (path: string): string => {
    const entry = files[path];
    if (entry === undefined) throw new PlatformError("NotFound", `NotFound: '${path}'`, { path });
    if (entry instanceof PlatformError) throw entry;
    return entry;
  };
  const fail = () => Promise.reject(new PlatformError("Unsupported", "not in this fake"));
  const p: PlatformPrimitives = {
    runtime: { name: "fake", version: "1.0.0", os: "linux", arch: "x64", cpus: 1, hostname: "test-host" },
    fs: {
      readFile: async (path) => new TextEncoder().encode(lookup(path)),
      stat: async (path) => {
        lookup(path);
        return dirInfo;
      },
      writeFile: fail,
      lstat: fail,
      mkdir: fail,
      readDir: fail,
      remove: fail,
      rename: fail,
      realPath: fail,
      symlink: fail,
      makeTempDir: fail,
      openRead: fail,
      openWrite: fail,
      diskUsage: fail,
      openDir: fail,
    },
    process: {
      spawn(_command, _args, opts) {
        spawned.push(opts);
        const status = startFailure
          ? Promise.reject(startFailure)
          : new Promise<ExitStatus>((resolve) => (exit = resolve));
        status.catch(() => {});
        const child: ChildProcess = {
          pid: 42,
          stdin: null,
          stdout: null,
          stderr: null,
          status,
          kill: (signal = "SIGTERM") => void kills.push(signal),
        };
        return child;
      },
      pid: 1,
      ppid: 0,
      cwd: () => "/",
      argv: [],
      execPath: "/bin/fake",
      exit: () => {
        throw new Error("exit");
      },
      onUncaught: () => () => {},
    },
    env: { get: () => undefined, set: () => {}, delete: () => {}, has: () => false, toObject: () => ({}) },
    signals: { on: () => () => {} },
    net: {
      fetch: globalThis.fetch,
      async serve(handler, opts): Promise<ServeBinding> {
        served.handler = handler;
        served.opts = opts;
        return {
          hostname: (opts as { hostname?: string }).hostname ?? "127.0.0.1",
          port: 8080,
          close: async () => void served.closes++,
        };
      },
      listenUnix: () => Promise.reject(new Error("not used")),
      connectUnix: () => Promise.reject(new Error("not used")),
    },
    usage: {
      memory: () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 1 }),
      cpu: () => ({ userMicros: 1, systemMicros: 1 }),
    },
  };
  return {
    p,
    kills,
    spawned,
    served,
    exit: (s: ExitStatus) => exit(s),
    failStart: (e: PlatformError) => (startFailure = e),
  };
}

describe("definePlatform: fs", () => {
  it("readTextFile decodes readFile's bytes as UTF-8; exists is false only for NotFound/NotADirectory", async () => {
    const { p } = primitives({
      "/a.txt": "grüße",
      "/denied": new PlatformError("PermissionDenied", "denied", { path: "/denied" }),
      "/f/x": new PlatformError("NotADirectory", "nd"),
    });
    const platform = definePlatform(p);
    expect(await platform.fs.readTextFile("/a.txt")).toBe("grüße");
    await expect(platform.fs.readTextFile("/missing")).rejects.toMatchObject({ code: "NotFound", path: "/missing" });
    expect(await platform.fs.exists("/a.txt")).toBe(true);
    expect(await platform.fs.exists("/missing")).toBe(false);
    expect(await platform.fs.exists("/f/x")).toBe(false);
    await expect(platform.fs.exists("/denied")).rejects.toMatchObject({ code: "PermissionDenied" });
  });
});

describe("definePlatform: process.spawn", () => {
  it("hands the adapter no signal; aborting sends SIGTERM once, and nothing after the child exited", async () => {
    const f = primitives({});
    const platform = definePlatform(f.p);
    const controller = new AbortController();
    const child = platform.process.spawn("x", [], { signal: controller.signal, cwd: "/" });
    expect(f.spawned[0]).toEqual({ cwd: "/" });
    controller.abort();
    expect(f.kills).toEqual(["SIGTERM"]);
    f.exit({ code: null, signal: "SIGTERM", success: false });
    expect(await child.status).toEqual({ code: null, signal: "SIGTERM", success: false });
    expect(child.pid).toBe(42);

    const late = new AbortController();
    const second = platform.process.spawn("x", [], { signal: late.signal });
    f.exit({ code: 0, signal: null, success: true });
    await second.status;
    late.abort();
    expect(f.kills).toEqual(["SIGTERM"]);
  });

  it("an already-aborted signal kills at once", () => {
    const f = primitives({});
    definePlatform(f.p).process.spawn("x", [], { signal: AbortSignal.abort() });
    expect(f.kills).toEqual(["SIGTERM"]);
  });

  it("a NotFound start with a missing cwd names the directory; with the cwd present the command's error stays", async () => {
    const f = primitives({ "/there": "dir" });
    const platform = definePlatform(f.p);
    f.failStart(
      toPlatformError(Object.assign(new Error("spawn x ENOENT"), { code: "ENOENT" }), { syscall: "spawn", path: "x" }),
    );
    await expect(platform.process.spawn("x", [], { cwd: "/nope" }).status).rejects.toMatchObject({
      code: "NotFound",
      path: "/nope",
      message: "NotFound: spawn 'x' failed: working directory '/nope' does not exist",
    });
    await expect(platform.process.spawn("x", [], { cwd: "/there" }).status).rejects.toMatchObject({
      code: "NotFound",
      path: "x",
    });
  });
});

describe("definePlatform: net.serve", () => {
  it("a throwing handler and one returning no Response both get the same 500, logged to stderr", async () => {
    const f = primitives({});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const platform = definePlatform(f.p);
      await platform.net.serve(() => {
        throw new Error("boom");
      });
      const thrown = await f.served.handler!(new Request("http://x/"));
      await platform.net.serve((() => "not a response") as never);
      const wrong = await f.served.handler!(new Request("http://x/"));
      for (const response of [thrown, wrong]) {
        expect(response.status).toBe(500);
        expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
        expect(await response.text()).toBe("Internal Server Error");
      }
      expect(errors).toHaveBeenCalledTimes(2);
      expect(String(errors.mock.calls[1]?.[1])).toContain("handler must return a Response, got string");
    } finally {
      errors.mockRestore();
    }
  });

  it("a handler that answers at once is answered at once; a promise, a thenable or a rejection through a promise", async () => {
    const f = primitives({});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const platform = definePlatform(f.p);
      const direct = new Response("direct");
      await platform.net.serve(() => direct);
      expect(f.served.handler!(new Request("http://x/"))).toBe(direct);

      await platform.net.serve(async () => new Response("later", { status: 202 }));
      const later = f.served.handler!(new Request("http://x/"));
      expect(later).toBeInstanceOf(Promise);
      expect((await later).status).toBe(202);

      // biome-ignore lint/suspicious/noThenProperty: a promise-like that is no Promise is the case under test
      const thenable = { then: (resolve: (r: Response) => void) => resolve(new Response("thenable", { status: 203 })) };
      await platform.net.serve((() => thenable) as never);
      expect((await f.served.handler!(new Request("http://x/"))).status).toBe(203);

      await platform.net.serve(() => Promise.reject(new Error("late boom")));
      const rejected = await f.served.handler!(new Request("http://x/"));
      expect(rejected.status).toBe(500);
      await platform.net.serve((async () => null) as never);
      expect((await f.served.handler!(new Request("http://x/"))).status).toBe(500);
      // what a handler returns may throw when looked at: a 500, not an exception out of the server's request handler
      const hostile = [
        // biome-ignore lint/suspicious/noThenProperty: a then getter that throws is the case under test
        Object.defineProperty({}, "then", {
          get() {
            throw new Error("then getter");
          },
        }),
        new Proxy(
          {},
          {
            getPrototypeOf() {
              throw new Error("getPrototypeOf trap");
            },
          },
        ),
      ];
      for (const answer of hostile) {
        await platform.net.serve((() => answer) as never);
        const response = f.served.handler!(new Request("http://x/"));
        expect(response).toBeInstanceOf(Response);
        expect((response as Response).status).toBe(500);
      }
      await platform.net.serve((async () => hostile[1]) as never);
      expect((await f.served.handler!(new Request("http://x/"))).status).toBe(500);
      expect(errors).toHaveBeenCalledTimes(5);
      expect(String(errors.mock.calls[0]?.[1])).toContain("late boom");
      expect(String(errors.mock.calls[2]?.[1])).toContain("then getter");
      expect(String(errors.mock.calls[3]?.[1])).toContain("getPrototypeOf trap");
      expect(String(errors.mock.calls[1]?.[1])).toContain("handler must return a Response, got null");
    } finally {
      errors.mockRestore();
    }
  });

  it("formats the URL (IPv6 in brackets), hands the adapter no signal, and aborting closes once", async () => {
    const f = primitives({});
    const platform = definePlatform(f.p);
    const controller = new AbortController();
    const server = await platform.net.serve(() => new Response("ok"), { hostname: "::1", signal: controller.signal });
    expect(server.url).toBe("http://[::1]:8080");
    expect(f.served.opts).toEqual({ hostname: "::1" });
    controller.abort();
    await server.close();
    expect(f.served.closes).toBe(1);
    expect((await platform.net.serve(() => new Response("ok"))).url).toBe("http://127.0.0.1:8080");
    await platform.net.serve(() => new Response("ok"), { signal: AbortSignal.abort() });
    expect(f.served.closes).toBe(2);
  });
});

describe("PlatformError brand", () => {
  it("isPlatformError and toPlatformError know a PlatformError from another copy of the package", () => {
    // what another copy's class produces: a different prototype carrying the same registered symbol
    class OtherCopyError extends Error {
      readonly code = "NotFound";
      readonly path = "/x";
    }
    Object.defineProperty(OtherCopyError.prototype, Symbol.for("@aral/platform.PlatformError"), { value: true });
    const foreign = new OtherCopyError("NotFound: /x");
    expect(isPlatformError(foreign)).toBe(true);
    expect(isPlatformError(foreign, "NotFound")).toBe(true);
    expect(isPlatformError(foreign, "AddrInUse")).toBe(false);
    expect(toPlatformError(foreign)).toBe(foreign);
    expect(isPlatformError(Object.assign(new Error("x"), { name: "PlatformError", code: "NotFound" }))).toBe(false);
  });
});
