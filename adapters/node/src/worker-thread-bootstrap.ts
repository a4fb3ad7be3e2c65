// The first module of every worker thread the Node adapter starts, loaded by URL (see workers.ts); the work is
// @aral/platform's bootWorkerThread.
import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";
import { bootWorkerThread } from "@aral/platform";

bootWorkerThread(
  {
    parentPort,
    workerData,
    exit: (code) => process.exit(code),
    onUncaughtMonitor: (listener) => void process.on("uncaughtExceptionMonitor", listener),
  },
  "@aral/adapter-node's workers",
);
