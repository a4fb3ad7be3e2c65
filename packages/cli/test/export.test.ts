import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform } from "@aral/adapter-node";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { main } from "../src/main.ts";

const platform = createPlatform();
const dir = mkdtempSync(join(tmpdir(), "aral-cli-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = join(import.meta.dirname, "..", "..", "..", "examples", "agent.manifest.jsonc");
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function aral(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(platform, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("aral export", () => {
  it("kubernetes: YAML on stdout, one document per object; the unmappable fields named on stderr", async () => {
    const result = await aral(
      "export",
      "kubernetes",
      "--manifest",
      example,
      "--kind",
      "statefulset",
      "--allow-env",
      "OPENAI_API_KEY",
    );
    expect(result.code).toBe(0);
    const kinds = parseAllDocuments(result.out).map((document) => (document.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(["ConfigMap", "Service", "StatefulSet", "PodDisruptionBudget"]);
    expect(result.out).not.toMatch(/OPENAI_API_KEY: /); // referenced, never a value
    expect(result.err).toMatch(
      /agent: layers\.runtime\.lifecycle\.healthcheck\.timeout approximated: .*500 ms → timeoutSeconds 1/,
    );
    expect(result.err).toMatch(/agent: layers\.runtime\.errorHandling\.maxBackoffMs cannot be expressed/);
    expect(result.err).toContain("kubectl create secret generic agent-env --from-literal=OPENAI_API_KEY=…");
  });

  it("sandbox with --monitor and -o: the file holds the Sandbox and the PodMonitor", async () => {
    const output = join(dir, "agent.yaml");
    const result = await aral(
      "export",
      "kubernetes",
      "--manifest",
      example,
      "--kind",
      "sandbox",
      "--monitor",
      "--runtime",
      "bun",
      "-o",
      output,
    );
    expect(result.code).toBe(0);
    expect(result.out).toBe("");
    const objects = parseAllDocuments(readFileSync(output, "utf8")).map(
      (document) => document.toJS() as { kind: string; apiVersion: string },
    );
    expect(objects.map((object) => `${object.apiVersion} ${object.kind}`)).toEqual([
      "v1 ConfigMap",
      "agents.x-k8s.io/v1alpha1 Sandbox",
      "monitoring.coreos.com/v1 PodMonitor",
    ]);
  });

  it("systemd: a unit on stdout, RestartSteps only when told the systemd knows them", async () => {
    const result = await aral(
      "export",
      "systemd",
      "--manifest",
      example,
      "--entry",
      "/srv/agent/agent.ts",
      "--exec-path",
      "/usr/bin/node",
      "--systemd-version",
      "256",
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ExecStart=\/usr\/bin\/node --max-old-space-size=512 \/srv\/agent\/agent\.ts$/m);
    expect(result.out).toMatch(/^RestartSteps=5$/m);
    expect(result.out).toMatch(/^RestartMaxDelaySec=30s$/m);
    expect(result.err).not.toMatch(/maxBackoffMs/);
  });

  it("an invalid manifest gets aral check's errors and exit 1; nothing on stdout", async () => {
    const bad = file(
      "bad.yaml",
      `aral: { version: "1.0" }\nlayers:\n  runtime:\n    resources: { memory: { limit: 2GB } }\n`,
    );
    const exported = await aral("export", "kubernetes", "--manifest", bad);
    const checked = await aral("check", bad);
    expect(exported.code).toBe(1);
    expect(exported.out).toBe("");
    expect(exported.err).toBe(checked.err);
    expect(exported.err).toMatch(/layers\.runtime\.resources\.memory\.limit: .*got "2GB"/);
  });

  it("--fleet: one object set per agent (kubernetes), one unit file per agent in the -o directory (systemd)", async () => {
    const fleetDir = join(dir, "fleet");
    const { mkdirSync, copyFileSync, readdirSync } = await import("node:fs");
    mkdirSync(fleetDir, { recursive: true });
    copyFileSync(example, join(fleetDir, "agent.manifest.jsonc"));
    const fleetFile = join(fleetDir, "fleet.yaml");
    writeFileSync(
      fleetFile,
      `agents:\n  - name: planner\n    runtime: deno\n    entry: agent.ts\n    manifest: agent.manifest.jsonc\n  - name: critic\n    runtime: bun\n    entry: critic.ts\n    instances: 2\n    layers: { runtime: { resources: { cpu: { limit: 500m } }, tasks: { concurrency: 3 }, health: { enabled: true } } }\n`,
    );
    const kube = await aral("export", "kubernetes", "--fleet", fleetFile, "--kind", "statefulset");
    expect(kube.code).toBe(0);
    const objects = parseAllDocuments(kube.out).map(
      (document) => document.toJS() as { kind: string; metadata: { name: string }; spec: any },
    );
    const sets = objects.filter((object) => object.kind === "StatefulSet");
    expect(sets.map((object) => object.metadata.name)).toEqual(["planner", "critic"]);
    // a manifest ships in a ConfigMap named by ARAL_MANIFEST; inline settings travel as their ARAL_* variables
    const envOf = (set: (typeof sets)[number]) =>
      set.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    const [plannerEnv, criticEnv] = sets.map(envOf);
    expect(plannerEnv!.map((variable) => variable.name)).toContain("ARAL_MANIFEST");
    expect(plannerEnv!.filter((variable) => variable.name.startsWith("ARAL_TASKS_"))).toEqual([]);
    expect(criticEnv!.map((variable) => variable.name)).not.toContain("ARAL_MANIFEST");
    expect(criticEnv).toContainEqual({ name: "ARAL_RESOURCES_CPU_LIMIT", value: "500m" });
    expect(criticEnv).toContainEqual({ name: "ARAL_TASKS_CONCURRENCY", value: "3" });
    expect(criticEnv).toContainEqual({ name: "ARAL_HEALTH_ENABLED", value: "true" });
    const names = criticEnv!.map((variable) => variable.name);
    expect(names.length, "no variable twice").toBe(new Set(names).size);
    const units = join(dir, "units");
    const systemd = await aral("export", "systemd", "--fleet", fleetFile, "-o", units);
    expect(systemd.code).toBe(0);
    expect(readdirSync(units).sort()).toEqual(["critic@.service", "planner.service"]);
    const critic = readFileSync(join(units, "critic@.service"), "utf8");
    expect(critic).toMatch(/^Environment=ARAL_TASKS_CONCURRENCY=3$/m);
    expect(critic).toMatch(/^Environment=ARAL_RESOURCES_CPU_LIMIT=500m$/m);
    expect(critic).not.toMatch(/ARAL_MANIFEST/);
    expect(readFileSync(join(units, "planner.service"), "utf8")).toMatch(
      new RegExp(
        `^ExecStart=deno run --allow-read=${fleetDir}/agent.manifest.jsonc --allow-net --allow-env ${fleetDir}/agent.ts$`,
        "m",
      ),
    );
    expect((await aral("export", "kubernetes", "--fleet", fleetFile, "--entry", "x.ts")).err).toMatch(
      /--entry is per agent/,
    );
    const badFleet = file("bad-fleet.json", JSON.stringify({ agents: [{ name: "a", runtime: "node" }] }));
    const bad = await aral("export", "kubernetes", "--fleet", badFleet);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/agents\[0\]/);
  });

  it("bad requests exit 2 naming the option", async () => {
    expect((await aral("export", "docker", "--manifest", example)).err).toMatch(
      /target must be one of kubernetes, systemd/,
    );
    expect((await aral("export", "kubernetes")).err).toMatch(/--manifest <file> or --fleet <file> is required/);
    expect((await aral("export", "kubernetes", "--manifest", example, "--kind", "daemonset")).err).toMatch(
      /--kind must be one of deployment, statefulset, sandbox/,
    );
    expect((await aral("export", "systemd", "--manifest", example, "--image", "x")).err).toMatch(
      /--image applies to kubernetes only/,
    );
    expect((await aral("export", "kubernetes", "--manifest", example, "--name", "Bad_Name")).err).toMatch(
      /agent name "Bad_Name"/,
    );
    const seedNode = file(
      "node.json",
      JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { platform: "node" } } }),
    );
    const contradiction = await aral("export", "kubernetes", "--manifest", seedNode, "--runtime", "deno");
    expect(contradiction.code).toBe(2);
    expect(contradiction.err).toMatch(/--runtime deno contradicts the manifest's platform "node"/);
    expect((await aral("export", "kubernetes", "--manifest", join(dir, "missing.json"))).code).toBe(1);
  });
});
