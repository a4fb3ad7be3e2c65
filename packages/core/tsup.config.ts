import { tsupPreset } from "../../scripts/tsup-preset.ts";

/** The root entry and one entry per area (the package's subpath exports). */
const areas = ["tasks", "resilience", "health", "metrics", "logging", "config", "resources", "lifecycle", "workers"];
export default tsupPreset(["src/index.ts", ...areas.map((area) => `src/${area}/index.ts`)]);
