export class MetricsError extends Error {
  override readonly name = "MetricsError";
  /** The metric (or label) name the problem is about. */
  readonly metric: string;
  constructor(message: string, metric: string) {
    super(message);
    this.metric = metric;
  }
}

/** Metrics export "global" was asked for, but @opentelemetry/api (the optional peer dependency) cannot be loaded. */
export class MetricsUnavailableError extends Error {
  override readonly name = "MetricsUnavailableError";
}
