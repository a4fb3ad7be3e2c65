import { tsupPreset } from "../../scripts/tsup-preset.ts";
// node:* built-ins stay imports (the preset bundles for a neutral platform)
export default tsupPreset(["src/index.ts"], [
  "node:child_process", "node:fs", "node:fs/promises", "node:http", "node:net", "node:os", "node:path", "node:process", "node:stream",
]);
