import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Service } from "kubernetes-models/v1/Service";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { parseAllDocuments } from "yaml";
import { parseBytes, parseCpu } from "@aral/core/resources";
import {
  exportKubernetes,
  KUBERNETES_KINDS,
  loadManifestAgent,
  yamlDocuments,
  ExportError,
} from "../../src/export/index.ts";
import type { ExportNote } from "../../src/export/index.ts";
import { platform } from "../helpers.ts";
import { loadAgent, manifestText, MANIFESTS, manifestWith, RUNTIMES } from "./export-fixtures.ts";
import { sandboxProblems } from "./sandbox-schema.ts";

type Obj = Record<string, any>;

/** The real schema check of each object: kubernetes-models (official OpenAPI) or the Sandbox schema of sandbox-schema.ts. */
function validate(object: Obj): void {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    "apps/v1/Deployment": Deployment,
    "apps/v1/StatefulSet": StatefulSet,
    "v1/ConfigMap": ConfigMap,
    "v1/PersistentVolumeClaim": PersistentVolumeClaim,
    "v1/Service": Service,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
    "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
  };
  if (object.kind === "Sandbox") {
    expect(sandboxProblems(object)).toEqual([]);
    return;
  }
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

/** The YAML the command prints, read back as plain objects (what kubectl would send). */
async function roundTripYaml(objects: Obj[]): Promise<Obj[]> {
  const documents = parseAllDocuments(await yamlDocuments(objects));
  return (Array.isArray(documents) ? documents : [documents]).map((document) => document.toJS() as Obj);
}

function podSpecOf(object: Obj): Obj {
  return object.kind === "Sandbox" ? object.spec.podTemplate.spec : object.spec.template.spec;
}

describe("aral export kubernetes: every object passes the real schemas", () => {
  for (const manifest of Object.keys(MANIFESTS) as (keyof typeof MANIFESTS)[]) {
    for (const kind of KUBERNETES_KINDS) {
      for (const runtime of RUNTIMES) {
        it(`${manifest} manifest, ${kind}, ${runtime}${kind === "deployment" ? ", with --monitor" : ""}`, async () => {
          const agent = await loadAgent(
            manifest,
            runtime === "node" || manifest === "example" ? { runtime } : { runtime: "node" },
          );
          const { objects } = exportKubernetes(agent, {
            kind,
            monitor: kind === "deployment",
            ...(manifest === "example" ? { replicas: 2 } : {}),
          });
          const read = await roundTripYaml(objects);
          expect(read).toEqual(JSON.parse(JSON.stringify(objects)));
          for (const object of read) validate(object);
          const workload = read.find((object) => ["Deployment", "StatefulSet", "Sandbox"].includes(object.kind))!;
          expect(workload.kind.toLowerCase()).toBe(kind);
          expect(read.some((object) => object.kind === "PodDisruptionBudget")).toBe(kind !== "sandbox");
          expect(read.some((object) => object.kind === "PodMonitor")).toBe(kind === "deployment");
        });
      }
    }
  }

  it("a broken object fails the validators (the check can fail)", async () => {
    const { objects } = exportKubernetes(await loadAgent("seed"), { kind: "sandbox" });
    const sandbox = structuredClone(objects.find((object) => object.kind === "Sandbox")!) as Obj;
    sandbox.spec.replicas = 2; // the CRD allows at most 1
    sandbox.spec.podTemplate.spec.containers[0].ports[0].containerPort = "eight";
    sandbox.spec.shutdownPolicyy = "Delete"; // misspelt: the API server would prune it silently
    const problems = sandboxProblems(sandbox).join("\n");
    expect(problems).toMatch(/replicas/);
    expect(problems).toMatch(/containerPort/);
    expect(problems).toMatch(/shutdownPolicyy/);
    const deployment = structuredClone(
      exportKubernetes(await loadAgent("seed"), { kind: "deployment" }).objects.find((o) => o.kind === "Deployment")!,
    ) as Obj;
    deployment.spec.template.spec.containers[0].resources.limits.cpu = "two cores";
    expect(() => new Deployment(deployment as never).validate()).toThrow(/cpu|pattern|quantity/i);
  });
});

