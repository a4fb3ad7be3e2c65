import { ResourceLimitError } from "@aral/core";
import { equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { runtimeFor } from "./runtime-helpers.ts";

export const runtimeResourceCases = defineCases([
  {
    name: "resources: the seed's test — allocate({ memory: '200Mi' }) over a 100Mi limit rejects 'Resource limit exceeded'",
    capability: "runtime.resources",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { resources: { memory: { limit: "100Mi" } } });
      await runtime.start();
      const error = (await rejects(
        () => runtime.allocate({ memory: "200Mi" }),
        { instance: ResourceLimitError, message: /Resource limit exceeded/ },
        "allocate",
      )) as ResourceLimitError;
      equal(error.resource, "memory", "error.resource");
      equal(error.limit, 100 * 2 ** 20, "error.limit (bytes)");
    },
  },
  {
    name: "resources: leases count against the limit until released; concurrent allocations never overshoot",
    capability: "runtime.resources",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { resources: { memory: { limit: "100Mi" }, cpu: { limit: "2" } } });
      await runtime.start();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, () => runtime.allocate({ memory: "20Mi", cpu: "100m" })),
      );
      const granted = outcomes.filter((o) => o.status === "fulfilled");
      equal(granted.length, 5, "leases granted out of 10 concurrent 20Mi requests against 100Mi");
      await rejects(() => runtime.allocate({ memory: "1Mi" }), { instance: ResourceLimitError }, "allocate when full");
      for (const o of granted) (o as PromiseFulfilledResult<{ release(): void }>).value.release();
      const again = await runtime.allocate({ memory: "100Mi" });
      again.release();
      again.release();
    },
  },
  {
    name: "resources: stop() releases the leases still held; the next run starts with the whole limit",
    capability: "runtime.resources",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { resources: { memory: { limit: "100Mi" } } });
      await runtime.start();
      const held = await runtime.allocate({ memory: "60Mi" });
      equal(held.released, false, "released while running");
      await runtime.stop();
      equal(held.released, true, "released after stop()");
      held.release();
      await runtime.start();
      const whole = await runtime.allocate({ memory: "100Mi" });
      equal(whole.released, false, "the whole limit granted in the next run");
    },
  },
  {
    name: "resources: with no ephemeral root configured, stop() removes the temp directory start() made (no aral-ephemeral-* left behind)",
    capability: "runtime.resources",
    async run(ctx) {
      const base = await ctx.tempDir();
      const { runtime } = runtimeFor(ctx, { resources: { storage: { persistent: `${base}/data` } } });
      await runtime.start();
      const ephemeralRoot = runtime.storage!.ephemeral.root;
      const madeDir = ephemeralRoot.slice(0, ephemeralRoot.lastIndexOf("/"));
      ok(
        /aral-ephemeral-[^/]*$/.test(madeDir),
        `the ephemeral area lives in a temp directory start() made (got ${madeDir})`,
      );
      await runtime.storage!.ephemeral.writeFile("scratch.tmp", "x");
      await runtime.stop();
      equal(await ctx.platform.fs.exists(madeDir), false, `${madeDir} exists after stop()`);
      equal(await ctx.platform.fs.exists(`${base}/data`), true, "the persistent root exists after stop()");
    },
  },
]);
