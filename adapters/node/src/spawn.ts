import type {
  ChildProcess as NodeChild,
  SpawnOptions as SpawnOptionsWithStdio,
  StdioOptions,
} from "node:child_process";
import path from "node:path";
import { failedChild, toPlatformError } from "@aral/platform";
import type { ChildProcess, ExitStatus, ProcessSignal, SpawnPrimitiveOptions, StdioMode } from "@aral/platform";
import { readableToWeb, writableToWeb } from "./node-streams.ts";
import { onFirstUse } from "./on-first-use.ts";

// node:fs through process.getBuiltinModule: an `import ... from "node:fs"` builds the module's ESM face from every
// export, fs.promises among them, and on Node 24 that loads readline and the stream stack at import (see on-first-use.ts).
const { accessSync, constants } = process.getBuiltinModule("node:fs");

function nodeStdio(mode: StdioMode | undefined, fallback: StdioMode): "pipe" | "inherit" | "ignore" {
  const chosen = mode ?? fallback;
  return chosen === "null" ? "ignore" : chosen;
}

/**
 * With clearEnv and no PATH of its own, the child's environment cannot locate a bare command name;
 * the contract allows looking it up on the parent's PATH instead.
 */
function resolveOnParentPath(command: string): string {
  if (command.includes("/") || command.includes("\\")) return command;
  const extensions = process.platform === "win32" ? (process.env["PATHEXT"] ?? ".EXE;.CMD;.BAT;.COM").split(";") : [""];
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, command + extension);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return command;
}

function childEnv(opts: SpawnPrimitiveOptions): Record<string, string | undefined> {
  return opts.clearEnv ? { ...opts.env } : { ...process.env, ...opts.env };
}

type Spawn = (command: string, args: readonly string[], options: SpawnOptionsWithStdio) => NodeChild;
const childProcess = onFirstUse<{ spawn: Spawn }>("node:child_process");
// cross-spawn exists for Windows (PATHEXT, shebangs, cmd quoting); elsewhere it calls child_process.spawn unchanged
const crossSpawn = onFirstUse<Spawn>("cross-spawn");
const spawnChild: Spawn = (command, args, options) =>
  (process.platform === "win32" ? crossSpawn() : childProcess().spawn)(command, args, options);

export function spawnNode(command: string, args: string[] = [], opts: SpawnPrimitiveOptions = {}): ChildProcess {
  const stdio: StdioOptions = [
    nodeStdio(opts.stdin, "null"),
    nodeStdio(opts.stdout, "pipe"),
    nodeStdio(opts.stderr, "pipe"),
  ];
  const env = childEnv(opts);
  const file = opts.clearEnv && env["PATH"] === undefined ? resolveOnParentPath(command) : command;

  let child: NodeChild;
  try {
    child = spawnChild(file, args, { cwd: opts.cwd, env, stdio, windowsHide: true });
  } catch (error) {
    return failedChild(error, command);
  }
  if (child.pid === undefined) return startFailure(child, command);
  return startedChild(child, command);
}

/** libuv knows synchronously that the start failed; node reports the error on the next tick. */
function startFailure(child: NodeChild, command: string): ChildProcess {
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    stream?.on("error", () => {});
    stream?.destroy();
  }
  const status = new Promise<ExitStatus>((_resolve, reject) => {
    child.once("error", (error) => reject(toPlatformError(error, { syscall: "spawn", path: command })));
  });
  status.catch(() => {}); // the caller may look at status only later
  return { pid: 0, stdin: null, stdout: null, stderr: null, status, kill() {} };
}

function startedChild(child: NodeChild, command: string): ChildProcess {
  let exited = false;
  const status = new Promise<ExitStatus>((resolve, reject) => {
    child.once("exit", (code, signalName) => {
      exited = true;
      resolve({ code: signalName ? null : code, signal: signalName ?? null, success: code === 0 && !signalName });
    });
    // cross-spawn on Windows reports a missing command this way, after the shell started;
    // any other 'error' (a failed kill) must still never crash the process
    child.on("error", (error) => {
      if (String((error as { syscall?: unknown }).syscall ?? "").startsWith("spawn")) {
        exited = true;
        reject(toPlatformError(error, { syscall: "spawn", path: command }));
      }
    });
  });
  status.catch(() => {});

  function kill(name: ProcessSignal = "SIGTERM"): void {
    if (!exited) child.kill(name); // node ignores ESRCH (exited meanwhile)
  }

  return {
    pid: child.pid ?? 0,
    stdin: child.stdin ? writableToWeb(child.stdin, "stdin") : null,
    stdout: child.stdout ? readableToWeb(child.stdout, "stdout") : null,
    stderr: child.stderr ? readableToWeb(child.stderr, "stderr") : null,
    status,
    kill,
  };
}
