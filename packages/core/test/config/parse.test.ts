import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  formatForPath,
  loadManifest,
  parseManifest,
  parseManifestText,
  readConfigFile,
} from "../../src/config/index.ts";
import { PlatformError } from "@aral/platform";
import { stat, writeFile } from "node:fs/promises";
import type { Platform } from "@aral/platform";
import { fsPlatform, join, tempDir } from "./fs-platform.ts";

const platform = fsPlatform();
/** The same fs with stat (the size is all readConfigFile reads of it). */
const nodePlatform = {
  fs: {
    ...platform.fs,
    stat: async (path: string) => ({ size: (await stat(path)).size }),
  } as unknown as Platform["fs"],
};
let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

async function errorOf(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

async function rejectionOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("JSON and JSONC", () => {
  it("a string of 9 MiB parses (no stack overflow); bad escapes, raw line breaks and an unclosed string still fail with a ConfigError", async () => {
    const big = "x".repeat(9 * 2 ** 20);
    for (const format of ["json", "jsonc"] as const) {
      expect(((await parseManifestText(`{"a": "${big}\\n"}`, format)) as { a: string }).a.length).toBe(big.length + 1);
    }
    for (const bad of ['{"a": "\\q"}', '{"a": "line\nbreak"}', '{"a": "\\u12G4"}', '{"a": "open']) {
      await expect(parseManifestText(bad, "json")).rejects.toThrow(ConfigError);
    }
  });

  it("JSONC: // and /* */ comments and trailing commas, string contents untouched", async () => {
    const text = `/* header */ {
      "aral": { "version": "1.0", "profile": "a//b /* not a comment */", }, // trailing comma above
      "layers": { "runtime": { "resources": { "storage": { "persistent": "/data//x", "ephemeral": "/tmp/*y*/", }, }, }, },
    }`;
    const manifest = await parseManifest(text, "jsonc");
    expect(manifest.aral.profile).toBe("a//b /* not a comment */");
    expect(manifest.layers.runtime.resources.storage).toMatchObject({ persistent: "/data//x", ephemeral: "/tmp/*y*/" });
    expect(await parseManifestText('{"a": "\\"//\\u0041", "b": [1, 2,],}', "jsonc")).toEqual({ a: '"//A', b: [1, 2] });
  });

  it("JSON is strict: a comment or trailing comma is a syntax error with line and column and a hint", async () => {
    const comment = await errorOf(() => parseManifest('{\n  "aral": { "version": "1.0" } // x\n}', "json", "m.json"));
    expect(comment.code).toBe("syntax");
    expect(comment.issues).toEqual([
      expect.objectContaining({
        path: "",
        line: 2,
        column: 32,
        message: "comment in a .json file",
        expected: expect.stringContaining(".jsonc"),
      }),
    ]);
    expect(comment.message).toContain("m.json");
    expect(comment.message).toContain("line 2, column 32");
    const trailing = await errorOf(() => parseManifest('{"aral": {"version": "1.0",}}', "json"));
    expect(trailing.issues[0]).toMatchObject({
      line: 1,
      column: 28,
      message: expect.stringContaining("trailing comma"),
    });
  });

  it("syntax errors carry line/column: bad tokens, unterminated input, duplicate keys, raw newlines in strings", async () => {
    const cases: Array<[string, number, number]> = [
      ['{\n  "a": tru\n}', 2, 8],
      ['{"a": 1', 1, 8],
      ['{\n"a": 1,\n"a": 2}', 3, 1],
      ['{"a": "x\ny"}', 1, 7],
      ["/* never closed", 1, 1],
      ["", 1, 1],
      ['{"a": 01}', 1, 8],
      ["[1] [2]", 1, 5],
    ];
    for (const [text, line, column] of cases) {
      const error = await errorOf(() => parseManifestText(text, "jsonc"));
      expect(error.code, text).toBe("syntax");
      expect(error.issues[0], text).toMatchObject({ path: "", line, column });
    }
    expect((await errorOf(() => parseManifestText('{"a":1,"a":2}', "json"))).issues[0]!.message).toBe(
      'duplicate key "a"',
    );
  });

  it("absurd nesting is a syntax error, not a stack overflow", async () => {
    const error = await errorOf(() => parseManifestText("[".repeat(100_000), "json"));
    expect(error.issues[0]!.message).toBe("nested too deeply");
  });

  it("__proto__ from JSONC text stays an ordinary key", async () => {
    const value = (await parseManifestText('{"__proto__": {"polluted": true}}', "jsonc")) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("YAML", () => {
  it("parses manifests, comments included", async () => {
    const manifest = await parseManifest(
      '# agent\naral:\n  version: "1.0"\nlayers:\n  runtime:\n    resources:\n      cpu: { limit: 2000m, throttling: enabled } # inline\n',
      "yaml",
    );
    expect(manifest.layers.runtime.resources.cpu).toEqual({ limit: "2000m", throttling: true });
  });

  it("syntax errors and duplicate keys carry line/column", async () => {
    const broken = await errorOf(() => parseManifest('aral:\n  version: "1.0"\nlayers: [1\n', "yaml", "m.yaml"));
    expect(broken.code).toBe("syntax");
    expect(broken.issues[0]).toMatchObject({ path: "", line: expect.any(Number), column: expect.any(Number) });
    const duplicate = await errorOf(() => parseManifest('aral:\n  version: "1.0"\naral:\n  version: "1.0"\n', "yaml"));
    expect(duplicate.issues[0]).toMatchObject({ line: 3, column: 1, message: expect.stringContaining("unique") });
    expect((await errorOf(() => parseManifest("a: 1\n---\nb: 2\n", "yaml"))).code).toBe("syntax");
  });

  it("an unquoted version is a number and is rejected with a hint; an empty file is a non-object root", async () => {
    expect((await errorOf(() => parseManifest("aral:\n  version: 1.0\n", "yaml"))).issues[0]).toMatchObject({
      path: "aral.version",
      value: 1,
      expected: expect.stringContaining("quoted in YAML"),
    });
    expect((await errorOf(() => parseManifest("", "yaml"))).issues[0]).toMatchObject({ path: "", value: null });
  });

  it("__proto__ keys do not pollute; alias bombs are bounded", async () => {
    const value = (await parseManifestText("__proto__:\n  polluted: true\n", "yaml")) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    expect((await errorOf(() => parseManifestText(bomb, "yaml"))).code).toBe("syntax");
  });
});

describe("files", () => {
  it("format by extension, case-insensitive; unknown extensions are a typed error", async () => {
    expect(formatForPath("/x/agent.json")).toBe("json");
    expect(formatForPath("agent.JSONC")).toBe("jsonc");
    expect(formatForPath("a.b/agent.yml")).toBe("yaml");
    expect(formatForPath("C:\\agents\\agent.yaml")).toBe("yaml");
    for (const path of ["agent.toml", "agent.json5", "agent", ".json", "dir.json/agent"]) {
      const error = await errorOf(() => formatForPath(path));
      expect(error.code, path).toBe("unsupported-format");
      expect(error.issues[0]!.expected).toContain(".jsonc");
    }
    expect((await errorOf(() => parseManifestText("{}", "toml" as never))).code).toBe("unsupported-format");
  });

  it("loadManifest reads through platform.fs; a missing file is 'unreadable' with the PlatformError as cause", async () => {
    const file = await dir.write("agent.jsonc", '{ "aral": { "version": "1.0" } } // ok');
    expect((await loadManifest(platform, file)).aral.version).toBe("1.0");
    const missing = await rejectionOf(loadManifest(platform, join(dir.path, "missing.yaml")));
    expect(missing.code).toBe("unreadable");
    expect(missing.cause).toBeInstanceOf(PlatformError);
    expect((missing.cause as PlatformError).code).toBe("NotFound");
    expect(missing.message).toContain("missing.yaml");
    const unsupported = await rejectionOf(loadManifest(platform, join(dir.path, "agent.toml")));
    expect(unsupported.code).toBe("unsupported-format");
    expect(unsupported.issues[0]?.message).toBe('unsupported manifest file extension ".toml"');
    const fleet = await rejectionOf(readConfigFile(platform, join(dir.path, "fleet"), { what: "fleet file" }));
    expect(fleet.issues[0]?.message).toBe("the fleet file has no extension");
    const fromVariable = await rejectionOf(
      loadManifest(platform, join(dir.path, "missing.yaml"), { variable: "ARAL_MANIFEST" }),
    );
    expect(fromVariable.issues).toEqual([
      expect.objectContaining({
        variable: "ARAL_MANIFEST",
        expected: "a readable manifest file",
        message: expect.stringMatching(/^cannot read the file: NotFound: /),
      }),
    ]);
  });

  it("syntax and validation errors from a file name the file", async () => {
    const bad = await dir.write(
      "bad.json",
      '{\n  "aral": { "version": "1.0" },\n  "layers": { "runtime": { "errorHandling": { "maxRetries": 42 } } }\n}\n',
    );
    const error = await rejectionOf(loadManifest(platform, bad));
    expect(error.source).toBe(bad);
    expect(error.issues).toEqual([
      expect.objectContaining({ path: "layers.runtime.errorHandling.maxRetries", value: 42 }),
    ]);
    const broken = await dir.write("broken.yaml", "aral:\n\tversion: 1\n");
    expect((await rejectionOf(loadManifest(platform, broken))).code).toBe("syntax");
  });
});

describe("odd files an operator may hand over", () => {
  it("a YAML mapping with 40,000 keys is checked for duplicates in one pass (the library's check took minutes with the event loop blocked)", async () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    const started = performance.now();
    const error = await errorOf(() => parseManifest(`aral:\n  version: "1.0"\n${keys}\n`, "yaml"));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.code).toBe("invalid");
    expect(error.issues).toHaveLength(40_000);
    const duplicate = await errorOf(() =>
      parseManifest(`aral:\n  version: "1.0"\n${keys}\nk17: again\nlayers: {runtime: {}, runtime: {}}\n`, "yaml"),
    );
    expect(duplicate.code).toBe("syntax");
    expect(duplicate.issues).toMatchObject([
      { line: 40_003, column: 1, message: expect.stringContaining('"k17" is written twice') },
      { line: 40_004, column: 23, message: expect.stringContaining("unique") },
    ]);
    // one key and the same text as a string are two keys in YAML, as the library counts them
    expect(await parseManifestText('a: 1\n1: 2\n"1": 3\n', "yaml")).toEqual({ a: 1, "1": 3 });
  }, 30_000);

  it("the message lists at most 50 issues and clips a huge key; every issue stays in issues", async () => {
    const keys = Array.from({ length: 1_000 }, (_, i) => `"k${i}":${i}`).join(",");
    const many = await errorOf(() => parseManifest(`{"aral":{"version":"1.0"},${keys}}`, "json"));
    expect(many.issues).toHaveLength(1_000);
    expect(many.message.split("\n")).toHaveLength(1 + 50 + 1);
    expect(many.message).toMatch(/\(1000 problems\):\n/);
    expect(many.message).toMatch(/\n {2}\.\.\. and 950 more \(see issues\)$/);
    const key = "k".repeat(1_000_000);
    const long = await errorOf(() => parseManifest(`{"aral":{"version":"1.0"},"${key}":1}`, "json"));
    expect(long.message.length).toBeLessThan(1_000);
    expect(long.issues[0]!.path).toBe(key);
  });

  it("a UTF-16 file (Windows PowerShell 5's > and Out-File) or a NUL is a syntax error saying to save as UTF-8, not 'must be an object'", async () => {
    const yaml = 'aral:\n  version: "1.0"\n';
    for (const [name, bytes] of [
      ["le.yaml", [0xff, 0xfe, ...new Uint8Array(new Uint16Array([...yaml].map((c) => c.charCodeAt(0))).buffer)]],
      ["le.json", [0xff, 0xfe, ...[...'{"aral":{"version":"1.0"}}'].flatMap((c) => [c.charCodeAt(0), 0])]],
      ["be.yaml", [0xfe, 0xff, ...[...yaml].flatMap((c) => [0, c.charCodeAt(0)])]],
    ] as const) {
      const path = join(dir.path, name);
      await writeFile(path, new Uint8Array(bytes));
      const error = await rejectionOf(loadManifest(platform, path));
      expect(error.code).toBe("syntax");
      expect(error.issues[0]).toMatchObject({ line: 1, column: 1, message: expect.stringMatching(/save it as UTF-8/) });
    }
    const nul = await errorOf(() => parseManifest(`${yaml}\0\n`, "yaml"));
    expect(nul.issues[0]).toMatchObject({ line: 3, column: 1, message: expect.stringMatching(/NUL/) });
    // a UTF-8 byte-order mark is fine
    expect((await parseManifest(`\ufeff${yaml}`, "yaml")).aral.version).toBe("1.0");
  });

  it("a file over 4 MiB is refused before it is parsed, by its size when stat tells it, else by its length", async () => {
    const path = join(dir.path, "huge.json");
    await writeFile(path, `{"aral":{"version":"1.0"},"pad":"${"x".repeat(4 * 1024 * 1024)}"}`);
    const withStat = await rejectionOf(loadManifest(nodePlatform, path));
    expect(withStat.code).toBe("unreadable");
    expect(withStat.issues[0]!.message).toMatch(/larger than 4 MiB \(\d+ bytes\): not read/);
    const withoutStat = await rejectionOf(loadManifest(platform, path, { variable: "ARAL_MANIFEST" }));
    expect(withoutStat.issues[0]).toMatchObject({
      variable: "ARAL_MANIFEST",
      message: expect.stringMatching(/larger than 4 MiB \(\d+ characters\)/),
    });
    const small = join(dir.path, "small.json");
    await writeFile(small, '{"aral":{"version":"1.0"}}');
    expect((await loadManifest(nodePlatform, small)).aral.version).toBe("1.0");
  });
});
