import type { RuntimeConfig } from "@aral/core";
import type { SupervisedRuntime } from "../runtime-command.ts";
import { ExportError } from "./errors.ts";

/** One agent to export: what `aral export` reads from a manifest (or from one agent of a fleet file). */
export interface ExportAgent {
  /** Object and unit name: a DNS-1123 label (lowercase letters, digits, "-"; at most 63). */
  name: string;
  /** Runtime of an entry agent; undefined for a fleet agent that is any command. */
  runtime: SupervisedRuntime | undefined;
  /** The entry script as given; relative entries are relative to the working directory of the target. */
  entry: string | undefined;
  /** A fleet agent's own command line (first element the executable), instead of runtime + entry. */
  command?: readonly string[] | undefined;
  /** Arguments for the agent, after the entry. */
  args: readonly string[];
  /** `layers.runtime`, defaults filled in. */
  config: RuntimeConfig;
  /** `layers.runtime` exactly as written (no defaults): tells the fields the user set. */
  written: unknown;
  /**
   * The manifest file: shipped in a ConfigMap (Kubernetes) or read in place (systemd). `relativePath` places it
   * in the image relative to the working directory (default `fileName`, next to a relative entry).
   */
  manifest: { path: string; fileName: string; text: string; relativePath?: string } | undefined;
  /** A fleet agent's inline `layers.runtime` (no manifest to ship) as the ARAL_* variables that carry it. */
  settings?: Readonly<Record<string, string>>;
  /** Working directory relative to the image's (a fleet agent's `cwd`); default the image's own. */
  relativeWorkdir?: string;
  /** Working directory on this machine (systemd), when the agent says (a fleet agent's `cwd`). */
  cwd?: string;
  /** Variable names the agent may see besides the least-privilege set (`aral run --allow-env`). */
  allowEnv: readonly string[];
  /** Instances (replicas, or systemd template instances). */
  instances: number;
  /** A fleet agent's `ready:` (how `aral up` decides an instance is ready); undefined outside a fleet file. */
  ready?: { line?: string; url?: string; startupMs: number } | undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Names become Kubernetes object names and unit names: a DNS-1123 label, short enough for suffixes like "-manifest". */
export function checkAgentName(name: string): string {
  if (!DNS_LABEL.test(name) || name.length > 52) {
    throw new ExportError(
      "name",
      `agent name ${JSON.stringify(name)} must be lowercase letters, digits and "-", start and end with a letter or digit, at most 52 characters (it names Kubernetes objects and systemd units)`,
    );
  }
  return name;
}

/** A default name from a file name: "agent.manifest.jsonc" -> "agent", "My_Agent.ts" -> "my-agent". */
export function nameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const stem = base.split(".")[0] ?? "";
  const name = stem
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 52);
  return name === "" ? "agent" : name;
}
