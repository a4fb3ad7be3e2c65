import { describe, expect, it } from "vitest";
import { resolveRuntimeConfig } from "@aral/core/config";
import { parseVmRss } from "../src/child-usage.ts";
import { childEnvironment } from "../src/child-environment.ts";
import { SupervisorConfigError } from "../src/errors.ts";
import { supervisorSettingsFromManifest } from "../src/manifest-settings.ts";
import { nodeHeapFlag, runtimeCommand } from "../src/runtime-command.ts";

describe("childEnvironment", () => {
  const parent = {
    PATH: "/usr/bin",
    HOME: "/home/a",
    LANG: "en_US.UTF-8",
    LC_TIME: "C",
    TZ: "UTC",
    TMPDIR: "/tmp",
    ARAL_MANIFEST: "/etc/agent.yaml",
    ARAL_INSTANCE_ID: "the-parents-own",
    ARAL_LOG_LEVEL: "debug",
    GITHUB_TOKEN: "ghp_x",
    DATABASE_URL: "postgres://",
    Path: "windows-style-but-not-PATH",
    UNSET: undefined,
  };

  it("keeps the basics, LC_*, ARAL_* but the parent's instance id and manifest, and the allowed names; drops everything else", () => {
    expect(childEnvironment(parent, { allow: ["DATABASE_URL", "NOT_SET_ANYWHERE"] })).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/a",
      LANG: "en_US.UTF-8",
      LC_TIME: "C",
      TZ: "UTC",
      TMPDIR: "/tmp",
      ARAL_LOG_LEVEL: "debug",
      DATABASE_URL: "postgres://",
    });
    expect(childEnvironment(parent)).not.toHaveProperty("GITHUB_TOKEN");
  });

  it("rejects names that are not variable names", () => {
    expect(() => childEnvironment(parent, { allow: ["A=B"] })).toThrow(SupervisorConfigError);
    expect(() => childEnvironment(parent, { allow: [""] })).toThrow(/allow lists ""/);
    expect(() => childEnvironment(null as never)).toThrow(/parentEnv/);
  });
});

describe("runtimeCommand", () => {
  const manifest = resolveRuntimeConfig({
    resources: { memory: { limit: "256Mi" }, storage: { persistent: "/data/agent", ephemeral: "/tmp/agent" } },
  });

  it("node: the executable, the heap cap from resources.memory.limit, the entry, the agent's args", () => {
    expect(runtimeCommand("node", "agent.mjs", { manifest, execPaths: { node: "/opt/node" }, args: ["--x"] })).toEqual([
      "/opt/node",
      "--max-old-space-size=256",
      "agent.mjs",
      "--x",
    ]);
    expect(runtimeCommand("node", "agent.mjs")).toEqual(["node", "agent.mjs"]);
    expect(runtimeCommand("node", "a.mjs", { memoryLimitBytes: 100 * 1024 * 1024 })).toEqual([
      "node",
      "--max-old-space-size=100",
      "a.mjs",
    ]);
    expect(nodeHeapFlag(1000)).toBe("--max-old-space-size=1");
  });

  it("deno: read/write on the storage roots, hostname and statfs, net, env", () => {
    expect(runtimeCommand("deno", "agent.ts", { manifest, extraReadPaths: ["/etc/agent.yaml"] })).toEqual([
      "deno",
      "run",
      "--allow-read=/data/agent,/tmp/agent,/etc/agent.yaml",
      "--allow-write=/data/agent,/tmp/agent",
      "--allow-sys=hostname,statfs",
      "--allow-net",
      "--allow-env",
      "agent.ts",
    ]);
    expect(runtimeCommand("deno", "agent.ts", { manifest: resolveRuntimeConfig({}), allowNet: false })).toEqual([
      "deno",
      "run",
      "--allow-sys=hostname",
      "--allow-env",
      "agent.ts",
    ]);
  });

  it("bun: the executable and the entry", () => {
    expect(runtimeCommand("bun", "agent.ts", { manifest, execPaths: { bun: "/opt/bun" }, args: ["a"] })).toEqual([
      "/opt/bun",
      "agent.ts",
      "a",
    ]);
  });

  it("bad input names what was wrong", () => {
    expect(() => runtimeCommand("python" as never, "a.py")).toThrow(
      /runtime must be one of node, deno, bun, got "python"/,
    );
    expect(() => runtimeCommand("node", "")).toThrow(SupervisorConfigError);
    expect(() => runtimeCommand("deno", "a.ts", { extraReadPaths: ["/a,b"] })).toThrow(/contains a comma/);
    expect(() => runtimeCommand("node", "a.mjs", { memoryLimitBytes: -1 })).toThrow(/memoryLimitBytes/);
  });
});

describe("supervisorSettingsFromManifest", () => {
  it("takes the timeouts, limits and backoff from the manifest", () => {
    const config = resolveRuntimeConfig({
      resources: { memory: { limit: "1Gi" }, cpu: { limit: "250m", request: "100m" }, pids: { limit: 64 } },
      lifecycle: { shutdownTimeout: 1234 },
      errorHandling: { backoffMs: 5, maxBackoffMs: 50 },
    });
    expect(supervisorSettingsFromManifest(config)).toEqual({
      shutdownTimeoutMs: 1234,
      terminationGracePeriodMs: 3234,
      memoryLimitBytes: 1024 ** 3,
      allowSwap: false,
      cpuLimitCores: 0.25,
      cpuRequestCores: 0.1,
      pidsLimit: 64,
      backoffMs: 5,
      maxBackoffMs: 50,
    });
    const defaults = supervisorSettingsFromManifest(resolveRuntimeConfig({}));
    expect(defaults).toMatchObject({
      memoryLimitBytes: undefined,
      cpuLimitCores: undefined,
      pidsLimit: 1024,
      terminationGracePeriodMs: 12_000,
    });
    expect(
      supervisorSettingsFromManifest(
        resolveRuntimeConfig({
          lifecycle: { shutdownTimeout: 1000, terminationGracePeriod: 5000 },
          resources: { memory: { swap: "enabled" } },
        }),
      ),
    ).toMatchObject({
      terminationGracePeriodMs: 5000,
      allowSwap: true,
    });
  });

  it("refuses a terminationGracePeriod that is not later than shutdownTimeout, naming the field", () => {
    expect(() => resolveRuntimeConfig({ lifecycle: { shutdownTimeout: 5000, terminationGracePeriod: 5000 } })).toThrow(
      /terminationGracePeriod/,
    );
  });

  it("Deno: only storage.persistent set — the temp directory the runtime makes its ephemeral root in is writable too", () => {
    const config = resolveRuntimeConfig({ resources: { storage: { persistent: "/data/agent" } } });
    const command = runtimeCommand("deno", "agent.ts", { manifest: config });
    expect(command).toContain("--allow-write=/data/agent,/tmp");
    expect(command).toContain("--allow-read=/data/agent,/tmp");
    expect(runtimeCommand("deno", "agent.ts", { manifest: config, tempDir: "/var/tmp/x" })).toContain(
      "--allow-write=/data/agent,/var/tmp/x",
    );
  });
});

describe("parseVmRss", () => {
  it("reads VmRSS in kB as bytes; null for a zombie without the line", () => {
    expect(parseVmRss("Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   2048 kB\nRssAnon:\t 1 kB\n")).toBe(2048 * 1024);
    expect(parseVmRss("Name:\tnode\nState:\tZ (zombie)\n")).toBeNull();
  });
});
