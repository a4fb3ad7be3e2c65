// Running out of file descriptors is load, not a crash (issue #9, item 8): an agent under `ulimit -n 256`
// hit by a burst of connections sheds them, says so once, answers again, and still stops gracefully.
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { agentRuntimes } from "./observe-helpers.ts";

const FIXTURE = "test/fixtures/stoppable-agent.ts";
const BURST = 600; // well over the agent's 256 descriptors; this process has a higher limit
const EXHAUSTED = /serve: out of file descriptors on 127\.0\.0\.1:\d+/g;
const exhausted = (output: string) => (output.match(EXHAUSTED)?.length ?? 0) > 0;

async function until<T>(what: string, deadlineMs: number, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not synchronisation
  }
}

const openDescriptors = (pid: number) => import("node:fs").then((fs) => fs.readdirSync(`/proc/${pid}/fd`).length);

describe.each(Object.keys(agentRuntimes))("descriptor exhaustion on %s", (runtime) => {
  const spec = agentRuntimes[runtime]!;
  it.skipIf(spec.exec === undefined)(
    `sheds a burst of ${BURST} connections under ulimit -n 256, logs it once, serves again and stops with exit 0`,
    async () => {
      const args = [...spec.args.slice(0, -1), FIXTURE]; // the observed agent's command, with this fixture
      const child = spawn("bash", ["-c", 'ulimit -n 256 && exec "$@"', "agent", spec.exec!, ...args], {
        cwd: new URL("..", import.meta.url).pathname,
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal })),
      );
      const sockets: Socket[] = [];
      try {
        const url = await until(`"ready" from ${runtime}:\n${output}`, 60_000, () => {
          if (child.exitCode !== null) throw new Error(`${runtime} agent exited early:\n${output}`);
          return /^ready (\S+)/m.exec(output)?.[1];
        });
        const { port } = new URL(url);
        for (let i = 0; i < BURST; i++) {
          const socket = connect(Number(port), "127.0.0.1");
          socket.on("error", () => {}); // shed connections are reset: expected
          socket.on("connect", () => socket.write("GET /health/live HTTP/1.1\r\nhost: agent\r\n\r\n"));
          sockets.push(socket);
        }
        // the burst has landed once the agent holds every descriptor it may (or has said it is shedding)
        await until(`${runtime} to run out of descriptors`, 30_000, async () =>
          exhausted(output) || (await openDescriptors(child.pid!)) >= 250 ? true : undefined,
        );
        // Bun.serve reports no accept error: the Bun adapter counts descriptors once a second (watchDescriptorUse)
        await until(`${runtime} to log the exhaustion:\n${output}`, 30_000, () =>
          exhausted(output) ? true : undefined,
        );
        for (const socket of sockets) socket.destroy();

        const live = await until(`${runtime} to answer /health/live again:\n${output}`, 30_000, async () => {
          const response = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) }).catch(
            () => undefined,
          );
          return response?.status === 200 ? response : undefined;
        });
        expect(live.status).toBe(200);
        expect(child.exitCode).toBeNull();
        expect(output.match(EXHAUSTED)).toHaveLength(1); // once per burst, not per connection

        child.kill("SIGTERM");
        const exit = await exited;
        expect({ exit, stopped: /^stopped signal SIGTERM$/m.test(output) }, output).toEqual({
          exit: { code: 0, signal: null },
          stopped: true,
        });
      } finally {
        for (const socket of sockets) socket.destroy();
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    },
    120_000,
  );
});
