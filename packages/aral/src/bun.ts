// The "bun" entry of the umbrella package, picked by export conditions.
import { platform } from "@aral/adapter-bun";
import { withPlatform } from "./with-platform.ts";

export * from "@aral/core";
export { platform };
export const AralRuntime = withPlatform(() => platform);
export type AralRuntime = InstanceType<typeof AralRuntime>;
