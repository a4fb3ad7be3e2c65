import { describe, expect, it } from "vitest";
import { readArguments } from "../src/arguments.ts";

const spec = {
  flags: ["--json", "--follow"],
  values: ["--lines", "--fleet"],
  aliases: { "-f": "--follow", "-n": "--lines" },
  required: ["<agent>"],
  optional: 1,
} as const;

describe("readArguments", () => {
  it("reads flags, values (both spellings), aliases and positionals in any order", () => {
    const args = readArguments(["-f", "web", "--fleet=prod", "-n", "20", "--json", "extra"], spec);
    expect(args).toEqual({
      flags: new Set(["--follow", "--json"]),
      values: new Map([
        ["--fleet", "prod"],
        ["--lines", "20"],
      ]),
      positionals: ["web", "extra"],
    });
  });

  it("after -- everything is a positional, and - alone is one", () => {
    const args = readArguments(["-", "--", "--json"], spec);
    expect(typeof args !== "string" && args.positionals).toEqual(["-", "--json"]);
    expect(typeof args !== "string" && args.flags.size).toBe(0);
  });

  it("names the argument that does not fit", () => {
    expect(readArguments(["web", "--jsn"], spec)).toBe('unknown option "--jsn"');
    expect(readArguments(["web", "-x"], spec)).toBe('unknown option "-x"');
    expect(readArguments(["web", "--json=yes"], spec)).toBe('--json takes no value, got "--json=yes"');
    expect(readArguments(["web", "--lines"], spec)).toBe("--lines needs a value");
    expect(readArguments(["web", "--lines="], spec)).toBe("--lines needs a value");
    expect(readArguments(["web", "-n", "--json"], spec)).toBe("-n needs a value");
    expect(readArguments(["web", "--fleet", "a", "--fleet=b"], spec)).toBe("--fleet is given twice");
    expect(readArguments(["--json"], spec)).toBe("missing <agent>");
    expect(readArguments(["a", "b", "c"], spec)).toBe('unexpected "c"');
    expect(readArguments(["a"], {})).toBe('unexpected "a"');
  });

  it("a value may itself start with one dash (a negative number is the command's to judge)", () => {
    const args = readArguments(["web", "-n", "-1"], spec);
    expect(typeof args !== "string" && args.values.get("--lines")).toBe("-1");
  });
});
