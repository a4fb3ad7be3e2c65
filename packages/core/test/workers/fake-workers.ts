import { PlatformError } from "@aral/platform";
import type { RuntimeInfo, WorkerHandle, WorkersApi } from "@aral/platform";
import { PROTOCOL_TAG, serializeError } from "../../src/workers/protocol.ts";
import type { PoolToWorker } from "../../src/workers/protocol.ts";
import { createWorkerHandle } from "@aral/platform";

/** What a fake worker does with a task's data; `worker` lets it crash or stall. */
export type FakeHandler = (data: unknown, worker: FakeWorker) => unknown | Promise<unknown>;

/**
 * One in-process stand-in for a worker thread: it speaks the pool protocol (ready, result, crash)
 * asynchronously, as a real worker does, and lets a test crash or exit it at a chosen moment.
 */
export class FakeWorker {
  readonly index: number;
  readonly name: string;
  readonly module: string;
  readonly received: unknown[] = [];
  terminated = false;
  readonly #controls: ReturnType<typeof createWorkerHandle>;

  constructor(
    index: number,
    name: string,
    module: string,
    handler: FakeHandler,
    behaviour: "ready" | "silent" | "missing",
  ) {
    this.index = index;
    this.name = name;
    this.module = module;
    this.#controls = createWorkerHandle(name, {
      post: (message) => {
        const cloned = structuredClone(message);
        this.received.push(cloned);
        const task = cloned as PoolToWorker;
        if (task.aral !== PROTOCOL_TAG || task.kind !== "task") return;
        setTimeout(() => {
          Promise.resolve()
            .then(() => handler(task.data, this))
            .then(
              (value) => this.send({ aral: PROTOCOL_TAG, kind: "result", id: task.id, ok: true, value }),
              (error: unknown) =>
                this.send({ aral: PROTOCOL_TAG, kind: "result", id: task.id, ok: false, error: serializeError(error) }),
            );
        }, 0);
      },
      terminate: async () => {
        this.terminated = true;
      },
    });
    setTimeout(() => {
      if (behaviour === "ready") this.send({ aral: PROTOCOL_TAG, kind: "ready" });
      if (behaviour === "missing") {
        this.#controls.error(
          new PlatformError("NotFound", `NotFound: worker module '${module}' could not be loaded`, { path: module }),
        );
        this.#controls.exit(1);
      }
    }, 0);
  }

  get handle(): WorkerHandle {
    return this.#controls.handle;
  }

  get exited(): boolean {
    return this.#controls.exited;
  }

  send(message: unknown): void {
    if (!this.terminated) this.#controls.message(structuredClone(message));
  }

  /** Dies as an uncaught error does: the worker's own crash report, the platform's error, then exit 1. */
  crash(message: string, options: { report?: boolean } = {}): void {
    if (options.report !== false)
      this.send({ aral: PROTOCOL_TAG, kind: "crash", error: serializeError(new Error(message)) });
    this.#controls.error(new Error(`Uncaught Error: ${message}`));
    this.#controls.exit(1);
  }

  exit(code: number): void {
    this.#controls.exit(code);
  }
}

export interface FakeWorkersOptions {
  handler?: FakeHandler;
  /** Per spawned worker (by module): "ready" (default), "silent" (never calls defineWorker), "missing". */
  behaviour?: (module: string) => "ready" | "silent" | "missing";
  cpus?: number;
  /** Throw this from spawn() instead of starting a worker. */
  spawnThrows?: Error;
}

/** A platform with only `runtime` and `workers`: all the pool needs. */
export function fakePlatform(options: FakeWorkersOptions = {}) {
  const spawned: FakeWorker[] = [];
  const handler: FakeHandler = options.handler ?? ((data) => data);
  const workers: WorkersApi = {
    spawn(module, opts = {}) {
      if (options.spawnThrows) throw options.spawnThrows;
      const href = module instanceof URL ? module.href : module;
      const worker = new FakeWorker(
        spawned.length + 1,
        opts.name ?? `fake-${spawned.length + 1}`,
        href,
        handler,
        options.behaviour?.(href) ?? "ready",
      );
      spawned.push(worker);
      return worker.handle;
    },
  };
  const runtime: RuntimeInfo = {
    name: "fake",
    version: "0",
    os: "linux",
    arch: "x64",
    cpus: options.cpus ?? 4,
    hostname: "test-host",
  };
  return { platform: { runtime, workers }, spawned, alive: () => spawned.filter((w) => !w.exited) };
}

/** Resolves after pending timers of 0 ms (the fake's message hops) have run. */
export function settle(rounds = 5): Promise<void> {
  let chain = Promise.resolve();
  for (let i = 0; i < rounds; i++) chain = chain.then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  return chain;
}
