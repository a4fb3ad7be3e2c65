import { describeValue } from "../config/describe-value.ts";
import { TaskQueueConfigError } from "./errors.ts";
import type { PriorityName } from "./types.ts";

/** Named priorities; any finite number is allowed too (higher runs first). */
export const PRIORITY_LEVELS: Readonly<Record<PriorityName, number>> = Object.freeze({
  critical: 30,
  high: 20,
  normal: 0,
  low: -10,
});

export function resolvePriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (typeof priority === "number" && Number.isFinite(priority)) return priority;
  if (typeof priority === "string" && Object.hasOwn(PRIORITY_LEVELS, priority)) {
    return PRIORITY_LEVELS[priority as PriorityName];
  }
  throw new TaskQueueConfigError(
    "priority",
    `priority must be a finite number or one of "critical", "high", "normal", "low", got ${describeValue(priority)}`,
  );
}
