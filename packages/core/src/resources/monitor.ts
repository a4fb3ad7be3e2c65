import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import type { CpuUsage, DiskUsage, MemoryUsage } from "@aral/platform";
import { ResourceDegradedError } from "./errors.ts";
import type { FallbackPolicy, ResolvedResources } from "./config.ts";

/** What the runtime does while degraded: refuse new work, shed low-priority tasks, or ask for a restart. */
export type { FallbackPolicy } from "./config.ts";

export type DegradedReason = "memory" | "cpu" | "disk";

/** Where samples come from: the Platform's usage and fs.diskUsage, or scripted sources in tests. */
export interface UsageSource {
  usage: { memory(): MemoryUsage; cpu(): CpuUsage };
  fs?: { diskUsage(path: string): Promise<DiskUsage> };
  runtime?: { cpus?: number };
}

export interface MonitorThresholds {
  /** Fraction of the memory limit that degrades the runtime. Default 0.9. */
  memory?: number;
  /** Fraction of the CPU limit that degrades (and, with throttling, throttles). Default 1.0 here; the manifest's is 0.9. */
  cpu?: number;
  /** Fraction of a storage root's disk in use that warns and degrades. Default 0.9. */
  disk?: number;
}

export interface ResourceMonitorOptions {
  /** Bytes; no memory threshold when absent. */
  memoryLimit?: number;
  /** Which memory figure counts against the limit. Default "rss". */
  memoryMetric?: "rss" | "heapUsed";
  /** Cores; no CPU threshold when absent. */
  cpuLimit?: number;
  /** CPU over its threshold throttles admission (the manifest's `cpu.throttling: enabled`). */
  throttling?: boolean;
  /** Directories whose disk is watched (the storage roots). */
  storageRoots?: readonly string[];
  thresholds?: MonitorThresholds;
  /** Bytes written against `storage.maxSize` (e.g. from Storage.usage()); counts toward the disk threshold. */
  storageQuota?: () => { total: number; maxSize: number | null };
  /** A reason clears only once usage is this fraction below its threshold. Default 0.05. */
  hysteresis?: number;
  fallback?: FallbackPolicy;
  /** Sampling period. Default 5000 ms. */
  intervalMs?: number;
  clock?: Clock;
}

export interface ResourceSample {
  readonly at: number;
  readonly memory: MemoryUsage & {
    readonly used: number;
    readonly limit: number | null;
    readonly ratio: number | null;
  };
  /** `percent`: share of the whole machine (cpu-time delta / wall delta / cores * 100); `cores`: cores busy. */
  readonly cpu: {
    readonly percent: number;
    readonly cores: number;
    readonly limit: number | null;
    readonly ratio: number | null;
  };
  readonly disk: readonly {
    readonly root: string;
    readonly total: number;
    readonly available: number;
    readonly usedRatio: number;
  }[];
  /** Bytes written against storage.maxSize, when a storageQuota source is given. */
  readonly quota?: { readonly used: number; readonly maxSize: number | null; readonly ratio: number | null };
}

export type MonitorEvent =
  | { readonly type: "sample"; readonly sample: ResourceSample }
  | {
      readonly type: "degraded";
      readonly reasons: readonly DegradedReason[];
      readonly policy: FallbackPolicy;
      readonly sample: ResourceSample;
    }
  | { readonly type: "recovered"; readonly sample: ResourceSample }
  | { readonly type: "restart-requested"; readonly reasons: readonly DegradedReason[] }
  | { readonly type: "throttled"; readonly sample: ResourceSample }
  | { readonly type: "unthrottled"; readonly sample: ResourceSample }
  | { readonly type: "disk-warning"; readonly root: string; readonly usedRatio: number }
  /** A sample failed; with `root`, only that storage root's disk usage (the rest of the sample went on). */
  | { readonly type: "error"; readonly error: unknown; readonly root?: string };

export type MonitorEventListener = (event: MonitorEvent) => void;

interface AdmissionWaiter {
  resolve(): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const DEFAULT_THRESHOLDS: Required<MonitorThresholds> = { memory: 0.9, cpu: 1.0, disk: 0.9 };

/**
 * Samples real usage every `intervalMs`, puts the runtime into a degraded state past a threshold (leaving
 * it with hysteresis), and throttles admission while CPU is over its threshold. Nothing runs after stop().
 */
export class ResourceMonitor {
  readonly policy: FallbackPolicy;
  readonly #source: UsageSource;
  readonly #options: ResourceMonitorOptions;
  readonly #thresholds: Required<MonitorThresholds>;
  readonly #hysteresis: number;
  readonly #clock: Clock;
  readonly #cores: number;
  readonly #listeners = new Set<MonitorEventListener>();
  readonly #reasons = new Set<DegradedReason>();
  readonly #warnedRoots = new Set<string>();
  #throttled = false;
  #waiters: AdmissionWaiter[] = [];
  #previous: { at: number; cpuMicros: number } | null = null;
  #last: ResourceSample | null = null;
  /** Storage roots whose disk usage could not be read at the last sample (each reported once, until it reads again). */
  readonly #unreadableRoots = new Set<string>();
  #loop: { controller: AbortController; done: Promise<void> } | null = null;

