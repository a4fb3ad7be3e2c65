import type { ChildProcess as NodeChild, SpawnOptions as SpawnOptionsWithStdio, StdioOptions } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { onFirstUse } from "./on-first-use.ts";
import { PlatformError, failedChild, toPlatformError } from "@aral/core";
import type { ChildProcess, ExitStatus, ProcessSignal, SpawnOptions, StdioMode } from "@aral/core";
import { readableToWeb, writableToWeb } from "./node-streams.ts";

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

function childEnv(opts: SpawnOptions): Record<string, string | undefined> {
  return opts.clearEnv ? { ...opts.env } : { ...process.env, ...opts.env };
}

/** A start failure names the real culprit: a missing cwd also surfaces as ENOENT. */
function startError(error: unknown, command: string, cwd: string | undefined): PlatformError {
  if ((error as { code?: string }).code === "ENOENT" && cwd !== undefined && !existsSync(cwd)) {
    return new PlatformError("NotFound", `NotFound: spawn '${command}' failed: working directory '${cwd}' does not exist`, {
      syscall: "spawn",
      path: cwd,
      cause: error,
    });
  }
  return toPlatformError(error, { syscall: "spawn", path: command });
}

type Spawn = (command: string, args: readonly string[], options: SpawnOptionsWithStdio) => NodeChild;
const childProcess = onFirstUse<{ spawn: Spawn }>("node:child_process");
// cross-spawn exists for Windows (PATHEXT, shebangs, cmd quoting); elsewhere it calls child_process.spawn unchanged
const crossSpawn = onFirstUse<Spawn>("cross-spawn");
const spawnChild: Spawn = (command, args, options) => (process.platform === "win32" ? crossSpawn() : childProcess().spawn)(command, args, options);

export function spawnNode(command: string, args: string[] = [], opts: SpawnOptions = {}): ChildProcess {
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
    return failedChild(startError(error, command, opts.cwd), command);
  }
  if (child.pid === undefined) return startFailure(child, command, opts.cwd);
  return startedChild(child, command, opts.signal);
}

/** libuv knows synchronously that the start failed; node reports the error on the next tick. */
function startFailure(child: NodeChild, command: string, cwd: string | undefined): ChildProcess {
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    stream?.on("error", () => {});
    stream?.destroy();
  }
  const status = new Promise<ExitStatus>((_resolve, reject) => {
    child.once("error", (error) => reject(startError(error, command, cwd)));
  });
  status.catch(() => {}); // the caller may look at status only later
  return { pid: 0, stdin: null, stdout: null, stderr: null, status, kill() {} };
}

function startedChild(child: NodeChild, command: string, signal: AbortSignal | undefined): ChildProcess {
  let exited = false;
  const abort = () => kill("SIGTERM");
  const status = new Promise<ExitStatus>((resolve, reject) => {
    child.once("exit", (code, signalName) => {
      exited = true;
      signal?.removeEventListener("abort", abort);
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

  if (signal?.aborted) kill("SIGTERM");
  else signal?.addEventListener("abort", abort, { once: true });

  return {
    pid: child.pid ?? 0,
    stdin: child.stdin ? writableToWeb(child.stdin, "stdin") : null,
    stdout: child.stdout ? readableToWeb(child.stdout, "stdout") : null,
    stderr: child.stderr ? readableToWeb(child.stderr, "stderr") : null,
    status,
    kill,
  };
}
