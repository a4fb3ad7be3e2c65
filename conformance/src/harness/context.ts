import type { ChildProcess, Platform, SpawnOptions } from "@aral/platform";
import type { ConformanceContext } from "./case.ts";
import { adapterImportSpecifier, fixtureCommand } from "./fixture-command.ts";

/** Thrown by ctx.skip(); the runner reports the case as skipped. */
export class SkipSignal extends Error {
  override readonly name = "SkipSignal";
}

export interface CaseScope {
  context: ConformanceContext;
  /** Runs every cleanup (last registered first); never throws, returns the cleanup failures. */
  cleanup(): Promise<string[]>;
}

const CHILD_EXIT_GRACE_MS = 3000;

export function createCaseScope(platform: Platform, adapter: string): CaseScope {
  const cleanups: (() => unknown)[] = [];
  const defer = (cleanup: () => unknown) => {
    cleanups.push(cleanup);
  };
  const context: ConformanceContext = {
    platform,
    adapter,
    defer,
    async tempDir() {
      const dir = await platform.fs.makeTempDir({ prefix: "aral-conformance-" });
      defer(() => platform.fs.remove(dir, { recursive: true }));
      return dir;
    },
    spawnFixture(name: string, args: string[] = [], opts?: SpawnOptions): ChildProcess {
      const { command, args: runtimeArgs } = fixtureCommand(platform, name);
      const child = platform.process.spawn(command, [...runtimeArgs, adapterImportSpecifier(adapter), ...args], opts);
      defer(async () => {
        child.kill("SIGKILL");
        await Promise.race([
          child.status.catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, CHILD_EXIT_GRACE_MS)),
        ]);
      });
      return child;
    },
    skip(reason: string): never {
      throw new SkipSignal(reason);
    },
  };
  return {
    context,
    async cleanup() {
      const failures: string[] = [];
      while (cleanups.length > 0) {
        const cleanup = cleanups.pop()!;
        try {
          await cleanup();
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      return failures;
    },
  };
}
