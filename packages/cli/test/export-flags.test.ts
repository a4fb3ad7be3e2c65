// `aral export`'s --health-port, --replicas (kubernetes) and --user (systemd), through the CLI: the values are read
// back from the printed objects and unit, and a bad value exits 2 (a usage error) with a line naming the flag.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform } from "@aral/adapter-node";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { main } from "../src/main.ts";

const platform = createPlatform();
const dir = mkdtempSync(join(tmpdir(), "aral-cli-export-flags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = join(import.meta.dirname, "..", "..", "..", "examples", "agent.manifest.jsonc");

async function aral(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(platform, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

type K8sObject = { kind: string; spec?: any; metadata?: any };
const objects = (yaml: string) => parseAllDocuments(yaml).map((document) => document.toJS() as K8sObject);
const byKind = (all: K8sObject[], kind: string) => {
  const found = all.find((object) => object.kind === kind);
  expect(found, `a ${kind} among ${all.map((o) => o.kind).join(", ")}`).toBeDefined();
  return found!;
};

/** Every port the pod's container, its scrape annotation and the Service (a StatefulSet's) name for the health server. */
function healthPorts(all: K8sObject[], workloadKind: string) {
  const template = byKind(all, workloadKind).spec.template;
  const container = template.spec.containers[0];
  const env = Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
  const service = all.find((object) => object.kind === "Service");
  return {
    containerPorts: (container.ports as { containerPort: number }[]).map((p) => p.containerPort),
    healthPortEnv: env["ARAL_HEALTH_PORT"],
    scrapePort: template.metadata?.annotations?.["prometheus.io/port"],
    servicePorts: service ? (service.spec.ports as { port: number }[]).map((p) => p.port) : undefined,
  };
}

describe("aral export kubernetes --health-port / --replicas", () => {
  it("--health-port 9123 --replicas 3: the container port, the agent's ARAL_HEALTH_PORT and the scrape annotation use 9123; 3 replicas", async () => {
    const result = await aral(
      "export",
      "kubernetes",
      "--manifest",
      example,
      "--health-port",
      "9123",
      "--replicas",
      "3",
    );
    expect(result.code, result.err).toBe(0);
    const all = objects(result.out);
    expect(byKind(all, "Deployment").spec.replicas).toBe(3);
    expect(healthPorts(all, "Deployment")).toEqual({
      containerPorts: [9123],
      healthPortEnv: "9123",
      scrapePort: "9123",
      servicePorts: undefined,
    });
    // The defaults differ, so the flags are what changed them.
    const defaults = objects((await aral("export", "kubernetes", "--manifest", example)).out);
    expect(byKind(defaults, "Deployment").spec.replicas).toBe(1);
    expect(healthPorts(defaults, "Deployment").containerPorts).not.toEqual([9123]);
  });

  it("--replicas=0 and --health-port= (the = form) on a StatefulSet, its Service included; --replicas 1000 and --health-port 1 and 65535 are in range", async () => {
    const zero = await aral(
      "export",
      "kubernetes",
      "--manifest",
      example,
      "--kind",
      "statefulset",
      "--replicas=0",
      "--health-port=9124",
    );
    expect(zero.code, zero.err).toBe(0);
    expect(byKind(objects(zero.out), "StatefulSet").spec.replicas).toBe(0);
    // A StatefulSet's Service carries the port too.
    expect(healthPorts(objects(zero.out), "StatefulSet")).toEqual({
      containerPorts: [9124],
      healthPortEnv: "9124",
      scrapePort: "9124",
      servicePorts: [9124],
    });
    const most = await aral("export", "kubernetes", "--manifest", example, "--replicas", "1000");
    expect(byKind(objects(most.out), "Deployment").spec.replicas).toBe(1000);
    for (const port of ["1", "65535"]) {
      const result = await aral("export", "kubernetes", "--manifest", example, "--health-port", port);
      expect(result.code, result.err).toBe(0);
      expect(healthPorts(objects(result.out), "Deployment").containerPorts).toEqual([Number(port)]);
    }
  });

  it.each([
    ["--health-port", "0", "an integer from 1 to 65535"],
    ["--health-port", "65536", "an integer from 1 to 65535"],
    ["--health-port", "80a", "an integer from 1 to 65535"],
    ["--health-port", "-1", "an integer from 1 to 65535"],
    ["--replicas", "1001", "an integer from 0 to 1000"],
    ["--replicas", "1.5", "an integer from 0 to 1000"],
    ["--replicas", "two", "an integer from 0 to 1000"],
  ])("%s %s exits 2 naming the flag, nothing on stdout", async (flag, value, expected) => {
    const result = await aral("export", "kubernetes", "--manifest", example, `${flag}=${value}`);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toContain(`aral export: ${flag} must be ${expected}, got ${JSON.stringify(value)}`);
  });

  it("--health-port and --replicas are kubernetes only: with systemd they exit 2 naming the flag", async () => {
    for (const flag of ["--health-port", "--replicas"]) {
      const result = await aral("export", "systemd", "--manifest", example, flag, "3", "--systemd-version", "256");
      expect(result.code).toBe(2);
      expect(result.err).toContain(`aral export: ${flag} applies to kubernetes only`);
    }
  });
});

describe("aral export systemd --user", () => {
  const unit = (...extra: string[]) =>
    aral("export", "systemd", "--manifest", example, "--systemd-version", "256", ...extra);
  const userLines = (text: string) => text.split("\n").filter((line) => line.startsWith("User="));

  it("--user agents_1 is the unit's User=; without it User=aral; a numeric uid is taken", async () => {
    const named = await unit("--user", "agents_1");
    expect(named.code, named.err).toBe(0);
    expect(userLines(named.out)).toEqual(["User=agents_1"]);
    expect(userLines((await unit()).out)).toEqual(["User=aral"]);
    const uid = await unit("--user=1234");
    expect(uid.code, uid.err).toBe(0);
    expect(userLines(uid.out)).toEqual(["User=1234"]);
  });

  it.each(["9lives", "root user", "a".repeat(32), "x;rm", ""])(
    "--user %j exits 2 naming the flag, no unit printed",
    async (user) => {
      const result = await unit("--user", user);
      expect(result.code).toBe(2);
      expect(result.out).toBe("");
      expect(result.err).toContain("--user");
    },
  );

  it("--user is systemd only: with kubernetes it exits 2 naming it", async () => {
    const result = await aral("export", "kubernetes", "--manifest", example, "--user", "aral");
    expect(result.code).toBe(2);
    expect(result.err).toContain("aral export: --user applies to systemd only");
  });
});
