import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Service } from "kubernetes-models/v1/Service";
import { exportKubernetes, exportSystemd, fleetExportAgents, ExportError } from "../../src/export/index.ts";
import { loadFleetFile } from "../../src/fleet/index.ts";
import { MANIFESTS } from "./export-fixtures.ts";
import { platform } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "aral-export-fleet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync(MANIFESTS.example, join(dir, "agent.manifest.jsonc"));
const inline = { resources: { memory: { limit: "256Mi" } } };
const fleetFile = join(dir, "fleet.json");
writeFileSync(
  fleetFile,
  JSON.stringify({
    agents: [
      {
        name: "planner",
        runtime: "node",
        entry: "agent.ts",
        manifest: "agent.manifest.jsonc",
        instances: 2,
        env: ["OPENAI_API_KEY"],
      },
      { name: "tool", command: ["python3", "agent.py"], layers: { runtime: inline } },
    ],
  }),
);

/** systemd-analyze verify resolves ExecStart's executable, so the command agent's python3 must exist too. */
const verifiable =
  spawnSync("systemd-analyze", ["--version"]).status === 0 &&
  spawnSync("sh", ["-c", "command -v python3"]).status === 0;

/** The fleet file as `aral up` reads it (the fleet module's parser). */
const fleet = () => loadFleetFile(platform, fleetFile);
function fleetFileWith(name: string, agent: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ agents: [agent] }));
  return path;
}

const systemdUnits = async () => {
  const agents = await fleetExportAgents(platform, await fleet(), "systemd");
  return { planner: exportSystemd(agents[0]!, { execPath: process.execPath }), tool: exportSystemd(agents[1]!) };
};

describe("aral export of a fleet file: one object set / unit per agent", () => {
  it("kubernetes: each agent its own valid objects; paths placed relative to the fleet's directory; a command agent needs --image", async () => {
    const agents = await fleetExportAgents(platform, await fleet(), "kubernetes");
    expect(agents.map((agent) => agent.name)).toEqual(["planner", "tool"]);
    const planner = exportKubernetes(agents[0]!);
    const deployment = planner.objects.find((object) => object.kind === "Deployment") as Record<string, any>;
    new Deployment(deployment as never).validate();
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].command).toEqual([
      "node",
      "--max-old-space-size=512",
      "/app/agent.ts",
    ]);
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({
      name: "OPENAI_API_KEY",
      valueFrom: { secretKeyRef: { name: "planner-env", key: "OPENAI_API_KEY" } },
    });
    expect(() => exportKubernetes(agents[1]!)).toThrow(
      /tool runs its own command \(python3\): give its image with --image/,
    );
    const tool = exportKubernetes(agents[1]!, { image: "python:3.13-slim" });
    const toolDeployment = tool.objects.find((object) => object.kind === "Deployment") as Record<string, any>;
    new Deployment(toolDeployment as never).validate();
    expect(toolDeployment.spec.template.spec.containers[0].command).toEqual(["python3", "agent.py"]);
    expect(toolDeployment.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: "256Mi" } });
    // inline layers: no manifest to ship; each field written travels as its ARAL_* variable, as under aral up
    expect(tool.objects.some((object) => object.kind === "ConfigMap")).toBe(false);
    expect(toolDeployment.spec.template.spec.containers[0].env).toContainEqual({
      name: "ARAL_RESOURCES_MEMORY_LIMIT",
      value: "256Mi",
    });
  });

  it("systemd: a template unit for the 2-instance agent, a plain one for the command agent", async () => {
    const { planner, tool } = await systemdUnits();
    expect(planner.units[0]!.fileName).toBe("planner@.service");
    expect(tool.units[0]!.fileName).toBe("tool.service");
    expect(tool.units[0]!.text).toMatch(/^ExecStart=python3 agent\.py$/m);
    expect(tool.units[0]!.text).toMatch(new RegExp(`^WorkingDirectory=${dir}$`, "m"));
    expect(tool.units[0]!.text).toMatch(/^Environment=ARAL_RESOURCES_MEMORY_LIMIT=256Mi$/m);
  });

  it.skipIf(!verifiable)(
    `systemd-analyze verify accepts both units${verifiable ? "" : " (skipped: needs systemd-analyze and python3 on PATH)"}`,
    async () => {
      const { planner, tool } = await systemdUnits();
      for (const unit of [...planner.units, ...tool.units]) {
        const path = join(dir, unit.fileName);
        writeFileSync(path, unit.text);
        const run = spawnSync("systemd-analyze", ["verify", "--man=no", path], { encoding: "utf8" });
        expect(
          `${run.stdout}${run.stderr}`
            .split("\n")
            .filter((line) => line.includes(unit.fileName.replace(".service", ""))),
        ).toEqual([]);
      }
    },
  );

  it("a fleet agent whose name is not a DNS label, or whose entry is outside the fleet's directory, is refused by field", async () => {
    const bad = await loadFleetFile(
      platform,
      fleetFileWith("bad-name.json", { name: "Planner_1", runtime: "node", entry: "agent.ts" }),
    );
    await expect(fleetExportAgents(platform, bad, "kubernetes")).rejects.toThrow(/agents\[0\]\.name/);
    const outside = await loadFleetFile(
      platform,
      fleetFileWith("outside.json", { name: "planner", runtime: "node", entry: "/opt/elsewhere/agent.ts" }),
    );
    const error = await fleetExportAgents(platform, outside, "kubernetes").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).field).toBe("agents[0].entry");
  });
});

