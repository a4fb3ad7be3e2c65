import type { SupervisedRuntime } from "../runtime-command.ts";

export type EnvVar = { name: string; value: string } | { name: string; valueFrom: Record<string, unknown> };

/** Variables the container sets itself: an inline setting of the same name would be a duplicate entry. */
const CONTAINER_SET = new Set(["ARAL_HEALTH_ENABLED", "ARAL_HEALTH_HOSTNAME", "ARAL_HEALTH_PORT"]);

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
 * (unique in its namespace; a StatefulSet's stable `<name>-<ordinal>`), the health server on the pod's IP (the kubelet
 * probes and Prometheus scrapes that address), TMPDIR on the writable /tmp, DENO_DIR there for Deno's cache (the root
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
}): EnvVar[] {
  const env: EnvVar[] = [];
  if (options.manifestPath !== undefined) env.push({ name: "ARAL_MANIFEST", value: options.manifestPath });
  for (const [name, value] of Object.entries(options.settings ?? {})) {
    if (!CONTAINER_SET.has(name)) env.push({ name, value });
  }
  env.push(
    { name: "ARAL_INSTANCE_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "ARAL_HEALTH_ENABLED", value: "true" },
    { name: "ARAL_HEALTH_HOSTNAME", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    { name: "ARAL_HEALTH_PORT", value: String(options.healthPort) },
    { name: "TMPDIR", value: "/tmp" },
  );
  if (options.runtime === "deno") env.push({ name: "DENO_DIR", value: "/tmp/deno-dir" });
  for (const name of options.allowEnv) {
    env.push({ name, valueFrom: { secretKeyRef: { name: envSecretName(options.agent), key: name } } });
  }
  return env;
}
