import { ConfigError } from "@aral/core/config";
import { loadManifest, resolveRuntimeConfig } from "@aral/core/config";
import type { Platform } from "@aral/core";
import { describeEnforcement, previewEnforcement, supervisorSettingsFromManifest } from "@aral/supervisor";
import type { EnforcementReport } from "@aral/supervisor";
import { commandArguments } from "../arguments.ts";
import { clip, issuesForJson, printConfigIssues } from "../config-issues.ts";
import type { Output } from "../output.ts";

const USAGE = "usage: aral check <manifest.json|.jsonc|.yaml> [--json]";

/** `aral check <manifest> [--json]`: validates a manifest and prints the effective configuration, or every error. */
export async function check(platform: Platform, argv: string[], output: Output): Promise<number> {
  const args = commandArguments(output, argv, {
    command: "aral check",
    usage: USAGE,
    flags: ["--json"],
    required: ["<manifest>"],
  });
  if (typeof args === "number") return args;
  const json = args.flags.has("--json");
  const path = args.positionals[0]!;
  try {
    const manifest = await loadManifest(platform, path);
    const config = resolveRuntimeConfig(manifest, platform.env.toObject());
    const parent = platform.env.get("ARAL_CGROUP_PARENT");
    const enforcement = await previewEnforcement(
      platform,
      supervisorSettingsFromManifest(config),
      parent ? { cgroupParent: parent } : {},
    );
    if (json) output.out(JSON.stringify({ ok: true, path, config, enforcement }, null, 2));
    else {
      output.out(`${path}: valid ARAL manifest`);
      output.out("effective configuration (layers.runtime, defaults and ARAL_* overrides applied):");
      output.out(JSON.stringify(config, null, 2));
      printEnforcement(output, enforcement);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      const message = clip(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 2_000);
      if (json) output.out(JSON.stringify({ ok: false, path, errors: [{ path: "", message }] }, null, 2));
      else output.err(`${path}: ${message}`);
      return 1;
    }
    if (json) {
      const { shown, omitted } = issuesForJson(error);
      output.out(JSON.stringify({ ok: false, path, errors: shown, ...(omitted ? { omitted } : {}) }, null, 2));
    } else printConfigIssues(output, path, error);
    return 1;
  }
}

/** Each limit as `aral run` would hold it on this host: kernel, sampled or not enforced. */
function printEnforcement(output: Output, report: EnforcementReport): void {
  output.out(`limits under aral run on this host: ${describeEnforcement(report)}`);
  const rows: [string, string][] = [
    ["resources.memory.limit", report.memory],
    ["resources.memory.swap (disabled)", report.swap],
    ["resources.cpu.limit", report.cpuLimit],
    ["resources.cpu.request", report.cpuRequest],
    ["resources.pids.limit", report.pids],
  ];
  for (const [field, how] of rows) output.out(`  ${field}: ${how}`);
  if (report.mechanism === "none" && rows.some(([, how]) => how !== "unset" && how !== "kernel")) {
    output.out(
      "  limits marked sampled or not enforced are NOT held by the kernel: cgroups need root or a delegated subtree (ARAL_CGROUP_PARENT)",
    );
  }
}
