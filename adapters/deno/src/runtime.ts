import type { RuntimeInfo } from "@aral/platform";

/** Deno.build.arch uses Rust target names; the contract uses Node's ("x64", "arm64"). */
const ARCH_NAMES: Record<string, string> = { x86_64: "x64", aarch64: "arm64" };

export function createRuntimeInfo(): RuntimeInfo {
  return {
    name: "deno",
    version: Deno.version.deno,
    os: Deno.build.os,
    arch: ARCH_NAMES[Deno.build.arch] ?? Deno.build.arch,
    cpus: navigator.hardwareConcurrency,
    hostname: hostname(),
  };
}

/** Deno.hostname() needs --allow-sys (or -A); without it the contract's "" stands for "not readable". */
function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "";
  }
}