describe("fleet agents the targets cannot run as aral up does are placed or refused, by field", () => {
  it("env names: aral up passes any name its environment holds, the export only names both targets carry (refused naming agents[i].env[j])", async () => {
    const spec = await loadFleetFile(
      platform,
      fleetFileWith("env-names.json", {
        name: "api",
        runtime: "node",
        entry: "agent.ts",
        env: ["OK_NAME", "FOO BAR", "my.var", "1ABC", "_ok2"],
      }),
    );
    expect(spec.agents[0]!.env).toEqual(["OK_NAME", "FOO BAR", "my.var", "1ABC", "_ok2"]); // aral up takes them
    for (const target of ["kubernetes", "systemd"] as const) {
      const error = await fleetExportAgents(platform, spec, target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportError);
      expect(error).toMatchObject({ field: "agents[0].env[1]", origin: "input" });
      expect((error as Error).message).toMatch(
        /^agents\[0\]\.env\[1\] "FOO BAR", agents\[0\]\.env\[2\] "my\.var", agents\[0\]\.env\[3\] "1ABC": not a variable name/,
      );
      expect((error as Error).message).toContain(target === "kubernetes" ? "Secret api-env" : "EnvironmentFile=");
    }
    const good = await loadFleetFile(
      platform,
      fleetFileWith("env-ok.json", { name: "api", runtime: "node", entry: "agent.ts", env: ["OK_NAME", "_ok2"] }),
    );
    const [agent] = await fleetExportAgents(platform, good, "kubernetes");
    expect(agent!.allowEnv).toEqual(["OK_NAME", "_ok2"]);
  });

  it("a relative executable (./run.sh, ../tools/x) runs from the agent's cwd under aral up: the unit gets its absolute path, which systemd-analyze verify accepts; a bare name stays for systemd's PATH; Kubernetes keeps it relative to workingDir", async () => {
    mkdirSync(join(dir, "bin"), { recursive: true });
    mkdirSync(join(dir, "tools"), { recursive: true });
    for (const script of [join(dir, "bin", "run.sh"), join(dir, "tools", "x")]) {
      writeFileSync(script, "#!/bin/sh\nexec sleep 1\n");
      chmodSync(script, 0o755);
    }
    const file = join(dir, "relative.json");
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          { name: "script", command: ["./run.sh", "--x"], cwd: "bin" },
          { name: "tool", command: ["../tools/x"], cwd: "bin", args: ["--y"] },
          { name: "sh", command: ["sh", "-c", "exec sleep 1"] },
        ],
      }),
    );
    const spec = await loadFleetFile(platform, file);
    const units = (await fleetExportAgents(platform, spec, "systemd")).map((agent) => exportSystemd(agent).units[0]!);
    expect(units.map((unit) => /^ExecStart=(.*)$/m.exec(unit.text)![1])).toEqual([
      `${dir}/bin/run.sh --x`,
      `${dir}/tools/x --y`,
      'sh -c "exec sleep 1"',
    ]);
    if (spawnSync("systemd-analyze", ["--version"]).status === 0) {
      for (const unit of units) {
        const path = join(dir, unit.fileName);
        writeFileSync(path, unit.text);
        const run = spawnSync("systemd-analyze", ["verify", "--man=no", path], { encoding: "utf8" });
        expect(
          `${run.stdout}${run.stderr}`
            .split("\n")
            .filter((line) => line.includes(unit.fileName.replace(".service", ""))),
        ).toEqual([]);
      }
    }
    const [script] = await fleetExportAgents(platform, spec, "kubernetes");
    const deployment = exportKubernetes(script!, { image: "registry.example/script:1" }).objects.find(
      (object) => object.kind === "Deployment",
    ) as Record<string, any>;
    new Deployment(deployment as never).validate();
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      command: ["./run.sh", "--x"],
      workingDir: "/app/bin",
    });
  });
});

