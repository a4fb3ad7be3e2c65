import type { RuntimeConfig } from "@aral/core";
import { ExportError } from "./errors.ts";

/** `resources.storage`'s roots as absolute, normalised paths on the target. */
export interface StorageRoots {
  persistent: string | undefined;
  ephemeral: string | undefined;
}

/** An absolute path with "." and ".." resolved and no trailing or doubled "/": "/data/../x/" -> "/x". */
export function normalizeAbsolute(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * The storage roots where the agent's runtime will find them: a relative root against its working directory, as
 * `createStorage` resolves it (a unit's `ReadWritePaths=` and a container's `mountPath` take absolute paths only).
 * A root that is "/" is refused: it would make the whole file system writable (`ReadWritePaths=/` undoes
 * `ProtectSystem=strict`) or hide it under a volume.
 */
export function storageRoots(config: RuntimeConfig, workdir: string, agent: string): StorageRoots {
  const { persistent, ephemeral } = config.resources.storage;
  const resolve = (field: "persistent" | "ephemeral", root: string | undefined): string | undefined => {
    if (root === undefined) return undefined;
    const absolute = normalizeAbsolute(root.startsWith("/") ? root : `${workdir}/${root}`);
    if (absolute === "/")
      throw new ExportError(
        `layers.runtime.resources.storage.${field}`,
        `agent ${agent}: layers.runtime.resources.storage.${field} ${JSON.stringify(root)} is the root directory: the agent's storage cannot be the whole file system; give it a directory of its own (e.g. /var/lib/${agent})`,
        "input",
      );
    return absolute;
  };
  return { persistent: resolve("persistent", persistent), ephemeral: resolve("ephemeral", ephemeral) };
}
