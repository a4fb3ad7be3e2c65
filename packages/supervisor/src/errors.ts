/** A bad option given to the supervisor, runtimeCommand or childEnvironment; `option` names it. */
export class SupervisorConfigError extends Error {
  override readonly name = "SupervisorConfigError";
  /** The option that was wrong, e.g. "restart.maxRestarts". */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/** The child kept crashing: more than `maxRestarts` restarts would have been needed within `windowMs`. */
export class CrashLoopError extends Error {
  override readonly name = "CrashLoopError";
  /** Restarts already made within the window when the loop was stopped. */
  readonly restartsInWindow: number;
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** How the last run ended. */
  readonly lastExit: { readonly code: number | null; readonly signal: string | null };

  constructor(details: {
    restartsInWindow: number;
    maxRestarts: number;
    windowMs: number;
    lastExit: { code: number | null; signal: string | null };
  }) {
    const how = details.lastExit.signal ? `signal ${details.lastExit.signal}` : `code ${details.lastExit.code}`;
    super(
      `crash loop: the child exited (${how}) after ${details.restartsInWindow} restart(s) within ${details.windowMs} ms; ` +
        `maxRestarts is ${details.maxRestarts}, so it is not restarted again`,
    );
    this.restartsInWindow = details.restartsInWindow;
    this.maxRestarts = details.maxRestarts;
    this.windowMs = details.windowMs;
    this.lastExit = { code: details.lastExit.code, signal: details.lastExit.signal };
  }
}

/** A supervisor method called in a state that does not allow it (start() twice, for instance). */
export class SupervisorStateError extends Error {
  override readonly name = "SupervisorStateError";
  readonly state: string;

  constructor(state: string, message: string) {
    super(message);
    this.state = state;
  }
}
