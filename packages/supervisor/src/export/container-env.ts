import type { SupervisedRuntime } from "../runtime-command.ts";

export type EnvVar = { name: string; value: string } | { name: string; valueFrom: Record<string, unknown> };

/** Variables the container sets itself: an inline setting of the same name would be a duplicate entry. */
const CONTAINER_SET = new Set(["ARAL_HEALTH_ENABLED", "ARAL_HEALTH_HOSTNAME", "ARAL_HEALTH_PORT"]);
/** The instance's identity, which the container always sets itself (as aral up does). */
const IDENTITY = new Set(["ARAL_INSTANCE_ID", "ARAL_AGENT", "ARAL_INSTANCE"]);

/** The label a StatefulSet's pods carry their ordinal in (Kubernetes 1.28+, on by default; GA in 1.32). */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/**
 * ARAL_INSTANCE (aral up's instance number) as each kind can give it: a StatefulSet pod's ordinal from its
 * pod-index label (downward API), "0" for a Sandbox (a singleton); a Deployment's pods have no index (undefined).
 */
export function instanceEnv(kind: "deployment" | "statefulset" | "sandbox"): EnvVar | undefined {
  if (kind === "statefulset")
    return { name: "ARAL_INSTANCE", valueFrom: { fieldRef: { fieldPath: `metadata.labels['${POD_INDEX_LABEL}']` } } };
  return kind === "sandbox" ? { name: "ARAL_INSTANCE", value: "0" } : undefined;
}

/**
 * A variable name both targets carry: letters, digits and "_", not starting with a digit (POSIX's portable names).
 * A Secret key and `kubectl create secret --from-literal=NAME=...` take no blank; systemd's EnvironmentFile=
 * ignores a line whose name is anything else ("my.var"). `aral run` and `aral up` pass any name their own
 * environment holds, so the rule is the export's.
 */
export const EXPORTABLE_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Name of the Secret the allow-listed variables come from: `<agent>-env`. */
export function envSecretName(agent: string): string {
  return `${agent}-env`;
}

/**
 * The container's whole environment - the least-privilege set of `aral run`, nothing inherited:
 * ARAL_MANIFEST (or a fleet agent's inline settings as ARAL_* variables), ARAL_INSTANCE_ID from the pod's name
 * (unique in its namespace; a StatefulSet's stable `<name>-<ordinal>`), ARAL_AGENT and ARAL_INSTANCE as `aral up`
 * gives them (instanceEnv), the health server on the pod's IP when the agent serves it (the kubelet probes and
 * Prometheus scrapes that address), TMPDIR on the writable /tmp, DENO_DIR there for Deno's cache (the root
 * filesystem is read-only), and each allow-listed variable from the Secret `<agent>-env` by reference: no value is
 * ever written into the objects.
 */
export function containerEnv(options: {
  agent: string;
  runtime: SupervisedRuntime | undefined;
  manifestPath: string | undefined;
  healthPort: number;
  allowEnv: readonly string[];
  /** A fleet agent's inline settings as ARAL_* variables; the health server's own are the container's. */
  settings?: Readonly<Record<string, string>>;
  /** Whether the agent serves the runtime's health endpoints (ARAL_HEALTH_* set); default true. */
  servesHealth?: boolean;
  /** ARAL_INSTANCE as the workload can give it (instanceEnv); undefined: not set. */
  instance?: EnvVar | undefined;
}): EnvVar[] {
  const env: EnvVar[] = [];
  if (options.manifestPath !== undefined) env.push({ name: "ARAL_MANIFEST", value: options.manifestPath });
  const servesHealth = options.servesHealth ?? true;
  for (const [name, value] of Object.entries(options.settings ?? {})) {
    if (!(servesHealth && CONTAINER_SET.has(name)) && !IDENTITY.has(name)) env.push({ name, value });
  }
  env.push(
    { name: "ARAL_INSTANCE_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "ARAL_AGENT", value: options.agent },
  );
  if (options.instance !== undefined) env.push(options.instance);
  if (servesHealth)
    env.push(
      { name: "ARAL_HEALTH_ENABLED", value: "true" },
      { name: "ARAL_HEALTH_HOSTNAME", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "ARAL_HEALTH_PORT", value: String(options.healthPort) },
    );
  env.push({ name: "TMPDIR", value: "/tmp" });
  if (options.runtime === "deno") env.push({ name: "DENO_DIR", value: "/tmp/deno-dir" });
  for (const name of options.allowEnv) {
    env.push({ name, valueFrom: { secretKeyRef: { name: envSecretName(options.agent), key: name } } });
  }
  return env;
}
