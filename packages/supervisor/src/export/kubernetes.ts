import type { ExportAgent } from "./agent.ts";
import { exportRuntimeCommand, isWithin } from "./agent-command.ts";
import { type AuditFiles, auditFiles } from "./audit-log.ts";
import { containerEnv, instanceEnv, POD_INDEX_LABEL } from "./container-env.ts";
import { ExportError } from "./errors.ts";
import { containerResources } from "./kubernetes-resources.ts";
import { type StorageLayout, storageLayout, VOLUME_NAMES } from "./kubernetes-storage.ts";
import { Notes } from "./notes.ts";
import { HEALTH_PORT_NAME, type HttpProbe, healthProbes, readyUrlProbe } from "./probes.ts";
import { wholeSeconds } from "./quantities.ts";
import { imageReferenceProblem, RUNTIME_IMAGES } from "./runtime-images.ts";
import { normalizeAbsolute, storageRoots } from "./storage-roots.ts";
import { containerSecurityContext, podSecurityContext } from "./security-context.ts";
import { pidsLimit, stopSignal, terminationGracePeriodMs } from "./stop-settings.ts";

export const KUBERNETES_KINDS = ["deployment", "statefulset", "sandbox"] as const;
export type KubernetesKind = (typeof KUBERNETES_KINDS)[number];

/** Port of the health server in the pod when the manifest's `health.port` is 0 (pick any). */
export const DEFAULT_HEALTH_PORT = 8080;
/** Most bytes a ConfigMap's data may hold (the API server's limit). */
const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
/** Where the agent's code is in the image; relative entries are relative to it. */
export const DEFAULT_WORKDIR = "/app";

export interface KubernetesExportOptions {
  kind?: KubernetesKind;
  /** Image of the agent; default the runtime's official image (RUNTIME_IMAGES) - which then needs your code at /app. */
  image?: string;
  /** A PodMonitor (Prometheus Operator) instead of prometheus.io/* scrape annotations. */
  monitor?: boolean;
  /** Replicas of a Deployment or StatefulSet; default the agent's instances. A Sandbox is a singleton. */
  replicas?: number;
  /** Port of the health server; default the manifest's `health.port`, or 8080 when that is 0. */
  healthPort?: number;
  /** Run under this service account with its token mounted; default none (no token in the pod). */
  serviceAccount?: string;
  /** Working directory of the container (where the code is in the image). Default /app. */
  workdir?: string;
}

export interface KubernetesExport {
  objects: Record<string, unknown>[];
  notes: Notes["list"];
}

/** A Kubernetes object name such as a service account's: a DNS-1123 subdomain. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The Secret an agent's audit key is mounted from (key `key`): `<agent>-audit-key`. */
export function auditKeySecretName(agent: string): string {
  return `${agent}-audit-key`;
}

/**
 * Volumes for `logging.audit` in a pod whose root filesystem is read-only. The log's directory becomes an emptyDir
 * (unless the log lies in a writable volume already: a storage root, /tmp); a directory holding the agent's code
 * cannot be one - it would hide the code - and is refused. The key is mounted read-only from the Secret
 * `<agent>-audit-key`, never written into the objects.
 */
