import type { RuntimeName } from "./contract.ts";

/** Which JavaScript runtime this code runs on, from globals alone (no runtime module imported). */
export function detectRuntime(): RuntimeName | "unknown" {
  const g = globalThis as Record<string, unknown>;
  if (typeof g["Deno"] === "object" && g["Deno"] !== null) return "deno";
  if (typeof g["Bun"] === "object" && g["Bun"] !== null) return "bun";
  const proc = g["process"] as { versions?: Record<string, string> } | undefined;
  if (proc?.versions?.["node"]) return "node";
  return "unknown";
}
