// `aral reload` of an agent whose health port is fixed says it restarted the agent (a reload could not overlap old and
// new instances on one port), over the real control socket of an in-process fleet.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform } from "@aral/adapter-node";
import { ControlServer, Fleet, validateFleet } from "@aral/supervisor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.ts";

const platform = createPlatform();
const root = mkdtempSync(join(tmpdir(), "aral-cli-reload-"));
const agent = join(root, "agent.mjs");
writeFileSync(
  agent,
  `import { createServer } from "node:http";
const server = createServer((_req, res) => res.end("ready"));
server.listen(Number(process.env.ARAL_HEALTH_PORT), process.env.ARAL_HEALTH_HOSTNAME);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
);
const silent = { info() {}, warn() {}, error() {} };
let fleet: Fleet;
let server: ControlServer;

beforeAll(async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const health = { enabled: true, hostname: "127.0.0.1", port };
  const spec = await validateFleet(
    platform,
    {
      name: `reload${process.pid}`,
      agents: [{ name: "api", runtime: "node", entry: agent, layers: { runtime: { health } } }],
    },
    join(root, "fleet.json"),
  );
  fleet = new Fleet(platform, spec, {
    logger: silent,
    parentEnv: { PATH: process.env["PATH"] ?? "" },
    execPaths: { node: process.execPath },
  });
  server = new ControlServer(platform, fleet, { dir: join(root, "control") });
  await server.listen();
  await fleet.start();
}, 30_000);

afterAll(async () => {
  await fleet.down();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe("aral reload, fixed health port", () => {
  it("prints that the agent was restarted, not reloaded, and why", async () => {
    process.env["ARAL_CONTROL_DIR"] = join(root, "control");
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(platform, ["reload", "api", "--fleet", `reload${process.pid}`], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    }).finally(() => delete process.env["ARAL_CONTROL_DIR"]);
    expect(code, err.join("\n")).toBe(0);
    expect(out).toEqual([
      "api: restarted, not reloaded: its health port is fixed, so old and new instances cannot overlap",
    ]);
  }, 60_000);
});
