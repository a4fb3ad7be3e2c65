// logging.audit in the manifest (issue #9, item 6): a real agent on Node, Deno and Bun signs its audit log with
// the key in logging.audit.keyFile; `aral audit verify --key-file` accepts that log, and refuses a forgery that
// re-chains every hash without the key (which the unkeyed verifier would call intact).
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, memorySink } from "@aral/core/logging";
import { afterAll, describe, expect, it } from "vitest";
import { agentRuntimes } from "./observe-helpers.ts";

const repo = join(import.meta.dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "aral-audit-manifest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(dir, "audit.key");
writeFileSync(keyFile, "a key of more than sixteen bytes, kept from the agent's editors");

/** `aral audit verify …` as an operator runs it (the CLI's TypeScript source on Node ≥ 22, as the agents run). */
function aralAuditVerify(...args: string[]): Promise<{ code: number | null; out: string }> {
  const node = agentRuntimes["node"]!.exec ?? process.execPath;
  const cli = join(repo, "packages/cli/src/bin.ts");
  return new Promise((resolve) => {
    execFile(
      node,
      ["--conditions=source", cli, "audit", "verify", ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

async function runAgentUntilSigterm(runtime: string, logPath: string): Promise<string> {
  const spec = agentRuntimes[runtime]!;
  const args = [...spec.args.slice(0, -1), "test/fixtures/stoppable-agent.ts"];
  const child = spawn(spec.exec!, args, {
    cwd: join(import.meta.dirname, ".."),
    env: {
      ...process.env,
      NO_COLOR: "1",
      AGENT_CONFIG: JSON.stringify({ logging: { level: "warn", audit: { path: logPath, keyFile } } }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (/^ready /m.test(output) && child.exitCode === null && !child.killed) child.kill("SIGTERM");
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  expect({ code, stopped: /^stopped signal SIGTERM$/m.test(output) }, output).toEqual({ code: 0, stopped: true });
  return output;
}

describe.each(Object.keys(agentRuntimes))("logging.audit.keyFile on %s", (runtime) => {
  it.skipIf(agentRuntimes[runtime]!.exec === undefined)(
    "signs the agent's audit log: verify --key-file passes it, and fails a forgery re-chained without the key",
    async () => {
      const logPath = join(dir, `${runtime}.audit.log`);
      await runAgentUntilSigterm(runtime, logPath);
      const records = readFileSync(logPath, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(records.map((r) => `${r.data.from}>${r.data.to}`)).toEqual([
        "created>starting",
        "starting>running",
        "running>stopping",
        "stopping>stopped",
      ]);
      const head = `${records.at(-1).seq}:${records.at(-1).hash}`;

      // the forger rewrites history ("stopped" becomes "running") and re-chains it all, without the key
      const sink = memorySink();
      const forger = new AuditLog({ sink });
      for (const record of records)
        await forger.append(
          record.type,
          record.data.to === "stopped" ? { ...record.data, to: "running" } : record.data,
        );
      await forger.flush();
      const forged = join(dir, `${runtime}.forged.log`);
      writeFileSync(forged, `${sink.lines.join("\n")}\n`);

      const [genuine, unkeyed, caught] = await Promise.all([
        aralAuditVerify(logPath, "--key-file", keyFile, "--expect-head", head),
        aralAuditVerify(forged),
        aralAuditVerify(forged, "--key-file", keyFile),
      ]);
      expect(genuine, genuine.out).toMatchObject({ code: 0 });
      expect(genuine.out).toContain("intact and complete, 4 records");
      expect(unkeyed.code, "the unkeyed verifier is fooled by a re-chain").toBe(0);
      expect(caught.code, caught.out).toBe(1);
    },
    120_000,
  );
});
