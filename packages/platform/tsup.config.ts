import { tsupPreset } from "../../scripts/tsup-preset.ts";
export default tsupPreset();
