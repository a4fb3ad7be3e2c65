import { tsupPreset } from "../../scripts/tsup-preset.ts";
// worker-bootstrap is the first module of every worker thread, loaded by URL next to the adapter's module.
export default tsupPreset(["src/index.ts", "src/worker-bootstrap.ts"]);