function auditMounts(
  agent: ExportAgent,
  audit: AuditFiles,
  context: { writable: readonly string[]; persistent: string | undefined; code: readonly string[]; notes: Notes },
): { volumes: Record<string, unknown>[]; volumeMounts: StorageLayout["volumeMounts"] } {
  const volumes: Record<string, unknown>[] = [];
  const volumeMounts: StorageLayout["volumeMounts"] = [];
  const inStorage = context.writable.some((root) => isWithin(root, audit.path));
  const kept = "to keep it, put it inside resources.storage.persistent (the claim)";
  if (inStorage && (context.persistent === undefined || !isWithin(context.persistent, audit.path)))
    context.notes.approximated(
      "logging.audit.path",
      `${audit.path} is in an emptyDir: the audit log survives container restarts but not the pod, and a new pod starts a new chain; ${kept}`,
    );
  if (!inStorage) {
    const hidden = context.code.find((path) => isWithin(audit.dir, path));
    if (hidden !== undefined)
      throw new ExportError(
        "layers.runtime.logging.audit.path",
        `agent ${agent.name}: layers.runtime.logging.audit.path ${audit.path} needs its directory ${audit.dir} writable, but the root filesystem is read-only and a volume there would hide ${hidden} (the agent's code): put the audit log in a directory of its own (e.g. /var/log/aral/audit.log) or inside resources.storage.persistent`,
        "input",
      );
    volumes.push({ name: VOLUME_NAMES.audit, emptyDir: {} });
    volumeMounts.push({ name: VOLUME_NAMES.audit, mountPath: audit.dir });
    context.notes.approximated(
      "logging.audit.path",
      `an emptyDir mounted at ${audit.dir} (the root filesystem is read-only): the audit log survives container restarts but not the pod, and a new pod starts a new chain; ${kept}`,
    );
  }
  if (audit.keyFile !== undefined) {
    const secret = auditKeySecretName(agent.name);
    // 0440 with the pod's fsGroup: the agent's group reads the key, nobody in the pod can change it.
    volumes.push({ name: VOLUME_NAMES.auditKey, secret: { secretName: secret, defaultMode: 0o440 } });
    volumeMounts.push({ name: VOLUME_NAMES.auditKey, mountPath: audit.keyFile, subPath: "key", readOnly: true });
    context.notes.approximated(
      "logging.audit.keyFile",
      `mounted read-only at ${audit.keyFile} from the Secret ${secret} (key "key"), which the output does not contain: kubectl create secret generic ${secret} --from-file=key=<the key file>`,
    );
  }
  return { volumes, volumeMounts };
}

/**
 * The manifest's key in its ConfigMap: the file name when Kubernetes takes it as a key (letters, digits, "-", "_",
 * "."), else that name with every other character "_" ("my agent,v2.yaml" -> "my_agent_v2.yaml"). It is mounted
 * under its own name either way (`subPath` is the key, `mountPath` the file name).
 */
function configMapKey(fileName: string): string {
  const key = fileName.replace(/[^-._a-zA-Z0-9]/g, "_");
  return key === "." || key === ".." ? `_${key}` : key;
}

function joinPath(dir: string, path: string): string {
  return normalizeAbsolute(path.startsWith("/") ? path : `${dir}/${path}`);
}

