// When a fleet ends - stopped, or its `aral up` killed - the control commands say so: a socket a killed
// `aral up` left behind blocks nothing (it is removed and said to be), and `aral logs -f` tells a stopped
// fleet (exit 0) from a lost one (exit 1); its reader going away ends it quietly (exit 141).
// `aral up` and `aral logs -f` run as real processes (Node 24 on the sources, else the build); the other
// commands in this process, over the real control socket.
import { type ChildProcessByStdio, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createPlatform } from "@aral/adapter-node";
import { afterAll, describe, expect, it } from "vitest";
import { aralCommand, until } from "./aral-command.ts";
import { main } from "../src/main.ts";

const platform = createPlatform();
const dir = mkdtempSync(join(tmpdir(), "aral-fleet-ends-"));
const controlDir = join(dir, "control");
mkdirSync(controlDir, { mode: 0o700 });
process.env["ARAL_CONTROL_DIR"] = controlDir;
const sock = (fleet: string) => join(controlDir, `${fleet}.sock`);

writeFileSync(
  join(dir, "ticker.mjs"),
  `process.on("SIGTERM", () => process.exit(0));
console.log("ready pid=" + process.pid);
let i = 0;
setInterval(() => console.log("tick " + i++), 20);`,
);
const fleetFile = (name: string): string => {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      logs: { dir: `./logs-${name}` },
      agents: [{ name: "ticker", runtime: "node", entry: "ticker.mjs", ready: { line: "ready" } }],
    }),
  );
  return path;
};

