// restart and reload read the agent's manifest file again: an edited memory limit reaches the new instances (here
// as Node's heap cap, which the supervisor sets from it), and a manifest that no longer validates stops nothing.
// Real processes, real files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-reload-manifest-"));
let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.down();
  rmSync(root, { recursive: true, force: true });
});

const agent = join(root, "agent.mjs");
writeFileSync(
  agent,
  `console.log("started " + process.pid + " " + process.execArgv.join(" "));
setInterval(() => {}, 1000);
process.on("SIGTERM", () => process.exit(0));
`,
);
const manifest = join(root, "api.manifest.yaml");
const withLimit = (limit: string) =>
  writeFileSync(
    manifest,
    `aral: { version: "1.0" }\nlayers:\n  runtime:\n    resources: { memory: { limit: ${limit} } }\n`,
  );

/** The heap cap (MiB) the instance with `pid` was started with, from its first log line. */
function heapCapOf(pid: number): number | undefined {
  const log = readFileSync(join(root, "logs", "api.log"), "utf8");
  const line = log.split("\n").find((l) => l.includes(`started ${pid} `));
  const match = /--max-old-space-size=(\d+)/.exec(line ?? "");
  return match ? Number(match[1]) : undefined;
}

async function heapCapOfRunning(): Promise<number | undefined> {
  const pid = fleet!.status("api")[0]!.pid!;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const cap = heapCapOf(pid);
    if (cap !== undefined || Date.now() > deadline) return cap;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("restart and reload read the agent's manifest again", () => {
  it("an edited limit reaches the new instances; a manifest that no longer validates is reported and stops nothing", async () => {
    withLimit("128Mi");
    const spec = await validateFleet(
      platform,
      {
        name: "rereads",
        logs: { dir: "logs" },
        agents: [{ name: "api", runtime: "node", entry: agent, manifest: "api.manifest.yaml" }],
      },
      join(root, "fleet.json"),
    );
    fleet = new Fleet(platform, spec, {
      logger: quietLogger,
      parentEnv: { PATH: process.env["PATH"] ?? "" },
      execPaths: { node: process.execPath },
    });
    expect((await fleet.start())[0]).toMatchObject({ agent: "api", ready: 1 });
    const first = await heapCapOfRunning();
    expect(first).toBeDefined();

    withLimit("512Mi");
    expect(await fleet.reload("api")).toEqual({ agent: "api", ready: 1, instances: 1 });
    const reloaded = await heapCapOfRunning();
    expect(reloaded).toBeGreaterThan(first!);

    withLimit("1Gi");
    expect(await fleet.restart("api")).toMatchObject({ agent: "api", ready: 1 });
    expect(await heapCapOfRunning()).toBeGreaterThan(reloaded!);

    const running = fleet.status("api")[0]!.pid;
    writeFileSync(
      manifest,
      `aral: { version: "1.0" }\nlayers:\n  runtime:\n    resources: { memory: { limit: lots } }\n`,
    );
    for (const command of ["reload", "restart"] as const) {
      const report = await fleet[command]("api");
      expect(report.error).toMatch(
        /^api: its manifest .*api\.manifest\.yaml no longer reads: layers\.runtime\.resources\.memory\.limit/,
      );
      expect(report.error).toMatch(/the running instances are left as they are$/);
      expect(fleet.status("api")[0]).toMatchObject({ pid: running, state: "running" });
    }
  }, 60_000);
});
