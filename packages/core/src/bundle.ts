// The npm build's one module: everything the package exports, flat. tsup bundles this file whole, and the
// root and every subpath entry (./tasks, ./health, ...) become a few lines re-exporting from it, so importing
// @aral/core loads two files instead of a chunk per combination of entries (17 of them), and a class
// reached through two subpaths is still one class. Deno (JSR) and the source condition never load it.
export * from "./index.ts";
export * from "./tasks/index.ts";
export * from "./resilience/index.ts";
export * from "./health/index.ts";
export * from "./metrics/index.ts";
export * from "./logging/index.ts";
export * from "./config/index.ts";
export * from "./resources/index.ts";
export * from "./lifecycle/index.ts";
export * from "./workers/index.ts";
