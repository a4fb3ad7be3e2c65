export class HealthCheckError extends Error {
  override readonly name = "HealthCheckError";
  constructor(
    message: string,
    /** The check (or option) the problem is about. */
    readonly check: string,
    readonly reason: "duplicate" | "invalid-name" | "invalid-check" | "invalid-option" | "unknown",
  ) {
    super(message);
  }
}
