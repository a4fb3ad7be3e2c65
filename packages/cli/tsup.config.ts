import { tsupPreset } from "../../scripts/tsup-preset.ts";
export default tsupPreset(["src/index.ts", "src/bin.ts"]);
