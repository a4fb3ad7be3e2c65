import type { Options } from "tsup";
import { tsupPreset } from "../../scripts/tsup-preset.ts";

// worker-thread-bootstrap is the first module of every worker thread, loaded by URL beside the entry (workers.ts);
// shims give the CJS build a real import.meta.url to locate it from.
export default {
  ...(tsupPreset(["src/index.ts", "src/worker-thread-bootstrap.ts"]) as Options),
  dts: { entry: "src/index.ts" }, // the bootstrap exports nothing
  shims: true,
};
