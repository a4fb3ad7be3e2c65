/**
 * The first module of every worker thread: Web worker globals over parentPort (core's
 * installWorkerScope), then the user's worker module — so one module runs unchanged everywhere.
 */
import { installWorkerScope } from "@aral/core";
import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";

const moduleUrl = (workerData as { module?: unknown } | null)?.module;
if (!parentPort || typeof moduleUrl !== "string") {
  throw new Error("worker-bootstrap: run only by @aral/adapter-node's workers.spawn (no parentPort or module)");
}
const scope = installWorkerScope(parentPort, {
  exit: (code) => process.exit(code),
  // A monitor only observes: the thread still dies of the error, as a Web Worker does.
  observeUncaught: (listener) => process.on("uncaughtExceptionMonitor", (error, origin) => listener(error, origin === "unhandledRejection" ? "rejection" : "exception")),
});
import(moduleUrl).then(() => scope.loaded());
