import { detectRuntime } from "@aral/platform";
import { atLeast, equal, match, ok } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";

export const runtimeCases: ConformanceCase[] = defineCases([
  {
    name: "runtime: name, version, os, arch, cpus and hostname describe the running runtime",
    capability: "runtime",
    run({ platform }) {
      const r = platform.runtime;
      ok(
        typeof r.name === "string" && r.name.length > 0,
        `runtime.name must be a non-empty string, got ${JSON.stringify(r.name)}`,
      );
      const detected = detectRuntime();
      if (detected !== "unknown") equal(r.name, detected, "runtime.name (this code runs on it)");
      match(r.version, /^\d+\.\d+(\.\d+)?([-+].*)?$/, "runtime.version (no leading v)");
      const actual = observedVersion(detected);
      if (actual !== undefined) equal(r.version, actual, "runtime.version");
      match(r.os, /^[a-z][a-z0-9]*$/, "runtime.os");
      ok(r.os !== "win32", 'runtime.os must be "windows", not Node\'s "win32"');
      match(r.arch, /^[a-z][a-z0-9_]*$/, "runtime.arch");
      ok(
        r.arch !== "x86_64" && r.arch !== "aarch64",
        `runtime.arch uses the normalized names ("x64", "arm64"), got ${JSON.stringify(r.arch)}`,
      );
      ok(Number.isInteger(r.cpus), `runtime.cpus must be an integer, got ${r.cpus}`);
      atLeast(r.cpus, 1, "runtime.cpus");
      ok(typeof r.hostname === "string", `runtime.hostname must be a string, got ${typeof r.hostname}`);
      const expected = observedHostname();
      if (expected !== undefined) equal(r.hostname, expected, "runtime.hostname (the machine's host name)");
    },
  },
]);

/** The kernel's host name where it can be read without a runtime API (Linux). */
function observedHostname(): string | undefined {
  const g = globalThis as {
    Deno?: { readTextFileSync?(path: string): string };
    process?: { platform?: string; getBuiltinModule?(id: string): unknown };
  };
  try {
    if (g.Deno?.readTextFileSync) return g.Deno.readTextFileSync("/proc/sys/kernel/hostname").trim();
    const fs = g.process?.getBuiltinModule?.("node:fs") as
      | { readFileSync(path: string, encoding: string): string }
      | undefined;
    return fs?.readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
  } catch {
    return undefined;
  }
}

function observedVersion(runtime: string): string | undefined {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    Bun?: { version?: string };
    process?: { versions?: Record<string, string> };
  };
  if (runtime === "deno") return g.Deno?.version?.deno;
  if (runtime === "bun") return g.Bun?.version;
  if (runtime === "node") return g.process?.versions?.["node"];
  return undefined;
}
