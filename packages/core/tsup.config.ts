import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Plugin } from "esbuild";
import { tsupPreset } from "../../scripts/tsup-preset.ts";

/** The root entry and one entry per area (the package's subpath exports). */
const areas = ["tasks", "resilience", "health", "metrics", "logging", "config", "resources", "lifecycle", "workers"];
const entries = ["src/index.ts", ...areas.map((area) => `src/${area}/index.ts`)];

/** The modules an entry re-exports from: the bundle holds them and exports their public names. */
function modulesEntriesExport(): Set<string> {
  const modules = new Set<string>();
  for (const entry of entries) {
    const source = readFileSync(entry, "utf8");
    for (const [, specifier] of source.matchAll(/^export\s*\{[^}]*\}\s*from\s*"(\.[^"]+)"/gm)) {
      modules.add(resolve(dirname(entry), specifier!));
    }
  }
  return modules;
}

/**
 * Each entry re-exports from dist/bundle.js instead of pulling its modules in (see src/bundle.ts). An entry
 * file is reached twice: as an entry, where its re-exports become re-exports of the bundle by their public names
 * (relative to where that entry lands in dist), and from any other module, where it is a separate module
 * ("in-bundle") that bundles as usual. packages/core/test/bundle-entries.test.ts checks every entry of the build
 * against the sources.
 */
const reexportFromBundle: Plugin = {
  name: "reexport-from-bundle",
  setup(build) {
    const extension = build.initialOptions.format === "cjs" ? ".cjs" : ".js";
    const entryFiles = new Set(entries.map((entry) => resolve(entry)));
    const inBundle = modulesEntriesExport();
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const target = resolve(dirname(args.importer), args.path);
      // The sources import some modules on first use (a manifest file's readers, storage, the audit log…) so Deno
      // (which loads the sources) compiles them only then. The bundle holds them anyway: such an import becomes
      // an import of the bundle itself (they are public names of an area, hence of the bundle), not a split of
      // the bundle into a chunk per lazy module. Lazy modules no entry exports (YAML, tracing) stay chunks.
      if (args.kind === "dynamic-import" && inBundle.has(target)) {
        return { path: `./bundle${extension}`, external: true };
      }
      if (args.namespace === "in-bundle" || !entryFiles.has(args.importer)) {
        return entryFiles.has(target) ? { path: target, namespace: "in-bundle" } : undefined;
      }
      const toBundle = args.importer === resolve("src/index.ts") ? "./bundle" : "../bundle";
      return { path: toBundle + extension, external: true };
    });
    // An entry file itself: each `export { a as b } from "./x.ts"` becomes `export { b } from "<bundle>"` (the
    // bundle exports the area's public names, renamed ones included); `export type` lines vanish as usual.
    build.onLoad({ filter: /\.ts$/, namespace: "file" }, async (args) => {
      if (!entryFiles.has(args.path)) return undefined;
      const bundle = (args.path === resolve("src/index.ts") ? "./bundle" : "../bundle") + extension;
      const source = await readFile(args.path, "utf8");
      const contents = source.replace(/export\s*\{([^}]*)\}\s*from\s*"[^"]+"/g, (_statement, specifiers: string) => {
        const names = specifiers
          .split(",")
          .map((specifier) => specifier.trim())
          .filter((specifier) => specifier !== "")
          .map((specifier) => specifier.split(/\s+as\s+/).at(-1));
        return `export { ${names.join(", ")} } from "${bundle}"`;
      });
      return { contents, loader: "ts", resolveDir: dirname(args.path) };
    });
    build.onLoad({ filter: /.*/, namespace: "in-bundle" }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "ts",
      resolveDir: dirname(args.path),
    }));
  },
};

export default {
  ...tsupPreset(["src/bundle.ts", ...entries]),
  dts: { entry: entries },
  esbuildPlugins: [reexportFromBundle],
};
