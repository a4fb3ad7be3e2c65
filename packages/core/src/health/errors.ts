export type HealthCheckErrorReason = "duplicate" | "invalid-name" | "invalid-check" | "invalid-option";

export class HealthCheckError extends Error {
  override readonly name = "HealthCheckError";
  /** The check (or option) the problem is about. */
  readonly check: string;
  readonly reason: HealthCheckErrorReason;
  constructor(message: string, check: string, reason: HealthCheckErrorReason) {
    super(message);
    this.check = check;
    this.reason = reason;
  }
}
