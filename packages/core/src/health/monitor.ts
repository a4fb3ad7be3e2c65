import { describeValue } from "../config/describe-value.ts";
import { MAX_TIMER_MS, systemClock, type Clock } from "@aral/platform";
import type { Logger } from "../logging/logger.ts";
import { wallTime } from "../logging/wall-time.ts";
import { closest } from "../config/suggest.ts";
import { HealthCheckError } from "./errors.ts";

export type CheckKind = "liveness" | "readiness" | "both";
// void, not undefined: a check written `() => { probe(); }` is typed as returning void and must be accepted
// biome-ignore lint/suspicious/noConfusingVoidType: see above
export type CheckOutcome = boolean | void | { ok: boolean; detail?: unknown };
/** A check passes unless it throws, returns false or { ok: false }, or outlives its timeout. */
export type HealthCheck = (context: { signal: AbortSignal }) => CheckOutcome | Promise<CheckOutcome>;

export interface CheckResult {
  ok: boolean;
  kind: CheckKind;
  durationMs: number;
  error?: string;
  detail?: unknown;
  /** null until the check has run once. */
  lastRun: Date | null;
}

export type HealthStatus = "pass" | "fail" | "warn";

export interface HealthReport {
  /** fail: a liveness check failed; warn: live but not ready (stopping, or readiness failing/pending); pass otherwise. */
  status: HealthStatus;
  live: boolean;
  ready: boolean;
  checks: Record<string, CheckResult>;
  lastCheck: Date | null;
  uptimeMs: number;
  instanceId: string;
}

export interface HealthMonitorOptions {
  /** Milliseconds between the end of one run of the checks and the start of the next. */
  interval: number;
  /** Default per-check timeout in milliseconds. */
  timeout: number;
  clock?: Clock;
  logger?: Logger;
  instanceId?: string;
  /** When the runtime started (epoch ms or Date), for uptime. Default: construction time. */
  startTime?: number | Date;
  /** Called after every run of the checks with what each did (e.g. to record trace spans). Epoch ms. */
  onRound?: (round: HealthRound) => void;
}

export interface HealthRound {
  startedAt: number;
  endedAt: number;
  checks: { name: string; kind: CheckKind; ok: boolean; startedAt: number; durationMs: number; error?: string }[];
}

export interface RegisterOptions {
  kind?: CheckKind;
  timeoutMs?: number;
}

interface Registered {
  check: HealthCheck;
  kind: CheckKind;
  timeoutMs: number;
  result: CheckResult;
  /** The call still running past its timeout: the check is not called again until it settles. */
  hung?: Promise<unknown> | undefined;
}

const MONITOR_OPTION_KEYS: readonly string[] = Object.keys({
  interval: true,
  timeout: true,
  clock: true,
  logger: true,
  instanceId: true,
  startTime: true,
  onRound: true,
} satisfies Record<keyof HealthMonitorOptions, true>);

const REGISTER_OPTION_KEYS: readonly string[] = Object.keys({ kind: true, timeoutMs: true } satisfies Record<
  keyof RegisterOptions,
  true
>);

/** A key of `options` that is not one of `known`: a HealthCheckError naming it (with the closest known key). */
function refuseUnknownKeys(options: object, known: readonly string[], owner: string, check: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new HealthCheckError(
      `${owner}: unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : `; known: ${known.join(", ")}`}`,
      check,
      "invalid-option",
    );
  }
}

/** `record[key] = value` that stays an own property for any key, `__proto__` included. */
export function putOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Named checks run on an interval with a timeout each; liveness and readiness derived from them. */
export class HealthMonitor {
  readonly instanceId: string;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #startTime: number;
  readonly #onRound: ((round: HealthRound) => void) | undefined;
  readonly #checks = new Map<string, Registered>();
  #accepting = true;
  #lastCheck: Date | null = null;
  #running: Promise<void> | undefined;
  #loop: AbortController | undefined;

  constructor(options: HealthMonitorOptions) {
    if (options === null || typeof options !== "object")
      throw new HealthCheckError("HealthMonitor needs options { interval, timeout }", "", "invalid-option");
    refuseUnknownKeys(options, MONITOR_OPTION_KEYS, "HealthMonitor", "");
    this.#interval = positive("interval", options.interval);
    this.#timeout = positive("timeout", options.timeout);
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.instanceId = options.instanceId ?? "";
    const start = options.startTime;
    this.#startTime = start === undefined ? wallTime(this.#clock) : start instanceof Date ? start.getTime() : start;
    this.#onRound = options.onRound;
  }

