// One agent, three runtimes: `node examples/agent.ts` (Node ≥ 22), `deno run -A examples/agent.ts`,
// `bun examples/agent.ts`. It thinks in prioritized tasks, holds a memory lease, answers health checks,
// and stops gracefully on Ctrl-C: every accepted task finishes or is reported as returned.
import { AralRuntime, platform } from "aral";

// Under `aral run` / `aral up` the operator's manifest (ARAL_MANIFEST), or the defaults when they gave none: new
// AralRuntime() reads it. Run on its own, the manifest beside this file.
const operated = platform.env.has("ARAL_MANIFEST") || platform.env.has("ARAL_SUPERVISOR");
const beside = decodeURIComponent(new URL("./agent.manifest.jsonc", import.meta.url).pathname);
const runtime = new AralRuntime(operated ? undefined : beside);
const say = (msg: string) => console.log(`[agent ${runtime.platform.runtime.name}] ${msg}`);

let thoughts = 0;
runtime.addHealthCheck("thinking", () => thoughts >= 0);
runtime.onStop((report) => {
  say(
    `stopped: ${report.tasks.finished} tasks finished, ${report.tasks.aborted} aborted, ${report.tasks.returned} returned (${report.durationMs} ms)`,
  );
});

await runtime.start();
const { name, version } = runtime.platform.runtime;
say(`running on ${name} ${version} as ${runtime.instanceId}; press Ctrl-C to stop`);
const lease = await runtime.allocate({ memory: "64Mi", cpu: "250m" });
runtime.register("working memory", () => lease.release());

const think = (topic: string, ms: number) => async (signal: AbortSignal) => {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
  thoughts++;
  return `${topic} (${ms} ms)`;
};

const topics = ["plan", "recall", "reflect", "act"];
const timer = setInterval(() => {
  if (runtime.getStatus() !== "running") return clearInterval(timer);
  const topic = topics[thoughts % topics.length]!;
  const priority = topic === "act" ? "high" : "normal";
  runtime
    .submit(think(topic, 100 + Math.round(Math.random() * 300)), { priority })
    .then((done) => say(`thought: ${done}`))
    .catch((error: Error) => say(`task ended early: ${error.name}`));
}, 150);
runtime.register("thinking timer", () => clearInterval(timer));
say("ready");
