import { readAllText } from "@aral/platform";
import { platform } from "../src/index.ts";
import { assert, assertEquals } from "./assert.ts";

const fixture = new URL("./fixtures/child.ts", import.meta.url).pathname;

function child(...args: string[]) {
  return platform.process.spawn(platform.process.execPath, ["run", "-A", fixture, ...args]);
}

async function collect(c: ReturnType<typeof child>) {
  const [stdout, stderr, status] = await Promise.all([readAllText(c.stdout), readAllText(c.stderr), c.status]);
  return { stdout, stderr, status };
}

Deno.test("process: runtime info, pid, cwd, execPath, argv and exit code", async () => {
  const { runtime } = platform;
  assertEquals([runtime.name, runtime.version, runtime.os], ["deno", Deno.version.deno, Deno.build.os]);
  assert(
    !runtime.version.startsWith("v") && ["x64", "arm64"].includes(runtime.arch),
    `${runtime.version} ${runtime.arch}`,
  );
  assert(runtime.cpus >= 1, "cpus");
  assertEquals([platform.process.pid, platform.process.cwd()], [Deno.pid, Deno.cwd()]);
  assert(platform.process.execPath.endsWith("deno"), platform.process.execPath);
  assertEquals((await collect(child("argv", "a", "--b"))).stdout, '["a","--b"]\n');
  assertEquals((await collect(child("exit", "5"))).status.code, 5);
});

Deno.test("process.onUncaught keeps the process alive while subscribed, and only then", async () => {
  const { stdout, stderr, status } = await collect(child("uncaught"));
  assertEquals(stdout, "exception:thrown,rejection:rejected\n");
  assert(
    !status.success && stderr.includes("after unsubscribe"),
    `expected a crash after unsubscribe, got ${JSON.stringify(status)} ${stderr}`,
  );
});

Deno.test("signals.on: the signal reaches the handler instead of killing; after unsubscribe it kills again", async () => {
  const c = child("signal");
  const lines = c.stdout!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const waitFor = async (text: string) => {
    while (!seen.includes(text)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`child ended before printing ${text}; saw ${seen}`);
      seen += value;
    }
  };
  await waitFor("ready");
  c.kill("SIGTERM");
  await waitFor("got SIGTERM 1");
  c.kill("SIGTERM");
  await waitFor("unsubscribed");
  c.kill("SIGTERM");
  const status = await c.status;
  await Promise.all([lines.cancel(), c.stderr!.cancel()]);
  assert(!status.success, `child survived SIGTERM after unsubscribe: ${JSON.stringify(status)}`);
});

Deno.test("env: get/set/has/delete/toObject on the real environment", () => {
  const { env } = platform;
  env.set("ARAL_DENO_ENV_TEST", "v");
  assertEquals(
    [env.get("ARAL_DENO_ENV_TEST"), env.has("ARAL_DENO_ENV_TEST"), Deno.env.get("ARAL_DENO_ENV_TEST")],
    ["v", true, "v"],
  );
  assertEquals(env.toObject()["ARAL_DENO_ENV_TEST"], "v");
  env.delete("ARAL_DENO_ENV_TEST");
  assertEquals([env.get("ARAL_DENO_ENV_TEST"), env.has("ARAL_DENO_ENV_TEST")], [undefined, false]);
});

Deno.test("usage: memory and cumulative cpu time", () => {
  const memory = platform.usage.memory();
  assert(
    memory.rss > 0 && memory.heapUsed > 0 && memory.heapTotal >= memory.heapUsed && memory.external >= 0,
    JSON.stringify(memory),
  );
  const before = platform.usage.cpu();
  const total = (cpu: { userMicros: number; systemMicros: number }) => cpu.userMicros + cpu.systemMicros;
  // burn CPU until 10 ms of it show up (a loaded machine gives this thread less than the wall time), within 10 s
  const deadline = performance.now() + 10_000;
  let after = platform.usage.cpu();
  while (total(after) < total(before) + 10_000 && performance.now() < deadline) after = platform.usage.cpu();
  assert(total(after) >= total(before) + 10_000, `${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
});
