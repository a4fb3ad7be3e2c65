import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Plugin } from "esbuild";
import { tsupPreset } from "../../scripts/tsup-preset.ts";

/** The root entry and one entry per area (the package's subpath exports). */
const areas = ["tasks", "resilience", "health", "metrics", "logging", "config", "resources", "lifecycle", "workers"];
const entries = ["src/index.ts", ...areas.map((area) => `src/${area}/index.ts`)];

/**
 * Each entry re-exports from dist/bundle.js instead of pulling its modules in (see src/bundle.ts). An entry
 * file is reached twice: as an entry, where its imports become imports of the bundle (relative to where that
 * entry lands in dist), and from any other module, where it is a separate module ("in-bundle") that bundles
 * as usual.
 */
const reexportFromBundle: Plugin = {
  name: "reexport-from-bundle",
  setup(build) {
    const extension = build.initialOptions.format === "cjs" ? ".cjs" : ".js";
    const entryFiles = new Set(entries.map((entry) => resolve(entry)));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const target = resolve(dirname(args.importer), args.path);
      if (args.namespace === "in-bundle" || !entryFiles.has(args.importer)) {
        return entryFiles.has(target) ? { path: target, namespace: "in-bundle" } : undefined;
      }
      const toBundle = args.importer === resolve("src/index.ts") ? "./bundle" : "../bundle";
      return { path: toBundle + extension, external: true };
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
