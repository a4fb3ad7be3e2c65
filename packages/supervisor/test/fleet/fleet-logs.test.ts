// The fleet's logs with real agents: checkLogs() before anything starts, a log file that breaks while its agent
// runs (reported once, lines dropped and counted, recovery reported, down() never held up), and an agent that draws
// a progress bar without ever writing a newline (its output reaches the log in bounded lines while it runs).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LogFileError } from "../../src/logs/log-file-error.ts";
import { readLastLines } from "../../src/logs/read-log.ts";
import { MAX_LINE_BYTES } from "../../src/output-lines.ts";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { fixture, platform } from "../helpers.ts";

function recordingLogger() {
  const errors: string[] = [];
  const warnings: string[] = [];
  return {
    errors,
    warnings,
    logger: { info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => errors.push(m) },
  };
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const fleets: Fleet[] = [];
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.down()));
});

async function fleetOf(root: string, logs: Record<string, unknown>, agent: Record<string, unknown>) {
  const spec = await validateFleet(
    platform,
    { name: "logs", logs, agents: [{ name: "api", runtime: "node", ...agent }] },
    join(root, "fleet.json"),
  );
  const recorded = recordingLogger();
  const fleet = new Fleet(platform, spec, {
    logger: recorded.logger,
    parentEnv: { PATH: process.env["PATH"] ?? "" },
    execPaths: { node: process.execPath },
  });
  fleets.push(fleet);
  return { fleet, ...recorded };
}

describe("Fleet logs", () => {
  it("checkLogs(): a log directory that cannot be created, or a log file that is a directory, is named with its errno; nothing starts", async () => {
    const root = mkdtempSync(join(tmpdir(), "aral-fleetlogs-"));
    writeFileSync(join(root, "afile"), "a regular file\n");
    const blocked = await fleetOf(root, { dir: "./afile/logs" }, { entry: fixture("ticker.mjs") });
    const error = await blocked.fleet.checkLogs().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogFileError);
    expect((error as LogFileError).message).toBe(
      `cannot create the log directory ${join(root, "afile/logs")}: ENOTDIR (a component of the path is not a directory)`,
    );
    expect(blocked.fleet.status()).toMatchObject([{ agent: "api", pid: null, state: "stopped" }]);

    mkdirSync(join(root, "logs2", "api.log"), { recursive: true });
    const directory = await fleetOf(root, { dir: "./logs2" }, { entry: fixture("ticker.mjs") });
    await expect(directory.fleet.checkLogs()).rejects.toThrow(
      `cannot write the log file ${join(root, "logs2/api.log")}: EISDIR (is a directory)`,
    );

    const fine = await fleetOf(root, { dir: "./logs3" }, { entry: fixture("ticker.mjs") });
    await fine.fleet.checkLogs();
    expect(statSync(join(root, "logs3/api.log")).size).toBe(0);
  });

  it("a log file that breaks while its agent runs: said once, lines dropped and counted, recovery said; down() is not held up", async () => {
    const root = mkdtempSync(join(tmpdir(), "aral-fleetlogs-"));
    const { fleet, errors, warnings } = await fleetOf(
      root,
      { dir: "./logs" },
      { entry: fixture("ticker.mjs"), ready: { line: "ready" } },
    );
    await fleet.checkLogs();
    expect(await fleet.start()).toEqual([{ agent: "api", ready: 1, instances: 1 }]);
    const log = fleet.log("api");
    await until("a tick in the log", () => (readFileSync(log.path, "utf8").includes(" out tick ") ? true : undefined));

    rmSync(log.path);
    mkdirSync(log.path); // the file replaced by a directory
    const message = `api: cannot write the log file ${log.path}: EISDIR (is a directory); its output lines are dropped (counted) until the file can be written again`;
    await until("the failure reported", () => (errors.includes(message) ? true : undefined));
    await until("lines dropped", () => (log.droppedLines >= 50 ? true : undefined));
    expect(errors).toEqual([message]); // once, not per line nor per retry
    expect(fleet.status()[0]!.state).toBe("running");

    rmdirSync(log.path);
    const back = await until("the recovery reported", () =>
      warnings.find((line) => line.startsWith(`api: the log file ${log.path} is written again; `)),
    );
    const dropped = Number(/; (\d+) line\(s\) were dropped$/.exec(back)![1]);
    expect(dropped).toBeGreaterThanOrEqual(50);
    await until("ticks after the recovery", () =>
      readFileSync(log.path, "utf8").split("\n").filter(Boolean).length >= 3 ? true : undefined,
    );
    const lines = readFileSync(log.path, "utf8").split("\n").filter(Boolean);
    expect(lines[0]).toMatch(new RegExp(`^\\S+Z aral log: ${dropped} line\\(s\\) dropped: cannot write the log file `));
    expect(lines[1]).toMatch(/^\S+Z api#0 out tick \d+$/);

    // broken again when the fleet goes down: down() ends all the same, and soon
    rmSync(log.path);
    mkdirSync(log.path);
    const started = Date.now();
    await fleet.down();
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(fleet.status()[0]!.state).toBe("stopped");
  }, 60_000);

  it('an agent drawing a progress bar ("\\r", never "\\n"): its output reaches the log in 64 KiB lines while it runs', async () => {
    const root = mkdtempSync(join(tmpdir(), "aral-fleetlogs-"));
    const total = 4 * 1024 * 1024;
    const { fleet } = await fleetOf(
      root,
      { dir: "./logs", maxBytes: "1Mi", files: 10 },
      { entry: fixture("progress-bar.mjs"), args: [String(total), "stay"], ready: { startupMs: 100 } },
    );
    await fleet.start();
    const log = fleet.log("api");
    // its stdout lines (stderr says "drawn" once it has written every byte)
    const pieces = async () =>
      (await readLastLines(platform, log.paths, 1000)).filter((line) => /^\S+Z api#0 out /.test(line));
    // 63 pieces while it runs: the 64th is held until more comes (the line might end right there)
    await until("63 pieces in the log", async () => ((await pieces()).length >= 63 ? true : undefined));
    await log.flush();
    const lines = await pieces();
    expect(lines).toHaveLength(63);
    expect(fleet.status()[0]!.state).toBe("running");
    for (const line of lines) {
      const [, text] = /^\S+Z api#0 out ([\s\S]*)$/.exec(line)!;
      expect(Buffer.byteLength(text!)).toBe(MAX_LINE_BYTES);
    }
    for (const path of log.paths.filter((path) => existsSync(path)))
      expect(statSync(path).size).toBeLessThanOrEqual(1024 * 1024);
    await fleet.down();
    // the held piece, with the rest of the bar, is written once the agent's output ends
    expect(await pieces()).toHaveLength(64);
  }, 60_000);
});
