import { tsupPreset } from "../../scripts/tsup-preset.ts";
// node:* built-ins stay imports (the preset bundles for a neutral platform). worker-bootstrap is the
// first module of every worker thread, loaded by URL next to index.js / index.cjs.
export default tsupPreset(["src/index.ts", "src/worker-bootstrap.ts"], [
  "node:child_process", "node:fs", "node:fs/promises", "node:http", "node:net", "node:os", "node:path", "node:process", "node:stream", "node:url", "node:worker_threads",
]);