describe("aral export kubernetes: the manifest's values, read back from the objects", () => {
  for (const manifest of Object.keys(MANIFESTS) as (keyof typeof MANIFESTS)[]) {
    it(`${manifest}: limits, requests, probes, grace period, storage equal the manifest's`, async () => {
      const agent = await loadAgent(manifest);
      const { config } = agent;
      for (const kind of KUBERNETES_KINDS) {
        const read = await roundTripYaml(exportKubernetes(agent, { kind }).objects);
        const workload = read.find((object) => ["Deployment", "StatefulSet", "Sandbox"].includes(object.kind))!;
        const pod = podSpecOf(workload);
        const [container] = pod.containers;
        const { requests = {}, limits = {} } = container.resources;
        const cpu = config.resources.cpu;
        const memory = config.resources.memory;
        expect(cpu.limit === undefined ? undefined : parseCpu(limits.cpu)).toBe(
          cpu.limit === undefined ? undefined : parseCpu(cpu.limit),
        );
        expect(cpu.request === undefined ? undefined : parseCpu(requests.cpu)).toBe(
          cpu.request === undefined ? undefined : parseCpu(cpu.request),
        );
        expect(memory.limit === undefined ? undefined : parseBytes(limits.memory)).toBe(
          memory.limit === undefined ? undefined : parseBytes(memory.limit),
        );
        expect(memory.request === undefined ? undefined : parseBytes(requests.memory)).toBe(
          memory.request === undefined ? undefined : parseBytes(memory.request),
        );
        const maxSize = config.resources.storage.maxSize;
        expect(limits["ephemeral-storage"] === undefined ? undefined : parseBytes(limits["ephemeral-storage"])).toBe(
          maxSize === undefined ? undefined : parseBytes(maxSize),
        );
        expect(container.livenessProbe.periodSeconds * 1000).toBeGreaterThanOrEqual(
          config.lifecycle.healthcheck.interval,
        );
        expect(container.livenessProbe.timeoutSeconds * 1000).toBeGreaterThanOrEqual(
          config.lifecycle.healthcheck.timeout,
        );
        expect(
          container.startupProbe.periodSeconds * container.startupProbe.failureThreshold * 1000,
        ).toBeGreaterThanOrEqual(config.lifecycle.startupTimeout);
        expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.lifecycle.shutdownTimeout);
        // least privilege
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
        // the manifest ships in a ConfigMap, mounted where ARAL_MANIFEST says
        const configMap = read.find((object) => object.kind === "ConfigMap")!;
        const fileName = MANIFESTS[manifest].slice(MANIFESTS[manifest].lastIndexOf("/") + 1);
        expect(configMap.data[fileName]).toBe(manifestText(manifest));
        const manifestEnv = container.env.find((variable: Obj) => variable.name === "ARAL_MANIFEST").value;
        expect(container.volumeMounts).toContainEqual({
          name: "aral-manifest",
          mountPath: manifestEnv,
          subPath: fileName,
          readOnly: true,
        });
        // storage roots
        const { persistent, ephemeral } = config.resources.storage;
        if (persistent !== undefined) {
          expect(container.volumeMounts).toContainEqual({ name: "persistent-storage", mountPath: persistent });
          const claim =
            kind === "deployment"
              ? read.find((object) => object.kind === "PersistentVolumeClaim")!.spec
              : workload.spec.volumeClaimTemplates[0].spec;
          expect(parseBytes(claim.resources.requests.storage)).toBe(parseBytes(maxSize!));
        }
        if (ephemeral !== undefined) {
          expect(container.volumeMounts).toContainEqual({ name: "ephemeral-storage", mountPath: ephemeral });
          expect(pod.volumes).toContainEqual({ name: "ephemeral-storage", emptyDir: { sizeLimit: maxSize } });
        }
        expect(container.volumeMounts.some((mount: Obj) => mount.mountPath === "/tmp")).toBe(true);
      }
    });
  }

  it('quantities convert exactly: 2000m → "2", 512Mi stays, and the seed\'s values appear as Kubernetes writes them', async () => {
    const read = await roundTripYaml(exportKubernetes(await loadAgent("seed")).objects);
    const container = read.find((object) => object.kind === "Deployment")!.spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "2", memory: "2Gi", "ephemeral-storage": "10Gi" },
    });
    expect(container.command).toEqual(["node", "--max-old-space-size=2048", "/app/agent.ts"]);
    expect(read.find((object) => object.kind === "Deployment")!.spec.template.spec.terminationGracePeriodSeconds).toBe(
      12,
    );
  });

  it("the pod is the same for every kind but ARAL_INSTANCE: the end-to-end run of the Deployment's container covers all three", async () => {
    for (const manifest of Object.keys(MANIFESTS) as (keyof typeof MANIFESTS)[]) {
      const agent = await loadAgent(manifest);
      const instances: unknown[] = [];
      const pods = KUBERNETES_KINDS.map((kind) => {
        const workload = exportKubernetes(agent, { kind }).objects.find((object) =>
          ["Deployment", "StatefulSet", "Sandbox"].includes(object.kind as string),
        ) as Obj;
        const template = structuredClone(
          workload.kind === "Sandbox" ? workload.spec.podTemplate : workload.spec.template,
        );
        // a Deployment names its claim's volume itself; StatefulSet and Sandbox controllers add it from the claim template
        template.spec.volumes = template.spec.volumes?.filter((volume: Obj) => !volume.persistentVolumeClaim);
        // aral up's instance number, as each kind can give it (none on a Deployment's interchangeable pods)
        const container = template.spec.containers[0];
        instances.push(container.env.find((variable: Obj) => variable.name === "ARAL_INSTANCE"));
        container.env = container.env.filter((variable: Obj) => variable.name !== "ARAL_INSTANCE");
        return template;
      });
      expect(instances).toEqual([
        undefined,
        {
          name: "ARAL_INSTANCE",
          valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } },
        },
        { name: "ARAL_INSTANCE", value: "0" },
      ]);
      expect(pods[1]).toEqual(pods[0]);
      expect(pods[2]).toEqual(pods[0]);
    }
  });

  it("Deno gets the permission flags aral run gives, with the mounted manifest readable", async () => {
    const agent = await loadAgent("seed", { runtime: undefined });
    agent.runtime = "deno";
    const container = podSpecOf(exportKubernetes(agent).objects.find((object) => object.kind === "Deployment") as Obj)
      .containers[0];
    expect(container.image).toBe("denoland/deno:2.9.6");
    expect(container.command).toEqual([
      "deno",
      "run",
      "--allow-read=/data,/tmp,/app/seed.manifest.json",
      "--allow-write=/data,/tmp",
      "--allow-sys=hostname,statfs",
      "--allow-net",
      "--allow-env",
      "/app/agent.ts",
    ]);
    expect(container.env).toContainEqual({ name: "DENO_DIR", value: "/tmp/deno-dir" });
  });

  it("allow-listed variables come from the Secret by reference; no value is ever inlined", async () => {
    const read = await roundTripYaml(
      exportKubernetes(await loadAgent("example", { allowEnv: ["OPENAI_API_KEY"] })).objects,
    );
    const container = read.find((object) => object.kind === "Deployment")!.spec.template.spec.containers[0];
    expect(container.env).toContainEqual({
      name: "OPENAI_API_KEY",
      valueFrom: { secretKeyRef: { name: "agent-env", key: "OPENAI_API_KEY" } },
    });
    expect(container.env).toContainEqual({
      name: "ARAL_HEALTH_HOSTNAME",
      valueFrom: { fieldRef: { fieldPath: "status.podIP" } },
    });
    expect(container.env).toContainEqual({
      name: "ARAL_INSTANCE_ID",
      valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
    });
    expect(read.some((object) => object.kind === "Secret")).toBe(false);
    expect(read.find((object) => object.kind === "Deployment")!.spec.template.metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8080",
      "prometheus.io/path": "/metrics",
    });
  });

  it("names what Kubernetes cannot express, and refuses bad options with an ExportError naming them", async () => {
    const agent = await loadAgent("example");
    agent.config = {
      ...agent.config,
      resources: { ...agent.config.resources, memory: { ...agent.config.resources.memory, swap: true } },
    };
    const { notes } = exportKubernetes(agent);
    expect(notes.map((note) => note.field)).toEqual(
      expect.arrayContaining([
        "layers.runtime.resources.memory.swap",
        "layers.runtime.errorHandling.maxBackoffMs",
        "layers.runtime.lifecycle.healthcheck.timeout",
      ]),
    );
    expect(() => exportKubernetes(agent, { kind: "daemonset" as never })).toThrow(ExportError);
    expect(() => exportKubernetes(agent, { healthPort: 70_000 })).toThrow(/health port/);
    expect(() => exportKubernetes({ ...agent, runtime: undefined, command: ["python3", "agent.py"] })).toThrow(
      /--image/,
    );
  });
});

