// An agent that passes no configuration gets it from its environment, on Node, Deno and Bun: the manifest
// ARAL_MANIFEST names (what `aral run --manifest`, `aral up`, the systemd and Kubernetes exports set) and the
// instance id ARAL_INSTANCE_ID holds (a systemd template's `<name>-%i`, a pod's name).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentRuntimes, runFixture } from "./observe-helpers.ts";

const FIXTURE = "test/fixtures/env-configured-agent.ts";
const dir = mkdtempSync(join(tmpdir(), "aral-env-manifest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const manifest = join(dir, "agent.yaml");
writeFileSync(
  manifest,
  'aral: { version: "1.0" }\nlayers:\n  runtime:\n    resources: { memory: { limit: 96Mi } }\n    lifecycle: { shutdownTimeout: 4321 }\n    logging: { level: warn }\n',
);

const run = (runtime: string, env: Record<string, string>) => runFixture(runtime, FIXTURE, env);

function lastJson(output: string): any {
  const line = output
    .trim()
    .split("\n")
    .findLast((l) => l.startsWith("{") && !l.includes('"level"'));
  expect(line, output).toBeDefined();
  return JSON.parse(line!);
}

describe.each(Object.keys(agentRuntimes))("configuration from the environment on %s", (runtime) => {
  const spec = agentRuntimes[runtime]!;
  const skip = spec.missing ? ` (skipped: ${spec.missing})` : "";

  it.skipIf(spec.exec === undefined)(
    `new AralRuntime() applies the YAML manifest ARAL_MANIFEST names and takes ARAL_INSTANCE_ID as its id${skip}`,
    { timeout: 60_000 },
    async () => {
      const { code, output } = await run(runtime, { ARAL_MANIFEST: manifest, ARAL_INSTANCE_ID: "agent-7" });
      expect(code, output).toBe(0);
      expect(lastJson(output)).toEqual({ instanceId: "agent-7", shutdownTimeout: 4321, memoryLimit: "96Mi" });
    },
  );

  it.skipIf(spec.exec === undefined)(
    `an ARAL_MANIFEST naming no file fails the start with a ConfigError that names the variable and the path${skip}`,
    { timeout: 60_000 },
    async () => {
      const missing = join(dir, "missing.json");
      const { code, output } = await run(runtime, { ARAL_MANIFEST: missing });
      expect(code, output).toBe(3);
      const { failed } = lastJson(output);
      expect(failed).toMatchObject({ name: "LifecycleError", code: "StartupFailed" });
      expect(failed.cause).toMatchObject({ name: "ConfigError", code: "unreadable" });
      expect(failed.cause.message).toContain(missing);
      expect(failed.cause.message).toContain("[from ARAL_MANIFEST]");
    },
  );
});
