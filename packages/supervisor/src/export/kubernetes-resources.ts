import type { RuntimeConfig } from "@aral/core";
import type { Notes } from "./notes.ts";
import { kubernetesBytes, kubernetesCpu } from "./quantities.ts";

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/**
 * `resources.requests`/`limits` of the container, converted exactly: cpu in Kubernetes' canonical form
 * ("2000m" -> "2"), memory as written ("512Mi"), `ephemeral-storage` limit from `storage.maxSize`.
 */
export function containerResources(config: RuntimeConfig, notes: Notes): ResourceRequirements {
  const { cpu, memory, storage } = config.resources;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const cpuQuantity = (path: string, value: string | number): string => {
    const { quantity, exact } = kubernetesCpu(value);
    if (!exact)
      notes.approximated(
        path,
        `${JSON.stringify(value)} is finer than Kubernetes' 1m CPU precision; emitted "${quantity}"`,
      );
    return quantity;
  };
  const byteQuantity = (path: string, value: string | number): string => {
    const { quantity, exact } = kubernetesBytes(value);
    if (!exact)
      notes.approximated(
        path,
        `${JSON.stringify(value)} is not a whole number of bytes; emitted "${quantity}" (rounded up)`,
      );
    return quantity;
  };
  if (cpu.request !== undefined) requests["cpu"] = cpuQuantity("resources.cpu.request", cpu.request);
  if (cpu.limit !== undefined) limits["cpu"] = cpuQuantity("resources.cpu.limit", cpu.limit);
  if (memory.request !== undefined) requests["memory"] = byteQuantity("resources.memory.request", memory.request);
  if (memory.limit !== undefined) limits["memory"] = byteQuantity("resources.memory.limit", memory.limit);
  if (storage.maxSize !== undefined)
    limits["ephemeral-storage"] = byteQuantity("resources.storage.maxSize", storage.maxSize);
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}
