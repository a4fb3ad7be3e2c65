import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { resolveRuntimeConfig } from "@aral/core/config";
import { runtimeCommand } from "../src/runtime-command.ts";
import { denoBinary } from "./agents.ts";
import { fixture, supervise } from "./helpers.ts";

// Deno grants no read of /proc/<pid>/stat without -A, and statfs only with --allow-sys=statfs: under the flags
// runtimeCommand gives, the agent must still see its supervisor alive (through its parent pid) and sample its disk.
it("Deno: an agent with a storage root under the supervisor's permission flags keeps running past the supervisor watch and samples its disk", async () => {
  const persistent = mkdtempSync(join(tmpdir(), "aral-watched-"));
  const manifest = resolveRuntimeConfig({ resources: { storage: { persistent } } });
  const [command, ...args] = runtimeCommand("deno", fixture("watched-agent.mjs"), {
    manifest,
    execPaths: { deno: denoBinary },
    tempDir: tmpdir(),
  });
  expect(args).toContain("--allow-sys=hostname,statfs");
  expect(args).not.toContain("-A");
  const run = supervise("unused", {
    command: command!,
    args,
    runtime: "deno",
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", AGENT_PERSISTENT: persistent },
    restart: { maxRestarts: 0, windowMs: 60_000, backoffMs: 10, maxBackoffMs: 10 },
  });
  run.supervisor.start();
  const output = () => run.lines.map((l) => l.line).join("\n");
  await Promise.race([
    run.printed("after 2.5 s:", 60_000),
    run.supervisor
      .finished()
      .then((o) => Promise.reject(new Error(`the agent ended by itself: ${JSON.stringify(o)}\n${output()}`))),
  ]);
  expect(output()).toContain("after 2.5 s: status=running disk-series=yes");
  expect(output()).not.toMatch(/supervisor-gone|supervisor-unwatchable|resources\.error|NotCapable|PermissionDenied/);
  expect(await run.supervisor.stop()).toMatchObject({ code: 0, escalated: false });
}, 90_000);
