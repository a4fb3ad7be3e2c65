import type { SupervisedRuntime } from "../runtime-command.ts";

/**
 * The official image of each runtime at the version this SDK is tested with, and the non-root user that
 * image ships (numeric, so the kubelet can verify `runAsNonRoot`). Your agent's code must be in the image
 * at the working directory (/app): build `FROM` one of these and pass `--image`.
 */
export const RUNTIME_IMAGES: Record<SupervisedRuntime, { image: string; uid: number; gid: number }> = {
  node: { image: "node:24-slim", uid: 1000, gid: 1000 }, // user "node"
  deno: { image: "denoland/deno:2.9.6", uid: 1993, gid: 1993 }, // user "deno"
  bun: { image: "oven/bun:1.4.5-slim", uid: 1000, gid: 1000 }, // user "bun"
};