  register(name: string, check: HealthCheck, options: RegisterOptions = {}): void {
    const { kind, timeoutMs } = validateHealthCheck(name, check, options, this.#timeout);
    if (this.#checks.has(name))
      throw new HealthCheckError(`Health check "${name}" is already registered`, name, "duplicate");
    this.#checks.set(name, { check, kind, timeoutMs, result: { ok: false, kind, durationMs: 0, lastRun: null } });
  }

  /** Removes a check; returns whether it existed. */
  unregister(name: string): boolean {
    return this.#checks.delete(name);
  }

  /** Runs every check now (concurrently). A call while a run is in progress joins that run. */
  runChecks(): Promise<void> {
    this.#running ??= this.#runAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Runs the checks at once, then `interval` ms after each run ends, until stop(). */
  start(): void {
    if (this.#loop) return;
    const loop = new AbortController();
    this.#loop = loop;
    void (async () => {
      while (!loop.signal.aborted) {
        await this.runChecks();
        try {
          await this.#clock.sleep(this.#interval, loop.signal);
        } catch {
          return;
        }
      }
    })();
  }

  /** Stops the schedule (a run in progress finishes on its own). */
  stop(): void {
    this.#loop?.abort();
    this.#loop = undefined;
  }

  get running(): boolean {
    return this.#loop !== undefined;
  }

  /** false as soon as a stop begins: readiness fails at once, liveness is unaffected. */
  setAccepting(accepting: boolean): void {
    if (this.#accepting !== accepting)
      this.#logger?.info(accepting ? "accepting work: ready" : "not accepting work: not ready", { accepting });
    this.#accepting = accepting;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** No liveness check failed its latest run (a check not yet run does not count against it). */
  isLive(): boolean {
    for (const entry of this.#checks.values()) {
      if (entry.kind !== "readiness" && entry.result.lastRun !== null && !entry.result.ok) return false;
    }
    return true;
  }

  /** Accepting work, and every readiness check has run and passed its latest run. */
  isReady(): boolean {
    if (!this.#accepting) return false;
    for (const entry of this.#checks.values()) {
      if (entry.kind !== "liveness" && !entry.result.ok) return false;
    }
    return true;
  }

  /** Every check that has run passed its latest run. */
  isHealthy(): boolean {
    for (const entry of this.#checks.values()) if (entry.result.lastRun !== null && !entry.result.ok) return false;
    return true;
  }

  report(): HealthReport {
    const live = this.isLive();
    const ready = this.isReady();
    const checks: Record<string, CheckResult> = {};
    for (const [name, entry] of this.#checks) putOwn(checks, name, { ...entry.result });
    return {
      status: !live ? "fail" : ready ? "pass" : "warn",
      live,
      ready,
      checks,
      lastCheck: this.#lastCheck,
      uptimeMs: Math.max(0, wallTime(this.#clock) - this.#startTime),
      instanceId: this.instanceId,
    };
  }

  async #runAll(): Promise<void> {
    const startedAt = wallTime(this.#clock);
    const checks = await Promise.all([...this.#checks].map(([name, entry]) => this.#runOne(name, entry)));
    this.#lastCheck = new Date(wallTime(this.#clock));
    if (this.#onRound) {
      try {
        this.#onRound({ startedAt, endedAt: this.#lastCheck.getTime(), checks: checks.filter((c) => c !== undefined) });
      } catch {
        // an observer's failure must not stop the health loop
      }
    }
  }

  async #runOne(name: string, entry: Registered): Promise<HealthRound["checks"][number] | undefined> {
    const startedAt = wallTime(this.#clock);
    const started = this.#clock.now();
    const controller = new AbortController();
    const timeout = new AbortController();
    let outcome: { ok: boolean; error?: string; detail?: unknown };
    if (entry.hung) {
      // A check that ignores its signal is not called again while it runs: one more call per round would pile up.
      outcome = {
        ok: false,
        error: `still running: its call from an earlier run has not settled (timeout ${entry.timeoutMs} ms)`,
      };
    } else
      try {
        const timedOut = this.#clock.sleep(entry.timeoutMs, timeout.signal).then(
          () => {
            controller.abort(new Error(`timed out after ${entry.timeoutMs} ms`));
            return { ok: false, error: `timed out after ${entry.timeoutMs} ms` };
          },
          () => new Promise<never>(() => {}), // cancelled because the check settled first
        );
        const checked = (async () => interpret(await entry.check({ signal: controller.signal })))();
        checked.catch(() => {}); // a check that fails after its timeout must not surface as unhandled
        outcome = await Promise.race([checked, timedOut]);
        if (controller.signal.aborted) {
          const hung = checked.then(
            () => {},
            () => {},
          );
          entry.hung = hung;
          void hung.then(() => {
            if (entry.hung === hung) entry.hung = undefined;
          });
        }
      } catch (error) {
        outcome = { ok: false, error: describe(error) };
      } finally {
        timeout.abort();
      }
    const previous = entry.result;
    if (this.#checks.get(name) !== entry) return undefined; // unregistered meanwhile
    entry.result = {
      ok: outcome.ok,
      kind: entry.kind,
      durationMs: Math.max(0, this.#clock.now() - started),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
      lastRun: new Date(wallTime(this.#clock)),
    };
    if (previous.lastRun === null ? !outcome.ok : previous.ok !== outcome.ok) {
      if (outcome.ok) this.#logger?.info("health check passing", { check: name, kind: entry.kind });
      else this.#logger?.warn("health check failing", { check: name, kind: entry.kind, error: outcome.error });
    }
    const { ok, durationMs, error } = entry.result;
    return { name, kind: entry.kind, ok, startedAt, durationMs, ...(error === undefined ? {} : { error }) };
  }
}

function interpret(outcome: CheckOutcome): { ok: boolean; error?: string; detail?: unknown } {
  if (outcome === undefined || outcome === true) return { ok: true };
  if (outcome === false) return { ok: false, error: "check returned false" };
  if (outcome !== null && typeof outcome === "object" && typeof outcome.ok === "boolean") {
    return outcome.ok
      ? { ok: true, detail: outcome.detail }
      : {
          ok: false,
          error: typeof outcome.detail === "string" ? outcome.detail : "check returned ok: false",
          detail: outcome.detail,
        };
  }
  return {
    ok: false,
    error: `check returned an unexpected value (${outcome === null ? "null" : typeof outcome}); expected boolean, undefined or { ok }`,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  try {
    return String(error);
  } catch {
    return "unknown error";
  }
}

function positive(what: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new HealthCheckError(
      `HealthMonitor: ${what} must be a finite number of milliseconds > 0 and at most ${MAX_TIMER_MS}, got ${describeValue(value)}`,
      what,
      "invalid-option",
    );
  }
  return value;
}

/** Checks one registration's arguments (name, check, options) as register() and addHealthCheck() take them. */
export function validateHealthCheck(
  name: unknown,
  check: unknown,
  options: unknown,
  defaultTimeoutMs: number,
): { kind: CheckKind; timeoutMs: number } {
  if (options === null || typeof options !== "object")
    throw new HealthCheckError(
      `Health check ${describeValue(name)}: options must be an object, got ${describeValue(options)}`,
      String(name),
      "invalid-option",
    );
  refuseUnknownKeys(options, REGISTER_OPTION_KEYS, `Health check ${describeValue(name)}`, String(name));
  const { kind = "both", timeoutMs: requested } = options as RegisterOptions;
  if (typeof name !== "string" || name.trim() === "") {
    throw new HealthCheckError(
      `Health check name must be a non-empty string, got ${describeValue(name)}`,
      String(name),
      "invalid-name",
    );
  }
  if (typeof check !== "function")
    throw new HealthCheckError(`Health check "${name}" must be a function, got ${typeof check}`, name, "invalid-check");
  if (!["liveness", "readiness", "both"].includes(kind)) {
    throw new HealthCheckError(
      `Health check "${name}": kind must be "liveness", "readiness" or "both", got ${describeValue(kind)}`,
      name,
      "invalid-option",
    );
  }
  const timeoutMs = requested === undefined ? defaultTimeoutMs : positive(`timeoutMs of "${name}"`, requested);
  return { kind, timeoutMs };
}
