import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { expect, it } from "vitest";
import { resolveRuntimeConfig } from "@aral/core/config";
import { runtimeCommand } from "../src/runtime-command.ts";
import { denoBinary } from "./agents.ts";
import { fixture } from "./helpers.ts";

// Deno.hostname() needs --allow-sys=hostname; without it the runtime logs "hostname":"" (README: pino's base fields).
it("Deno: an agent under the supervisor's permission flags logs the machine's hostname", () => {
  const [command, ...args] = runtimeCommand("deno", fixture("hostname-agent.mjs"), {
    manifest: resolveRuntimeConfig({}),
    execPaths: { deno: denoBinary },
  });
  expect(args).not.toContain("-A");
  const result = spawnSync(command!, args, {
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp" },
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  const line = result.stdout.split("\n").find((l) => l.includes("hostname-probe"));
  expect(line, result.stdout + result.stderr).toBeDefined();
  expect(hostname()).not.toBe("");
  expect((JSON.parse(line!) as { hostname: string }).hostname).toBe(hostname());
}, 90_000);