const dir = mkdtempSync(join(tmpdir(), "aral-export-kubernetes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** kubectl's own client-side checks (names, Secret and ConfigMap keys) where it is installed; no cluster needed. */
const hasKubectl = spawnSync("kubectl", ["version", "--client"]).status === 0;
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}
const auditNotes = (notes: ExportNote[]) =>
  notes.filter((note) => note.field.startsWith("layers.runtime.logging.audit")).map((note) => note.field);

describe("logging.audit on a read-only root filesystem: a volume for the log's directory, the key from a Secret", () => {
  const ledger = (runtime: Record<string, unknown>, options: { runtime?: "node" | "deno" } = {}) =>
    loadManifestAgent(platform, manifestWith(dir, "ledger.json", runtime), { name: "ledger", ...options });

  it('an emptyDir at the log\'s directory, the key mounted read-only from <name>-audit-key (key "key"); every kind validates; both named on stderr', async () => {
    const agent = await ledger({
      logging: { audit: { path: "/var/log/ledger/audit.log", keyFile: "/etc/aral/ledger.key" } },
    });
    for (const kind of KUBERNETES_KINDS) {
      const { objects, notes } = exportKubernetes(agent, { kind });
      const read = await roundTripYaml(objects);
      for (const object of read) validate(object);
      const pod = podSpecOf(read.find((object) => ["Deployment", "StatefulSet", "Sandbox"].includes(object.kind))!);
      const [container] = pod.containers;
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.volumes).toContainEqual({ name: "audit-log", emptyDir: {} });
      expect(container.volumeMounts).toContainEqual({ name: "audit-log", mountPath: "/var/log/ledger" });
      expect(pod.volumes).toContainEqual({
        name: "audit-key",
        secret: { secretName: "ledger-audit-key", defaultMode: 0o440 },
      });
      expect(container.volumeMounts).toContainEqual({
        name: "audit-key",
        mountPath: "/etc/aral/ledger.key",
        subPath: "key",
        readOnly: true,
      });
      // the key is referenced, never shipped
      expect(read.some((object) => object.kind === "Secret")).toBe(false);
      expect(auditNotes(notes)).toEqual(["layers.runtime.logging.audit.path", "layers.runtime.logging.audit.keyFile"]);
      const keyNote = notes.find((note) => note.field.endsWith("audit.keyFile"))!.message;
      expect(keyNote).toContain("kubectl create secret generic ledger-audit-key --from-file=key=<the key file>");
      expect(notes.find((note) => note.field.endsWith("audit.path"))!.message).toMatch(
        /emptyDir mounted at \/var\/log\/ledger .*not the pod/,
      );
    }
  });

  it("a log inside storage.persistent is on the claim already: no volume, no note; inside /tmp: no volume, a note that it lasts as long as the pod", async () => {
    const persistent = exportKubernetes(
      await ledger({
        resources: { storage: { persistent: "/data", maxSize: "1Gi" } },
        logging: { audit: { path: "/data/audit/audit.log" } },
      }),
    );
    const pod = podSpecOf(persistent.objects.find((object) => object.kind === "Deployment") as Obj);
    expect(pod.volumes.map((volume: Obj) => volume.name)).not.toContain("audit-log");
    expect(auditNotes(persistent.notes)).toEqual([]);
    const tmp = exportKubernetes(await ledger({ logging: { audit: { path: "/tmp/audit.log" } } }));
    const tmpPod = podSpecOf(tmp.objects.find((object) => object.kind === "Deployment") as Obj);
    expect(tmpPod.volumes.map((volume: Obj) => volume.name)).toEqual(["tmp", "aral-manifest"]);
    expect(tmp.notes.find((note) => note.field === "layers.runtime.logging.audit.path")?.message).toMatch(
      /\/tmp\/audit\.log is in an emptyDir/,
    );
  });

  it("a log whose directory holds the agent's code (a relative path: the working directory /app) is refused by field, not hidden under a volume", async () => {
    const agent = await ledger({ logging: { audit: { path: "audit.log" } } });
    const error = thrown(() => exportKubernetes(agent));
    expect(error).toBeInstanceOf(ExportError);
    expect(error).toMatchObject({ field: "layers.runtime.logging.audit.path", origin: "input" });
    expect((error as Error).message).toMatch(/\/app\/audit\.log needs its directory \/app writable.*would hide \/app/);
    // the same log with --workdir elsewhere is placed against it
    expect(() => exportKubernetes(agent, { workdir: "/srv/code" })).toThrow(/\/srv\/code\/audit\.log/);
  });

  it("Deno: the audit log is in the container's --allow-write wherever it is, so no note, inside the storage roots or not", async () => {
    const outside = exportKubernetes(
      await ledger(
        { platform: "deno", logging: { audit: { path: "/var/log/ledger/audit.log" } } },
        { runtime: "deno" },
      ),
    );
    expect(outside.notes.filter((note) => note.kind === "not-expressible").map((note) => note.field)).not.toContain(
      "layers.runtime.logging.audit.path",
    );
    expect(JSON.stringify(outside.objects)).toContain("--allow-write=/var/log/ledger/audit.log");
    const inside = exportKubernetes(
      await ledger(
        {
          platform: "deno",
          resources: { storage: { ephemeral: "/scratch" } },
          logging: { audit: { path: "/scratch/audit.log" } },
        },
        { runtime: "deno" },
      ),
    );
    expect(inside.notes.filter((note) => note.kind === "not-expressible").map((note) => note.field)).not.toContain(
      "layers.runtime.logging.audit.path",
    );
  });
});

