import { defineConfig } from "tsup";

/**
 * The one npm build every package uses: ESM + CJS + types. It bundles for a neutral platform, so every
 * node:* built-in is kept as an import (the adapters that use them name why in their sources).
 */
export function tsupPreset(entry: string[] = ["src/index.ts"], external: (string | RegExp)[] = []) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    // Shared chunks in CJS too, so a class reached through two subpaths is one class (instanceof agrees).
    splitting: true,
    sourcemap: false,
    target: "es2022",
    platform: "neutral",
    removeNodeProtocol: false,
    external: [/^node:/, ...external],
  });
}