describe("what aral up gives a fleet agent's instances, exported: readiness as the fleet says, ARAL_AGENT and ARAL_INSTANCE", () => {
  const ticker = { name: "ticker", command: ["sh", "-c", "while :; do echo tick; sleep 1; done"] };
  const k8s = async (agent: Record<string, unknown>, kind: "deployment" | "statefulset" | "sandbox" = "deployment") => {
    const [exported] = await fleetExportAgents(
      platform,
      await loadFleetFile(platform, fleetFileWith(`${String(agent["name"])}-${kind}.json`, agent)),
      "kubernetes",
    );
    const result = exportKubernetes(exported!, { image: "alpine:3.20", kind });
    const workload = result.objects.find((object) =>
      ["Deployment", "StatefulSet", "Sandbox"].includes(String(object["kind"])),
    ) as Record<string, any>;
    return {
      result,
      workload,
      container: workload["spec"].template?.spec.containers[0] ?? workload["spec"].podTemplate.spec.containers[0],
      fields: result.notes.map((note) => note.field),
    };
  };

  it("a plain command agent (sh) gets no HTTP probes, no scrape annotations, no ARAL_HEALTH_*; staying up becomes minReadySeconds", async () => {
    const { workload, container, result, fields } = await k8s(ticker);
    new Deployment(workload as never).validate();
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) expect(container[probe]).toBeUndefined();
    expect(container.ports).toBeUndefined();
    expect(workload["spec"].template.metadata.annotations).toBeUndefined();
    expect(
      container.env
        .map((variable: { name: string }) => variable.name)
        .filter((name: string) => name.startsWith("ARAL_HEALTH_")),
    ).toEqual([]);
    expect(workload["spec"].minReadySeconds).toBe(1);
    expect(fields).toContain("(ready)");
    expect(result.notes.find((note) => note.field === "(ready)")!.message).toMatch(/stayed up/);
    const statefulSet = await k8s(ticker, "statefulset");
    new StatefulSet(statefulSet.workload as never).validate();
    const service = statefulSet.result.objects.find((object) => object["kind"] === "Service")!;
    new Service(service as never).validate();
    expect((service as Record<string, any>)["spec"].ports).toBeUndefined();
  });

  it("ready.url becomes an httpGet readiness probe on its port and path; ready.line cannot be expressed and is named", async () => {
    const url = await k8s({ ...ticker, name: "web", ready: { url: "http://127.0.0.1:9000/healthz?full=1" } });
    new Deployment(url.workload as never).validate();
    expect(url.container.readinessProbe).toMatchObject({
      httpGet: { path: "/healthz?full=1", port: 9000, scheme: "HTTP" },
    });
    expect(url.container.livenessProbe).toBeUndefined();
    expect(url.container.startupProbe).toBeUndefined();
    expect(url.workload["spec"].minReadySeconds).toBeUndefined();
    expect(url.result.notes.find((note) => note.field === "(ready.url)")!.message).toMatch(/pod's IP/);
    const line = await k8s({ ...ticker, name: "liner", ready: { line: "listening" } });
    expect(line.container.readinessProbe).toBeUndefined();
    expect(line.result.notes).toContainEqual(
      expect.objectContaining({ field: "(ready.line)", kind: "not-expressible" }),
    );
    const perInstance = await k8s({ ...ticker, name: "per", ready: { url: "http://127.0.0.1:900{instance}/" } });
    expect(perInstance.container.readinessProbe).toBeUndefined();
    expect(perInstance.result.notes).toContainEqual(
      expect.objectContaining({ field: "(ready.url)", kind: "not-expressible" }),
    );
  });

  it("a command agent that says it serves the runtime's health (health.enabled on a fixed port) keeps the probes; a runtime agent too", async () => {
    const served = await k8s({
      ...ticker,
      name: "served",
      layers: { runtime: { health: { enabled: true, port: 7000 } } },
    });
    expect(served.container.readinessProbe.httpGet).toEqual({ path: "/health/ready", port: "health" });
    expect(served.container.ports).toEqual([{ name: "health", containerPort: 7000, protocol: "TCP" }]);
    expect(served.workload["spec"].template.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true" });
    const [planner] = await fleetExportAgents(platform, await fleet(), "kubernetes");
    const deployment = exportKubernetes(planner!).objects.find((object) => object["kind"] === "Deployment") as Record<
      string,
      any
    >;
    expect(deployment["spec"].template.spec.containers[0].livenessProbe.httpGet.path).toBe("/health/live");
  });

  it("kubernetes: ARAL_AGENT always; ARAL_INSTANCE the StatefulSet pod's index label, 0 in a Sandbox, absent (and said) in a Deployment", async () => {
    const env = (container: Record<string, any>) => container["env"] as { name: string }[];
    const deployment = await k8s(ticker);
    expect(env(deployment.container)).toContainEqual({ name: "ARAL_AGENT", value: "ticker" });
    expect(env(deployment.container).some((variable) => variable.name === "ARAL_INSTANCE")).toBe(false);
    expect(deployment.result.notes).toContainEqual(
      expect.objectContaining({ field: "(instances)", kind: "not-expressible" }),
    );
    const statefulSet = await k8s(ticker, "statefulset");
    expect(env(statefulSet.container)).toContainEqual({
      name: "ARAL_INSTANCE",
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } },
    });
    new StatefulSet(statefulSet.workload as never).validate();
    expect(env((await k8s(ticker, "sandbox")).container)).toContainEqual({ name: "ARAL_INSTANCE", value: "0" });
  });

  it("systemd: ARAL_AGENT, and ARAL_INSTANCE %i in a template (instances enabled as @0 ... @n-1, as aral up numbers them) or 0", async () => {
    const { planner, tool } = await systemdUnits();
    const template = planner.units[0]!.text;
    expect(template).toMatch(/^Environment=ARAL_AGENT=planner$/m);
    expect(template).toMatch(/^Environment=ARAL_INSTANCE=%i$/m);
    expect(template).toMatch(/^Environment=ARAL_INSTANCE_ID=planner-%i$/m);
    expect(template).toMatch(/systemctl enable --now planner@0 planner@1$/m);
    expect(tool.units[0]!.text).toMatch(/^Environment=ARAL_AGENT=tool$/m);
    expect(tool.units[0]!.text).toMatch(/^Environment=ARAL_INSTANCE=0$/m);
  });
});