describe("names Kubernetes would refuse are refused here, by option or field", () => {
  it("a manifest over 1 MiB is an ExportError naming it: the API server refuses such a ConfigMap", async () => {
    const big = (bytes: number) => {
      const path = join(dir, "big.json");
      const head = JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: {} } });
      writeFileSync(path, `${head}${" ".repeat(bytes - head.length)}`);
      return path;
    };
    const over = await loadManifestAgent(platform, big(1024 * 1024 + 1), { name: "big" });
    const error = thrown(() => exportKubernetes(over));
    expect(error).toBeInstanceOf(ExportError);
    expect(error).toMatchObject({ field: "manifest", origin: "input" });
    expect((error as Error).message).toContain("is 1048577 bytes; a ConfigMap holds at most 1048576 (1 MiB)");
    const at = await loadManifestAgent(platform, big(1024 * 1024), { name: "big" });
    for (const object of await roundTripYaml(exportKubernetes(at).objects)) validate(object);
  });

  it("--image must be an image reference (the API server takes any string; the pod failed at pull, InvalidImageName)", async () => {
    const agent = await loadAgent("example");
    for (const bad of ["a b", "Node:24", "node:24\nx", "node:", "registry.local:5000/", "node@sha256:abc", " node"]) {
      const error = thrown(() => exportKubernetes(agent, { image: bad }));
      expect(error, bad).toBeInstanceOf(ExportError);
      expect(error).toMatchObject({ field: "image", origin: "option" });
    }
    for (const good of [
      "node:24-slim",
      "denoland/deno:2.9.6",
      "registry.local:5000/team/agent:1.2",
      "ghcr.io/org/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ]) {
      const deployment = exportKubernetes(agent, { image: good }).objects.find((o) => o.kind === "Deployment") as Obj;
      expect(deployment.spec.template.spec.containers[0].image).toBe(good);
    }
  });

  it("--service-account must be a DNS-1123 subdomain", async () => {
    const agent = await loadAgent("example");
    for (const bad of ["Bad_SA", "-sa", "sa.", "a".repeat(254)]) {
      const error = thrown(() => exportKubernetes(agent, { serviceAccount: bad }));
      expect(error).toBeInstanceOf(ExportError);
      expect(error).toMatchObject({ field: "service-account", origin: "option" });
    }
    const { objects } = exportKubernetes(agent, { serviceAccount: "agent-runner.prod" });
    const deployment = objects.find((object) => object.kind === "Deployment") as Obj;
    validate(deployment);
    expect(deployment.spec.template.spec).toMatchObject({
      serviceAccountName: "agent-runner.prod",
      automountServiceAccountToken: true,
    });
  });

  it("a Deno path with a comma is an ExportError naming the field; a manifest file name Kubernetes cannot take as a key gets a safe ConfigMap key", async () => {
    const comma = await loadManifestAgent(
      platform,
      manifestWith(dir, "comma.json", { platform: "deno", resources: { storage: { ephemeral: "/scratch,x" } } }),
    );
    const error = thrown(() => exportKubernetes(comma));
    expect(error).toMatchObject({ field: "layers.runtime.resources.storage.ephemeral", origin: "input" });
    expect((error as Error).message).toMatch(/"\/scratch,x" contains a comma/);
    mkdirSync(join(dir, "odd"), { recursive: true });
    const odd = await loadManifestAgent(platform, manifestWith(join(dir, "odd"), "my agent,v2.json", {}), {
      name: "odd",
    });
    expect(() => exportKubernetes({ ...odd, runtime: "deno" })).toThrow(
      /the manifest's path "\/app\/my agent,v2\.json" contains a comma/,
    );
    const read = await roundTripYaml(exportKubernetes(odd).objects);
    const configMap = read.find((object) => object.kind === "ConfigMap")!;
    expect(Object.keys(configMap.data)).toEqual(["my_agent_v2.json"]);
    const container = podSpecOf(read.find((object) => object.kind === "Deployment")!).containers[0];
    expect(container.volumeMounts).toContainEqual({
      name: "aral-manifest",
      mountPath: "/app/my agent,v2.json",
      subPath: "my_agent_v2.json",
      readOnly: true,
    });
    expect(container.env).toContainEqual({ name: "ARAL_MANIFEST", value: "/app/my agent,v2.json" });
  });

  it.skipIf(!hasKubectl)(
    `kubectl itself takes the ConfigMap key made for a manifest whose name it would refuse${hasKubectl ? "" : " (skipped: kubectl is not installed)"}`,
    () => {
      const key = (name: string) =>
        spawnSync(
          "kubectl",
          ["create", "configmap", "x", `--from-literal=${name}=1`, "--dry-run=client", "-o", "name"],
          {
            encoding: "utf8",
          },
        ).status;
      expect(key("my_agent_v2.json")).toBe(0);
      expect(key("my agent,v2.json"), "the check can fail").not.toBe(0);
    },
  );
});

