import { mkdtempSync } from "node:fs";
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
