import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { resolveRuntimeConfig } from "@aral/core/config";
import { runtimeCommand } from "../src/runtime-command.ts";
import { denoBinary } from "./agents.ts";
import { fixture, supervise } from "./helpers.ts";

it("Deno: an AralRuntime agent whose manifest sets only storage.persistent starts under the supervisor's permission flags (no makeTempDir crash loop)", async () => {
  const persistent = mkdtempSync(join(tmpdir(), "aral-persistent-"));
  const manifest = resolveRuntimeConfig({ resources: { storage: { persistent } } });
  const [command, ...args] = runtimeCommand("deno", fixture("storage-agent.mjs"), {
    manifest,
    execPaths: { deno: denoBinary },
    tempDir: tmpdir(),
  });
  const run = supervise("unused", {
    command: command!,
    args,
    runtime: "deno",
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", AGENT_PERSISTENT: persistent },
    restart: { maxRestarts: 0, windowMs: 60_000, backoffMs: 10, maxBackoffMs: 10 },
  });
  run.supervisor.start();
  const outcome = Promise.race([
    run.printed("ready", 60_000),
    run.supervisor
      .finished()
      .then((o) =>
        Promise.reject(
          new Error(
            `the agent ended before it was ready: ${JSON.stringify(o)}\n${run.lines.map((l) => l.line).join("\n")}`,
          ),
        ),
      ),
  ]);
  await outcome;
  expect(await run.supervisor.stop()).toMatchObject({ code: 0, escalated: false });
  expect(run.lines.map((l) => l.line).join("\n")).not.toMatch(/PermissionDenied/);
}, 90_000);

it("Deno: an agent writing a keyed audit log outside its storage roots starts under the supervisor's permission flags and writes it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aral-audit-"));
  mkdirSync(join(dir, "logs"));
  const audit = join(dir, "logs", "audit.log");
  const key = join(dir, "audit.key");
  writeFileSync(key, "0123456789abcdef0123456789abcdef");
  const manifest = resolveRuntimeConfig({ logging: { audit: { path: audit, keyFile: key } } });
  const [command, ...args] = runtimeCommand("deno", fixture("audit-agent.mjs"), {
    manifest,
    execPaths: { deno: denoBinary },
  });
  expect(args).toContain(`--allow-write=${audit}`);
  expect(args).toContain(`--allow-read=${audit},${key}`);
  const run = supervise("unused", {
    command: command!,
    args,
    runtime: "deno",
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "/tmp",
      AGENT_AUDIT: audit,
      AGENT_AUDIT_KEY: key,
    },
    restart: { maxRestarts: 0, windowMs: 60_000, backoffMs: 10, maxBackoffMs: 10 },
  });
  run.supervisor.start();
  await Promise.race([
    run.printed("ready", 60_000),
    run.supervisor
      .finished()
      .then((o) =>
        Promise.reject(
          new Error(`ended before ready: ${JSON.stringify(o)}\n${run.lines.map((l) => l.line).join("\n")}`),
        ),
      ),
  ]);
  expect(await run.supervisor.stop()).toMatchObject({ code: 0, escalated: false });
  expect(run.lines.map((l) => l.line).join("\n")).not.toMatch(/PermissionDenied|NotCapable/);
  const records = readFileSync(audit, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type?: string });
  expect(records.length).toBeGreaterThanOrEqual(4); // created -> starting -> running, then the stop's transitions
}, 90_000);
