import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform } from "@aral/adapter-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aralCommand, deno, repo, sourceBin, until } from "./aral-command.ts";
import { main } from "../src/main.ts";

// `aral up` runs as a real process (Node 24 on the TypeScript sources, else the build); the other commands
// run in this process and talk to it over the real control socket.
const bun = join(repo, "node_modules/bun/bin/bun.exe");
const python = spawnSync("python3", ["--version"]).status === 0;
const runnable = aralCommand !== undefined && existsSync(deno) && existsSync(bun) && python;

const platform = createPlatform();
const dir = mkdtempSync(join(tmpdir(), "aral-fleet-"));
chmodSync(dir, 0o755); // user nobody runs the CLI from here in one case
const controlDir = join(dir, "control");
const bin = join(dir, "bin");
mkdirSync(bin);
symlinkSync(deno, join(bin, "deno"));
symlinkSync(bun, join(bin, "bun"));
const PATH = `${bin}:${process.env["PATH"]}`;
process.env["ARAL_CONTROL_DIR"] = controlDir;

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// One agent for Node, Deno and Bun: says ready with its pid, says bye on SIGTERM.
file(
  "agent.mjs",
  `const D = globalThis.Deno;
const env = (name) => (D ? D.env.get(name) : process.env[name]);
const pid = D ? D.pid : process.pid;
const me = env("ARAL_AGENT") + "#" + env("ARAL_INSTANCE");
const onTerm = (fn) => (D ? D.addSignalListener("SIGTERM", fn) : process.on("SIGTERM", fn));
onTerm(() => { console.log("bye " + me + " pid=" + pid); D ? D.exit(0) : process.exit(0); });
console.log("ready " + me + " pid=" + pid + " secret=" + (env("FLEET_SECRET") ?? "none") + " leak=" + (env("FLEET_LEAK") ?? "none"));
setInterval(() => {}, 1000);
`,
);
file(
  "agent.py",
  `import os, signal, sys, time
me = os.environ["ARAL_AGENT"] + "#" + os.environ["ARAL_INSTANCE"]
def bye(*_):
    print("bye " + me + " pid=" + str(os.getpid()), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
settings = "shutdown=" + os.environ.get("ARAL_LIFECYCLE_SHUTDOWN_TIMEOUT", "none") + " memory=" + os.environ.get("ARAL_RESOURCES_MEMORY_LIMIT", "none") + " concurrency=" + os.environ.get("ARAL_TASKS_CONCURRENCY", "none")
print("ready " + me + " pid=" + str(os.getpid()) + " " + settings, flush=True)
while True:
    time.sleep(1)
`,
);
const fleetName = `e2e${process.pid}`;
const fleetFile = file(
  "fleet.yaml",
  `name: ${fleetName}
logs: { dir: ./logs, maxBytes: 1Mi, files: 2 }
agents:
  - { name: on-node, runtime: node, entry: agent.mjs, instances: 2, env: [FLEET_SECRET], ready: { line: ready } }
  - { name: on-deno, runtime: deno, entry: agent.mjs, ready: { line: ready } }
  - { name: on-bun, runtime: bun, entry: agent.mjs, ready: { line: ready } }
  - name: on-python
    command: [python3, agent.py]
    ready: { line: ready }
    layers: { runtime: { resources: { memory: { limit: 256Mi }, cpu: { limit: 500m, request: 250m } }, lifecycle: { shutdownTimeout: 3000 } } }
  - { name: broken, runtime: node, entry: missing.mjs }
`,
);

