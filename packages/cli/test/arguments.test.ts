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
      help: false,
      lists: new Map(),
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

  it("a list option keeps every value in order; the others refuse a second one", () => {
    const args = readArguments(["--env", "A", "--env=B", "x"], { lists: ["--env"], required: ["<x>"] });
    expect(typeof args !== "string" && args.lists.get("--env")).toEqual(["A", "B"]);
    expect(readArguments(["--env"], { lists: ["--env"] })).toBe("--env needs a value");
  });

  it("stopAtFirstPositional: the first positional and everything after it are positionals, options included", () => {
    const spec = { values: ["--runtime"], required: ["<entry>"], stopAtFirstPositional: true };
    const args = readArguments(["--runtime", "deno", "agent.ts", "--port", "1", "--help"], spec);
    expect(typeof args !== "string" && args.positionals).toEqual(["agent.ts", "--port", "1", "--help"]);
    expect(typeof args !== "string" && args.help).toBe(false);
  });

  it("--help or -h where an option may stand asks for help, before positionals are counted", () => {
    for (const argv of [["--help"], ["web", "-h"], ["-n", "3", "--help", "--bogus"]]) {
      const args = readArguments(argv, spec);
      expect(typeof args !== "string" && args.help, argv.join(" ")).toBe(true);
    }
    expect(readArguments(["--", "--help"], { optional: 1 })).toMatchObject({ help: false, positionals: ["--help"] });
  });

  it("a value may itself start with one dash (a negative number is the command's to judge)", () => {
    const args = readArguments(["web", "-n", "-1"], spec);
    expect(typeof args !== "string" && args.values.get("--lines")).toBe("-1");
  });
});