/** A stack frame line: what a crash prints and a quiet exit never does. */
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
interface AralProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: { out: string; err: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const started: AralProcess[] = [];

afterAll(() => {
  for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

async function aral(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(platform, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function spawnAral(argv: string[]): AralProcess {
  const child = spawn(aralCommand![0]!, [...aralCommand!.slice(1), ...argv], {
    cwd: dir,
    env: { ...process.env, ARAL_CONTROL_DIR: controlDir, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { out: "", err: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const handle = { child, output, exited };
  started.push(handle);
  return handle;
}

/** `aral up` of a one-agent fleet, once its agent is ready. */
async function up(name: string) {
  const fleet = spawnAral(["up", fleetFile(name)]);
  await until(`fleet ${name} ready`, () =>
    fleet.output.err.includes("ticker: 1 instance(s) ready") ? true : undefined,
  );
  return fleet;
}

/** `aral logs ticker -f` of the fleet, once it has printed a line. */
async function follow(name: string) {
  const follower = spawnAral(["logs", "ticker", "-f", "-n", "1", "--fleet", name]);
  await until("a followed line", () => (follower.output.out.includes("ticker#0") ? true : undefined));
  return follower;
}

describe("--fleet names a fleet, never a path: nothing outside the control directory is reached or removed", () => {
  it("--fleet ../outside/victim exits 2 naming the option, and the stale socket there stays", async () => {
    // A socket a killed process left (nothing listens: a connect is refused), outside the control directory.
    const outside = join(dir, "outside");
    mkdirSync(outside);
    const victim = join(outside, "victim.sock");
    const listener = spawnSync(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(victim)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(listener.signal).toBe("SIGKILL");
    expect(existsSync(victim)).toBe(true);
    for (const argv of [
      ["ps", "--fleet", "../outside/victim"],
      ["logs", "a", "--fleet", "../outside/victim"],
      ["restart", "a", "--fleet", "../outside/victim"],
      ["down", "--fleet=../outside/victim"],
      ["ps", "--fleet", "a/b"],
    ]) {
      const result = await aral(...argv);
      expect({ argv, code: result.code, out: result.out }).toEqual({ argv, code: 2, out: "" });
      expect(result.err.split("\n")[0]).toMatch(new RegExp(`^aral ${argv[0]}: --fleet needs a fleet name .*, got "`));
      expect(result.err).toContain(`usage: aral ${argv[0]} `);
    }
    expect(existsSync(victim), "the socket outside the control directory was removed").toBe(true);
  });
});

describe.skipIf(aralCommand === undefined)("a fleet that ended: stale sockets and aral logs -f", () => {
  it("a socket left by a SIGKILLed aral up blocks nothing: aral ps finds the one live fleet and removes it", async () => {
    const [dead, live] = [await up("dead"), await up("live")];
    dead.child.kill("SIGKILL");
    await dead.exited;
    expect(existsSync(sock("dead")), "SIGKILL leaves the socket").toBe(true);
    const ps = await aral("ps");
    expect(ps.code, ps.err).toBe(0);
    expect(ps.out).toMatch(/ticker\s+0\s+\d+\s+running/);
    expect(ps.err).toBe(`aral ps: removed the stale control socket ${sock("dead")} (fleet dead is not running)`);
    expect(existsSync(sock("dead"))).toBe(false);
    expect(existsSync(sock("live"))).toBe(true);
    const down = await aral("down");
    expect(down.code, down.err).toBe(0);
    expect((await live.exited).code).toBe(0);
  }, 90_000);

  it("--fleet naming a dead fleet's socket: no fleet <name> is running (stale socket removed)", async () => {
    const dead = await up("named");
    dead.child.kill("SIGKILL");
    await dead.exited;
    const ps = await aral("ps", "--fleet", "named");
    expect(ps.code).toBe(1);
    expect(ps.err).toBe(`aral ps: no fleet named is running (stale socket ${sock("named")} removed)`);
    expect(existsSync(sock("named"))).toBe(false);
    const none = await aral("ps");
    expect(none.code).toBe(1);
    expect(none.err).toContain("no fleet is running");
  }, 90_000);

  it("aral logs -f: the fleet stopped by aral down -> 'the fleet ended', exit 0", async () => {
    const fleet = await up("downed");
    const follower = await follow("downed");
    const down = await aral("down", "--fleet", "downed");
    expect(down.code, down.err).toBe(0);
    expect((await follower.exited).code, follower.output.err).toBe(0);
    expect(follower.output.err).toBe("aral logs: the fleet ended\n");
    expect((await fleet.exited).code).toBe(0);
  }, 90_000);

  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    it(`aral logs -f: the fleet stopped by ${signal} to aral up${signal === "SIGHUP" ? " (what a closed terminal sends)" : ""} -> 'the fleet ended', exit 0`, async () => {
      const name = `by-${signal.toLowerCase()}`;
      const fleet = await up(name);
      const follower = await follow(name);
      fleet.child.kill(signal);
      expect((await follower.exited).code, follower.output.err).toBe(0);
      expect(follower.output.err).toBe("aral logs: the fleet ended\n");
      expect((await fleet.exited).code).toBe(0);
      expect(fleet.output.err).toContain(`${signal} received, stopping every agent`);
    }, 90_000);
  }

  it("aral logs -f: aral up SIGKILLed -> the connection was lost, exit 1", async () => {
    const fleet = await up("killed");
    const follower = await follow("killed");
    fleet.child.kill("SIGKILL");
    expect((await follower.exited).code, follower.output.err).toBe(1);
    expect(follower.output.err).toBe(
      "aral logs: the fleet ended: the connection to it was lost (aral up was killed or crashed)\n",
    );
    await aral("ps"); // removes the socket the killed fleet left
  }, 90_000);

  it("aral logs -f whose reader goes away (| head -1): exit 141, nothing on stderr, no stack trace", async () => {
    const fleet = await up("piped");
    const follower = await follow("piped");
    follower.child.stdout.destroy(); // the reader has its line and goes away
    expect((await follower.exited).code).toBe(141);
    expect(follower.output.err).not.toMatch(STACK);
    expect(follower.output.err).toBe("");
    const down = await aral("down", "--fleet", "piped");
    expect(down.code, down.err).toBe(0);
    expect((await fleet.exited).code).toBe(0);
  }, 90_000);
});
