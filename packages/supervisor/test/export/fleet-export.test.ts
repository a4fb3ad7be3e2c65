import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
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

  const systemdUnits = async () => {
    const agents = await fleetExportAgents(platform, await fleet(), "systemd");
    return { planner: exportSystemd(agents[0]!, { execPath: process.execPath }), tool: exportSystemd(agents[1]!) };
  };

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
