import { AralRuntime as CoreRuntime } from "@aral/core";
import type { Platform, RuntimeDeps, RuntimeInput } from "@aral/core";

/** AralRuntime with this runtime's adapter as its default platform, so `new AralRuntime()` needs no arguments. */
export function withPlatform(platform: () => Platform): typeof CoreRuntime {
  return class AralRuntime extends CoreRuntime {
    constructor(config?: RuntimeInput, deps: RuntimeDeps = {}) {
      super(config, { ...deps, platform: deps.platform ?? platform() });
    }
  };
}
