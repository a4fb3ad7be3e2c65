import { tsupPreset } from "../../scripts/tsup-preset.ts";
// The node:* modules Bun has no native API for stay imports (the preset bundles for a neutral platform).
export default tsupPreset(["src/index.ts"], ["node:fs", "node:fs/promises", "node:os", "node:path"]);
