import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
        `^ExecStart=deno run --allow-read=${fleetDir}/agent.manifest.jsonc --allow-sys=hostname --allow-net --allow-env ${fleetDir}/agent.ts$`,
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

/** No stack trace, no error class dump: every line aral export prints on stderr starts with "aral export: ". */
function expectPlainFailure(err: string): void {
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/PlatformError|SupervisorConfigError|ExportError/);
  for (const line of err.split("\n")) expect(line).toMatch(/^aral export: /);
}
const hasKubectl = spawnSync("kubectl", ["version", "--client"]).status === 0;

/** A manifest whose agent writes a keyed audit log. */
function auditedManifest(): string {
  return file(
    "audited.yaml",
    `aral: { version: "1.0" }\nlayers:\n  runtime:\n    logging: { audit: { path: /var/log/audited/audit.log, keyFile: /etc/aral/audited.key } }\n`,
  );
}

describe("aral export: every failure is one line naming the path or field, exit 1; the notes are still printed", () => {
  it("-o into a directory that does not exist: kubernetes and a single systemd unit", async () => {
    const kube = await aral("export", "kubernetes", "--manifest", example, "-o", "/nonexistent/dir/x.yaml");
    expect(kube.code).toBe(1);
    expect(kube.out).toBe("");
    expectPlainFailure(kube.err);
    expect(kube.err.split("\n").at(-1)).toBe(
      "aral export: cannot write /nonexistent/dir/x.yaml: the directory /nonexistent/dir does not exist",
    );
    expect(kube.err).toMatch(/^aral export: agent: layers\.runtime\.errorHandling\.maxBackoffMs cannot be expressed/m);
    const unit = join(dir, "u4", "svc.service");
    const systemd = await aral(
      "export",
      "systemd",
      "--manifest",
      example,
      "--entry",
      "/srv/agent/agent.ts",
      "-o",
      unit,
    );
    expect(systemd.code).toBe(1);
    expectPlainFailure(systemd.err);
    expect(systemd.err.split("\n").at(-1)).toBe(
      `aral export: cannot write ${unit}: the directory ${join(dir, "u4")} does not exist`,
    );
    expect(existsSync(unit)).toBe(false);
  });

  it("-o an existing file for several units: refused (they need a directory); -o an existing directory for one unit: written into it", async () => {
    const fleetDir = join(dir, "fleet-o");
    mkdirSync(fleetDir, { recursive: true });
    const fleetFile = join(fleetDir, "fleet.json");
    writeFileSync(
      fleetFile,
      JSON.stringify({
        agents: [
          { name: "a", command: ["python3", "a.py"] },
          { name: "b", command: ["python3", "b.py"] },
        ],
      }),
    );
    const existing = file("existing.txt", "keep me");
    const several = await aral("export", "systemd", "--fleet", fleetFile, "-o", existing);
    expect(several.code).toBe(1);
    expectPlainFailure(several.err);
    expect(several.err.split("\n").at(-1)).toBe(
      `aral export: cannot write the units into ${existing}: it exists and is not a directory (2 units need a directory)`,
    );
    expect(readFileSync(existing, "utf8")).toBe("keep me");
    const unitsDir = join(dir, "units-one");
    mkdirSync(unitsDir);
    const one = await aral(
      "export",
      "systemd",
      "--manifest",
      example,
      "--entry",
      "/srv/agent/agent.ts",
      "-o",
      unitsDir,
    );
    expect(one.code).toBe(0);
    expect(one.err).toContain(`aral export: wrote ${unitsDir}/agent.service`);
    expect(readFileSync(join(unitsDir, "agent.service"), "utf8")).toMatch(/^ExecStart=node /m);
    const kubeIntoDir = await aral("export", "kubernetes", "--manifest", example, "-o", unitsDir);
    expect(kubeIntoDir.code).toBe(1);
    expect(kubeIntoDir.err.split("\n").at(-1)).toBe(
      `aral export: cannot write ${unitsDir}: it is a directory (the Kubernetes objects go into one file)`,
    );
  });

  it("a Deno manifest aral check accepts but Deno's flags cannot carry (a comma in storage.persistent, in the manifest's path): one line naming it, exit 1, on both targets", async () => {
    const comma = file(
      "comma.yaml",
      `aral: { version: "1.0" }\nlayers:\n  runtime:\n    platform: deno\n    resources: { storage: { persistent: "/var/lib/a,b" } }\n`,
    );
    expect((await aral("check", comma)).code).toBe(0);
    for (const target of ["kubernetes", "systemd"]) {
      const result = await aral("export", target, "--manifest", comma, "--entry", "/srv/agent/agent.ts");
      expect(result.code).toBe(1);
      expect(result.out).toBe("");
      expectPlainFailure(result.err);
      expect(result.err).toBe(
        `aral export: agent comma: layers.runtime.resources.storage.persistent "/var/lib/a,b" contains a comma, which Deno's --allow-read/--allow-write flags cannot express (they separate paths with commas): choose a path without one`,
      );
    }
    mkdirSync(join(dir, "a,b"), { recursive: true });
    const inComma = join(dir, "a,b", "agent.manifest.yaml");
    writeFileSync(inComma, `aral: { version: "1.0" }\nlayers:\n  runtime:\n    platform: deno\n`);
    const systemd = await aral("export", "systemd", "--manifest", inComma, "--entry", "/srv/agent/agent.ts");
    expect(systemd.code).toBe(1);
    expectPlainFailure(systemd.err);
    expect(systemd.err).toContain(`the manifest's path "${inComma}" contains a comma`);
    // in the image the manifest is /app/agent.manifest.yaml: nothing to refuse
    expect((await aral("export", "kubernetes", "--manifest", inComma)).code).toBe(0);
  });

  it("--exec-path: a relative path is this machine's, from the current directory; a bare name stays for systemd's PATH", async () => {
    const relative = await aral(
      "export",
      "systemd",
      "--manifest",
      example,
      "--entry",
      "/srv/a/agent.ts",
      "--exec-path",
      "./bin/node",
    );
    expect(relative.out).toMatch(new RegExp(`^ExecStart=${process.cwd()}/bin/node `, "m"));
    const bare = await aral(
      "export",
      "systemd",
      "--manifest",
      example,
      "--entry",
      "/srv/a/agent.ts",
      "--exec-path",
      "nodejs",
    );
    expect(bare.out).toMatch(/^ExecStart=nodejs /m);
  });

  it("--service-account must be a DNS-1123 subdomain (exit 2, naming it)", async () => {
    const bad = await aral("export", "kubernetes", "--manifest", example, "--service-account", "Bad_SA");
    expect(bad.code).toBe(2);
    expect(bad.out).toBe("");
    expect(bad.err).toMatch(/^aral export: --service-account must be a DNS-1123 subdomain .*got "Bad_SA"$/);
    const good = await aral("export", "kubernetes", "--manifest", example, "--service-account", "agent-runner");
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^ {6}serviceAccountName: agent-runner$/m);
  });

  it("fleet env names a Secret key or EnvironmentFile= cannot carry: exit 1 naming agents[i].env[j]; good names get a kubectl hint", async () => {
    const fleetDir = join(dir, "fleet-env");
    mkdirSync(fleetDir, { recursive: true });
    const fleetFile = join(fleetDir, "fleet.yaml");
    writeFileSync(
      fleetFile,
      `agents:\n  - name: api\n    runtime: node\n    entry: agent.ts\n    env: ["FOO BAR", "my.var", "1ABC", "OK_NAME"]\n`,
    );
    for (const target of ["kubernetes", "systemd"]) {
      const result = await aral("export", target, "--fleet", fleetFile);
      expect(result.code).toBe(1);
      expect(result.out).toBe("");
      expectPlainFailure(result.err);
      expect(result.err).toMatch(
        /^aral export: agents\[0\]\.env\[0\] "FOO BAR", agents\[0\]\.env\[1\] "my\.var", agents\[0\]\.env\[2\] "1ABC": not a variable name/,
      );
    }
    writeFileSync(
      fleetFile,
      `agents:\n  - name: api\n    runtime: node\n    entry: agent.ts\n    env: [OK_NAME, _second]\n`,
    );
    const ok = await aral("export", "kubernetes", "--fleet", fleetFile);
    expect(ok.code).toBe(0);
    const hint = /kubectl (create secret generic api-env .*)$/m.exec(ok.err)![1]!;
    expect(hint).toBe("create secret generic api-env --from-literal=OK_NAME=\u2026 --from-literal=_second=\u2026");
  });

  it.skipIf(!hasKubectl)(
    `the kubectl hints (a fleet's env, an audit key) run as printed${hasKubectl ? "" : " (skipped: kubectl is not installed)"}`,
    async () => {
      const audit = await aral("export", "kubernetes", "--manifest", auditedManifest());
      const keyHint = /kubectl (create secret generic audited-audit-key .*)$/m.exec(audit.err)![1]!;
      const key = file("audited.key", "0123456789abcdef0123456789abcdef");
      const keyRun = spawnSync(
        "kubectl",
        [...keyHint.replace("<the key file>", key).split(" "), "--dry-run=client", "-o", "name"],
        { encoding: "utf8" },
      );
      expect(keyRun.stdout.trim()).toBe("secret/audited-audit-key");

      const fleetDir = join(dir, "fleet-env-kubectl");
      mkdirSync(fleetDir, { recursive: true });
      const fleetFile = join(fleetDir, "fleet.yaml");
      writeFileSync(
        fleetFile,
        `agents:\n  - name: api\n    runtime: node\n    entry: agent.ts\n    env: [OK_NAME, _second]\n`,
      );
      const ok = await aral("export", "kubernetes", "--fleet", fleetFile);
      const hint = /kubectl (create secret generic api-env .*)$/m.exec(ok.err)![1]!;
      // checked by kubectl itself, client-side, without a cluster
      const run = spawnSync("kubectl", [...hint.replace(/\u2026/g, "x").split(" "), "--dry-run=client", "-o", "name"], {
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      expect(run.stdout.trim()).toBe("secret/api-env");
    },
  );

  it("logging.audit: kubernetes mounts the log's directory and the key's Secret and says so on stderr; systemd makes the directory writable", async () => {
    const audited = auditedManifest();
    const kube = await aral("export", "kubernetes", "--manifest", audited);
    expect(kube.code).toBe(0);
    expect(kube.err).toMatch(
      /^aral export: audited: layers\.runtime\.logging\.audit\.path approximated: an emptyDir mounted at \/var\/log\/audited /m,
    );
    const keyNote =
      /^aral export: audited: layers\.runtime\.logging\.audit\.keyFile approximated: .*kubectl (create secret .*)$/m.exec(
        kube.err,
      );
    expect(keyNote![1]).toBe("create secret generic audited-audit-key --from-file=key=<the key file>");
    const objects = parseAllDocuments(kube.out).map((document) => document.toJS() as Record<string, any>);
    const pod = objects.find((object) => object.kind === "Deployment")!.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "audit-log", mountPath: "/var/log/audited" },
        { name: "audit-key", mountPath: "/etc/aral/audited.key", subPath: "key", readOnly: true },
      ]),
    );
    const systemd = await aral("export", "systemd", "--manifest", audited, "--entry", "/srv/agent/agent.ts");
    expect(systemd.code).toBe(0);
    expect(systemd.out).toMatch(/^ReadWritePaths=\/var\/log\/audited$/m);
    expect(systemd.err).not.toMatch(/logging\.audit/);
  });
});
