import type { Platform } from "@aral/platform";

/** The Deno and Bun adapters are named, not imported statically: their sources type-check only on their runtime. */
const ADAPTERS = { deno: "@aral/adapter-deno", bun: "@aral/adapter-bun" } as const;

/**
 * The adapter of the runtime running `aral`, and nothing else: the umbrella package (`aral`) would also load
 * all of `@aral/core`, which a supervising process (`aral up`, `aral run`) does not need.
 */
export async function loadPlatform(): Promise<Platform> {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  const other = runtime.Deno !== undefined ? ADAPTERS.deno : runtime.Bun !== undefined ? ADAPTERS.bun : undefined;
  if (other !== undefined) return ((await import(other)) as { platform: Platform }).platform;
  return (await import("@aral/adapter-node")).platform;
}
