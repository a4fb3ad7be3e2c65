import { tsupPreset } from "../../scripts/tsup-preset.ts";
// worker-thread-bootstrap is the first module of every worker thread, loaded by URL next to index.js / index.cjs.
export default tsupPreset(["src/index.ts", "src/worker-thread-bootstrap.ts"]);