async function aral(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(platform, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

interface Instance {
  agent: string;
  instance: number;
  pid: number | null;
  state: string;
  restarts: number;
  uptimeMs: number | null;
  error?: string;
  enforcement: Record<string, unknown>;
}

async function psJson(): Promise<Instance[]> {
  const result = await aral("ps", "--json");
  expect(result.code, result.err).toBe(0);
  return (JSON.parse(result.out) as { instances: Instance[] }).instances;
}

const pidsOf = (instances: Instance[], agent: string) => instances.filter((i) => i.agent === agent).map((i) => i.pid!);
const alive = (pid: number) => existsSync(`/proc/${pid}`);
const logOf = (agent: string) => readFileSync(join(dir, "logs", `${agent}.log`), "utf8");

function spawnAral(argv: string[]) {
  const child = spawn(aralCommand![0]!, [...aralCommand!.slice(1), ...argv], {
    cwd: dir,
    env: { ...process.env, PATH, ARAL_CONTROL_DIR: controlDir, FLEET_SECRET: "shh", FLEET_LEAK: "must-not-pass" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { out: "", err: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

describe.skipIf(!runnable)(
  "aral up: a fleet of Node, Deno, Bun and python3 agents over the real control socket",
  () => {
    let up: ReturnType<typeof spawnAral>;

    beforeAll(async () => {
      up = spawnAral(["up", fleetFile]);
      await until("every agent's start report", () =>
        [
          "on-node: 2 instance(s) ready",
          "on-deno: 1 instance(s) ready",
          "on-bun: 1 instance(s) ready",
          "on-python: 1 instance(s) ready",
          "broken: NOT running",
        ].every((text) => up.output.err.includes(text))
          ? true
          : undefined,
      );
    }, 90_000);

    afterAll(() => {
      if (up.child.exitCode === null) up.child.kill("SIGKILL");
    });

    it("one agent that cannot start is reported with why; the others run", async () => {
      expect(up.output.err).toMatch(
        /broken: NOT running as declared \(0 of 1 ready\): entry \S+missing\.mjs does not exist/,
      );
      const instances = await psJson();
      expect(instances.map((i) => `${i.agent}#${i.instance}:${i.state}`)).toEqual([
        "on-node#0:running",
        "on-node#1:running",
        "on-deno#0:running",
        "on-bun#0:running",
        "on-python#0:running",
        "broken#0:failed",
      ]);
      expect(instances.at(-1)!.error).toContain("missing.mjs does not exist");
      for (const instance of instances.slice(0, 5)) {
        expect(alive(instance.pid!)).toBe(true);
        expect(instance.uptimeMs).toBeGreaterThanOrEqual(0);
      }
      // Every limit of the agent's layers.runtime reaches its instance's cgroup (pids has a default of its own).
      const python = instances.find((i) => i.agent === "on-python")!.enforcement;
      const held = python["mechanism"] === "none" ? ["sampled", "not enforced"] : ["kernel"];
      for (const limit of ["memory", "cpuLimit", "cpuRequest", "pids"]) expect(held).toContain(python[limit]);
      const table = await aral("ps");
      expect(table.out.split("\n")[0]).toMatch(
        /^NAME\s+INSTANCE\s+PID\s+STATE\s+RESTARTS\s+UPTIME\s+MEMORY\s+CPU\s+ENFORCEMENT$/,
      );
      expect(table.out).toMatch(/on-deno\s+0\s+\d+\s+running/);
    });

    it("logs: each line tagged with agent and instance, per-agent files; only allow-listed env reaches the agent", async () => {
      const node = await aral("logs", "on-node", "-n", "20");
      expect(node.code).toBe(0);
      expect(node.out).toMatch(/^\S+Z on-node#0 out ready on-node#0 pid=\d+ secret=shh leak=none$/m);
      expect(node.out).toMatch(/^\S+Z on-node#1 out ready on-node#1 pid=\d+ secret=shh leak=none$/m);
      for (const agent of ["on-deno", "on-bun", "on-python"]) {
        const result = await aral("logs", agent);
        expect(result.out).toMatch(new RegExp(`^\\S+Z ${agent}#0 out ready ${agent}#0 pid=\\d+`, "m"));
        expect(result.out).not.toContain("on-node#");
      }
      expect(logOf("on-deno")).toContain("secret=none leak=none");
      // the fleet file's inline layers.runtime reaches the agent as ARAL_* variables; a field not written does not
      expect(logOf("on-python")).toMatch(/ready on-python#0 pid=\d+ shutdown=3000 memory=256Mi concurrency=none$/m);
    });

    it("logs -f follows new lines while restart replaces the agent's processes", async () => {
      const [oldPid] = pidsOf(await psJson(), "on-bun");
      const follower = spawnAral(["logs", "on-bun", "-f", "-n", "1", "--fleet", fleetName]);
      // its first answer (the last line so far) means it is connected and following
      await until(
        "the follower's first line",
        () => (follower.output.out.includes("on-bun#0") ? true : undefined),
        20_000,
      );
      const restart = await aral("restart", "on-bun");
      expect(restart.code, restart.err).toBe(0);
      const [newPid] = pidsOf(await psJson(), "on-bun");
      expect(newPid).not.toBe(oldPid);
      expect(alive(oldPid!)).toBe(false);
      await until(
        "the followed ready line",
        () => (follower.output.out.includes(`ready on-bun#0 pid=${newPid}`) ? true : undefined),
        20_000,
      );
      expect(follower.output.out).toContain(`bye on-bun#0 pid=${oldPid}`);
      follower.child.kill("SIGINT");
      expect(await follower.exited).toBe(0);
    });

    it("reload: each replacement is ready before its old instance is stopped (zero downtime)", async () => {
      const before = pidsOf(await psJson(), "on-node");
      const reload = await aral("reload", "on-node");
      expect(reload.code, reload.err).toBe(0);
      const after = pidsOf(await psJson(), "on-node");
      expect(after.every((pid) => !before.includes(pid))).toBe(true);
      const log = logOf("on-node");
      for (const [index, oldPid] of before.entries()) {
        const ready = log.indexOf(`ready on-node#${index} pid=${after[index]}`);
        const bye = log.indexOf(`bye on-node#${index} pid=${oldPid}`);
        expect(ready).toBeGreaterThan(-1);
        expect(bye).toBeGreaterThan(ready);
        expect(alive(oldPid)).toBe(false);
      }
    });

    it("stop: only that agent stops; bad requests from the CLI name the command", async () => {
      const [pythonPid] = pidsOf(await psJson(), "on-python");
      expect((await aral("stop", "on-python")).code).toBe(0);
      expect(alive(pythonPid!)).toBe(false);
      expect(logOf("on-python")).toContain(`bye on-python#0 pid=${pythonPid}`);
      const states = Object.fromEntries((await psJson()).map((i) => [`${i.agent}#${i.instance}`, i.state]));
      expect(states).toMatchObject({
        "on-python#0": "stopped",
        "on-node#0": "running",
        "on-deno#0": "running",
        "on-bun#0": "running",
      });

      const ghost = await aral("restart", "ghost");
      expect(ghost.code).toBe(1);
      expect(ghost.err).toMatch(
        /^aral restart: no agent named "ghost" in this fleet \(agents: on-node, on-deno, on-bun, on-python, broken\)$/,
      );
      expect((await aral("reload")).code).toBe(2);
      expect((await aral("ps", "--bogus")).err).toContain(`aral ps: unknown option "--bogus"`);
    });

    it("another user is refused: aral ps run as nobody", () => {
      const run = spawnSync(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", ...aralCommand!, "ps", "--fleet", fleetName],
        {
          cwd: dir,
          env: { PATH: process.env["PATH"], ARAL_CONTROL_DIR: controlDir },
          encoding: "utf8",
          timeout: 30_000,
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("aral ps: permission denied on the control socket");
      expect(run.stdout).toBe("");
    });

    it("SIGTERM to aral up stops every agent gracefully, in parallel; exit 0; no agent process left", async () => {
      const running = (await psJson()).filter((i) => i.state === "running");
      expect(running.length).toBe(4); // on-node ×2, on-deno, on-bun
      up.child.kill("SIGTERM");
      expect(await up.exited).toBe(0);
      expect(up.output.err).toContain("SIGTERM received, stopping every agent");
      for (const instance of running) {
        expect(alive(instance.pid!)).toBe(false);
        expect(logOf(instance.agent)).toContain(`bye ${instance.agent}#${instance.instance} pid=${instance.pid}`);
      }
      expect(existsSync(join(controlDir, `${fleetName}.sock`))).toBe(false);
      expect((await aral("ps", "--fleet", fleetName)).err).toContain("no fleet is running");
    }, 30_000);
  },
);

describe.skipIf(aralCommand === undefined)("aral up: bad fleet files and aral down", () => {
  it("a bad fleet file: exit 1, every problem with its field path, nothing started", async () => {
    const bad = file(
      "bad.json",
      JSON.stringify({
        agents: [
          { name: "x", entry: "a.mjs" },
          { name: "y", command: "python3 agent.py" },
        ],
      }),
    );
    const result = await aral("up", bad);
    expect(result.code).toBe(1);
    expect(result.err).toContain("agents[0].runtime: is required with entry");
    expect(result.err).toContain("agents[1].command: must be a non-empty array of strings");
    expect((await aral("up")).code).toBe(2);
  });

  it("aral down stops the fleet and ends aral up with exit 0", async () => {
    const small = file(
      "small.jsonc",
      `// one agent\n{ "name": "small${process.pid}", "agents": [ { "name": "solo", "runtime": "node", "entry": "agent.mjs", "ready": { "line": "ready" }, }, ], }`,
    );
    const upSmall = spawnAral(["up", small]);
    await until("solo ready", () => (upSmall.output.err.includes("solo: 1 instance(s) ready") ? true : undefined));
    const down = await aral("down", "--fleet", `small${process.pid}`);
    expect(down.code, down.err).toBe(0);
    expect(down.out).toContain("is down (solo stopped)");
    expect(await upSmall.exited).toBe(0);
    expect(readFileSync(join(dir, "logs", "solo.log"), "utf8")).toMatch(/bye solo#0 pid=\d+/);
  }, 60_000);
});

describe.skipIf(!runnable)(
  "the fleet commands on Bun and Deno: aral up under Bun, aral ps and aral down under Deno",
  () => {
    it("Bun serves the control socket; Deno's client lists the instances and takes the fleet down", async () => {
      const name = `cross${process.pid}`;
      const fleet = file(
        "cross.json",
        JSON.stringify({
          name,
          logs: { dir: "./cross-logs" },
          agents: [{ name: "solo", runtime: "node", entry: "agent.mjs", ready: { line: "ready" } }],
        }),
      );
      const env = { ...process.env, PATH, ARAL_CONTROL_DIR: controlDir };
      const upBun = spawn(bun, ["--conditions=source", sourceBin, "up", fleet], {
        cwd: dir,
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      upBun.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => upBun.once("exit", (code) => resolve(code)));
      try {
        await until("solo ready under Bun", () => (err.includes("solo: 1 instance(s) ready") ? true : undefined));
        const denoAral = (...argv: string[]) =>
          spawnSync(deno, ["run", "-A", sourceBin, ...argv], {
            cwd: dir,
            env: { ...env, NO_COLOR: "1" },
            encoding: "utf8",
            timeout: 60_000,
          });
        const ps = denoAral("ps", "--json", "--fleet", name);
        expect(ps.status, ps.stderr).toBe(0);
        const [solo] = (JSON.parse(ps.stdout) as { instances: Instance[] }).instances;
        expect(solo).toMatchObject({ agent: "solo", instance: 0, state: "running" });
        expect(alive(solo!.pid!)).toBe(true);
        const down = denoAral("down", "--fleet", name);
        expect(down.status, down.stderr).toBe(0);
        expect(await exited).toBe(0);
        expect(alive(solo!.pid!)).toBe(false);
      } finally {
        if (upBun.exitCode === null) upBun.kill("SIGKILL");
      }
    }, 90_000);
  },
);

describe("aral up: a log directory or file that cannot be written", () => {
  // An agent that leaves a mark when it runs: the checks below must start nothing.
  file(
    "marking-agent.mjs",
    `import { writeFileSync } from "node:fs";
writeFileSync(new URL("./started-" + process.env.ARAL_AGENT, import.meta.url), "");
console.log("ready");
setInterval(() => {}, 1000);
`,
  );
  const fleetWithLogs = (name: string, logsDir: string) =>
    file(
      `${name}.yaml`,
      `name: ${name}${process.pid}\nlogs: { dir: ${JSON.stringify(logsDir)} }\nagents:\n  - { name: ${name}, runtime: node, entry: marking-agent.mjs, ready: { line: ready } }\n`,
    );
  const nothingStarted = (name: string) => {
    expect(existsSync(join(dir, `started-${name}`))).toBe(false);
    expect(existsSync(join(controlDir, `${name}${process.pid}.sock`))).toBe(false);
  };

  it("a log directory under a regular file: exit 1, one line naming it and ENOTDIR, no stack trace, nothing started", async () => {
    file("afile", "a regular file\n");
    const fleet = fleetWithLogs("notdir", "./afile/logs");
    const result = await aral("up", fleet);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `aral up: logs.dir of ${fleet}: cannot create the log directory ${join(dir, "afile/logs")}: ENOTDIR (a component of the path is not a directory); nothing started`,
    );
    expect(result.out).toBe("");
    nothingStarted("notdir");
  });

  it("an agent's log file that is a directory: exit 1, one line naming the file and EISDIR, nothing started", async () => {
    mkdirSync(join(dir, "dirlogs", "isdir.log"), { recursive: true });
    const fleet = fleetWithLogs("isdir", "./dirlogs");
    const result = await aral("up", fleet);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `aral up: logs.dir of ${fleet}: cannot write the log file ${join(dir, "dirlogs/isdir.log")}: EISDIR (is a directory); nothing started`,
    );
    nothingStarted("isdir");
  });

  it.runIf(aralCommand !== undefined && process.getuid?.() === 0)(
    `run as nobody: a log directory it cannot create, and one it cannot write in, are EACCES; nothing started${process.getuid?.() === 0 ? "" : " (skipped: switching to nobody needs root)"}`,
    () => {
      const rootOwned = mkdtempSync(join(tmpdir(), "aral-rootlogs-"));
      chmodSync(rootOwned, 0o755);
      mkdirSync(join(rootOwned, "existing"), { mode: 0o755 });
      const cases = [
        {
          name: "nocreate",
          logs: join(rootOwned, "missing"),
          what: "create the log directory",
          path: join(rootOwned, "missing"),
        },
        {
          name: "nowrite",
          logs: join(rootOwned, "existing"),
          what: "write the log file",
          path: join(rootOwned, "existing/nowrite.log"),
        },
      ];
      for (const { name, logs, what, path } of cases) {
        const fleet = fleetWithLogs(name, logs);
        const run = spawnSync(
          "setpriv",
          ["--reuid=65534", "--regid=65534", "--clear-groups", ...aralCommand!, "up", fleet],
          {
            cwd: dir,
            env: { PATH: process.env["PATH"], ARAL_CONTROL_DIR: join(dir, "nobody-control") },
            encoding: "utf8",
            timeout: 30_000,
          },
        );
        expect(run.status, run.stderr).toBe(1);
        const said = run.stderr.split("\n").filter((line) => line.startsWith("aral up: "));
        expect(said).toEqual([
          `aral up: logs.dir of ${fleet}: cannot ${what} ${path}: EACCES (permission denied); nothing started`,
        ]);
        expect(run.stderr).not.toMatch(/^\s+at /m);
        expect(existsSync(join(dir, `started-${name}`))).toBe(false);
      }
    },
  );
});

describe.skipIf(aralCommand === undefined)("aral up: a log file that breaks while the fleet runs", () => {
  file(
    "ticker.mjs",
    `console.log("ready");
let n = 0;
const timer = setInterval(() => console.log("tick " + ++n), 5);
process.on("SIGTERM", () => { clearInterval(timer); console.log("bye"); process.exit(0); });
`,
  );

  /** aral up of one ticking agent, its log file replaced by a directory once it has ticked; reported once. */
  async function brokenFleet(name: string) {
    const fleet = file(
      `${name}.yaml`,
      `name: ${name}\nlogs: { dir: ./${name}-logs }\nagents:\n  - { name: ticker, runtime: node, entry: ticker.mjs, ready: { line: ready } }\n`,
    );
    const up = spawnAral(["up", fleet]);
    await until("ticker ready", () => (up.output.err.includes("ticker: 1 instance(s) ready") ? true : undefined));
    const logPath = join(dir, `${name}-logs`, "ticker.log");
    await until("a tick in the log", () => (readFileSync(logPath, "utf8").includes(" out tick ") ? true : undefined));
    rmSync(logPath);
    mkdirSync(logPath);
    const failure = `aral up: ticker: cannot write the log file ${logPath}: EISDIR (is a directory); its output lines are dropped (counted) until the file can be written again`;
    await until("the failure reported", () => (up.output.err.includes(failure) ? true : undefined));
    return { up, failure };
  }

  it("aral logs and aral down still answer, aral up ends with exit 0; the failure is said once", async () => {
    const name = `brokenlog${process.pid}`;
    const { up, failure } = await brokenFleet(name);
    try {
      const logs = await aral("logs", "ticker", "--fleet", name);
      expect(logs.code, logs.err).toBe(0);
      const down = await aral("down", "--fleet", name);
      expect(down.code, down.err).toBe(0);
      expect(await up.exited).toBe(0);
      expect(up.output.err).toContain("every agent stopped");
      expect(up.output.err.split(failure).length - 1).toBe(1);
      expect(up.output.err).not.toMatch(/^\s+at /m);
    } finally {
      if (up.child.exitCode === null) up.child.kill("SIGKILL");
    }
  }, 60_000);

  it("SIGTERM ends aral up promptly, exit 0", async () => {
    const { up } = await brokenFleet(`brokenterm${process.pid}`);
    try {
      up.child.kill("SIGTERM");
      expect(await up.exited).toBe(0);
      expect(up.output.err).toContain("SIGTERM received, stopping every agent");
      expect(up.output.err).toContain("every agent stopped");
    } finally {
      if (up.child.exitCode === null) up.child.kill("SIGKILL");
    }
  }, 60_000);
});
