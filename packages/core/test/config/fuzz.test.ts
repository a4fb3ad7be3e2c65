import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  parseManifest,
  resolveRuntimeConfig,
  validateManifest,
  ENV_OVERRIDES,
  type ManifestFormat,
} from "../../src/config/index.ts";

/** The seed's complete example with every extra field set: the base for single-field mutations. */
const VALID = validateManifest({
  $schema: "./manifest.schema.json",
  aral: { version: "1.0", profile: "ARAL-CORE" },
  layers: {
    runtime: {
      platform: "node",
      version: "20.0.0",
      resources: {
        cpu: { limit: "2000m", request: "500m", throttling: "enabled" },
        memory: { limit: "2Gi", request: "512Mi", swap: "disabled" },
        storage: { persistent: "/data", ephemeral: "/tmp", maxSize: "10Gi", cleanup: { maxAge: 60_000 } },
        network: { bandwidth: "100Mbps", connections: 1000, timeout: 30000 },
      },
      tasks: { timeout: 1000 },
    },
  },
});

function leafPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== "object") return [path];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  const inner = entries.flatMap(([key, child]) => leafPaths(child, [...path, key]));
  return [path, ...inner]; // objects themselves are mutation targets too
}
const PATHS = leafPaths(VALID).filter((path) => path.length > 0);

function withValueAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function expectAcceptedOrConfigError(
  run: () => unknown,
  rootAllowed: (error: ConfigError) => boolean,
): ConfigError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error; // a crash: fast-check shrinks and reports it
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.path).toBe("string");
      expect(typeof issue.expected).toBe("string");
      expect(issue.expected).not.toBe("");
      expect(issue.message).not.toBe("");
      if (issue.path === "") expect(rootAllowed(error), JSON.stringify(issue)).toBe(true);
    }
    expect(typeof error.message).toBe("string");
    return error;
  }
}

async function expectAcceptedOrConfigErrorAsync(
  run: () => Promise<unknown>,
  rootAllowed: (error: ConfigError) => boolean,
): Promise<ConfigError | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error; // a crash: fast-check shrinks and reports it
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.path).toBe("string");
      expect(typeof issue.expected).toBe("string");
      expect(issue.expected).not.toBe("");
      expect(issue.message).not.toBe("");
      if (issue.path === "") expect(rootAllowed(error), JSON.stringify(issue)).toBe(true);
    }
    expect(typeof error.message).toBe("string");
    return error;
  }
}

const isObject = (value: unknown) => value !== null && typeof value === "object" && !Array.isArray(value);
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const keyish = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "aral",
  "layers",
  "runtime",
  "resources",
  "limit",
  "",
  "toString",
);
const hostileObject = fc
  .dictionary(fc.oneof(keyish, fc.string()), jsonValue, { maxKeys: 6 })
  .map((entries) => JSON.parse(JSON.stringify(entries)) as unknown);

describe("fuzzed manifests never crash the loader", () => {
  it("random JSON values: accepted, or a ConfigError whose root issues only concern a non-object root", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          jsonValue,
          hostileObject,
          fc.record({
            aral: fc.oneof(jsonValue, fc.constant({ version: "1.0" })),
            layers: fc.oneof(jsonValue, hostileObject),
          }),
        ),
        (value) => {
          expectAcceptedOrConfigError(
            () => validateManifest(value),
            () => !isObject(value),
          );
          expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the valid manifest with one field mutated: accepted, or rejected with an issue at (or under) that field", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATHS),
        fc.oneof(
          jsonValue,
          hostileObject,
          fc.constantFrom(-1, 0, 1.5, 2 ** 31, "2GB", "-1Gi", "", "enabled", true, null, [], {}),
        ),
        (path, value) => {
          const mutated = withValueAt(VALID, path, value);
          const error = expectAcceptedOrConfigError(
            () => validateManifest(mutated),
            () => false,
          );
          if (error) {
            const target = path
              .map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`))
              .join("")
              .replace(/^\./, "")
              .replace(/\.\$schema/, "$schema");
            const related = error.issues.some(
              (issue) =>
                issue.path === target ||
                issue.path.startsWith(`${target}.`) ||
                issue.path.startsWith(`${target}[`) ||
                target.startsWith(issue.path) ||
                /request|backoffMs/.test(issue.path),
            );
            expect(related, `${target}: ${error.message}`).toBe(true);
          } else {
            // accepted: validating again gives the same result
            const once = validateManifest(mutated);
            expect(validateManifest(once)).toEqual(once);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("random and mutated text in every format: parsed and validated, or a ConfigError", async () => {
    const valid = JSON.stringify(VALID, null, 2);
    const mutatedText = fc
      .tuple(fc.nat(valid.length), fc.nat(8), fc.string({ maxLength: 6 }))
      .map(([at, remove, insert]) => valid.slice(0, at) + insert + valid.slice(at + remove));
    const formats: ManifestFormat[] = ["json", "jsonc", "yaml"];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutatedText,
          fc.string(),
          fc.string({
            unit: fc.constantFrom(
              "{",
              "}",
              "[",
              "]",
              ",",
              ":",
              '"',
              "/",
              "*",
              "\n",
              " ",
              "a",
              "1",
              "-",
              "#",
              "&",
              "*a",
              "!!",
            ),
          }),
        ),
        fc.constantFrom(...formats),
        async (text, format) => {
          await expectAcceptedOrConfigErrorAsync(
            () => parseManifest(text, format, `fuzz.${format}`),
            (error) => error.code === "syntax" || error.issues.length === 1,
          ); // a non-object root is one issue
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("random ARAL_* values for every field: resolved, or a ConfigError naming the variable", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENV_OVERRIDES.map((entry) => entry.variable)),
        fc.oneof(
          fc.string(),
          fc.constantFrom("1", "-1", "0", "1.5", "true", "enabled", "2Gi", "2GB", "SIGINT,SIGINT", "1e400"),
        ),
        (variable, text) => {
          const error = expectAcceptedOrConfigError(
            () => resolveRuntimeConfig(VALID, { [variable]: text }),
            () => false,
          );
          if (error) expect(error.issues.some((issue) => issue.variable === variable)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
