import { tsupPreset } from "../scripts/tsup-preset.ts";

// The library and the CLI: ESM + CJS + types. The fixtures run as child scripts (ESM, top-level
// await) from dist/fixtures/, next to the chunk that spawns them.
export default [
  tsupPreset(["src/index.ts", "src/cli.ts"]),
  {
    ...tsupPreset(["src/fixtures/*.ts", "!src/fixtures/load-platform.ts"]),
    format: ["esm" as const],
    dts: false,
    clean: false,
    outDir: "dist/fixtures",
  },
];
