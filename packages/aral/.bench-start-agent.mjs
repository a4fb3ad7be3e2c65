import { AralRuntime } from "aral";
const runtime = new AralRuntime({ health: { enabled: true } });
await runtime.start();
console.log(runtime.healthUrl);
