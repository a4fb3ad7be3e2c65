/**
 * Benchmark of the resources area (not a test): per-call overhead of allocate/release and of the limited
 * fetch against a raw fetch to a local server, printed as ratios.
 *   node 22/24:  node --conditions=source scripts/bench/resources.ts
 *   deno:        deno run -A scripts/bench/resources.ts
 *   bun:         bun --conditions=source scripts/bench/resources.ts
 *   node 20:     bundle first (esbuild --bundle --platform=node --format=esm), then run the .mjs
 * The local server is the runtime's own (Deno.serve, Bun.serve, node:http), since this script is not core.
 */
import { ResourceManager, createLimitedFetch } from "../../packages/core/src/resources/index.ts";

type Runtime = "deno" | "bun" | "node";
const g = globalThis as unknown as { Deno?: any; Bun?: any; process?: { version: string } };
const runtime: Runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
const version = g.Deno ? g.Deno.version.deno : g.Bun ? g.Bun.version : g.process!.version.replace(/^v/, "");

interface LocalServer {
  url: string;
  close(): Promise<void>;
}

const PAYLOAD = new TextEncoder().encode("x".repeat(1024));
const respond = (): Response => new Response(PAYLOAD, { headers: { "content-type": "application/octet-stream" } });

async function startServer(): Promise<LocalServer> {
  if (runtime === "deno") {
    const server = g.Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, respond);
    return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
  }
  if (runtime === "bun") {
    const server = g.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: respond });
    return { url: `http://127.0.0.1:${server.port}/`, close: async () => server.stop(true) };
  }
  const { createServer } = await import("node:http");
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(PAYLOAD.byteLength) });
    res.end(PAYLOAD);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** ns per operation, median of `rounds` timed rounds of `n` operations each. */
async function nsPerOp(n: number, rounds: number, op: () => Promise<unknown>): Promise<number> {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await op();
    perRound.push(((performance.now() - start) * 1e6) / n);
  }
  return median(perRound);
}

const fmt = (ns: number): string =>
  ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;

// allocate/release
const manager = new ResourceManager({ cpu: { limit: "2" }, memory: { limit: "2Gi" }, network: { connections: 1000 } });
const emptyAsync = async (): Promise<number> => 1;
for (let i = 0; i < 20_000; i++) (await manager.allocate({ memory: "1Mi", cpu: "10m" })).release();
const baselineNs = await nsPerOp(100_000, 5, emptyAsync);
const allocNs = await nsPerOp(100_000, 5, async () =>
  (await manager.allocate({ memory: "1Mi", cpu: "10m" })).release(),
);
const allocNumericNs = await nsPerOp(100_000, 5, async () =>
  (await manager.allocate({ memory: 1_048_576, connections: 1 })).release(),
);

// fetch
const server = await startServer();
const raw = async (): Promise<void> => void (await (await fetch(server.url)).arrayBuffer());
const limitedPlain = createLimitedFetch({ fetch, connections: 100, timeout: 30_000 });
const limitedBandwidth = createLimitedFetch({ fetch, connections: 100, timeout: 30_000, bandwidth: "100Gbps" });
const viaPlain = async (): Promise<void> => void (await (await limitedPlain(server.url)).arrayBuffer());
const viaBandwidth = async (): Promise<void> => void (await (await limitedBandwidth(server.url)).arrayBuffer());
for (let i = 0; i < 200; i++) {
  await raw();
  await viaPlain();
  await viaBandwidth();
}
const ROUNDS = 15;
const PER_ROUND = 100;
const rawSamples: number[] = [];
const plainSamples: number[] = [];
const bandwidthSamples: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved so drift on a shared machine hits all three alike.
  rawSamples.push(await nsPerOp(PER_ROUND, 1, raw));
  plainSamples.push(await nsPerOp(PER_ROUND, 1, viaPlain));
  bandwidthSamples.push(await nsPerOp(PER_ROUND, 1, viaBandwidth));
}
await server.close();
const rawNs = median(rawSamples);
const plainNs = median(plainSamples);
const bandwidthNs = median(bandwidthSamples);
const best = (xs: number[]): number => Math.min(...xs);

console.log(`resources benchmark on ${runtime} ${version}`);
console.log(
  `allocate+release ("1Mi", "10m")     ${fmt(allocNs)} per pair  (${(allocNs / baselineNs).toFixed(1)}x an empty async call of ${fmt(baselineNs)})`,
);
console.log(`allocate+release (numbers)          ${fmt(allocNumericNs)} per pair`);
console.log(`raw fetch, 1 KiB response            ${fmt(rawNs)} per request`);
console.log(
  `limited fetch (connections+timeout)  ${fmt(plainNs)} per request  ratio ${(plainNs / rawNs).toFixed(2)} (median), ${(best(plainSamples) / best(rawSamples)).toFixed(2)} (best round)`,
);
console.log(
  `limited fetch (+ bandwidth bucket)   ${fmt(bandwidthNs)} per request  ratio ${(bandwidthNs / rawNs).toFixed(2)} (median), ${(best(bandwidthSamples) / best(rawSamples)).toFixed(2)} (best round)`,
);
console.log(
  `(${ROUNDS} interleaved rounds of ${PER_ROUND} sequential requests each; allocate/release: median of 5 rounds of 100 000 pairs)`,
);
