import { AralRuntime as CoreRuntime } from "@aral/core";
import type { Platform, RuntimeDeps, RuntimeInput } from "@aral/core";

/** AralRuntime with this runtime's adapter as its default platform, so `new AralRuntime()` needs no arguments. */
export function withPlatform(platform: () => Platform): typeof CoreRuntime {
  return class AralRuntime extends CoreRuntime {
    constructor(config?: RuntimeInput, deps: RuntimeDeps = {}) {
      // deps that are not an object go on as given: core refuses them with an InvalidArgumentError naming them
      super(
        config,
        deps !== null && typeof deps === "object" ? { ...deps, platform: deps.platform ?? platform() } : deps,
      );
    }
  };
}
