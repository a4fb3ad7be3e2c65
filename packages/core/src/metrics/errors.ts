export class MetricsError extends Error {
  override readonly name = "MetricsError";
  constructor(
    message: string,
    /** The metric (or label) name the problem is about. */
    readonly metric: string,
  ) {
    super(message);
  }
}
