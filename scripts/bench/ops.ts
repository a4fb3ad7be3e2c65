/**
 * Benchmark (not a test): each adapter operation against the runtime's own API, side by side in alternating
 * rounds — fs.readFile / fs.writeFile (4 KiB), process.spawn (`true`, until exit) and net.fetch (GET of a
 * local server, body read). Adapter and runtime batches alternate; each side's fastest batch of BENCH_ROUNDS
 * (default 15) counts — on a shared machine other load only ever adds time, so the minimum is the figure
 * least bent by it. Goal ≤ 1.05×.
 *   node --conditions=source scripts/bench/ops.ts · deno run -A scripts/bench/ops.ts · bun --conditions=source scripts/bench/ops.ts
 */
import { runtimeLabel } from "./measure.ts";

type Native = {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  spawnTrue(): Promise<void>;
  serve(): Promise<{ url: string; close(): Promise<void> }>;
  tmp(): string;
};

const g = globalThis as unknown as { Deno?: any; Bun?: any };
const ROUNDS = Number((g.Deno ? g.Deno.env.get("BENCH_ROUNDS") : (globalThis as any).process?.env.BENCH_ROUNDS) ?? 15);
const GOAL = 1.05;
const body = new Uint8Array(4096).fill(97);

async function native(): Promise<Native> {
  if (g.Deno) {
    const Deno = g.Deno;
    return {
      readFile: (path) => Deno.readFile(path),
      writeFile: (path, data) => Deno.writeFile(path, data),
      spawnTrue: async () =>
        void (await new Deno.Command("true", { stdin: "null", stdout: "null", stderr: "null" }).spawn().status),
      serve: async () => {
        const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("ok"));
        return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
      },
      tmp: () => Deno.makeTempDirSync(),
    };
  }
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const tmp = () => mkdtempSync(join(tmpdir(), "aral-ops-"));
  if (g.Bun) {
    const Bun = g.Bun;
    return {
      readFile: async (path) => new Uint8Array(await Bun.file(path).arrayBuffer()),
      writeFile: async (path, data) => void (await Bun.write(path, data)),
      spawnTrue: async () =>
        void (await Bun.spawn(["true"], { stdin: "ignore", stdout: "ignore", stderr: "ignore" }).exited),
      serve: async () => {
        const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
        return { url: `http://127.0.0.1:${server.port}/`, close: async () => server.stop(true) };
      },
      tmp,
    };
  }
  const fsp = await import("node:fs/promises");
  const { spawn } = await import("node:child_process");
  const http = await import("node:http");
  return {
    readFile: async (path) => fsp.readFile(path),
    writeFile: (path, data) => fsp.writeFile(path, data),
    spawnTrue: () =>
      new Promise((resolve, reject) =>
        spawn("true", [], { stdio: ["ignore", "pipe", "pipe"] })
          .once("exit", () => resolve())
          .once("error", reject),
      ),
    serve: async () => {
      const server = http.createServer((_req, res) => res.end("ok"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return {
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
    tmp,
  };
}

const entry = g.Deno
  ? "../../packages/aral/src/deno.ts"
  : g.Bun
    ? "../../packages/aral/src/bun.ts"
    : "../../packages/aral/src/node.ts";
const { platform } = (await import(entry)) as typeof import("../../packages/aral/src/node.ts");
const own = await native();
const dir = own.tmp();
const file = `${dir}/bench.bin`;
await own.writeFile(file, body);
const server = await own.serve();

/** `batch` calls per sample, so one sample is long enough for the clock. */
async function compare(
  name: string,
  batch: number,
  adapter: () => Promise<unknown>,
  runtime: () => Promise<unknown>,
): Promise<string> {
  const time = async (op: () => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < batch; i++) await op();
    return performance.now() - started;
  };
  await time(adapter);
  await time(runtime); // warm-up
  let a = Infinity;
  let r = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    r = Math.min(r, await time(runtime));
    a = Math.min(a, await time(adapter));
  }
  const perCall = (ms: number) => (ms * 1000) / batch;
  const ratio = a / r;
  console.log(
    `  ${name.padEnd(14)} adapter ${perCall(a).toFixed(1).padStart(8)} µs   runtime ${perCall(r).toFixed(1).padStart(8)} µs   ${ratio.toFixed(2)}×`,
  );
  return `${name} on ${runtimeLabel()}: ${ratio.toFixed(2)}× the runtime's own API (goal ≤ ${GOAL}) ${ratio <= GOAL ? "MET" : "NOT MET"}`;
}

console.log(
  `adapter operations vs the runtime's own API on ${runtimeLabel()} (fastest of ${ROUNDS} alternating batches)`,
);
const goals = [
  await compare(
    "fs.readFile",
    200,
    () => platform.fs.readFile(file),
    () => own.readFile(file),
  ),
  await compare(
    "fs.writeFile",
    200,
    () => platform.fs.writeFile(file, body),
    () => own.writeFile(file, body),
  ),
  await compare(
    "process.spawn",
    10,
    async () => void (await platform.process.spawn("true", [], { stdout: "null", stderr: "null" }).status),
    () => own.spawnTrue(),
  ),
  await compare(
    "net.fetch",
    100,
    async () => void (await (await platform.net.fetch(server.url)).arrayBuffer()),
    async () => void (await (await fetch(server.url)).arrayBuffer()),
  ),
];
await server.close();
console.log(`\n${goals.join("\n")}`);