describe("resources.storage roots in the pod: where the runtime will look for them, one volume per directory", () => {
  const agentWith = (storage: Record<string, unknown>) =>
    loadManifestAgent(platform, manifestWith(dir, "store.json", { resources: { storage } }), { name: "store" });
  const mounts = (objects: Record<string, unknown>[]): Obj[] =>
    podSpecOf(objects.find((object) => object.kind === "Deployment") as Obj).containers[0].volumeMounts;

  it("a relative root is the working directory's (as createStorage resolves it): an absolute mountPath, never 'data'", async () => {
    const agent = await agentWith({ persistent: "data", ephemeral: "./scratch/../tmp-files/" });
    for (const workdir of [undefined, "/srv/code"]) {
      const { objects } = exportKubernetes(agent, workdir === undefined ? {} : { workdir });
      for (const object of await roundTripYaml(objects)) validate(object);
      const base = workdir ?? "/app";
      expect(mounts(objects)).toContainEqual({ name: "persistent-storage", mountPath: `${base}/data` });
      expect(mounts(objects)).toContainEqual({ name: "ephemeral-storage", mountPath: `${base}/tmp-files` });
      for (const mount of mounts(objects)) expect(mount.mountPath, mount.name).toMatch(/^\/(?!.*\/\.\.?(\/|$))/);
    }
  });

  it("--workdir and the entry are written plainly: '/app/../srv/code/' is workingDir /srv/code, no '..' or '//' in a mountPath", async () => {
    const agent = await loadAgent("example", { entry: "./src/../agent.ts" });
    const { objects } = exportKubernetes(agent, { workdir: "/app/../srv//code/" });
    for (const object of await roundTripYaml(objects)) validate(object);
    const container = podSpecOf(objects.find((object) => object.kind === "Deployment") as Obj).containers[0];
    expect(container.workingDir).toBe("/srv/code");
    expect(container.command.at(-1)).toBe("/srv/code/agent.ts");
    expect(container.volumeMounts).toContainEqual(
      expect.objectContaining({ name: "aral-manifest", mountPath: "/srv/code/agent.manifest.jsonc" }),
    );
    for (const mount of container.volumeMounts) expect(mount.mountPath).not.toMatch(/\/\.\.?(\/|$)|\/\/|.\/$/);
  });

  it("persistent and ephemeral naming one directory: one volume there (two mounts at one path are invalid), and a note", async () => {
    const { objects, notes } = exportKubernetes(await agentWith({ persistent: "/data", ephemeral: "/data/" }));
    const paths = mounts(objects).map((mount) => mount.mountPath);
    expect(paths.filter((path) => path === "/data")).toHaveLength(1);
    expect(new Set(paths).size).toBe(paths.length);
    expect(notes.map((note) => note.field)).toContain("layers.runtime.resources.storage.ephemeral");
  });

  it("a root that is / or holds the agent's code is refused by field, not exported as a volume over it", async () => {
    for (const [storage, field, message] of [
      [{ persistent: "/" }, "persistent", /"\/" is the root directory/],
      [{ ephemeral: "/data/.." }, "ephemeral", /is the root directory/],
      [{ persistent: "." }, "persistent", /\/app would be a volume over \/app \(the agent's code\)/],
      [{ ephemeral: "/app" }, "ephemeral", /would be a volume over \/app/],
    ] as const) {
      const agent = await agentWith(storage);
      const error = thrown(() => exportKubernetes(agent));
      expect(error, JSON.stringify(storage)).toBeInstanceOf(ExportError);
      expect(error).toMatchObject({ field: `layers.runtime.resources.storage.${field}`, origin: "input" });
      expect((error as Error).message).toMatch(message);
    }
  });
});
