/**
 * Cross-runtime smoke run of the resources area (not a vitest file): the seed's limit example, `await using`,
 * the limited fetch over real HTTP (timeout, bandwidth on both bodies) and confined storage.
 *   deno run -A packages/core/test/resources/smoke.ts
 *   bun --conditions=source packages/core/test/resources/smoke.ts
 *   node22 --conditions=source packages/core/test/resources/smoke.ts
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promises as fsp } from "node:fs";
import {
  ResourceManager,
  ResourceLimitError,
  ResourceMonitor,
  createLimitedFetch,
  createStorage,
  describeEnforcement,
  NetworkTimeoutError,
  StorageEscapeError,
  StorageQuotaError,
} from "../../src/resources/index.ts";
import { testPlatform } from "./test-platform.ts";

let failures = 0;
async function check(name: string, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (error) {
    failures++;
    console.log(`not ok - ${name}: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/slow") {
    const t = setTimeout(() => res.end("late"), 2000);
    res.on("close", () => clearTimeout(t));
  } else if (url.pathname === "/stall") {
    res.write("first;");
    const t = setTimeout(() => res.end("rest"), 2000);
    res.on("close", () => clearTimeout(t));
  } else if (url.pathname === "/echo-length") {
    let n = 0;
    req.on("data", (c: Uint8Array) => (n += c.length));
    req.on("end", () => res.end(String(n)));
  } else {
    res.end("a".repeat(Number(url.searchParams.get("n") ?? 1)));
  }
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

await check("seed: allocate({ memory: '200Mi' }) over a 100Mi limit rejects", async () => {
  const manager = new ResourceManager({ memory: { limit: "100Mi" } });
  const error = await manager.allocate({ memory: "200Mi" }).catch((e: unknown) => e);
  assert(
    error instanceof ResourceLimitError && error.message.includes("Resource limit exceeded"),
    `got ${String(error)}`,
  );
});

await check("await using releases the lease (syntax where the runtime has it, the symbols everywhere)", async () => {
  const manager = new ResourceManager({ memory: { limit: "10Mi" } });
  const lease = await manager.allocate({ memory: "10Mi" });
  await lease[Symbol.asyncDispose]();
  assert(manager.usage().memory.allocated === 0, "Symbol.asyncDispose did not release");
  // Compiled at run time so runtimes without the syntax (Node 22) can still load this file.
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (m: ResourceManager) => Promise<boolean>;
  let usingBlock: ((m: ResourceManager) => Promise<boolean>) | null = null;
  try {
    usingBlock = new AsyncFunction(
      "m",
      "{ await using lease = await m.allocate({ memory: '10Mi' }); if (lease.released) return false; } return m.usage().memory.allocated === 0;",
    );
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    console.log("# skip: this runtime has no `await using` syntax");
  }
  if (usingBlock) assert(await usingBlock(manager), "lease not released by await using");
});

await check("monitor samples real usage", async () => {
  const monitor = new ResourceMonitor(
    {
      usage: {
        memory: () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 0 }),
        cpu: () => ({ userMicros: 0, systemMicros: 0 }),
      },
    },
    { memoryLimit: 100 },
  );
  await monitor.sample();
  assert(!monitor.degraded, "degraded for no reason");
});

await check("limited fetch: timeout names URL and ms", async () => {
  const limited = createLimitedFetch({ fetch, connections: 2, timeout: 100 });
  const error = await limited(`${base}/slow`).catch((e: unknown) => e);
  assert(error instanceof NetworkTimeoutError && error.url === `${base}/slow`, `got ${String(error)}`);
  assert(limited.active === 0, "slot still held after timeout");
});

await check(
  "limited fetch: a stalled body times out and frees its slot; text()/json()/streams free theirs",
  async () => {
    const limited = createLimitedFetch({ fetch, connections: 1, timeout: 150 });
    const stalled = await limited(`${base}/stall`);
    await new Promise((r) => setTimeout(r, 250));
    assert(limited.active === 0, "slot held past the timeout");
    const error = await stalled.text().catch((e: unknown) => e);
    assert(error instanceof NetworkTimeoutError, `stalled body gave ${String(error)}`);
    const r1 = await limited(`${base}/bytes?n=3`);
    assert(r1 instanceof Response && r1.url === `${base}/bytes?n=3`, "response identity lost");
    assert((await r1.text()) === "aaa" && limited.active === 0, "text() did not free the slot");
    const r2 = await limited(`${base}/bytes?n=2`);
    const reader = r2.body!.getReader();
    while (!(await reader.read()).done);
    assert(limited.active === 0, "reading the stream did not free the slot");
    const r3 = await limited(`${base}/bytes?n=2`);
    await r3.body!.cancel();
    assert(limited.active === 0, "cancel did not free the slot");
  },
);

await check("limited fetch: bandwidth caps request and response bodies", async () => {
  const limited = createLimitedFetch({ fetch, connections: 1, bandwidth: "2Mbps" });
  let start = performance.now();
  const text = await (await limited(`${base}/bytes?n=100000`)).text();
  const down = performance.now() - start;
  assert(text.length === 100000, `got ${text.length} bytes`);
  start = performance.now();
  const echoed = await (await limited(`${base}/echo-length`, { method: "POST", body: new Uint8Array(100000) })).text();
  const up = performance.now() - start;
  assert(echoed === "100000", `server got ${echoed} bytes`);
  assert(down >= 330 && up >= 330, `too fast: down ${down.toFixed(0)} ms, up ${up.toFixed(0)} ms`);
  assert(limited.active === 0, "slot still held");
});

await check("storage: escape, quota, cleanup", async () => {
  const base = await testPlatform.fs.makeTempDir({ prefix: "aral-smoke-" });
  try {
    const storage = await createStorage(testPlatform, {
      persistent: `${base}/data`,
      ephemeral: `${base}/tmp`,
      maxSize: "1Ki",
    });
    await storage.persistent.writeFile("a.txt", "hi");
    assert((await storage.persistent.readTextFile("a.txt")) === "hi", "read back failed");
    assert(
      await storage.persistent.writeFile("../x", "x").then(
        () => false,
        (e) => e instanceof StorageEscapeError,
      ),
      "escape not refused",
    );
    assert(
      await storage.ephemeral.writeFile("big", new Uint8Array(2000)).then(
        () => false,
        (e) => e instanceof StorageQuotaError,
      ),
      "quota not enforced",
    );
    await storage.cleanupEphemeral();
    assert((await fsp.readdir(`${base}/tmp`)).length === 0, "ephemeral dir left behind");
    assert((await storage.checkDisk()).length === 2, "disk report missing");
  } finally {
    await fsp.rm(base, { recursive: true, force: true });
  }
});

await check("describeEnforcement covers 12 fields", () => {
  const rows = describeEnforcement(
    { memory: { limit: "2Gi", swap: "disabled" } },
    { runtime: { name: "x", version: "1", os: "linux", arch: "x64", cpus: 2, hostname: "test-host" } },
  );
  assert(rows.length === 12, `got ${rows.length}`);
});

server.closeAllConnections?.();
await new Promise((resolve) => server.close(resolve));
console.log(failures === 0 ? "all passed" : `${failures} failed`);
if (failures) throw new Error(`${failures} smoke checks failed`);
