import { ConfigError, loadManifest, resolveRuntimeConfig } from "@aral/core";
import type { Platform } from "@aral/core";
import { printConfigIssues } from "../config-issues.ts";
import type { Output } from "../output.ts";

/** `aral check <manifest> [--json]`: validates a manifest and prints the effective configuration, or every error. */
export async function check(platform: Platform, args: string[], output: Output): Promise<number> {
  const json = args.includes("--json");
  const path = args.find((a) => !a.startsWith("--"));
  if (!path) {
    output.err("usage: aral check <manifest.json|.jsonc|.yaml> [--json]");
    return 2;
  }
  try {
    const manifest = await loadManifest(platform, path);
    const config = resolveRuntimeConfig(manifest, platform.env.toObject());
    if (json) output.out(JSON.stringify({ ok: true, path, config }, null, 2));
    else {
      output.out(`${path}: valid ARAL manifest`);
      output.out("effective configuration (layers.runtime, defaults and ARAL_* overrides applied):");
      output.out(JSON.stringify(config, null, 2));
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (json) output.out(JSON.stringify({ ok: false, path, errors: [{ path: "", message }] }, null, 2));
      else output.err(`${path}: ${message}`);
      return 1;
    }
    if (json) output.out(JSON.stringify({ ok: false, path, errors: error.issues }, null, 2));
    else printConfigIssues(output, path, error);
    return 1;
  }
}
