#!/usr/bin/env node
/**
 * aral-conformance --adapter <module> [--filter <substring>] [--skip <capability>[=reason]]…
 * aral-conformance --list
 * Prints TAP, ends with "N passed, N failed[, N skipped]"; exit 0 all passed, 1 any failed, 2 bad usage
 * (an unknown --skip capability included).
 */
import { hostArgs, hostCwd, hostExit } from "./host.ts";
import { runConformance } from "./run-conformance.ts";
import { allCases } from "./cases/index.ts";
import { caseKind } from "./harness/case.ts";
import { CONTRACT_CAPABILITIES, INTEGRATION_CAPABILITIES, isCapability, CAPABILITIES } from "./harness/capabilities.ts";

const USAGE =
  "usage: aral-conformance --adapter <module> [--filter <substring>] [--skip <capability>[=reason]]…\n       aral-conformance --list   (the capabilities --skip takes, and the cases of each)";

/** The capabilities, contract then integration, each with its cases. */
function listing(): string {
  const lines: string[] = [];
  for (const [kind, capabilities] of [
    ["contract", CONTRACT_CAPABILITIES],
    ["integration", INTEGRATION_CAPABILITIES],
  ] as const) {
    lines.push(`# ${kind}`);
    for (const capability of capabilities) {
      const cases = allCases.filter((c) => c.capability === capability && caseKind(c) === kind);
      lines.push(`${capability} (${cases.length} case${cases.length === 1 ? "" : "s"})`);
      for (const c of cases) lines.push(`  ${c.name}`);
    }
  }
  return lines.join("\n");
}

interface CliOptions {
  adapter: string;
  filter?: string;
  skip: Map<string, string>;
}

const LIST = "--list";

function parseArgs(argv: string[]): CliOptions | string {
  let adapter: string | undefined;
  let filter: string | undefined;
  const skip = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === "--adapter") adapter = value();
      else if (flag === "--filter") filter = value();
      else if (flag === "--skip") {
        const v = value();
        const eq = v.indexOf("=");
        const name = eq > 0 ? v.slice(0, eq) : v;
        if (!isCapability(name))
          throw new Error(
            `--skip: unknown capability ${JSON.stringify(name)}; the capabilities are: ${CAPABILITIES.join(", ")} (see --list)`,
          );
        skip.set(name, eq > 0 ? v.slice(eq + 1) : "skipped on the command line (--skip)");
      } else if (flag === "--help" || flag === "-h") return USAGE;
      else if (flag === "--list") return LIST;
      else return `unknown argument ${JSON.stringify(arg)}\n${USAGE}`;
    } catch (error) {
      return `${(error as Error).message}\n${USAGE}`;
    }
  }
  if (!adapter) return `--adapter <module> is required\n${USAGE}`;
  return filter === undefined ? { adapter, skip } : { adapter, filter, skip };
}

/** Relative paths are relative to the working directory; bare names are package specifiers. */
function resolveAdapter(adapter: string): string {
  if (adapter.startsWith("file:")) return adapter;
  if (adapter.startsWith("/") || /^[A-Za-z]:[\\/]/.test(adapter)) return adapter;
  if (adapter.startsWith("./") || adapter.startsWith("../") || adapter === "." || adapter === "..") {
    const parts: string[] = [];
    for (const part of `${hostCwd()}/${adapter}`.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") parts.pop();
      else parts.push(part);
    }
    return `/${parts.join("/")}`;
  }
  return adapter;
}

async function main(): Promise<number> {
  const parsed = parseArgs(hostArgs());
  if (parsed === LIST) {
    console.log(listing());
    return 0;
  }
  if (typeof parsed === "string") {
    console.error(parsed);
    return parsed === USAGE ? 0 : 2;
  }
  const adapter = resolveAdapter(parsed.adapter);
  let summary;
  try {
    summary = await runConformance({
      adapter,
      skip: parsed.skip,
      ...(parsed.filter === undefined ? {} : { filter: parsed.filter }),
    });
  } catch (error) {
    console.error(
      `aral-conformance: cannot load the adapter ${JSON.stringify(parsed.adapter)}: ${(error as Error)?.message ?? String(error)}`,
    );
    return 2;
  }
  return summary.failed > 0 ? 1 : 0;
}

main().then(
  (code) => hostExit(code),
  (error: unknown) => {
    console.error(`aral-conformance: ${(error as Error)?.stack ?? String(error)}`);
    hostExit(1);
  },
);
