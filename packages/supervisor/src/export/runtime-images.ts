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

// The image reference grammar of the distribution project (what the container runtime parses), written out.
const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
/** `[registry[:port]/]path[:tag][@digest]`, e.g. `node:24-slim`, `registry.local:5000/team/agent:1.2@sha256:...`. */
export const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);

/** Why `image` is not an image reference a container runtime can pull, or undefined when it is one. */
export function imageReferenceProblem(image: string): string | undefined {
  if (IMAGE_REFERENCE.test(image) && image.split(/[:@]/)[0]!.length <= 255) return undefined;
  return `--image must be an image reference such as node:24-slim or registry.example.com/team/agent:1.2 (lowercase repository path, optional :tag and @digest, no blanks), got ${JSON.stringify(image)}`;
}
