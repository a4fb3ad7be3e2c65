// The first module of every worker thread workersOnThreads starts (Node, and Deno's node:worker_threads),
// loaded by URL next to this package's entry; the work is bootWorkerThread.
import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";
import { bootWorkerThread } from "./workers/thread-bootstrap.ts";

bootWorkerThread(
  {
    parentPort,
    workerData,
    exit: (code) => process.exit(code),
    onUncaughtMonitor: (listener) => void process.on("uncaughtExceptionMonitor", listener),
  },
  "@aral/platform's workersOnThreads",
);
