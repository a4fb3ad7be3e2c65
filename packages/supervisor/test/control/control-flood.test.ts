// An agent that writes faster than its rotating log is written (a tiny maxBytes: a rotation every few lines):
// `logs -n 3` and `logs -f` must answer promptly and memory stay bounded. flush() once waited for an empty
// queue, which a producer that never stops never gives: `aral logs` hung and a follower's buffer grew without end.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlCall } from "../../src/control/control-client.ts";
import { ControlServer } from "../../src/control/control-server.ts";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-flood-"));
const HIGH_WATER = 64 * 1024; // RotatingLog's default for these files (at least 64 KiB)

let fleet: Fleet;
let server: ControlServer;
/** The largest queue seen while the test ran (sampled on every line the log is given). */
let maxQueued = 0;

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  const spec = await validateFleet(
    platform,
    {
      name: "flood",
      logs: { dir: "./logs", maxBytes: "1Ki", files: 2 },
      agents: [
        {
          name: "flood",
          command: ["sh", "-c", "i=0; while :; do i=$((i+1)); echo line $i; done"],
          ready: { line: "line 1" },
        },
      ],
    },
    join(root, "fleet.json"),
  );
  fleet = new Fleet(platform, spec, { logger: quietLogger, parentEnv: { PATH: process.env["PATH"] ?? "" } });
  server = new ControlServer(platform, fleet, { dir: join(root, "ctl") });
  await server.listen();
  const log = fleet.log("flood");
  log.subscribe(() => {
    maxQueued = Math.max(maxQueued, log.queuedBytes);
  });
  await fleet.start();
  // the queue is past its high-water mark: the producer is paused by backpressure from here on
  const deadline = Date.now() + 5_000;
  while (maxQueued <= HIGH_WATER / 2 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  expect(maxQueued).toBeGreaterThan(HIGH_WATER / 2);
}, 15_000);

afterAll(async () => {
  await fleet.down();
  await server.close();
}, 15_000);

describe("a flooding agent with a 1 KiB rotating log", () => {
  it("logs -n 3 answers promptly with the last 3 lines", async () => {
    const started = Date.now();
    const result = (await within(
      4_000,
      "logs -n 3",
      controlCall(platform, server.path, { command: "logs", agent: "flood", lines: 3 }),
    )) as { lines: string[] };
    expect(result.lines).toHaveLength(3);
    for (const line of result.lines) expect(line).toMatch(/ flood#0 out line \d+$/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("logs -f gets its last lines, then new lines (skipped ones counted), while the queue stays bounded", async () => {
    const connection = await platform.net.connectUnix(server.path);
    const writer = connection.writable.getWriter();
    await writer.write(
      new TextEncoder().encode(`${JSON.stringify({ command: "logs", agent: "flood", follow: true, lines: 3 })}\n`),
    );
    const reader = connection.readable.getReader();
    const decoder = new TextDecoder();
    const messages: Record<string, unknown>[] = [];
    let text = "";
    const read = async (): Promise<void> => {
      while (messages.filter((m) => "line" in m).length < 200) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the follow ended after ${JSON.stringify(messages.slice(-3))}`);
        text += decoder.decode(value, { stream: true });
        const parts = text.split("\n");
        text = parts.pop()!;
        for (const part of parts) messages.push(JSON.parse(part) as Record<string, unknown>);
      }
    };
    try {
      await within(4_000, "logs -f", read());
    } finally {
      connection.close();
    }
    expect(messages[0]).toMatchObject({ ok: true, result: { follow: true } });
    expect((messages[0] as { result: { lines: string[] } }).result.lines).toHaveLength(3);
    const numbers = messages.flatMap((m) =>
      typeof m["line"] === "string" ? [Number(/ line (\d+)$/.exec(m["line"])![1])] : [],
    );
    // in order, none twice; a gap only where a {"skipped": N} says so
    let previous = Number(/ line (\d+)$/.exec((messages[0] as { result: { lines: string[] } }).result.lines[2]!)![1]);
    let skipped = 0;
    for (const message of messages.slice(1)) {
      if (typeof message["skipped"] === "number") skipped += message["skipped"];
      if (typeof message["line"] !== "string") continue;
      const n = Number(/ line (\d+)$/.exec(message["line"])![1]);
      expect(n).toBeGreaterThan(previous);
      previous = n;
    }
    expect(numbers.length).toBeGreaterThanOrEqual(200);
    expect(skipped).toBeGreaterThanOrEqual(0);
    // the producer is held by backpressure: never much more than the high-water mark in memory
    expect(maxQueued).toBeLessThan(HIGH_WATER + 4 * 1024);
  });
});
