// The first module of every worker thread (loaded by URL from workers.ts); the work is core's bootWorkerThread.
import { bootWorkerThread } from "@aral/platform";
import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";

bootWorkerThread(
  {
    parentPort,
    workerData,
    exit: (code) => process.exit(code),
    onUncaughtMonitor: (listener) => void process.on("uncaughtExceptionMonitor", listener),
  },
  "@aral/adapter-deno",
);
