import type { Platform } from "@aral/platform";

/** How this very file is being run: from TypeScript source, or from the built JavaScript in dist/. */
const SELF_URL: string = import.meta.url ?? "";
const RUNNING_SOURCE = /\.(m|c)?ts$/.test(SELF_URL);

/** The URL of a fixture script next to whatever is running (src/fixtures/x.ts or dist/fixtures/x.js). */
export function fixtureUrl(name: string): URL {
  if (!SELF_URL)
    throw new Error(
      "spawnFixture: cannot locate the fixtures (import.meta.url is empty; load @aral/conformance as an ES module)",
    );
  // src/harness/fixture-command.ts → src/fixtures/<name>.ts; dist/<chunk>.js → dist/fixtures/<name>.js
  return RUNNING_SOURCE ? new URL(`../fixtures/${name}.ts`, SELF_URL) : new URL(`./fixtures/${name}.js`, SELF_URL);
}

export function fileUrlToPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/**
 * The command line that runs a fixture under the same runtime as this process.
 * Deno: run -A; Bun and Node running TS: --conditions=source so workspace packages load from source.
 */
export function fixtureCommand(platform: Platform, name: string): { command: string; args: string[] } {
  const script = fileUrlToPath(fixtureUrl(name));
  const command = platform.process.execPath;
  switch (platform.runtime.name) {
    case "deno":
      return { command, args: ["run", "-A", script] };
    case "bun":
    case "node":
      return { command, args: RUNNING_SOURCE ? ["--conditions=source", script] : [script] };
    default:
      return { command, args: [script] };
  }
}

/** What a fixture child is given as its first argument to import the adapter: a URL for paths. */
export function adapterImportSpecifier(adapter: string): string {
  if (adapter.startsWith("/")) return `file://${encodeURI(adapter)}`;
  if (/^[A-Za-z]:[\\/]/.test(adapter)) return `file:///${encodeURI(adapter.replaceAll("\\", "/"))}`;
  return adapter;
}
