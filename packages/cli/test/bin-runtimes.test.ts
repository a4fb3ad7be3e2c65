// The installed `aral` bin as each package runner starts it: npx/node runs it on Node; `bunx aral` follows the node
// shebang onto Node and the bin hands the command to Bun; ARAL_BIN_RUNTIME=node keeps it on Node. Real processes,
// from a project whose node_modules/.bin/aral links to the built bin, as npm and bun install it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bunToHandTo } from "../src/bin-handoff.ts";

const repo = join(import.meta.dirname, "..", "..", "..");
const bin = join(repo, "packages", "cli", "dist", "bin.js");
const bun = join(repo, "node_modules", ".bin", "bun");
let project = "";

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "aral-bin-"));
  mkdirSync(join(project, "node_modules", ".bin"), { recursive: true });
  symlinkSync(bin, join(project, "node_modules", ".bin", "aral"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-aral", private: true }));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function runner(cmd: string, args: string[], env: Record<string, string> = {}) {
  // Node on PATH (as on a machine with both runtimes), Bun not: the bin must find Bun without it.
  const PATH = [dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter);
  return spawnSync(cmd, args, {
    cwd: project,
    encoding: "utf8",
    env: { PATH, HOME: project, ...env },
    timeout: 120_000,
  });
}

describe("the aral bin under each package runner", () => {
  it("needs the build (npm test builds before the unit tests)", () => {
    expect(existsSync(bin), `${bin} missing: run npm run build`).toBe(true);
  });

  it("bunx aral runs the command on Bun", () => {
    const run = runner(bun, ["x", "aral", "info", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ runtime: "bun", adapter: "@aral/adapter-bun" });
  });

  it("bunx aral passes the command's exit code through", () => {
    const run = runner(bun, ["x", "aral", "check", "missing.manifest.json"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("missing.manifest.json");
  });

  it("ARAL_BIN_RUNTIME=node keeps bunx aral on Node", () => {
    const run = runner(bun, ["x", "aral", "info", "--json"], { ARAL_BIN_RUNTIME: "node" });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ runtime: "node" });
  });

  it("node_modules/.bin/aral (what npx runs) stays on Node", () => {
    const run = runner(join(project, "node_modules", ".bin", "aral"), ["info", "--json"], {
      npm_config_user_agent: "npm/10.0.0 node/v20",
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ runtime: "node" });
  });
});

describe("bunToHandTo", () => {
  const bunUa = { npm_config_user_agent: "bun/1.4.5 npm/? node/v24.3.0 linux x64" };
  it("hands off only when Bun's runner started the bin on another runtime", () => {
    const dir = mkdtempSync(join(tmpdir(), "aral-path-"));
    writeFileSync(join(dir, "bun"), "");
    try {
      expect(bunToHandTo({ env: { ...bunUa, PATH: dir }, onBun: false, parentPid: 0 })).toBe(join(dir, "bun"));
      expect(bunToHandTo({ env: { ...bunUa, PATH: dir }, onBun: true, parentPid: 0 })).toBeUndefined();
      expect(
        bunToHandTo({ env: { ...bunUa, PATH: dir, ARAL_BIN_RUNTIME: "node" }, onBun: false, parentPid: 0 }),
      ).toBeUndefined();
      expect(
        bunToHandTo({ env: { npm_config_user_agent: "npm/10.0.0", PATH: dir }, onBun: false, parentPid: 0 }),
      ).toBeUndefined();
      expect(bunToHandTo({ env: { ...bunUa, PATH: "" }, onBun: false, parentPid: 0 })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