/** The Kubernetes objects for one agent: ConfigMap (manifest), workload, claim/Service as the kind needs, PDB, PodMonitor. */
export function exportKubernetes(agent: ExportAgent, options: KubernetesExportOptions = {}): KubernetesExport {
  const kind = options.kind ?? "deployment";
  if (!KUBERNETES_KINDS.includes(kind))
    throw new ExportError("kind", `--kind must be one of ${KUBERNETES_KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  const notes = new Notes(agent.name, agent.written);
  const { config, name } = agent;
  const givenRoot = options.workdir ?? DEFAULT_WORKDIR;
  if (!givenRoot.startsWith("/"))
    throw new ExportError(
      "workdir",
      `the working directory must be an absolute path in the image, got ${JSON.stringify(givenRoot)}`,
    );
  // "/app/../x/" -> "/x": it becomes workingDir and the mountPath of the manifest, written plainly
  const imageRoot = normalizeAbsolute(givenRoot);
  const workdir =
    agent.relativeWorkdir === undefined || agent.relativeWorkdir === "" || agent.relativeWorkdir === "."
      ? imageRoot
      : joinPath(imageRoot, agent.relativeWorkdir);
  const defaults = agent.runtime === undefined ? undefined : RUNTIME_IMAGES[agent.runtime];
  if (options.image !== undefined) {
    // the API server takes any string; the pod would fail at pull with InvalidImageName
    const problem = imageReferenceProblem(options.image);
    if (problem !== undefined) throw new ExportError("image", problem);
  }
  const image = options.image ?? defaults?.image;
  if (image === undefined)
    throw new ExportError(
      "image",
      `agent ${name} runs its own command (${agent.command?.[0] ?? "?"}): give its image with --image`,
    );
  const user = defaults ?? { uid: 1000, gid: 1000 };
  const healthPort = options.healthPort ?? (config.health.port !== 0 ? config.health.port : DEFAULT_HEALTH_PORT);
  if (!Number.isInteger(healthPort) || healthPort < 1 || healthPort > 65_535)
    throw new ExportError("health-port", `the health port must be an integer from 1 to 65535, got ${healthPort}`);
  const replicas = kind === "sandbox" ? 1 : (options.replicas ?? agent.instances);
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new ExportError("replicas", `replicas must be a non-negative integer, got ${replicas}`);
  if (kind === "sandbox" && (options.replicas ?? agent.instances) > 1)
    notes.approximated(
      "(instances)",
      `a Sandbox is a singleton: ${options.replicas ?? agent.instances} instances exported as one`,
    );

  const labels = {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": "agent",
    "app.kubernetes.io/managed-by": "aral",
  };
  const selector = { "app.kubernetes.io/name": name };
  const manifestPath =
    agent.manifest === undefined
      ? undefined
      : joinPath(imageRoot, agent.manifest.relativePath ?? agent.manifest.fileName);

  const entryPath = agent.command !== undefined ? undefined : joinPath(imageRoot, agent.entry ?? "agent.ts");
  const command =
    entryPath === undefined
      ? [...agent.command!, ...agent.args]
      : exportRuntimeCommand(agent, entryPath, { manifestPath });

  // Relative roots are the container's working directory's, as the runtime resolves them (a mountPath must be absolute).
  const roots = storageRoots(config, workdir, name);
  const code = [imageRoot, workdir, entryPath, manifestPath].filter((path): path is string => path !== undefined);
  for (const field of ["persistent", "ephemeral"] as const) {
    const root = roots[field];
    const hidden = root === undefined ? undefined : code.find((path) => isWithin(root, path));
    if (hidden !== undefined)
      throw new ExportError(
        `layers.runtime.resources.storage.${field}`,
        `agent ${name}: layers.runtime.resources.storage.${field} ${root} would be a volume over ${hidden} (the agent's code), hiding it: give the storage a directory of its own (e.g. /data or ${imageRoot.replace(/\/+$/, "")}/data)`,
        "input",
      );
  }
  const storage = storageLayout(config, notes, `${name}-persistent`, roots);
  const volumes = [...storage.volumes];
  const volumeMounts = [...storage.volumeMounts];
  if (agent.manifest !== undefined) {
    volumes.push({ name: VOLUME_NAMES.manifest, configMap: { name: `${name}-manifest` } });
    volumeMounts.push({
      name: VOLUME_NAMES.manifest,
      mountPath: manifestPath!,
      subPath: configMapKey(agent.manifest.fileName),
      readOnly: true,
    });
  }
  const audit = auditFiles(config, workdir);
  if (audit !== undefined) {
    const mounts = auditMounts(agent, audit, {
      writable: volumeMounts.filter((mount) => mount.readOnly !== true).map((mount) => mount.mountPath),
      persistent: roots.persistent,
      code,
      notes,
    });
    volumes.push(...mounts.volumes);
    volumeMounts.push(...mounts.volumeMounts);
  }
  if (storage.claim !== undefined && kind === "deployment") {
    volumes.push({ name: VOLUME_NAMES.persistent, persistentVolumeClaim: { claimName: storage.claim.name } });
    if (replicas > 1)
      notes.approximated(
        "resources.storage.persistent",
        `a Deployment's ${replicas} replicas share the one ReadWriteOnce claim ${storage.claim.name}; use --kind statefulset for one volume per replica`,
      );
  }

  // Kubernetes-only concerns of the manifest.
  if (config.resources.memory.swap)
    notes.notExpressible(
      "resources.memory.swap",
      "swap is a node setting in Kubernetes (kubelet memorySwap.swapBehavior), not a container's",
    );
  if (notes.written("resources.pids.limit"))
    notes.notExpressible(
      "resources.pids.limit",
      `pod PID limits are the kubelet's podPidsLimit, set per node (the manifest asks for ${pidsLimit(config)})`,
    );
  if (stopSignal(config) !== "SIGTERM") {
    notes.notExpressible(
      "lifecycle.shutdownSignals",
      `the kubelet stops a container with SIGTERM (or the image's STOPSIGNAL), which this manifest does not treat as a stop request: give the image STOPSIGNAL ${stopSignal(config) ?? "(none listed)"}`,
    );
  }
  notes.notExpressible(
    "errorHandling.maxBackoffMs",
    `container restarts follow the kubelet's own backoff (10 s doubling to 5 min), not ${config.errorHandling.backoffMs} \u2026 ${config.errorHandling.maxBackoffMs} ms as under aral run; the agent's in-process retries still use them`,
  );
  // An aral runtime agent (entry) serves the health endpoints; a command agent only when its layers.runtime says so
  // (health on a fixed port, which aral up probes too). Nothing else gets ARAL_HEALTH_*, HTTP probes or scraping.
  const servesHealth = agent.command === undefined || (config.health.enabled && config.health.port !== 0);
  const probes: { livenessProbe?: HttpProbe; readinessProbe?: HttpProbe; startupProbe?: HttpProbe } = servesHealth
    ? healthProbes(config, notes)
    : {};
  let minReadySeconds: number | undefined;
  if (agent.ready?.url !== undefined) {
    // aral up's order: ready.url first
    const probe = readyUrlProbe(agent.ready.url, config, notes);
    if (probe !== undefined) probes.readinessProbe = probe;
  } else if (!servesHealth && agent.ready?.line !== undefined) {
    notes.unreachable(
      "(ready.line)",
      `the kubelet cannot watch a container's output for ${JSON.stringify(agent.ready.line)}: no readiness probe, the pod is Ready once its container runs (give ready.url, or serve the runtime's health)`,
    );
  } else if (!servesHealth && agent.ready !== undefined) {
    const seconds = wholeSeconds(agent.ready.startupMs);
    if (kind !== "sandbox" && seconds > 0) minReadySeconds = seconds;
    notes.unreachable(
      "(ready)",
      `"ready once it has stayed up ${agent.ready.startupMs} ms" has no probe: the pod is Ready once its container runs; ${minReadySeconds !== undefined ? `minReadySeconds ${minReadySeconds} makes a rollout count it available only once it has stayed up that long` : "nothing waits for it to stay up"} (give ready.url for a real probe)`,
    );
  }
  const instance = instanceEnv(kind);
  if (instance === undefined)
    notes.unreachable(
      "(instances)",
      `a Deployment's pods have no index: ARAL_INSTANCE (aral up's instance number) is not set, ARAL_INSTANCE_ID (the pod's name) tells them apart; --kind statefulset sets ARAL_INSTANCE from the pod's ${POD_INDEX_LABEL} label`,
    );
  if (servesHealth && notes.written("health.enabled") && !config.health.enabled)
    notes.approximated(
      "health.enabled",
      "set to true in the container (ARAL_HEALTH_ENABLED): the probes need the health endpoints",
    );
  if (servesHealth && notes.written("health.hostname"))
    notes.approximated(
      "health.hostname",
      "replaced by the pod's IP (ARAL_HEALTH_HOSTNAME from status.podIP): the kubelet probes that address",
    );
  if (servesHealth && options.healthPort !== undefined && config.health.port !== 0 && config.health.port !== healthPort)
    notes.approximated("health.port", `replaced by --health-port ${healthPort}`);

  const container = {
    name: "agent",
    image,
    command,
    workingDir: workdir,
    env: containerEnv({
      agent: name,
      runtime: agent.runtime,
      manifestPath,
      healthPort,
      allowEnv: agent.allowEnv,
      settings: agent.settings ?? {},
      servesHealth,
      instance,
    }),
    ...(servesHealth ? { ports: [{ name: HEALTH_PORT_NAME, containerPort: healthPort, protocol: "TCP" }] } : {}),
    resources: containerResources(config, notes),
    ...probes,
    securityContext: containerSecurityContext(),
    volumeMounts,
  };
  const serviceAccount = options.serviceAccount;
  if (serviceAccount !== undefined && (!DNS_SUBDOMAIN.test(serviceAccount) || serviceAccount.length > 253))
    throw new ExportError(
      "service-account",
      `--service-account must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters), got ${JSON.stringify(serviceAccount)}`,
    );
  const podSpec = {
    ...(serviceAccount !== undefined ? { serviceAccountName: serviceAccount } : {}),
    automountServiceAccountToken: serviceAccount !== undefined,
    // No service discovery variables either: the agent's environment is exactly `env`.
    enableServiceLinks: false,
    terminationGracePeriodSeconds: wholeSeconds(terminationGracePeriodMs(config)),
    securityContext: podSecurityContext(user),
    containers: [container],
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  const monitor = options.monitor === true && servesHealth;
  if (options.monitor === true && !servesHealth)
    notes.unreachable("(monitor)", "no PodMonitor: the agent serves no /metrics (it is not an aral runtime agent)");
  const scrape =
    monitor || !servesHealth
      ? {}
      : { "prometheus.io/scrape": "true", "prometheus.io/port": String(healthPort), "prometheus.io/path": "/metrics" };
  const template = {
    metadata: { labels, ...(Object.keys(scrape).length > 0 ? { annotations: scrape } : {}) },
    spec: podSpec,
  };
  const metadata = { name, labels };
  const claimTemplates =
    storage.claim === undefined
      ? undefined
      : [{ metadata: { name: VOLUME_NAMES.persistent }, spec: storage.claim.spec }];

  const objects: Record<string, unknown>[] = [];
  if (agent.manifest !== undefined) {
    // The API server refuses a ConfigMap whose data passes 1 MiB (etcd keeps objects small).
    const bytes = new TextEncoder().encode(agent.manifest.text).byteLength;
    if (bytes > CONFIG_MAP_MAX_BYTES)
      throw new ExportError(
        "manifest",
        `agent ${name}: the manifest ${agent.manifest.path} is ${bytes} bytes; a ConfigMap holds at most ${CONFIG_MAP_MAX_BYTES} (1 MiB), so the API server would refuse ${name}-manifest: trim it (comments, unused sections)`,
        "input",
      );
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-manifest`, labels },
      data: { [configMapKey(agent.manifest.fileName)]: agent.manifest.text },
    });
  }
  switch (kind) {
    case "deployment":
      if (storage.claim !== undefined)
        objects.push({
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: storage.claim.name, labels },
          spec: storage.claim.spec,
        });
      objects.push({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata,
        spec: {
          replicas,
          ...(minReadySeconds !== undefined ? { minReadySeconds } : {}),
          selector: { matchLabels: selector },
          // A ReadWriteOnce claim cannot be attached to the old and the new pod at once.
          ...(storage.claim !== undefined ? { strategy: { type: "Recreate" } } : {}),
          template,
        },
      });
      break;
    case "statefulset":
      objects.push({
        apiVersion: "v1",
        kind: "Service",
        metadata,
        spec: {
          clusterIP: "None",
          selector,
          ...(servesHealth
            ? { ports: [{ name: HEALTH_PORT_NAME, port: healthPort, targetPort: HEALTH_PORT_NAME }] }
            : {}),
        },
      });
      objects.push({
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata,
        spec: {
          serviceName: name,
          replicas,
          ...(minReadySeconds !== undefined ? { minReadySeconds } : {}),
          selector: { matchLabels: selector },
          template,
          ...(claimTemplates ? { volumeClaimTemplates: claimTemplates } : {}),
        },
      });
      break;
    case "sandbox":
      objects.push({
        apiVersion: "agents.x-k8s.io/v1alpha1",
        kind: "Sandbox",
        metadata,
        spec: { podTemplate: template, ...(claimTemplates ? { volumeClaimTemplates: claimTemplates } : {}) },
      });
      break;
  }
  if (kind !== "sandbox") {
    objects.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    });
  }
  if (monitor) {
    objects.push({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata,
      spec: {
        selector: { matchLabels: selector },
        podMetricsEndpoints: [
          {
            port: HEALTH_PORT_NAME,
            path: "/metrics",
            interval: `${wholeSeconds(config.lifecycle.healthcheck.interval)}s`,
          },
        ],
      },
    });
  }
  return { objects, notes: notes.list };
}
