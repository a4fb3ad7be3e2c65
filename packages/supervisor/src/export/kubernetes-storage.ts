import type { RuntimeConfig } from "@aral/core";
import type { Notes } from "./notes.ts";
import { kubernetesBytes } from "./quantities.ts";
import type { StorageRoots } from "./storage-roots.ts";

/** Volume names in the pod: each says what it holds. */
export const VOLUME_NAMES = {
  persistent: "persistent-storage",
  ephemeral: "ephemeral-storage",
  tmp: "tmp",
  manifest: "aral-manifest",
  audit: "audit-log",
  auditKey: "audit-key",
} as const;
/** A claim's size when the manifest has no `storage.maxSize`. */
export const DEFAULT_CLAIM_SIZE = "1Gi";

export interface StorageLayout {
  volumes: Record<string, unknown>[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  /** The claim for `storage.persistent`: a template (StatefulSet, Sandbox) or a claim of its own (Deployment). */
  claim: { name: string; spec: { accessModes: string[]; resources: { requests: { storage: string } } } } | undefined;
}

/**
 * `roots` are the manifest's storage roots resolved on the target (storageRoots).
 * `storage.persistent` -> a PersistentVolumeClaim mounted at that path; `storage.ephemeral` -> an emptyDir with
 * `sizeLimit` = `storage.maxSize`; /tmp always an emptyDir (the root filesystem is read-only, and the runtime
 * makes its temporary files there).
 */
export function storageLayout(
  config: RuntimeConfig,
  notes: Notes,
  claimName: string,
  roots: StorageRoots,
): StorageLayout {
  const { maxSize } = config.resources.storage;
  const { persistent } = roots;
  // One directory for both: the ephemeral files live on the claim (two volumes cannot share a mountPath).
  const ephemeral = roots.ephemeral === persistent ? undefined : roots.ephemeral;
  if (roots.ephemeral !== undefined && ephemeral === undefined)
    notes.approximated(
      "resources.storage.ephemeral",
      `the same directory as storage.persistent (${persistent}): no volume of its own, its files are on the claim`,
    );
  const sizeLimit = maxSize === undefined ? undefined : kubernetesBytes(maxSize).quantity;
  const layout: StorageLayout = { volumes: [], volumeMounts: [], claim: undefined };
  if (persistent !== undefined) {
    if (sizeLimit === undefined)
      notes.approximated(
        "resources.storage.persistent",
        `no storage.maxSize: the persistent volume claim requests ${DEFAULT_CLAIM_SIZE}`,
      );
    layout.claim = {
      name: claimName,
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: sizeLimit ?? DEFAULT_CLAIM_SIZE } } },
    };
    layout.volumeMounts.push({ name: VOLUME_NAMES.persistent, mountPath: persistent });
  }
  if (ephemeral !== undefined) {
    layout.volumes.push({ name: VOLUME_NAMES.ephemeral, emptyDir: sizeLimit === undefined ? {} : { sizeLimit } });
    layout.volumeMounts.push({ name: VOLUME_NAMES.ephemeral, mountPath: ephemeral });
  }
  if (ephemeral !== "/tmp" && persistent !== "/tmp") {
    layout.volumes.push({ name: VOLUME_NAMES.tmp, emptyDir: sizeLimit === undefined ? {} : { sizeLimit } });
    layout.volumeMounts.push({ name: VOLUME_NAMES.tmp, mountPath: "/tmp" });
  }
  return layout;
}
