/**
 * Support for mutant adapters: the correct adapter of the runtime this runs on, and a way to
 * replace single members of its objects. Files starting with "_" are not mutants.
 */
import { PlatformError, detectRuntime, isPlatformError } from "@aral/platform";
import type { AdapterModule, Platform, PlatformErrorCode } from "@aral/platform";

const runtime = detectRuntime();
if (runtime === "unknown") throw new Error("mutants: cannot tell which runtime this is (node, deno or bun expected)");

/** Absolute path of the correct adapter's entry for this runtime. */
export const correctAdapterPath = decodeURIComponent(
  new URL(`../../../adapters/${runtime}/src/index.ts`, import.meta.url).pathname,
);

const correct = (await import(
  new URL(`../../../adapters/${runtime}/src/index.ts`, import.meta.url).href
)) as AdapterModule;

export function correctPlatform(): Platform {
  // the adapters of this repository create their platform synchronously; the suite also accepts an async one
  return correct.createPlatform() as Platform;
}

/**
 * A view of `target` in which the given members are replaced; every other member (methods bound to
 * the original, getters included) behaves exactly as before.
 */
export function override<T extends object>(target: T, overrides: { [K in keyof T]?: T[K] }): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** The correct platform with some of its areas replaced. */
export function mutatePlatform(change: (real: Platform) => { [K in keyof Platform]?: Platform[K] }): Platform {
  const real = correctPlatform();
  return override(real, change(real));
}

/** Re-throws a PlatformError of one code as another (everything else unchanged). */
export function recode(error: unknown, from: PlatformErrorCode, to: PlatformErrorCode): never {
  if (isPlatformError(error, from))
    throw new PlatformError(to, error.message, {
      ...(error.path === undefined ? {} : { path: error.path }),
      cause: error.cause,
    });
  throw error;
}
