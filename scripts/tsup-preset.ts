import { defineConfig } from "tsup";

/** The one npm build every package uses: ESM + CJS + types, node: specifiers kept as written. */
export function tsupPreset(entry: string[] = ["src/index.ts"], external: string[] = []) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: false,
    target: "es2022",
    platform: "neutral",
    removeNodeProtocol: false,
    external,
  });
}
