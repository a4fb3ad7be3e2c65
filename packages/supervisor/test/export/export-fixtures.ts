// Manifests every export test runs through: the seed's full configuration example and the example agent's.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadManifestAgent } from "../../src/export/index.ts";
import type { ExportAgent, ManifestAgentOptions } from "../../src/export/index.ts";
import { SUPERVISED_RUNTIMES } from "../../src/runtime-command.ts";
import { platform } from "../helpers.ts";

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..", "..", "..");
export const MANIFESTS = {
  // /work/shared/seed/runtime-layer.txt, "Configuration Example", verbatim
  seed: join(here, "fixtures", "seed.manifest.json"),
  example: join(repoRoot, "examples", "agent.manifest.jsonc"),
} as const;
export const RUNTIMES = SUPERVISED_RUNTIMES;

export function loadAgent(manifest: keyof typeof MANIFESTS, options: ManifestAgentOptions = {}): Promise<ExportAgent> {
  return loadManifestAgent(platform, MANIFESTS[manifest], options);
}

export function manifestText(manifest: keyof typeof MANIFESTS): string {
  return readFileSync(MANIFESTS[manifest], "utf8");
}

/** A manifest file of its own in `dir` with this `layers.runtime`, for a case the two shared manifests do not cover. */
export function manifestWith(dir: string, fileName: string, runtime: Record<string, unknown>): string {
  const path = join(dir, fileName);
  writeFileSync(path, JSON.stringify({ aral: { version: "1.0" }, layers: { runtime } }));
  return path;
}
