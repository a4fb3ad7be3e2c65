import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadManifest,
  parseManifestText,
  resolveRuntimeConfig,
  validateRuntimeOptions,
} from "../../src/config/index.ts";
import { FIXTURES, fsPlatform, join, readFile, tempDir } from "./fs-platform.ts";

const platform = fsPlatform();
const FRAGMENTS = ["seed-cpu", "seed-memory", "seed-storage", "seed-network"] as const;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

/** Wraps a seed fragment (`{ "resources": … }`, with its // comments) into a whole manifest, verbatim. */
function manifestAround(fragment: string): string {
  return `// generated around a seed snippet\n{\n  "aral": { "version": "1.0", "profile": "ARAL-CORE" },\n  "layers": {\n    "runtime": ${fragment.trim()}\n  }\n}\n`;
}

describe("every configuration example in the seed loads and validates", () => {
  it("the complete Configuration Example (JSONC with // comments)", async () => {
    const manifest = await loadManifest(platform, join(FIXTURES, "seed-manifest.jsonc"));
    expect(manifest.aral).toEqual({ version: "1.0", profile: "ARAL-CORE" });
    const runtime = manifest.layers.runtime;
    expect(runtime.platform).toBe("node");
    expect(runtime.version).toBe("20.0.0");
    expect(runtime.resources.cpu).toEqual({ limit: "2000m", request: "500m", throttling: false });
    expect(runtime.resources.memory).toEqual({ limit: "2Gi", request: "512Mi", swap: false });
    expect(runtime.resources.storage).toMatchObject({ persistent: "/data", ephemeral: "/tmp", maxSize: "10Gi" });
    expect(runtime.lifecycle).toMatchObject({
      startupTimeout: 30000,
      shutdownTimeout: 10000,
      healthcheck: { enabled: true, interval: 10000, timeout: 5000 },
    });
    expect(runtime.errorHandling).toMatchObject({
      maxRetries: 3,
      backoffStrategy: "exponential",
      circuitBreaker: { enabled: true, threshold: 5, timeout: 60000 },
    });
    // beyond the seed: defaults the runtime needs
    expect(runtime.errorHandling).toMatchObject({ backoffMs: 1000, maxBackoffMs: 30000, jitter: "full" });
  });

  it("the same example as YAML gives the same manifest", async () => {
    const fromJsonc = await loadManifest(platform, join(FIXTURES, "seed-manifest.jsonc"));
    const fromYaml = await loadManifest(platform, join(FIXTURES, "seed-manifest.yaml"));
    expect(fromYaml).toEqual(fromJsonc);
    const copy = await dir.write("manifest.yml", await readFile(join(FIXTURES, "seed-manifest.yaml"), "utf8"));
    expect(await loadManifest(platform, copy)).toEqual(fromJsonc);
  });

  for (const name of FRAGMENTS) {
    it(`the ${name.slice(5)} snippet, as runtime options and inside a manifest (.jsonc and .yaml files)`, async () => {
      const fragmentText = await readFile(join(FIXTURES, `${name}.jsonc`), "utf8");
      expect(fragmentText).toContain(name === "seed-cpu" || name === "seed-memory" ? "//" : "{");
      const fragment = (await parseManifestText(fragmentText, "jsonc")) as {
        resources: Record<string, Record<string, unknown>>;
      };
      const direct = validateRuntimeOptions(fragment);

      const jsoncFile = await dir.write(`${name}.jsonc`, manifestAround(fragmentText));
      const fromJsonc = await loadManifest(platform, jsoncFile);
      expect(fromJsonc.layers.runtime).toEqual(direct);

      const yamlFile = await dir.write(
        `${name}.yaml`,
        `# ${name} from the seed\n${stringify({ aral: { version: "1.0" }, layers: { runtime: fragment } })}`,
      );
      const fromYaml = await loadManifest(platform, yamlFile);
      expect(fromYaml.layers.runtime).toEqual(direct);

      // quantities stay as the user wrote them
      const [section, fields] = Object.entries(fragment.resources)[0]!;
      for (const [key, value] of Object.entries(fields)) {
        const resolved = (direct.resources as unknown as Record<string, Record<string, unknown>>)[section]![key];
        if (value === "enabled" || value === "disabled") expect(resolved).toBe(value === "enabled");
        else expect(resolved).toBe(value);
      }
    });
  }

  it("the seed's test example options resolve with every default filled in", () => {
    const config = resolveRuntimeConfig({ resources: { memory: { limit: "100Mi" } } });
    expect(config.resources.memory).toEqual({ limit: "100Mi", swap: false });
    expect(config.lifecycle.shutdownTimeout).toBe(10000);
    expect(config.errorHandling.maxRetries).toBe(3);
    expect(config.health).toEqual({ enabled: false, hostname: "127.0.0.1", port: 0, exposeDetails: false });
    expect(config.tasks).toEqual({ concurrency: 10, maxQueued: 1000, overflow: "reject" });
    expect(resolveRuntimeConfig()).toEqual(resolveRuntimeConfig({}));
  });
});