  constructor(source: UsageSource, options: ResourceMonitorOptions = {}) {
    this.#source = source;
    this.#options = options;
    this.policy = options.fallback ?? "reject";
    this.#thresholds = { ...DEFAULT_THRESHOLDS, ...definedOnly(options.thresholds ?? {}) };
    this.#hysteresis = options.hysteresis ?? 0.05;
    this.#clock = options.clock ?? systemClock;
    this.#cores = Math.max(1, source.runtime?.cpus ?? 1);
    for (const [name, value] of Object.entries(this.#thresholds)) {
      if (!(typeof value === "number" && value > 0 && Number.isFinite(value)))
        throw new RangeError(`monitor threshold ${name} must be a positive number, got ${String(value)}`);
    }
    if (!(this.#hysteresis >= 0 && this.#hysteresis < 1))
      throw new RangeError(`monitor hysteresis must be in [0, 1), got ${this.#hysteresis}`);
    const interval = options.intervalMs ?? 5000;
    if (!(interval > 0 && Number.isFinite(interval)))
      throw new RangeError(`monitor intervalMs must be a positive number, got ${interval}`);
    if (!["reject", "shed", "restart"].includes(this.policy))
      throw new RangeError(
        `monitor fallback must be "reject", "shed" or "restart", got ${JSON.stringify(this.policy)}`,
      );
  }

  get degraded(): boolean {
    return this.#reasons.size > 0;
  }

  get reasons(): readonly DegradedReason[] {
    return [...this.#reasons];
  }

  get throttled(): boolean {
    return this.#throttled;
  }

  get running(): boolean {
    return this.#loop !== null;
  }

  get lastSample(): ResourceSample | null {
    return this.#last;
  }

  /** Subscribes to samples and state changes. Returns unsubscribe. */
  onEvent(listener: MonitorEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Admission of new work: rejects with ResourceDegradedError while degraded under the "reject" policy, waits
   * while CPU is throttled, otherwise resolves at once.
   */
  admit(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.degraded && this.policy === "reject") return Promise.reject(new ResourceDegradedError(this.reasons));
    if (!this.#throttled) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: AdmissionWaiter = { resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /** Starts periodic sampling (first sample at once). Calling it while running does nothing. */
  start(): void {
    if (this.#loop) return;
    const controller = new AbortController();
    const interval = this.#options.intervalMs ?? 5000;
    const run = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          await this.sample();
        } catch (error) {
          this.#emit({ type: "error", error });
        }
        try {
          await this.#clock.sleep(interval, controller.signal);
        } catch {
          return;
        }
      }
    };
    this.#loop = { controller, done: run() };
  }

  /**
   * Stops sampling and waits for the loop to end; waiters for admission are let through (also when the
   * throttle came from sample() calls on a monitor that was never started).
   */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (loop) {
      this.#loop = null;
      loop.controller.abort();
      await loop.done;
    }
    this.#setThrottled(false, this.#last);
  }

  /** Takes one sample now and updates the degraded and throttled states from it. */
  async sample(): Promise<ResourceSample> {
    const sample = await this.#measure();
    this.#last = sample;
    this.#emit({ type: "sample", sample });
    this.#evaluate(sample);
    return sample;
  }

  async #measure(): Promise<ResourceSample> {
    const at = this.#clock.now();
    const memory = this.#source.usage.memory();
    const cpuTime = this.#source.usage.cpu();
    const cpuMicros = cpuTime.userMicros + cpuTime.systemMicros;
    let cores = 0;
    if (this.#previous && at > this.#previous.at) {
      cores = Math.max(0, (cpuMicros - this.#previous.cpuMicros) / 1000 / (at - this.#previous.at));
    }
    this.#previous = { at, cpuMicros };
    const used = this.#options.memoryMetric === "heapUsed" ? memory.heapUsed : memory.rss;
    const memoryLimit = this.#options.memoryLimit ?? null;
    const cpuLimit = this.#options.cpuLimit ?? null;
    const disk: { root: string; total: number; available: number; usedRatio: number }[] = [];
    if (this.#source.fs) {
      for (const root of this.#options.storageRoots ?? []) {
        let d: DiskUsage;
        try {
          d = await this.#source.fs.diskUsage(root);
        } catch (error) {
          // One unreadable root (gone, or Deno without --allow-sys=statfs) must not stop memory and CPU enforcement.
          if (!this.#unreadableRoots.has(root)) this.#emit({ type: "error", error, root });
          this.#unreadableRoots.add(root);
          continue;
        }
        this.#unreadableRoots.delete(root);
        disk.push({
          root,
          total: d.total,
          available: d.available,
          usedRatio: d.total > 0 ? 1 - d.available / d.total : 0,
        });
      }
    }
    const q = this.#options.storageQuota?.();
    return {
      at,
      ...(q ? { quota: { used: q.total, maxSize: q.maxSize, ratio: q.maxSize ? q.total / q.maxSize : null } } : {}),
      memory: { ...memory, used, limit: memoryLimit, ratio: memoryLimit ? used / memoryLimit : null },
      cpu: { percent: (cores / this.#cores) * 100, cores, limit: cpuLimit, ratio: cpuLimit ? cores / cpuLimit : null },
      disk,
    };
  }

  #evaluate(sample: ResourceSample): void {
    const wasDegraded = this.degraded;
    const previousReasons = this.reasons;
    this.#update("memory", sample.memory.ratio, this.#thresholds.memory);
    this.#update("cpu", sample.cpu.ratio, this.#thresholds.cpu);
    const ratios = sample.disk.map((d) => d.usedRatio);
    if (sample.quota?.ratio != null) ratios.push(sample.quota.ratio);
    const diskRatio = ratios.length ? Math.max(...ratios) : null;
    this.#update("disk", diskRatio, this.#thresholds.disk);
    for (const d of sample.disk) {
      if (d.usedRatio >= this.#thresholds.disk && !this.#warnedRoots.has(d.root)) {
        this.#warnedRoots.add(d.root);
        this.#emit({ type: "disk-warning", root: d.root, usedRatio: d.usedRatio });
      } else if (d.usedRatio < this.#thresholds.disk - this.#hysteresis) {
        this.#warnedRoots.delete(d.root);
      }
    }
    const reasons = this.reasons;
    if (this.degraded && (!wasDegraded || reasons.some((r) => !previousReasons.includes(r)))) {
      this.#emit({ type: "degraded", reasons, policy: this.policy, sample });
      if (this.policy === "restart") this.#emit({ type: "restart-requested", reasons });
    } else if (!this.degraded && wasDegraded) {
      this.#emit({ type: "recovered", sample });
    }
    if (this.#options.throttling && sample.cpu.ratio !== null) {
      if (sample.cpu.ratio >= this.#thresholds.cpu) this.#setThrottled(true, sample);
      else if (sample.cpu.ratio < this.#thresholds.cpu - this.#hysteresis) this.#setThrottled(false, sample);
    }
  }

  #update(reason: DegradedReason, ratio: number | null, threshold: number): void {
    if (ratio === null) {
      this.#reasons.delete(reason);
    } else if (ratio >= threshold) {
      this.#reasons.add(reason);
    } else if (ratio < threshold - this.#hysteresis) {
      this.#reasons.delete(reason);
    }
  }

  #setThrottled(throttled: boolean, sample: ResourceSample | null): void {
    if (this.#throttled === throttled) return;
    this.#throttled = throttled;
    if (sample) this.#emit(throttled ? { type: "throttled", sample } : { type: "unthrottled", sample });
    if (!throttled) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) {
        if (w.onAbort) w.signal?.removeEventListener("abort", w.onAbort);
        w.resolve();
      }
    }
  }

  #emit(event: MonitorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // Listeners are observers; their failures must not stop sampling.
      }
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A monitor configured from the resolved manifest section: memory and CPU limits, throttling, the storage roots,
 * `monitor.interval/thresholds/hysteresis` and `fallback`. Explicit options win over the manifest.
 */
export function createResourceMonitor(
  source: UsageSource,
  resources: ResolvedResources,
  options: ResourceMonitorOptions = {},
): ResourceMonitor {
  const roots = [resources.storage.persistent, resources.storage.ephemeral].filter(
    (r): r is string => typeof r === "string",
  );
  return new ResourceMonitor(source, {
    memoryLimit: resources.memory.limit,
    cpuLimit: resources.cpu.limit,
    throttling: resources.cpu.throttling,
    storageRoots: roots,
    intervalMs: resources.monitor.interval,
    hysteresis: resources.monitor.hysteresis,
    fallback: resources.fallback,
    ...options,
    thresholds: { ...resources.monitor.thresholds, ...options.thresholds },
  });
}
