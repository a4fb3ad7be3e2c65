import { PlatformError } from "../errors.ts";
import { workerModulePath } from "./module-url.ts";

/** The fields of a Web `ErrorEvent` a worker's `error` event carries (Deno, Bun). */
export interface WorkerErrorEventLike {
  readonly message?: unknown;
  readonly error?: unknown;
  readonly filename?: unknown;
  readonly lineno?: unknown;
}

const MODULE_NOT_FOUND = /Module not found|ModuleNotFound|Cannot find module|ERR_MODULE_NOT_FOUND/;
const PERMISSION = /Requires \w+ access|NotCapable|PermissionDenied/;

/**
 * The Error to report for a Web Worker's `error` event. A module that cannot be found (or read) becomes
 * a PlatformError NotFound (PermissionDenied) naming the module; any other error is the worker's own,
 * rebuilt from the event: `event.error` when the runtime passes it, else the message without the
 * runtime's decoration ("Uncaught (in promise) ..." in Deno, a source excerpt in Bun).
 */
export function errorFromWorkerEvent(event: WorkerErrorEventLike, module: URL): Error {
  const raw =
    typeof event.message === "string"
      ? event.message
      : event.error instanceof Error
        ? event.error.message
        : "worker error";
  const path = workerModulePath(module);
  if (MODULE_NOT_FOUND.test(raw)) {
    return new PlatformError(
      "NotFound",
      `NotFound: worker module '${path}' could not be loaded: ${cleanMessage(raw)}`,
      { path, syscall: "spawnWorker", cause: event.error ?? raw },
    );
  }
  if (PERMISSION.test(raw) && !(event.error instanceof Error)) {
    return new PlatformError("PermissionDenied", `PermissionDenied: worker module '${path}': ${cleanMessage(raw)}`, {
      path,
      syscall: "spawnWorker",
      cause: raw,
    });
  }
  if (event.error instanceof Error) return event.error;
  const error = new Error(cleanMessage(raw));
  if (typeof event.filename === "string" && event.filename !== "") {
    error.stack = `${error.message}\n    at ${event.filename}${typeof event.lineno === "number" && event.lineno > 0 ? `:${event.lineno}` : ""}`;
  }
  return error;
}

/** "Uncaught (in promise) Error: x" -> "Error: x"; Bun's "1 | source...\n   ^\nerror: x\n   at ..." -> "error: x". */
function cleanMessage(message: string): string {
  const lines = message
    .split("\n")
    .filter(
      (line) => !/^\s*\d+ \| /.test(line) && !/^\s*\^\s*$/.test(line) && !/^\s+at /.test(line) && line.trim() !== "",
    );
  const text = (lines.length > 0 ? lines.join("\n") : message).trim();
  return text.replace(/^Uncaught (\(in promise\) )?/, "").replace(/^\(in promise\) /, "");
}
