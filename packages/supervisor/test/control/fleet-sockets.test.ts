// Telling a running fleet's control socket from one a dead fleet left behind, and a follow's end: real Unix
// sockets, a real process that dies with its socket open (SIGKILL), a real fleet.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UnixListener } from "@aral/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlCall } from "../../src/control/control-client.ts";
import { ControlServer } from "../../src/control/control-server.ts";
import {
  isConnectionRefused,
  probeControlSocket,
  removeStaleSocket,
  scanFleetSockets,
} from "../../src/control/fleet-sockets.ts";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-fleet-sockets-"));
const dir = join(root, "ctl");
mkdirSync(dir, { mode: 0o700 });
const at = (name: string) => join(dir, name);

/** A socket whose process died without closing it (what `aral up` killed with SIGKILL leaves). */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    "-e",
    `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"));`,
  ]);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_, s) => resolve(s)));
  expect(signal).toBe("SIGKILL");
  expect(existsSync(path)).toBe(true);
}

let live: UnixListener;

beforeAll(async () => {
  live = await platform.net.listenUnix(at("live.sock"), (connection) => connection.close(), { mode: 0o600 });
  await staleSocket(at("dead.sock"));
  writeFileSync(at("file.sock"), "not a socket");
  symlinkSync(at("live.sock"), at("link.sock"));
});

afterAll(async () => {
  await live.close();
});

describe("control sockets: live or left behind", () => {
  it("a probe tells a listening socket, a stale one (ECONNREFUSED), a missing one", async () => {
    expect(await probeControlSocket(platform, at("live.sock"))).toBe("live");
    expect(await probeControlSocket(platform, at("dead.sock"))).toBe("stale");
    expect(await probeControlSocket(platform, at("none.sock"))).toBe("missing");
    const refused = await platform.net.connectUnix(at("dead.sock")).catch((error: unknown) => error);
    expect(isConnectionRefused(refused)).toBe(true);
    expect(isConnectionRefused(new Error("ECONNREFUSED in a message only"))).toBe(false);
  });

  it("a scan counts only sockets that accept a connection; without removeStale it leaves the stale one", async () => {
    const scan = await scanFleetSockets(platform, dir, { removeStale: false });
    expect(scan).toEqual({
      running: ["live"],
      stale: [{ fleet: "dead", path: at("dead.sock"), removed: false }],
      unreachable: [],
    });
    expect(existsSync(at("dead.sock"))).toBe(true);
  });

  it("removeStaleSocket removes only a socket that refuses: never a live one, a regular file or a symlink", async () => {
    expect(await removeStaleSocket(platform, at("live.sock"))).toBe(false);
    expect(await removeStaleSocket(platform, at("file.sock"))).toBe(false);
    expect(await removeStaleSocket(platform, at("link.sock"))).toBe(false);
    expect(existsSync(at("live.sock")) && existsSync(at("file.sock")) && existsSync(at("link.sock"))).toBe(true);
  });

  it("a scan removes the stale socket (the directory is the user's own) and says so", async () => {
    const scan = await scanFleetSockets(platform, dir);
    expect(scan.running).toEqual(["live"]);
    expect(scan.stale).toEqual([{ fleet: "dead", path: at("dead.sock"), removed: true }]);
    expect(existsSync(at("dead.sock"))).toBe(false);
    expect(await scanFleetSockets(platform, join(root, "no-such-dir"))).toEqual({
      running: [],
      stale: [],
      unreachable: [],
    });
  });

  it("ControlServer.listen replaces a stale socket of its fleet", async () => {
    const spec = await validateFleet(
      platform,
      { name: "replaced", agents: [{ name: "a", runtime: "node", entry: join(root, "never-started.mjs") }] },
      join(root, "replaced.json"),
    );
    const fleet = new Fleet(platform, spec, { logger: quietLogger, parentEnv: {}, execPaths: {} });
    await staleSocket(at("replaced.sock"));
    const server = new ControlServer(platform, fleet, { dir });
    await server.listen();
    try {
      expect(await probeControlSocket(platform, server.path)).toBe("live");
    } finally {
      await server.close();
    }
  });
});

describe("logs --follow: the end of the fleet", () => {
  const agent = join(root, "ticker.mjs");
  writeFileSync(
    agent,
    `process.on("SIGTERM", () => process.exit(0)); console.log("ready"); let i = 0; setInterval(() => console.log("tick " + i++), 20);`,
  );

  it("close() sends the follower a last { end: 'fleet-stopped' } after the lines, then hangs up", async () => {
    const spec = await validateFleet(
      platform,
      {
        name: "followed",
        logs: { dir: "./logs" },
        agents: [{ name: "ticker", runtime: "node", entry: agent, ready: { line: "ready" } }],
      },
      join(root, "followed.json"),
    );
    const fleet = new Fleet(platform, spec, {
      logger: quietLogger,
      parentEnv: { PATH: process.env["PATH"] ?? "" },
      execPaths: { node: process.execPath },
    });
    const server = new ControlServer(platform, fleet, { dir });
    await server.listen();
    await fleet.start();
    const messages: unknown[] = [];
    let sawLine!: () => void;
    const firstLine = new Promise<void>((resolve) => (sawLine = resolve));
    const following = controlCall(
      platform,
      server.path,
      { command: "logs", agent: "ticker", follow: true, lines: 1 },
      {
        onMessage: (message) => {
          messages.push(message);
          sawLine();
        },
      },
    );
    await firstLine;
    await fleet.down();
    await server.close();
    await following;
    expect(messages.at(-1)).toEqual({ end: "fleet-stopped" });
    expect(messages.slice(0, -1).every((m) => typeof (m as { line?: unknown }).line === "string")).toBe(true);
  });

  it("a follow whose connection simply ends (a fleet that died) resolves without an end message", async () => {
    const path = at("dies.sock");
    const listener = await platform.net.listenUnix(path, (connection) => {
      void (async () => {
        // the request first: a server that hangs up before it would fail the client's write instead
        const reader = connection.readable.getReader();
        let request = "";
        while (!request.includes("\n")) {
          const { done, value } = await reader.read();
          if (done) break;
          request += new TextDecoder().decode(value);
        }
        const writer = connection.writable.getWriter();
        await writer.write(new TextEncoder().encode(`${JSON.stringify({ ok: true, result: { lines: [] } })}\n`));
        await writer.write(new TextEncoder().encode(`${JSON.stringify({ line: "one" })}\n`));
        connection.close();
      })();
    });
    try {
      const messages: unknown[] = [];
      await controlCall(
        platform,
        path,
        { command: "logs", agent: "x", follow: true },
        { onMessage: (m) => messages.push(m) },
      );
      expect(messages).toEqual([{ line: "one" }]);
    } finally {
      await listener.close();
    }
  });
});
