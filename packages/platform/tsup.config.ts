import { tsupPreset } from "../../scripts/tsup-preset.ts";
// worker-thread-bootstrap is the first module of every worker thread, loaded by URL next to index.js / index.cjs.
// No shared chunk: each entry stands alone, and esbuild (not the chunk pass) writes the CJS, where import.meta is empty.
export default { ...tsupPreset(["src/index.ts", "src/worker-thread-bootstrap.ts"]), splitting: false };
