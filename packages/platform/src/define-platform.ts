import type { EnvApi, Platform, RuntimeInfo, SignalsApi, UsageApi, WorkersApi } from "./contract.ts";
import { deriveFileSystem } from "./derive-fs.ts";
import type { FileSystemPrimitives } from "./derive-fs.ts";
import { deriveNet } from "./derive-serve.ts";
import type { NetPrimitives } from "./derive-serve.ts";
import { deriveProcess } from "./derive-spawn.ts";
import type { ProcessPrimitives } from "./derive-spawn.ts";
import { guardPlatform } from "./guard.ts";

/** What an adapter maps onto its runtime; definePlatform derives the rest of the contract. */
export interface PlatformPrimitives {
  runtime: RuntimeInfo;
  /** Everything but exists() and readTextFile() (derived from stat and readFile). */
  fs: FileSystemPrimitives;
  /** spawn() is handed no abort signal (abort -> SIGTERM is derived, so is the missing-cwd diagnosis). */
  process: ProcessPrimitives;
  env: EnvApi;
  signals: SignalsApi;
  /** serve() gets a handler that always answers with a Response, no abort signal, and returns no URL. */
  net: NetPrimitives;
  usage: UsageApi;
  /** workersOnThreads() on node:worker_threads, or the runtime's own Web Workers. */
  workers?: WorkersApi;
}

/**
 * An adapter's createPlatform() returns `definePlatform({...})`: it maps the runtime, and gets once,
 * the same on every runtime, what follows from the mapping - exists/readTextFile, abort -> kill, the
 * missing-cwd diagnosis, one 500 for a failing handler, the server URL, abort -> close - and the
 * argument checks of guardPlatform. Members beyond the contract are kept as they are.
 */
export function definePlatform(primitives: PlatformPrimitives): Platform {
  const fs = deriveFileSystem(primitives.fs);
  const platform = Object.defineProperties({}, Object.getOwnPropertyDescriptors(primitives)) as Platform;
  Object.assign(platform, {
    fs,
    process: deriveProcess(primitives.process, (path) => fs.stat(path)),
    net: deriveNet(primitives.net),
  });
  return guardPlatform(platform);
}
