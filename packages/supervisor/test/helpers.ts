import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Platform } from "@aral/platform";
import { Supervisor } from "../src/supervisor.ts";
import type { OutputLine, SupervisorLogger, SupervisorOptions } from "../src/options.ts";
import type { SupervisorEventName, SupervisorEvents } from "../src/events.ts";

const adapter = await import("../../../adapters/node/src/index.ts");
export const platform: Platform = adapter.createPlatform();

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Linux: a pid that has been reaped has no /proc entry. */
export function processGone(pid: number): boolean {
  return !existsSync(`/proc/${pid}`);
}

export const quietLogger: SupervisorLogger & { warnings: string[]; errors: string[] } = Object.assign(
  { warnings: [] as string[], errors: [] as string[] },
  {
    info() {},
    warn(message: string) {
      quietLogger.warnings.push(message);
    },
    error(message: string) {
      quietLogger.errors.push(message);
    },
  },
);

export interface Recorded {
  supervisor: Supervisor;
  lines: OutputLine[];
  events: { name: SupervisorEventName; at: number; payload: unknown }[];
  of<E extends SupervisorEventName>(name: E): SupervisorEvents[E][];
  /** Resolves once the child printed a line containing `text`. */
  printed(text: string, timeoutMs?: number): Promise<void>;
}

const EVENTS: SupervisorEventName[] = [
  "started",
  "exited",
  "restarting",
  "crash-loop",
  "escalated",
  "memory-exceeded",
  "oom-killed",
  "usage",
  "enforcement",
];

/** A Supervisor running `node <fixture>` with small timeouts, every event and output line recorded. */
export function supervise(fixtureName: string, overrides: Partial<SupervisorOptions> = {}): Recorded {
  const lines: OutputLine[] = [];
  const waiters: { text: string; resolve(): void }[] = [];
  const supervisor = new Supervisor(platform, {
    command: process.execPath,
    args: [fixture(fixtureName)],
    env: { PATH: process.env["PATH"] ?? "" },
    runtime: "node",
    restart: { maxRestarts: 3, windowMs: 10_000, backoffMs: 50, maxBackoffMs: 1_000 },
    shutdownTimeoutMs: 2_000,
    logger: quietLogger,
    onOutput(line) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => line.line.includes(w.text))) waiter.resolve();
    },
    ...overrides,
  });
  const events: Recorded["events"] = [];
  for (const name of EVENTS) supervisor.on(name, (payload) => events.push({ name, at: performance.now(), payload }));
  return {
    supervisor,
    lines,
    events,
    of: <E extends SupervisorEventName>(name: E) =>
      events.filter((e) => e.name === name).map((e) => e.payload as SupervisorEvents[E]),
    printed: (text, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        if (lines.some((l) => l.line.includes(text))) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`the child did not print ${JSON.stringify(text)} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
  };
}
