import type { Platform } from "./contract.ts";
import { guardEnv } from "./guard-env.ts";
import { guardFileSystem } from "./guard-fs.ts";
import { guardNet } from "./guard-net.ts";
import { guardProcess } from "./guard-process.ts";
import { guardSignals } from "./guard-signals.ts";
import { guardWorkers } from "./guard-workers.ts";

/** A registered symbol, so a platform guarded by another copy of @aral/platform (src and dist side by side) counts too. */
const GUARDED = Symbol.for("@aral/platform.guardedPlatform");

/**
 * Validates what callers pass to a Platform, once, for every adapter: each method checks its
 * arguments (a misuse throws - or, for a method returning a promise, rejects with - a TypeError
 * naming the method and the argument, identical on every runtime) and then calls the adapter's
 * method. An adapter's createPlatform() returns `guardPlatform({...})` and checks no argument shapes
 * itself.
 *
 * Getters (process.pid, argv, execPath, a child's pid and streams) are read live from the adapter;
 * `runtime`, `usage` and `net.fetch` are the adapter's own (nothing to check, or the standard's
 * business); of `workers` only spawn() is checked. Members beyond the contract are kept as they are.
 * Guarding a guarded platform returns it unchanged.
 */
export function guardPlatform(platform: Platform): Platform {
  if ((platform as { [GUARDED]?: unknown })[GUARDED] === true) return platform;
  const result = Object.defineProperties(
    {
      runtime: platform.runtime,
      fs: guardFileSystem(platform.fs),
      process: guardProcess(platform.process),
      env: guardEnv(platform.env),
      signals: guardSignals(platform.signals),
      net: guardNet(platform.net),
      usage: platform.usage,
    },
    extraMembers(platform),
  ) as Platform;
  // a third-party adapter written before workers existed may have none
  if (platform.workers !== undefined)
    (result as { workers: Platform["workers"] }).workers = guardWorkers(platform.workers);
  Object.defineProperty(result, GUARDED, { value: true });
  return result;
}

const CONTRACT_MEMBERS: ReadonlySet<PropertyKey> = new Set([
  "runtime",
  "fs",
  "process",
  "env",
  "signals",
  "net",
  "usage",
  "workers",
]);

function extraMembers(platform: Platform): PropertyDescriptorMap {
  const descriptors = Object.getOwnPropertyDescriptors(platform) as PropertyDescriptorMap;
  for (const key of Object.keys(descriptors)) if (CONTRACT_MEMBERS.has(key)) delete descriptors[key];
  return descriptors;
}
