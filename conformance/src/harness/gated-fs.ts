/**
 * A file system with gates, for races run in one fixed interleaving: hold a call of the first operation at a gate
 * (before it runs, or right after), let the second run until it settles or is stuck (no fs call in flight once
 * pending callbacks and microtasks have run: it waits on a lock or a gate), then open the gate.
 *
 * Shared by the storage conformance case and core's storage race tests (packages/core/test/resources): it imports
 * only types (@aral/platform's DirHandle, core's StorageFs), so core's tests importing it pull in nothing of the suite.
 */
import type { DirHandle } from "@aral/platform";
import type { StorageFs } from "@aral/core/resources";

/** The calls a gated fs wraps: the ones confined storage makes. */
export type GatedFsCalls = StorageFs;

export interface GatedCall {
  readonly op: string;
  /** The first argument as a string (the path, for every wrapped call). */
  readonly path: string;
  readonly args: readonly unknown[];
}

export interface Gate {
  /** Resolves once the gated call is reached (and, for "after", has run). */
  readonly reached: Promise<void>;
  open(): void;
}

export interface GatedFs<F> {
  /** `fs` with every GatedFsCalls method wrapped; its other methods as they were. */
  readonly fs: F;
  /** Holds the next call matching `match` before (or right after) it runs, until open(). */
  hold(match: (call: GatedCall) => boolean, when?: "before" | "after"): Gate;
  /**
   * Resolves when `op` has settled or can make no progress on its own: no fs call in flight once the pending
   * callbacks and microtasks have run. A check of quiescence, not a delay.
   */
  settledOrStuck(op: Promise<unknown>): Promise<void>;
}

/** `hooks.before` runs just before each wrapped call (after its gate), e.g. to change the disk under it. */
export function gatedFs<F extends GatedFsCalls>(
  fs: F,
  hooks: { before?: (call: GatedCall) => Promise<void> } = {},
): GatedFs<F> {
  let inFlight = 0;
  const gates: { match: (call: GatedCall) => boolean; after: boolean; reached: () => void; opened: Promise<void> }[] =
    [];
  const counted = async <T>(run: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await run();
    } finally {
      inFlight--;
    }
  };
  const wrap =
    <A extends unknown[], R>(op: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const call: GatedCall = { op, path: String(args[0]), args };
      const index = gates.findIndex((g) => g.match(call));
      const gate = index >= 0 ? gates.splice(index, 1)[0] : undefined;
      if (gate && !gate.after) {
        gate.reached();
        await gate.opened;
      }
      const result = await counted(async () => {
        await hooks.before?.(call);
        return fn(...args);
      });
      if (gate?.after) {
        gate.reached();
        await gate.opened;
      }
      return result;
    };
  const wrapped: GatedFsCalls = {
    readFile: wrap("readFile", fs.readFile.bind(fs)),
    writeFile: wrap("writeFile", fs.writeFile.bind(fs)),
    stat: wrap("stat", fs.stat.bind(fs)),
    lstat: wrap("lstat", fs.lstat.bind(fs)),
    exists: wrap("exists", fs.exists.bind(fs)),
    mkdir: wrap("mkdir", fs.mkdir.bind(fs)),
    readDir: wrap("readDir", fs.readDir.bind(fs)),
    remove: wrap("remove", fs.remove.bind(fs)),
    rename: wrap("rename", fs.rename.bind(fs)),
    realPath: wrap("realPath", fs.realPath.bind(fs)),
    diskUsage: wrap("diskUsage", fs.diskUsage.bind(fs)),
    // A handle's close() is a call in flight too.
    openDir: wrap("openDir", async (path: string): Promise<DirHandle> => {
      const h = await fs.openDir(path);
      return { path: h.path, realPath: h.realPath, pinned: h.pinned, id: h.id, close: () => counted(() => h.close()) };
    }),
  };
  return {
    fs: { ...fs, ...wrapped },
    hold(match, when = "before") {
      let reached!: () => void;
      let open!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const opened = new Promise<void>((resolve) => (open = resolve));
      gates.push({ match, after: when === "after", reached, opened });
      return { reached: reachedPromise, open };
    },
    async settledOrStuck(op) {
      let settled = false;
      op.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (settled || inFlight === 0) return;
      }
    },
  };
}
